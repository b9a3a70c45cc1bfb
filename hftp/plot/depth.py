"""Figures across models: layer profiles on relative depth, and per-layer agreement.

:func:`plot_effects_by_depth` draws the effect profile (median θ̂, the estimated share θ̂ > δ and
the share ``selective``) and :func:`plot_profiles_by_depth` the share of tagged neurons, one line
per model on relative depth (``layer / (n_layers - 1)``), so that models of different depth share
one axis; a model whose name ends in ``"(untrained)"`` is drawn dashed in its trained twin's
colour. :func:`plot_agreement_by_depth` draws the overlap of two sets against its chance level
and the rank correlation of per-neuron effects against its references (from
:func:`hftp.tagging.agreement`).
"""

from __future__ import annotations

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError, check_option
from hftp.plot.style import CATEGORY_COLORS, OKABE_ITO, styled

__all__ = ["plot_effects_by_depth", "plot_profiles_by_depth", "plot_agreement_by_depth"]

_CATEGORIES = ("sentence", "phrase", "shared")
_UNTRAINED = "(untrained)"
#: Effect-profile columns of :func:`hftp.compare_profiles` → axis label.
_EFFECT_LABELS = {
    "effect_median": "Median θ̂ (SD)",
    "effect_p90": "90th percentile of θ̂ (SD)",
    "effect_share": "Estimated share θ̂ > δ (%)",
    "selective": "Selective at this level (%)",
}
#: Panel → column of the table (``selective``: the share at the level, both levels included).
_EFFECT_COLUMNS = {"selective": "selective_share"}
_PERCENT = ("effect_share", "selective")


def _table(profiles):
    import pandas as pd

    from hftp.tagging import compare_profiles

    if isinstance(profiles, pd.DataFrame):
        need = {"model", "depth", "category", "proportion"}
        if not need <= set(profiles.columns):
            raise InvalidValueError(
                f"Invalid value for 'profiles': the table lacks columns "
                f"{sorted(need - set(profiles.columns))}. Pass hftp.compare_profiles(...) or a "
                "list/dict of find_tagged results."
            )
        return profiles
    return compare_profiles(profiles)


def _base(name: str) -> str:
    return name.replace(_UNTRAINED, "").strip()


def _panels(axes, n: int, what: str, figsize, *, constrained: bool = False):
    """``(fig, axes)``: a new row of ``n`` panels, or the caller's ``axes`` (one per ``what``)."""
    import matplotlib.pyplot as plt

    if axes is None:
        layout = "constrained" if constrained else None
        fig, axes = plt.subplots(1, n, figsize=figsize, squeeze=False, layout=layout)
        return fig, axes[0]
    axes = np.atleast_1d(axes)
    if len(axes) != n:
        raise InvalidValueError(
            f"Invalid value for 'axes': expected {n} Axes (one per {what}); got {len(axes)}."
        )
    return axes[0].figure, axes


def _model_line(ax, x, y, model, colours) -> tuple[str, bool]:
    """One model's line: an untrained model dashed in its trained twin's colour."""
    dashed = _UNTRAINED in str(model)
    colour = colours[_base(str(model))]
    ax.plot(
        x,
        y,
        ls="--" if dashed else "-",
        marker=None if dashed else "o",
        ms=3,
        lw=1.2 if dashed else 1.6,
        color=colour,
        label=str(model),
    )
    return colour, dashed


def _colours(models) -> dict[str, str]:
    bases = list(dict.fromkeys(_base(str(m)) for m in models))
    return {b: OKABE_ITO[(i + 1) % len(OKABE_ITO)] for i, b in enumerate(bases)}


@styled
def plot_effects_by_depth(
    profiles,
    *,
    level: str = "sentence",
    columns=("effect_median", "effect_share", "selective"),
    axes=None,
    title: str | None = None,
):
    """The effect profile against relative depth, one line per model, with intervals.

    Parameters
    ----------
    profiles : pandas.DataFrame, list or dict of xarray.Dataset
        :func:`hftp.compare_profiles` output of results with effect sizes (calibrated mode), or
        what it takes.
    level : str
        The tagged level drawn (``"sentence"`` or ``"phrase"``). Default ``"sentence"``.
    columns : sequence of str
        Panels, from ``"effect_median"``, ``"effect_p90"``, ``"effect_share"`` and
        ``"selective"``. Default the median θ̂, the estimated share θ̂ > δ and the share
        ``selective`` at the level (the neurons that can be named with FDR control, whether or
        not also at the other level: a lower bound of the estimated share that rises with the
        number of trials).
    axes : sequence of matplotlib Axes, optional
        One per column; a new figure otherwise.
    title : str, optional
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One panel per column: x the relative depth (0–1), y the quantity, a line per model with
        its interval shaded (an untrained model dashed, in its trained twin's colour).
    """

    df = _table(profiles)
    if isinstance(columns, str):
        columns = [columns]
    for c in columns:
        check_option("columns", c, tuple(_EFFECT_LABELS))
    check_option("level", level, ("sentence", "phrase"))
    missing = [c for c in columns if _EFFECT_COLUMNS.get(c, c) not in df.columns]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'profiles': no effect columns {missing}: the results have no "
            "effect sizes. Run hftp.find_tagged in calibrated mode (hftp 0.3 or later) with a "
            "control condition."
        )
    own_figure = axes is None
    size = (3.4 * len(columns) + 2.2, 3.4)
    fig, axes = _panels(axes, len(columns), "column", size, constrained=True)
    colours = _colours(df["model"])
    rows = df[df["category"] == level]
    for ax, panel in zip(axes, columns, strict=True):
        col = _EFFECT_COLUMNS.get(panel, panel)
        scale = 100.0 if panel in _PERCENT else 1.0
        for model, g in rows.groupby("model", sort=False):
            g = g.sort_values("depth")
            x = g["depth"].to_numpy()
            y = scale * g[col].to_numpy(dtype=float)
            colour, dashed = _model_line(ax, x, y, model, colours)
            if f"{col}_low" in g and not dashed:
                ax.fill_between(
                    x,
                    scale * g[f"{col}_low"].to_numpy(dtype=float),
                    scale * g[f"{col}_high"].to_numpy(dtype=float),
                    color=colour,
                    alpha=0.15,
                    lw=0,
                )
        ax.set_ylabel(_EFFECT_LABELS[panel])
        ax.set_xlabel("Relative depth (layer / (n_layers - 1))")
        ax.set_xlim(-0.02, 1.02)
        ax.axhline(0, color="0.6", lw=0.8)
    if own_figure:  # beside the panels, so that no line is hidden under it
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside right center", frameon=False, fontsize=7)
    else:
        axes[-1].legend(frameon=False, fontsize=7)
    fig.suptitle(title or f"Effect by relative depth, {level} level")
    return fig


@styled
def plot_profiles_by_depth(
    profiles, *, categories=_CATEGORIES, axes=None, title: str | None = None
):
    """Per category, the percentage of tagged neurons against relative depth, one line per model.

    Parameters
    ----------
    profiles : pandas.DataFrame, list or dict of xarray.Dataset
        :func:`hftp.compare_profiles` output, or what it takes.
    categories : sequence of str
        Panels, from ``"sentence"``, ``"phrase"``, ``"shared"`` and ``"tagged"`` (any of the
        three). Default the three categories.
    axes : sequence of matplotlib Axes, optional
        One per category; a new figure otherwise.
    title : str, optional
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One panel per category: x the relative depth (0–1), y the % of neurons tagged, one line
        per model (an untrained model dashed, in its trained twin's colour).
    """

    df = _table(profiles)
    if isinstance(categories, str):
        categories = [categories]
    for c in categories:
        check_option("categories", c, (*_CATEGORIES, "tagged"))
    fig, axes = _panels(axes, len(categories), "category", (3.6 * len(categories), 3.4))
    colours = _colours(df["model"])
    for ax, cat in zip(axes, categories, strict=True):
        for model, g in df.groupby("model", sort=False):
            if cat == "tagged":
                g = (
                    g[g["category"] != "none"]
                    .groupby(["depth"], as_index=False)["proportion"]
                    .sum()
                )
            else:
                g = g[g["category"] == cat]
            g = g.sort_values("depth")
            _model_line(ax, g["depth"].to_numpy(), 100 * g["proportion"].to_numpy(), model, colours)
        ax.set_title(cat, color=CATEGORY_COLORS.get(cat, "black"))
        ax.set_xlabel("Relative depth (layer / (n_layers - 1))")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(bottom=0)
    axes[0].set_ylabel("Neurons tagged (%)")
    axes[-1].legend(frameon=False, fontsize=7, loc="center right")
    if title:
        fig.suptitle(title)
    return fig


@styled
def plot_agreement_by_depth(tables, *, axes=None, title: str | None = None):
    """Set overlap (vs chance) and effect-size rank correlation (vs references) against depth.

    Parameters
    ----------
    tables : pandas.DataFrame or dict of str to DataFrame
        From :func:`hftp.tagging.agreement` (with ``baseline`` for the untrained reference),
        columns ``depth``, ``dice``, ``dice_chance``, ``rho`` and optionally ``rho_untrained``
        and ``rho_shuffled`` (a reference that the caller adds: the same correlation with a
        condition that has no structure); a dict draws one line per pair.
    axes : pair of matplotlib Axes, optional
        Dice, rank correlation; a new figure otherwise.
    title : str, optional
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two panels against relative depth: the Dice overlap (solid) with its chance level
        (dotted), and the rank correlation of the per-neuron effect named in the tables' attrs
        (trained solid, untrained dashed, shuffled-condition reference dotted).
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    if isinstance(tables, pd.DataFrame):
        tables = {"": tables}
    if not isinstance(tables, dict):
        raise InvalidTypeError(
            "Invalid type for 'tables': expected an agreement() table or a dict name -> table; "
            f"got {type(tables).__name__}."
        )
    own_figure = axes is None
    if own_figure:
        fig, axes = plt.subplots(1, 2, figsize=(8.0, 4.2), layout="constrained")
    else:
        fig = axes[0].figure
    refs = (("rho_untrained", "--", "untrained"), ("rho_shuffled", ":", "shuffled"))
    effects, members = set(), set()
    for i, (name, t) in enumerate(tables.items()):
        col = OKABE_ITO[(i + 1) % len(OKABE_ITO)]
        x = t["depth"].to_numpy()
        effects.add(t.attrs.get("effect", "snr"))
        members.add(t.attrs.get("members", "significant"))
        axes[0].plot(x, t["dice"], "-o", ms=3, color=col, label=f"{name} Dice".strip())
        axes[0].plot(x, t["dice_chance"], ":", color=col, label=f"{name} chance".strip())
        axes[1].plot(x, t["rho"], "-o", ms=3, color=col, label=f"{name} trained".strip())
        for ref, ls, label in refs:
            if ref in t:
                axes[1].plot(x, t[ref], ls, color=col, label=f"{name} {label}".strip())
    axes[0].set_ylabel(f"Dice of {' / '.join(sorted(members))} sets")
    axes[0].set_ylim(0, 1.02)
    names = {"effect": "θ̂", "snr": "SNR"}
    axes[1].set_ylabel(
        "Spearman ρ of per-neuron " + " / ".join(names.get(e, e) for e in sorted(effects))
    )
    axes[1].axhline(0, color="0.6", lw=0.8)
    for ax in axes:
        ax.set_xlabel("Relative depth")
        if own_figure:  # under each panel, so that no line is hidden under it
            ax.legend(
                frameon=False, fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.18)
            )
        else:
            ax.legend(frameon=False, fontsize=7)
    if title:
        fig.suptitle(title)
    return fig
