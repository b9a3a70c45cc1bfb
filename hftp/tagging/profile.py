"""Summaries of tagging results: categories, per-layer (or per-region) profiles, effect sizes.

:func:`categories` turns the per-level verdicts into a category per channel (``CATEGORIES``);
:func:`check_result` is the check every summary makes of a :func:`hftp.find_tagged` result.

:func:`layer_profile` puts side by side, per layer and category, the fraction of channels that are

- ``proportion``: significant (the FDR-controlled conjunction, see :mod:`hftp.tagging.calibrated`);
- ``replicated``: selected on one set of data and confirmed on independent data: another
  stimulus pool (``find_tagged(..., replication=other_spectra)``, or a split over two pools), or
  by name the split halves of one pool (the result's ``replication`` attr says which;
  :mod:`hftp.tagging.replication`);
- ``residual``: significant after the lexical baseline (a result on the residual spectra,
  :mod:`hftp.tagging.lexical`), i.e. rhythm beyond word identity;
- ``untrained``: significant in the untrained model (the same architecture, random weights).

and, for results with effect sizes (:mod:`hftp.tagging.effect`), the share ``selective`` per
category and the effect θ̂ per level beside them (the untrained and lexical-baseline values too).

:func:`effect_profile` is the effect table per layer and level: the median and 90th percentile of
θ̂ with channel-bootstrap intervals, the estimated share θ̂ > δ with its interval, and the share
``selective`` with its binomial interval. :func:`effect_curve` gives both shares as a curve over δ.
These are the headline: the share ``significant`` grows with the number of trials toward 100%,
while the effect quantiles and the estimated share stay put, and ``selective`` rises toward the
estimated share from below (it names channels with FDR control).

:func:`snr_curve` gives the fraction significant as a function of an SNR floor (the neighbor noise
shrinks as 1/√n, so an SNR floor does not measure effect size either).

:func:`hftp.tagging.sets.overlap` (the overlap of two results' sets) lives in
:mod:`hftp.tagging.sets`; ``hftp.tagging.profile.overlap`` still works, with a FutureWarning.

The module is one idea, the summaries of a tagging result per layer or region, which is why it
runs past 500 lines.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hftp._deprecate import module_getattr
from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_float,
    check_fraction_open,
    check_int,
    check_type,
)
from hftp.tagging.effect import (
    EFFECT_DELTAS,
    EFFECT_QUANTILES,
    MIN_EFFECT,
    p_interval_null,
    selective_conjunction,
)

__all__ = [
    "CATEGORIES",
    "SNR_FLOORS",
    "categories",
    "category_fractions",
    "check_result",
    "check_effect_result",
    "channel_groups",
    "layer_profile",
    "effect_profile",
    "effect_curve",
    "snr_curve",
]

#: The categories of a channel: tagged at the sentence rate only, the phrase rate only, both, none.
CATEGORIES = ("sentence", "phrase", "shared", "none")

#: Default SNR floors of :func:`snr_curve`.
SNR_FLOORS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0)


def categories(significant):
    """Category per channel from ``significant``: shared, sentence, phrase or none.

    Levels other than sentence and phrase are ignored; a missing level counts as not significant.

    Parameters
    ----------
    significant : xarray.DataArray of bool, dims (*channels, level)
        A verdict per channel and level, e.g. ``result["significant"]``.

    Returns
    -------
    category : xarray.DataArray of str, dims (*channels,)
        Named ``"category"``; values from ``CATEGORIES``.
    """
    sig = significant.transpose(..., "level")
    levels = [str(v) for v in sig["level"].values]
    vals = sig.values.astype(bool)
    absent = np.zeros(vals.shape[:-1], bool)
    s = vals[..., levels.index("sentence")] if "sentence" in levels else absent
    p = vals[..., levels.index("phrase")] if "phrase" in levels else absent
    cat = np.full(s.shape, "none", dtype="<U8")
    cat[s & ~p] = "sentence"
    cat[p & ~s] = "phrase"
    cat[s & p] = "shared"
    out = sig.isel(level=0, drop=True).copy(data=cat)
    out = out.drop_vars([c for c in ("freq",) if c in out.coords])
    out.name = "category"
    return out


def _groups(tagged):
    """(column name, group labels per channel as a flat array) for a layer profile."""
    return channel_groups(tagged["category"])


def check_result(tagged, name: str = "tagged") -> None:
    """Check that ``tagged`` is a :func:`hftp.find_tagged` result (a Dataset with ``category``).

    Parameters
    ----------
    tagged : object
        What the caller passed.
    name : str
        The parameter name used in the message. Default ``"tagged"``.
    """
    import xarray as xr

    if not isinstance(tagged, xr.Dataset) or "category" not in tagged:
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected the Dataset returned by hftp.find_tagged "
            f"(with a 'category' variable); got {type(tagged).__name__}."
        )


def category_fractions(tagged) -> dict[str, float | int]:
    """The share of channels in each category over all channels, plus their count.

    Parameters
    ----------
    tagged : xarray.Dataset
        A result of :func:`find_tagged`.

    Returns
    -------
    dict
        ``{"sentence": f, "phrase": f, "shared": f, "none": f, "n_channels": n}``.
    """
    cats = np.asarray(tagged["category"].values).ravel()
    out: dict[str, float | int] = {c: float(np.mean(cats == c)) for c in CATEGORIES}
    out["n_channels"] = int(cats.size)
    return out


def _profile_column(result, col: str, name: str, var: str = "significant"):
    """Per (group, category) proportion of channels in ``result``'s categories of ``var``."""
    import pandas as pd

    check_result(result, name)
    cat = result["category"] if var == "significant" else categories(result[var])
    g = _groups(result)[1]
    df = pd.DataFrame({col: g, "category": cat.transpose(*cat.dims).values.ravel()})
    tab = pd.crosstab(df[col], df["category"], normalize="index")
    return tab.reindex(columns=list(CATEGORIES), fill_value=0.0).stack().rename(name)


def layer_profile(
    tagged, *, residual=None, untrained=None, n_boot: int = 1000, ci: float = 0.95, seed: int = 0
):
    """Per layer (or region) and category: the shares of channels, and the effect sizes.

    Parameters
    ----------
    tagged : xarray.Dataset
        From :func:`find_tagged`. When it has ``replicated`` (replication data), the profile gets a
        ``replicated`` column; when it has ``effect`` and ``selective`` (calibrated mode, hftp
        0.3), the effect columns below.
    residual : xarray.Dataset, optional
        :func:`find_tagged` on the residual spectra after the lexical baseline
        (``hftp.probe(..., lexical_baseline="random-words")`` or :func:`hftp.lexical_residual`).
        Adds a ``residual`` column (and ``residual_*`` effect columns).
    untrained : xarray.Dataset, optional
        :func:`find_tagged` on the untrained model. Adds an ``untrained`` column (and
        ``untrained_*`` effect columns).
    n_boot : int
        Channel-bootstrap resamples for the effect intervals. Default 1000.
    ci : float
        Coverage of the intervals. Default 0.95.
    seed : int
        Seed of the bootstrap. Default 0.

    Returns
    -------
    pandas.DataFrame
        One row per group and category (all four categories, zeros included). ``<group>`` is
        ``layer`` for model results, ``region`` for brain results with a region coord, else
        ``group`` with the single value ``"all"``; ``df.attrs["group"]`` names that column.
        Columns:

        - ``<group>, category, count, proportion``: channels in the category by ``significant``
          (tagged AND specific, against zero);
        - ``replicated``, ``residual``, ``untrained`` where available: the same proportion by
          ``replicated``, in the lexical-baseline result and in the untrained model;
        - with effect sizes in ``tagged``: ``selective`` (the proportion in the category by
          ``selective``, tagged AND θ > δ with FDR control) with its Clopper–Pearson interval
          ``selective_low`` / ``selective_high``; and on the rows whose category names a level
          (``sentence``, ``phrase``; NaN on ``shared`` and ``none``) the effect at that level
          over all the group's channels: ``effect_median``, ``effect_p90`` (θ̂ quantiles) and
          ``effect_share`` (θ̂ > δ), each with ``_low`` / ``_high`` (channel bootstrap, see
          :func:`effect_profile`), and ``selective_share``, the share ``selective`` at that level
          whatever the other level (so ``selective`` of the level's category plus that of
          ``shared``), with its Clopper–Pearson interval;
        - beside them, when ``residual`` / ``untrained`` carry effect sizes:
          ``residual_selective``, ``residual_effect_median``, ``residual_effect_p90``,
          ``residual_effect_share``, ``residual_selective_share`` and the same with
          ``untrained_``.

        ``df.attrs`` also hold ``min_effect``, ``ci`` and ``n_boot`` when there are effect columns.

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra(
    ...     (2, 20), conditions=("sentences", "within-shuffle"), planted_in=("sentences",),
    ...     plant={"sentence": [0, 1, 2, 20, 21]}, amplitude=0.6, seed=0)
    >>> tagged = hftp.find_tagged(spectra, condition="sentences", control="within-shuffle")
    >>> profile = hftp.layer_profile(tagged)
    >>> profile.pivot(index="layer", columns="category", values="count")
    category  none  phrase  sentence  shared
    layer
    0           17       0         3       0
    1           18       0         2       0
    """
    import pandas as pd

    check_result(tagged)
    col, g = _groups(tagged)
    cat = tagged["category"].transpose(*tagged["category"].dims).values.ravel()
    df = pd.DataFrame({col: g, "category": pd.Categorical(cat, categories=list(CATEGORIES))})
    counts = df.groupby([col, "category"], observed=False).size().rename("count").reset_index()
    totals = counts.groupby(col)["count"].transform("sum")
    counts["proportion"] = counts["count"] / totals
    counts["category"] = counts["category"].astype(str)
    extras = []
    if "replicated" in tagged:
        extras.append(_profile_column(tagged, col, "replicated", "replicated"))
    for name, res in (("residual", residual), ("untrained", untrained)):
        if res is not None:
            extras.append(_profile_column(res, col, name))
    for ex in extras:
        counts = counts.join(ex, on=[col, "category"])
        counts[ex.name] = counts[ex.name].fillna(0.0)
    attrs = {"group": col}
    if _has_effects(tagged):
        counts = _effect_columns(counts, tagged, col, "", n_boot=n_boot, ci=ci, seed=seed)
        attrs.update(min_effect=_min_effect(tagged, None), ci=ci, n_boot=n_boot)
        for name, res in (("residual", residual), ("untrained", untrained)):
            if res is not None and _has_effects(res):
                counts = _effect_columns(counts, res, col, f"{name}_", n_boot=0, ci=ci, seed=seed)
    counts.attrs.update(attrs)
    return counts


def _has_effects(result) -> bool:
    return "effect" in result and "selective" in result


def _effect_columns(counts, result, col: str, prefix: str, *, n_boot: int, ci: float, seed: int):
    """Join the effect summary of ``result`` onto a layer profile (see :func:`layer_profile`)."""
    sel = _profile_column(result, col, prefix + "selective", "selective")
    counts = counts.join(sel, on=[col, "category"])
    counts[sel.name] = counts[sel.name].fillna(0.0)
    if not prefix:  # the binomial interval of the main result's share
        n = counts.groupby(col)["count"].transform("sum").to_numpy()
        k = np.rint(counts[sel.name].to_numpy() * n).astype(int)
        bounds = [_clopper_pearson(int(a), int(b), ci) for a, b in zip(k, n, strict=True)]
        counts["selective_low"] = [lo for lo, _ in bounds]
        counts["selective_high"] = [hi for _, hi in bounds]
    eff = effect_profile(result, n_boot=n_boot, ci=ci, seed=seed)
    keep = ["effect_median", "effect_p90", "effect_share"]
    keep += ["selective_share"] if "selective_share" in eff else []
    if not prefix:
        keep = [c for k in keep for c in (k, f"{k}_low", f"{k}_high")]
    eff = eff.rename(columns={"level": "category"})[[col, "category", *keep]]
    eff = eff.rename(columns={k: prefix + k for k in keep})
    return counts.merge(eff, on=[col, "category"], how="left")


def snr_curve(tagged, floors=None):
    """The fraction of channels significant with an SNR at or above each floor, per group.

    Parameters
    ----------
    tagged : xarray.Dataset
        From :func:`find_tagged` (uses ``significant_fdr``, the conjunction before any floor, and
        ``snr``).
    floors : sequence of float, optional
        SNR floors. Default ``SNR_FLOORS`` (1 … 16).

    Returns
    -------
    pandas.DataFrame
        Columns ``(<group>, level, min_snr, proportion)``; ``level`` includes ``"any"`` (a channel
        counts when any of its sentence/phrase levels passes). ``df.attrs["group"]`` names the group.
    """
    import pandas as pd

    check_result(tagged)
    floors = SNR_FLOORS if floors is None else floors
    check_type("floors", floors, list | tuple | np.ndarray, "a sequence of SNR floors")
    floors = np.asarray(floors, dtype=float)
    if floors.ndim != 1 or not floors.size or np.isnan(floors).any():
        raise InvalidValueError(
            f"Invalid value for 'floors': expected a 1-D sequence of numbers; got {floors!r}."
        )
    sig_var = "significant_fdr" if "significant_fdr" in tagged else "significant"
    col, g = _groups(tagged)
    sig = tagged[sig_var].transpose(..., "level")
    snr = tagged["snr"].transpose(*sig.dims).values
    sig = sig.values.astype(bool)
    levels = [str(v) for v in tagged["level"].values]
    n_ch = sig[..., 0].size
    S, R = sig.reshape(n_ch, -1), np.nan_to_num(snr.reshape(n_ch, -1), nan=-np.inf)
    cat_levels = [i for i, lv in enumerate(levels) if lv in ("sentence", "phrase")] or list(
        range(len(levels))
    )
    rows = []
    for fl in floors:
        ok = S & (R >= fl)
        cols = {lv: ok[:, i] for i, lv in enumerate(levels)}
        cols["any"] = ok[:, cat_levels].any(axis=1)
        for lv, v in cols.items():
            frac = pd.Series(v).groupby(g).mean()
            for grp, pr in frac.items():
                rows.append({col: grp, "level": lv, "min_snr": float(fl), "proportion": float(pr)})
    out = pd.DataFrame(rows)
    out.attrs["group"] = col
    return out


def check_effect_result(result, name: str = "result") -> None:
    """Check that ``result`` carries effect sizes (a Dataset with an ``effect`` variable).

    Parameters
    ----------
    result : object
        What the caller passed: a :func:`hftp.find_tagged` result (calibrated mode) or the Dataset
        of :func:`hftp.tagging.effect.effect_test`.
    name : str
        The parameter name used in the message. Default ``"result"``.
    """
    import xarray as xr

    if not isinstance(result, xr.Dataset) or "effect" not in result:
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected a Dataset with an 'effect' variable (from "
            "hftp.find_tagged in calibrated mode, or hftp.tagging.effect.effect_test); got "
            f"{type(result).__name__}"
            + (
                " without 'effect' (a result from hftp 0.2 or paper mode?)"
                if isinstance(result, xr.Dataset)
                else ""
            )
            + "."
        )


def channel_groups(da) -> tuple[str, np.ndarray]:
    """The group of each channel for a profile: the layer (model), region (brain) or ``"all"``.

    Parameters
    ----------
    da : xarray.DataArray
        A per-channel variable with dims ``(*channels, level)`` or ``(*channels,)``.

    Returns
    -------
    name : str
        ``"layer"``, ``"region"`` or ``"group"``.
    labels : ndarray, shape (n_channels,)
        The group of each channel, in the order of ``da``'s channel dims flattened (level dropped).
    """
    one = da.isel(level=0, drop=True) if "level" in da.dims else da
    if "layer" in one.dims:
        return "layer", one["layer"].broadcast_like(one).transpose(*one.dims).values.ravel()
    if "region" in one.coords:
        return "region", one["region"].broadcast_like(one).transpose(*one.dims).values.ravel()
    return "group", np.full(one.size, "all", dtype=object)


def _levels_view(result, var: str) -> tuple[np.ndarray, list[str]]:
    """(n_channels, n_levels) values of ``var`` and the level names."""
    da = result[var]
    if "level" not in da.dims:
        return np.asarray(da.values).reshape(-1, 1), ["all"]
    ch = [d for d in da.dims if d != "level"]
    vals = np.asarray(da.transpose(*ch, "level").values)
    return vals.reshape(-1, da.sizes["level"]), [str(v) for v in da["level"].values]


def _clopper_pearson(k: int, n: int, ci: float) -> tuple[float, float]:
    """The exact (Clopper–Pearson) binomial interval of k successes in n at coverage ``ci``."""
    from scipy.special import betaincinv  # the beta quantile, without importing scipy.stats

    if n == 0:
        return float("nan"), float("nan")
    a = (1.0 - ci) / 2
    lo = float(betaincinv(k, n - k + 1, a)) if k > 0 else 0.0
    hi = float(betaincinv(k + 1, n - k, 1 - a)) if k < n else 1.0
    return lo, hi


def effect_profile(
    result,
    *,
    min_effect: float | None = None,
    quantiles: Sequence[float] = EFFECT_QUANTILES,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
):
    """Per layer (or region) and level: effect quantiles, the estimated share θ̂ > δ, ``selective``.

    Parameters
    ----------
    result : xarray.Dataset
        With ``effect`` over ``(*channels, level)`` (:func:`effect_test` or ``hftp.find_tagged``);
        when it has ``selective``, the share selective is reported too.
    min_effect : float, optional
        δ. Default ``result.attrs["min_effect"]``, else 0.2.
    quantiles : sequence of float
        Quantiles of θ̂ in (0, 1). Default (0.5, 0.9): columns ``effect_median`` and
        ``effect_p90`` (``effect_p<100 q>`` for others).
    n_boot : int
        Channel-bootstrap resamples for the intervals. Default 1000; 0 gives no intervals (NaN).
    ci : float
        Coverage of the intervals. Default 0.95.
    seed : int
        Seed of the bootstrap. Default 0.

    Returns
    -------
    pandas.DataFrame
        One row per (group, level). Columns ``<group>`` (``layer``, ``region`` or ``group``),
        ``level``, ``n_channels`` (finite estimates), per quantile ``effect_median`` with
        ``effect_median_low`` / ``effect_median_high`` (percentile bootstrap over channels), the
        same for ``effect_p90``, ``effect_share`` (θ̂ > δ) with ``effect_share_low`` /
        ``effect_share_high``, and with ``selective`` in ``result`` ``selective_share`` with its
        Clopper–Pearson interval ``selective_share_low`` / ``selective_share_high``.
        ``df.attrs`` hold ``group``, ``min_effect``, ``ci`` and ``n_boot``.

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra(
    ...     (2, 20), conditions=("sentences", "within-shuffle"), planted_in=("sentences",),
    ...     plant={"sentence": [0, 1, 2, 20, 21]}, amplitude=0.6, seed=0)
    >>> tagged = hftp.find_tagged(spectra, condition="sentences", control="within-shuffle")
    >>> table = hftp.effect_profile(tagged, n_boot=0)  # n_boot=0: no bootstrap intervals
    >>> table[["layer", "level", "n_channels", "effect_share"]]  # share of channels with effect > 0.2
       layer     level  n_channels  effect_share
    0      0  sentence          20          0.15
    1      0    phrase          20          0.00
    2      1  sentence          20          0.10
    3      1    phrase          20          0.00
    """
    import pandas as pd

    check_effect_result(result)
    delta = _min_effect(result, min_effect)
    n_boot = check_int("n_boot", n_boot, min_value=0)
    ci = check_fraction_open("ci", ci)
    seed = check_int("seed", seed, min_value=0)
    qs = [check_float("quantiles", q_, min_value=0.0, max_value=1.0) for q_ in quantiles]
    names = [_quantile_name(q_) for q_ in qs]
    col, groups = channel_groups(result["effect"])
    eff, levels = _levels_view(result, "effect")
    sel = _levels_view(result, "selective")[0] if "selective" in result else None
    rng = np.random.default_rng(seed)
    lo_q, hi_q = (1 - ci) / 2, 1 - (1 - ci) / 2
    rows = []
    for g in pd.unique(groups):
        m = groups == g
        for j, lv in enumerate(levels):
            x = eff[m, j]
            ok = np.isfinite(x)
            x = x[ok]
            row = {col: g, "level": lv, "n_channels": int(x.size)}
            if x.size:
                point = np.quantile(x, qs)
                if n_boot:
                    bq, share_b = _bootstrap(x, qs, delta, n_boot, rng)
                else:
                    bq = np.full((len(qs), 1), np.nan)
                    share_b = np.full(1, np.nan)
                for name, v, b in zip(names, point, bq, strict=True):
                    row[name] = float(v)
                    row[f"{name}_low"], row[f"{name}_high"] = np.quantile(b, [lo_q, hi_q])
                row["effect_share"] = float(np.mean(x > delta))
                row["effect_share_low"], row["effect_share_high"] = np.quantile(
                    share_b, [lo_q, hi_q]
                )
            else:
                for name in names:
                    row[name] = row[f"{name}_low"] = row[f"{name}_high"] = np.nan
                row["effect_share"] = row["effect_share_low"] = row["effect_share_high"] = np.nan
            if sel is not None:
                s = np.asarray(sel[m, j], dtype=bool)[ok]
                k = int(s.sum())
                row["selective_share"] = k / s.size if s.size else np.nan
                row["selective_share_low"], row["selective_share_high"] = _clopper_pearson(
                    k, s.size, ci
                )
            rows.append(row)
    df = pd.DataFrame(rows)
    df.attrs.update(group=col, min_effect=delta, ci=ci, n_boot=n_boot)
    return df


def _bootstrap(x: np.ndarray, qs: list[float], delta: float, n_boot: int, rng):
    """Channel-bootstrap quantiles (n_q, n_boot) and shares above δ (n_boot,).

    Equal to ``np.quantile`` (linear interpolation) of each resample, computed from how often
    each sorted value is drawn (counts, then cumulative counts), in blocks of bounded memory.
    """
    xs = np.sort(x)
    n = xs.size
    rank = np.empty(n, np.int64)
    rank[np.argsort(x, kind="stable")] = np.arange(n)
    n_above = n - int(np.searchsorted(xs, delta, side="right"))
    step = max(1, 4_000_000 // n)
    bq, share = [], []
    for start in range(0, n_boot, step):
        m = min(step, n_boot - start)
        draws = rank[rng.integers(0, n, size=(m, n), dtype=np.int32)]
        flat = (np.arange(m, dtype=np.int64)[:, None] * n + draws).ravel()
        counts = np.bincount(flat, minlength=m * n).reshape(m, n)
        cum = np.cumsum(counts, axis=1)
        block = []
        for q in qs:
            h = (n - 1) * q
            lo = int(np.floor(h))
            j_lo = (cum <= lo).sum(axis=1)
            j_hi = (cum <= min(lo + 1, n - 1)).sum(axis=1)
            block.append(xs[j_lo] + (h - lo) * (xs[j_hi] - xs[j_lo]))
        bq.append(np.array(block))
        share.append(counts[:, n - n_above :].sum(axis=1) / n)
    return np.concatenate(bq, axis=1), np.concatenate(share)


def _quantile_name(q: float) -> str:
    if np.isclose(q, 0.5):
        return "effect_median"
    return f"effect_p{round(100 * q):d}"


def _min_effect(result, min_effect) -> float:
    if min_effect is None:
        return float(result.attrs.get("min_effect", MIN_EFFECT))
    return check_float("min_effect", min_effect, min_value=0.0)


def effect_curve(result, deltas: Sequence[float] = EFFECT_DELTAS, *, q: float | None = None):
    """The estimated share θ̂ > δ, and the share ``selective``, as a curve over δ per group and level.

    Parameters
    ----------
    result : xarray.Dataset
        With ``effect`` (:func:`effect_test` or ``hftp.find_tagged``). With ``effect_adjusted``,
        ``effect_se`` and ``effect_df`` the interval null is re-tested at each δ; with the tagging
        p-values ``p`` too, ``selective`` is recomputed at each δ (BH over all channels × levels
        at ``q``), else ``selective_share`` is NaN.
    deltas : sequence of float
        The δ values (≥ 0). Default (0.1, 0.2, 0.3).
    q : float, optional
        FDR level. Default ``result.attrs["q"]``, else 0.05.

    Returns
    -------
    pandas.DataFrame
        Columns ``(<group>, level, min_effect, effect_share, selective_share)``; ``level``
        includes ``"any"`` (a channel counts when any level passes). ``df.attrs["group"]`` names
        the group column.

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra(
    ...     (2, 20), conditions=("sentences", "within-shuffle"), planted_in=("sentences",),
    ...     plant={"sentence": [0, 1, 2, 20, 21]}, amplitude=0.6, seed=0)
    >>> tagged = hftp.find_tagged(spectra, condition="sentences", control="within-shuffle")
    >>> curve = hftp.effect_curve(tagged, deltas=[0.1, 0.3])
    >>> curve.columns.tolist()
    ['layer', 'level', 'min_effect', 'effect_share', 'selective_share']
    >>> curve.query("level == 'sentence'")
       layer     level  min_effect  effect_share  selective_share
    0      0  sentence         0.1          0.15             0.15
    3      1  sentence         0.1          0.10             0.10
    6      0  sentence         0.3          0.15             0.15
    9      1  sentence         0.3          0.10             0.10
    """
    import pandas as pd

    check_effect_result(result)
    check_type("deltas", deltas, list | tuple | np.ndarray, "a sequence of δ values")
    deltas = [check_float("deltas", d, min_value=0.0) for d in deltas]
    if not deltas:
        raise InvalidValueError("Invalid value for 'deltas': empty; pass e.g. [0.1, 0.2, 0.3].")
    q = check_fraction_open("q", result.attrs.get("q", 0.05) if q is None else q)
    col, groups = channel_groups(result["effect"])
    eff, levels = _levels_view(result, "effect")
    can_test = all(v in result for v in ("effect_adjusted", "effect_se", "effect_df", "p"))
    if can_test:
        adj = _levels_view(result, "effect_adjusted")[0]
        se = _levels_view(result, "effect_se")[0]
        dfv = _levels_view(result, "effect_df")[0]
        p_tag = _levels_view(result, "p")[0]
    rows = []
    for d in deltas:
        above = np.nan_to_num(eff, nan=-np.inf) > d
        finite = np.isfinite(eff)
        if can_test:
            sel = selective_conjunction(p_tag, p_interval_null(adj, se, dfv, d), q)["selective"]
        for g in pd.unique(groups):
            m = groups == g
            cols = {lv: j for j, lv in enumerate(levels)}
            for lv, j in [*cols.items(), ("any", None)]:
                if j is None:
                    ok = finite[m].any(axis=1)
                    a = above[m].any(axis=1)[ok]
                    s = sel[m].any(axis=1)[ok] if can_test else None
                else:
                    ok = finite[m, j]
                    a = above[m, j][ok]
                    s = sel[m, j][ok] if can_test else None
                rows.append(
                    {
                        col: g,
                        "level": lv,
                        "min_effect": d,
                        "effect_share": float(a.mean()) if a.size else np.nan,
                        "selective_share": float(s.mean()) if s is not None and s.size else np.nan,
                    }
                )
    df = pd.DataFrame(rows)
    df.attrs["group"] = col
    return df


# overlap moved to hftp.tagging.sets (with the verdict-built categories) in hftp 0.3
__getattr__ = module_getattr(__name__, {"overlap": ("hftp.tagging.sets", "overlap")})
