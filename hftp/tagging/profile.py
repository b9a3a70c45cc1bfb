"""Summaries of tagging results: categories, per-layer (or per-region) profiles, overlap, SNR curves.

:func:`categories` turns the per-level verdicts into a category per channel (``CATEGORIES``);
:func:`check_result` is the check every summary makes of a :func:`hftp.find_tagged` result.

:func:`layer_profile` puts side by side, per layer and category, the fraction of channels that are

- ``proportion``: significant (the FDR-controlled conjunction, see :mod:`hftp.tagging.calibrated`);
- ``replicated``: selected on one half of the trials and confirmed on the other (when the result
  came from a split Spectra, ``hftp.probe(..., split=True)``);
- ``residual``: significant after the lexical baseline (a result on the residual spectra,
  :mod:`hftp.tagging.lexical`), i.e. rhythm beyond word identity;
- ``untrained``: significant in the untrained model (the same architecture, random weights).

:func:`snr_curve` gives the fraction significant as a function of an SNR floor: with many trials
nearly every category-sensitive channel is significant, and the curve shows how much of it is large.
"""

from __future__ import annotations

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError, check_type

__all__ = [
    "CATEGORIES",
    "SNR_FLOORS",
    "categories",
    "category_fractions",
    "check_result",
    "layer_profile",
    "overlap",
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
    cat = tagged["category"]
    if "layer" in cat.dims:
        g = cat["layer"].broadcast_like(cat)
        return "layer", g.transpose(*cat.dims).values.ravel()
    if "region" in cat.coords:
        return "region", cat["region"].broadcast_like(cat).transpose(*cat.dims).values.ravel()
    return "group", np.full(cat.size, "all", dtype=object)


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


def layer_profile(tagged, *, residual=None, untrained=None):
    """Count and proportion of channels per layer (or region) and category, with the comparisons.

    Parameters
    ----------
    tagged : xarray.Dataset
        From :func:`find_tagged`. When it has ``replicated`` (a split Spectra), the profile gets a
        ``replicated`` column.
    residual : xarray.Dataset, optional
        :func:`find_tagged` on the residual spectra after the lexical baseline
        (``hftp.probe(..., lexical_baseline="random-words")`` or :func:`hftp.lexical_residual`).
        Adds a ``residual`` column.
    untrained : xarray.Dataset, optional
        :func:`find_tagged` on the untrained model. Adds an ``untrained`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``(<group>, category, count, proportion)`` plus ``replicated``, ``residual``,
        ``untrained`` where available (proportions of the group's channels in that category), one
        row per group and category (all four categories, zeros included). ``<group>`` is
        ``layer`` for model results, ``region`` for brain results with a region coord, else
        ``group`` with the single value ``"all"``. ``df.attrs["group"]`` names that column.
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
    counts.attrs["group"] = col
    return counts


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


def overlap(a, b):
    """Overlap of the tagged channels of two results, per layer and category, with its chance level.

    Use it for two checkpoints of one architecture (base vs fine-tuned: is a neuron still tagged
    after training?) or two languages in one model (the same neurons for English and Chinese?).

    Parameters
    ----------
    a, b : xarray.Dataset
        From :func:`find_tagged` on the same channels (same dims and coords).

    Returns
    -------
    pandas.DataFrame
        One row per group (``layer`` for model results; see :func:`layer_profile`) and category
        (sentence, phrase, shared, and ``"tagged"``: any category but none). Columns:

        - ``n``: channels in the group; ``n_a``, ``n_b``, ``n_both``: channels in the category in a, in b,
          in both;
        - ``dice`` = 2|A∩B| / (|A| + |B|) (NaN when both sets are empty);
        - ``chance``: the Dice expected if b's channels were drawn at random with the same counts,
          2 n_a n_b / (n (n_a + n_b));
        - ``p``: hypergeometric P(|A∩B| >= n_both) under that independent selection (one-sided:
          more overlap than chance). It is discrete, hence conservative for small sets;
        - ``retention`` = n_both / n_a, the share of a's channels still in the category in b (NaN when
          a has none), and ``retention_chance`` = n_b / n, its expectation under independence.

        ``df.attrs["group"]`` names the group column.

    Notes
    -----
    For an ablation on both checkpoints, ``hftp.models.ablate({"a": model_a, "b": model_b},
    tok, stim, tagged_a)`` ablates a's tagged neurons in each; ``ablation_table`` of it has one row
    per (model, category) and merges with this table on the category
    (``ov.merge(table.rename(columns={"set": "category"}), on="category")``).
    """
    import pandas as pd
    from scipy.stats import hypergeom

    check_result(a, "a")
    check_result(b, "b")
    ca, cb = a["category"], b["category"]
    if ca.dims != cb.dims or ca.shape != cb.shape:
        raise InvalidValueError(
            f"Invalid value for 'b': its channels {dict(cb.sizes)} differ from those of 'a' "
            f"{dict(ca.sizes)}. Compare results on the same channels (same model architecture or channels)."
        )
    for d in ca.dims:
        if d in ca.coords and d in cb.coords and not np.array_equal(ca[d].values, cb[d].values):
            raise InvalidValueError(
                f"Invalid value for 'b': its {d!r} coordinates differ from those of 'a'. "
                "Compare results on the same channels."
            )
    col, g = _groups(a)
    va, vb = ca.values.ravel(), cb.values.ravel()
    rows = []
    for grp in pd.unique(g):
        m = g == grp
        n = int(m.sum())
        for c in ("sentence", "phrase", "shared", "tagged"):
            sa = (va[m] != "none") if c == "tagged" else (va[m] == c)
            sb = (vb[m] != "none") if c == "tagged" else (vb[m] == c)
            na, nb, nab = int(sa.sum()), int(sb.sum()), int((sa & sb).sum())
            rows.append(
                {
                    col: grp,
                    "category": c,
                    "n": n,
                    "n_a": na,
                    "n_b": nb,
                    "n_both": nab,
                    "dice": 2 * nab / (na + nb) if na + nb else np.nan,
                    "chance": 2 * na * nb / (n * (na + nb)) if na + nb else np.nan,
                    "p": float(hypergeom.sf(nab - 1, n, na, nb)),
                    "retention": nab / na if na else np.nan,
                    "retention_chance": nb / n,
                }
            )
    df = pd.DataFrame(rows)
    df.attrs["group"] = col
    return df
