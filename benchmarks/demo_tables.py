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

from real_effect_profile import _ci, markdown  # noqa: E402

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


def ablation_table(abl: dict) -> str:
    """The top-k ablation against matched random sets: one row per set."""
    sets = abl.get("sets") or abl.get("results") or {}
    if not isinstance(sets, dict) or not sets:
        return "(no ablation in this run)\n"
    keys = sorted({k for v in sets.values() if isinstance(v, dict) for k in v})
    head = "| set | " + " | ".join(keys) + " |\n" + "|---" * (len(keys) + 1) + "|\n"
    lines = []
    for name, v in sets.items():
        cells = [name] + [_fmt(v.get(k)) for k in keys]
        lines.append("| " + " | ".join(cells) + " |")
    return head + "\n".join(lines) + "\n"


def _fmt(x) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, list | dict):
        return json.dumps(x)
    return "—" if x is None else str(x)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("demo", type=Path, help="a folder written by `hftp demo`")
    ap.add_argument("--out", type=Path, required=True, help="output path without extension")
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
    if out["ablation"]:
        md += "## Ablation of the top-k neurons\n\n```json\n"
        md += json.dumps(out["ablation"], indent=1) + "\n```\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(out, indent=1))
    args.out.with_suffix(".md").write_text(md)
    print(md)
    return out


if __name__ == "__main__":
    main()
