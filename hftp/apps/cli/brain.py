"""The brain commands: ``hftp brain`` (a recording → brain Spectra and a responsive-channel table)
and ``hftp simulate-ieeg`` (a SIMULATED BIDS iEEG data set with its ground truth)."""

from __future__ import annotations

from pathlib import Path

import typer

from hftp.apps.cli.errors import check_io, check_outputs, run, write_all
from hftp.apps.cli.options import (
    OVERWRITE_HELP,
    Progress,
    document_options,
    emit,
    load_conditions,
    parse_tagged_hz,
    renamed_option,
)

__all__ = ["brain_cmd", "simulate_ieeg_cmd"]


@document_options
def brain_cmd(
    input: Path = typer.Option(
        ..., "--input", "-i", help="BIDS folder, EDF/BDF, .vhdr, .fif or FieldTrip .mat."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Brain Spectra to write (.nc)."),
    conditions: Path = typer.Option(None, "--conditions", help="JSON: condition → event code(s)."),
    atlas: Path = typer.Option(None, "--atlas", help="Atlas NIfTI in MNI space (default AAL)."),
    labels: Path = typer.Option(None, "--atlas-labels", help="Label table of --atlas."),
    tagged_hz: list[str] = typer.Option(None, "--tagged-hz", help="LEVEL=HZ (repeatable)."),
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
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
    old_tagged: list[str] = typer.Option(None, "--tagged", hidden=True),
) -> None:
    """Read a recording, write its brain Spectra and a responsive-channel table.

    Examples:

      hftp brain --input sim_bids --out brain.nc

      hftp brain --input P5_ft.mat --conditions conds.json --tagged-hz phrase=1.5625 --tagged-hz unit=3.125 --out p5.nc --json

      hftp brain --input rest.edf --epoch-length 12 --montage spherical_1020 --tagged-hz phrase=2 --out rest.nc
    """
    from hftp._validation import check_option
    from hftp.brain.reading import read_any
    from hftp.brain.spectra import brain_spectra
    from hftp.io import save, write_text
    from hftp.tagging.responsive import responsive_channels

    tagged_hz = renamed_option("--tagged", old_tagged or None, "--tagged-hz", tagged_hz, None)
    levels = parse_tagged_hz(tagged_hz)

    table = table or out.with_suffix(".csv")
    check_io(
        {
            "--input": input,
            "--conditions": conditions,
            "--atlas": atlas,
            "--atlas-labels": labels,
            "--events": events,
        },
        {"--out": out, "--table": table},
    )
    check_outputs({"--out": out, "--table": table}, overwrite)

    run(check_option, "--out (file extension)", out.suffix, (".nc", ".zarr"))
    bar = Progress("brain", ["read the recording", "spectra", "responsive channels", "write"])
    bar.stage("read the recording")
    rec = run(
        read_any,
        input,
        load_conditions(conditions),
        tmax=tmax,
        tagged_hz=levels,
        events=events,
        epoch_length=epoch_length,
        montage=montage,
        drop_incomplete=drop_incomplete,
    )
    bar.stage("spectra")
    spectra = run(
        brain_spectra,
        rec,
        drop_onset,
        levels,
        atlas=atlas,
        labels=labels,
        regions=not no_regions,
    )
    bar.stage("responsive channels")
    tab = run(responsive_channels, spectra, control=control, q=q)
    bar.stage("write")
    path, _ = run(
        write_all,
        [
            (out, lambda: save(spectra, out, name="--out", overwrite=overwrite)),
            (
                table,
                lambda: write_text(
                    table, tab.to_csv(index=False), name="--table", overwrite=overwrite
                ),
            ),
        ],
    )
    bar.close()
    sig = tab[tab["significant"]] if "significant" in tab else tab.iloc[:0]
    emit(
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
            "bads_excluded": _bads(spectra),
            "significant": {
                f"{c}/{lv}": int(n)
                for (c, lv), n in sig.groupby(["condition", "level"]).size().items()
            },
        },
        as_json,
    )


def _bads(spectra) -> list[str]:
    """The channels left out as marked bad (``info["bads"]``), as the Spectra records them."""
    import json

    raw = spectra.attrs.get("bads", "[]")
    try:
        return list(json.loads(raw)) if isinstance(raw, str) else list(raw)
    except ValueError:
        return []


@document_options
def simulate_ieeg_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="BIDS folder to create (SIMULATED data)."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    subjects: int = typer.Option(2, "--subjects", help="Number of subjects."),
    n_trials: int = typer.Option(None, "--n-trials", help="Trials per condition (default 20)."),
    snr: float = typer.Option(0.5, "--snr", help="Response amplitude / noise std."),
    sfreq: float = typer.Option(256.0, "--sfreq", help="Sampling rate (Hz)."),
    fmt: str = typer.Option("brainvision", "--format", help="brainvision or edf."),
    stimuli: Path = typer.Option(None, "--stimuli", help="Stimulus CSV giving the trial design."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Write a SIMULATED BIDS iEEG data set with frequency-tagged contacts and its ground truth.

    Examples:

      hftp simulate-ieeg --out sim_bids --seed 0

      hftp simulate-ieeg --out sim_bids --stimuli stim.csv --subjects 3 --snr 0.3 --json
    """
    from hftp.brain.simulate import simulate_ieeg

    check_io({"--stimuli": stimuli}, {"--out": out}, folders=("--out",))
    stim = None  # simulate_ieeg checks its folder first: only an earlier simulation is replaced
    if stimuli is not None:
        from hftp.stimuli.stimulus_set import load_stimuli

        stim = run(load_stimuli, stimuli)
    bar = Progress("simulate-ieeg", ["simulate and write"])
    bar.stage("simulate and write")
    sim = run(
        simulate_ieeg,
        out,
        stim,
        subjects=subjects,
        snr=snr,
        seed=seed,
        sfreq=sfreq,
        fmt=fmt,
        n_trials=n_trials,
        overwrite=overwrite,
    )
    bar.close()
    t = sim.truth
    emit(
        {
            "out": str(sim.root),
            "ground_truth": str(sim.truth_path),
            "simulated": True,
            "subjects": list(t["subjects"]),
            "conditions": list(t["conditions"]),
            "tagged_hz": t["tagged_hz"],
            "contacts_per_subject": len(next(iter(t["subjects"].values()))["contacts"]),
        },
        as_json,
    )
