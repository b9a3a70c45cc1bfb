"""Simulated end to end: a brain region planted with one layer's condition profile is found by RSA.

The pieces are the public ones, in order: ``make_stimuli`` (6 conditions, so exact permutation
inference has 6! = 720 relabelings) → model Spectra (``make_spectra``, kind ``"model"``, with a
known condition profile per layer) → ``simulate_ieeg`` (one region planted with the chosen layer's
profile, read off that layer's evoked amplitudes) → ``read_recording`` on the BIDS folder →
``brain_spectra`` → ``align`` → ``alignment_summary``.

The model side is synthetic so that every layer has a distinct, known profile: the layers of a tiny
random network respond alike across conditions, which would leave "which layer ranks first" to
noise. RDMs are Euclidean distances between evoked-amplitude spectra, so that they follow the
amplitudes at the tagged bins; with only 8 trials per condition the band's noise bins dominate an
ITC/cosine RDM.
"""

from __future__ import annotations

import numpy as np
import pytest

import hftp
from hftp.spectral.measures import at_freq, evoked_amplitude

DESIGNS = ["sentences", "within-shuffle", "random-words", "phrases", "category-alternation"]
TAGGED = {"sentence": 1.0, "phrase": 2.0}
#: layer -> condition -> (sentence-rate amplitude, phrase-rate amplitude); absent: no response
PROFILES = {
    0: {},
    1: {
        "within-shuffle": (0.0, 1.0),
        "category-alternation": (0.0, 0.8),
        "random-words": (0.0, 0.5),
        "sentences": (0.0, 0.2),
    },
    2: {"sentences": (1.0, 0.6), "np-phrases": (0.0, 1.0), "vp-phrases": (0.0, 0.4)},
    3: {
        "sentences": (0.3, 0.3),
        "np-phrases": (0.0, 0.3),
        "vp-phrases": (0.0, 1.0),
        "random-words": (0.0, 0.6),
    },
}
LAYER = 2
PLANTED = "IFG_L"
#: the other regions: phrase and sentence in every condition that has them, the unit rate only
#: (outside the band), and no response
DECOYS = {"STG_L": {"phrase": 1.0, "sentence": 1.0}, "A1_L": {"unit": 1.0}, "MFG_R": {}}
#: the shuffled control: every structured condition swaps labels with an unstructured one
SWAP = {
    "sentences": "random-words",
    "random-words": "sentences",
    "np-phrases": "within-shuffle",
    "within-shuffle": "np-phrases",
    "vp-phrases": "category-alternation",
    "category-alternation": "vp-phrases",
}
ALIGN = dict(measure="evoked", brain_measure="evoked", metric="euclidean", n_boot=0, seed=0)


def model_spectra(conditions, n_trials=8, n_neurons=16, n_units=48, gain=3.0, seed=0):
    """Model Spectra whose layer ``l`` responds in phase at 1 and 2 Hz as ``PROFILES[l]`` says."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_units) / 4.0  # 4 units per second
    trials = {}
    for c in conditions:
        x = rng.standard_normal((n_trials, len(PROFILES), n_neurons, n_units))
        for layer, prof in PROFILES.items():
            s, p = prof.get(c, (0.0, 0.0))
            x[:, layer] += gain * (s * np.cos(2 * np.pi * t) + p * np.cos(4 * np.pi * t))
        trials[c] = x
    return hftp.make_spectra(
        trials, sfreq=4.0, tagged_hz=TAGGED, channel_dims=("layer", "neuron"), kind="model"
    )


def layer_condition_profile(spectra, layer):
    """condition → level → amplitude: the layer's mean evoked amplitude at each tagged bin, above
    the median over all bins, scaled so that the largest is 1."""
    ev = evoked_amplitude(spectra).sel(layer=layer).mean("neuron")
    amps = {lv: at_freq(ev, f) for lv, f in TAGGED.items()}
    floor = float(ev.median())
    top = max(float(a.max()) for a in amps.values()) - floor
    return {
        str(c): {lv: max(0.0, (float(a.sel(condition=c)) - floor) / top) for lv, a in amps.items()}
        for c in spectra["condition"].values
    }


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    # the phrase rate sits on the Nyquist bin: amplitudes (used here) are valid there
    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):
        stim = hftp.make_stimuli("en", design=DESIGNS, n_sequences=8, n_sentences=12, seed=0)
    mspec = model_spectra(stim.conditions)
    profile = layer_condition_profile(mspec, LAYER)
    sim = hftp.simulate_ieeg(
        tmp_path_factory.mktemp("e2e") / "bids",
        stim=stim,
        subjects=1,
        responses={PLANTED: profile, **DECOYS},
        snr=1.0,
        seed=0,
        sfreq=64.0,
        contacts_per_region=2,
    )
    bspec = hftp.brain_spectra(hftp.brain.read_subjects(sim.root))
    return {"stim": stim, "model": mspec, "profile": profile, "sim": sim, "brain": bspec}


def test_design_and_planted_profile(case):
    conditions = case["stim"].conditions
    assert len(conditions) == 6 and set(conditions) == set(SWAP)
    prof = case["profile"]
    # the layer's profile as read off its spectra: sentences at both rates, phrases at 2 Hz only
    assert prof["np-phrases"]["phrase"] == pytest.approx(1.0)
    assert prof["sentences"]["sentence"] > 0.3 and prof["vp-phrases"]["phrase"] > 0.2
    for c in ("within-shuffle", "random-words", "category-alternation"):
        assert max(prof[c].values()) < 0.1, (c, prof[c])
    planted = case["sim"].truth["responses"][PLANTED]
    assert planted["sentences"]["sentence"] == pytest.approx(prof["sentences"]["sentence"])
    assert planted["np-phrases"]["phrase"] == pytest.approx(1.0)
    assert set(case["brain"]["region"].values) == {PLANTED, *DECOYS}


def test_planted_region_and_layer_rank_first(case):
    res = hftp.align(case["model"], case["brain"], **ALIGN)
    assert res.attrs["permutation"] == "exact" and res.attrs["n_permutations"] == 720
    rho = res["region_rho"].to_pandas()
    p = res["region_p"].to_pandas()
    print(f"region_rho:\n{rho.round(3)}\nregion_p:\n{p.round(4)}")
    best = rho.stack().idxmax()
    assert best == (LAYER, PLANTED), best
    assert p.loc[LAYER, PLANTED] < 0.05
    assert rho.loc[LAYER, PLANTED] > 0.8
    summary = hftp.alignment_summary(res)
    assert summary["best_region_layer"] == LAYER and summary["best_region"] == PLANTED
    assert summary["best_region_p"] < 0.05
    # the runner-up cell is well behind
    others = rho.stack().drop((LAYER, PLANTED))
    assert others.max() < rho.loc[LAYER, PLANTED] - 0.2


def test_shuffled_condition_labels_are_not_significant(case):
    brain = case["brain"]
    shuffled = brain.assign_coords(condition=[SWAP[str(c)] for c in brain["condition"].values])
    res = hftp.align(case["model"], shuffled, **ALIGN)
    rho = float(res["region_rho"].sel(layer=LAYER, regions=PLANTED))
    p = float(res["region_p"].sel(layer=LAYER, regions=PLANTED))
    print(f"shuffled labels: rho={rho:.3f} p={p:.4f}")
    assert p >= 0.05
    assert rho < 0.5
