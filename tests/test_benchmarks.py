"""The scale benchmark's code path, on CPU with tiny configs (gpu.sh runs the same on a GPU)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    assert out["max_overhead_ratio"] == max(s["overhead_ratio"] for s in out["sizes"])
    assert out["goal"] == {"overhead_ratio": 1.1, "memory_ratio": 1.1}


@pytest.mark.skipif(sys.platform != "linux", reason="bash script")
def test_gpu_script_refuses_clearly_without_a_gpu():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is here: run benchmarks/gpu.sh itself")
    res = subprocess.run(
        ["bash", "benchmarks/gpu.sh"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHON": sys.executable},
    )  # fmt: skip
    assert res.returncode != 0 and "torch sees no CUDA GPU" in res.stderr
