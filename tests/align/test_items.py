"""Item-level RSA: the simulator writes which stream each trial played, the reader keeps it, and
align over items (sampled permutations of item labels, identity included) recovers a planted
item-level alignment."""

from __future__ import annotations

import numpy as np
import pytest

import hftp.spectral as sp
from hftp.align.core import align

RATE, NT = 4.0, 64
T = np.arange(NT) / RATE
TAGGED = {"sentence": 0.5, "phrase": 1.0}


def test_simulator_writes_items_and_the_reader_keeps_them(tmp_path):
    import pandas as pd

    from hftp.brain import item_epochs
    from hftp.brain.core import brain_spectra, read_recording, simulate_ieeg
    from hftp.stimuli.core import by_item, make_stimuli

    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):  # 2-unit phrases at 4 Hz
        stim = make_stimuli("en", design=["sentences", "random-words"], n_sequences=3, seed=0)
    sim = simulate_ieeg(tmp_path / "bids", stim=stim, subjects=1, contacts_per_region=1, seed=0)
    tsv = next((tmp_path / "bids").rglob("*_events.tsv"))
    events = pd.read_csv(tsv, sep="\t")
    assert "item" in events.columns and events["item"].nunique() == len(events) == 6
    ep = read_recording(sim.root)
    assert list(ep.metadata.columns) == ["condition", "item"]
    assert all(
        i.startswith(c + "/")
        for c, i in zip(ep.metadata["condition"], ep.metadata["item"], strict=True)
    )
    spec = brain_spectra(item_epochs(ep))
    items = by_item(stim)
    assert sorted(map(str, spec["condition"].values)) == sorted(items.conditions)
    # the model is fed each item's word list: the same streams, one condition per item
    for (_, c, words), (_, c_item, words_item) in zip(
        stim.sequences(), items.sequences(), strict=True
    ):
        assert words == words_item and c_item.startswith(c + "/")


def test_epochs_without_items_are_refused():
    import mne

    from hftp.brain import item_epochs

    info = mne.create_info(["a"], 100.0, "eeg")
    ep = mne.EpochsArray(np.zeros((2, 1, 10)), info, verbose="error")
    with pytest.raises(ValueError, match="'epochs'.*item.*align over conditions"):
        item_epochs(ep)


def _wave(theta, amp):
    return np.asarray(amp)[..., None] * (
        np.cos(theta)[..., None] * np.cos(2 * np.pi * 0.5 * T)
        + np.sin(theta)[..., None] * np.cos(2 * np.pi * 1.0 * T)
    )


def test_planted_item_level_alignment_is_recovered():
    rng = np.random.default_rng(0)
    items = [f"sentences/{k:03d}" for k in range(12)] + [f"random-words/{k:03d}" for k in range(12)]
    n_layers, n_neurons = 4, 6
    theta = rng.uniform(0, np.pi / 2, (n_layers, len(items)))  # each layer's item profile
    model = {
        it: _wave(theta[:, None, i].repeat(n_neurons, 1), 2.0)
        + rng.normal(size=(1, n_layers, n_neurons, NT))
        for i, it in enumerate(items)
    }
    regions = np.array(["A"] * 4 + ["B"] * 4)
    brain = {
        it: _wave(np.where(regions == "A", theta[1, i], rng.uniform(0, np.pi / 2, 8)), 1.5)
        + rng.normal(size=(1, 8, NT))
        for i, it in enumerate(items)
    }
    m = sp.make_spectra(
        model, rate_hz=RATE, tagged=TAGGED, channel_dims=("layer", "neuron"), kind="model"
    )
    coords = {"channel": [f"c{i}" for i in range(8)], "region": ("channel", regions)}
    b = sp.make_spectra(brain, rate_hz=RATE, tagged=TAGGED, channel_coords=coords)
    r = align(m, b, measure="evoked", brain_measure="evoked", n_permutations=2000, seed=0)
    assert r.attrs["permutation"] == "sampled" and r.attrs["n_permutations"] == 2000
    assert r.sizes["pair"] == 24 * 23 // 2
    best = np.unravel_index(int(np.nanargmax(r["region_rho"].values)), r["region_rho"].shape)
    assert (r["layer"].values[best[0]], str(r["regions"].values[best[1]])) == (1, "A")
    assert float(r["region_p_fwe"].sel(layer=1, regions="A")) <= 0.01
    assert float(r["region_p"].min()) >= 1 / 2000  # identity included
    # the other region's cells stay null
    assert (r["region_p_fwe"].sel(regions="B") > 0.05).all()
