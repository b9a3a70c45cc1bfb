"""The ``hftp`` command's shared options and their parsing: LEVEL=HZ pairs, layer lists, condition
files, the ``--json`` summary, ``--version``, and options renamed in hftp 0.3."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from hftp.apps.cli.errors import fail, run

__all__ = [
    "FlagCommand",
    "Progress",
    "OVERWRITE_HELP",
    "parse_tagged_hz",
    "parse_layers",
    "load_conditions",
    "emit",
    "print_version",
    "renamed_option",
    "document_options",
]

#: The help of every command's ``--overwrite``.
OVERWRITE_HELP = "Replace existing outputs that hftp wrote (refused otherwise)."

_BOOL_WORDS = {"true", "false", "yes", "no", "on", "off", "1", "0"}


def _flag_command_class():
    from typer.core import TyperCommand

    class _FlagCommand(TyperCommand):
        """A command whose flags show no value type in --help and say so when given one."""

        def get_params(self, ctx):
            params = super().get_params(ctx)
            for p in params:  # typer shows a flag as ``<bool>``, as if it took a value
                if getattr(p, "is_flag", False) and p.metavar is None:
                    p.metavar = ""
            return params

        def parse_args(self, ctx, args):
            flags = {
                o
                for p in self.get_params(ctx)
                if getattr(p, "is_flag", False)
                for o in (*p.opts, *p.secondary_opts)
            }
            for a, b in zip(args, args[1:], strict=False):
                if a in flags and b.lower() in _BOOL_WORDS:
                    fail(  # one "Error:" line, exit code 2, like every usage error of hftp
                        f"Invalid value for {a!r}: {a} is a flag and takes no value; got "
                        f"'{a} {b}'. Write {a} alone to switch it on, and leave it out for off."
                    )
            return super().parse_args(ctx, args)

    return _FlagCommand


#: The command class of every ``hftp`` command: flags are shown and parsed as flags.
FlagCommand = _flag_command_class()


class Progress:
    """A progress line on stderr for a command's stages (load, test, write, ...).

    Work that runs as one long call (a test over every channel, the figures of a report) shows
    its stage and the elapsed time, refreshed twice a second, so that a command of more than a
    few seconds is never silent. Shown only on a terminal unless ``enabled=True``.

    Parameters
    ----------
    desc : str
        The command, e.g. ``"tag"``.
    stages : list of str
        The stages in order.
    enabled : bool, optional
        Default: when stderr is a terminal.
    """

    def __init__(self, desc: str, stages: list[str], enabled: bool | None = None) -> None:
        import shutil
        import sys
        import threading

        from tqdm import tqdm

        on = sys.stderr.isatty() if enabled is None else bool(enabled)
        self.current: str | None = None
        self.desc = desc
        size = shutil.get_terminal_size((100, 20))
        self.bar = tqdm(  # a terminal of unknown size reports 0 x 0, which would hide the line
            total=len(stages),
            desc=desc,
            unit="stage",
            file=sys.stderr,
            ncols=size.columns if size.columns >= 40 else 100,
            nrows=size.lines if size.lines >= 5 else 20,
            disable=not on,
            bar_format="{desc} ({n_fmt}/{total_fmt} stages done, {elapsed})",
        )
        self._stop = threading.Event()
        self._thread = None
        if on:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self.bar.refresh()

    def stage(self, name: str) -> None:
        """Start the stage ``name`` (the previous one is done)."""
        if self.current is not None:
            self.bar.update(1)
        self.current = name
        self.bar.set_description_str(f"{self.desc}: {name}")

    def close(self) -> None:
        """End the line (safe to call twice)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
            self._thread = None
        if self.current is not None:
            self.bar.update(1)
            self.current = None
        self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parse_tagged_hz(
    items: list[str] | None, option: str = "--tagged-hz", what: str = "LEVEL"
) -> dict[str, float] | None:
    """Parse repeated ``LEVEL=HZ`` option values into a level → Hz mapping.

    ``["sentence=0.78125", "phrase=1.5625"]`` → ``{"sentence": 0.78125, "phrase": 1.5625}``.

    Parameters
    ----------
    items : list of str or None
        The option's values as typed, one ``NAME=HZ`` per item.
    option : str
        The option's name, for the error message (e.g. ``"--control-hz"``).
    what : str
        What the key is called in the error message (e.g. ``"NAME"``).

    Returns
    -------
    dict of str to float or None
        ``None`` when no value was given. A malformed item or a name given twice exits with a
        usage error (code 2).
    """
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
            fail(f"Invalid value for {option!r}: expected {what}=HZ; got {item!r}.")
    names = [i.partition("=")[0].strip() for i in items]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        fail(
            f"Invalid value for {option!r}: {what} {twice} given more than once; got {items}. "
            "Give each name once."
        )
    return out


def parse_layers(items: list[str] | None) -> list[int] | None:
    """Parse ``--layers`` values: ``["0,5", "-1"]`` → ``[0, 5, -1]``.

    Parameters
    ----------
    items : list of str or None
        The option's values, each one integer or several separated by commas.

    Returns
    -------
    list of int or None
        The layers in the order given; ``None`` (all layers) when none was given. A value that is
        not an integer exits with a usage error.
    """
    if not items:
        return None
    out = []
    for item in items:
        for part in item.split(","):
            try:
                out.append(int(part))
            except ValueError:
                fail(f"Invalid value for '--layers': expected integers like 0,5,-1; got {item!r}.")
    return out


def load_conditions(path: Path | None) -> dict[str, Any] | None:
    """Read a ``--conditions`` JSON file: condition name → event code(s).

    Parameters
    ----------
    path : Path or None
        A JSON object whose values are a code, a description, a list of them, or a range written
        ``{"start": FIRST_CODE, "stop": LAST_CODE_PLUS_1}``.

    Returns
    -------
    dict of str to (int, str, list or range) or None
        ``None`` when no file was given (every event description is then a condition). A file
        that is not such an object exits with a usage error.
    """
    if path is None:
        return None
    from hftp._validation import check_in_path

    p = run(check_in_path, "--conditions", path, kind="conditions JSON file")
    example = '{"sentences": [1, 2], "shuffled": "shuf", "advp": {"start": 0, "stop": 25}}'
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"Invalid value for '--conditions': {str(p)!r} is not JSON ({exc}). E.g. {example}")
    except OSError as exc:
        fail(exc)
    if not isinstance(raw, dict) or not raw:
        fail(
            f"Invalid value for '--conditions': expected a JSON object name → codes, e.g. {example}."
        )
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if isinstance(v, dict):
            if set(v) != {"start", "stop"} or not all(isinstance(x, int) for x in v.values()):
                fail(
                    f"Invalid value for '--conditions': condition {k!r} is {v}; a range is written "
                    '{"start": FIRST_CODE, "stop": LAST_CODE_PLUS_1} with integers.'
                )
            v = range(v["start"], v["stop"])
        elif not isinstance(v, int | str | list) or isinstance(v, bool):
            fail(
                f"Invalid value for '--conditions': condition {k!r} is {v!r}; expected a code, a "
                f"description, a list of them, or a range. E.g. {example}"
            )
        out[k] = v
    return out


def emit(summary: dict[str, Any], as_json: bool) -> None:
    """Print a command's summary on stdout.

    Parameters
    ----------
    summary : dict
        What the command did (output paths, counts, fractions).
    as_json : bool
        One line of JSON (``--json``); otherwise one ``key: value`` line per entry.
    """
    if as_json:
        typer.echo(json.dumps(summary, default=str))
    else:
        for k, v in summary.items():
            typer.echo(f"{k}: {v}")


def print_version(value: bool) -> None:
    """The eager ``--version`` option: print ``hftp X.Y.Z`` and exit.

    Parameters
    ----------
    value : bool
        Whether ``--version`` was given; nothing happens otherwise.
    """
    if value:
        from hftp._version import __version__

        typer.echo(f"hftp {__version__}")
        raise typer.Exit()


def renamed_option(old: str, old_value: Any, new: str, new_value: Any, default: Any) -> Any:
    """The value of an option renamed in hftp 0.3, whichever of its two names was typed.

    The old name stays accepted (hidden from ``--help``) for one release, with a
    :class:`FutureWarning` naming the new one.

    Parameters
    ----------
    old, new : str
        The old and the new option name, e.g. ``"--unit-rate-hz"`` and ``"--sfreq"``.
    old_value : object
        The hidden old option's value; ``None`` when it was not given.
    new_value : object
        The new option's value.
    default : object
        The new option's default (a different value means that the new name was typed too).

    Returns
    -------
    object
        ``old_value`` when the old name was given, else ``new_value``. Giving both names exits
        with a usage error.
    """
    if old_value is None:
        return new_value
    if new_value != default:
        fail(
            f"Invalid value for {old!r}: {old} is the old name of {new}; got both. Pass only {new}."
        )
    from hftp._deprecate import warn_renamed

    warn_renamed(f"the option {old}", new, stacklevel=2)
    return old_value


def document_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command's docstring a numpydoc Parameters section built from its options' help.

    The help strings of the ``typer.Option`` defaults are the one place the options are
    described; the section is appended after a ``\\f`` line, where ``--help`` stops reading.

    Parameters
    ----------
    command : callable
        A command function whose parameters default to ``typer.Option`` or ``typer.Argument``.

    Returns
    -------
    callable
        ``command`` itself, its ``__doc__`` extended.
    """
    lines = ["", "\f", "Parameters", "----------"]
    for name, param in inspect.signature(command).parameters.items():
        info = param.default
        flags = [d for d in getattr(info, "param_decls", ()) or () if d.startswith("--")]
        text = getattr(info, "help", None) or "The old name of an option renamed in hftp 0.3."
        where = f"``{flags[0]}``: " if flags else "Argument: "
        lines += [f"{name} : {param.annotation}", f"    {where}{text}"]
    command.__doc__ = inspect.cleandoc(command.__doc__ or "") + "\n" + "\n".join(lines) + "\n"
    return command
