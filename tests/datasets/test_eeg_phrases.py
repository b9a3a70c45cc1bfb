"""The real-data check: EEG (scalp) from Burroughs, Kazanina & Houghton (2021), eeg-phrases.

Loads every participant through hftp.read_recording (FieldTrip Fourier spectra), computes ITC per
participant, condition, channel and frequency, averages over channels then participants (P1–P4
only in avav, anan, phmi; trial index 8 dropped for everyone), and checks the published effect:
a phrase-rate (1.5625 Hz) ITC peak for adjective–noun phrases (anan) that the non-phrasal
conditions lack, with the syllable-rate (3.125 Hz) peak present in every condition.
"""

from __future__ import annotations

import numpy as np
import pytest

import hftp.datasets.eeg_phrases as brain
from hftp.spectral.measures import at_freq


@pytest.fixture(scope="module")
def eeg(eeg_phrases_dir):
    spectra = brain.read_eeg_phrases(eeg_phrases_dir)
    return spectra, brain.eeg_phrases_summary(spectra)


def test_real_eeg_loads_every_participant(eeg):
    spectra, summary = eeg
    assert len(spectra) == 20
    assert all(s.attrs["modality"] == "EEG (scalp)" for s in spectra)
    p1 = spectra[0]
    assert p1["subject"].values[0] == "P1"
    assert set(p1["condition"].values) == {"avav", "anan", "phmi"}
    assert set(spectra[10]["condition"].values) == set(brain.EEG_PHRASES_CONDITIONS)
    assert (spectra[10]["n_trials"] == 24).all()  # 25 per condition minus trial index 8
    assert p1.sizes["channel"] == 32 and p1.sizes["freq"] == 58
    assert summary["n_subjects"] == {
        "avav": 20,
        "anan": 20,
        "phmi": 20,
        "advp": 16,
        "rrrv": 16,
        "rrrr": 16,
    }


def test_real_eeg_phrase_rate_peak_for_adjective_noun_phrases(eeg):
    _, summary = eeg
    ph = summary["phrase_itc"]
    print("EEG (scalp) phrase-rate ITPC:", {k: round(v, 4) for k, v in ph.items()})
    for other in ("avav", "rrrr", "phmi"):
        assert ph["anan"] > ph[other]
        test = summary["paired"][other]
        print(f"EEG (scalp) anan vs {other}: {test}")
        assert test["p_t"] < 0.05 and test["p_wilcoxon"] < 0.05 and test["t"] > 0


def test_real_eeg_syllable_rate_peak_in_every_condition(eeg):
    spectra, summary = eeg
    ga = brain.grand_average_itc(spectra)
    for cond, ratio in summary["syllable_peak_ratio"].items():
        assert ratio > 1.5, cond
        sy = float(at_freq(ga, 3.125).sel(condition=cond))
        i = int(np.argmin(np.abs(ga["freq"].values - 3.125)))
        neigh = ga.sel(condition=cond).isel(freq=[i - 3, i - 2, i + 2, i + 3]).values
        assert sy > neigh.max(), cond
