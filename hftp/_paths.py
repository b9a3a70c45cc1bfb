"""The paths hftp builds, reads and replaces, kept safe: one idea, that nothing is lost.

- **One path component from user data** (:func:`check_component`): a sweep's model or language, a
  condition name, a file name found inside a recording. ``..``, ``.``, an empty name, a path
  separator or a NUL byte are refused with a message, never turned into a folder.
- **Confinement** (:func:`confine`): a path built from user data stays inside its output root once
  resolved (symlinks included).
- **No input is ever an output** (:func:`check_no_overlap`): the inputs and outputs of a command,
  resolved, never coincide, and no output folder holds an input; no two outputs coincide.
- **hftp deletes only what hftp wrote** (:data:`MANIFEST`, :func:`write_manifest`,
  :func:`foreign_files`, :func:`check_replaceable`, :func:`remove_owned`): every folder hftp
  publishes carries a manifest of the files it wrote there; replacing the folder
  (``--overwrite``) is refused while it holds anything else, and the message names a file found.
- **OS errors named** (:func:`os_error_message`): a full disk, a read-only file system, a quota or
  a file-size limit is said as such, with what to do.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hftp._validation import HftpError, InvalidTypeError, InvalidValueError

__all__ = [
    "MANIFEST",
    "DiskError",
    "named_os_error",
    "check_component",
    "check_no_overlap",
    "check_replaceable",
    "confine",
    "foreign_files",
    "os_error_message",
    "read_manifest",
    "remove_owned",
    "resolve",
    "write_manifest",
]

#: The file that lists, in every folder hftp publishes, the files hftp wrote there.
MANIFEST = ".hftp-manifest.json"

_UNSAFE_COMPONENTS = ("", ".", "..")


def check_component(name: str, value: Any, *, fix: str = "Use a plain name.") -> str:
    """Check that ``value`` is safe as one path component (a file or folder name).

    Parameters
    ----------
    name : str
        The parameter, as the user wrote it (e.g. ``"spec.matrix.language"``).
    value : object
        The value; it is used as ``str(value)``.
    fix : str
        Advice appended to the message.

    Returns
    -------
    str
        ``str(value)``, unchanged.

    Raises
    ------
    InvalidValueError
        For ``""``, ``"."``, ``".."``, a name with ``/``, ``\\`` or a NUL byte, or one of only
        spaces.
    """
    text = str(value)
    bad = None
    if text.strip() in _UNSAFE_COMPONENTS:
        bad = "is not a usable name" if text.strip() else "is empty"
    elif any(sep in text for sep in ("/", "\\", "\0")):
        bad = "holds a path separator"
    if bad:
        raise InvalidValueError(
            f"Invalid value for {name!r}: expected a name usable as one file or folder name "
            f"(not '', '.', '..', nor one with '/' or '\\'); got {text!r}, which {bad}. {fix}"
        )
    return text


def resolve(path: str | os.PathLike) -> Path:
    """``path`` made absolute with every symlink followed (the path need not exist).

    Parameters
    ----------
    path : path-like
        Any path; ``~`` is expanded.

    Returns
    -------
    Path
        The resolved path.
    """
    return Path(path).expanduser().resolve(strict=False)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def confine(root: str | os.PathLike, path: str | os.PathLike, *, name: str) -> Path:
    """Check that ``path`` lies inside ``root`` once both are resolved (symlinks followed).

    Parameters
    ----------
    root : path-like
        The output root.
    path : path-like
        A path built from user data under ``root`` (relative paths are taken under ``root``).
    name : str
        The parameter the user data came from, named in the message.

    Returns
    -------
    Path
        ``path``, resolved.

    Raises
    ------
    InvalidValueError
        When ``path`` resolves outside ``root`` (``..``, an absolute name, a symlink out).
    """
    r = resolve(root)
    p = Path(path)
    full = resolve(p if p.is_absolute() else r / p)
    if not _inside(full, r):
        raise InvalidValueError(
            f"Invalid value for {name!r}: the path {str(path)!r} built from it resolves to "
            f"{str(full)!r}, outside the output folder {str(r)!r}. Use plain names (no '..', "
            "no absolute paths, no symlinks that lead out)."
        )
    return full


def check_no_overlap(
    inputs: Mapping[str, Any], outputs: Mapping[str, Any], *, folders: Iterable[str] = ()
) -> None:
    """Refuse a command whose outputs would overwrite one of its inputs, before any work.

    Every path is resolved (symlinks and ``..`` included). An output may not be an input, nor
    replace a file inside an input folder; an output folder (``folders``, or an existing folder)
    may not hold an input; and two outputs may not be the same path.

    Parameters
    ----------
    inputs : dict
        Option name → path, or a list of paths (None entries are skipped).
    outputs : dict
        Option name → path (None entries are skipped).
    folders : iterable of str
        The output options that name a folder that the command replaces or fills.

    Raises
    ------
    InvalidValueError
        Naming both options, the path and the fix.
    """
    folders = set(folders)

    def flat(d: Mapping[str, Any]) -> list[tuple[str, Path]]:
        out = []
        for k, v in d.items():
            if v is None:
                continue
            vals = v if isinstance(v, list | tuple | set) else [v]
            out += [(k, resolve(x)) for x in vals if x is not None]
        return out

    ins, outs = flat(inputs), flat(outputs)
    for oname, o in outs:
        is_folder = oname in folders or o.is_dir()
        for iname, i in ins:
            if o == i:
                raise InvalidValueError(
                    f"Invalid value for {oname!r}: it names the input given to {iname!r} "
                    f"({str(i)!r}); writing it would destroy the input. Choose another output path."
                )
            if i.is_dir() and _inside(o, i) and (o.exists() or o.is_symlink()):
                raise InvalidValueError(
                    f"Invalid value for {oname!r}: {str(o)!r} is a file of the input folder given "
                    f"to {iname!r} ({str(i)!r}); writing it would change the input. Choose an "
                    "output path outside it, or a new name."
                )
            if is_folder and _inside(i, o):
                raise InvalidValueError(
                    f"Invalid value for {oname!r}: the output folder {str(o)!r} holds the input "
                    f"{str(i)!r} (given to {iname!r}). Choose an output folder that holds no input."
                )
    seen: dict[Path, str] = {}
    for oname, o in outs:
        if o in seen:
            raise InvalidValueError(
                f"Invalid value for {oname!r}: it names the same file as {seen[o]!r} "
                f"({str(o)!r}); one output would replace the other. Give each output its own path."
            )
        seen[o] = oname


# ------------------------------------------------------------------------------------ ownership


def _files(folder: Path) -> list[str]:
    """Every file (and symlink) under ``folder``, as sorted posix paths relative to it."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        d = Path(dirpath)
        # a symlink to a folder is an entry of its own, never followed
        names = filenames + [n for n in dirnames if (d / n).is_symlink()]
        out += [(d / n).relative_to(folder).as_posix() for n in names]
    return sorted(x for x in out if x != MANIFEST)


def read_manifest(folder: str | os.PathLike) -> set[str] | None:
    """The files hftp's manifest says it wrote in ``folder``; None without a (readable) manifest.

    Parameters
    ----------
    folder : path-like
        A folder.

    Returns
    -------
    set of str or None
        Posix paths relative to ``folder``.
    """
    f = Path(folder) / MANIFEST
    try:
        rec = json.loads(f.read_text(encoding="utf-8"))
        return {str(x) for x in rec["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_manifest(folder: str | os.PathLike, *, writer: str, exclude: Iterable[str] = ()) -> Path:
    """Record in ``folder`` that hftp wrote the files it holds (all but ``exclude``).

    Parameters
    ----------
    folder : path-like
        A folder hftp has just written.
    writer : str
        What wrote it (e.g. ``"hftp demo"``), recorded.
    exclude : iterable of str
        Files (posix paths relative to ``folder``) hftp did not write: they stay foreign.

    Returns
    -------
    Path
        The manifest file.
    """
    folder = Path(folder)
    skip = set(exclude)
    rec = {"writer": writer, "files": [f for f in _files(folder) if f not in skip]}
    path = folder / MANIFEST
    path.write_text(json.dumps(rec, indent=1) + "\n", encoding="utf-8")
    return path


def foreign_files(folder: str | os.PathLike) -> list[str]:
    """The files in ``folder`` that hftp's manifest does not list (all of them without one).

    Parameters
    ----------
    folder : path-like
        A folder (a missing one holds nothing).

    Returns
    -------
    list of str
        Posix paths relative to ``folder``, sorted.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    owned = read_manifest(folder) or set()
    return [f for f in _files(folder) if f not in owned]


def check_replaceable(folder: str | os.PathLike, *, name: str) -> None:
    """Refuse to replace ``folder`` unless it is missing, empty or holds only what hftp wrote.

    Parameters
    ----------
    folder : path-like
        The folder ``--overwrite`` would replace.
    name : str
        The option or parameter naming it.

    Raises
    ------
    InvalidValueError
        Naming a file hftp did not write (and how many there are).
    """
    p = Path(folder)
    if p.is_symlink() or (p.exists() and not p.is_dir()):
        raise InvalidValueError(
            f"Invalid value for {name!r}: {str(p)!r} is a "
            f"{'symlink' if p.is_symlink() else 'file'}, not a folder hftp wrote; hftp will not "
            "replace it. Choose another path, or remove it yourself."
        )
    alien = foreign_files(p)
    if alien:
        more = f" (and {len(alien) - 1} more)" if len(alien) > 1 else ""
        raise InvalidValueError(
            f"Invalid value for {name!r}: {str(p)!r} holds files hftp did not write, e.g. "
            f"{alien[0]!r}{more}; hftp replaces only its own outputs, even with --overwrite "
            "(overwrite=True). Choose another folder, or move those files away."
        )


def remove_owned(folder: str | os.PathLike) -> None:
    """Delete the files hftp's manifest lists in ``folder``, then its emptied sub-folders.

    Files hftp did not write are left alone; a sub-folder (or ``folder`` itself) is removed
    only when it ends up empty.

    Parameters
    ----------
    folder : path-like
        A folder hftp wrote.
    """
    folder = Path(folder)
    owned = read_manifest(folder) or set()
    for rel in sorted(owned):
        p = folder / rel
        if _inside(resolve(p.parent), resolve(folder)) and (p.is_file() or p.is_symlink()):
            p.unlink(missing_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)
    for dirpath, _, _ in sorted(os.walk(folder), key=lambda t: -len(t[0])):
        d = Path(dirpath)
        if not d.is_symlink():
            try:
                d.rmdir()  # the deepest first, ``folder`` last
            except OSError:
                pass  # not empty: it holds files hftp did not write


# ------------------------------------------------------------------------------------ OS errors

_OS_REASONS = {
    errno.ENOSPC: (
        "the disk is full (no space left on device)",
        "Free some space, or write to another disk.",
    ),
    errno.EDQUOT: (
        "the disk quota is exceeded",
        "Free some space within your quota, or write to another disk.",
    ),
    errno.EROFS: (
        "the file system is read-only",
        "Write to a writable folder.",
    ),
    errno.EACCES: (
        "permission was denied",
        "Check the permissions of the file and its folder, or write elsewhere.",
    ),
    errno.EPERM: (
        "the operation is not permitted",
        "Check the permissions of the file and its folder, or write elsewhere.",
    ),
    errno.EFBIG: (
        "the file is larger than allowed (a file-size limit: `ulimit -f`, or the file system's "
        "maximum file size)",
        "Raise the limit (`ulimit -f unlimited`), write to another file system, or write less "
        "(fewer sequences or layers).",
    ),
    errno.ENAMETOOLONG: ("the file name is too long", "Use a shorter name or path."),
    errno.EISDIR: ("a folder is in the way of a file", "Choose another path."),
    errno.ENOTDIR: ("a file is in the way of a folder", "Choose another path."),
}


def _errno(exc: BaseException) -> int:
    """The errno of an OS error, or the one HDF5 quotes in its message (``errno = 28``)."""
    code = getattr(exc, "errno", None)
    if isinstance(code, int):
        return code
    m = re.search(r"errno = (\d+)", str(exc))
    return int(m.group(1)) if m else -1


def os_error_message(exc: BaseException, action: str = "write") -> str | None:
    """One line naming an OS error by its cause (disk full, read-only, size limit, ...).

    Parameters
    ----------
    exc : OSError or RuntimeError
        The error (HDF5 reports OS errors as a RuntimeError quoting the errno).
    action : str
        What hftp was doing (``"write"``, ``"read"``), for the message.

    Returns
    -------
    str or None
        The message, or None for an error without a cause this table knows.
    """
    reason = _OS_REASONS.get(_errno(exc))
    if reason is None:
        return None
    where = getattr(exc, "filename", None) or getattr(exc, "filename2", None)
    at = f" {str(where)!r}" if where else ""
    return f"could not {action}{at}: {reason[0]}. {reason[1]}"


class DiskError(HftpError, OSError):
    """An OS error on hftp's files, said as its cause (disk full, read-only, size limit).

    Its ``errno`` is the original's; ``str()`` is the one-line message alone.
    """

    def __str__(self) -> str:
        return str(self.strerror)


def named_os_error(
    exc: BaseException, action: str = "write", path: str | os.PathLike | None = None
) -> BaseException:
    """``exc`` as a :class:`DiskError` with :func:`os_error_message`'s line, when it has one.

    Parameters
    ----------
    exc : BaseException
        The error (an OSError, or HDF5's RuntimeError quoting an errno).
    action : str
        What hftp was doing.
    path : path-like, optional
        The file hftp was writing, named when the error does not say.

    Returns
    -------
    BaseException
        A :class:`DiskError` (also an ``OSError`` with the same ``errno``), or ``exc`` itself.
    """
    if not isinstance(exc, BaseException):
        raise InvalidTypeError(f"Invalid type for 'exc': expected an exception; got {exc!r}.")
    if isinstance(exc, DiskError):
        return exc
    filename = getattr(exc, "filename", None) or (str(path) if path is not None else None)
    probe = OSError(_errno(exc), str(exc), filename)
    msg = os_error_message(probe, action)
    if msg is None:
        return exc
    err = DiskError(_errno(exc), msg)
    err.filename = filename
    return err
