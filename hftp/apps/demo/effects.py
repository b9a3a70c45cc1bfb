"""The demo's headline numbers: how large the structure-specific response is, where, with intervals.

:func:`run_demo` calls these after the tagging (``summary.json``'s ``numbers``; the report's
first finding, :mod:`hftp.apps.report.effects`, reads them):

- :func:`effect_numbers`: per layer and level, the effect profile (median and 90th percentile of
  θ̂ with neuron-bootstrap intervals, the estimated share θ̂ > δ with its interval, the share
  ``selective`` with its binomial interval) of the trained model, after the lexical baseline (the
  syntax estimate) and of the untrained model; the curve over δ; ``significant`` beside it;
- :func:`peak_layers`: the layers where the share ``selective`` peaks;
- :func:`category_effect`: the category-matched contrast (ANAN vs AVAV) with the same effect test;
- :func:`top_k_ablation`: the top-k neurons by ``effect_lower`` in the peak layers, ablated on
  new stimuli against random sets matched in per-layer count and activation variance.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

__all__ = [
    "effect_numbers",
    "peak_layers",
    "category_effect",
    "top_k_ablation",
    "EFFECT_COLUMNS",
    "TOP_K",
    "VARIANTS",
]

logger = logging.getLogger("hftp")

#: The effect-profile columns recorded per layer, level and variant (each with ``_low``/``_high``).
EFFECT_COLUMNS = ("effect_median", "effect_p90", "effect_share", "selective_share")
#: The top-k sets of the ablation (neurons per layer, ranked by ``effect_lower``).
TOP_K = (50, 200)
#: The variants of the profile: the trained model, after the lexical baseline, untrained.
VARIANTS = ("raw", "residual", "untrained")


def _r(x: Any) -> float | None:
    x = float(x)
    return round(x, 4) if np.isfinite(x) else None


def _profile_rows(result, n_boot: int, seed: int) -> dict[str, dict[str, dict[str, Any]]]:
    """layer → level → {column: value} of :func:`hftp.tagging.profile.effect_profile`."""
    from hftp.tagging.profile import effect_profile

    prof = effect_profile(result, n_boot=n_boot, seed=seed)
    sig = result["significant"].mean("neuron")
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for row in prof.to_dict("records"):
        layer, lv = str(int(row["layer"])), str(row["level"])
        cols = {"n_channels": int(row["n_channels"])}
        for c in EFFECT_COLUMNS:
            for suffix in ("", "_low", "_high"):
                if c + suffix in row:
                    cols[c + suffix] = _r(row[c + suffix])
        cols["significant_share"] = _r(sig.sel(layer=int(row["layer"]), level=lv))
        out.setdefault(layer, {})[lv] = cols
    return out


def _curve(result, deltas) -> dict[str, dict[str, dict[str, float | None]]]:
    """layer → δ → {effect_share, selective_share} at level ``any``."""
    from hftp.tagging.profile import effect_curve

    cur = effect_curve(result, list(deltas))
    cur = cur[cur["level"] == "any"]
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for row in cur.to_dict("records"):
        out.setdefault(str(int(row["layer"])), {})[f"{row['min_effect']:g}"] = {
            "effect_share": _r(row["effect_share"]),
            "selective_share": _r(row["selective_share"]),
        }
    return out


def _span(per_layer, variant: str, level: str, col: str) -> dict[str, Any] | None:
    """min and max of one column over layers, with their layers."""
    vals = {
        k: v[level][variant][col]
        for k, v in per_layer.items()
        if variant in v.get(level, {}) and v[level][variant].get(col) is not None
    }
    if not vals:
        return None
    lo, hi = min(vals, key=vals.get), max(vals, key=vals.get)
    return {"min": vals[lo], "min_layer": int(lo), "max": vals[hi], "max_layer": int(hi)}


def effect_numbers(
    tagged,
    residual=None,
    untrained=None,
    *,
    deltas=(0.1, 0.2, 0.3),
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """The effect profile per layer: raw, after the lexical baseline and untrained.

    Parameters
    ----------
    tagged : xarray.Dataset
        ``find_tagged`` of the trained model (calibrated mode: with ``effect`` and
        ``selective``), dims (layer, neuron, level).
    residual, untrained : xarray.Dataset, optional
        The same after the lexical baseline, and on the untrained model.
    deltas : sequence of float
        The δ values of the curve. Default (0.1, 0.2, 0.3).
    n_boot : int
        Neuron-bootstrap resamples of the intervals. Default 1000.
    seed : int
        Seed of the bootstrap. Default 0.

    Returns
    -------
    dict
        ``{"per_layer": {layer: {level: {variant: {column: value}}}}, "curve": {variant: {layer:
        {δ: {effect_share, selective_share}}}}, "summary": {variant: {level: {column: {min,
        min_layer, max, max_layer}}}}, "setup": {...}}``; variants ``raw``, ``residual``,
        ``untrained`` (those given); columns :data:`EFFECT_COLUMNS` with ``_low``/``_high``
        (95% intervals), ``n_channels`` and ``significant_share`` (power, not effect).
    """
    from hftp.tagging.profile import check_effect_result

    check_effect_result(tagged, "tagged")
    per_layer: dict[str, dict[str, dict[str, Any]]] = {}
    curve: dict[str, Any] = {}
    given = {"raw": tagged, "residual": residual, "untrained": untrained}
    given = {k: v for k, v in given.items() if v is not None and "effect" in v}
    for name, res in given.items():
        for layer, levels in _profile_rows(res, n_boot, seed).items():
            for lv, cols in levels.items():
                per_layer.setdefault(layer, {}).setdefault(lv, {})[name] = cols
        curve[name] = _curve(res, deltas)
    levels = [str(v) for v in tagged["level"].values]
    summary = {
        name: {
            lv: {c: _span(per_layer, name, lv, c) for c in (*EFFECT_COLUMNS, "significant_share")}
            for lv in levels
        }
        for name in given
    }
    return {
        "per_layer": per_layer,
        "curve": curve,
        "summary": summary,
        "setup": {
            "min_effect": float(tagged.attrs.get("min_effect", 0.2)),
            "deltas": [float(d) for d in deltas],
            "ci": 0.95,
            "n_boot": int(n_boot),
            "variants": list(given),
            "estimand": "θ = (|μ_e| − |μ_c|)/(σ·a): structure-specific amplitude in channel SDs",
        },
    }


def peak_layers(numbers: dict[str, Any], k: int = 5) -> list[int]:
    """The ``k`` layers with the largest share ``selective`` (any level) in :func:`effect_numbers`.

    The lexical-baseline profile decides when present (the syntax estimate), else the raw one;
    ties go to the larger estimated share, then to layer order.

    Parameters
    ----------
    numbers : dict
        :func:`effect_numbers`'s output.
    k : int
        Number of layers. Default 5.

    Returns
    -------
    list of int
        Layer indices, highest first.
    """
    per_layer = numbers["per_layer"]
    variant = "residual" if "residual" in numbers["setup"]["variants"] else "raw"

    def score(layer: str) -> tuple[float, float, int]:
        rows = [v[variant] for v in per_layer[layer].values() if variant in v]
        sel = max((r.get("selective_share") or 0.0 for r in rows), default=0.0)
        share = max((r.get("effect_share") or 0.0 for r in rows), default=0.0)
        return (-sel, -share, int(layer))

    return [int(layer) for layer in sorted(per_layer, key=score)[:k]]


def category_effect(
    spectra, *, residual=None, q: float, seed: int, n_boot: int = 1000
) -> dict[str, Any] | None:
    """The category-matched contrast (phrases vs category alternation) with the effect test.

    Both designs alternate word category at the phrase rate and only one forms phrases, so the
    phrase-level effect θ̂ of phrases against category alternation is the structure part that
    category rhythm cannot give. The two designs draw different words (adjectives and nouns
    against adjectives and verbs), so on the raw responses word differences can drive it; the
    ``residual`` Spectra take each neuron's response to each word out first, with a lexical
    baseline fitted on these designs' own words in random order
    (:func:`hftp.stimuli.random_words_from`).

    Parameters
    ----------
    spectra : xarray.Dataset
        The pooled model Spectra with conditions ``np-phrases`` and ``category-alternation``.
    residual : xarray.Dataset, optional
        The same conditions probed with that lexical baseline (``lexical_baseline=`` the
        random-words control of their words).
    q : float
        FDR level.
    seed : int
        Seed of the tagging test and the bootstrap.
    n_boot : int
        Bootstrap resamples. Default 1000.

    Returns
    -------
    dict or None
        ``{"per_layer": {layer: {column: value}}, "summary": {column: span}, "setup": ...}`` at
        the phrase level on the raw responses, and with ``residual`` the same after the lexical
        baseline under ``per_layer_residual`` and ``summary_residual``; None when the
        conditions are absent.
    """
    from hftp.tagging.contrasts import get_contrast
    from hftp.tagging.pipeline import find_tagged

    pc = get_contrast("phrases-vs-category-alternation")
    level = str(pc.levels[0])

    def one(sp) -> tuple[dict, dict] | None:
        if not {pc.condition, pc.control} <= set(map(str, sp["condition"].values)):
            return None
        ph = find_tagged(sp, pc.condition, pc.control, q=q, levels=list(pc.levels), seed=seed)
        if "effect" not in ph:
            return None
        rows = _profile_rows(ph, n_boot, seed)
        per_layer = {layer: v[level] for layer, v in rows.items() if level in v}
        nest = {layer: {level: {"raw": v}} for layer, v in per_layer.items()}
        cols = (*EFFECT_COLUMNS, "significant_share")
        return per_layer, {c: _span(nest, "raw", level, c) for c in cols}, ph

    raw = one(spectra)
    if raw is None:
        return None
    out: dict[str, Any] = {
        "per_layer": raw[0],
        "summary": raw[1],
        "setup": {
            "contrast": f"{pc.condition} vs {pc.control} (ANAN vs AVAV)",
            "level": level,
            "responses": "raw",
            "min_effect": float(raw[2].attrs.get("min_effect", 0.2)),
        },
    }
    res = one(residual) if residual is not None else None
    if res is not None:
        out["per_layer_residual"], out["summary_residual"] = res[0], res[1]
        out["setup"]["responses"] = (
            "raw, and after the lexical baseline fitted on a random-words control of the two "
            "designs' own words (hftp.stimuli.random_words_from)"
        )
    return out


def top_k_ablation(
    mdl, tok, ranked, layers, *, cfg, top_k=TOP_K, progress: bool = False
) -> tuple[dict[str, Any], Any]:
    """Mean-ablate the top-k neurons by ``effect_lower`` of ``layers`` on new stimuli.

    The null is :func:`hftp.models.ablation.ablate`'s default: random sets of the same count per
    layer and the same distribution of activation variance. The stimuli are new (seed
    ``cfg.seed + 2``: independent of the selection), 3 sequences of 12 sentences per condition
    of sentences, within-shuffle and random-words, with 100 random sets (with ``quick``: 2
    sequences of 8 sentences, 20 sets).

    Parameters
    ----------
    mdl, tok
        The model and its tokenizer.
    ranked : xarray.Dataset
        The ``find_tagged`` result whose ``effect_lower`` ranks the neurons (the demo passes the
        one after the lexical baseline).
    layers : list of int
        The layers (where selectivity peaks, chosen on the tagging stimuli).
    cfg : DemoConfig
        Its ``quick``, ``seed`` and ``batch_size`` are used.
    top_k : sequence of int
        Neurons per layer of each set. Default (50, 200).
    progress : bool
        Show progress bars.

    Returns
    -------
    numbers : dict
        Per set (``top50``, ``top200``): neurons, the sentences-minus-controls contrast with its
        null, z and p, each condition's own change and null; the first set's numbers also at the
        top level (the fields of hftp 0.2's ablation).
    result : xarray.Dataset
        The ablation result (for the figure).
    """
    from hftp.apps.demo.checks import MAIN_CONDITIONS
    from hftp.models.ablation import ablate, ablation_table
    from hftp.stimuli.generation import make_stimuli

    n_random, n_seq, n_sent = (20, 2, 8) if cfg.quick else (100, 3, 12)
    stim = make_stimuli(
        "en", design=list(MAIN_CONDITIONS), n_sequences=n_seq, n_sentences=n_sent, seed=cfg.seed + 2
    )
    res = ablate(
        mdl,
        tok,
        stim,
        ranked,
        top_k=list(top_k),
        rank_by="effect_lower",
        layers=list(layers),
        n_random=n_random,
        seed=cfg.seed,
        batch_size=cfg.batch_size,
        progress=progress,
    )
    table = ablation_table(res).set_index("set")
    sets = {}
    for name in map(str, res["set"].values):
        row = table.loc[name]
        per_condition = {
            str(c): {
                k: _r(res[k].sel(set=name, condition=c).squeeze())
                for k in ("change", "null_mean", "null_sd", "z", "p")
                if k in res
            }
            for c in res["condition"].values
        }
        for c in res["condition"].values:
            per_condition[str(c)]["intact"] = _r(res["intact"].sel(condition=c).squeeze())
        sets[name] = {
            "n_neurons": int(row["n_neurons"]),
            "per_condition": per_condition,
            **{
                k: _r(row[k])
                for k in (
                    "contrast",
                    "contrast_null_mean",
                    "contrast_null_sd",
                    "contrast_z",
                    "contrast_p",
                )
            },
        }
        for k in ("set_variance", "null_variance"):
            if k in res:
                sets[name][k] = _r(res[k].sel(set=name))
    first = sets[next(iter(sets))]
    numbers = {
        "layers": [int(x) for x in layers],
        "selection": "top k per layer by effect_lower after the lexical baseline, on the "
        "tagging stimuli",
        "rank_by": "effect_lower",
        "null": str(res.attrs.get("null", "")),
        "n_random": n_random,
        "method": str(res.attrs.get("method", "mean")),
        "stimuli": f"seed {cfg.seed + 2}: {n_seq} sequences of {n_sent} sentences per condition",
        "sets": sets,
        **first,
    }
    return numbers, res
