"""The demo's real-EEG stage: its tagging step on a simulated eeg-phrases-like set."""

from __future__ import annotations

import numpy as np

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
