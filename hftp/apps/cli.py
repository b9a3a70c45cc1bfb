"""The ``hftp`` command: a thin typer app over the public API.

Every command has ``--help`` with an example, shows progress on long work, writes its outputs
atomically, and with ``--json`` prints a machine-readable summary on stdout.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import typer

from hftp.apps.cli_errors import check_outputs, run_app, write_all
from hftp.apps.cli_errors import fail as _fail
from hftp.apps.cli_errors import run as _run
from hftp.apps.cli_options import emit as _emit
from hftp.apps.cli_options import load_conditions, parse_layers, parse_tagged
from hftp.apps.cli_options import print_version as _version
from hftp.apps.cli_scale import models_cmd, sweep_cmd
from hftp.apps.cli_sim import simulate_ieeg_cmd

app = typer.Typer(
    name="hftp",
    help="Hierarchical Frequency Tagging Probe: syntax-locked neurons, electrodes, and their alignment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Hierarchical Frequency Tagging Probe: syntax-locked neurons, electrodes, and their alignment."""


_OVERWRITE_HELP = "Replace existing outputs (refused otherwise)."


# ----------------------------------------------------------------------------------- stimuli


@app.command("stimuli")
def stimuli_cmd(
    language: str = typer.Option("en", "--language", "-l", help="en (words) or zh (characters)."),
    design: list[str] = typer.Option(
        ["sentences"], "--design", "-d", help="Design; repeat for several conditions in one set."
    ),
    n_sequences: int = typer.Option(100, "--n-sequences", "-n", help="Shuffles per condition."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same output)."),
    out: Path = typer.Option(..., "--out", "-o", help="File to write (.csv, or .tsv for events)."),
    fmt: str = typer.Option("csv", "--format", help="csv (+ .json sidecar) or events (BIDS)."),
    n_sentences: int = typer.Option(50, "--n-sentences", help="Sentences per sequence."),
    structure: str = typer.Option(None, "--structure", help="Grammar structure: 2x2, 3x2 (en)."),
    unit_rate_hz: float = typer.Option(4.0, "--unit-rate-hz", help="Units per second."),
    corpus: Path = typer.Option(None, "--corpus", help="Sentences file for --design natural."),
    streams: Path = typer.Option(
        None, "--streams", help="Folder of .txt word streams for --design custom."
    ),
    tagged: list[str] = typer.Option(
        None, "--tagged", help="Declared rate for custom streams, LEVEL=HZ (repeatable)."
    ),
    trim: bool = typer.Option(False, "--trim", help="Trim custom streams to on-bin length."),
    gap_s: float = typer.Option(2.0, "--gap-s", help="Silence between sequences (events)."),
    overwrite: bool = typer.Option(False, "--overwrite", help=_OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Generate frequency-tagged stimulus sequences and write them to a file.

    Examples:

      hftp stimuli --language en --design sentences --design within-shuffle --n-sequences 100 --seed 0 --out stim.csv

      hftp stimuli -l zh -d sentences --format events --out sub-01_task-hftp_events.tsv

      hftp stimuli -d custom --streams eeg-phrases/stimuli --unit-rate-hz 3.125 --tagged sentence=0.78125 --tagged phrase=1.5625 --trim --out eeg.csv
    """
    from hftp import stimuli as st
    from hftp._validation import check_option

    writers = {
        "csv": lambda s, p: st.save_stimuli(s, p, overwrite=overwrite),
        "events": lambda s, p: st.to_events(s, p, gap_s=gap_s, overwrite=overwrite),
    }
    _run(check_option, "--format", fmt, writers)
    tagged_hz = parse_tagged(tagged)
    for d in design:  # option values first (usage errors), then the outputs, then the work
        _run(check_option, "--design", d, st.list_designs())
    suffix = {"csv": ".csv", "events": ".tsv"}[fmt]
    _run(check_option, "--out (file extension)", out.suffix, (suffix,))
    check_outputs({"--out": out, "--out (its .json sidecar)": out.with_suffix(".json")}, overwrite)
    word_streams = _run(st.load_word_streams, streams) if streams is not None else None
    stim = _run(
        st.make_stimuli,
        language,
        design,
        n_sequences,
        seed,
        n_sentences=n_sentences,
        unit_rate_hz=unit_rate_hz,
        structure=structure,
        corpus=corpus,
        streams=word_streams,
        tagged_hz=tagged_hz,
        trim=trim,
    )
    path = _run(writers[fmt], stim, out)
    _emit(
        {
            "out": str(path),
            "sidecar": str(Path(path).with_suffix(".json")),
            "format": fmt,
            "conditions": stim.conditions,
            "n_sequences": stim.n_sequences,
            "units_per_sequence": stim.meta.get("n_units"),
            "tagged_hz": stim.tagged_hz,
            "unit_rate_hz": stim.unit_rate_hz,
        },
        as_json,
    )


# ----------------------------------------------------------------------------------- probe


@app.command("probe")
def probe_cmd(
    model: str = typer.Option(
        None,
        "--model",
        "-m",
        help="Model folder, .gguf file, cached hub id or 'default' (SmolLM2-135M).",
    ),
    stimuli: Path = typer.Option(..., "--stimuli", "-s", help="Stimulus CSV from `hftp stimuli`."),
    out: Path = typer.Option(..., "--out", "-o", help="Spectra file to write (.nc or .zarr)."),
    layers: list[str] = typer.Option(
        None, "--layers", help="Layers to record, e.g. 0,5,-1 (repeatable; default all)."
    ),
    batch_size: int = typer.Option(8, "--batch-size", "-b", help="Sequences per forward pass."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:N or mps."),
    dtype: str = typer.Option(None, "--dtype", help="float32 (default), float16 or bfloat16."),
    drop_units: int = typer.Option(0, "--drop-units", help="Leading units dropped before the FFT."),
    pooling: str = typer.Option("mean", "--pooling", help="Tokens to unit: mean or last."),
    site: str = typer.Option(
        None, "--site", help="Neuron module pattern, e.g. 'model.layers.{i}.mlp.down_proj'."
    ),
    add_bos: bool = typer.Option(
        None, "--add-bos/--no-add-bos", help="Prepend BOS (default: as the tokenizer does)."
    ),
    tokenization: str = typer.Option(
        None, "--tokenization", help="joint or unitwise (default: unitwise for Chinese)."
    ),
    device_map: str = typer.Option(None, "--device-map", help="auto or balanced (accelerate)."),
    save_raw: Path = typer.Option(None, "--save-raw", help="Also save raw activations (.nc)."),
    overwrite: bool = typer.Option(False, "--overwrite", help=_OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Record a model's MLP neurons on a stimulus set and write their spectra.

    Examples:

      hftp probe --model default --stimuli stim.csv --out spectra.nc

      hftp probe --model ./my-llama --stimuli stim.csv --layers 0,10,-1 --batch-size 4 --out spectra.nc --json
    """
    from hftp import io
    from hftp._validation import check_option
    from hftp.models.extract import probe
    from hftp.models.load import load_model
    from hftp.stimuli.core import load_stimuli

    # every input and output is checked before the model is loaded
    layer_list = parse_layers(layers)
    stim = _run(load_stimuli, stimuli)
    check_outputs({"--out": out, "--save-raw": save_raw}, overwrite)
    _run(check_option, "--out (file extension)", out.suffix, (".nc", ".zarr"))
    if save_raw is not None:
        _run(check_option, "--save-raw (file extension)", save_raw.suffix, (".nc", ".zarr"))
    model = None if model in (None, "default") else model
    net, tok = _run(load_model, model, device=device, dtype=dtype, device_map=device_map)
    spectra = _run(
        probe,
        net,
        tok,
        stim,
        layers=layer_list,
        batch_size=batch_size,
        drop_units=drop_units,
        pooling=pooling,
        site=site,
        add_bos=add_bos,
        tokenization=tokenization,
        save_raw=save_raw,
    )
    try:
        path = _run(io.save, spectra, out, name="--out", overwrite=overwrite)
    except BaseException:
        if save_raw is not None:  # all outputs or none
            Path(save_raw).unlink(missing_ok=True)
        raise
    _emit(
        {
            "out": str(path),
            "raw": str(save_raw) if save_raw else None,
            "model": spectra.attrs.get("model"),
            "site": spectra.attrs.get("site"),
            "conditions": [str(c) for c in spectra["condition"].values],
            "n_trials": [int(n) for n in spectra["n_trials"].values],
            "layers": int(spectra.sizes["layer"]),
            "neurons": int(spectra.sizes["neuron"]),
            "freqs": int(spectra.sizes["freq"]),
            "tagged_hz": spectra.hftp.tagged_hz,
            "token_sharing": json.loads(spectra.attrs["token_sharing"]),
        },
        as_json,
    )


# ----------------------------------------------------------------------------------- brain


@app.command("brain")
def brain_cmd(
    input: Path = typer.Option(
        ..., "--input", "-i", help="BIDS folder, EDF/BDF, .vhdr, .fif or FieldTrip .mat."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Brain Spectra to write (.nc)."),
    conditions: Path = typer.Option(None, "--conditions", help="JSON: condition → event code(s)."),
    atlas: Path = typer.Option(None, "--atlas", help="Atlas NIfTI in MNI space (default AAL)."),
    labels: Path = typer.Option(None, "--atlas-labels", help="Label table of --atlas."),
    tagged: list[str] = typer.Option(None, "--tagged", help="LEVEL=HZ (repeatable)."),
    drop_onset: float = typer.Option(1.0, "--drop-onset", help="Seconds dropped per epoch."),
    tmax: float = typer.Option(
        None, "--tmax", help="Epoch end after onset (s); default: duration."
    ),
    control: str = typer.Option(None, "--control", help="Control condition for specificity."),
    q: float = typer.Option(0.05, "--q", help="FDR level across channels."),
    table: Path = typer.Option(None, "--table", help="Responsive-channel CSV (default OUT.csv)."),
    events: Path = typer.Option(None, "--events", help="BIDS events.tsv to epoch by (onsets)."),
    epoch_length: float = typer.Option(
        None, "--epoch-length", help="Continuous recording: cut epochs of this many seconds."
    ),
    montage: str = typer.Option(
        None, "--montage", help="Standard montage for scalp EEG, e.g. spherical_1020 or biosemi64."
    ),
    no_regions: bool = typer.Option(
        False, "--no-regions", help="Do not assign atlas regions (non-MNI positions)."
    ),
    drop_incomplete: bool = typer.Option(
        False, "--drop-incomplete", help="Drop trials a truncated recording cuts (with a warning)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help=_OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Read a recording, write its brain Spectra and a responsive-channel table.

    Examples:

      hftp brain --input sim_bids --out brain.nc

      hftp brain --input P5_ft.mat --conditions conds.json --tagged phrase=1.5625 --tagged unit=3.125 --out p5.nc --json

      hftp brain --input rest.edf --epoch-length 12 --montage spherical_1020 --tagged phrase=2 --out rest.nc
    """
    from hftp import io
    from hftp._validation import check_option
    from hftp.brain.core import brain_spectra, read_any, responsive_channels

    table = table or out.with_suffix(".csv")
    check_outputs({"--out": out, "--table": table}, overwrite)
    _run(check_option, "--out (file extension)", out.suffix, (".nc", ".zarr"))
    rec = _run(
        read_any,
        input,
        load_conditions(conditions),
        tmax=tmax,
        tagged_hz=parse_tagged(tagged),
        events=events,
        epoch_length=epoch_length,
        montage=montage,
        drop_incomplete=drop_incomplete,
    )
    spectra = _run(
        brain_spectra,
        rec,
        drop_onset,
        parse_tagged(tagged),
        atlas=atlas,
        labels=labels,
        regions=not no_regions,
    )
    tab = _run(responsive_channels, spectra, control=control, q=q)
    path, _ = _run(
        write_all,
        [
            (out, lambda: io.save(spectra, out, name="--out", overwrite=overwrite)),
            (
                table,
                lambda: io.write_text(
                    table, tab.to_csv(index=False), name="--table", overwrite=overwrite
                ),
            ),
        ],
    )
    sig = tab[tab["significant"]] if "significant" in tab else tab.iloc[:0]
    _emit(
        {
            "out": str(path),
            "table": str(table),
            "conditions": [str(c) for c in spectra["condition"].values],
            "channels": int(spectra.sizes["channel"]),
            "subjects": sorted({str(x) for x in spectra["subject"].values}),
            "regions": {
                str(k): int(v) for k, v in spectra["region"].to_series().value_counts().items()
            },
            "tagged_hz": spectra.hftp.tagged_hz,
            "significant": {
                f"{c}/{lv}": int(n)
                for (c, lv), n in sig.groupby(["condition", "level"]).size().items()
            },
        },
        as_json,
    )


app.command("simulate-ieeg")(simulate_ieeg_cmd)


# ----------------------------------------------------------------------------------- align


@app.command("align")
def align_cmd(
    probe: Path = typer.Option(..., "--probe", help="Model Spectra (.nc from hftp probe)."),
    brain: Path = typer.Option(..., "--brain", help="Brain Spectra (.nc from hftp brain)."),
    out: Path = typer.Option(..., "--out", help="Alignment result to write (.nc)."),
    tagged: Path = typer.Option(
        None, "--tagged", help="Tagging results or a boolean neuron mask (.nc); default: all."
    ),
    measure: str = typer.Option("evoked", "--measure", help="Model measure."),
    brain_measure: str = typer.Option("itc", "--brain-measure", help="Brain measure."),
    metric: str = typer.Option("cosine", "--metric", help="cosine, correlation or euclidean."),
    comparison: str = typer.Option("spearman", "--comparison", help="spearman or kendall."),
    top_k: int = typer.Option(100, "--top-k", help="Top channels per layer in S(m,b)."),
    n_random: int = typer.Option(100, "--n-random", help="Random-neuron draws (with --tagged)."),
    seed: int = typer.Option(0, "--seed", help="Seed of every random step."),
    overwrite: bool = typer.Option(False, "--overwrite", help=_OVERWRITE_HELP),
    selection: str = typer.Option(
        None,
        "--selection",
        help="Where --tagged was selected: split (default with a split dim), independent, same-data.",
    ),
    selection_probe: Path = typer.Option(
        None,
        "--selection-probe",
        help="Model Spectra of another stimulus seed that --tagged was selected on (.nc).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """RSA of every model layer against every brain channel, with permutation p-values.

    Example: hftp align --probe model.nc --brain brain.nc --tagged tagged.nc --out align.nc
    """
    from hftp.align.core import align
    from hftp.align.inference import alignment_summary
    from hftp.io import load, save

    check_outputs({"--out": out}, overwrite)
    mspec = _run(load, probe, name="probe")
    bspec = _run(load, brain, name="brain")
    tag = _run(load, tagged, name="tagged") if tagged is not None else None
    sel = _run(load, selection_probe, name="selection_probe") if selection_probe else None
    res = _run(
        align,
        mspec,
        bspec,
        tag,
        measure=measure,
        brain_measure=brain_measure,
        metric=metric,
        comparison=comparison,
        top_k=top_k,
        n_random=n_random,
        seed=seed,
        selection=selection,
        selection_spectra=sel,
    )
    _run(save, res, out, name="--out", overwrite=overwrite)
    _emit({"out": str(out), **alignment_summary(res)}, as_json)


# ----------------------------------------------------------------------------------- tag


@app.command("tag")
def tag_cmd(
    spectra: Path = typer.Option(
        ..., "--spectra", help="Spectra (.nc from hftp probe or hftp brain)."
    ),
    condition: str = typer.Option(..., "--condition", help="The experimental condition."),
    out: Path = typer.Option(..., "--out", help="Tagging result to write (.nc)."),
    control: str = typer.Option(None, "--control", help="Control condition for specificity."),
    mode: str = typer.Option("calibrated", "--mode", help="calibrated (default) or paper."),
    q: float = typer.Option(0.05, "--q", help="FDR level (calibrated mode)."),
    seed: int = typer.Option(0, "--seed", help="Seed of every random step."),
    table: Path = typer.Option(None, "--table", help="Also write the layer profile as CSV."),
    control_hz: list[str] = typer.Option(
        None,
        "--control-hz",
        help="Untagged control frequency NAME=HZ (repeatable), tested as its own FDR family.",
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help=_OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Find the neurons (or channels) locked to the tagged rates.

    With --control-hz, the same test runs at untagged frequencies as a separate FDR family; the
    summary gives the share of channels with p < q there (about q) and significant there.

    Example: hftp tag --spectra spectra.nc --condition sentences --control within-shuffle --out tagged.nc
    """
    from hftp.io import load, save, write_text
    from hftp.tagging.controls import control_rates
    from hftp.tagging.core import category_fractions, find_tagged, layer_profile

    check_outputs({"--out": out, "--table": table}, overwrite)
    controls = parse_tagged(control_hz, "--control-hz", "NAME")
    spec = _run(load, spectra, name="spectra")
    res = _run(
        find_tagged,
        spec,
        condition,
        control=control,
        mode=mode,
        q=q,
        seed=seed,
        control_hz=controls,
    )
    prof = _run(layer_profile, res)
    writers = [(out, lambda: save(res, out, name="--out", overwrite=overwrite))]
    if table is not None:
        text = prof.to_csv(index=False)
        writers.append(
            (table, lambda: write_text(table, text, name="--table", overwrite=overwrite))
        )
    _run(write_all, writers)
    fractions = {k: round(v, 4) for k, v in category_fractions(res).items()}
    if controls:
        rates = control_rates(res, q)
        fractions["control_p_below_q"] = rates["p_below_q"]
        fractions["control_significant"] = rates["significant"]
    _emit({"out": str(out), "mode": mode, **fractions}, as_json)


# ----------------------------------------------------------------------------------- ablate


@app.command("ablate")
def ablate_cmd(
    stimuli: Path = typer.Option(
        ..., "--stimuli", "-s", help="Stimulus CSV (other seed than tagging)."
    ),
    tagged: Path = typer.Option(..., "--tagged", help="Tagging result (.nc from hftp tag)."),
    out: Path = typer.Option(..., "--out", "-o", help="Ablation result to write (.nc)."),
    category: list[str] = typer.Option(["sentence"], "--category", help="Category; repeatable."),
    layers: list[str] = typer.Option(None, "--layers", help="Layers to ablate in (default all)."),
    top_layers: int = typer.Option(None, "--top-layers", help="Only the K layers richest in it."),
    method: str = typer.Option("mean", "--method", help="mean (over --reference) or zero."),
    n_random: int = typer.Option(100, "--n-random", help="Random neuron sets in the null."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random sets."),
    model: str = typer.Option(None, "--model", "-m", help="Model (default: SmolLM2)."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:N or mps."),
    batch_size: int = typer.Option(8, "--batch-size", "-b", help="Sequences per forward pass."),
    figure: Path = typer.Option(None, "--figure", help="Also draw the figure (PNG + SVG)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Ablate tagged neurons and compare the loss change with random neuron sets.

    Example: hftp ablate --stimuli stim.csv --tagged tagged.nc --top-layers 5 --out ablation.nc
    """
    from hftp.io import load, save
    from hftp.models.ablate import ablate, ablation_table
    from hftp.models.load import load_model
    from hftp.stimuli.core import load_stimuli
    from hftp.tagging.core import layer_profile

    stim = _run(load_stimuli, stimuli)
    tag = _run(load, tagged, name="tagged")
    chosen = parse_layers(layers)
    if top_layers is not None:
        prof = _run(layer_profile, tag)
        prof = prof[prof["category"].isin(category)].groupby("layer")["proportion"].sum()
        chosen = [int(i) for i in prof.sort_values(ascending=False).index[: max(top_layers, 1)]]
    net, tok = _run(load_model, model, device=device)
    res = _run(
        ablate, net, tok, stim, tag, categories=category, layers=chosen, method=method,
        n_random=n_random, seed=seed, batch_size=batch_size,
    )  # fmt: skip
    _run(save, res, out, name="out")
    if figure is not None:
        from hftp.plot import ablation, save_figure

        _run(save_figure, ablation(res), figure)
    table = ablation_table(res).round(5)
    _emit({"out": str(out), "layers": chosen, "sets": table.to_dict("records")}, as_json)


# ----------------------------------------------------------------------------------- report


@app.command("report")
def report_cmd(
    files: list[Path] = typer.Argument(
        ..., help="Result files (.nc): spectra, tagging, alignment."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder for report.html and figures/."),
    overwrite: bool = typer.Option(False, "--overwrite", help=_OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Draw the standard figures for saved results and write report.html.

    Example: hftp report spectra.nc tagged.nc align.nc --out report/
    """
    from hftp.apps.report_files import report_from_files
    from hftp.io import load

    if (out / "report.html").exists() and not overwrite:
        _fail(
            f"Invalid value for '--out': {str(out)!r} already holds a report.html. Pass "
            "--overwrite to replace it, or choose another folder."
        )
    check_outputs({"--out": out}, True)
    for f in files:  # every input is read before anything is drawn
        _run(load, f, name="FILES")
    path, summary = _run(report_from_files, files, out)
    _emit({"report": str(path), **summary}, as_json)


app.command("models")(models_cmd)  # the catalogue and sweeps: hftp/apps/cli_scale.py
app.command("sweep")(sweep_cmd)


# ----------------------------------------------------------------------------------- demo


@app.command("demo")
def demo_cmd(
    out: Path = typer.Option(
        Path("hftp-demo"), "--out", help="Output folder (created if missing)."
    ),
    model: str = typer.Option(
        None, "--model", help="Model name or local folder; default: offline SmolLM2-135M."
    ),
    quick: bool = typer.Option(
        False, "--quick", help="Fewer shuffles: a few minutes on 2 CPU cores."
    ),
    n_sequences: int = typer.Option(
        None, "--n-sequences", help="Shuffles per condition (default 100, 16 with --quick)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of every random step."),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Start afresh in a folder that holds other results."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Run the whole pipeline on the defaults and write report.html, figures/, results/, summary.json.

    Example: hftp demo --quick --out hftp-demo
    """
    from hftp.apps.demo import DemoConfig, run_demo

    model = None if model in (None, "default") else model
    cfg = DemoConfig(quick=quick, model=model, n_sequences=n_sequences, seed=seed)
    summary = _run(run_demo, out, config=cfg, overwrite=overwrite)
    _emit(
        {"report": str(out / "report.html"), **(summary or {}).get("numbers", {})}
        if as_json
        else {"report": str(out / "report.html")},
        as_json,
    )


def main() -> None:
    """Entry point of the ``hftp`` console script."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    run_app(app)


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["app", "main", "Path"]
