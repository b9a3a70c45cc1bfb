"""Brain maps: one value per channel on a glass brain (iEEG, nilearn) or a scalp topomap (EEG, MNE).

:func:`plot_glass_brain` draws channel values (e.g. an alignment's rho at one layer) at their
MNI coordinates; :func:`plot_topomap` draws one value per 10–20 channel, or a brain tagging
result reduced per label (:mod:`hftp.plot.tagging_scalp`). nilearn and mne are imported inside
the functions, so ``import hftp.plot`` stays light.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from hftp._validation import (
    InvalidValueError,
    check_fraction_open,
    check_option,
)
from hftp.plot.style import (
    STYLE,
    new_axes,
)
from hftp.plot.tagging_scalp import is_tagging_result, tagging_by_label

__all__ = ["plot_glass_brain", "plot_topomap"]

logger = logging.getLogger("hftp")

# MNE >= 1.13 renames the standard 10-20/10-05 montages (Colin27 head); the positions are the same.
_MONTAGE_ALIASES = {"standard_1020": "colin27_1020", "standard_1005": "colin27_1005"}


def _pick_layer(result, layer):
    """rho (and q) at one layer of an alignment result; ``"best"`` = highest mean rho."""
    rho = result["rho"]
    if "layer" not in rho.dims:
        return rho, result.get("q"), None
    layers = list(rho["layer"].values)
    if layer == "best":
        mean = rho.mean([d for d in rho.dims if d != "layer"], skipna=True).values
        if not np.isfinite(mean).any():
            raise InvalidValueError(
                "Invalid value for 'values': every 'rho' is NaN; nothing to draw."
            )
        layer = layers[int(np.nanargmax(mean))]
    else:
        check_option("layer", layer, layers)
    q = result["q"].sel(layer=layer) if "q" in result else None
    return rho.sel(layer=layer), q, layer


def _channel_values(values, coords, layer, what: str):
    """(values 1-D, q or None, xyz (n, 3), names, chosen layer) from the accepted inputs."""
    import pandas as pd
    import xarray as xr

    q = None
    chosen = None
    if isinstance(values, xr.Dataset):
        if "rho" not in values:
            raise InvalidValueError(
                f"Invalid value for 'values': expected an alignment result with variable 'rho' "
                f"(from hftp.align); missing 'rho' (it has {sorted(map(str, values.data_vars))})."
            )
        values, q, chosen = _pick_layer(values, layer)
    if isinstance(values, xr.DataArray):
        if "channel" not in values.dims or values.ndim != 1:
            raise InvalidValueError(
                f"Invalid value for 'values': expected one value per channel (dims ('channel',)); "
                f"got dims {values.dims}. Select a layer first, e.g. result.rho.sel(layer=5)."
            )
        names = [str(c) for c in values["channel"].values]
        if coords is None and what == "coords":
            missing = [c for c in ("x", "y", "z") if c not in values.coords]
            if missing:
                raise InvalidValueError(
                    f"Invalid value for 'coords': the channels carry no MNI coords {missing}; pass "
                    "coords= as an (n_channels, 3) array or a DataFrame with columns x, y, z."
                )
            coords = np.column_stack([values[c].values for c in ("x", "y", "z")])
        vals = np.asarray(values.values, dtype=float)
    else:
        vals = np.asarray(values, dtype=float).ravel()
        names = [str(k) for k in range(vals.size)]
    if what != "coords":
        return vals, q, None, names, chosen
    if coords is None:
        raise InvalidValueError(
            "Invalid value for 'coords': expected MNI coordinates, (n_channels, 3) in mm; got None. "
            "Pass coords=, or pass a result whose channels carry x, y, z coords."
        )
    if isinstance(coords, pd.DataFrame):
        coords = coords[["x", "y", "z"]].to_numpy()
    xyz = np.asarray(coords, dtype=float)
    if xyz.shape != (vals.size, 3):
        raise InvalidValueError(
            f"Invalid value for 'coords': expected shape ({vals.size}, 3) (one MNI x, y, z per "
            f"channel); got {xyz.shape}."
        )
    return vals, q, xyz, names, chosen


def plot_glass_brain(
    values,
    coords=None,
    *,
    layer: Any = "best",
    alpha: float = 0.05,
    cmap: str = "RdBu_r",
    vmax: float | None = None,
    display_mode: str = "lzry",
    title: str | None = None,
    label: str = "Spearman ρ",
    figure=None,
):
    """Electrode-level values on a glass brain from MNI coordinates (nilearn).

    Parameters
    ----------
    values : xarray.Dataset, xarray.DataArray or array-like
        An alignment result (``hftp.align``: ``rho`` over ``(layer, channel)``, optional ``q``),
        one value per channel (DataArray over ``channel``), or a plain array.
    coords : array-like (n_channels, 3) or DataFrame with x, y, z, optional
        MNI coordinates in mm. Default: the ``x, y, z`` coords on ``channel``.
    layer : label or "best"
        Layer of an alignment result. ``"best"`` (default): the highest mean rho over channels.
    alpha : float
        Channels with ``q < alpha`` are drawn larger. Default 0.05.
    cmap : str
        Diverging colour map, symmetric around 0. Default ``"RdBu_r"``.
    vmax : float, optional
        Colour limit. Default: the largest absolute value.
    display_mode : str
        nilearn display mode. Default ``"lzry"`` (left, top, front, right).
    title : str, optional
        Default: the label and layer.
    label : str
        What the values are (used in the default title). Default ``"Spearman ρ"``.
    figure : matplotlib Figure, optional
        Draw into this figure; a new one otherwise.

    Returns
    -------
    fig : matplotlib.figure.Figure
        nilearn's marker display, one view per letter of ``display_mode``: a marker per
        channel coloured by its value (significant channels larger) and a colour bar.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from nilearn import plotting

    alpha = check_fraction_open("alpha", alpha)
    vals, q, xyz, names, chosen = _channel_values(values, coords, layer, "coords")
    ok = np.isfinite(vals) & np.isfinite(xyz).all(axis=1)
    if not ok.all():
        bad = [n for n, good in zip(names, ok, strict=True) if not good]
        warnings.warn(
            f"plot_glass_brain: {len(bad)} channel(s) without a finite value or MNI coordinate are not "
            f"drawn: {bad[:10]}{' ...' if len(bad) > 10 else ''}. Check their coordinates.",
            UserWarning,
            stacklevel=2,
        )
    if not ok.any():
        raise InvalidValueError(
            "Invalid value for 'values': no channel has a finite value and position."
        )
    sig = np.zeros(vals.size, bool) if q is None else (np.asarray(q.values, dtype=float) < alpha)
    lim = float(vmax) if vmax is not None else float(np.nanmax(np.abs(vals[ok]))) or 1.0
    sizes = np.where(sig, 60.0, 22.0)[ok]
    if title is None:
        title = label if chosen is None else f"{label}, layer {chosen}"
        if q is not None:
            title += f" (large: q < {alpha:g})"
    with mpl.rc_context({**STYLE, "axes.grid": False}):
        fig = figure if figure is not None else plt.figure(figsize=(10.0, 3.0))
        display = plotting.plot_markers(
            vals[ok],
            xyz[ok],
            node_size=sizes,
            node_cmap=cmap,
            node_vmin=-lim,
            node_vmax=lim,
            display_mode=display_mode,
            figure=fig,
            title=None,
            alpha=0.9,
            colorbar=True,
            annotate=True,
        )
        fig = display.frame_axes.figure
        fig.suptitle(title, fontsize=10, y=1.0)
    return fig


def plot_topomap(
    values,
    ch_names: Sequence[str] | None = None,
    *,
    ax=None,
    title: str | None = "EEG (scalp)",
    label: str | None = None,
    cmap: str | None = None,
    vlim: tuple[float, float] | None = None,
    mask=None,
    montage: str = "standard_1020",
    level: str | None = None,
    variable: str = "snr",
):
    """Scalp topography of one value per EEG channel (MNE), on a standard 10–20 montage.

    Draws either plain values (e.g. alignment rho per channel) or a tagging result.

    Parameters
    ----------
    values : xarray.Dataset, xarray.DataArray over ``channel``, or array-like (n_channels,)
        E.g. ``result.rho.sel(layer=k)``, a phrase-rate ITPC per channel, or a
        :func:`hftp.find_tagged` result on brain spectra (dims ``(channel, level)``). A tagging
        result is drawn at ``level``, coloured by ``variable``, with the significant channels
        marked. Pooled participants (:func:`hftp.concat_subjects`: channels ``"P1/Fz"`` with a
        ``label`` coord ``"Fz"``) are reduced per 10–20 label: the colour is the mean of
        ``variable`` over the participants tested at that label (those with a finite p-value,
        e.g. with trials in the condition), and a label is marked when it is significant in at
        least one participant. Each mark rests on discoveries of the one FDR family over all
        participants × channels; a label's mark is not a group-level test (with many
        participants, "any of them" is easier to reach than each test), so a note under the
        map gives the largest count (e.g. "Cz: 3 of 20"). ``variable="significant"`` colours the
        fraction of participants significant at each label instead, for a group-level reading.
    ch_names : sequence of str, optional
        Channel names (standard 10–20). Default: the ``channel`` coord of ``values`` (or the
        labels of a tagging result).
    ax : matplotlib Axes, optional
        Draw into these axes; a new figure otherwise.
    title : str or None
        Default ``"EEG (scalp)"``.
    label : str, optional
        Colour-bar label (what the values are, with units). Default ``"Spearman ρ"``, or for a
        tagging result what ``variable`` is (e.g. ``"amplitude SNR at 1.5625 Hz (phrase), mean
        of 20"``).
    cmap : str, optional
        Default ``"RdBu_r"`` (symmetric limits) when values have both signs, else ``"viridis"``.
    vlim : (float, float), optional
        Colour limits. Default symmetric around 0 for signed values, else the data range
        (``(0, 1)`` for a fraction).
    mask : array-like of bool (n_channels,), optional
        Channels to mark (e.g. ``q < 0.05``). Default for a tagging result: the significant
        labels (in order of the result's labels).
    montage : str
        An MNE standard montage name. Default ``"standard_1020"``.
    level : str, optional
        (tagging result) The level to draw, e.g. ``"phrase"``. Default: the only level.
    variable : str
        (tagging result) The variable to colour: ``"snr"`` (default), ``"itc"``,
        ``"amplitude"``, ... or ``"significant"`` (fraction of participants significant).

    Returns
    -------
    fig : matplotlib.figure.Figure
        One head: the interpolated values with the sensors, the masked channels as white
        circles, a colour bar (and, for a tagging result, a note on what the marks mean).
    """
    import matplotlib as mpl
    import mne

    scalp = None
    source = "ch_names"
    if is_tagging_result(values):
        scalp = tagging_by_label(values, level, variable)
        vals, names, source = scalp.values, scalp.names, "values"
        if mask is None:
            mask = scalp.n_significant > 0
        if label is None:
            label = scalp.colour_label
        if vlim is None and variable == "significant":
            vlim = (0.0, 1.0)
    else:
        vals, _, _, names, _ = _channel_values(values, None, None, "values")
        if ch_names is None and not hasattr(values, "dims"):
            raise InvalidValueError(
                "Invalid value for 'ch_names': expected EEG channel names (e.g. ['Fz', 'Cz', ...]) "
                "for a plain array of values; got None."
            )
    if label is None:
        label = "Spearman ρ"
    if ch_names is not None:
        names = [str(c) for c in ch_names]
        source = "ch_names"
    if len(names) != vals.size:
        raise InvalidValueError(
            f"Invalid value for 'ch_names': expected {vals.size} names (one per value); got {len(names)}."
        )
    builtin = list(mne.channels.get_builtin_montages())
    check_option("montage", montage, builtin + [a for a in _MONTAGE_ALIASES if a not in builtin])
    mont = mne.channels.make_standard_montage(
        montage if montage in builtin else _MONTAGE_ALIASES[montage]  # renamed in recent MNE
    )
    known = {n.lower() for n in mont.ch_names}
    unknown = [n for n in names if n.lower() not in known]
    if unknown:
        raise InvalidValueError(
            f"Invalid value for {source!r}: channel names {unknown} are not in the {montage!r} "
            "montage. Rename them to 10–20 names, drop those channels, or choose another montage."
        )
    keep = np.isfinite(vals)
    if not keep.all():
        warnings.warn(
            f"plot_topomap: channels with NaN values are left out: "
            f"{[n for n, k in zip(names, keep, strict=True) if not k]}.",
            UserWarning,
            stacklevel=2,
        )
    if keep.sum() < 3:
        raise InvalidValueError(
            "Invalid value for 'values': at least 3 channels with finite values are needed."
        )
    if mask is not None:
        mask = np.asarray(mask, dtype=bool).ravel()
        if mask.size != vals.size:
            raise InvalidValueError(
                f"Invalid value for 'mask': expected {vals.size} booleans; got {mask.size}."
            )
        mask = mask[keep]
    names = [n for n, k in zip(names, keep, strict=True) if k]
    vals = vals[keep]
    info = mne.create_info(names, sfreq=100.0, ch_types="eeg")
    with mne.utils.use_log_level("error"):
        info.set_montage(mont, match_case=False)
    signed = np.nanmin(vals) < 0 < np.nanmax(vals)
    if vlim is None:
        lim = float(np.nanmax(np.abs(vals))) or 1.0
        vlim = (-lim, lim) if signed else (float(np.nanmin(vals)), float(np.nanmax(vals)))
    cmap = cmap or ("RdBu_r" if signed else "viridis")
    with mpl.rc_context({**STYLE, "axes.grid": False}):
        fig, ax = new_axes(ax, (3.8, 3.6) if scalp is not None else (3.8, 3.4))
        im, _ = mne.viz.plot_topomap(
            vals,
            info,
            axes=ax,
            show=False,
            cmap=cmap,
            vlim=vlim,
            mask=mask,
            mask_params={
                "marker": "o",
                "markerfacecolor": "white",
                "markeredgecolor": "black",
                "markersize": 6,
            },
            contours=4,
            sensors=True,
        )
        fig.colorbar(im, ax=ax, shrink=0.75, label=label)
        if scalp is not None:
            ax.text(
                0.5,
                -0.06,
                _significance_note(scalp, values.attrs.get("q")),
                transform=ax.transAxes,
                ha="center",
                va="top",
                fontsize=7,
            )
        if title:
            ax.set_title(title)
    return fig


def _significance_note(scalp, q) -> str:
    """The line under a tagging topomap: what the white marks are."""
    qs = f"q < {float(q):g}" if isinstance(q, int | float) else "FDR"
    n = scalp.n_significant
    if not n.any():
        return f"no channel significant ({qs})"
    if scalp.n_participants <= 1:
        return f"○ significant ({qs}): {int((n > 0).sum())} channel(s)"
    best = int(np.argmax(n))
    return (
        f"○ significant ({qs}) in ≥ 1 of {scalp.n_participants} participants\n"
        f"most often at {scalp.names[best]}: {int(n[best])} of {int(scalp.n_tested[best])}"
    )
