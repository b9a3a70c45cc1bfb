"""Parsing the ``hftp`` command's option values (LEVEL=HZ, layer lists, condition files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from hftp.apps.cli_errors import fail as _fail
from hftp.apps.cli_errors import run as _run

__all__ = ["parse_tagged", "parse_layers", "load_conditions", "emit", "print_version"]


def parse_tagged(
    items: list[str] | None, option: str = "--tagged", what: str = "LEVEL"
) -> dict[str, float] | None:
    """``["sentence=0.78125", "phrase=1.5625"]`` → ``{"sentence": 0.78125, "phrase": 1.5625}``.

    ``option`` and ``what`` name the option and its key in the error message (e.g.
    ``"--control-hz"``, ``"NAME"``)."""
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
            _fail(f"Invalid value for {option!r}: expected {what}=HZ; got {item!r}.")
    names = [i.partition("=")[0].strip() for i in items]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        _fail(
            f"Invalid value for {option!r}: {what} {twice} given more than once; got {items}. "
            "Give each name once."
        )
    return out


def parse_layers(items: list[str] | None) -> list[int] | None:
    """``["0,5", "-1"]`` → ``[0, 5, -1]``; ``None`` or empty → all layers."""
    if not items:
        return None
    out = []
    for item in items:
        for part in item.split(","):
            try:
                out.append(int(part))
            except ValueError:
                _fail(f"Invalid value for '--layers': expected integers like 0,5,-1; got {item!r}.")
    return out


def load_conditions(path: Path | None) -> dict[str, Any] | None:
    """A JSON file: condition name → code, list of codes/descriptions, or {"start": a, "stop": b}."""
    if path is None:
        return None
    from hftp._validation import check_in_path

    p = _run(check_in_path, "--conditions", path, kind="conditions JSON file")
    example = '{"sentences": [1, 2], "shuffled": "shuf", "advp": {"start": 0, "stop": 25}}'
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        _fail(f"Invalid value for '--conditions': {str(p)!r} is not JSON ({exc}). E.g. {example}")
    except OSError as exc:
        _fail(exc)
    if not isinstance(raw, dict) or not raw:
        _fail(
            f"Invalid value for '--conditions': expected a JSON object name → codes, e.g. {example}."
        )
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if isinstance(v, dict):
            if set(v) != {"start", "stop"} or not all(isinstance(x, int) for x in v.values()):
                _fail(
                    f"Invalid value for '--conditions': condition {k!r} is {v}; a range is written "
                    '{"start": FIRST_CODE, "stop": LAST_CODE_PLUS_1} with integers.'
                )
            v = range(v["start"], v["stop"])
        elif not isinstance(v, int | str | list) or isinstance(v, bool):
            _fail(
                f"Invalid value for '--conditions': condition {k!r} is {v!r}; expected a code, a "
                f"description, a list of them, or a range. E.g. {example}"
            )
        out[k] = v
    return out


def emit(summary: dict[str, Any], as_json: bool) -> None:
    """Print a summary: JSON on stdout with --json, else a short human-readable list."""
    if as_json:
        typer.echo(json.dumps(summary, default=str))
    else:
        for k, v in summary.items():
            typer.echo(f"{k}: {v}")


def print_version(value: bool) -> None:
    """The eager ``--version`` option: print ``hftp X.Y.Z`` and exit."""
    if value:
        from hftp import __version__

        typer.echo(f"hftp {__version__}")
        raise typer.Exit()
