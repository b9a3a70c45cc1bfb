"""How the ``hftp`` command reports failures (one clear line, never a traceback) and writes its
outputs (checked before any work, all or none).

Exit codes follow the shell convention (and click's): **2** for a usage error (a bad option value,
a missing or already existing file, a wrong type), **1** for a failure while doing the work (a
damaged or unreadable file, a missing optional package, a malformed condition file, not enough
memory). ``HFTP_DEBUG=1`` re-raises instead, to see the traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import typer

from hftp._validation import HftpError, InvalidTypeError, InvalidValueError, MissingPackageError

__all__ = [
    "USAGE",
    "FAILURE",
    "fail",
    "message_for",
    "run",
    "run_app",
    "check_outputs",
    "check_io",
    "show_warnings_plainly",
    "write_all",
]

#: Exit code of a usage error (a bad option value, a missing or existing file, a wrong type).
USAGE = 2
#: Exit code of a failure while doing the work (a damaged file, a missing package, memory).
FAILURE = 1


def _os_message(exc: OSError) -> str:
    from hftp._paths import os_error_message

    named = os_error_message(exc, "read or write")
    if named:  # a full disk, a read-only file system, a size limit: said as such
        return named
    where = f" {str(exc.filename)!r}" if exc.filename else ""
    if isinstance(exc, FileNotFoundError):
        return f"file not found:{where}. Check the path."
    if isinstance(exc, FileExistsError):
        return (
            f"a file is in the way:{where} exists where hftp needs a folder. Choose another path."
        )
    if isinstance(exc, PermissionError):
        return f"permission denied on{where}. Check the file's permissions."
    what = " ".join((exc.strerror or str(exc)).split())
    return (
        f"could not read or write{where} ({type(exc).__name__}: {what}). The file may be damaged, "
        "truncated or not in the expected format: check that it is the file you meant (an hftp "
        "result or a supported recording), and copy it again if it was cut short."
    )


def _missing_package(exc: ImportError) -> str:
    """One line naming the missing package and the pip command that installs it."""
    import re

    from hftp._validation import install_command

    if isinstance(exc, MissingPackageError):
        return " ".join(str(exc).split())
    name = exc.name
    if not name:
        m = re.search(r"No module named '([^']+)'", str(exc))
        name = m.group(1) if m else None
    if not name:
        return f"a package could not be imported ({' '.join(str(exc).split())})."
    top = name.split(".")[0]
    return f"the optional package {top!r} is not installed: {install_command(top)}"


def message_for(exc: BaseException) -> tuple[str, int]:
    """The one-line message and exit code for an expected failure.

    Parameters
    ----------
    exc : BaseException
        What a command raised.

    Returns
    -------
    message : str
        One line that says what went wrong and how to fix it.
    code : int
        :data:`USAGE` (2) for hftp's own value and type errors, :data:`FAILURE` (1) otherwise.

    Raises
    ------
    BaseException
        ``exc`` itself when it is not an expected failure (a bug is not disguised).
    """
    if isinstance(exc, InvalidValueError | InvalidTypeError):
        return str(exc), USAGE
    if isinstance(exc, MissingPackageError):
        return _missing_package(exc), FAILURE
    if isinstance(exc, HftpError):
        return str(exc), FAILURE
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc}). Check the file's syntax.", FAILURE
    if isinstance(exc, OSError):
        return _os_message(exc), FAILURE
    if isinstance(exc, KeyError):
        key = exc.args[0] if exc.args else "?"
        return (
            f"a required entry {key!r} is missing from an input file. Check that the file was "
            "written by hftp (or follows the format in the command's --help).",
            FAILURE,
        )
    if isinstance(exc, ImportError):
        return _missing_package(exc), FAILURE
    if isinstance(exc, MemoryError):
        return "out of memory. Use smaller sizes (fewer sequences, layers or a smaller batch).", 1
    if isinstance(exc, ValueError | TypeError | IndexError):
        return f"{type(exc).__name__}: {exc}", FAILURE
    raise exc


def _cli_words(msg: str) -> str:
    """Name the command's options as typed: ``'fmt'`` → ``'--format'``, ``overwrite=True`` →
    ``--overwrite``, so that every option a message names exists on the command line."""
    try:  # typer >= 0.17 carries its own copy of click
        from typer._click.globals import get_current_context
    except ImportError:  # pragma: no cover - older typer on click
        from click import get_current_context

    import re

    ctx = get_current_context(silent=True)
    if ctx is None:
        return msg
    # values are not options: a condition named 'control' stays 'control' in "allowed ...;",
    # "got '...'" and "Did you mean '...'?", even in a command that has --control
    kept: list[str] = []

    def keep(m: re.Match) -> str:
        kept.append(m.group(0))
        return f"\0{len(kept) - 1}\0"

    msg = re.sub(r"allowed [^;]*;|got '[^']*'|Did you mean '[^']*'\?", keep, msg)
    for p in ctx.command.params:
        opts = [o for o in getattr(p, "opts", []) if o.startswith("--")]
        if p.name and opts:
            msg = msg.replace(f"'{p.name}'", f"'{opts[0]}'")
    msg = re.sub(r"\0(\d+)\0", lambda m: kept[int(m.group(1))], msg)
    if any(getattr(p, "name", None) == "overwrite" for p in ctx.command.params):
        msg = msg.replace("overwrite=True (--overwrite)", "--overwrite")
        msg = msg.replace("Pass overwrite=True", "Pass --overwrite")
    return msg


def fail(exc: BaseException | str, code: int | None = None) -> NoReturn:
    """Print ``Error: <message>`` on stderr and exit with the usage or failure code.

    Parameters
    ----------
    exc : BaseException or str
        The failure, or a message (a usage error unless ``code`` says otherwise).
    code : int, optional
        The exit code; default from :func:`message_for` (2 for a message).

    Returns
    -------
    NoReturn
        It never returns.

    Raises
    ------
    typer.Exit
        Always. Parameter names in the message are replaced by the options as typed.
    """
    if isinstance(exc, str):
        msg, default = exc, USAGE
    else:
        msg, default = message_for(exc)
    typer.echo(f"Error: {_cli_words(msg)}", err=True)
    raise typer.Exit(code=default if code is None else code)


def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; turn every expected failure into one line and an exit code.

    Parameters
    ----------
    fn : callable
        The work.
    *args, **kwargs
        Passed to ``fn``.

    Returns
    -------
    object
        What ``fn`` returns. With ``HFTP_DEBUG=1`` failures are raised as they are.
    """
    try:
        return fn(*args, **kwargs)
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        if os.environ.get("HFTP_DEBUG"):
            raise
        fail(exc)


def check_outputs(outputs: dict[str, Path | None], overwrite: bool) -> None:
    """Check every output path of a command before any work (folder exists; not there yet).

    Parameters
    ----------
    outputs : dict of str to Path or None
        Option name (for the message) → the path it names; ``None`` entries are skipped.
    overwrite : bool
        Whether existing files may be replaced (``--overwrite``).
    """
    from hftp._validation import check_out_path

    for flag, path in outputs.items():
        if path is not None:
            run(check_out_path, flag, path, overwrite=overwrite)


def check_io(
    inputs: dict[str, Any], outputs: dict[str, Any], *, folders: tuple[str, ...] = ()
) -> None:
    """Refuse, before any work, a command whose outputs would replace one of its inputs.

    Every path is resolved (symlinks included): an output may not be an input, an output folder
    may not hold an input, and two outputs may not be one file
    (:func:`hftp._paths.check_no_overlap`).

    Parameters
    ----------
    inputs : dict
        Option name → path or list of paths (None skipped).
    outputs : dict
        Option name → path (None skipped).
    folders : tuple of str
        The output options that name a folder.
    """
    from hftp._paths import check_no_overlap

    run(check_no_overlap, inputs, outputs, folders=folders)


def write_all(writers: list[tuple[Path, Callable[[], Any]]]) -> list[Any]:
    """Run each output's writer in turn; when one fails, remove the outputs already written.

    A command writes all of its outputs or none (each writer is itself atomic).

    Parameters
    ----------
    writers : list of (Path, callable)
        Each output's path and the function (no arguments) that writes it.

    Returns
    -------
    list
        What each writer returned, in order.
    """
    from hftp._paths import remove_owned

    done: list[Path] = []
    results = []
    try:
        for path, write in writers:
            results.append(write())
            done.append(Path(path))
    except BaseException:
        for p in done:
            if p.is_dir() and not p.is_symlink():
                remove_owned(p)  # only what hftp wrote there (its manifest)
            else:
                p.unlink(missing_ok=True)
        raise
    return results


def run_app(app: typer.Typer) -> None:
    """Run the typer ``app``; the last net for a failure outside any :func:`run` (no traceback).

    Parameters
    ----------
    app : typer.Typer
        The ``hftp`` app. An unexpected exception prints one line asking for a report and exits
        with code 1 (``HFTP_DEBUG=1`` shows the traceback instead).
    """
    import sys

    show_warnings_plainly()
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("HFTP_DEBUG"):
            raise
        try:  # a failure a user can cause (a disk, a package, a file) is said as such
            msg, code = message_for(exc)
        except Exception:  # noqa: BLE001 - a bug: say so, with how to see it
            msg, code = (
                f"unexpected {type(exc).__name__}: {' '.join(str(exc).split())}. Run again "
                "with HFTP_DEBUG=1 to see the traceback, and please report it.",
                FAILURE,
            )
        typer.echo(f"Error: {msg}", err=True)
        sys.exit(code)


def _one_line(message, category, filename, lineno, file=None, line=None) -> None:
    """``warnings.showwarning`` for the command line: ``Warning: <message>``, one line."""
    import sys

    text = " ".join(str(message).split())
    if category is not UserWarning:
        text = f"{text} ({category.__name__})"
    try:
        (file or sys.stderr).write(f"Warning: {text}\n")
    except (OSError, ValueError):  # a closed stderr: warnings are not worth a crash
        pass


def show_warnings_plainly() -> None:
    """Print every warning as one plain line ``Warning: <message>`` (no Python source line).

    Each warning is shown once per command (Python's default filter), whichever module raised
    it; ``HFTP_DEBUG=1`` keeps Python's own format with the file and line.
    """
    import warnings

    if not os.environ.get("HFTP_DEBUG"):
        warnings.showwarning = _one_line
