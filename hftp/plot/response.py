"""Response figures: grand-average ITPC spectra per condition, and the model's tagged-rate
response per condition beside the human one.

:func:`plot_itpc_spectra` averages over channels within each subject, then over subjects;
:func:`plot_condition_response` puts the model's layers beside the brain's grand average at one
frequency.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_float,
    check_option,
)
from hftp.plot.style import (
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

__all__ = ["plot_itpc_spectra", "plot_condition_response"]

logger = logging.getLogger("hftp")


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
    """The frequency of plot_condition_response: given, from tagged_hz, or from a scalar coord."""
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
def plot_itpc_spectra(
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
        Draw into these axes; a new figure otherwise.
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
    fig : matplotlib.figure.Figure
        One axes: one line per condition over frequency (±1 SEM shaded with several subjects),
        dotted vertical lines at the tagged frequencies.
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
def plot_condition_response(
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
        Model, human; a new figure otherwise.
    model_label, human_label : str
        Panel titles. Defaults ``"Model"`` and ``"EEG (scalp)"``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Left: one line per condition over layers; right: one bar per condition (±1 SEM, and a
        dot per subject with several).
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
