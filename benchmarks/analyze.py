"""Benchmark the tagging analysis (not a test). Prints one JSON object on its last line.

- ``speedup_vs_naive``: paper-mode stage 1 (1000 permutations of the mean series, 95th percentile)
  over all units at once, against a naive per-neuron Python loop of the same stage 1 (1000
  permutations, an rfft each), timed on a sample of neurons and extrapolated, in the same run.
  The vectorised side works in float32 (one matrix product per chunk of units against the
  permuted DFT weights at the tagged bins); the naive loop in float64.
- ``analysis_over_extraction``: the paper-mode analysis time over the probe's extraction time
  (only when the probe ran on the default model).
- Also the times of the full ``find_tagged`` in calibrated and paper mode.

Everything runs on one thread (BLAS and torch) so that both sides of the comparison are equal.

Usage::

    python benchmarks/analyze.py                 # default model, 20 shuffles per condition
    python benchmarks/analyze.py --simulate      # simulated 30 × 1536 spectra, 100 trials
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def simulated_spectra(n_layers=30, n_neurons=1536, n_trials=100, n_times=200, seed=0):
    """Model-shaped Spectra: a planted 1 Hz / 2 Hz response in 5% of neurons, white noise."""
    import hftp.spectral as sp

    rng = np.random.default_rng(seed)
    shape = (n_layers, n_neurons)
    acc = sp.SpectraAccumulator(
        channel_dims=("layer", "neuron"),
        channel_coords={"layer": np.arange(n_layers), "neuron": np.arange(n_neurons)},
        freqs=sp.freq_axis(n_times, 4.0),
        sfreq=4.0,
        tagged_hz={"sentence": 1.0, "phrase": 2.0},
        n_times=n_times,
        kind="model",
    )
    t = np.arange(n_times)
    sig = np.zeros((n_layers * n_neurons, n_times), np.float32)
    sig[::20] = 0.3 * (np.cos(2 * np.pi * t / 4) + np.cos(np.pi * t))
    for cond in ("sentences", "within-shuffle"):
        for _ in range(n_trials // 4):
            x = rng.standard_normal((4, n_layers * n_neurons, n_times), dtype=np.float32)
            if cond == "sentences":
                x += sig
            acc.add(cond, sp.rfft_trials(x.reshape(4, *shape, n_times)))
    return acc.to_dataset()


def model_spectra(n_sequences: int):
    import torch

    import hftp

    torch.set_num_threads(1)
    model, tok = hftp.load_model()
    stim = hftp.make_stimuli("en", design=["sentences", "within-shuffle"], n_sequences=n_sequences)
    t0 = time.perf_counter()
    spectra = hftp.probe(model, tok, stim, progress=False)
    return spectra, time.perf_counter() - t0, getattr(model.config, "_name_or_path", "default")


def naive_stage1(x: np.ndarray, bins, n_perm: int, seed: int) -> np.ndarray:
    """The reference procedure: a Python loop per neuron, 1000 permutations, an rfft each."""
    rng = np.random.default_rng(seed)
    thr = np.empty((x.shape[0], len(bins)))
    for u in range(x.shape[0]):
        null = np.empty((n_perm, len(bins)))
        for k in range(n_perm):
            null[k] = np.abs(np.fft.rfft(rng.permutation(x[u]))[bins])
        thr[u] = np.percentile(null, 95, axis=0)
    return thr


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--simulate", action="store_true", help="simulated spectra, no model")
    ap.add_argument("--n-sequences", type=int, default=20, help="shuffles per condition (model)")
    ap.add_argument("--naive-sample", type=int, default=20, help="neurons timed in the naive loop")
    args = ap.parse_args()

    import hftp.spectral as sp
    from hftp.tagging.paper import mean_series, permutation_threshold
    from hftp.tagging.pipeline import find_tagged

    extraction_s = None
    source = "simulated 30 layers x 1536 neurons, 100 trials per condition, 200 units"
    if not args.simulate:
        try:
            spectra, extraction_s, name = model_spectra(args.n_sequences)
            source = (
                f"default model ({name}) probe: en sentences + within-shuffle, "
                f"{args.n_sequences} shuffles each"
            )
        except Exception as exc:  # the model is optional for this benchmark
            print(f"default model unavailable ({exc!r}); simulating")
    if extraction_s is None:
        spectra = simulated_spectra()
    units = sp.channel_dims(spectra)
    n_units = int(np.prod([spectra.sizes[d] for d in units]))
    n_times = int(spectra.attrs["n_times"])
    freqs = spectra["freq"].values
    bins = [sp.bin_index(freqs, f) + 1 for f in spectra.hftp.tagged_hz.values()]

    # vectorised stage 1 over all units
    t0 = time.perf_counter()
    n = spectra["n_trials"].sel(condition="sentences").item()
    X = spectra["sum_x"].sel(condition="sentences").transpose(*units, "freq").values / n
    x = mean_series(X.reshape(n_units, -1), n_times)
    perms = np.argsort(np.random.default_rng(0).random((1000, n_times)), axis=1)
    permutation_threshold(x, bins, perms)
    vec_s = time.perf_counter() - t0

    # naive loop on a sample, extrapolated
    sample = x[:: max(1, n_units // args.naive_sample)][: args.naive_sample]
    t0 = time.perf_counter()
    naive_stage1(sample, bins, 1000, 0)
    naive_s = (time.perf_counter() - t0) / sample.shape[0] * n_units

    t0 = time.perf_counter()
    paper = find_tagged(spectra, "sentences", "within-shuffle", mode="paper")
    paper_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    cal = find_tagged(spectra, "sentences", "within-shuffle")
    cal_s = time.perf_counter() - t0

    out = {
        "source": source,
        "n_units": n_units,
        "n_trials": int(n),
        "threads": 1,
        "stage1_vectorised_s": round(vec_s, 3),
        "stage1_naive_extrapolated_s": round(naive_s, 1),
        "naive_ms_per_neuron": round(1000 * naive_s / n_units, 2),
        "speedup_vs_naive": round(naive_s / vec_s, 1),
        "paper_mode_s": round(paper_s, 3),
        "calibrated_mode_s": round(cal_s, 3),
        "extraction_s": None if extraction_s is None else round(extraction_s, 2),
        "analysis_over_extraction": None
        if extraction_s is None
        else round(paper_s / extraction_s, 4),
        "calibrated_over_extraction": None
        if extraction_s is None
        else round(cal_s / extraction_s, 4),
        "paper_fraction_tagged": float((paper["category"] != "none").mean()),
        "calibrated_fraction_tagged": float((cal["category"] != "none").mean()),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
