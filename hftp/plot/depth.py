"""Figures across models: layer profiles on relative depth, and per-layer agreement.

:func:`plot_profiles_by_depth` draws one line per model and category on relative depth
(``layer / (n_layers - 1)``), so that models of different depth share one axis; a model whose
name ends in ``"(untrained)"`` is drawn dashed in its trained twin's colour.
:func:`plot_agreement_by_depth` draws the Dice overlap against its chance level and the rank
correlation of effect sizes against the untrained reference (from
:func:`hftp.tagging.agreement`).
"""

from __future__ import annotations

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError, check_option
from hftp.plot.style import CATEGORY_COLORS, OKABE_ITO, styled

__all__ = ["plot_profiles_by_depth", "plot_agreement_by_depth"]

_CATEGORIES = ("sentence", "phrase", "shared")
_UNTRAINED = "(untrained)"


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
    import matplotlib.pyplot as plt

    df = _table(profiles)
    if isinstance(categories, str):
        categories = [categories]
    for c in categories:
        check_option("categories", c, (*_CATEGORIES, "tagged"))
    if axes is None:
        fig, axes = plt.subplots(
            1, len(categories), figsize=(3.6 * len(categories), 3.4), squeeze=False
        )
        axes = axes[0]
    else:
        axes = np.atleast_1d(axes)
        if len(axes) != len(categories):
            raise InvalidValueError(
                f"Invalid value for 'axes': expected {len(categories)} Axes (one per category); "
                f"got {len(axes)}."
            )
        fig = axes[0].figure
    bases = list(dict.fromkeys(_base(m) for m in df["model"]))
    colours = {b: OKABE_ITO[(i + 1) % len(OKABE_ITO)] for i, b in enumerate(bases)}
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
            dashed = _UNTRAINED in str(model)
            ax.plot(
                g["depth"].to_numpy(),
                100 * g["proportion"].to_numpy(),
                ls="--" if dashed else "-",
                marker=None if dashed else "o",
                ms=3,
                lw=1.2 if dashed else 1.6,
                color=colours[_base(str(model))],
                label=str(model),
            )
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
    """Dice (vs chance) and effect-size rank correlation (vs untrained) against relative depth.

    Parameters
    ----------
    tables : pandas.DataFrame or dict of str to DataFrame
        From :func:`hftp.tagging.agreement` (with ``baseline`` for the untrained reference),
        columns ``depth``, ``dice``, ``dice_chance``, ``rho`` and optionally ``rho_untrained``;
        a dict draws one line per pair.
    axes : pair of matplotlib Axes, optional
        Dice, rank correlation; a new figure otherwise.
    title : str, optional
        Figure title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Two panels against relative depth: the Dice overlap (solid) with its chance level
        (dotted), and the rank correlation of per-neuron SNR (trained solid, untrained dashed).
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
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(8.0, 3.4))
    else:
        fig = axes[0].figure
    for i, (name, t) in enumerate(tables.items()):
        col = OKABE_ITO[(i + 1) % len(OKABE_ITO)]
        x = t["depth"].to_numpy()
        axes[0].plot(x, t["dice"], "-o", ms=3, color=col, label=f"{name} Dice".strip())
        axes[0].plot(x, t["dice_chance"], ":", color=col, label=f"{name} chance".strip())
        axes[1].plot(x, t["rho"], "-o", ms=3, color=col, label=f"{name} trained".strip())
        if "rho_untrained" in t:
            axes[1].plot(x, t["rho_untrained"], "--", color=col, label=f"{name} untrained".strip())
    axes[0].set_ylabel("Dice of tagged sets")
    axes[0].set_ylim(0, 1.02)
    axes[1].set_ylabel("Spearman ρ of per-neuron SNR")
    axes[1].axhline(0, color="0.6", lw=0.8)
    for ax in axes:
        ax.set_xlabel("Relative depth")
        ax.legend(frameon=False, fontsize=7)
    if title:
        fig.suptitle(title)
    return fig
