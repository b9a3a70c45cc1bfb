"""Deprecated names: aliases that keep a renamed public name working for one release.

Each old name warns once per process with a :class:`FutureWarning` that names its replacement
(``FutureWarning`` rather than ``DeprecationWarning``, so that users see it in notebooks and scripts,
as MNE and scikit-learn do for end-user facing renames).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
import warnings
from collections.abc import Callable
from typing import Any

__all__ = [
    "deprecated_alias",
    "module_getattr",
    "renamed_kwarg",
    "user_stacklevel",
    "warn_renamed",
]

_PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside hftp.

    Decorators (such as :func:`renamed_kwarg`) add frames between a user's call and the function
    that warns, so a fixed ``stacklevel`` would point at hftp's own code. Call this from the
    function that calls :func:`warnings.warn` (as pandas' ``find_stack_level`` does).

    Returns
    -------
    stacklevel : int
        The number of hftp frames on the stack, this function's own included.
    """
    frame = inspect.currentframe()
    n = 0
    while frame is not None and frame.f_code.co_filename.startswith(_PKG_DIR):
        frame = frame.f_back
        n += 1
    return n


_WARNED: set[str] = set()


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn once per process that ``old`` is now ``new``.

    Parameters
    ----------
    old : str
        The deprecated spelling, as users wrote it (e.g. ``"hftp.plot.layer_profile"``).
    new : str
        Its replacement.
    stacklevel : int
        Passed to :func:`warnings.warn`; the default points at the caller's caller.
    """
    if old in _WARNED:
        return
    _WARNED.add(old)
    warnings.warn(
        f"{old} was renamed to {new} in hftp 0.3; the old name will be removed in 0.4. "
        f"Use {new} instead.",
        FutureWarning,
        stacklevel=stacklevel,
    )


def deprecated_alias(func: Callable, old: str, new: str) -> Callable:
    """A callable that warns once (``old`` → ``new``) and then calls ``func``.

    Parameters
    ----------
    func : callable
        The function under its new name.
    old, new : str
        Fully qualified old and new names, for the message.

    Returns
    -------
    alias : callable
        ``func`` wrapped; its docstring says it is deprecated.
    """

    @functools.wraps(func)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warn_renamed(old, new)
        return func(*args, **kwargs)

    alias.__doc__ = f"Deprecated alias of :func:`{new}` (removed in hftp 0.4)."
    alias.__name__ = old.rsplit(".", 1)[-1]
    alias.__qualname__ = alias.__name__
    return alias


def renamed_kwarg(**renames: str) -> Callable[[Callable], Callable]:
    """Decorator: accept old keyword names, warn once, and pass them on under the new name.

    Parameters
    ----------
    **renames : str
        ``old_keyword="new_keyword"`` pairs.

    Returns
    -------
    decorator : callable
        Giving both the old and the new keyword is a :class:`TypeError`.
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(
                            f"{func.__name__}() got both {old!r} (deprecated) and {new!r}; "
                            f"pass only {new!r}."
                        )
                    warn_renamed(
                        f"{func.__qualname__}({old}=...)", f"{func.__qualname__}({new}=...)"
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def module_getattr(module: str, renamed: dict[str, tuple[str, str]]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` that serves deprecated names.

    Parameters
    ----------
    module : str
        The module's ``__name__`` (the old names are ``f"{module}.{old}"``).
    renamed : dict of str to (str, str)
        ``old_name -> (module path of the new object, new name)``.

    Returns
    -------
    __getattr__ : callable
        Raises :class:`AttributeError` for any other name, as Python expects.
    """

    def __getattr__(name: str) -> Any:  # noqa: N807 (module protocol)
        if name not in renamed:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        where, new = renamed[name]
        warn_renamed(f"{module}.{name}", f"{where}.{new}")
        return getattr(importlib.import_module(where), new)

    return __getattr__
