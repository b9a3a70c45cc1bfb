"""Tagging on the real default model (SmolLM2-135M): per layer, % tagged, replicated, residual
after the lexical baseline, untrained; the random-words null; phrases vs category alternation.

Prints JSON. Everything is seeded. The README's table comes from ``make demo`` (the same
analyses in ``hftp.apps.demo.checks``, all layers, 100 shuffles); this script is the standalone
version for a quick look at a subset of layers, with the first sentence dropped:

    PYTHONPATH=. python benchmarks/real_tagging.py --n-sequences 60 --n-sentences 25 --every 5

Conditions: sentences, within-shuffle (control), random-words (null and lexical baseline),
np-phrases and category-alternation. q = 0.05, calibrated mode (evoked F-test, evoked-matched
specificity, intersection–union conjunction). The first sentence is dropped (attention sink).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings

import numpy as np


def frac(da) -> float:
    return round(float(np.asarray(da.values, bool).mean()), 4)


def per_layer(r, var: str = "significant") -> dict:
    v = r[var].any("level") if "level" in r[var].dims else r[var]
    return {int(layer): frac(v.sel(layer=layer)) for layer in r["layer"].values}


def main(argv=None) -> dict:
    import hftp
    from hftp.models.load import untrained
    from hftp.spectral.splits import pool_splits
    from hftp.stimuli.stimulus_set import StimulusSet
    from hftp.tagging.contrasts import get_contrast
    from hftp.tagging.pipeline import find_tagged

    ap = argparse.ArgumentParser()
    ap.add_argument("--n-sequences", type=int, default=60)
    ap.add_argument("--n-sentences", type=int, default=25)
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--progress", action="store_true")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    model, tok = hftp.load_model()
    n_layers = model.config.num_hidden_layers
    layers = sorted(set(range(0, n_layers, a.every)) | {n_layers - 1})
    stim = hftp.make_stimuli(
        "en",
        design=["sentences", "within-shuffle", "random-words", "phrases", "category-alternation"],
        n_sequences=a.n_sequences,
        n_sentences=a.n_sentences,
        seed=0,
    )
    u = stim.units[stim.units["condition"] != "vp-phrases"].reset_index(drop=True)
    stim = StimulusSet(units=u, meta=stim.meta)
    kw = dict(layers=layers, batch_size=a.batch_size, drop_units=4, progress=a.progress)
    split = hftp.probe(model, tok, stim, split=True, **kw)
    # the phrases / category-alternation designs draw other words than the random-words pool, so
    # the lexical baseline (and the untrained model) run on the main contrast and the null only
    keep = stim.units["condition"].isin(["sentences", "within-shuffle", "random-words"])
    main_stim = StimulusSet(units=stim.units[keep].reset_index(drop=True), meta=stim.meta)
    resid = hftp.probe(model, tok, main_stim, lexical_baseline="random-words", **kw)
    base = untrained(model, seed=0)
    unt = hftp.probe(base, tok, main_stim, **kw)
    q = 0.05
    main_c = get_contrast("sentences-vs-within-shuffle")
    r = find_tagged(split, main_c.condition, main_c.control, q=q)
    rr = find_tagged(resid, main_c.condition, main_c.control, q=q)
    ru = find_tagged(unt, main_c.condition, main_c.control, q=q)
    pooled = pool_splits(split)
    null = find_tagged(pooled, "random-words", q=q)
    null_res = find_tagged(resid, "random-words", q=q)
    null_unt = find_tagged(unt, "random-words", q=q)
    pc = get_contrast("phrases-vs-category-alternation")
    ph = find_tagged(pooled, pc.condition, pc.control, q=q, levels=list(pc.levels))
    tagged_only = find_tagged(pooled, main_c.condition, q=q)
    prof = hftp.tagging.layer_profile(r, residual=rr, untrained=ru)
    curve = hftp.tagging.snr_curve(r, floors=[1, 2, 4, 8, 16])
    out = {
        "setup": {
            "model": "SmolLM2-135M",
            "layers": layers,
            "n_sequences_per_condition": a.n_sequences,
            "units_per_sequence": 4 * a.n_sentences,
            "drop_units": 4,
            "q": q,
            "conditions": list(stim.conditions),
        },
        "sentences_vs_within_shuffle": {
            "tagged_no_control": per_layer(tagged_only),
            "significant": per_layer(r),
            "replicated": per_layer(r, "replicated"),
            "residual_after_lexical_baseline": per_layer(rr),
            "untrained": per_layer(ru),
            "significant_snr_ge_4": {
                int(k): round(float(v), 4)
                for k, v in curve[(curve.level == "any") & (curve.min_snr == 4)]
                .set_index("layer")["proportion"]
                .items()
            },
            "median_phrase_snr_of_significant": {
                int(layer): round(
                    float(
                        r["snr"]
                        .sel(layer=layer, level="phrase")
                        .where(r["significant"].sel(layer=layer, level="phrase"))
                        .median()
                    ),
                    2,
                )
                for layer in layers
            },
        },
        "random_words_null": {
            "overall": frac(null["significant"]),
            "per_layer": per_layer(null),
            "overall_after_lexical_residual": frac(null_res["significant"]),
            "per_layer_after_lexical_residual": per_layer(null_res),
            "untrained_overall": frac(null_unt["significant"]),
        },
        "phrases_vs_category_alternation": {
            "significant_phrase": per_layer(ph),
            "tagged_phrase_no_control": per_layer(
                find_tagged(pooled, pc.condition, q=q, levels=list(pc.levels))
            ),
        },
        "profile_rows": json.loads(prof.to_json(orient="records")),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    return out


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    print(json.dumps(main(), indent=1))
