"""The demo's checks of what the tagged fractions mean: replication, lexical baseline, contrasts,
tokenization and causal ablation.

:func:`run_demo` calls these after the headline tagging. Each returns JSON-ready numbers (a group
of ``summary.json``'s ``numbers``, read by the report's findings in
:mod:`hftp.apps.report.checks`):

- :func:`beyond_lexical`: per layer, the share of neurons tagged without a control, significant
  against the control, replicated on independent halves of the trials, significant after the
  lexical baseline, and in the untrained model; the random-words null before and after the
  residual; the category-matched contrast ``phrases-vs-category-alternation`` (ANAN vs AVAV).
- :func:`token_sharing`: per condition, the share of units that share a token with another unit.
- :func:`ablation`: the next-unit loss change when the sentence-tagged neurons of the richest
  layers are mean-ablated, against random neuron sets of the same count per layer, on stimuli
  independent of the selection.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np

__all__ = [
    "beyond_lexical",
    "token_sharing",
    "richest_layers",
    "ablation",
    "subset",
    "MAIN_CONDITIONS",
]

logger = logging.getLogger("hftp")

#: The main contrast's conditions plus the null: the lexical baseline runs on these.
MAIN_CONDITIONS = ("sentences", "within-shuffle", "random-words")


def _share(da) -> float:
    return round(float(np.asarray(da.values, bool).mean()), 4)


def _per_layer(tagged, var: str = "significant") -> dict[int, float]:
    """Share of each layer's neurons with ``var`` true at any level."""
    v = tagged[var].any("level") if "level" in tagged[var].dims else tagged[var]
    return {int(layer): _share(v.sel(layer=layer)) for layer in tagged["layer"].values}


def subset(stim, conditions):
    """The units of ``stim`` in ``conditions``, as a StimulusSet.

    Parameters
    ----------
    stim : StimulusSet
        The stimuli.
    conditions : sequence of str
        The conditions to keep.

    Returns
    -------
    StimulusSet
        Same metadata; only the units (rows) of those conditions.
    """
    from hftp.stimuli.stimulus_set import StimulusSet

    keep = stim.units["condition"].isin(list(conditions))
    return StimulusSet(units=stim.units[keep].reset_index(drop=True), meta=stim.meta)


def beyond_lexical(
    mdl, tok, stim, spectra, tagged, tagged_untrained, null, *, cfg, cached, progress: bool
) -> tuple[dict[str, Any], Any]:
    """Replication, the lexical baseline and the category-matched contrast, per layer.

    Parameters
    ----------
    mdl, tok
        The model and its tokenizer.
    stim : StimulusSet
        The demo's stimuli (all designs).
    spectra : xarray.Dataset
        The pooled model Spectra, dims (condition, layer, neuron, freq).
    tagged, tagged_untrained : xarray.Dataset
        ``find_tagged`` of sentences vs within-shuffle on the split (trained) and the untrained
        Spectra; ``tagged`` carries ``replicated``.
    null : xarray.Dataset
        ``find_tagged`` of the random-words condition alone on ``spectra`` (the demo's null
        check, reused here).
    cfg : DemoConfig
        Its ``q``, ``seed``, ``layers`` and ``batch_size`` are used.
    cached : callable
        ``cached(name, make)``: the demo's resumable result store.
    progress : bool
        Show progress bars.

    Returns
    -------
    numbers : dict
        ``{"per_layer": {layer: {column: share}}, "overall": {...}, "setup": {...}}``.
    residual_tagged : xarray.Dataset
        ``find_tagged`` on the residual Spectra (for the profile figure).
    """
    from hftp.models.probing import probe
    from hftp.tagging.contrasts import get_contrast
    from hftp.tagging.pipeline import find_tagged

    q, seed = cfg.q, cfg.seed
    resid = cached(
        "model_spectra_residual",
        lambda: probe(
            mdl,
            tok,
            subset(stim, MAIN_CONDITIONS),
            layers=cfg.layers,
            batch_size=cfg.batch_size,
            lexical_baseline="random-words",
            progress=progress,
        ),
    )
    main = get_contrast("sentences-vs-within-shuffle")
    rr = find_tagged(resid, main.condition, main.control, q=q, seed=seed)
    no_control = find_tagged(spectra, main.condition, q=q, seed=seed)
    null_res = find_tagged(resid, "random-words", q=q, seed=seed)
    columns = {
        "tagged_no_control": _per_layer(no_control),
        "significant": _per_layer(tagged),
        "replicated": _per_layer(tagged, "replicated") if "replicated" in tagged else {},
        "residual_after_lexical_baseline": _per_layer(rr),
        "untrained": _per_layer(tagged_untrained),
        "random_words_null": _per_layer(null),
        "null_after_residual": _per_layer(null_res),
    }
    pc = get_contrast("phrases-vs-category-alternation")
    if {pc.condition, pc.control} <= set(map(str, spectra["condition"].values)):
        ph = find_tagged(spectra, pc.condition, pc.control, q=q, levels=list(pc.levels), seed=seed)
        columns["phrases_vs_category_alternation"] = _per_layer(ph)
    layers = [int(v) for v in spectra["layer"].values]
    per_layer = {
        str(layer): {name: col[layer] for name, col in columns.items() if col} for layer in layers
    }

    def anywhere(res, var="significant"):  # share of neurons, any level
        return _share(res[var].any("level") if "level" in res[var].dims else res[var])

    overall = {
        "tagged_no_control": anywhere(no_control),
        "significant": anywhere(tagged),
        "replicated": anywhere(tagged, "replicated") if "replicated" in tagged else None,
        "residual_after_lexical_baseline": anywhere(rr),
        "untrained": anywhere(tagged_untrained),
        "random_words_null": anywhere(null),
        "null_after_residual": anywhere(null_res),
    }
    if "phrases_vs_category_alternation" in columns:
        overall["phrases_vs_category_alternation"] = anywhere(ph)
    numbers = {
        "per_layer": per_layer,
        "overall": {k: v for k, v in overall.items() if v is not None},
        "setup": {
            "q": q,
            "lexical_baseline": "random-words",
            "replication": str(tagged.attrs.get("replication", "none")),
            "n_layers": len(layers),
        },
    }
    return numbers, rr


def token_sharing(spectra) -> dict[str, float]:
    """Per condition, the share of units sharing a token with another unit (from provenance).

    Parameters
    ----------
    spectra : xarray.Dataset
        A model Spectra from ``hftp.probe`` (its ``token_sharing`` attr).

    Returns
    -------
    dict
        condition → fraction in [0, 1]; empty when the Spectra does not record it.
    """
    raw = spectra.attrs.get("token_sharing")
    if raw is None:
        return {}
    got = json.loads(raw) if isinstance(raw, str) else dict(raw)
    return {str(k): round(float(v), 4) for k, v in got.items()}


def richest_layers(tagged, category: str = "sentence", k: int = 5) -> list[int]:
    """The ``k`` layers with the largest share of neurons in ``category``.

    Parameters
    ----------
    tagged : xarray.Dataset
        A ``find_tagged`` result on model spectra, dims (layer, neuron, ...).
    category : str
        ``"sentence"``, ``"phrase"`` or ``"shared"``. Default ``"sentence"``.
    k : int
        Number of layers. Default 5.

    Returns
    -------
    list of int
        Layer indices, richest first (ties in layer order).
    """
    from hftp.tagging.profile import layer_profile

    prof = layer_profile(tagged)
    share = prof[prof["category"] == category].set_index("layer")["proportion"]
    return [int(i) for i in share.sort_values(ascending=False, kind="stable").index[:k]]


def ablation(mdl, tok, tagged, *, cfg, progress: bool) -> tuple[dict[str, Any], Any]:
    """Mean-ablate the sentence-tagged neurons of the 5 richest layers; random sets as the null.

    The ablation stimuli are new (seed ``cfg.seed + 2``: independent of the selection), 3
    sequences of 12 sentences per condition of :data:`MAIN_CONDITIONS`, and ``n_random`` is 100
    (with ``quick``: 2 sequences of 8 sentences, 20 random sets).

    Parameters
    ----------
    mdl, tok
        The model and its tokenizer.
    tagged : xarray.Dataset
        The headline ``find_tagged`` result, dims (layer, neuron, level).
    cfg : DemoConfig
        Its ``quick``, ``seed`` and ``batch_size`` are used.
    progress : bool
        Show progress bars.

    Returns
    -------
    numbers : dict
        The ``ablation_table`` row of the sentence set, the per-condition changes, the layers.
    result : xarray.Dataset
        :func:`hftp.models.ablation.ablate`'s result (for the figure).
    """
    from hftp.models.ablation import ablate, ablation_table
    from hftp.stimuli.generation import make_stimuli

    layers = richest_layers(tagged, "sentence", 5)
    n_random, n_seq, n_sent = (20, 2, 8) if cfg.quick else (100, 3, 12)
    stim = make_stimuli(
        "en", design=list(MAIN_CONDITIONS), n_sequences=n_seq, n_sentences=n_sent, seed=cfg.seed + 2
    )
    res = ablate(
        mdl,
        tok,
        stim,
        tagged,
        categories="sentence",
        layers=layers,
        n_random=n_random,
        seed=cfg.seed,
        batch_size=cfg.batch_size,
        progress=progress,
    )
    row = ablation_table(res).iloc[0]
    per_condition = {
        str(c): {
            "intact": round(float(res["intact"].sel(condition=c).squeeze()), 4),
            "change": round(float(res["change"].sel(condition=c).squeeze()), 4),
            "null_mean": round(float(res["null_mean"].sel(condition=c).squeeze()), 4),
            "null_sd": round(float(res["null_sd"].sel(condition=c).squeeze()), 4),
            "p": round(float(res["p"].sel(condition=c).squeeze()), 4),
        }
        for c in res["condition"].values
    }
    numbers = {
        "layers": layers,
        "n_neurons": int(row["n_neurons"]),
        "n_random": n_random,
        "method": str(res.attrs.get("method", "mean")),
        "stimuli": f"seed {cfg.seed + 2}: {n_seq} sequences of {n_sent} sentences per condition",
        "per_condition": per_condition,
        "contrast": round(float(row["contrast"]), 4),
        "contrast_null_mean": round(float(row["contrast_null_mean"]), 4),
        "contrast_null_sd": round(float(row["contrast_null_sd"]), 4),
        "contrast_z": round(float(row["contrast_z"]), 3),
        "contrast_p": round(float(row["contrast_p"]), 4),
    }
    return numbers, res
