"""Is the probe's host memory flat in the number of sequences? 150 against 600, on a CPU.

A random-init Llama of a mid shape (hidden 512, MLP 1408, 8 layers, float32) probes 150 and then
600 sequences of 100 units, each in a fresh process, on both of the probe's code paths:

- ``numpy``: the CPU's own (pooled units, scipy.fft, host totals);
- ``device``: the accelerator's, forced on the CPU (hooks straight to coefficients, sums and kept
  trials in torch tensors "on the device" until the Spectra are built), the proxy of a GPU run.

The resident-memory high-water mark (VmHWM, Linux) is reset after the model is built, then read
twice: when the batches are done (``loop_peak_mb``: what the probe holds while it runs) and after
the Spectra are built (``peak_mb``). The Spectra's per-trial coefficients (``trial_x_mb``) grow
with the sequences by design (they are the result); ``peak_net_mb`` is the peak without them.
Ratios are 600 over 150; flat is <= 1.10.

Prints one JSON object on its last line (a few minutes on 2 cores). Not a test: it measures.

    python benchmarks/host_memory.py [--small 150] [--large 600] [--paths numpy device]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHAPE = {"hidden": 512, "mlp": 1408, "layers": 8, "heads": 8, "kv_heads": 8, "vocab": 1000}


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def child(n: int, path: str, n_units: int, batch_size: int, threads: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import gpu_goal

    import hftp
    from hftp.models import fft, probing

    if path == "device":
        fft.SUMMARIZERS["cpu"] = fft.DeviceSummarizer
    stim = gpu_goal.make_stim(n, n_units)
    tok = gpu_goal.tokenizer_for(list(stim.units["unit"].unique()))
    model = gpu_goal.build_model(SHAPE, "cpu", torch.float32)
    marks = {}
    finish = probing.finish_spectra

    def marked(*a, **k):  # the batches are done: what the probe held while it ran
        marks["loop_peak_mb"] = _status_mb("VmHWM")
        return finish(*a, **k)

    probing.finish_spectra = marked
    _reset_peak()
    base = _status_mb("VmRSS")
    t0 = time.perf_counter()
    spectra = hftp.probe(model, tok, stim, batch_size=batch_size, progress=False)
    elapsed = time.perf_counter() - t0
    peak = _status_mb("VmHWM")
    trial_mb = spectra["trial_x"].nbytes / 2**20
    assert int(spectra["n_trials"].sum()) == n
    return {
        "n": n,
        "path": path,
        "base_mb": round(base, 1),
        "loop_peak_mb": round(marks["loop_peak_mb"], 1),
        "peak_mb": round(peak, 1),
        "trial_x_mb": round(trial_mb, 1),
        "peak_net_mb": round(peak - trial_mb, 1),
        "probe_s": round(elapsed, 2),
    }


def run(n: int, path: str, args) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        str(n),
        "--child-path",
        path,
        "--units",
        str(args.units),
        "--batch-size",
        str(args.batch_size),
        "--threads",
        str(args.threads),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=150)
    ap.add_argument("--large", type=int, default=600)
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--paths", nargs="+", default=["numpy", "device"])
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--child-path", default="numpy", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        res = child(args.child, args.child_path, args.units, args.batch_size, args.threads)
        print(json.dumps(res))
        return
    t0 = time.perf_counter()
    result = {
        "benchmark": "host_memory",
        "shape": SHAPE,
        "units": args.units,
        "batch_size": args.batch_size,
        "threads": args.threads,
        "sequences": [args.small, args.large],
        "paths": {},
    }
    for path in args.paths:
        small, large = run(args.small, path, args), run(args.large, path, args)
        result["paths"][path] = {
            "small": small,
            "large": large,
            "loop_ratio": round(large["loop_peak_mb"] / small["loop_peak_mb"], 3),
            "peak_ratio": round(large["peak_mb"] / small["peak_mb"], 3),
            "net_ratio": round(large["peak_net_mb"] / small["peak_net_mb"], 3),
        }
    result["goal"] = {"ratio": 1.10}
    result["wall_s"] = round(time.perf_counter() - t0, 1)
    result["load_avg_1min"] = os.getloadavg()[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
