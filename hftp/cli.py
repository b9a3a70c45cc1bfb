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
