"""The ``hftp`` command: a thin typer app over the public API.

Every command has ``--help`` with an example, shows progress on long work, writes its outputs
atomically, and with ``--json`` prints a machine-readable summary on stdout.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(
    name="hftp",
    help="Hierarchical Frequency Tagging Probe: syntax-locked neurons, electrodes, and their alignment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _emit(summary: dict[str, Any], as_json: bool) -> None:
    """Print a summary: JSON on stdout with --json, else a short human-readable list."""
    if as_json:
        typer.echo(json.dumps(summary, default=str))
    else:
        for k, v in summary.items():
            typer.echo(f"{k}: {v}")


def _fail(exc: Exception) -> None:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(code=2)


def _run(fn, *args, **kwargs):
    """Call ``fn``; turn hftp's validation errors into a clean message and exit code 2."""
    try:
        return fn(*args, **kwargs)
    except (ValueError, TypeError, FileNotFoundError, ImportError) as exc:
        _fail(exc)


# ----------------------------------------------------------------------------------- stimuli


def _parse_tagged(items: list[str] | None) -> dict[str, float] | None:
    """``["sentence=0.78125", "phrase=1.5625"]`` → ``{"sentence": 0.78125, "phrase": 1.5625}``."""
    if not items:
        return None
    out = {}
    for item in items:
        level, sep, hz = item.partition("=")
        try:
            out[level.strip()] = float(hz)
        except ValueError:
            sep = ""
        if not sep or not level.strip():
            _fail(ValueError(f"Invalid value for '--tagged': expected LEVEL=HZ; got {item!r}."))
    return out


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
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Generate frequency-tagged stimulus sequences and write them to a file.

    Examples:

      hftp stimuli --language en --design sentences --design within-shuffle --n-sequences 100 --seed 0 --out stim.csv

      hftp stimuli -l zh -d sentences --format events --out sub-01_task-hftp_events.tsv

      hftp stimuli -d custom --streams eeg-phrases/stimuli --unit-rate-hz 3.125 --tagged sentence=0.78125 --tagged phrase=1.5625 --trim --out eeg.csv
    """
    from . import stimuli as st
    from ._validation import check_option

    writers = {"csv": st.save_stimuli, "events": lambda s, p: st.to_events(s, p, gap_s=gap_s)}
    _run(check_option, "--format", fmt, writers)
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
        tagged_hz=_parse_tagged(tagged),
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


# ----------------------------------------------------------------------------------- brain


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
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """RSA of every model layer against every brain channel, with permutation p-values.

    Example: hftp align --probe model.nc --brain brain.nc --tagged tagged.nc --out align.nc
    """
    from .io import load, save
    from .rsa import align, alignment_summary

    mspec = _run(load, probe, name="probe")
    bspec = _run(load, brain, name="brain")
    tag = _run(load, tagged, name="tagged") if tagged is not None else None
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
    )
    _run(save, res, out, name="out")
    _emit({"out": str(out), **alignment_summary(res)}, as_json)


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
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Run the whole pipeline on the defaults and write report.html, figures/, results/, summary.json.

    Example: hftp demo --quick --out hftp-demo
    """
    from .demo import DemoConfig, run_demo

    cfg = DemoConfig(quick=quick, model=model, n_sequences=n_sequences, seed=seed)
    summary = _run(run_demo, out, config=cfg)
    _emit(
        {"report": str(out / "report.html"), **(summary or {}).get("numbers", {})}
        if as_json
        else {"report": str(out / "report.html")},
        as_json,
    )


def main() -> None:
    """Entry point of the ``hftp`` console script."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["app", "main", "Path"]
