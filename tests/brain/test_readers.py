"""Recordings as users bring them: truncated files, trial-unique event codes, scalp montages."""

from __future__ import annotations

import warnings

import mne
import numpy as np
import pytest

import hftp.brain as brain
from hftp._validation import HftpError

SF = 100.0
TAGGED = {"phrase": 2.0, "unit": 4.0}


def _write(tmp_path, fmt, descs, trial_s=5.0, gap_s=1.0, keep_s=None):
    """A BrainVision or EDF file of len(descs) trials; ``keep_s`` cuts the data (not the events)."""
    n = int((len(descs) * (trial_s + gap_s) + gap_s) * SF)
    rng = np.random.default_rng(0)
    raw = mne.io.RawArray(rng.standard_normal((3, n)) * 1e-6,
                          mne.create_info(["Fz", "Cz", "Pz"], SF, "eeg"), verbose="error")  # fmt: skip
    onsets = [gap_s + i * (trial_s + gap_s) for i in range(len(descs))]
    raw.set_annotations(mne.Annotations(onsets, [trial_s] * len(descs), descs))
    path = tmp_path / ("rec.vhdr" if fmt == "brainvision" else "rec.edf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw.export(path, verbose="error")
    if keep_s is not None:
        data = path.with_suffix(".eeg") if fmt == "brainvision" else path
        header = 0 if fmt == "brainvision" else 256 * 4  # EDF: 256 bytes + 256 per signal
        bytes_per_s = (data.stat().st_size - header) / (n / SF)
        with open(data, "r+b") as fh:
            fh.truncate(int(header + keep_s * bytes_per_s))
    return path


@pytest.mark.parametrize("fmt", ["brainvision", "edf"])
def test_truncated_recording_is_an_error_naming_file_and_durations(tmp_path, fmt):
    path = _write(tmp_path, fmt, ["a", "b"] * 3, keep_s=20.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # MNE's own note on the short file
        # BrainVision: the trial at 19 s is cut and two markers lie past the end; EDF: the header
        # declares more data than the file holds (its annotations went with the lost records)
        with pytest.raises(HftpError, match=r"rec\.(eeg|edf).*(expects 5\.000 s .* finds|header)"):
            brain.read_recording(path, tagged_hz=TAGGED)
        with pytest.warns(UserWarning, match=r"Dropped .*rec\.(eeg|edf)"):
            ep = brain.read_recording(path, tagged_hz=TAGGED, drop_incomplete=True)
    assert len(ep) == 3 and ep.times[-1] == pytest.approx(5.0 - 1 / SF)  # not cut to the end


def test_complete_recording_keeps_every_trial(tmp_path):
    ep = brain.read_recording(_write(tmp_path, "brainvision", ["a", "b"] * 3), tagged_hz=TAGGED)
    assert len(ep) == 6 and ep.times[-1] == pytest.approx(5.0 - 1 / SF)


def test_trial_unique_codes_are_grouped_by_prefix(tmp_path):
    descs = [f"sent_{i:02d}" for i in range(3)] + [f"shuf_{i:02d}" for i in range(3)]
    ep = brain.read_recording(_write(tmp_path, "brainvision", descs), tagged_hz=TAGGED)
    assert {k.removeprefix("Comment/"): len(ep[k]) for k in ep.event_id} == {"sent": 3, "shuf": 3}


def test_trial_unique_codes_without_prefix_stop_with_how_to_pass_conditions(tmp_path):
    descs = ["x1", "y2", "z3", "w4"]
    with pytest.raises(ValueError, match=r"own event.*conditions=\{.*--conditions"):
        brain.read_recording(_write(tmp_path, "brainvision", descs), tagged_hz=TAGGED)


def test_standard_montage_attached_and_regions_skipped_with_a_note(tmp_path):
    path = _write(tmp_path, "brainvision", ["a", "b"] * 3)
    with pytest.raises(ValueError, match="'montage'"):
        brain.read_recording(path, tagged_hz=TAGGED, montage="standard_9999")
    ep = brain.read_recording(path, tagged_hz=TAGGED, montage="spherical_1020")
    pos = ep.get_montage().get_positions()["ch_pos"]
    assert set(pos) == {"Fz", "Cz", "Pz"}
    with pytest.warns(UserWarning, match="regions skipped.*not MNI"):
        s = brain.brain_spectra(ep)
    assert (s["region"].values == "unknown").all() and np.isfinite(s["x"].values).all()


def test_responsive_table_has_freq_and_atlas_label(tmp_path):
    path = _write(tmp_path, "brainvision", ["a", "b"] * 3)
    s = brain.brain_spectra(brain.read_recording(path, tagged_hz=TAGGED), regions=False)
    tab = brain.responsive_channels(s, control="Comment/b")
    assert {"freq", "atlas_label", "level"} <= set(tab.columns)
    assert dict(zip(tab["level"], tab["freq"], strict=True)) == {"phrase": 2.0, "unit": 4.0}
