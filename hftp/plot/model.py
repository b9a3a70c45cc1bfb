"""Model figures: per-layer tagging profiles, spectra of the most tagged channels, SNR curves.

:func:`plot_layer_profile` stacks the share of neurons tagged sentence, phrase or shared per
layer (the untrained baseline beside it); :func:`plot_trained_vs_untrained` draws the two as
lines; :func:`plot_tagged_spectra` shows the spectra of the most tagged channels with the tagged
frequencies marked (model neurons or brain channels); :func:`plot_snr_curve` draws the share of
neurons significant above an SNR floor.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_int,
    check_option,
    check_type,
)
from hftp.plot.style import (
    CATEGORY_COLORS,
    OKABE_ITO,
    label_layers,
    level_color,
    measure_label,
    new_axes,
    require_vars,
    styled,
)

__all__ = [
    "plot_layer_profile",
    "plot_trained_vs_untrained",
    "plot_tagged_spectra",
    "plot_snr_curve",
]

logger = logging.getLogger("hftp")


_CATEGORIES = ("sentence", "phrase", "shared")


# ---------------------------------------------------------------------------------------------
# per-layer category profiles


def _profile_table(obj, name: str):
    """Return a DataFrame, index layer, columns categories, values proportion (0–1)."""
    import pandas as pd
    import xarray as xr

    if isinstance(obj, xr.Dataset):
        require_vars(obj, ("category",), name, "a tagging result from hftp.find_tagged")
        cat = obj["category"]
        if "layer" not in cat.dims:
            raise InvalidValueError(
                f"Invalid value for {name!r}: expected model tagging results with a 'layer' dim; "
                f"got 'category' with dims {cat.dims}. Per-layer profiles need a model."
            )
        df = cat.to_series().rename("category").reset_index()[["layer", "category"]]
        counts = df.groupby(["layer", "category"]).size().unstack(fill_value=0)
        return counts.div(counts.sum(axis=1), axis=0)
    if isinstance(obj, pd.DataFrame):
        missing = [c for c in ("layer", "category", "proportion") if c not in obj.columns]
        if missing:
            raise InvalidValueError(
                f"Invalid value for {name!r}: the profile table lacks column(s) {missing}; got "
                f"columns {list(obj.columns)}. Pass hftp.layer_profile(tagged) or the tagging result."
            )
        return obj.pivot_table(
            index="layer", columns="category", values="proportion", aggfunc="sum"
        ).fillna(0.0)
    raise InvalidTypeError(
        f"Invalid type for {name!r}: expected a tagging result (xarray.Dataset from "
        f"hftp.find_tagged) or a profile (pandas.DataFrame from hftp.layer_profile); got "
        f"{type(obj).__name__}."
    )


def _overlay_columns(obj) -> dict[str, Any]:
    """Per-layer % of neurons (any category) replicated / residual / untrained, when present."""
    import pandas as pd
    import xarray as xr

    out = {}
    if isinstance(obj, xr.Dataset) and "replicated" in obj and "layer" in obj.dims:
        rep = obj["replicated"].any("level")
        out["replicated"] = rep.mean([d for d in rep.dims if d != "layer"]).to_series()
    elif isinstance(obj, pd.DataFrame):
        tagged = obj[obj["category"] != "none"]
        for c in ("replicated", "residual"):
            if c in obj.columns:
                out[c] = tagged.groupby("layer")[c].sum()
    return out


_OVERLAY_STYLE = {
    "replicated": dict(marker="D", color="black", ls="-", label="replicated (split halves)"),
    "residual": dict(marker="v", color="0.45", ls=":", label="after the lexical baseline"),
}


def _stack_bars(ax, table, x, width, *, hatch=None, alpha=1.0) -> None:
    bottom = np.zeros(len(x))
    for c in _CATEGORIES:
        vals = 100 * (table[c].to_numpy() if c in table.columns else np.zeros(len(x)))
        ax.bar(
            x,
            vals,
            width,
            bottom=bottom,
            color=CATEGORY_COLORS[c],
            alpha=alpha,
            hatch=hatch,
            edgecolor=CATEGORY_COLORS[c] if hatch else "white",
            linewidth=0.6 if hatch else 0.3,
        )
        bottom += vals


@styled
def plot_layer_profile(
    tagged_or_profile, baseline=None, *, ax=None, title: str | None = None, labels=None
):
    """Stacked per-layer bars: the percentage of neurons tagged sentence, phrase or shared.

    Parameters
    ----------
    tagged_or_profile : xarray.Dataset or pandas.DataFrame
        A tagging result (``hftp.find_tagged``, with ``category`` over ``(layer, neuron)``) or its
        profile (``hftp.layer_profile``: columns layer, category, count, proportion).
    baseline : same types, optional
        The lexical-regularity baseline (the untrained model). Drawn as hatched, paler bars to the
        right of each layer's bar.
    ax : matplotlib Axes, optional
        Draw into these axes; a new figure otherwise.
    title : str, optional
        Axes title.
    labels : tuple of (str, str), optional
        Legend names of the two models. Default ``("trained", "untrained (baseline)")``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes: x the layers, y the % of the layer's neurons, one stacked bar per layer
        (sentence, phrase, shared). Neurons that replicate (a result with ``replicated``, from
        ``probe(..., split=True)``, or a profile with a ``replicated`` column) are a black line
        of diamonds over the bars (% of the layer, any category); a profile's ``residual``
        column (after the lexical baseline) a grey dotted line.
    """
    from matplotlib.patches import Patch

    table = _profile_table(tagged_or_profile, "tagged_or_profile")
    base = None if baseline is None else _profile_table(baseline, "baseline")
    layers = table.index.union(base.index) if base is not None else table.index
    table = table.reindex(layers, fill_value=0.0)
    width = 0.28 * len(layers) * (1.6 if base is not None else 1) + 3
    fig, ax = new_axes(ax, (min(max(6.0, width), 13.0), 3.6))
    x = np.arange(len(layers))
    if base is None:
        _stack_bars(ax, table, x, 0.8)
    else:
        _stack_bars(ax, table, x - 0.2, 0.4)
        _stack_bars(
            ax, base.reindex(layers, fill_value=0.0), x + 0.2, 0.4, hatch="////", alpha=0.35
        )
    label_layers(ax, layers.to_numpy(), x)
    ax.set_xlabel("Layer")
    ax.set_ylabel("Neurons tagged (% of layer)")
    ax.set_xlim(-0.7, len(layers) - 0.3)
    handles = [Patch(color=CATEGORY_COLORS[c], label=c) for c in _CATEGORIES]
    xo = x - 0.2 if base is not None else x
    for name, ser in _overlay_columns(tagged_or_profile).items():
        vals = 100 * ser.reindex(layers, fill_value=0.0).to_numpy()
        (line,) = ax.plot(xo, vals, ms=4, lw=1.2, **_OVERLAY_STYLE[name])
        handles.append(line)
    if base is not None:
        names = labels or ("trained", "untrained (baseline)")
        handles += [
            Patch(facecolor="0.4", edgecolor="white", label=names[0]),
            Patch(facecolor=(0.4, 0.4, 0.4, 0.35), edgecolor="0.4", hatch="////", label=names[1]),
        ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    if title:
        ax.set_title(title)
    return fig


@styled
def plot_trained_vs_untrained(
    profile_trained,
    profile_untrained,
    *,
    category: str | None = None,
    ax=None,
    labels: tuple[str, str] = ("trained", "untrained (baseline)"),
    title: str | None = None,
):
    """Per layer, the percentage of neurons tagged by the trained and the untrained model.

    Parameters
    ----------
    profile_trained, profile_untrained : xarray.Dataset or pandas.DataFrame
        Tagging results or their ``hftp.layer_profile`` tables.
    category : {"sentence", "phrase", "shared"}, optional
        One category only. Default: any of the three (every neuron not ``"none"``).
    ax : matplotlib Axes, optional
        Draw into these axes; a new figure otherwise.
    labels : tuple of str
        Legend names. Default ``("trained", "untrained (baseline)")``.
    title : str, optional
        Axes title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes: one line per model, x the layers, y the % of neurons tagged.
    """
    if category is not None:
        check_option("category", category, _CATEGORIES)
    cats = [category] if category else list(_CATEGORIES)
    fig, ax = new_axes(ax, (6.4, 3.4))
    styles = [("-", "o", OKABE_ITO[0]), ("--", "s", OKABE_ITO[5])]
    all_layers = []
    for obj, name, label, (ls, mk, col) in zip(
        (profile_trained, profile_untrained),
        ("profile_trained", "profile_untrained"),
        labels,
        styles,
        strict=True,
    ):
        t = _profile_table(obj, name)
        vals = 100 * t.reindex(columns=cats, fill_value=0.0).sum(axis=1)
        ax.plot(t.index.to_numpy(), vals.to_numpy(), ls=ls, marker=mk, color=col, label=label, ms=4)
        all_layers.extend(t.index.tolist())
    layers = np.unique(all_layers)
    label_layers(ax, layers, layers)
    ax.set_xlabel("Layer")
    what = category if category else "any category"
    ax.set_ylabel(f"Neurons tagged, {what} (%)")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    return fig


# ---------------------------------------------------------------------------------------------
# spectra of tagged channels


def _channel_label(coords: Mapping[str, Any]) -> str:
    parts = []
    for k, v in coords.items():
        parts.append(f"{k} {v}" if k != "channel" else str(v))
    return " · ".join(parts)


def _rank_channels(tagged, n: int):
    """The ``n`` most tagged channels: most levels significant, then the largest statistic."""
    require_vars(tagged, ("significant",), "tagged", "a tagging result from hftp.find_tagged")
    cdims = [d for d in tagged["significant"].dims if d != "level"]
    sig = tagged["significant"].transpose(*cdims, "level").values.reshape(-1, tagged.sizes["level"])
    if "statistic" in tagged:
        stat = tagged["statistic"].transpose(*cdims, "level").values.reshape(sig.shape)
        stat = np.where(np.isfinite(stat), stat, -np.inf).max(axis=1)
    elif "q" in tagged:
        q = tagged["q"].transpose(*cdims, "level").values.reshape(sig.shape)
        stat = -np.where(np.isfinite(q), q, np.inf).min(axis=1)
    else:
        stat = np.zeros(sig.shape[0])
    order = np.lexsort((-stat, -sig.sum(axis=1)))
    shape = [tagged.sizes[d] for d in cdims]
    picks = []
    for flat in order[:n]:
        pos = np.unravel_index(flat, shape)
        picks.append({d: tagged[d].values[p] for d, p in zip(cdims, pos, strict=True)})
    return cdims, picks


@styled
def plot_tagged_spectra(
    spectra,
    tagged,
    condition: str,
    n: int = 6,
    measure: str = "evoked",
    *,
    axes=None,
    ncols: int = 3,
    title: str | None = None,
):
    """Spectra of the most tagged channels, with the tagged frequencies marked.

    Channels (model neurons or brain channels) are ranked by how many levels are significant,
    then by the largest statistic.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra (model or brain).
    tagged : xarray.Dataset
        The tagging result for the same channels (``hftp.find_tagged``).
    condition : str
        The condition whose spectrum is drawn.
    n : int
        Number of channels (panels). Default 6.
    measure : {"evoked", "itc", "amplitude", "power"}
        Default ``"evoked"``.
    axes : sequence of Axes, optional
        At least ``n`` axes; created in a grid of ``ncols`` columns when omitted.
    ncols : int
        Columns of the created grid. Default 3.
    title : str, optional
        Figure title. Default ``"Most tagged channels: <condition>"``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One panel per channel (titled by its coordinates and category), x the frequency in Hz,
        y the measure; dashed vertical lines at the tagged frequencies.
    """
    import matplotlib.pyplot as plt
    import xarray as xr

    from hftp.spectral.accessor import check_spectra
    from hftp.spectral.measures import MEASURES

    check_spectra(spectra)
    check_type("tagged", tagged, xr.Dataset, "a tagging result (xarray.Dataset) from find_tagged")
    conds = [str(c) for c in spectra["condition"].values]
    check_option("condition", condition, conds)
    check_option("measure", measure, MEASURES)
    n = check_int("n", n, min_value=1)
    ncols = check_int("ncols", ncols, min_value=1)
    cdims, picks = _rank_channels(tagged, n)
    n = len(picks)
    if axes is None:
        nc = min(ncols, n)
        nr = math.ceil(n / nc)
        fig, grid = plt.subplots(
            nr, nc, figsize=(3.1 * nc, 2.4 * nr), squeeze=False, layout="constrained"
        )
        axes = list(grid.ravel())
        for a in axes[n:]:
            a.set_visible(False)
    else:
        axes = list(np.ravel(axes))
        if len(axes) < n:
            raise InvalidValueError(
                f"Invalid value for 'axes': expected at least n={n} axes; got {len(axes)}."
            )
        fig = axes[0].figure
    levels = spectra.hftp.tagged_hz
    sub = spectra.sel(condition=[condition])
    cat = tagged["category"] if "category" in tagged else None
    for a, pick in zip(axes, picks, strict=False):
        one = sub.sel(pick)
        m = MEASURES[measure](one).squeeze("condition", drop=True)
        f = m["freq"].values
        a.plot(f, m.values, color="0.15", lw=1.0)
        for lvl, hz in levels.items():
            if f[0] <= hz <= f[-1]:
                a.axvline(hz, color=level_color(lvl), ls="--", lw=1.0, alpha=0.9, zorder=0)
        head = _channel_label(pick)
        if cat is not None:
            head += f" ({cat.sel(pick).item()})"
        a.set_title(head, fontsize=9)
        pad = 0.5 * (f[1] - f[0]) if f.size > 1 else 0.0
        a.set_xlim(f[0] - pad, f[-1] + pad)
        a.set_ylim(bottom=0)
    for a in axes[:n]:
        a.set_xlabel("Frequency (Hz)")
        a.set_ylabel(measure_label(measure))
        if not a.get_subplotspec() or not a.get_subplotspec().is_first_col():
            a.set_ylabel("")
    handles = [
        plt.Line2D([], [], color=level_color(lvl), ls="--", label=f"{lvl} ({hz:g} Hz)")
        for lvl, hz in levels.items()
    ]
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    fig.suptitle(title or f"Most tagged channels: {condition}")
    return fig


@styled
def plot_snr_curve(curve, *, level: str = "any", ax=None, title: str | None = None):
    """The percentage of neurons significant above an SNR floor, one line per layer.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`hftp.tagging.snr_curve` (columns ``<group>, level, min_snr, proportion``).
    level : str
        Which level's curve (``"any"``: a neuron counts when any of its levels passes).
    ax : matplotlib Axes, optional
        Draw into these axes; a new figure otherwise.
    title : str, optional
        Axes title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes: one line per group (layer), x the SNR floor (log 2 scale), y the % of neurons
        significant.
    """
    import pandas as pd
    from matplotlib import colormaps

    check_type("curve", curve, pd.DataFrame, "the DataFrame of hftp.tagging.snr_curve")
    group = curve.attrs.get("group", curve.columns[0])
    missing = [c for c in (group, "level", "min_snr", "proportion") if c not in curve.columns]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'curve': it lacks column(s) {missing}. Pass hftp.tagging.snr_curve(tagged)."
        )
    check_option("level", level, sorted(set(curve["level"])))
    d = curve[curve["level"] == level]
    groups = list(pd.unique(d[group]))
    fig, ax = new_axes(ax, (6.4, 3.6))
    cmap = colormaps["viridis"]
    for i, g in enumerate(groups):
        sub = d[d[group] == g].sort_values("min_snr")
        col = cmap(i / max(len(groups) - 1, 1))
        ax.plot(
            sub["min_snr"],
            100 * sub["proportion"],
            marker="o",
            ms=3,
            color=col,
            label=f"{group} {g}",
        )
    ax.set_xscale("log", base=2)
    ax.set_xlabel("SNR floor (evoked amplitude / neighbors)")
    ax.set_ylabel("Neurons significant (% of layer)")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=7, ncol=1 + len(groups) // 8, loc="upper right")
    if title:
        ax.set_title(title)
    return fig
