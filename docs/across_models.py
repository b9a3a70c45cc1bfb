"""Across models on effect sizes: SmolLM2-135M, Gemma 3 270M (English and Chinese, both
tokenizations) and all-MiniLM-L6-v2, each beside its untrained twin.

For each model and language the probe runs the sentences, within-shuffle and random-words
conditions; the tagging compares sentences with within-shuffle (the effect θ̂, its share above δ
and the share ``selective``), and random-words with within-shuffle as the shuffled-condition
reference (no structure in either, so ``selective`` should stay near 0).

Writes into ``docs/across_models/``: a per-layer table per run (CSV), ``profiles_by_depth.csv``,
the English–Chinese agreement of Gemma 3 (Dice of the ``selective`` sets with its chance level and
hypergeometric p, and the rank correlation of per-neuron θ̂ with its untrained and
shuffled-condition references), and ``summary.json`` (hftp version, commit, settings, timings);
and the figures ``docs/across_models.png`` and ``docs/across_models_agreement.png``. Needs the
offline wheels (``make offline-models``).

The probes' Spectra are kept in ``--work`` and reused only when the same hftp version, the same
probe code (a hash of ``hftp/models``, ``hftp/spectral`` and ``hftp/stimuli``) and the same
settings made them; the tagging is always recomputed::

    python docs/across_models.py --n-sequences 16 --work /tmp/hftp-across
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import pandas as pd

import hftp
from hftp.io import provenance, write_json, write_text
from hftp.models.load import untrained
from hftp.tagging.across_models import agreement, compare_profiles
from hftp.tagging.profile import effect_profile

DESIGNS = ["sentences", "within-shuffle", "random-words"]
#: name -> (catalogue key, language, tokenization)
RUNS = {
    "SmolLM2-135M en": ("smollm2-135m", "en", "joint"),
    "Gemma 3 270M en": ("gemma-3-270m", "en", "joint"),
    "Gemma 3 270M zh joint": ("gemma-3-270m", "zh", "joint"),
    "Gemma 3 270M zh": ("gemma-3-270m", "zh", "unitwise"),
    "MiniLM-L6 en": ("minilm-l6", "en", "joint"),
}
#: The runs drawn on relative depth (the joint-tokenization Chinese run is in the tables only).
ON_DEPTH = ("SmolLM2-135M en", "Gemma 3 270M en", "Gemma 3 270M zh", "MiniLM-L6 en")
LEVEL = "sentence"


def _slug(name: str) -> str:
    return name.replace(" ", "_")


def code_hash() -> str:
    """A hash of the source that makes a Spectra (the probe, the spectral sums, the stimuli)."""
    root = Path(hftp.__file__).resolve().parent
    h = hashlib.sha256()
    for sub in ("models", "spectral", "stimuli"):
        for f in sorted((root / sub).rglob("*")):
            if f.suffix in (".py", ".json", ".txt", ".tsv") and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def probe_all(work: Path, n_sequences: int, seed: int, batch_size: int) -> dict:
    """Probe every run, trained and untrained; reuse a Spectra only when its key matches."""
    work.mkdir(parents=True, exist_ok=True)
    code = code_hash()
    timing, loaded = {}, {}
    for name, (key, lang, tokenization) in RUNS.items():
        stim = None
        for kind in ("trained", "untrained"):
            f = work / f"{_slug(name)}-{kind}-spectra.nc"
            sidecar = f.with_suffix(".json")
            want = {
                "hftp_version": hftp.__version__,
                "code": code,
                "model": key,
                "language": lang,
                "tokenization": tokenization,
                "kind": kind,
                "designs": DESIGNS,
                "n_sequences": n_sequences,
                "seed": seed,
            }
            if f.is_file() and sidecar.is_file():
                if json.loads(sidecar.read_text()) == want:
                    continue
                print(f"{f.name}: made by other code or settings; probing again")
            if stim is None:
                stim = hftp.make_stimuli(lang, DESIGNS, n_sequences=n_sequences, seed=seed)
            if key not in loaded:
                loaded.clear()
                t0 = time.perf_counter()
                loaded[key] = hftp.load_model(key, device="cpu")
                timing[f"load {key}"] = round(time.perf_counter() - t0, 1)
            model, tok = loaded[key]
            net = model if kind == "trained" else untrained(model, seed=seed)
            t0 = time.perf_counter()
            spectra = hftp.probe(net, tok, stim, tokenization=tokenization, batch_size=batch_size)
            timing[f"probe {name} {kind}"] = round(time.perf_counter() - t0, 1)
            hftp.save(spectra, f, overwrite=True)
            write_json(sidecar, want)
    return timing


def tag(spectra, seed: int) -> tuple:
    """Sentences vs within-shuffle, and the shuffled-condition reference (random words vs it)."""
    main = hftp.find_tagged(spectra, "sentences", "within-shuffle", seed=seed)
    shuffled = hftp.find_tagged(spectra, "random-words", "within-shuffle", seed=seed)
    return main, shuffled


def per_layer(results: dict, n_boot: int, seed: int) -> pd.DataFrame:
    """Per layer at the sentence level: effect quantiles, shares, ``selective``, ``significant``."""
    cols = ["effect_median", "effect_p90", "effect_share", "selective_share"]
    frames = []
    for label, res in results.items():
        prof = effect_profile(res, n_boot=n_boot, seed=seed)
        prof = prof[prof["level"] == LEVEL].set_index("layer")
        keep = [c for c in prof.columns if any(c.startswith(k) for k in cols)]
        part = prof[keep].copy()
        sig = res["significant"].sel(level=LEVEL).mean("neuron").to_series()
        part["significant_share"] = sig.reindex(part.index).to_numpy()
        frames.append(part.add_prefix(f"{label} "))
    return pd.concat(frames, axis=1).round(4)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def markdown(summary: dict, tables: dict[str, pd.DataFrame]) -> str:
    """The README's tables: one row per run (layer ranges), and Gemma 3's per-layer effects."""
    lines = [
        f"hftp {summary['provenance']['hftp_version']}, commit "
        f"{summary['provenance']['hftp_revision']}; {summary['settings']['n_sequences']} "
        f"sequences per condition, seed {summary['settings']['seed']}, sentence rate, "
        f"δ = {next(iter(summary['runs'].values()))['min_effect']}.",
        "",
        "| run | median θ̂ (layer range) | % θ̂ > δ | % selective | % significant | untrained: "
        "% θ̂ > δ (max) | untrained: % selective (max) | shuffled reference: % selective (max) "
        "| token sharing / splitting, sentences vs within-shuffle |",
        "|---|---|---|---|---|---:|---:|---:|---|",
    ]
    for name, t in tables.items():
        run = summary["runs"][name]

        def span(col, pct=True, t=t):
            lo, hi = t[col].min(), t[col].max()
            f = _pct if pct else (lambda x: f"{x:.3f}")
            return f"{f(lo)}–{f(hi)}"

        sh, sp = run["token_sharing"], run["token_splitting"]
        lines.append(
            f"| {name} | {span('trained effect_median', False)} | "
            f"{span('trained effect_share')} | {span('trained selective_share')} | "
            f"{span('trained significant_share')} | {_pct(t['untrained effect_share'].max())} | "
            f"{_pct(t['untrained selective_share'].max())} | "
            f"{_pct(t['shuffled selective_share'].max())} | "
            f"{_pct(sh.get('sentences', 0))}% vs {_pct(sh.get('within-shuffle', 0))}% / "
            f"{_pct(sp.get('sentences', 0))}% vs {_pct(sp.get('within-shuffle', 0))}% |"
        )
    lines += [
        "",
        "Gemma 3 270M per layer (sentence rate; median θ̂, % θ̂ > δ, % selective):",
        "",
        "| layer | en | zh (unit-wise) | zh (joint) | en untrained: % θ̂ > δ | zh untrained: % θ̂ > δ |",
        "|---:|---|---|---|---:|---:|",
    ]
    en, zh, zj = (
        tables[k] for k in ("Gemma 3 270M en", "Gemma 3 270M zh", "Gemma 3 270M zh joint")
    )

    def cell(t, layer):
        r = t.loc[layer]
        return (
            f"{r['trained effect_median']:.3f} / {_pct(r['trained effect_share'])} / "
            f"{_pct(r['trained selective_share'])}"
        )

    for layer in en.index:
        lines.append(
            f"| {layer} | {cell(en, layer)} | {cell(zh, layer)} | {cell(zj, layer)} | "
            f"{_pct(en.loc[layer, 'untrained effect_share'])} | "
            f"{_pct(zh.loc[layer, 'untrained effect_share'])} |"
        )
    agree = summary.get("agreement", {})
    if agree:
        lines += [
            "",
            "English vs Chinese on Gemma 3's neurons (per layer; selective sets and θ̂):",
            "",
            "| Chinese tokenization | layers with overlap above chance (p < 0.05) | ρ of θ̂ | "
            "ρ untrained | ρ with shuffled Chinese |",
            "|---|---:|---|---|---|",
        ]
        for label, a in agree.items():
            rng = {k: f"{a[k][0]:.2f} to {a[k][1]:.2f}" for k in a if k.endswith("_range")}
            lines.append(
                f"| {label} | {a['layers_overlap_above_chance_p05']} of {a['n_layers']} | "
                f"{rng['rho_range']} | {rng['rho_untrained_range']} | {rng['rho_shuffled_range']} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-sequences", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/hftp-across"))
    ap.add_argument("--docs", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()
    t_start = time.perf_counter()
    timing = probe_all(args.work, args.n_sequences, args.seed, args.batch_size)
    out = args.docs / "across_models"
    out.mkdir(exist_ok=True)
    summary = {
        "provenance": provenance(),
        "settings": {
            "designs": DESIGNS,
            "n_sequences": args.n_sequences,
            "seed": args.seed,
            "n_boot": args.n_boot,
            "contrast": "sentences vs within-shuffle",
            "shuffled_reference": "random-words vs within-shuffle",
            "level": LEVEL,
        },
        "timing_s": timing,
        "runs": {},
    }
    tagged, shuffled, tables = {}, {}, {}
    for name in RUNS:
        for kind in ("trained", "untrained"):
            spectra = hftp.load(args.work / f"{_slug(name)}-{kind}-spectra.nc")
            tagged[name, kind], shuffled[name, kind] = tag(spectra, args.seed)
            if kind == "trained":
                attrs = spectra.attrs
                summary["runs"][name] = {
                    "token_sharing": json.loads(attrs.get("token_sharing", "{}")),
                    "token_splitting": json.loads(attrs.get("token_splitting", "{}")),
                }
        table = per_layer(
            {
                "trained": tagged[name, "trained"],
                "untrained": tagged[name, "untrained"],
                "shuffled": shuffled[name, "trained"],
            },
            args.n_boot,
            args.seed,
        )
        table.to_csv(out / f"{_slug(name)}.csv")
        tables[name] = table
        summary["runs"][name]["min_effect"] = float(tagged[name, "trained"].attrs["min_effect"])
        summary["runs"][name]["per_layer_range"] = {
            c: [float(table[c].min()), float(table[c].max())]
            for c in table.columns
            if not c.endswith(("_low", "_high"))
        }
        peak = table["trained selective_share"].idxmax()
        summary["runs"][name]["peak_selective_layer"] = int(peak)
    # effect profiles on relative depth, trained and untrained
    profiles = {}
    for name in ON_DEPTH:
        profiles[name] = tagged[name, "trained"]
        profiles[f"{name} (untrained)"] = tagged[name, "untrained"]
    depth = compare_profiles(profiles, n_boot=args.n_boot, seed=args.seed)
    depth.to_csv(out / "profiles_by_depth.csv", index=False)
    fig = hftp.plot.plot_effects_by_depth(
        depth, level=LEVEL, title="Sentence-level effect by relative depth (untrained dashed)"
    )
    hftp.plot.save_figure(fig, args.docs / "across_models")
    # English vs Chinese on the same Gemma 3 neurons
    agree = {}
    en = "Gemma 3 270M en"
    for label, zh in (("unit-wise zh", "Gemma 3 270M zh"), ("joint zh", "Gemma 3 270M zh joint")):
        kw = {"level": LEVEL, "effect": "effect", "members": "selective"}
        t = agreement(
            tagged[en, "trained"],
            tagged[zh, "trained"],
            baseline=(tagged[en, "untrained"], tagged[zh, "untrained"]),
            **kw,
        )
        t["rho_shuffled"] = agreement(tagged[en, "trained"], shuffled[zh, "trained"], **kw)[
            "rho"
        ].to_numpy()
        t.round(4).to_csv(out / f"agreement_en_vs_{label.replace(' ', '_')}.csv", index=False)
        agree[label] = t
        summary["agreement"] = summary.get("agreement", {})
        summary["agreement"][label] = {
            "n_layers": len(t),
            "layers_overlap_above_chance_p05": int((t["p_overlap"] < 0.05).sum()),
            "rho_range": [float(t["rho"].min()), float(t["rho"].max())],
            "rho_untrained_range": [
                float(t["rho_untrained"].min()),
                float(t["rho_untrained"].max()),
            ],
            "rho_shuffled_range": [float(t["rho_shuffled"].min()), float(t["rho_shuffled"].max())],
        }
    fig = hftp.plot.plot_agreement_by_depth(
        agree, title="Gemma 3 270M: English vs Chinese, sentence level"
    )
    hftp.plot.save_figure(fig, args.docs / "across_models_agreement")
    summary["timing_s"]["total"] = round(time.perf_counter() - t_start, 1)
    write_json(out / "summary.json", summary)
    write_text(out / "tables.md", markdown(summary, tables))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
