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
