"""Which tagging test should brain spectra use by default? Calibration and power by simulation.

Simulated EEG-like channels: 250 Hz, 4-s trials (1000 samples), tagged 1 Hz and 2 Hz, 30 trials.
Null channels carry a trial-locked slow potential (a 1-SD Gaussian bump of 0.4 s, identical in every
trial, so phase-locked at every low frequency), 1/f noise and a per-trial linear drift. Planted
channels add a phase-locked 1 Hz sinusoid of amplitude ``AMP`` (noise SDs) to that. For each test
(plain Rayleigh, ITC against neighbor bins, evoked F-test) this prints, as JSON, the fraction of
null channels significant after BH (q = 0.05) and the fraction of planted channels found.

    PYTHONPATH=. python benchmarks/tagging_brain_default.py
"""

from __future__ import annotations

import json

import numpy as np

import hftp.spectral as sp
from hftp.tagging.pipeline import find_tagged

RATE, N, K = 250.0, 1000, 30
AMP = 1.0  # planted 1 Hz amplitude in noise SDs (the 1/f noise is strong at 1 Hz)


def simulate(n_null, n_plant, *, amp, seed, slow=1.0):
    rng = np.random.default_rng(seed)
    n = n_null + n_plant
    t = np.arange(N) / RATE
    bump = slow * np.exp(-0.5 * ((t - 0.5) / 0.2) ** 2)  # trial-locked slow potential
    f = np.fft.rfftfreq(N, 1 / RATE)
    shaping = 1.0 / np.sqrt(np.maximum(f, 0.25))  # 1/f power
    shaping /= np.sqrt(np.mean(shaping**2))
    sig = np.zeros((n, N))
    sig[n_null:] = amp * np.cos(2 * np.pi * 1.0 * t + rng.uniform(0, 2 * np.pi, (n_plant, 1)))
    trials = {}
    for cond in ("exp", "ctrl"):
        white = rng.standard_normal((K, n, N))
        pink = np.fft.irfft(np.fft.rfft(white, axis=-1) * shaping, n=N, axis=-1)
        drift = rng.normal(0, 0.5, (K, n, 1)) * (t / t[-1] - 0.5)
        trials[cond] = pink + drift + bump + (sig if cond == "exp" else 0.0)
    return sp.make_spectra(
        trials, sfreq=RATE, tagged_hz={"sentence": 1.0, "phrase": 2.0}, kind="brain"
    )


def main() -> dict:
    out = {"setup": {"rate": RATE, "n_times": N, "n_trials": K, "q": 0.05}}
    rows = {}
    for measure in ("itc", "itc-neighbor", "evoked"):
        fpr, power = [], []
        for seed in range(3):
            s = simulate(400, 100, amp=AMP, seed=seed)
            r = find_tagged(s, "exp", levels="sentence", mode_params={"measure": measure})
            sig = r["significant"].values[:, 0]
            fpr.append(float(sig[:400].mean()))
            power.append(float(sig[400:].mean()))
        strong = simulate(400, 0, amp=0.0, seed=9, slow=5.0)
        r = find_tagged(strong, "exp", levels="sentence", mode_params={"measure": measure})
        rows[measure] = {
            "null_significant_after_bh": fpr,
            f"planted_found_amp{AMP}": power,
            "null_significant_strong_slow_potential": float(r["significant"].mean()),
        }
    out["tests"] = rows
    return out


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    print(json.dumps(main(), indent=1))
