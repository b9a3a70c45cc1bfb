"""concat_subjects: several subjects' brain Spectra pooled along ``channel``."""

from __future__ import annotations

import json

import numpy as np
import pytest

import hftp.brain as brain
from hftp.spectral.measures import itc

COND = {"lo": range(0, 100), "hi": range(100, 200)}


@pytest.fixture
def two_subjects(ft_freq_file, tmp_path):
    a, b = tmp_path / "P1_ft.mat", tmp_path / "P2_ft.mat"
    ft_freq_file(a, 20)
    ft_freq_file(b, 12, seed=1)
    sa = brain.read_spectra(a, COND, subject="P1", tagged_hz={"phrase": 2.0})
    sb = brain.read_spectra(b, {"hi": COND["hi"]}, subject="P2", tagged_hz={"phrase": 2.0})
    return sa, sb


def test_concat_subjects_unequal_trials(two_subjects):
    sa, sb = two_subjects
    s = brain.concat_subjects([sa, sb])
    assert s.sizes["channel"] == 8 and s["channel"].values[0] == "P1/Fz"
    assert list(s["label"].values[:2]) == ["Fz", "Cz"]
    assert s["n_trials"].dims == ("condition", "channel")
    assert json.loads(s.attrs["subjects"]) == ["P1", "P2"] and "subject" not in s.attrs
    i = itc(s)
    assert np.isnan(i.sel(condition="lo", channel="P2/Fz")).all()
    assert np.allclose(i.sel(channel="P1/Fz"), itc(sa).sel(channel="Fz"))
    assert np.allclose(i.sel(channel="P2/Fz", condition="hi"), itc(sb).sel(channel="Fz")[0])
    assert s.sizes["trial"] == sa.sizes["trial"]  # the shorter subject is padded with NaN
    assert np.isnan(s["trial_x"].sel(channel="P2/Fz", condition="hi")[-1]).all()


def test_equal_trial_counts_keep_n_trials_per_condition(two_subjects):
    sa, _ = two_subjects
    s = brain.concat_subjects([sa, sa.assign_coords(subject=("channel", ["P3"] * 4))])
    assert s["n_trials"].dims == ("condition",) and s.sizes["channel"] == 8


def test_subjects_must_share_frequencies(two_subjects):
    sa, sb = two_subjects
    with pytest.raises(ValueError, match="'spectra'.*at least one"):
        brain.concat_subjects([])
    with pytest.raises(TypeError, match="'spectra'"):
        brain.concat_subjects(sa)
    with pytest.raises(ValueError, match="different frequency axes"):
        brain.concat_subjects([sa, sb.isel(freq=slice(0, 20))])
    other = sb.assign_attrs(tagged_hz=json.dumps({"phrase": 1.0}))
    with pytest.raises(ValueError, match="tagged frequencies differ"):
        brain.concat_subjects([sa, other])
