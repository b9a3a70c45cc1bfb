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


def main() -> None:
    """Entry point of the ``hftp`` console script."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["app", "main", "Path"]
