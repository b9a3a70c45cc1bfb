"""Where the channels are: standard montages, contact positions, and the channel coords."""

from __future__ import annotations

import mne
import numpy as np
import pandas as pd
import pytest

import hftp.brain as brain
from hftp.brain.montage import (
    attach_montage,
    channel_coords,
    channel_positions,
    check_montage,
    set_positions,
)

TAGGED = {"phrase": 2.0, "unit": 4.0}


def _raw(names=("A1", "A2", "A3")):
    info = mne.create_info(list(names), 100.0, "seeg")
    return mne.io.RawArray(np.zeros((len(names), 200)), info, verbose="error")


def test_check_montage_suggests_the_closest_name():
    check_montage(None)
    check_montage("biosemi64")
    with pytest.raises(ValueError, match="'montage'.*Did you mean 'biosemi64'"):
        check_montage("biosemi46")


def test_standard_montage_attached_and_regions_skipped_with_a_note(write_recording):
    path = write_recording("brainvision", ["a", "b"] * 3)
    with pytest.raises(ValueError, match="'montage'"):
        brain.read_recording(path, tagged_hz=TAGGED, montage="standard_9999")
    ep = brain.read_recording(path, tagged_hz=TAGGED, montage="spherical_1020")
    pos = ep.get_montage().get_positions()["ch_pos"]
    assert set(pos) == {"Fz", "Cz", "Pz"}
    with pytest.warns(UserWarning, match="regions skipped.*not MNI"):
        s = brain.brain_spectra(ep)
    assert (s["region"].values == "unknown").all() and np.isfinite(s["x"].values).all()


def test_positions_round_trip_in_mm_and_mni():
    raw = _raw()
    coords = pd.DataFrame(
        {"x": [-48.0, 55.0, np.nan], "y": [-20.0, -20.0, 0.0], "z": [8.0, 5.0, 0.0]},
        index=["A1", "A2", "A3"],
    )
    set_positions(raw, coords, "MNI152NLin2009cAsym")
    xyz, frame = channel_positions(raw, ["A1", "A2", "A3"])
    assert frame == "mni_tal"
    np.testing.assert_allclose(xyz[:2], coords.to_numpy()[:2])
    assert np.isnan(xyz[2]).all()  # a contact without a position stays unplaced


def test_positions_in_another_frame_are_not_mni_and_none_without_montage():
    raw = _raw()
    assert channel_positions(raw, ["A1"]) == (None, None)
    set_positions(raw, None, "MNI")  # nothing to attach
    assert raw.get_montage() is None
    coords = pd.DataFrame({"x": [10.0], "y": [0.0], "z": [0.0]}, index=["A1"])
    set_positions(raw, coords, "ACPC")
    xyz, frame = channel_positions(raw, ["A1"])
    assert frame == "head" and np.allclose(xyz, [[10.0, 0.0, 0.0]])  # MNE: unknown → head


def test_attach_montage_places_scalp_channels():
    info = mne.create_info(["Fz", "Cz", "Pz"], 100.0, "eeg")
    raw = mne.io.RawArray(np.zeros((3, 10)), info, verbose="error")
    attach_montage(raw, None)
    assert raw.get_montage() is None
    attach_montage(raw, "biosemi64")  # standard_1020 is deprecated in MNE 1.13
    xyz, frame = channel_positions(raw, ["Fz", "Cz"])
    assert frame == "head" and np.isfinite(xyz).all()


def test_channel_coords_assign_regions_from_mni_positions():
    xyz = np.array([[-48, -20, 8], [55, -20, 5], [np.nan] * 3])
    c = channel_coords(["a", "b", "c"], "s1", xyz, "mni_tal", ch_types=["seeg"] * 3)
    assert list(c["hemisphere"][1]) == ["L", "R", "unknown"]
    assert c["region"][1][0].endswith("_L") and c["region"][1][1].endswith("_R")
    assert c["region"][1][2] == "unknown" and c["atlas_label"][1][2] == "unknown"
    assert list(c["subject"][1]) == ["s1"] * 3 and list(c["ch_type"][1]) == ["seeg"] * 3


def test_channel_coords_without_positions_or_regions():
    c = channel_coords(["a", "b"], "s1", None, None)
    assert np.isnan(c["x"][1]).all() and list(c["region"][1]) == ["unknown", "unknown"]
    assert "ch_type" not in c
    with pytest.warns(UserWarning, match="regions skipped.*'head', not MNI.*regions=False"):
        channel_coords(["a"], "s1", np.array([[1.0, 2.0, 3.0]]), "head")
    off = channel_coords(["a"], "s1", np.array([[-48.0, -20.0, 8.0]]), "mni_tal", regions=False)
    assert off["region"][1][0] == "unknown" and off["hemisphere"][1][0] == "L"
