"""The demo's real-EEG stage: its tagging step on a simulated eeg-phrases-like set, and the whole
stage on the real eeg-phrases data (slow; skipped without the data or the default model)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from hftp.apps.demo.config import DemoConfig
from hftp.apps.demo.eeg import EEG_CONTROL_HZ, EEG_TAGGING, eeg_tagging


def test_eeg_tagging_figure_and_numbers():
    """The demo's EEG tagging step on a simulated eeg-phrases-like set (2 participants, planted
    phrase-rate channels in anan only): the topomap figure is made, the numbers name them."""
    from hftp.brain import concat_subjects
    from hftp.testing import planted_spectra

    ch = ["Fz", "Cz", "Pz", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "T7", "T8"]
    planted = np.isin(ch, ["Fz", "Cz"])
    parts = []
    for k in range(2):
        s = planted_spectra(
            (len(ch),),
            conditions=("anan", "avav"),
            planted_in=("anan",),
            plant={"phrase": planted},
            amplitude=0.5,
            tagged_hz={"sentence": 0.78125, "phrase": 1.5625},
            sfreq=6.25,
            n_times=96,  # 15.36 s trials, as in eeg-phrases: 1.171875 Hz is on a bin
            seed=k,
        )
        subj = ("channel", [f"P{k + 1}"] * len(ch))
        parts.append(s.assign_coords(channel=np.array(ch, dtype=object), subject=subj))
    made = {}
    nums = eeg_tagging(
        concat_subjects(parts), DemoConfig(), lambda name, make: made.update({name: make()})
    )
    assert set(made) == {"eeg_tagging_topomap"}
    assert nums["labels_significant"] == ["Cz", "Fz"]
    assert nums["n_tests"] == 2 * len(ch) and nums["n_participants"] == 2
    assert nums["n_significant"] == 4 and nums["control_fraction_significant"] <= 0.1
    from hftp.apps.report.findings import FINDINGS

    f = FINDINGS["eeg_tagging"]({"eeg_scalp": {"tagging": nums}}, {})
    assert "4 of 26 participant × channel tests" in f.text and "Cz, Fz" in f.text
    assert (
        "control frequency 1.171875 Hz" in f.text
        and "1.5625 Hz" in f.text
        and f.figures == ("eeg_tagging_topomap",)
    )


def test_the_eeg_contrast_and_its_control_frequency():
    assert EEG_TAGGING == {"condition": "anan", "control": "avav", "level": "phrase"}
    # 1.5 x the four-word rate (0.78125 Hz): on a bin of 15.36 s trials, no harmonic of a tag
    assert EEG_CONTROL_HZ["fake"] == 1.5 * 0.78125


@pytest.mark.slow
def test_the_demo_real_eeg_stage_end_to_end(
    eeg_phrases_dir, default_model, eeg_and_model, tmp_path
):
    """The demo's real-EEG stage (hftp.apps.demo.eeg.real_eeg) on the real data: every figure is
    drawn and the numbers are complete (the model probe of the word lists is the fixture's)."""
    import matplotlib.pyplot as plt

    from hftp.apps.demo.eeg import real_eeg

    _, mspec = eeg_and_model
    layers = [int(k) for k in mspec["layer"].values]  # the fixture's: layers 0, 4, 8, 12
    made = {}

    def fig(name, make):
        made[name] = make()
        plt.close(made[name])

    def cached(name, make):
        return mspec if name == "model_spectra_eeg_streams" else make()

    model, tok = default_model
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nums = real_eeg(
            eeg_phrases_dir, model, tok, DemoConfig(layers=layers), tmp_path, fig, False, cached
        )
    said = [str(w.message) for w in caught]
    # the expected notices: 2-word phrases at 3.125 Hz sit on the Nyquist bin, and participants
    # P1–P4 lack some conditions (their channels are left out of those RDMs)
    assert any("phrase rate (1.5625 Hz) is exactly the Nyquist" in m for m in said), said
    assert any("non-finite values of the measure" in m for m in said), said
    assert {"eeg_itpc_spectra", "eeg_alignment", "eeg_topomap", "eeg_tagging_topomap"} <= set(made)
    assert nums["best_layer"] in layers and nums["subject_level"]["n_subjects"] == 20
    assert nums["tagging"]["n_participants"] == 20
    assert set(nums["human"]["phrase_itc"]) >= {"anan", "avav"}
    assert (tmp_path / "alignment_eeg_scalp.nc").is_file()
