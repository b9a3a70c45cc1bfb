"""The real-model effect profile: SmolLM2, sentences vs within-shuffle, per layer.

Per layer and level (sentence 1 Hz, phrase 2 Hz): the median and 90th percentile of θ̂ with
neuron-bootstrap 95% intervals, the estimated share θ̂ > δ with its interval and the share
``selective`` with its binomial interval, for

- ``raw``: the trained model against within-shuffle;
- ``residual``: the same after the lexical baseline (each neuron's response to each word, from the
  random-words condition, taken out first) — the syntax estimate, the headline;
- ``untrained``: the same architecture with random weights;

plus the agreement between the two independent halves of the sequences (even / odd) and their
pooled result (METHOD §4b), raw and after the lexical baseline, and the share ``significant``
beside it (power, not effect). Writes ``<out>.json`` (settings, hftp version, commit, rows,
agreement) and ``<out>.csv`` (the per-layer table). Everything is seeded::

    PYTHONPATH=. .venv/bin/python benchmarks/real_effect_profile.py --n-sequences 100 \\
        --out benchmarks/results/real_effect_profile_100

The README's table used ``--n-sequences 32`` (the default; about 25 minutes on a loaded 2-core
CPU); 100 sequences take about three times as long.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np

CONDITIONS = ["sentences", "within-shuffle", "random-words"]
METRICS = ("effect_median", "effect_p90", "effect_share", "selective_share")


def commit() -> str:
    """The repository's commit (with ``+dirty`` when the tree has changes), or ``unknown``."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def profile(result, name: str, *, n_boot: int, seed: int):
    """The effect profile of ``result`` with ``significant`` beside it, columns prefixed."""
    from hftp.tagging.profile import effect_profile

    prof = effect_profile(result, n_boot=n_boot, seed=seed)
    sig = result["significant"]
    share = sig.mean("neuron").to_series().rename("significant_share")
    prof = prof.join(share, on=["layer", "level"])
    keep = [c for c in prof.columns if c not in ("layer", "level")]
    return prof.rename(columns={c: f"{name}_{c}" for c in keep})


def agreement(parts: dict, name: str) -> dict:
    """Max and mean |difference| of each profile number between halves and pooled, per level."""
    out = {}
    a, b, p = (parts[k].set_index(["layer", "level"]) for k in ("half0", "half1", "pooled"))
    for m in (*METRICS, "significant_share"):
        col = f"{{}}_{m}"
        va, vb, vp = (t[col.format(k)] for t, k in ((a, "half0"), (b, "half1"), (p, "pooled")))
        out[m] = {
            "mean_half0": round(float(va.mean()), 4),
            "mean_half1": round(float(vb.mean()), 4),
            "mean_pooled": round(float(vp.mean()), 4),
            "max_abs_half0_vs_half1": round(float((va - vb).abs().max()), 4),
            "max_abs_halves_mean_vs_pooled": round(float(((va + vb) / 2 - vp).abs().max()), 4),
            "median_abs_half0_vs_half1": round(float((va - vb).abs().median()), 4),
        }
    return {name: out}


def _ci(row: dict, col: str, pct: bool) -> str:
    v, lo, hi = (row.get(col + s) for s in ("", "_low", "_high"))
    f = (lambda x: f"{100 * x:.1f}") if pct else (lambda x: f"{x:.3f}")
    if v is None:
        return "—"
    return f(v) if lo is None or hi is None else f"{f(v)} [{f(lo)}, {f(hi)}]"


def markdown(out: dict, level: str = "sentence") -> str:
    """The README's per-layer table of one level from a saved JSON (shares in %)."""
    head = (
        "| layer | raw: median θ̂ | raw: p90 | raw: % θ̂ > δ | raw: % selective | raw: % significant "
        "| lexical baseline: median θ̂ | lexical baseline: p90 | lexical baseline: % θ̂ > δ "
        "| lexical baseline: % selective | untrained: p90 | untrained: % θ̂ > δ "
        "| untrained: % selective |\n" + "|---:" * 13 + "|\n"
    )
    lines = []
    for r in out["rows"]:
        if r["level"] != level:
            continue
        pr = {k[4:]: v for k, v in r.items() if k.startswith("raw_")}
        pl = {k[9:]: v for k, v in r.items() if k.startswith("residual_")}
        pu = {k[10:]: v for k, v in r.items() if k.startswith("untrained_")}
        cells = [
            str(r["layer"]),
            _ci(pr, "effect_median", False),
            f"{pr['effect_p90']:.3f}",
            _ci(pr, "effect_share", True),
            f"{100 * pr['selective_share']:.1f}",
            f"{100 * pr['significant_share']:.1f}",
            _ci(pl, "effect_median", False),
            f"{pl['effect_p90']:.3f}",
            _ci(pl, "effect_share", True),
            _ci(pl, "selective_share", True),
            f"{pu['effect_p90']:.3f}",
            f"{100 * pu['effect_share']:.1f}",
            f"{100 * pu['selective_share']:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    import pandas as pd

    import hftp
    from hftp._version import __version__
    from hftp.models.load import untrained
    from hftp.spectral.splits import pool_splits, split_half
    from hftp.stimuli.generation import make_stimuli
    from hftp.tagging.pipeline import find_tagged

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-sequences", type=int, default=32, help="sequences per condition")
    ap.add_argument("--n-sentences", type=int, default=25, help="sentences per sequence")
    ap.add_argument("--seed", type=int, default=7, help="stimulus seed")
    ap.add_argument("--layers", default=None, help="comma-separated layers (default all)")
    ap.add_argument("--min-effect", type=float, default=0.2, help="δ in SD units")
    ap.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--out", default="benchmarks/results/real_effect_profile_32")
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--table-from", default=None, help="print the markdown tables of a saved JSON")
    a = ap.parse_args(argv)
    if a.table_from:
        saved = json.loads(Path(a.table_from).read_text())
        for level in ("sentence", "phrase"):
            print(f"\n{level} rate\n\n" + markdown(saved, level))
        return saved
    t0 = time.perf_counter()
    layers = None if a.layers is None else [int(x) for x in a.layers.split(",")]
    model, tok = hftp.load_model()
    stim = make_stimuli(
        "en", design=CONDITIONS, n_sequences=a.n_sequences, n_sentences=a.n_sentences, seed=a.seed
    )
    kw = dict(layers=layers, batch_size=a.batch_size, drop_units=4, progress=a.progress)
    q, c, ctl = 0.05, "sentences", "within-shuffle"
    tk = dict(q=q, min_effect=a.min_effect, seed=0)
    timings = {}

    def timed(name, make):
        t = time.perf_counter()
        obj = make()
        timings[name] = round(time.perf_counter() - t, 1)
        print(f"{name}: {timings[name]} s", flush=True)
        return obj

    raw_split = timed("probe_raw", lambda: hftp.probe(model, tok, stim, split=True, **kw))
    res_split = timed(
        "probe_residual",
        lambda: hftp.probe(model, tok, stim, split=True, lexical_baseline="random-words", **kw),
    )
    base = untrained(model, seed=0)
    unt = timed("probe_untrained", lambda: hftp.probe(base, tok, stim, **kw))

    results = {
        "raw": find_tagged(pool_splits(raw_split), c, ctl, **tk),
        "residual": find_tagged(pool_splits(res_split), c, ctl, **tk),
        "untrained": find_tagged(unt, c, ctl, **tk),
    }
    profs = {k: profile(r, k, n_boot=a.n_boot, seed=0) for k, r in results.items()}
    table = profs["raw"]
    for k in ("residual", "untrained"):
        table = table.merge(profs[k], on=["layer", "level"])
    # independent halves (even / odd sequences) against their pooled result
    agree = {}
    for name, split in (("raw", raw_split), ("residual", res_split)):
        parts = {
            f"half{i}": profile(
                find_tagged(split_half(split, i), c, ctl, **tk), f"half{i}", n_boot=0, seed=0
            )
            for i in (0, 1)
        }
        parts["pooled"] = profile(results[name], "pooled", n_boot=0, seed=0)
        agree.update(agreement(parts, name))
    null = find_tagged(pool_splits(raw_split), "random-words", **tk)
    out = {
        "setup": {
            "hftp_version": __version__,
            "commit": commit(),
            "model": "SmolLM2-135M-Instruct (offline GGUF, dequantised to float32)",
            "contrast": f"{c} vs {ctl}",
            "lexical_baseline": "random-words",
            "untrained_seed": 0,
            "n_sequences_per_condition": a.n_sequences,
            "halves": f"even / odd sequences: {a.n_sequences // 2} each",
            "units_per_sequence": 4 * a.n_sentences,
            "drop_units": 4,
            "stimulus_seed": a.seed,
            "q": q,
            "min_effect": a.min_effect,
            "n_boot": a.n_boot,
            "layers": "all" if layers is None else layers,
            "command": "python benchmarks/real_effect_profile.py "
            + " ".join(argv if argv is not None else __import__("sys").argv[1:]),
        },
        "random_words_null_selective_share": round(float(null["selective"].mean()), 4),
        "random_words_null_significant_share": round(float(null["significant"].mean()), 4),
        "agreement_halves_vs_pooled": agree,
        "rows": json.loads(table.to_json(orient="records")),
        "timings_s": timings,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    dest = Path(a.out)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.with_suffix(".json").write_text(json.dumps(out, indent=1))
    dest.with_suffix(".md").write_text(
        "\n\n".join(f"{lv} rate\n\n" + markdown(out, lv) for lv in ("sentence", "phrase"))
    )
    meta = pd.DataFrame([out["setup"]]).drop(columns=["layers"])
    with open(dest.with_suffix(".csv"), "w") as fh:
        for k, v in meta.iloc[0].items():
            fh.write(f"# {k}: {v}\n")
        table.round(4).to_csv(fh, index=False)
    print(json.dumps({k: out[k] for k in ("setup", "agreement_halves_vs_pooled")}, indent=1))
    return out


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    main()
