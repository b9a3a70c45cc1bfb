"""The benchmarks' code paths, on CPU with tiny configs: scale.py, and gpu_goal.py's dry run (the
GPU goal itself needs a GPU)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_scale_benchmark_prints_its_json():
    res = _run("benchmarks/scale.py", "--preset", "tiny", "--repeats", "2", "--n-seq", "2",
               "--n-sentences", "4", "--batch-size", "1", "--threads", "1")  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["device"] == "cpu" and out["dtype"] == "float32" and out["n_seq"] == [2, 8]
    assert [s["name"] for s in out["sizes"]] == ["h32-L2", "h32-L2-v1000"]
    assert out["sizes"][1]["vocab"] == 1000 > out["sizes"][0]["vocab"]
    for s in out["sizes"]:
        assert s["bare_s"] > 0 and s["probe_s"] > 0 and s["tokens_per_s"] > 0
        assert 0 < s["overhead_ratio"] < 50 and 0.5 < s["memory_ratio"] < 2
        assert len(s["peak_mb"]) == 2 and min(s["peak_mb"]) > 0
        assert len(s["host_peak_mb"]) == 2 and 0.5 < s["host_memory_ratio"] < 2
    assert out["max_overhead_ratio"] == max(s["overhead_ratio"] for s in out["sizes"])
    assert out["goal"] == {"overhead_ratio": 1.1, "memory_ratio": 1.1}


@pytest.mark.parametrize("path", [[], ["--device-path"]])
def test_gpu_goal_dry_run_prints_its_json(path):
    res = _run("benchmarks/gpu_goal.py", "--dry-run", *path)
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["dry_run"] is True and out["device"] == "cpu" and out["dtype"] == "float32"
    assert out["sequences"] == 16 and out["units"] == 20 and out["batches"] == 2
    assert out["padded_tokens"] >= out["real_tokens"] >= 16 * 20
    assert out["spectra_ok"] is True and out["goal_met"] is None and out["checks"]["ok"]
    assert len(out["bare_s"]) == 2 and min(out["bare_s"]) > 0 and out["probe_s"] > 0
    assert out["ratio"] == pytest.approx(out["probe_s"] / (sum(out["bare_s"]) / 2), rel=1e-2)
    assert out["tflop"] >= 0 and out["bare_tflops"] >= 0 and out["host_peak_gib"] > 0
    assert out["goal"] == {"ratio": 1.1, "mfu": 0.4}
    assert {"forward_s", "probe_s", "summaries_s", "finish_s"} <= set(out["breakdown"])


def test_gpu_goal_refuses_clearly_without_a_gpu():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is here: run benchmarks/gpu_goal.py itself")
    res = _run("benchmarks/gpu_goal.py")
    assert res.returncode == 2 and "torch sees no CUDA GPU" in res.stderr and not res.stdout


def test_gpu_goal_counts_flops_and_knows_peaks():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import gpu_goal
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))

    class B:  # one batch of 2 sequences x 3 tokens
        input_ids = __import__("torch").zeros(2, 3)

    shape = {"hidden": 4, "mlp": 8, "layers": 2, "heads": 2, "kv_heads": 1, "vocab": 10}
    # per token and layer: q, o 2*16 each, k, v 2*8 each, MLP 3*2*32; no last down-projection;
    # causal attention: per sequence and layer 2 * d * T(T+1) = 2 * 4 * 12
    per_layer = 2 * 16 * 2 + 2 * 8 * 2 + 3 * 2 * 32
    want = 6 * (2 * per_layer - 2 * 32) + 2 * 2 * (2 * 4 * 12)
    assert gpu_goal.forward_flops(shape, [B]) == want
    assert gpu_goal.peak_tflops("NVIDIA H100 80GB HBM3", None) == (989.4, "table (H100)")
    assert gpu_goal.peak_tflops("NVIDIA H100 PCIe", None)[0] == 756.0
    assert gpu_goal.peak_tflops("NVIDIA H200", 700) == (700.0, "--peak-tflops")
    assert gpu_goal.peak_tflops("Mystery GPU", None)[0] is None


def test_alignment_null_benchmark_prints_rates_per_null():
    args = ["--n-draws", "3", "--nulls", "noise,shuffled", "--orbits", "0"]
    res = _run("benchmarks/alignment_null.py", *args)
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout)
    assert out["setup"]["n_draws"] == 3 and set(out) == {"setup", "noise", "shuffled"}
    for key in ("S_p", "S_region_A_p", "S_layer2_p", "any_cell_fwe"):
        row = out["noise"][key]
        assert 0 <= row["rate"] <= 1 and row["ci95"][0] <= row["rate"] <= row["ci95"][1]
    assert set(out["noise"]["S_p_cdf"]) == {"0.01", "0.05", "0.1", "0.25", "0.5"}


def _demo_tables():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import demo_tables

    return demo_tables


def test_demo_tables_turn_a_demo_summary_into_the_readme_tables(tmp_path):
    from hftp.apps.demo.effects import category_effect, effect_numbers
    from hftp.tagging.pipeline import find_tagged
    from hftp.testing import planted_spectra

    plant = np.zeros((3, 40), bool)
    plant[2, :10] = True
    kw = dict(conditions=("sentences", "within-shuffle"), planted_in=("sentences",), seed=1)
    s = planted_spectra((3, 40), plant={"sentence": plant.ravel()}, amplitude=0.8, **kw)
    tagged = find_tagged(s, "sentences", "within-shuffle", seed=0)
    eff = effect_numbers(tagged, tagged, tagged, n_boot=50, seed=0)
    kw = dict(conditions=("np-phrases", "category-alternation"), planted_in=("np-phrases",))
    ph = planted_spectra((3, 40), plant={"phrase": plant.ravel()}, amplitude=0.8, seed=2, **kw)
    cat = category_effect(ph, residual=ph, q=0.05, seed=0, n_boot=50)
    demo = tmp_path / "demo"
    demo.mkdir()
    summary = {
        "numbers": {"effect_profile": eff, "category_contrast": cat},
        "params": {"model": "planted", "stimuli": {"n_sequences": 24}, "seed": 0},
        "provenance": {"hftp_version": "0.3.0", "hftp_revision": "abc", "created": "now"},
    }
    (demo / "summary.json").write_text(json.dumps(summary))
    # a run of real_effect_profile.py with other trials, to compare with
    rows = [
        {**r, "raw_effect_median": r["raw_effect_median"] + 0.01}
        for r in _demo_tables().effect_rows(eff)
    ]
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"setup": {"n_sequences_per_condition": 8}, "rows": rows}))
    res = _run("benchmarks/demo_tables.py", str(demo), "--out", str(tmp_path / "t"),
               "--compare", str(other))  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    md = (tmp_path / "t.md").read_text()
    out = json.loads((tmp_path / "t.json").read_text())
    assert "hftp 0.3.0, commit abc" in md and "Effect profile, sentence rate" in md
    assert "ANAN vs AVAV" in md and "8 sequences vs 24 sequences" in md
    # one row per layer and level; the planted layer leads
    sent = {r["layer"]: r for r in out["rows"] if r["level"] == "sentence"}
    assert sorted(sent) == [0, 1, 2]
    assert sent[2]["raw_effect_share"] > sent[0]["raw_effect_share"] + 0.1
    assert sent[2]["residual_effect_share"] == sent[2]["raw_effect_share"]
    med = [
        r
        for r in out["compare"]["rows"]
        if r["column"] == "effect_median" and r["variant"] == "raw" and r["level"] == "sentence"
    ][0]
    assert med["max_layer_difference"] == pytest.approx(0.01, abs=1e-4)
