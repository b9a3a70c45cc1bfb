"""Figures of tagged neuron sets: do they matter (ablation), and do they survive training (retention)?

:func:`plot_ablation`: per neuron set (category), the loss change from ablating it against the changes
from random sets of the same size per layer (the null), on the structured condition and as the
structured-minus-control contrast. :func:`plot_retention`: per layer, the share of one checkpoint's
tagged neurons still tagged in others (e.g. after full and half fine-tuning), with its chance level.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError, check_type
from hftp.plot.style import CATEGORY_COLORS, OKABE_ITO, label_layers, new_axes, require_vars, styled

__all__ = ["plot_ablation", "plot_retention"]


def _p_text(p: float) -> str:
    return "p = n/a" if not np.isfinite(p) else f"p = {p:.3f}" if p >= 0.001 else "p < 0.001"


#: how each null of :func:`hftp.models.ablate` draws its random sets, for the figure's title
NULL_LABELS = {
    "count": "same count per layer",
    "matched-variance": "same count and activation variance per layer",
}


@styled
def plot_ablation(result, *, axes=None, title: str | None = None):
    """Loss change from ablating each neuron set, against the random-set null.

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`hftp.models.ablate` (with a ``model`` dim, the models sit side by side
        within each set).
    axes : sequence of two matplotlib Axes, optional
        Left: change on the structured condition; right: the contrast. Default: a new figure.
    title : str, optional
        Figure title. Default none.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two panels, one column per set (and model). Grey dots: the random sets; grey bar:
        their mean ± SD; coloured diamond: the ablated set, labelled with its one-sided p.
    """
    import matplotlib.pyplot as plt
    import xarray as xr

    check_type("result", result, xr.Dataset, "the Dataset returned by hftp.models.ablate")
    require_vars(
        result,
        ["change", "null_change", "contrast", "null_contrast", "p"],
        "result",
        "an ablation result",
    )
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.0), layout="constrained")
    else:
        if len(axes) != 2:
            raise InvalidValueError(
                f"Invalid value for 'axes': expected two Axes (change, contrast); got {len(axes)}."
            )
        fig = axes[0].figure
    s = result.attrs.get("structured", "sentences")
    res = result if "model" in result.dims else result.expand_dims(model=[""])
    models, sets = [str(m) for m in res["model"].values], [str(x) for x in res["set"].values]
    rng = np.random.default_rng(0)  # jitter only
    panels = [
        ("change", "null_change", "p", f"Δ loss on {s} (nats)"),
        ("contrast", "null_contrast", "contrast_p", f"Δ {s} − Δ controls (nats)"),
    ]
    for ax, (obs_name, null_name, p_name, label) in zip(axes, panels, strict=True):
        ticks, names = [], []
        for i, st in enumerate(sets):
            for j, m in enumerate(models):
                x = i + (j - (len(models) - 1) / 2) * 0.8 / len(models)
                sel = {"set": st, "model": m}
                obs = res[obs_name].sel(sel)
                null = res[null_name].sel(sel)
                if "condition" in obs.dims:
                    obs, null = obs.sel(condition=s), null.sel(condition=s)
                obs, null = float(obs), np.asarray(null.values, float)
                w = 0.25 / len(models)
                if null.size:
                    jitter = x + rng.uniform(-w, w, null.size)
                    ax.scatter(jitter, null, s=6, color="0.6", alpha=0.6, lw=0, zorder=1)
                    mu, sd = null.mean(), null.std(ddof=1) if null.size > 1 else 0.0
                    ax.errorbar(x, mu, yerr=sd, fmt="_", color="0.25", ms=14, capsize=3, zorder=2)
                color = CATEGORY_COLORS.get(st, OKABE_ITO[(i + 4) % len(OKABE_ITO)])
                ax.scatter([x], [obs], marker="D", s=42, color=color, edgecolor="k", zorder=3)
                p = (
                    float(res[p_name].sel(sel).sel(condition=s))
                    if p_name == "p"
                    else float(res[p_name].sel(sel))
                )
                at = {"xytext": (4, 4), "textcoords": "offset points", "fontsize": 7}
                ax.annotate(_p_text(p), (x, obs), **at)
                ticks.append(x)
                names.append(st if len(models) == 1 else f"{st}\n{m}")
        ax.axhline(0, color="0.4", lw=0.6, ls=":")
        ax.set_xticks(ticks, names)
        ax.set_ylabel(label)
        ax.set_xlim(-0.6, len(sets) - 0.4)
    n = int(result.sizes.get("random", 0))
    how = NULL_LABELS.get(str(result.attrs.get("null", "count")), "same count per layer")
    axes[0].set_title(f"ablated set vs {n} random sets ({how})", loc="left")
    if title:
        fig.suptitle(title)
    return fig


@styled
def plot_retention(
    overlaps: Mapping, *, category: str = "sentence", ax=None, title: str | None = None
):
    """Share of a reference's tagged neurons still tagged in other checkpoints, per layer.

    Parameters
    ----------
    overlaps : dict of str to pandas.DataFrame
        Name → :func:`hftp.overlap` (reference, other) table, e.g. ``{"FFT": ov_fft, "HFT": ov_hft}``.
    category : str
        The category to show (``"sentence"``, ``"phrase"``, ``"shared"`` or ``"tagged"``).
        Default ``"sentence"``.
    ax : matplotlib Axes, optional
        Draw into these axes; a new figure otherwise.
    title : str, optional
        Axes title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes over layers: one line per checkpoint (filled markers where the hypergeometric p < 0.05), and its chance
        level (the other checkpoint's tagged share in the layer) dashed in the same colour.
    """
    import pandas as pd

    check_type("overlaps", overlaps, Mapping, "a dict name -> hftp.overlap table")
    if not overlaps:
        raise InvalidValueError(
            "Invalid value for 'overlaps': expected at least one table; got none."
        )
    for name, df in overlaps.items():
        if not isinstance(df, pd.DataFrame) or "retention" not in df or "layer" not in df:
            raise InvalidTypeError(
                f"Invalid type for 'overlaps' ({name!r}): expected a table from hftp.overlap on "
                f"model results (with 'layer' and 'retention' columns); got {type(df).__name__}."
            )
        if category not in set(df["category"]):
            raise InvalidValueError(
                f"Invalid value for 'category': {category!r} is not in the tables; choose one of "
                f"{sorted(set(df['category']))}."
            )
    fig, ax = new_axes(ax, (6.0, 3.0))
    layers = []
    for k, (name, df) in enumerate(overlaps.items()):
        d = df[df["category"] == category].sort_values("layer")
        color = OKABE_ITO[k % len(OKABE_ITO)]
        x = d["layer"].to_numpy()
        ax.plot(x, d["retention"], "-", color=color, label=f"{name}")
        sig = (d["p"] < 0.05).to_numpy()
        ax.scatter(x[sig], d["retention"].to_numpy()[sig], color=color, s=18, zorder=3)
        hollow = {"facecolor": "white", "edgecolor": color, "s": 18, "zorder": 3}
        ax.scatter(x[~sig], d["retention"].to_numpy()[~sig], **hollow)
        ax.plot(x, d["retention_chance"], "--", color=color, lw=0.9, label=f"{name} chance")
        layers = sorted(set(layers) | set(x.tolist()))
    label_layers(ax, layers, layers)
    ax.set_xlabel("layer")
    ax.set_ylabel(f"retention of {category} neurons")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(frameon=False, fontsize=7, ncols=2)
    if title:
        ax.set_title(title, loc="left")
    return fig
