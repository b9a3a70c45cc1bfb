"""Planted model and brain Spectra with known condition profiles, shared by the RSA tests.

Each model layer (and each brain channel of region A) follows one condition profile: an amplitude
cos(θ_c) at 0.5 Hz and sin(θ_c) at 1 Hz per condition c. ``hftp.testing.planted_spectra`` plants
one response per level in chosen conditions; RSA needs a profile over conditions instead, so the
builders are here, handed to the tests by the ``build`` fixture.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import hftp.spectral as sp

CONDS = ["c0", "c1", "c2", "c3", "c4", "c5"]
SFREQ, NT = 4.0, 64
T = np.arange(NT) / SFREQ
TAGGED_HZ = {"sentence": 0.5, "phrase": 1.0}


def _signal(theta, amp):
    """A condition profile: amplitude cos(theta) at 0.5 Hz and sin(theta) at 1 Hz."""
    lo = np.cos(2 * np.pi * 0.5 * T)
    hi = np.cos(2 * np.pi * 1.0 * T)
    return np.asarray(amp)[..., None] * (
        np.cos(theta)[..., None] * lo + np.sin(theta)[..., None] * hi
    )


def profiles(rng, n_rows, n_cond=6):
    """Random condition profiles θ, shape (n_rows, n_cond)."""
    return rng.uniform(0, np.pi / 2, (n_rows, n_cond))


def model(rng, thetas, n_neurons=8, n_trials=10, active=None, conds=CONDS):
    """Model Spectra whose layer l follows the condition profile thetas[l].

    With ``active`` (layer, neuron) bool, only those neurons follow it; the others follow their
    own random profiles.
    """
    n_layers = thetas.shape[0]
    gain = rng.uniform(0.5, 1.5, (n_layers, n_neurons))
    on = np.ones((n_layers, n_neurons), bool) if active is None else active
    own = profiles(rng, n_layers * n_neurons, len(conds)).reshape(n_layers, n_neurons, -1)
    th = np.where(on[..., None], thetas[:, None, :], own)
    trials = {}
    for i, c in enumerate(conds):
        s = _signal(th[..., i], 2.0 * gain)
        trials[c] = s[None] + rng.normal(size=(n_trials, n_layers, n_neurons, NT))
    return sp.make_spectra(
        trials, sfreq=SFREQ, tagged_hz=TAGGED_HZ, channel_dims=("layer", "neuron"), kind="model"
    )


def brain(rng, thetas, regions, subjects, *, amp=0.35, n_trials=30, shuffle=False, conds=CONDS):
    """Brain Spectra; channel k follows thetas[k] (NaN rows: noise only).

    With ``shuffle``, each channel's condition labels are permuted independently.
    """
    k = len(regions)
    coords = {
        "channel": [f"ch{i}" for i in range(k)],
        "region": ("channel", np.asarray(regions)),
        "hemisphere": ("channel", np.array(["L", "R"])[np.arange(k) % 2]),
        "subject": ("channel", np.asarray(subjects)),
        **{ax: ("channel", rng.normal(size=k)) for ax in "xyz"},
    }
    sig = np.stack(
        [
            _signal(np.nan_to_num(thetas[:, i]), amp * np.isfinite(thetas[:, i]))
            for i in range(len(conds))
        ]
    )
    arr = sig[:, None] + rng.normal(size=(len(conds), n_trials, k, NT))
    if shuffle:
        for ch in range(k):
            arr[:, :, ch] = arr[rng.permutation(len(conds)), :, ch]
    trials = {c: arr[i] for i, c in enumerate(conds)}
    return sp.make_spectra(
        trials, sfreq=SFREQ, tagged_hz=TAGGED_HZ, channel_dims=("channel",), channel_coords=coords
    )


def planted(seed=0, target=2, n_layers=5, per_region=6, shuffle=False, active=None, n_neurons=8):
    """Region A's channels share layer ``target``'s profile; B has unrelated profiles; C is noise."""
    rng = np.random.default_rng(seed)
    thetas = profiles(rng, n_layers)
    m = model(rng, thetas, n_neurons=n_neurons, active=active)
    ct = np.full((3 * per_region, 6), np.nan)
    ct[:per_region] = thetas[target]
    ct[per_region : 2 * per_region] = profiles(rng, per_region)
    regions = ["A"] * per_region + ["B"] * per_region + ["C"] * per_region
    subjects = np.array(["s1", "s2", "s3"])[np.arange(3 * per_region) % 3]
    return m, brain(rng, ct, regions, subjects, shuffle=shuffle)


@pytest.fixture(scope="session")
def build():
    """The builders: ``build.model``, ``build.brain``, ``build.profiles``, ``build.planted``."""
    return SimpleNamespace(
        model=model,
        brain=brain,
        profiles=profiles,
        planted=planted,
        conds=CONDS,
        sfreq=SFREQ,
        n_times=NT,
        tagged_hz=TAGGED_HZ,
    )


@pytest.fixture(scope="session")
def planted_pair():
    """(model Spectra, brain Spectra): region A follows layer 2; 5 layers × 8 neurons, 18 channels."""
    return planted()


@pytest.fixture(scope="session")
def planted_result(planted_pair):
    from hftp.rsa.alignment import align

    m, b = planted_pair
    return align(m, b, top_k=6, n_boot=200)
