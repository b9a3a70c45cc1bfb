"""Channel sets from a tagging result's verdicts, and the overlap of two sets with its chance level.

A :func:`hftp.find_tagged` result names channels by category (sentence, phrase, shared, none)
from a verdict. ``category`` comes from ``significant`` (tested against zero: with many trials
nearly every category-sensitive channel); ``selective_category`` from ``selective`` (tagged AND
an effect above δ: the channels whose structure-specific response is surely large).
:func:`add_categories` builds the categories of any boolean verdict (older results, or
``replicated``), :func:`category_variable` names them, and :func:`overlap` compares the sets of
two results (two checkpoints, two languages) per layer and category, with the hypergeometric
chance level. The same sets feed the ablation (``hftp.models.ablate(..., verdict=...)``, or the
top k per layer by ``effect_lower``) and the alignment's neuron selection (``hftp.align(...,
verdict=...)``).
"""

from __future__ import annotations

import numpy as np

from hftp._validation import InvalidValueError
from hftp.tagging.profile import categories, channel_groups, check_result

__all__ = ["add_categories", "category_variable", "overlap"]


def category_variable(verdict: str) -> str:
    """The name of the category variable built from ``verdict``.

    Parameters
    ----------
    verdict : str
        ``"significant"`` or another boolean verdict of a result (``"selective"``, ...).

    Returns
    -------
    str
        ``"category"`` for ``"significant"`` (its name since hftp 0.1), else
        ``"{verdict}_category"``.
    """
    return "category" if verdict == "significant" else f"{verdict}_category"


def add_categories(tagged, verdict: str = "selective"):
    """The result with sentence / phrase / shared categories built from another verdict.

    ``category`` comes from ``significant`` (tested against zero). Built from ``selective``
    (tagged AND effect above δ), the categories name the channels whose structure-specific
    effect is surely large; the ablation (``hftp.models.ablate(..., verdict="selective")``),
    :func:`overlap` (``verdict=``) and the alignment's neuron selection (``hftp.align(...,
    verdict="selective")``) read them.

    Parameters
    ----------
    tagged : xarray.Dataset
        From :func:`hftp.find_tagged`, with the boolean verdict ``verdict`` over
        ``(*channels, level)``.
    verdict : str
        The verdict. Default ``"selective"``.

    Returns
    -------
    xarray.Dataset
        A shallow copy with ``{verdict}_category`` (dims ``(*channels,)``, values from
        ``CATEGORIES``); the same object's data otherwise. ``"significant"`` returns the result
        as it is (its ``category``).
    """
    check_result(tagged)
    if verdict == "significant":
        return tagged
    if (
        verdict not in tagged
        or tagged[verdict].dtype != bool
        or "level" not in tagged[verdict].dims
    ):
        raise InvalidValueError(
            f"Invalid value for 'verdict': the result has no boolean {verdict!r} over levels (it "
            f"has {sorted(map(str, tagged.data_vars))}). Tag with find_tagged(..., "
            "min_effect=...) (calibrated mode) for 'selective'."
        )
    out = tagged.copy()
    cat = categories(tagged[verdict])
    cat.name = category_variable(verdict)
    out[cat.name] = cat
    return out


def overlap(a, b, *, verdict: str = "significant"):
    """Overlap of the tagged channels of two results, per layer and category, with its chance level.

    Use it for two checkpoints of one architecture (base vs fine-tuned: is a neuron still tagged
    after training?) or two languages in one model (the same neurons for English and Chinese?).

    Parameters
    ----------
    a, b : xarray.Dataset
        From :func:`find_tagged` on the same channels (same dims and coords).
    verdict : str
        The verdict whose categories are compared: ``"significant"`` (default, ``category``) or
        ``"selective"`` (tagged AND effect above δ; ``selective_category``, built by
        :func:`add_categories` when absent). With ``significant`` nearly every
        category-sensitive channel is in both sets at many trials, so a large overlap says
        little; ``selective`` sets are the ones whose effect is large.

    Returns
    -------
    pandas.DataFrame
        One row per group (``layer`` for model results; see :func:`layer_profile`) and category
        (sentence, phrase, shared, and ``"tagged"``: any category but none). Columns:

        - ``n``: channels in the group; ``n_a``, ``n_b``, ``n_both``: channels in the category in a, in b,
          in both;
        - ``expected``: the hypergeometric expectation of ``n_both`` under independent
          selection, n_a n_b / n;
        - ``dice`` = 2|A∩B| / (|A| + |B|) (NaN when both sets are empty);
        - ``chance``: the Dice expected if b's channels were drawn at random with the same counts,
          2 n_a n_b / (n (n_a + n_b));
        - ``p``: hypergeometric P(|A∩B| >= n_both) under that independent selection (one-sided:
          more overlap than chance). It is discrete, hence conservative for small sets;
        - ``retention`` = n_both / n_a, the share of a's channels still in the category in b (NaN when
          a has none), and ``retention_chance`` = n_b / n, its expectation under independence.

        ``df.attrs["group"]`` names the group column and ``df.attrs["verdict"]`` the verdict.

    Notes
    -----
    For an ablation on both checkpoints, ``hftp.models.ablate({"a": model_a, "b": model_b},
    tok, stim, tagged_a)`` ablates a's tagged neurons in each; ``ablation_table`` of it has one row
    per (model, category) and merges with this table on the category
    (``ov.merge(table.rename(columns={"set": "category"}), on="category")``).

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra(
    ...     (2, 20), conditions=("sentences", "within-shuffle"), planted_in=("sentences",),
    ...     plant={"sentence": [0, 1, 2, 20, 21]}, amplitude=0.6, seed=0)
    >>> tagged = hftp.find_tagged(spectra, condition="sentences", control="within-shuffle")
    >>> again = hftp.find_tagged(  # the same channels, other noise (another seed)
    ...     planted_spectra((2, 20), conditions=("sentences", "within-shuffle"),
    ...                     planted_in=("sentences",), plant={"sentence": [0, 1, 2, 20, 21]},
    ...                     amplitude=0.6, seed=1),
    ...     condition="sentences", control="within-shuffle")
    >>> table = hftp.overlap(tagged, again)
    >>> table[table["category"] == "sentence"][["layer", "n_a", "n_b", "n_both", "dice"]]
       layer  n_a  n_b  n_both  dice
    0      0    3    3       3   1.0
    4      1    2    2       2   1.0
    """
    import pandas as pd
    from scipy.stats import hypergeom

    check_result(a, "a")
    check_result(b, "b")
    var = category_variable(verdict)
    ca, cb = (r[var] if var in r else add_categories(r, verdict)[var] for r in (a, b))
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
    col, g = channel_groups(ca)
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
                    "expected": na * nb / n if n else np.nan,
                    "dice": 2 * nab / (na + nb) if na + nb else np.nan,
                    "chance": 2 * na * nb / (n * (na + nb)) if na + nb else np.nan,
                    "p": float(hypergeom.sf(nab - 1, n, na, nb)),
                    "retention": nab / na if na else np.nan,
                    "retention_chance": nb / n,
                }
            )
    df = pd.DataFrame(rows)
    df.attrs["group"] = col
    df.attrs["verdict"] = verdict
    return df
