"""Events → conditions → trials: truncated files, trial-unique event codes, epoch windows."""

from __future__ import annotations

import warnings

import mne
import numpy as np
import pytest

import hftp.brain as brain
from hftp._validation import HftpError
from hftp.brain.epochs import (
    FIXED_CONDITION,
    epochs_from_raw,
    match_conditions,
    no_events_error,
    select_epochs,
)

SF = 100.0
TAGGED = {"phrase": 2.0, "unit": 4.0}


def _events(*descs, code=None):
    return [(float(i), d, code if code is not None else None, 1.0) for i, d in enumerate(descs)]


# ------------------------------------------------------------------------- conditions


def test_match_by_code_and_by_name():
    events = [(0.0, "S1", 1, 1.0), (1.0, "S2", 2, 1.0), (2.0, "S1", 1, 1.0), (3.0, "x", None, 1)]
    got = match_conditions({"one": 1, "two": ["S2", "x"]}, events, where="rec")
    assert got == {"one": [0, 2], "two": [1, 3]}


def test_default_conditions_are_the_descriptions_in_code_order():
    events = [(0.0, "b", 2, 1.0), (1.0, "a", 1, 1.0), (2.0, "b", 2, 1.0), (3.0, "a", 1, 1.0)]
    assert match_conditions(None, events, where="rec") == {"a": [1, 3], "b": [0, 2]}


def test_trial_unique_codes_group_by_name_unless_told_not_to():
    events = _events("sent_01", "sent_02", "shuf_01", "shuf_02")
    assert match_conditions(None, events, where="rec") == {"sent": [0, 1], "shuf": [2, 3]}
    ungrouped = match_conditions(None, events, where="rec", group=False)
    assert list(ungrouped) == ["sent_01", "sent_02", "shuf_01", "shuf_02"]


def test_condition_without_events_names_the_events_present():
    with pytest.raises(ValueError, match=r"'conditions'.*\['c'\] match no event in rec.*'S1'"):
        match_conditions({"c": 9}, [(0.0, "S1", 1, 1.0)], where="rec")
    with pytest.raises(TypeError, match="'conditions'"):
        match_conditions([1, 2], [(0.0, "S1", 1, 1.0)], where="rec")


def test_no_events_error_says_how_to_give_them(tmp_path):
    err = no_events_error(tmp_path / "x.edf")
    assert isinstance(err, HftpError) and isinstance(err, ValueError)
    assert "events=PATH" in str(err) and "epoch_length=SECONDS" in str(err)


# ------------------------------------------------------------------------- epochs


def test_epochs_from_raw_window_from_event_durations(make_raw, tmp_path):
    raw = make_raw()
    ep = epochs_from_raw(raw, tmp_path / "r", {"a": "Stimulus/S  1"})
    assert list(ep.event_id) == ["a"] and len(ep) == 6
    assert ep.times[0] == 0.0 and ep.times[-1] == pytest.approx(5.0 - 1 / SF)
    short = epochs_from_raw(raw, tmp_path / "r", {"a": 1, "b": 2}, tmin=0.5, tmax=2.0)
    assert short.event_id == {"a": 1, "b": 2} and short.times[0] == pytest.approx(0.5)


def test_epochs_without_events_are_fixed_length(make_raw, tmp_path):
    raw = make_raw()
    raw.set_annotations(None)
    with pytest.raises(ValueError, match="no events"):
        epochs_from_raw(raw, tmp_path / "r")
    ep = epochs_from_raw(raw, tmp_path / "r", epoch_length=10.0)
    assert list(ep.event_id) == [FIXED_CONDITION] and len(ep) == raw.n_times // 1000


def test_events_without_duration_need_tmax(make_raw, tmp_path):
    raw = make_raw()
    ann = raw.annotations
    raw.set_annotations(mne.Annotations(ann.onset, 0.0, ann.description))
    with pytest.raises(ValueError, match="'events'.*12 of the 12.*zero duration.*--tmax"):
        epochs_from_raw(raw, tmp_path / "r")
    assert len(epochs_from_raw(raw, tmp_path / "r", tmax=1.0)) == 12


def test_select_epochs_renames_by_condition(make_raw, tmp_path):
    raw = make_raw(codes=False)
    ev, eid = mne.events_from_annotations(raw, verbose="error")
    ep = mne.Epochs(raw, ev, eid, tmin=0, tmax=1.0, baseline=None, preload=True, verbose="error")
    assert select_epochs(ep, None, tmp_path) is ep
    got = select_epochs(ep, {"B": "b"}, tmp_path)
    assert got.event_id == {"B": 1} and len(got) == 6
    np.testing.assert_array_equal(got.get_data(), ep["b"].get_data())


# ------------------------------------------------------------------------- real-world files


@pytest.mark.parametrize("fmt", ["brainvision", "edf"])
def test_truncated_recording_is_an_error_naming_file_and_durations(write_recording, fmt):
    path = write_recording(fmt, ["a", "b"] * 3, keep_s=20.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # MNE's own note on the short file
        # BrainVision: the trial at 19 s is cut and two markers lie past the end; EDF: the header
        # declares more data than the file holds (its annotations went with the lost records)
        with pytest.raises(HftpError, match=r"rec\.(eeg|edf).*(expects 5\.000 s .* finds|header)"):
            brain.read_recording(path, tagged_hz=TAGGED)
        with pytest.warns(UserWarning, match=r"Dropped .*rec\.(eeg|edf)"):
            ep = brain.read_recording(path, tagged_hz=TAGGED, drop_incomplete=True)
    assert len(ep) == 3 and ep.times[-1] == pytest.approx(5.0 - 1 / SF)  # not cut to the end


def test_complete_recording_keeps_every_trial(write_recording):
    ep = brain.read_recording(write_recording("brainvision", ["a", "b"] * 3), tagged_hz=TAGGED)
    assert len(ep) == 6 and ep.times[-1] == pytest.approx(5.0 - 1 / SF)


def test_trial_unique_codes_are_grouped_by_prefix(write_recording):
    descs = [f"sent_{i:02d}" for i in range(3)] + [f"shuf_{i:02d}" for i in range(3)]
    ep = brain.read_recording(write_recording("brainvision", descs), tagged_hz=TAGGED)
    assert {k.removeprefix("Comment/"): len(ep[k]) for k in ep.event_id} == {"sent": 3, "shuf": 3}


def test_trial_unique_codes_without_prefix_stop_with_how_to_pass_conditions(write_recording):
    descs = ["x1", "y2", "z3", "w4"]
    with pytest.raises(ValueError, match=r"own event.*conditions=\{.*--conditions"):
        brain.read_recording(write_recording("brainvision", descs), tagged_hz=TAGGED)


def test_trials_overlapping_bad_annotations_are_dropped(make_raw, tmp_path, caplog):
    raw = make_raw(codes=False)
    ann = raw.annotations
    # a BAD span over the first trial of 'a' (onset 1 s) and one over the second of 'b' (19 s)
    raw.set_annotations(ann + mne.Annotations([2.0, 20.0], [0.5, 0.5], ["BAD_motion", "bad"]))
    with caplog.at_level("INFO", logger="hftp"):
        ep = epochs_from_raw(raw, tmp_path / "r.fif")
    assert len(ep) == 10
    assert len(ep["a"]) == 5 and len(ep["b"]) == 5
    assert "dropped 2 trial(s)" in caplog.text and "BAD_motion" in caplog.text


def test_a_condition_lost_to_bad_annotations_is_named(make_raw, tmp_path):
    raw = make_raw(n_trials=2, codes=False)
    raw.set_annotations(
        raw.annotations + mne.Annotations([1.5, 13.5], [1.0, 1.0], ["BAD_", "BAD_"])
    )
    with pytest.raises(ValueError, match=r"every trial of condition\(s\) \['a'\].*marked bad"):
        epochs_from_raw(raw, tmp_path / "r.fif", {"a": "a", "b": "b"})
