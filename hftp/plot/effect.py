"""Effect-size figures: the per-layer effect profile and the share above δ as a curve over δ.

:func:`plot_effect_profile` draws, per layer (or region), the median and 90th percentile of the
structure-specific effect θ̂ with their channel-bootstrap intervals, and beside it the estimated
share of channels with θ̂ > δ (with its interval) and the share ``selective`` (with its binomial
interval); the untrained model and the result after the lexical baseline go beside each.
:func:`plot_effect_curve` draws both shares as a function of δ. The tables come from
:func:`hftp.tagging.profile.effect_profile` and :func:`hftp.tagging.profile.effect_curve`.
"""

from __future__ import annotations

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError, check_option
from hftp.plot.style import label_layers, level_color, new_axes, styled

__all__ = ["plot_effect_profile", "plot_effect_curve"]

#: How the comparison profiles are drawn (beside the main one).
_BESIDE = {
    "main": dict(ls="-", marker="o", alpha=1.0),
    "residual": dict(ls=":", marker="v", alpha=0.9),
    "untrained": dict(ls="--", marker="s", alpha=0.7),
}
_BESIDE_LABEL = {"main": "", "residual": " (lexical baseline)", "untrained": " (untrained)"}


def _as_profile(obj, name: str):
    """An effect profile table from a table or a result Dataset (computed with the defaults)."""
    import pandas as pd
    import xarray as xr

    if isinstance(obj, xr.Dataset):
        from hftp.tagging.profile import effect_profile

        if "effect" not in obj:
            raise InvalidValueError(
                f"Invalid value for {name!r}: the Dataset has no 'effect' variable. Pass a "
                "find_tagged result (calibrated mode) or hftp.tagging.effect.effect_test's."
            )
        return effect_profile(obj)
    if isinstance(obj, pd.DataFrame):
        group = obj.attrs.get("group", obj.columns[0] if len(obj.columns) else None)
        need = [group, "level", "effect_median", "effect_share"]
        missing = [c for c in need if c not in obj.columns]
        if missing:
            raise InvalidValueError(
                f"Invalid value for {name!r}: the table lacks column(s) {missing}; got "
                f"{list(obj.columns)}. Pass hftp.tagging.profile.effect_profile(tagged)."
            )
        return obj
    raise InvalidTypeError(
        f"Invalid type for {name!r}: expected an effect profile (pandas.DataFrame from "
        "hftp.tagging.profile.effect_profile) or a tagging result with 'effect'; got "
        f"{type(obj).__name__}."
    )


def _band(ax, x, df, col, color, style, label, *, fill=True):
    y = df[col].to_numpy(float)
    ax.plot(x, y, color=color, ms=3, lw=1.2, label=label, **style)
    lo, hi = f"{col}_low", f"{col}_high"
    if fill and lo in df.columns and hi in df.columns:
        ax.fill_between(
            x, df[lo].to_numpy(float), df[hi].to_numpy(float), color=color, alpha=0.15, lw=0
        )


@styled
def plot_effect_profile(
    profile,
    *,
    untrained=None,
    residual=None,
    level: str | None = None,
    axes=None,
    title: str | None = None,
):
    """Per-layer effect sizes: θ̂ quantiles with intervals, the share above δ and ``selective``.

    Parameters
    ----------
    profile : pandas.DataFrame or xarray.Dataset
        From :func:`hftp.tagging.profile.effect_profile` (columns ``<group>, level,
        effect_median, effect_p90, effect_share, …`` with ``_low``/``_high`` intervals and,
        when available, ``selective_share``), or a result with ``effect`` (the profile is then
        computed with the defaults).
    untrained, residual : same types, optional
        The untrained model, and the result after the lexical baseline: drawn beside the main
        profile (dashed and dotted), on the same quantities.
    level : str, optional
        The level drawn. Default ``"sentence"`` when present, else the first level.
    axes : sequence of two matplotlib Axes, optional
        Draw into these; a new figure with two panels otherwise.
    title : str, optional
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Left: the median (solid) and 90th percentile (lighter) of θ̂ per group with 95% bands and
        the δ line. Right: the estimated share θ̂ > δ (line and band) and the share
        ``selective`` (markers with binomial intervals), in % of the group's channels. The
        lexical-baseline profile is dotted (same colour), the untrained one dashed grey; their
        medians and shares only.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    tabs = {"main": _as_profile(profile, "profile")}
    for name, obj in (("residual", residual), ("untrained", untrained)):
        if obj is not None:
            tabs[name] = _as_profile(obj, name)
    main = tabs["main"]
    group = main.attrs.get("group", main.columns[0])
    levels = list(pd.unique(main["level"]))
    if level is None:
        level = "sentence" if "sentence" in levels else levels[0]
    check_option("level", level, levels)
    delta = float(main.attrs.get("min_effect", 0.2))
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9.6, 3.6), layout="constrained")
    else:
        axes = list(axes)
        if len(axes) != 2:
            raise InvalidValueError(
                f"Invalid value for 'axes': expected two Axes (effects, shares); got {len(axes)}."
            )
        fig = new_axes(axes[0], (9.6, 3.6))[0]
    ax_e, ax_s = axes
    color = level_color(level)
    order = list(pd.unique(main[group]))
    pos = {g: i for i, g in enumerate(order)}
    for name, tab in tabs.items():
        d = tab[tab["level"] == level]
        d = d[d[group].isin(pos)].copy()
        d = d.iloc[np.argsort([pos[g] for g in d[group]])]
        x = np.array([pos[g] for g in d[group]], float)
        style, suffix = _BESIDE[name], _BESIDE_LABEL[name]
        col = "0.45" if name == "untrained" else color
        main_only = name == "main"
        _band(ax_e, x, d, "effect_median", col, style, f"median θ̂{suffix}", fill=main_only)
        if main_only and "effect_p90" in d.columns:
            st = {**style, "alpha": 0.5}
            _band(ax_e, x, d, "effect_p90", col, st, "90th percentile", fill=True)
        share = d.assign(**{c: 100 * d[c] for c in d.columns if c.startswith("effect_share")})
        _band(ax_s, x, share, "effect_share", col, style, f"θ̂ > δ{suffix}", fill=main_only)
        if "selective_share" in d.columns:
            s = 100 * d["selective_share"].to_numpy(float)
            err = None
            if "selective_share_low" in d.columns:
                lo = 100 * d["selective_share_low"].to_numpy(float)
                hi = 100 * d["selective_share_high"].to_numpy(float)
                err = np.vstack([s - lo, hi - s])
            ax_s.errorbar(
                x + 0.15,
                s,
                yerr=err,
                fmt="D" if main_only else "x",
                ms=3.5,
                lw=0.8,
                color="black" if main_only else col,
                alpha=style["alpha"],
                label=f"selective (FDR){suffix}",
            )
    ax_e.axhline(delta, color="0.3", lw=0.8, ls="--")
    ax_e.annotate(
        f"δ = {delta:g}",
        (1.0, delta),
        xycoords=("axes fraction", "data"),
        ha="right",
        va="bottom",
        fontsize=7,
    )
    ax_e.set_ylabel(f"effect θ̂ at {level} (SD of the channel)")
    ax_e.set_ylim(bottom=0)
    ax_s.set_ylabel("channels (% of group)")
    ax_s.set_ylim(bottom=0)
    for ax in (ax_e, ax_s):
        label_layers(ax, order, np.arange(len(order)))
        ax.set_xlabel(group)
        ax.legend(frameon=False, fontsize=7)
    if title:
        fig.suptitle(title)
    return fig


@styled
def plot_effect_curve(curve, *, level: str = "any", ax=None, title: str | None = None):
    """The share of channels with θ̂ > δ (lines) and ``selective`` (dashed) as a function of δ.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :func:`hftp.tagging.profile.effect_curve` (columns ``<group>, level, min_effect,
        effect_share, selective_share``).
    level : str
        Which level (``"any"``: a channel counts when any level passes). Default ``"any"``.
    ax : matplotlib Axes, optional
        Draw into these axes; a new figure otherwise.
    title : str, optional
        Axes title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes: per group a solid line (estimated share) and a dashed line (``selective``), x the
        δ in SD units, y the % of the group's channels.
    """
    import pandas as pd
    from matplotlib import colormaps

    if not isinstance(curve, pd.DataFrame):
        raise InvalidTypeError(
            "Invalid type for 'curve': expected the DataFrame of hftp.tagging.profile.effect_curve; "
            f"got {type(curve).__name__}."
        )
    group = curve.attrs.get("group", curve.columns[0])
    need = (group, "level", "min_effect", "effect_share", "selective_share")
    missing = [c for c in need if c not in curve.columns]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'curve': it lacks column(s) {missing}. Pass "
            "hftp.tagging.profile.effect_curve(tagged)."
        )
    check_option("level", level, sorted(set(curve["level"])))
    d = curve[curve["level"] == level]
    groups = list(pd.unique(d[group]))
    fig, ax = new_axes(ax, (6.4, 3.6))
    cmap = colormaps["viridis"]
    for i, g in enumerate(groups):
        sub = d[d[group] == g].sort_values("min_effect")
        col = cmap(i / max(len(groups) - 1, 1))
        ax.plot(sub["min_effect"], 100 * sub["effect_share"], "-o", ms=3, color=col, label=f"{g}")
        if sub["selective_share"].notna().any():
            ax.plot(sub["min_effect"], 100 * sub["selective_share"], "--", lw=1, color=col)
    ax.set_xlabel("δ (min_effect, SD of the channel)")
    ax.set_ylabel("channels (% of group)")
    ax.set_ylim(bottom=0)
    ax.plot([], [], "k-", label="θ̂ > δ (estimated)")
    ax.plot([], [], "k--", label="selective (FDR)")
    ax.legend(frameon=False, fontsize=7, ncol=1 + len(groups) // 8, title=group)
    if title:
        ax.set_title(title)
    return fig
