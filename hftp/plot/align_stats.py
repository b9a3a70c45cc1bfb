"""Figures of alignment statistics: S beside its permutation null, and the subject-level result.

:func:`plot_alignment_null` shows why S needs its null: top-k makes S(m,b) positive under the null, so
the observed S is drawn over its permutation distribution (and the random-neuron distribution
when present), with the bias-corrected S − E_null[S]. :func:`plot_subject_alignment` shows the
random-effect result of one layer: the mean comparison over subjects per cell with its CI, the
subjects' values, and the noise ceiling.
"""

from __future__ import annotations

import numpy as np

from hftp._validation import InvalidValueError, check_type
from hftp.plot.style import OKABE_ITO, new_axes, require_vars

__all__ = ["plot_alignment_null", "plot_subject_alignment"]


def plot_alignment_null(result, *, ax=None, title: str | None = None):
    """S(m,b) against its permutation null (and the random-neuron draws when present).

    Parameters
    ----------
    result : xarray.Dataset
        From ``hftp.align``: ``S``, ``S_null`` (permutation); optionally ``random_S``,
        ``S_corrected``.
    ax : matplotlib Axes, optional
        Draw into these axes; a new figure otherwise.
    title : str, optional
        Axes title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes: histograms (densities) of the permutation null and of the random-neuron S,
        a dashed line at the null mean and a black line at the observed S.
    """
    import xarray as xr

    check_type("result", result, xr.Dataset, "an alignment result (xarray.Dataset) from hftp.align")
    require_vars(result, ("S", "S_null"), "result", "an alignment result from hftp.align")
    null = np.asarray(result["S_null"].values, dtype=float)
    null = null[np.isfinite(null)]
    s = float(result["S"])
    fig, ax = new_axes(ax, (5.2, 3.4))
    bins = np.linspace(min(null.min(), s) - 0.02, max(null.max(), s) + 0.02, 40)
    ax.hist(
        null,
        bins=bins,
        color=OKABE_ITO[0],
        alpha=0.55,
        density=True,
        label=f"label permutations (n={null.size})",
    )
    if "random_S" in result:
        rnd = np.asarray(result["random_S"].values, dtype=float)
        rnd = rnd[np.isfinite(rnd)]
        ax.hist(
            rnd,
            bins=bins,
            color=OKABE_ITO[1],
            alpha=0.55,
            density=True,
            label=f"random neurons (n={rnd.size})",
        )
    mean = float(np.mean(null))
    ax.axvline(mean, color="0.35", ls="--", lw=1, label=f"E_null[S] = {mean:.3f}")
    corr = s - mean
    p = float(result["S_p"]) if "S_p" in result else float("nan")
    ax.axvline(s, color="black", lw=2, label=f"S = {s:.3f}, S − E_null = {corr:+.3f}, p = {p:.3g}")
    ax.set_xlabel("S(m,b)")
    ax.set_ylabel("Density")
    ax.legend(frameon=False, fontsize="small", loc="upper left")
    if title:
        ax.set_title(title, loc="left")
    return fig


def plot_subject_alignment(result, *, layer=None, ax=None, title: str | None = None):
    """The random-effect result of one layer: group mean per cell, CI, subjects, noise ceiling.

    Parameters
    ----------
    result : xarray.Dataset
        From ``hftp.align`` on several subjects with ``subjects="random-effect"``.
    layer : int, optional
        The layer; default: the layer of the largest group t.
    ax : matplotlib Axes, optional
        Draw into these axes; a new figure otherwise.
    title : str, optional
        Axes title. Default ``"Layer <layer>: subjects as a random effect"``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        One axes, one column per cell: the noise ceiling (band), the subjects' values (grey
        dots), the group mean with its CI (error bars) and stars on the family-wise significant
        cells.
    """
    import xarray as xr

    check_type("result", result, xr.Dataset, "an alignment result (xarray.Dataset) from hftp.align")
    require_vars(
        result,
        ("group_rho", "group_ci", "subject_rho", "noise_ceiling", "group_significant"),
        "result",
        "a multi-subject result of hftp.align with subjects='random-effect'",
    )
    t = np.asarray(result["group_t"].values, dtype=float)
    if layer is None:
        layer = result["layer"].values[np.unravel_index(int(np.nanargmax(t)), t.shape)[0]].item()
    elif layer not in result["layer"].values:
        raise InvalidValueError(
            f"Invalid value for 'layer': expected one of {list(result['layer'].values)}; got {layer!r}."
        )
    r = result.sel(layer=layer)
    cells = [str(c) for c in result["cell"].values]
    x = np.arange(len(cells))
    fig, ax = new_axes(ax, (max(5.0, 0.3 * len(cells) + 2.5), 3.6))
    nc = np.asarray(result["noise_ceiling"].values, dtype=float)
    ax.fill_between(x, nc[:, 0], nc[:, 1], step="mid", color="0.85", label="noise ceiling")
    subj = np.asarray(r["subject_rho"].transpose("subjects", "cell").values, dtype=float)
    jitter = np.linspace(-0.2, 0.2, subj.shape[0])
    ax.scatter(
        (x[None] + jitter[:, None]).ravel(),
        subj.ravel(),
        s=4,
        color="0.55",
        lw=0,
        label=f"subjects (n={subj.shape[0]})",
    )
    mean = np.asarray(r["group_rho"].values, dtype=float)
    ci = np.asarray(r["group_ci"].transpose("cell", "bound").values, dtype=float)
    level = float(result.attrs.get("ci_level", 0.95))
    ax.errorbar(
        x,
        mean,
        yerr=[mean - ci[:, 0], ci[:, 1] - mean],
        fmt="o",
        ms=3,
        color=OKABE_ITO[4],
        capsize=0,
        lw=1,
        label=f"group mean, {level:.0%} CI",
    )
    sig = np.asarray(r["group_significant"].values, dtype=bool)
    if sig.any():
        ax.scatter(
            x[sig],
            ci[sig, 1] + 0.03,
            marker="*",
            s=30,
            color="black",
            label="family-wise significant",
        )
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(x, cells, rotation=60, ha="right", rotation_mode="anchor")
    name = {"kendall": "Kendall τ-a"}.get(str(result.attrs.get("comparison", "")), "Spearman ρ")
    ax.set_ylabel(name)
    ax.set_xlabel(
        {"label": "Electrode", "region": "Region"}.get(result.attrs.get("cell_by"), "Cell")
    )
    ax.legend(frameon=False, fontsize="small", ncols=2, loc="upper left")
    ax.set_title(title or f"Layer {layer}: subjects as a random effect", loc="left")
    return fig
