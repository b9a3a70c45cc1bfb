"""Speed and memory of ``hftp.probe`` on the default model (SmolLM2-135M-Instruct, CPU).

- ``overhead_ratio``: time of ``hftp.probe`` over the time of a bare ``model(**batch)`` on the
  same token batches (same run, alternating, medians over repeats). Goal <= 1.10.
- ``rss_ratio``: peak RSS while probing 200 sequences over that while probing 50, each in a fresh
  process, with the high-water mark reset after the model is loaded (Linux). Goal <= 1.10.
  ``probe_growth_ratio`` compares the probe's own growth above the loaded model's RSS.

Prints one JSON object on its last line. Usage::

    python benchmarks/extract.py [--n-seq 16] [--batch-size 8] [--repeats 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def _setup(threads: int):
    import torch

    torch.set_num_threads(threads)
    import hftp

    model, tok = hftp.load_model(device="cpu")
    return hftp, model, tok


def _stim(hftp, n: int, n_sentences: int):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # phrase rate at Nyquist: irrelevant here
        return hftp.make_stimuli(
            "en", design="sentences", n_sequences=n, seed=0, n_sentences=n_sentences
        )


def overhead(n_seq: int, batch_size: int, repeats: int, threads: int, n_sentences: int) -> dict:
    import torch

    from hftp.models.batching import iter_batches, sequences_by_condition
    from hftp.models.pooling import encode

    hftp, model, tok = _setup(threads)
    stim = _stim(hftp, n_seq, n_sentences)
    batches = [
        encode(tok, seqs, separator=stim.separator, pad_id=tok.pad_token_id or 0)
        for _, seqs in iter_batches(sequences_by_condition(stim), batch_size)
    ]

    def bare() -> None:
        with torch.inference_mode():
            for b in batches:
                model(input_ids=b.input_ids, attention_mask=b.attention_mask)

    def probe() -> None:
        hftp.probe(model, tok, stim, batch_size=batch_size, progress=False)

    bare()
    probe()  # warm-up
    t_bare, t_probe = [], []
    for _ in range(repeats):
        for fn, out in ((bare, t_bare), (probe, t_probe)):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return {
        "overhead_ratio": statistics.median(t_probe) / statistics.median(t_bare),
        "bare_s": statistics.median(t_bare),
        "probe_s": statistics.median(t_probe),
        "bare_all_s": t_bare,
        "probe_all_s": t_probe,
        "n_tokens_per_seq": int(batches[0].attention_mask.sum(1).float().mean()),
    }


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_child(n: int, batch_size: int, threads: int, n_sentences: int) -> None:
    import gc

    hftp, model, tok = _setup(threads)
    stim = _stim(hftp, n, n_sentences)
    gc.collect()
    load_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Loading the model has its own, higher transient peak; reset the high-water mark (Linux) so
    # that the peak measured is the probe's.
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        reset = True
    except OSError:
        reset = False
    base = _status_mb("VmRSS")
    spectra = hftp.probe(model, tok, stim, batch_size=batch_size, progress=False)
    assert int(spectra["n_trials"].sum()) == n
    peak = (
        _status_mb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    print(json.dumps({"peak_mb": peak, "base_mb": base, "load_peak_mb": load_peak, "reset": reset}))


def rss(n: int, args) -> float:
    cmd = [
        sys.executable,
        __file__,
        "--rss-child",
        str(n),
        "--batch-size",
        str(args.batch_size),
        "--threads",
        str(args.threads),
        "--n-sentences",
        str(args.n_sentences),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-seq", type=int, default=16, help="sequences timed per repeat")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--n-sentences", type=int, default=50, help="sentences per sequence")
    ap.add_argument("--rss-small", type=int, default=50)
    ap.add_argument("--rss-large", type=int, default=200)
    ap.add_argument("--rss-child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child is not None:
        rss_child(args.rss_child, args.batch_size, args.threads, args.n_sentences)
        return
    result = overhead(args.n_seq, args.batch_size, args.repeats, args.threads, args.n_sentences)
    small, large = rss(args.rss_small, args), rss(args.rss_large, args)
    result.update(
        {
            "rss_ratio": large["peak_mb"] / small["peak_mb"],
            "rss_small": small,
            "rss_large": large,
            "probe_growth_ratio": (large["peak_mb"] - large["base_mb"])
            / (small["peak_mb"] - small["base_mb"]),
            "rss_sequences": [args.rss_small, args.rss_large],
            "batch_size": args.batch_size,
            "threads": args.threads,
            "units_per_sequence": 4 * args.n_sentences,
            "load_avg_1min": os.getloadavg()[0],
            "cpu_count": os.cpu_count(),
        }
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
