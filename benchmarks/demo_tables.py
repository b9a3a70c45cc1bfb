"""The README's tables from a `make demo` folder: the effect profile, the category-matched contrast
and the top-k ablation, with the run's hftp version, commit and settings.

Reads ``<demo>/summary.json`` (written by ``hftp demo``) and writes ``<out>.md`` (the tables, with
a header naming the run) and ``<out>.json`` (the same rows, the settings and the provenance)::

    PYTHONPATH=. .venv/bin/python benchmarks/demo_tables.py hftp-demo \\
        --out benchmarks/results/demo_100

The effect-profile table has the columns of ``benchmarks/real_effect_profile.py``'s (raw, after
the lexical baseline, untrained), so the two are read the same way.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_effect_profile import METRICS, _ci, markdown  # noqa: E402

VARIANTS = ("raw", "residual", "untrained")


def effect_rows(eff: dict) -> list[dict]:
    """``summary["numbers"]["effect_profile"]`` → rows with ``raw_``/``residual_``/``untrained_``
    prefixed columns, one per layer and level (the layout of ``real_effect_profile.py``)."""
    rows = []
    for layer in sorted(eff["per_layer"], key=int):
        for level, variants in eff["per_layer"][layer].items():
            row = {"layer": int(layer), "level": level}
            for v in VARIANTS:
                for col, val in variants.get(v, {}).items():
                    row[f"{v}_{col}"] = val
            rows.append(row)
    return rows


def category_table(cat: dict) -> str:
    """The category-matched contrast (phrase rate), raw and after the lexical baseline."""
    raw, res = cat["per_layer"], cat.get("per_layer_residual", {})
    head = (
        "| layer | raw: median θ̂ | raw: % θ̂ > δ | raw: % selective | raw: % significant "
        "| lexical baseline: median θ̂ | lexical baseline: % θ̂ > δ "
        "| lexical baseline: % selective |\n" + "|---:" * 8 + "|\n"
    )
    lines = []
    for layer in sorted(raw, key=int):
        a, b = raw[layer], res.get(layer, {})
        cells = [
            layer,
            _ci(a, "effect_median", False),
            _ci(a, "effect_share", True),
            _ci(a, "selective_share", True),
            _ci(a, "significant_share", True),
            _ci(b, "effect_median", False),
            _ci(b, "effect_share", True),
            _ci(b, "selective_share", True),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"


COUNT_COLUMNS = {
    "tagged_no_control": "tagged (F-test, no control)",
    "significant": "significant (tagged ∧ specific vs within-shuffle)",
    "replicated": "replicated",
    "residual_after_lexical_baseline": "significant after the lexical baseline",
    "untrained": "untrained",
    "random_words_null": "random-words null",
    "null_after_residual": "null after the residual (in-sample)",
    "phrases_vs_category_alternation": "phrases vs category alternation",
}


def counts_table(beyond: dict) -> str:
    """The shares of each layer called by each test (``beyond_lexical``), in %: power, not effect."""
    cols = [c for c in COUNT_COLUMNS if c in beyond["overall"]]
    head = (
        "| layer | "
        + " | ".join(COUNT_COLUMNS[c] for c in cols)
        + " |\n"
        + "|---:" * (len(cols) + 1)
        + "|\n"
    )
    lines = []
    for layer in sorted(beyond["per_layer"], key=int):
        row = beyond["per_layer"][layer]
        lines.append("| " + " | ".join([layer, *(f"{100 * row[c]:.1f}" for c in cols)]) + " |")
    overall = beyond["overall"]
    lines.append("| **all** | " + " | ".join(f"**{100 * overall[c]:.1f}**" for c in cols) + " |")
    return head + "\n".join(lines) + "\n"


def ablation_table(abl: dict) -> str:
    """Per top-k set: each condition's loss change and the contrast, against the random sets."""
    head = (
        "| set | neurons | condition | intact loss (nats) | change | random sets: mean ± SD | z "
        "| p (one-sided) |\n|---|---:|---|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for name, st in abl["sets"].items():
        for cond, r in st["per_condition"].items():
            lines.append(
                f"| {name} | {st['n_neurons']} | {cond} | {r['intact']:.3f} | {r['change']:+.3f} "
                f"| {r['null_mean']:+.3f} ± {r['null_sd']:.3f} | {r['z']:+.2f} | {r['p']:.3f} |"
            )
        lines.append(
            f"| **{name}** | {st['n_neurons']} | **sentences − controls** | | "
            f"**{st['contrast']:+.3f}** | {st['contrast_null_mean']:+.3f} ± "
            f"{st['contrast_null_sd']:.3f} | **{st['contrast_z']:+.2f}** | "
            f"**{st['contrast_p']:.3f}** |"
        )
    variance = ", ".join(
        f"{name}: set {st['set_variance']:.3f}, random sets {st['null_variance']:.3f}"
        for name, st in abl["sets"].items()
        if "set_variance" in st
    )
    note = (
        f"\nLayers {abl.get('layers')}; {abl.get('selection')}; null {abl.get('null')}, "
        f"{abl.get('n_random')} random sets; {abl.get('stimuli')}. Mean activation variance: "
        f"{variance}.\n"
    )
    return head + "\n".join(lines) + "\n" + note


def compare(rows_a: list[dict], rows_b: list[dict], names=("a", "b")) -> list[dict]:
    """Per variant, level and column: the mean over layers in each run and the largest per-layer
    difference (the same quantities from two runs with other trials, e.g. 32 and 100 sequences)."""
    key = lambda r: (r["layer"], r["level"])  # noqa: E731
    b_by = {key(r): r for r in rows_b}
    pairs = [(r, b_by[key(r)]) for r in rows_a if key(r) in b_by]
    out = []
    for variant in ("raw", "residual"):
        for level in sorted({r["level"] for r, _ in pairs}):
            for col in (*METRICS, "significant_share"):
                c = f"{variant}_{col}"
                vals = [
                    (a[c], b[c])
                    for a, b in pairs
                    if a["level"] == level and a.get(c) is not None and b.get(c) is not None
                ]
                if not vals:
                    continue
                xa, xb = zip(*vals, strict=True)
                out.append(
                    {
                        "variant": variant,
                        "level": level,
                        "column": col,
                        f"mean_{names[0]}": round(sum(xa) / len(xa), 4),
                        f"mean_{names[1]}": round(sum(xb) / len(xb), 4),
                        "max_layer_difference": round(max(abs(x - y) for x, y in vals), 4),
                        "n_layers": len(vals),
                    }
                )
    return out


def compare_table(rows: list[dict], names) -> str:
    head = (
        f"| variant | level | column | mean over layers, {names[0]} | mean over layers, "
        f"{names[1]} | largest difference in a layer |\n" + "|---|---|---|---:|---:|---:|\n"
    )
    lines = [
        f"| {r['variant']} | {r['level']} | {r['column']} | {r[f'mean_{names[0]}']:.3f} | "
        f"{r[f'mean_{names[1]}']:.3f} | {r['max_layer_difference']:.3f} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("demo", type=Path, help="a folder written by `hftp demo`")
    ap.add_argument("--out", type=Path, required=True, help="output path without extension")
    ap.add_argument(
        "--compare",
        type=Path,
        help="a JSON of benchmarks/real_effect_profile.py (another number of sequences and seed)",
    )
    args = ap.parse_args(argv)
    summary = json.loads((args.demo / "summary.json").read_text())
    nums, params = summary["numbers"], summary["params"]
    prov = summary.get("provenance", {})
    eff = nums["effect_profile"]
    out = {
        "source": str(args.demo / "summary.json"),
        "provenance": prov,
        "settings": {
            "model": params.get("model"),
            "stimuli": params.get("stimuli"),
            "effect": eff["setup"],
            "q": params.get("tagging", {}).get("q"),
        },
        "rows": effect_rows(eff),
        "category_contrast": nums.get("category_contrast"),
        "ablation": nums.get("ablation"),
        "timing_s": nums.get("timing_s") or summary.get("timing_s"),
    }
    st = params.get("stimuli", {})
    header = (
        f"# `make demo` tables: {params.get('model')}, {st.get('n_sequences')} sequences per "
        f"condition (benchmarks/demo_tables.py)\n\n"
        f"hftp {prov.get('hftp_version', '?')}, commit {prov.get('hftp_revision', '?')}, "
        f"created {prov.get('created', '?')}; δ = {eff['setup'].get('min_effect')}, "
        f"{eff['setup'].get('n_boot')} neuron-bootstrap resamples, stimulus seed "
        f"{params.get('seed', st.get('seed', '?'))}.\n\n"
    )
    md = header
    for level in ("sentence", "phrase"):
        md += f"## Effect profile, {level} rate\n\n" + markdown(out, level) + "\n"
    if out["category_contrast"]:
        md += "## Category-matched contrast (ANAN vs AVAV), phrase rate\n\n"
        md += category_table(out["category_contrast"]) + "\n"
    if args.compare:
        other = json.loads(args.compare.read_text())
        n_other = other.get("setup", {}).get("n_sequences_per_condition", "other")
        names = (f"{n_other} sequences", f"{st.get('n_sequences')} sequences")
        out["compare"] = {
            "with": str(args.compare),
            "rows": compare(other["rows"], out["rows"], names),
        }
        md += f"## Stable in the number of trials: {names[0]} vs {names[1]}\n\n"
        md += compare_table(out["compare"]["rows"], names) + "\n"
    if out["ablation"] and "sets" in out["ablation"]:
        md += "## Ablation of the top-k neurons\n\n" + ablation_table(out["ablation"]) + "\n"
    beyond = nums.get("beyond_lexical")
    if beyond:
        out["beyond_lexical"] = beyond
        md += "## Share of each layer called by each test (%)\n\n" + counts_table(beyond) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(out, indent=1))
    args.out.with_suffix(".md").write_text(md)
    print(md)
    return out


if __name__ == "__main__":
    main()
