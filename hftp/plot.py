"""Figures: every function takes ``ax=`` (or ``axes=``) and returns the matplotlib Figure.

No function calls ``plt.show()``. All share one style (:data:`STYLE`) and a colour-blind-safe
palette (Okabe & Ito), so figures from the model and from the brain look alike. Save them with
:func:`save_figure`, which writes PNG and SVG atomically.

Model figures
    :func:`layer_profile`, :func:`tagged_spectra`, :func:`trained_vs_untrained`.
Alignment figures
    :func:`rdm_panels`, :func:`alignment`, :func:`glass_brain` (iEEG, nilearn),
    :func:`topomap` (scalp EEG, MNE).
Brain and model responses per condition
    :func:`itpc_spectra`, :func:`condition_response`.

Example
-------
>>> fig = hftp.plot.layer_profile(tagged, baseline=tagged_untrained)   # doctest: +SKIP
>>> hftp.plot.save_figure(fig, "figures/layer_profile")                 # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._plot_brain import condition_response, glass_brain, itpc_spectra, topomap
from ._plot_common import (
    CATEGORY_COLORS,
    LEVEL_COLORS,
    OKABE_ITO,
    STYLE,
    label_layers,
    level_color,
    measure_label,
    new_axes,
    require_vars,
    styled,
)
from ._validation import check_int, check_option, check_type

__all__ = [
    "STYLE",
    "OKABE_ITO",
    "CATEGORY_COLORS",
    "LEVEL_COLORS",
    "save_figure",
    "layer_profile",
    "tagged_spectra",
    "trained_vs_untrained",
    "rdm_panels",
    "alignment",
    "glass_brain",
    "topomap",
    "itpc_spectra",
    "condition_response",
]

logger = logging.getLogger("hftp")

_CATEGORIES = ("sentence", "phrase", "shared")
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

    from .io import atomic_path

    check_type("fig", fig, Figure, "a matplotlib Figure (what every hftp.plot function returns)")
    if isinstance(formats, str):
        formats = (formats,)
    if not formats:
        raise ValueError("Invalid value for 'formats': expected at least one format; got none.")
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
            raise ValueError(
                f"Invalid value for {name!r}: expected model tagging results with a 'layer' dim; "
                f"got 'category' with dims {cat.dims}. Per-layer profiles need a model."
            )
        df = cat.to_series().rename("category").reset_index()[["layer", "category"]]
        counts = df.groupby(["layer", "category"]).size().unstack(fill_value=0)
        return counts.div(counts.sum(axis=1), axis=0)
    if isinstance(obj, pd.DataFrame):
        missing = [c for c in ("layer", "category", "proportion") if c not in obj.columns]
        if missing:
            raise ValueError(
                f"Invalid value for {name!r}: the profile table lacks column(s) {missing}; got "
                f"columns {list(obj.columns)}. Pass hftp.layer_profile(tagged) or the tagging result."
            )
        return obj.pivot_table(
            index="layer", columns="category", values="proportion", aggfunc="sum"
        ).fillna(0.0)
    raise TypeError(
        f"Invalid type for {name!r}: expected a tagging result (xarray.Dataset from "
        f"hftp.find_tagged) or a profile (pandas.DataFrame from hftp.layer_profile); got "
        f"{type(obj).__name__}."
    )


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
def layer_profile(
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
    title : str, optional
    labels : tuple of (str, str), optional
        Legend names of the two models. Default ``("trained", "untrained (baseline)")``.

    Returns
    -------
    matplotlib.figure.Figure
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
def trained_vs_untrained(
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
    labels : tuple of str
        Legend names.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
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
# spectra of tagged units


def _unit_label(coords: Mapping[str, Any]) -> str:
    parts = []
    for k, v in coords.items():
        parts.append(f"{k} {v}" if k != "channel" else str(v))
    return " · ".join(parts)


def _rank_units(tagged, n: int):
    """Flat indices of the ``n`` most tagged units: most levels significant, then largest statistic."""
    require_vars(tagged, ("significant",), "tagged", "a tagging result from hftp.find_tagged")
    udims = [d for d in tagged["significant"].dims if d != "level"]
    sig = tagged["significant"].transpose(*udims, "level").values.reshape(-1, tagged.sizes["level"])
    if "statistic" in tagged:
        stat = tagged["statistic"].transpose(*udims, "level").values.reshape(sig.shape)
        stat = np.where(np.isfinite(stat), stat, -np.inf).max(axis=1)
    elif "q" in tagged:
        q = tagged["q"].transpose(*udims, "level").values.reshape(sig.shape)
        stat = -np.where(np.isfinite(q), q, np.inf).min(axis=1)
    else:
        stat = np.zeros(sig.shape[0])
    order = np.lexsort((-stat, -sig.sum(axis=1)))
    shape = [tagged.sizes[d] for d in udims]
    picks = []
    for flat in order[:n]:
        pos = np.unravel_index(flat, shape)
        picks.append({d: tagged[d].values[p] for d, p in zip(udims, pos, strict=True)})
    return udims, picks


@styled
def tagged_spectra(
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
    """Spectra of the most tagged units, with the tagged frequencies marked.

    Units are ranked by how many levels are significant, then by the largest statistic.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra (model or brain).
    tagged : xarray.Dataset
        The tagging result for the same units (``hftp.find_tagged``).
    condition : str
        The condition whose spectrum is drawn.
    n : int
        Number of units (panels). Default 6.
    measure : {"evoked", "itc", "amplitude", "power"}
        Default ``"evoked"``.
    axes : sequence of Axes, optional
        At least ``n`` axes; created in a grid of ``ncols`` columns when omitted.
    ncols : int
        Columns of the created grid. Default 3.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    import xarray as xr

    from .spectral import MEASURES, _check_spectra, tagged_hz

    _check_spectra(spectra)
    check_type("tagged", tagged, xr.Dataset, "a tagging result (xarray.Dataset) from find_tagged")
    conds = [str(c) for c in spectra["condition"].values]
    check_option("condition", condition, conds)
    check_option("measure", measure, MEASURES)
    n = check_int("n", n, min_value=1)
    ncols = check_int("ncols", ncols, min_value=1)
    udims, picks = _rank_units(tagged, n)
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
            raise ValueError(
                f"Invalid value for 'axes': expected at least n={n} axes; got {len(axes)}."
            )
        fig = axes[0].figure
    levels = tagged_hz(spectra)
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
        head = _unit_label(pick)
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
    fig.suptitle(title or f"Most tagged units: {condition}")
    return fig


# ---------------------------------------------------------------------------------------------
# RDMs


def _square_rdm(rdm, select, name: str):
    """(conditions, square matrix, unit dim, chosen label) from a condensed RDM DataArray."""
    import xarray as xr

    check_type(name, rdm, xr.DataArray, "an RDM DataArray from hftp.rdms")
    if "pair" not in rdm.dims or "cond_i" not in rdm.coords or "cond_j" not in rdm.coords:
        raise ValueError(
            f"Invalid value for {name!r}: expected an RDM with a 'pair' dim and 'cond_i', 'cond_j' "
            f"coords (from hftp.rdms); got dims {rdm.dims} and coords {sorted(rdm.coords)}."
        )
    others = [d for d in rdm.dims if d != "pair"]
    dim, label = None, None
    if others:
        dim = others[0]
        values = list(rdm[dim].values)
        if select is None:
            label = values[0]
        else:
            check_option(f"{dim} (for {name})", select, values)
            label = select
        rdm = rdm.sel({dim: label})
    ci = [str(c) for c in rdm["cond_i"].values]
    cj = [str(c) for c in rdm["cond_j"].values]
    conds = list(dict.fromkeys(ci + cj))
    idx = {c: k for k, c in enumerate(conds)}
    mat = np.zeros((len(conds), len(conds)))
    for a, b, v in zip(ci, cj, np.asarray(rdm.values, dtype=float), strict=True):
        mat[idx[a], idx[b]] = mat[idx[b], idx[a]] = v
    return conds, mat, dim, label


def _rdm_heatmap(ax, conds, mat, title, cbar_label) -> None:
    import matplotlib as mpl

    cmap = mpl.colormaps["viridis"].with_extremes(bad="0.92")
    shown = np.ma.masked_array(mat, mask=np.eye(len(conds), dtype=bool))
    im = ax.imshow(shown, cmap=cmap, vmin=0)
    ticks = np.arange(len(conds))
    ax.set_xticks(ticks, conds, rotation=45, ha="right")
    ax.set_yticks(ticks, conds)
    ax.set_title(title)
    ax.grid(False)
    if len(conds) <= 8:
        hi = np.nanmax(mat) if np.isfinite(mat).any() else 1.0
        for i in range(len(conds)):
            for j in range(len(conds)):
                if i != j:
                    ax.text(
                        j,
                        i,
                        f"{mat[i, j]:.2f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="black" if mat[i, j] > 0.6 * hi else "white",
                    )
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label=cbar_label)


@styled
def rdm_panels(
    model_rdm,
    brain_rdm,
    layer=None,
    channel_or_region=None,
    *,
    axes=None,
    model_label: str = "Model",
    brain_label: str = "Brain",
):
    """Square RDM heatmaps: one model layer beside one brain channel or region.

    Parameters
    ----------
    model_rdm, brain_rdm : xarray.DataArray
        Condensed RDMs from ``hftp.rdms``, dims ``(layer|channel|region, pair)`` with pair coords
        ``cond_i``, ``cond_j``. A single RDM (dims ``(pair,)``) is also accepted.
    layer : label, optional
        The model layer to show. Default: the first.
    channel_or_region : label, optional
        The brain channel or region to show. Default: the first.
    axes : pair of Axes, optional
    model_label, brain_label : str
        Panel title prefixes (e.g. ``brain_label="EEG (scalp)"`` or ``"simulated sEEG"``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    mc, mm, mdim, mlab = _square_rdm(model_rdm, layer, "model_rdm")
    bc, bm, bdim, blab = _square_rdm(brain_rdm, channel_or_region, "brain_rdm")
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.2), layout="constrained")
    else:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise ValueError(f"Invalid value for 'axes': expected 2 axes; got {len(axes)}.")
        fig = axes[0].figure
    for ax, conds, mat, dim, lab, prefix, rdm in (
        (axes[0], mc, mm, mdim, mlab, model_label, model_rdm),
        (axes[1], bc, bm, bdim, blab, brain_label, brain_rdm),
    ):
        head = prefix if dim is None else f"{prefix}: {dim} {lab}"
        metric = rdm.attrs.get("metric")
        _rdm_heatmap(ax, conds, mat, head, f"{metric} distance" if metric else "Dissimilarity")
    return fig


# ---------------------------------------------------------------------------------------------
# layer × region alignment


@styled
def alignment(
    result,
    *,
    by: str = "auto",
    alpha: float = 0.05,
    ax=None,
    title: str | None = None,
):
    """Layer × region similarity heatmap, channel correlations averaged per region.

    Significance marks (dots) come from the region-level test when the result carries it
    (``region_rho`` and ``region_q`` over ``(layer, regions)``: the permutation test of the mean
    over the region's channels, FDR over layer × region). Otherwise the channel ``rho`` is
    averaged per region and a dot marks a cell where at least one of the region's channels has
    ``q < alpha`` (FDR over layer × channel). Per channel (``by="channel"``), dots mark
    ``q < alpha``.

    Parameters
    ----------
    result : xarray.Dataset
        From ``hftp.align``: ``rho`` and ``q`` over ``(layer, channel)``, with a ``region`` coord
        on ``channel``; optionally ``region_rho``, ``region_q`` over ``(layer, regions)``.
    by : {"auto", "region", "channel"} or the name of another coord on ``channel``
        Columns of the heatmap. ``"auto"`` (default) uses regions when the channels carry more
        than one region; else electrode labels (``"label"``, mean over subjects) when several
        subjects share them, as in pooled scalp EEG; else channels.
    alpha : float
        Significance level on ``q``. Default 0.05.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import xarray as xr

    from ._validation import check_fraction_open

    check_type("result", result, xr.Dataset, "an alignment result (xarray.Dataset) from hftp.align")
    require_vars(result, ("rho",), "result", "an alignment result from hftp.align")
    coords_on_channel = [c for c in result["rho"].coords if result["rho"][c].dims == ("channel",)]
    check_option("by", by, ("auto", "channel", *coords_on_channel))
    alpha = check_fraction_open("alpha", alpha)
    rho = result["rho"]
    for d in ("layer", "channel"):
        if d not in rho.dims:
            raise ValueError(
                f"Invalid value for 'result': expected 'rho' over (layer, channel); got dims {rho.dims}."
            )
    q = result["q"] if "q" in result else None
    has_region = "region" in rho.coords and len(np.unique(rho["region"].values)) > 1
    if by == "region" and "region" not in rho.coords:
        raise ValueError(
            "Invalid value for 'by': 'region' needs a 'region' coord on 'channel'; the result has "
            "none. Use by='channel', or assign regions with hftp.assign_regions."
        )
    if by == "auto":
        # several subjects' channels share an electrode label (scalp EEG): average over subjects
        shared_labels = (
            "label" in rho.coords and len(np.unique(rho["label"].values)) < rho.sizes["channel"]
        )
        by = "region" if has_region else "label" if shared_labels else "channel"
    use_region = by == "region"
    rho = rho.transpose("layer", "channel")
    sig = (q.transpose("layer", "channel") < alpha) if q is not None else None
    mark = f"q < {alpha:g}"
    if use_region and "region_rho" in result and "regions" in result["region_rho"].dims:
        mat = result["region_rho"].transpose("layer", "regions")
        cols = _order_regions([str(r) for r in mat["regions"].values])
        mat = mat.sel(regions=cols)
        if "region_q" in result:
            sig = (result["region_q"].transpose("layer", "regions") < alpha).sel(regions=cols)
            mark += " (region)"
        xlabel = "Region"
    elif use_region:
        mat = rho.groupby("region").mean("channel")
        cols = _order_regions([str(r) for r in mat["region"].values])
        mat = mat.sel(region=cols)
        if sig is not None:
            sig = sig.groupby("region").any("channel").sel(region=cols)
            mark += " (any channel)"
        xlabel = "Region"
    elif by != "channel":
        mat = rho.groupby(by).mean("channel")
        cols = [str(c) for c in mat[by].values]
        if sig is not None:
            sig = sig.groupby(by).any("channel")
            mark += " (any channel)"
        xlabel = {"label": "Electrode"}.get(by, by.capitalize())
    else:
        mat = rho
        cols = [str(c) for c in rho["channel"].values]
        xlabel = "Channel"
    layers = mat["layer"].values
    values = np.asarray(mat.values, dtype=float)
    fig, ax = new_axes(ax, (max(5.0, 0.36 * len(cols) + 2.5), max(3.5, 0.22 * len(layers) + 1.8)))
    lim = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1.0
    im = ax.imshow(values, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto", origin="lower")
    ax.grid(False)
    ax.set_xticks(np.arange(len(cols)), cols, rotation=60, ha="right", rotation_mode="anchor")
    label_layers(ax, layers, np.arange(len(layers)), axis="y")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Layer")
    if sig is not None:
        yy, xx = np.nonzero(np.asarray(sig.values, dtype=bool))
        ax.scatter(xx, yy, s=10, c="black", marker="o", linewidths=0, label=mark)
        ax.legend(
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            frameon=False,
            handletextpad=0.2,
            borderaxespad=0.2,
        )
    name = {"kendall": "Kendall τ-a"}.get(str(result.attrs.get("comparison", "")), "Spearman ρ")
    agg = " (mean over channels)" if by != "channel" else ""
    fig.colorbar(im, ax=ax, shrink=0.6, aspect=30, label=f"{name}{agg}")
    if title:
        ax.set_title(title, loc="left")
    return fig


def _order_regions(regions: list[str]) -> list[str]:
    """Left hemisphere first, then right, then anything else; alphabetical within each."""

    def key(r: str):
        side = 0 if r.endswith("_L") else 1 if r.endswith("_R") else 2
        return (side, r == "other", r)

    return sorted(regions, key=key)
