"""The style, palettes and helpers that the figures of :mod:`hftp.plot` share, and
:func:`save_figure`.

:data:`STYLE` (matplotlib rc settings) and the Okabe–Ito palette are applied by :func:`styled`;
the helpers create or check axes, label layers, colour conditions and levels, check a result's
variables, take grand averages over subjects, and write figures atomically.
"""

from __future__ import annotations

import functools
import logging
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_int,
    check_option,
    check_type,
)

logger = logging.getLogger("hftp")

__all__ = [
    "OKABE_ITO",
    "CATEGORY_COLORS",
    "LEVEL_COLORS",
    "STYLE",
    "styled",
    "new_axes",
    "label_layers",
    "condition_colors",
    "level_color",
    "measure_label",
    "require_vars",
    "grand_average",
    "save_figure",
]

#: The Okabe & Ito colour-blind-safe palette (blue, orange, bluish green, reddish purple,
#: sky blue, vermillion, yellow, black), ordered so that the first colours contrast most.
OKABE_ITO = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#F0E442",
)

CATEGORY_COLORS = {
    "sentence": "#0072B2",
    "phrase": "#E69F00",
    "shared": "#009E73",
    "none": "#BBBBBB",
}

LEVEL_COLORS = {
    "sentence": "#0072B2",
    "phrase": "#E69F00",
    "unit": "#555555",
    "word": "#555555",
    "syllable": "#555555",
}

#: matplotlib rc settings applied while a figure is built.
STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "grid.linewidth": 0.5,
    "svg.fonttype": "none",
    "savefig.dpi": 200,
    "image.cmap": "viridis",
}


def styled(func: Callable) -> Callable:
    """Decorator: build the figure under :data:`STYLE` and the Okabe–Ito colour cycle.

    Parameters
    ----------
    func : callable
        A figure function.

    Returns
    -------
    wrapped : callable
        ``func`` run inside ``matplotlib.rc_context``.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import matplotlib as mpl
        from cycler import cycler

        with mpl.rc_context({**STYLE, "axes.prop_cycle": cycler(color=OKABE_ITO)}):
            return func(*args, **kwargs)

    return wrapper


def new_axes(ax, figsize: tuple[float, float]):
    """The figure and axes to draw into: a new figure when ``ax`` is None, else ``ax``'s.

    Parameters
    ----------
    ax : matplotlib Axes or None
        The caller's ``ax=``.
    figsize : (float, float)
        Size in inches of a new figure (constrained layout).

    Returns
    -------
    fig : matplotlib.figure.Figure
    ax : matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    if not isinstance(ax, Axes):
        raise InvalidTypeError(
            f"Invalid type for 'ax': expected a matplotlib Axes or None; got {type(ax).__name__}."
        )
    return ax.figure, ax


def label_layers(ax, labels: Sequence[Any], positions: Sequence[float], axis: str = "x") -> None:
    """Tick every layer, but label at most ~15 of them so that 30+ layers stay readable.

    Parameters
    ----------
    ax : matplotlib Axes
        The axes to label.
    labels : sequence
        The layer labels, shape (n_layers,).
    positions : sequence of float
        Their positions on the axis, shape (n_layers,).
    axis : {"x", "y"}
        The axis. Default ``"x"``.
    """
    labels = list(labels)
    positions = np.asarray(positions, dtype=float)
    step = max(1, math.ceil(len(labels) / 15))
    set_ticks = ax.set_xticks if axis == "x" else ax.set_yticks
    set_ticks(positions[::step], [str(v) for v in labels[::step]])
    set_ticks(positions, minor=True)


def condition_colors(conditions: Sequence[str]) -> dict[str, str]:
    """One palette colour per condition, in order (cycled past eight).

    Parameters
    ----------
    conditions : sequence of str
        The conditions.

    Returns
    -------
    colors : dict of str to str
        Condition → hex colour.
    """
    return {c: OKABE_ITO[k % len(OKABE_ITO)] for k, c in enumerate(conditions)}


def level_color(level: str) -> str:
    """Colour of a tagged level's marker (sentence blue, phrase orange, unit grey).

    Parameters
    ----------
    level : str
        A level name (``"sentence"``, ``"phrase"``, ``"unit"``, ...).

    Returns
    -------
    color : str
        A hex colour; vermillion for a level without its own.
    """
    return LEVEL_COLORS.get(str(level), "#D55E00")


_MEASURE_LABELS = {
    "evoked": "Evoked amplitude (a.u.)",
    "evoked_amplitude": "Evoked amplitude (a.u.)",
    "itc": "ITPC",
    "amplitude": "Mean amplitude (a.u.)",
    "mean_amplitude": "Mean amplitude (a.u.)",
    "power": "Power (a.u.²)",
}


def measure_label(name: str) -> str:
    """Axis label with units for a measure name.

    Parameters
    ----------
    name : str
        A measure (``"evoked"``, ``"itc"``, ``"amplitude"``, ``"power"``, ...).

    Returns
    -------
    label : str
        E.g. ``"Evoked amplitude (a.u.)"``; an unknown name is returned as given.
    """
    return _MEASURE_LABELS.get(str(name), str(name))


def require_vars(ds, names: Sequence[str], param: str, what: str) -> None:
    """Raise an :class:`InvalidValueError` naming the variables of ``names`` that ``ds`` lacks.

    Parameters
    ----------
    ds : xarray.Dataset
        The argument to check.
    names : sequence of str
        Variables (or coords) it must have.
    param : str
        The argument's name, for the message.
    what : str
        What was expected, for the message (e.g. ``"an alignment result from hftp.align"``).
    """
    have = set(getattr(ds, "data_vars", {})) | set(getattr(ds, "coords", {}))
    missing = [n for n in names if n not in have]
    if missing:
        raise InvalidValueError(
            f"Invalid value for {param!r}: expected {what} with variable(s) {list(names)}; "
            f"missing {missing} (it has {sorted(map(str, getattr(ds, 'data_vars', {})))})."
        )


def grand_average(da):
    """Average over channels within subject, then over subjects (NaN-aware).

    Parameters
    ----------
    da : xarray.DataArray, dims (condition, ..., [freq])
        With a ``subject`` dim, or a ``subject`` coord on ``channel``; otherwise every dim but
        ``condition`` and ``freq`` is averaged at once.

    Returns
    -------
    mean : DataArray, dims (condition, [freq])
        The grand average.
    sem : DataArray or None
        ±1 standard error across subjects (None with fewer than two subjects).
    n_subjects : int
        Subjects averaged (1 without subjects).
    per_subject : DataArray or None, dims (condition, [freq], subject)
        The per-subject averages (None without subjects).
    """
    keep = {"condition", "freq", "subject"}
    if "subject" not in da.dims and "channel" in da.dims and "subject" in da.coords:
        da = da.groupby("subject").mean("channel", skipna=True)
    if "subject" in da.dims:
        per = da.mean([d for d in da.dims if d not in keep], skipna=True)
        n = per.count("subject")
        mean = per.mean("subject", skipna=True)
        n_subj = int(per.sizes["subject"])
        sem = None
        if n_subj > 1:
            sem = per.std("subject", ddof=1, skipna=True) / np.sqrt(n.where(n > 1))
        return mean, sem, n_subj, per
    mean = da.mean([d for d in da.dims if d not in keep], skipna=True)
    return mean, None, 1, None


_FORMATS = ("png", "svg", "pdf")


# ---------------------------------------------------------------------------------------------
# saving


def save_figure(
    fig, path: str | os.PathLike, formats: Sequence[str] = ("png", "svg"), *, dpi: int = 200
) -> list[Path]:
    """Save ``fig`` once per format, each file written atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (what every ``hftp.plot.plot_*`` function returns).
    path : path-like
        Destination without or with a suffix; the suffix is replaced by each format's
        (``figures/alignment`` → ``figures/alignment.png`` and ``figures/alignment.svg``).
    formats : sequence of {"png", "svg", "pdf"}
        Default ``("png", "svg")``.
    dpi : int
        Resolution of raster formats. Default 200.

    Returns
    -------
    paths : list of Path
        The files written, in the order of ``formats``.
    """
    from matplotlib.figure import Figure

    from hftp.io import atomic_path

    check_type("fig", fig, Figure, "a matplotlib Figure (what every hftp.plot function returns)")
    if isinstance(formats, str):
        formats = (formats,)
    if not formats:
        raise InvalidValueError(
            "Invalid value for 'formats': expected at least one format; got none."
        )
    for f in formats:
        check_option("formats", f, _FORMATS)
    dpi = check_int("dpi", dpi, min_value=10)
    base = Path(path)
    if base.suffix.lower().lstrip(".") in _FORMATS:
        base = base.with_suffix("")
    out = []
    for fmt in formats:
        dest = base.with_name(f"{base.name}.{fmt}")
        with atomic_path(dest, name="path") as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight", facecolor="white")
        out.append(dest)
    return out
