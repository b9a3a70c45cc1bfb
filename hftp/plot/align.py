"""Alignment figures: RDM heatmaps of a layer and a brain channel or region, and the layer ×
region (or electrode, or channel) similarity heatmap of an :func:`hftp.align` result.

:func:`plot_rdm_panels` draws two square RDMs side by side; :func:`plot_alignment` draws the
comparison of every layer with every region, the cells that pass the result's correction marked.
"""

from __future__ import annotations

import logging

import numpy as np

from hftp._validation import InvalidValueError, check_option, check_type
from hftp.plot.style import (
    label_layers,
    new_axes,
    require_vars,
    styled,
)

__all__ = ["plot_rdm_panels", "plot_alignment"]

logger = logging.getLogger("hftp")


# ---------------------------------------------------------------------------------------------
# RDMs


def _square_rdm(rdm, select, name: str):
    """(conditions, square matrix, group dim, chosen label) from a condensed RDM DataArray."""
    import xarray as xr

    check_type(name, rdm, xr.DataArray, "an RDM DataArray from hftp.rdms")
    if "pair" not in rdm.dims or "cond_i" not in rdm.coords or "cond_j" not in rdm.coords:
        raise InvalidValueError(
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
def plot_rdm_panels(
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
        Model, brain; a new figure otherwise.
    model_label, brain_label : str
        Panel title prefixes (e.g. ``brain_label="EEG (scalp)"`` or ``"simulated sEEG"``).
        Defaults ``"Model"`` and ``"Brain"``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two square heatmaps (conditions × conditions, the diagonal masked), each with its colour
        bar; the values are written in the cells when there are at most 8 conditions.
    """
    import matplotlib.pyplot as plt

    mc, mm, mdim, mlab = _square_rdm(model_rdm, layer, "model_rdm")
    bc, bm, bdim, blab = _square_rdm(brain_rdm, channel_or_region, "brain_rdm")
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.2), layout="constrained")
    else:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise InvalidValueError(f"Invalid value for 'axes': expected 2 axes; got {len(axes)}.")
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
def plot_alignment(
    result,
    *,
    by: str = "auto",
    alpha: float = 0.05,
    ax=None,
    title: str | None = None,
):
    """Layer × region similarity heatmap, channel correlations averaged per region.

    Significance marks (dots) follow the result's correction: the maxT family-wise p
    (``p_fwe``, ``region_p_fwe``) by default, BH ``q`` for results made with ``correction="bh"``
    (or older results). They come from the region-level test when the result carries it (the
    permutation test of the mean over the region's channels, corrected over layer × region).
    Otherwise the channel ``rho`` is averaged per region and a dot marks a cell where at least
    one of the region's channels is below ``alpha`` (corrected over layer × channel). Per channel
    (``by="channel"``), dots mark the channel's own corrected p.

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
        Significance level on the corrected p (``p_fwe`` or ``q``). Default 0.05.
    ax : matplotlib Axes, optional
        Draw into these axes; a new figure otherwise.
    title : str, optional
        Axes title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One heatmap, layers × columns (regions left hemisphere first), a diverging colour map
        symmetric around 0, black dots on the significant cells.
    """
    import xarray as xr

    from hftp._validation import check_fraction_open

    check_type("result", result, xr.Dataset, "an alignment result (xarray.Dataset) from hftp.align")
    require_vars(result, ("rho",), "result", "an alignment result from hftp.align")
    coords_on_channel = [c for c in result["rho"].coords if result["rho"][c].dims == ("channel",)]
    check_option("by", by, ("auto", "channel", *coords_on_channel))
    alpha = check_fraction_open("alpha", alpha)
    rho = result["rho"]
    for d in ("layer", "channel"):
        if d not in rho.dims:
            raise InvalidValueError(
                f"Invalid value for 'result': expected 'rho' over (layer, channel); got dims {rho.dims}."
            )
    # significance by the result's own correction (maxT family-wise p by default; BH q by name)
    fwe = "significant" in result and str(result.attrs.get("correction", "bh")) == "maxT"
    q = result["p_fwe"] if fwe and "p_fwe" in result else result["q"] if "q" in result else None
    stat = "p_FWE" if fwe else "q"
    has_region = "region" in rho.coords and len(np.unique(rho["region"].values)) > 1
    if by == "region" and "region" not in rho.coords:
        raise InvalidValueError(
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
    mark = f"{stat} < {alpha:g}"
    if use_region and "region_rho" in result and "regions" in result["region_rho"].dims:
        mat = result["region_rho"].transpose("layer", "regions")
        cols = _order_regions([str(r) for r in mat["regions"].values])
        mat = mat.sel(regions=cols)
        region_stat = "region_p_fwe" if fwe and "region_p_fwe" in result else "region_q"
        if region_stat in result:
            sig = (result[region_stat].transpose("layer", "regions") < alpha).sel(regions=cols)
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
        # above the marker's legend row, so that a long title never runs into it
        ax.set_title(title, loc="left", pad=20 if sig is not None else 6)
    return fig


def _order_regions(regions: list[str]) -> list[str]:
    """Left hemisphere first, then right, then anything else; alphabetical within each."""

    def key(r: str):
        side = 0 if r.endswith("_L") else 1 if r.endswith("_R") else 2
        return (side, r == "other", r)

    return sorted(regions, key=key)
