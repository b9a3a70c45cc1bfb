"""The neighbor F-test under sustained and ramping slow potentials: which neighbor model keeps power?

Simulated brain channels, as ``tagging_brain_default.py``: 250 Hz, 30 trials, 1/f noise and a
per-trial linear drift; every channel carries a trial-locked slow potential (identical in every
trial), and the last ``N_PLANT`` channels add a phase-locked 1-SD 1 Hz response. The analysed
window is 4 s (after a 1-s onset drop, except for ``step-in-window``). Slow potentials, each
``slow`` SD:

- ``shift+ramp``: a DC shift from onset (constant in the window) plus a ramp over the window;
- ``exp-shift+ramp``: an exponential approach (τ = 1 s) to the shift that continues into the
  window, plus the ramp;
- ``step-in-window``: a shift that starts 0.3 s into the window (no onset drop), plus the ramp;
- ``bump``: a Gaussian bump (σ = 0.2 s) at 0.5 s; ``none``.

Neighbor models compared, each followed by Benjamini–Hochberg at q = 0.05 over the channels:

- ``F3``: the spectral F-test of ``hftp.find_tagged`` (3 neighbors per side, skip 1) on the raw FFT;
- ``F3_detrend``: the same after per-trial linear detrending (``hftp.brain_spectra``'s default);
- ``loglin6`` / ``loglin6_detrend``: a log-linear fit of the neighbors' evoked power against
  log f (6 per side, skip 1), the tagged bin's log power compared with the prediction (log of an
  exponential variable plus the prediction's normal error).

Prints JSON: per scenario and strength, the share of null channels significant after BH, the share
of planted channels found (power), and the raw share of null p < 0.05, each averaged over seeds.

    PYTHONPATH=. python benchmarks/brain_slow_potentials.py [--seeds 2]
"""

from __future__ import annotations

import argparse
import json

import numpy as np

import hftp.spectral as sp
from hftp.brain.spectra import linear_detrend
from hftp.tagging import bh_fdr, find_tagged

RATE, N, K = 250.0, 1000, 30
N_NULL, N_PLANT = 300, 100
SCENARIOS = {
    "shift+ramp": (1.0, 3.0, 10.0),
    "exp-shift+ramp": (1.0, 3.0, 10.0),
    "step-in-window": (1.0, 3.0),
    "bump": (1.0,),
    "none": (0.0,),
}


def potential(kind: str, slow: float, t: np.ndarray) -> np.ndarray:
    """The trial-locked slow potential of a scenario over the window times ``t`` (s)."""
    ramp = slow * t / t[-1]
    if kind == "shift+ramp":
        return slow + ramp
    if kind == "exp-shift+ramp":
        return slow * (1 - np.exp(-(t + 1.0) / 1.0)) + ramp
    if kind == "step-in-window":
        return slow / (1 + np.exp(-(t - 0.3) / 0.05)) + ramp
    if kind == "bump":
        return slow * np.exp(-0.5 * ((t - 0.5) / 0.2) ** 2)
    return np.zeros_like(t)


def simulate(kind: str, slow: float, seed: int) -> np.ndarray:
    """Trials (K, N_NULL + N_PLANT, N) in noise SD units."""
    rng = np.random.default_rng(seed)
    n = N_NULL + N_PLANT
    t = np.arange(N) / RATE
    f = np.fft.rfftfreq(N, 1 / RATE)
    shaping = 1 / np.sqrt(np.maximum(f, 0.25))
    shaping /= np.sqrt(np.mean(shaping**2))
    sig = np.zeros((n, N))
    sig[N_NULL:] = np.cos(2 * np.pi * t + rng.uniform(0, 2 * np.pi, (N_PLANT, 1)))
    white = rng.standard_normal((K, n, N))
    pink = np.fft.irfft(np.fft.rfft(white, axis=-1) * shaping, n=N, axis=-1)
    drift = rng.normal(0, 0.5, (K, n, 1)) * (t / t[-1] - 0.5)
    return pink + drift + potential(kind, slow, t) + sig


def loglinear_p(x: np.ndarray, n_neighbors: int = 6) -> np.ndarray:
    """p-value at 1 Hz from a log-linear fit of the neighbors' evoked power against log f."""
    X = np.fft.rfft(x, axis=-1)[..., 1:].mean(axis=0)
    P = np.abs(X) ** 2
    freqs = np.fft.rfftfreq(N, 1 / RATE)[1:]
    i = int(np.argmin(np.abs(freqs - 1.0)))
    exclude = sp.harmonic_bins(freqs, [1.0, 2.0])
    nb = sp.neighbor_bins(freqs.size, i, n_neighbors, 1)
    nb = nb[~np.isin(nb, exclude)]
    D = np.column_stack([np.ones(nb.size), np.log(freqs[nb])])
    beta = np.log(P[:, nb]) @ np.linalg.pinv(D).T
    x0 = np.array([1.0, np.log(freqs[i])])
    pred = beta @ x0
    h0 = x0 @ np.linalg.inv(D.T @ D) @ x0
    d = np.log(P[:, i]) - pred - np.euler_gamma  # log E0 − Z, E0 ~ Exp(1), Z the fit's error
    sd = np.sqrt(np.pi**2 / 6 * h0)
    z, w = np.polynomial.hermite_e.hermegauss(40)
    return (w * np.exp(-np.exp(d[:, None] + sd * z))).sum(axis=1) / np.sqrt(2 * np.pi)


def rates(p: np.ndarray) -> tuple[float, float, float]:
    """(null significant after BH, planted found after BH, raw null p < 0.05)."""
    sig = bh_fdr(p) <= 0.05
    return float(sig[:N_NULL].mean()), float(sig[N_NULL:].mean()), float((p[:N_NULL] < 0.05).mean())


def run(kind: str, slow: float, seed: int) -> dict[str, tuple[float, float, float]]:
    x = simulate(kind, slow, seed)
    out = {}
    for name, trials in (("", x), ("_detrend", linear_detrend(x))):
        s = sp.make_spectra(
            {"exp": trials}, sfreq=RATE, tagged_hz={"sentence": 1.0, "phrase": 2.0}, kind="brain"
        )
        res = find_tagged(s, "exp", levels="sentence")
        out["F3" + name] = rates(res["p"].values[:, 0])
        out["loglin6" + name] = rates(loglinear_p(trials))
    return out


def main(seeds: int = 2) -> dict:
    table = {}
    for kind, strengths in SCENARIOS.items():
        for slow in strengths:
            acc: dict[str, list] = {}
            for seed in range(seeds):
                for name, r in run(kind, slow, seed).items():
                    acc.setdefault(name, []).append(r)
            table[f"{kind} {slow:g} SD"] = {
                name: {
                    k: float(m)
                    for k, m in zip(
                        ("null_after_bh", "power", "raw_null_p05"),
                        np.mean(v, axis=0).round(3),
                        strict=True,
                    )
                }
                for name, v in acc.items()
            }
    return {
        "setup": {"rate": RATE, "window_s": N / RATE, "n_trials": K, "q": 0.05, "seeds": seeds},
        "results": table,
    }


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=2)
    print(json.dumps(main(ap.parse_args().seeds), indent=1))
