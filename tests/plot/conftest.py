"""Synthetic inputs built to the documented schemas (spectra, tagging, RDMs, alignment), shared by
the figure tests through the ``synth`` fixture; every figure is closed after each test."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

from hftp.spectral.accumulate import make_spectra

matplotlib.use("Agg")

CONDS = ["advp", "rrrv", "rrrr", "avav", "anan", "phmi"]
EEG_CH = ["Fz", "Cz", "Pz", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "T7", "T8"]
REGIONS = ["STG_L", "MTG_L", "IFG_L", "STG_R", "Insula_R", "other"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def model_spectra(n_layers=4, n_neurons=12, conds=("sentences", "within-shuffle"), seed=0):
    """Model Spectra at a 4 Hz unit rate; neuron 0 of every layer follows 1 and 2 Hz."""
    rng = np.random.default_rng(seed)
    t = np.arange(40) / 4.0
    trials = {}
    for k, c in enumerate(conds):
        x = rng.normal(size=(5, n_layers, n_neurons, t.size))
        if k == 0:
            x[:, :, 0] += 2 * np.cos(2 * np.pi * 1.0 * t) + np.cos(2 * np.pi * 2.0 * t)
        trials[c] = x
    return make_spectra(
        trials,
        sfreq=4.0,
        tagged_hz={"sentence": 1.0, "phrase": 2.0},
        channel_dims=("layer", "neuron"),
        kind="model",
    )


def tagging(n_layers=4, n_neurons=12, seed=0, rate=0.3):
    """A tagging result over (layer, neuron, level); neuron 0 of every layer is 'shared'."""
    rng = np.random.default_rng(seed)
    levels = ["sentence", "phrase"]
    sig = (
        rng.random((n_layers, n_neurons, 2)) < rate * np.linspace(0.3, 1.0, n_layers)[:, None, None]
    )
    sig[:, 0] = True
    stat = rng.gamma(2.0, size=sig.shape) + 10 * sig
    stat[:, 0] += 100
    p = np.where(sig, 1e-4, 0.5)
    cat = np.full((n_layers, n_neurons), "none", dtype=object)
    cat[sig[..., 0] & ~sig[..., 1]] = "sentence"
    cat[~sig[..., 0] & sig[..., 1]] = "phrase"
    cat[sig[..., 0] & sig[..., 1]] = "shared"
    coords = {"layer": np.arange(n_layers), "neuron": np.arange(n_neurons), "level": levels}
    dims = ("layer", "neuron", "level")
    return xr.Dataset(
        {
            "statistic": (dims, stat),
            "p": (dims, p),
            "q": (dims, p * 2),
            "significant": (dims, sig),
            "category": (("layer", "neuron"), cat.astype(str)),
        },
        coords=coords,
        attrs={"mode": "calibrated", "q": 0.05},
    )


def profile_df(tagged):
    cat = tagged["category"].to_series().reset_index()
    counts = cat.groupby(["layer", "category"]).size().rename("count").reset_index()
    counts["proportion"] = counts["count"] / counts.groupby("layer")["count"].transform("sum")
    return counts


def brain_spectra(n_subjects=3, seed=0):
    """Brain Spectra: 3 subjects × the EEG channels, 6 conditions; 'anan' tags 1.5625 Hz."""
    rng = np.random.default_rng(seed)
    sfreq, n_times = 50.0, 768  # 15.36 s, bins every 1/15.36 Hz
    t = np.arange(n_times) / sfreq
    n_ch = n_subjects * len(EEG_CH)
    trials = {}
    for c in CONDS:
        x = rng.normal(size=(8, n_ch, n_times))
        x += 0.8 * np.cos(2 * np.pi * 3.125 * t + 0.3)
        if c == "anan":
            x += 0.6 * np.cos(2 * np.pi * 1.5625 * t + 1.0)
        trials[c] = x
    coords = {
        "channel": [f"s{s}-{ch}" for s in range(n_subjects) for ch in EEG_CH],
        "subject": ("channel", [f"P{s + 1}" for s in range(n_subjects) for _ in EEG_CH]),
        "region": ("channel", ["other"] * n_ch),
        "hemisphere": ("channel", ["midline"] * n_ch),
        "x": ("channel", np.zeros(n_ch)),
        "y": ("channel", np.zeros(n_ch)),
        "z": ("channel", np.zeros(n_ch)),
    }
    return make_spectra(
        trials,
        sfreq=sfreq,
        tagged_hz={"phrase": 1.5625, "unit": 3.125},
        channel_coords=coords,
        kind="brain",
    )


def alignment_result(n_layers=6, n_per_region=4, seed=0):
    """rho, p, q over (layer, channel) with MNI coords; layer 3 × STG_L is planted."""
    rng = np.random.default_rng(seed)
    regs = np.repeat(REGIONS, n_per_region)
    n_ch = regs.size
    rho = rng.normal(0, 0.15, size=(n_layers, n_ch))
    rho[3, regs == "STG_L"] += 0.8
    p = np.where(rho > 0.6, 0.002, 0.6)
    centres = {
        "STG_L": (-58, -20, 6),
        "MTG_L": (-62, -35, -5),
        "IFG_L": (-48, 20, 12),
        "STG_R": (60, -18, 6),
        "Insula_R": (38, 2, 4),
        "other": (10, 50, 30),
    }
    xyz = np.array([centres[r] for r in regs], float) + rng.normal(0, 3, size=(n_ch, 3))
    return xr.Dataset(
        {
            "rho": (("layer", "channel"), rho),
            "p": (("layer", "channel"), p),
            "q": (("layer", "channel"), p * 5),
        },
        coords={
            "layer": np.arange(n_layers),
            "channel": [f"c{k}" for k in range(n_ch)],
            "region": ("channel", regs),
            "hemisphere": ("channel", ["L" if v < 0 else "R" for v in xyz[:, 0]]),
            "x": ("channel", xyz[:, 0]),
            "y": ("channel", xyz[:, 1]),
            "z": ("channel", xyz[:, 2]),
        },
        attrs={"comparison": "spearman"},
    )


def rdm(dim, labels, conds=CONDS, seed=0):
    rng = np.random.default_rng(seed)
    pairs = list(itertools.combinations(conds, 2))
    vals = rng.random((len(labels), len(pairs)))
    return xr.DataArray(
        vals,
        dims=(dim, "pair"),
        coords={
            dim: labels,
            "cond_i": ("pair", [a for a, _ in pairs]),
            "cond_j": ("pair", [b for _, b in pairs]),
        },
        attrs={"metric": "cosine"},
    )


@pytest.fixture(scope="session")
def synth():
    """The builders (``synth.model_spectra``, ``synth.tagging``, ``synth.profile_df``,
    ``synth.brain_spectra``, ``synth.alignment_result``, ``synth.rdm``) and their labels."""
    return SimpleNamespace(
        model_spectra=model_spectra,
        tagging=tagging,
        profile_df=profile_df,
        brain_spectra=brain_spectra,
        alignment_result=alignment_result,
        rdm=rdm,
        conds=CONDS,
        eeg_ch=EEG_CH,
        regions=REGIONS,
    )
