"""Brain-side figures of :mod:`hftp.plot`.

Electrode values on a glass brain (iEEG, nilearn), scalp topomaps (EEG, MNE), grand-average ITPC
spectra per condition, and the model's response per condition beside the human one. nilearn and
mne are imported inside the functions, so ``import hftp.plot`` stays light.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_float,
    check_fraction_open,
    check_option,
)
from hftp.plot.style import (
    STYLE,
    condition_colors,
    grand_average,
    label_layers,
    level_color,
    measure_label,
    new_axes,
    require_vars,
    styled,
)
from hftp.spectral.accessor import tagged_dict

__all__ = ["glass_brain", "topomap", "itpc_spectra", "condition_response"]

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


def glass_brain(
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
    matplotlib.figure.Figure
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
            f"glass_brain: {len(bad)} channel(s) without a finite value or MNI coordinate are not "
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


def topomap(
    values,
    ch_names: Sequence[str] | None = None,
    *,
    ax=None,
    title: str | None = "EEG (scalp)",
    label: str = "Spearman ρ",
    cmap: str | None = None,
    vlim: tuple[float, float] | None = None,
    mask=None,
    montage: str = "standard_1020",
):
    """Scalp topography of one value per EEG channel (MNE), on a standard 10–20 montage.

    Parameters
    ----------
    values : xarray.DataArray over ``channel``, or array-like (n_channels,)
        E.g. ``result.rho.sel(layer=k)`` or a phrase-rate ITPC per channel.
    ch_names : sequence of str, optional
        Channel names (standard 10–20). Default: the ``channel`` coord of ``values``.
    ax : matplotlib Axes, optional
    title : str or None
        Default ``"EEG (scalp)"``.
    label : str
        Colour-bar label (what the values are, with units). Default ``"Spearman ρ"``.
    cmap : str, optional
        Default ``"RdBu_r"`` (symmetric limits) when values have both signs, else ``"viridis"``.
    vlim : (float, float), optional
        Colour limits. Default symmetric around 0 for signed values, else the data range.
    mask : array-like of bool (n_channels,), optional
        Channels to mark (e.g. ``q < 0.05``).
    montage : str
        An MNE standard montage name. Default ``"standard_1020"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib as mpl
    import mne

    vals, _, _, names, _ = _channel_values(values, None, None, "values")
    if ch_names is not None:
        names = [str(c) for c in ch_names]
    elif not hasattr(values, "dims"):
        raise InvalidValueError(
            "Invalid value for 'ch_names': expected EEG channel names (e.g. ['Fz', 'Cz', ...]) "
            "for a plain array of values; got None."
        )
    if len(names) != vals.size:
        raise InvalidValueError(
            f"Invalid value for 'ch_names': expected {vals.size} names (one per value); got {len(names)}."
        )
    builtin = list(mne.channels.get_builtin_montages())
    check_option("montage", montage, builtin + [a for a in _MONTAGE_ALIASES if a not in builtin])
    if montage not in builtin:  # renamed in recent MNE (same positions)
        montage = _MONTAGE_ALIASES[montage]
    mont = mne.channels.make_standard_montage(montage)
    known = {n.lower() for n in mont.ch_names}
    unknown = [n for n in names if n.lower() not in known]
    if unknown:
        raise InvalidValueError(
            f"Invalid value for 'ch_names': {unknown} are not in the {montage!r} montage. Rename "
            "them to 10–20 names or drop those channels."
        )
    keep = np.isfinite(vals)
    if not keep.all():
        warnings.warn(
            f"topomap: channels with NaN values are left out: "
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
        fig, ax = new_axes(ax, (3.8, 3.4))
        im, _ = mne.viz.plot_topomap(
            vals,
            info,
            axes=ax,
            show=False,
            cmap=cmap,
            vlim=vlim,
            mask=mask,
            mask_params={"marker": "o", "markerfacecolor": "white", "markersize": 5},
            contours=4,
            sensors=True,
        )
        fig.colorbar(im, ax=ax, shrink=0.75, label=label)
        if title:
            ax.set_title(title)
    return fig


# ---------------------------------------------------------------------------------------------
# responses per condition


def _as_condition_array(obj, name: str, measure: str):
    """A DataArray with a 'condition' dim from a Spectra, a DataArray or a dict condition → 1-D."""
    import pandas as pd
    import xarray as xr

    from hftp.spectral.measures import MEASURES

    if isinstance(obj, xr.Dataset):
        require_vars(obj, ("sum_x", "sum_phase", "n_trials"), name, "a Spectra")
        da = MEASURES[check_option("measure", measure, MEASURES)](obj)
        da.attrs = {**obj.attrs, **da.attrs}
        return da, measure
    if isinstance(obj, xr.DataArray):
        if "condition" not in obj.dims:
            raise InvalidValueError(
                f"Invalid value for {name!r}: expected a 'condition' dim; got dims {obj.dims}."
            )
        return obj, str(obj.name or measure)
    if isinstance(obj, Mapping) and obj:
        parts = []
        if all(isinstance(v, int | float | np.number) for v in obj.values()):
            vals = np.array([float(v) for v in obj.values()])
            return xr.DataArray(
                vals, dims="condition", coords={"condition": list(map(str, obj))}
            ), measure
        for c, v in obj.items():
            if isinstance(v, pd.Series):
                v = xr.DataArray(v.to_numpy(), dims="freq", coords={"freq": v.index.to_numpy()})
            elif not isinstance(v, xr.DataArray):
                raise InvalidTypeError(
                    f"Invalid type for {name!r}[{c!r}]: expected a number, a DataArray with a 'freq' "
                    f"dim or a pandas Series indexed by frequency; got {type(v).__name__}."
                )
            parts.append(v.expand_dims(condition=[str(c)]))
        return xr.concat(parts, dim="condition"), measure
    raise InvalidTypeError(
        f"Invalid type for {name!r}: expected a Spectra (xarray.Dataset), a DataArray with a "
        f"'condition' dim, or a dict condition → spectrum; got {type(obj).__name__}."
    )


def _response_freq(freq, mda, hda, *originals) -> float | None:
    """The frequency of condition_response: given, from tagged_hz, or from a scalar coord."""
    if freq is not None:
        return check_float("freq", freq, min_value=0.0)
    if "freq" not in mda.dims and "freq" not in hda.dims:
        for da in (mda, hda):
            if "freq" in da.coords and da["freq"].ndim == 0:
                return float(da["freq"])
        return None
    levels = _tagged_from(None, *originals, mda, hda)
    if "phrase" not in levels:
        raise InvalidValueError(
            "Invalid value for 'freq': no phrase rate in the inputs' 'tagged_hz'; pass freq= in Hz."
        )
    return levels["phrase"]


def _tagged_from(tagged_hz, *objs) -> dict[str, float]:

    if tagged_hz is None:
        for o in objs:
            if "tagged_hz" in getattr(o, "attrs", {}):
                return tagged_dict(o.attrs["tagged_hz"])
        return {}
    return tagged_dict(tagged_hz)


@styled
def itpc_spectra(
    itc,
    tagged_hz=None,
    *,
    conditions: Sequence[str] | None = None,
    ax=None,
    sem: bool = True,
    fmax: float | None = None,
    title: str | None = "EEG (scalp)",
    ylabel: str | None = None,
):
    """Grand-average ITPC spectra, one line per condition, tagged frequencies marked.

    Averaging follows the published analysis: over channels within each subject (``subject``
    coord on ``channel``, or a ``subject`` dim), then over subjects, ignoring NaN (subjects
    without a condition). The shaded band is ±1 SEM across subjects.

    Parameters
    ----------
    itc : xarray.DataArray, xarray.Dataset or dict
        ``hftp.itc(brain_spectra)`` (dims ``(condition, channel, freq)``), a brain Spectra (its ITC
        is computed), or a dict condition → spectrum (DataArray over ``freq`` or pandas Series).
    tagged_hz : dict of str to float, or sequence of float, optional
        Frequencies to mark. Default: the ``tagged_hz`` attribute.
    conditions : sequence of str, optional
        Conditions to draw, in this order. Default: all.
    ax : matplotlib Axes, optional
    sem : bool
        Shade ±1 SEM across subjects when there are several. Default True.
    fmax : float, optional
        Highest frequency drawn (Hz). Default: the whole axis.
    title : str or None
        Default ``"EEG (scalp)"``; pass the right label for other data (e.g. ``"simulated sEEG"``).
    ylabel : str, optional
        Default ``"ITPC"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    da, measure = _as_condition_array(itc, "itc", "itc")
    if "freq" not in da.dims:
        raise InvalidValueError(
            f"Invalid value for 'itc': expected a 'freq' dim; got dims {da.dims}."
        )
    levels = _tagged_from(tagged_hz, itc, da)
    conds = [str(c) for c in da["condition"].values]
    if conditions is not None:
        for c in conditions:
            check_option("conditions", c, conds)
        conds = list(conditions)
    if fmax is not None:
        fmax = check_float("fmax", fmax, min_value=float(da["freq"].values.min()))
        da = da.sel(freq=da["freq"] <= fmax)
    mean, err, n_subj, _ = grand_average(da.sel(condition=conds))
    colors = condition_colors(conds)
    fig, ax = new_axes(ax, (7.0, 3.6))
    f = mean["freq"].values
    styles = ["-", "-", "-", "--", "--", "--", ":", ":"]
    for k, c in enumerate(conds):
        y = mean.sel(condition=c).values
        ax.plot(f, y, color=colors[c], lw=1.4, ls=styles[k % len(styles)], label=c)
        if sem and err is not None:
            e = err.sel(condition=c).values
            ax.fill_between(f, y - e, y + e, color=colors[c], alpha=0.15, lw=0)
    for lvl, hz in levels.items():
        if f[0] <= hz <= f[-1]:
            ax.axvline(
                hz, color=level_color(lvl), ls=":", lw=1.2, zorder=0, label=f"{lvl} ({hz:g} Hz)"
            )
    ax.set_xlim(f[0], f[-1])
    ax.set_xlabel("Frequency (Hz)")
    ax.set_ylabel(ylabel or measure_label(measure))
    note = f"n = {n_subj} subjects" if n_subj > 1 else None
    ax.legend(title=note, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    return fig


@styled
def condition_response(
    model,
    human,
    freq: float | None = None,
    *,
    model_measure: str = "evoked",
    human_measure: str = "itc",
    normalize: bool = True,
    conditions: Sequence[str] | None = None,
    axes=None,
    model_label: str = "Model",
    human_label: str = "EEG (scalp)",
):
    """The model's response per condition at one frequency beside the human one.

    Left: the model, one line per condition over layers (mean over neurons). Right: the brain,
    one bar per condition (mean over channels, then subjects; error bars ±1 SEM across subjects,
    dots for single subjects).

    Parameters
    ----------
    model : xarray.Dataset or xarray.DataArray
        A model Spectra, or a DataArray with dims ``(condition, [layer], ..., [freq])``.
    human : xarray.Dataset, xarray.DataArray or dict
        A brain Spectra, a DataArray with dims ``(condition, [channel], [freq])``, or a dict
        condition → value (e.g. the grand-average phrase-rate ITPC).
    freq : float, optional
        Frequency in Hz (exact bin). Default: the phrase rate from the ``tagged_hz`` attribute,
        or the scalar ``freq`` coord of inputs already taken at one frequency.
    model_measure, human_measure : str
        Measures computed from Spectra inputs. Defaults ``"evoked"`` and ``"itc"``.
    normalize : bool
        Divide each layer's values by their mean over conditions, so that layers of very
        different scales share one axis. Default True.
    conditions : sequence of str, optional
        Conditions and their order. Default: the human's conditions that the model also has.
    axes : pair of Axes, optional
    model_label, human_label : str
        Panel titles.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from hftp.spectral.measures import at_freq

    mda, mname = _as_condition_array(model, "model", model_measure)
    hda, hname = _as_condition_array(human, "human", human_measure)
    freq = _response_freq(freq, mda, hda, model, human)
    mconds = [str(c) for c in mda["condition"].values]
    hconds = [str(c) for c in hda["condition"].values]
    if conditions is None:
        conds = [c for c in hconds if c in mconds]
        if not conds:
            raise InvalidValueError(
                f"Invalid value for 'model': no condition in common with 'human'; model has "
                f"{mconds}, human has {hconds}. Rename conditions so they match."
            )
    else:
        conds = list(conditions)
        for c in conds:
            check_option("conditions", c, mconds)
            check_option("conditions", c, hconds)
    mda = at_freq(mda, freq) if "freq" in mda.dims else mda
    hda = at_freq(hda, freq) if "freq" in hda.dims else hda
    at = "" if freq is None else f" at {freq:g} Hz"
    colors = condition_colors(conds)
    if axes is None:
        fig, axes = plt.subplots(
            1, 2, figsize=(10.0, 3.6), layout="constrained", gridspec_kw={"width_ratios": [1.6, 1]}
        )
    else:
        axes = list(np.ravel(axes))
        if len(axes) != 2:
            raise InvalidValueError(f"Invalid value for 'axes': expected 2 axes; got {len(axes)}.")
        fig = axes[0].figure
    mda = mda.sel(condition=conds)
    keep = {"condition", "layer"}
    mred = mda.mean([d for d in mda.dims if d not in keep])
    ax = axes[0]
    if "layer" in mred.dims:
        mred = mred.transpose("condition", "layer")
        if normalize:
            mred = mred / mred.mean("condition")
        layers = mred["layer"].values
        for c in conds:
            ax.plot(
                layers, mred.sel(condition=c).values, color=colors[c], marker="o", ms=3, label=c
            )
        label_layers(ax, layers, layers)
        ax.set_xlabel("Layer")
        if normalize:
            ax.axhline(1.0, color="0.6", lw=0.8, ls=":", zorder=0)
    else:
        ax.bar(conds, mred.values, color=[colors[c] for c in conds])
    if normalize and "layer" in mred.dims:
        ylabel = (
            f"{measure_label(mname).replace(' (a.u.)', '')}{at}\n(÷ layer mean over conditions)"
        )
    else:
        ylabel = f"{measure_label(mname)}{at}"
    ax.set_ylabel(ylabel)
    ax.set_title(model_label)
    ax.legend(
        frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=min(len(conds), 6)
    )
    hmean, herr, n_subj, per_subj = grand_average(hda.sel(condition=conds))
    ax = axes[1]
    x = np.arange(len(conds))
    ax.bar(
        x,
        hmean.values,
        color=[colors[c] for c in conds],
        yerr=None if herr is None else herr.values,
        capsize=3,
        error_kw={"lw": 1.0},
    )
    if per_subj is not None and n_subj > 1:
        rng = np.random.default_rng(0)  # fixed jitter: the figure is reproducible
        for k, c in enumerate(conds):
            v = per_subj.sel(condition=c).values
            v = v[np.isfinite(v)]
            ax.scatter(k + rng.uniform(-0.18, 0.18, v.size), v, s=6, c="0.2", alpha=0.5, lw=0)
    ax.set_xticks(x, conds, rotation=30, ha="right")
    ax.set_ylabel(f"{measure_label(hname)}{at}")
    ax.set_title(human_label + (f" (n = {n_subj})" if n_subj > 1 else ""))
    return fig
