"""The checked arguments of find_tagged and TagData, the channel-first view of a Spectra the tests
read: per-channel trial counts, harmonic-free neighbors, evoked spectra, per-trial values."""

from __future__ import annotations

import numpy as np
import pytest

import hftp.spectral as sp
from hftp.tagging.inputs import TagData, check_condition, resolve_levels
from hftp.testing import planted_spectra


@pytest.fixture(scope="module")
def spec():
    """A model Spectra (2 layers × 3 neurons), 4 Hz, 40 samples (0.1 Hz bins), 1 and 2 Hz tagged."""
    return planted_spectra((2, 3), n_trials={"exp": 6, "ctrl": 4}, n_times=40, seed=0)


def _data(s, levels=("sentence", "phrase"), control="ctrl"):
    names, hz, bins = resolve_levels(s, None, list(levels))
    exclude = sp.harmonic_bins(s["freq"].values, hz)
    return TagData(s, "exp", control, tuple(names), hz, bins, exclude)


def test_check_condition():
    assert check_condition("condition", "exp", ["exp", "ctrl"]) == "exp"
    with pytest.raises(ValueError, match="'control'.*Did you mean 'ctrl'.*spectra's conditions"):
        check_condition("control", "ctr", ["exp", "ctrl"])
    with pytest.raises(TypeError, match="'condition'.*condition name"):
        check_condition("condition", 3, ["exp"])


def test_resolve_levels(spec):
    names, hz, bins = resolve_levels(spec, None, None)
    assert names == ["sentence", "phrase"] and hz.tolist() == [1.0, 2.0]
    np.testing.assert_allclose(spec["freq"].values[bins], hz)
    assert resolve_levels(spec, None, "phrase")[0] == ["phrase"]
    assert resolve_levels(spec, None, ["phrase", "phrase", "sentence"])[0] == ["phrase", "sentence"]
    names, hz, _ = resolve_levels(spec, {"slow": 0.5}, None)
    assert names == ["slow"] and hz.tolist() == [0.5]


@pytest.mark.parametrize(
    ("freqs", "levels", "match"),
    [
        ({}, None, "'freqs'.*no tagged frequencies"),
        ([1.0], None, "'freqs'.*dict"),
        ({"sentence": 1.05}, None, r"'freqs \(sentence\)'.*exact FFT bin"),
        ({"sentence": 0.0}, None, r"'freqs \(sentence\)'.*outside \(0, 2.0\]"),
        ({"sentence": 2.5}, None, r"'freqs \(sentence\)'.*Nyquist"),
        (None, ["verb"], "'levels'"),
    ],
)
def test_resolve_levels_refuses(spec, freqs, levels, match):
    with pytest.raises((ValueError, TypeError), match=match):
        resolve_levels(spec, freqs, levels)


def test_shape_and_bins(spec):
    d = _data(spec)
    assert d.channel_dims == ("layer", "neuron") and d.channel_shape == (2, 3)
    assert d.n_channels == 6 and d.n_freq == 20 and d.sfreq == 4.0
    assert d.real.tolist() == [False, True]  # 2 Hz is the Nyquist bin of a 4 Hz rate
    assert d.real_bin([0, 19]).tolist() == [False, True]


def test_neighbors_leave_out_the_tagged_bins_and_harmonics(spec):
    d = _data(spec)
    # 1 Hz is bin 9; with 10 per side and no skip its neighbors reach 2 Hz (bin 19), left out
    nb = d.neighbors(0, 10, 0)
    assert 19 not in nb and 9 not in nb
    np.testing.assert_array_equal(nb, [i for i in range(0, 19) if i != 9])
    np.testing.assert_array_equal(d.neighbors(0, 2, 1), [6, 7, 11, 12])
    np.testing.assert_array_equal(d.neighbors(1, 3, 1), [15, 16, 17])  # one-sided at Nyquist


def test_trial_counts_evoked_and_trials(spec):
    d = _data(spec)
    np.testing.assert_array_equal(d.n_trials("exp"), [6] * 6)
    np.testing.assert_array_equal(d.n_trials("ctrl"), [4] * 6)
    sx = spec["sum_x"].sel(condition="exp").values.reshape(6, -1)
    np.testing.assert_allclose(d.spectrum("sum_x", "exp"), sx)
    np.testing.assert_allclose(d.evoked("exp", [9]), sx[:, [9]] / 6)
    # trial_x is padded to the longest condition: the padding rows are dropped
    tr = d.trials("ctrl", 0)
    assert tr.shape == (4, 6) and not np.isnan(tr).any()
    np.testing.assert_allclose(d.trials("exp", 0).mean(axis=0), sx[:, 9] / 6, rtol=1e-5)
    np.testing.assert_array_equal(d.lexical_var("exp", [9, 10]), np.zeros((6, 2)))
    assert d.require_trials("ctrl", 4, "a test").tolist() == [4] * 6


def test_per_channel_trial_counts_of_pooled_subjects():
    s = planted_spectra((3,), n_trials=5, n_times=40, seed=1)
    counts = np.array([[5, 5, 3], [5, 4, 5]])
    s["n_trials"] = (("condition", "channel"), counts)
    d = _data(s)
    np.testing.assert_array_equal(d.n_trials("exp"), [5, 5, 3])
    with pytest.raises(ValueError, match="'spectra'.*'ctrl' has 4 trial\\(s\\); a test needs"):
        d.require_trials("ctrl", 5, "a test")


def test_refusals(spec):
    d = _data(spec)
    with pytest.raises(ValueError, match="'spectra'.*keep none there.*keep_trials=True"):
        _data(spec.drop_vars("trial_x")).trials("exp", 0)
    bad = spec.copy()
    bad["n_trials"] = (("condition", "split"), np.ones((2, 2), int))
    with pytest.raises(ValueError, match="'spectra'.*n_trials has dims"):
        TagData(bad, "exp", None, d.levels, d.freqs, d.bins, d.exclude).n_trials("exp")


def test_warn_tokenization_compares_the_tested_conditions():
    import json
    import warnings

    from hftp.models.pooling import SHARING_TOLERANCE
    from hftp.tagging.inputs import TOKENIZATION_TOLERANCE, warn_tokenization
    from hftp.testing import planted_spectra

    assert TOKENIZATION_TOLERANCE == SHARING_TOLERANCE
    s = planted_spectra((4,), seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_tokenization(s, "exp", "ctrl")  # no attrs: nothing to say
        s.attrs["token_sharing"] = json.dumps({"exp": 0.0, "ctrl": 0.0})
        s.attrs["token_splitting"] = json.dumps({"exp": 0.33, "ctrl": 0.33})
        warn_tokenization(s, "exp", "ctrl")
        warn_tokenization(s, "exp", None)
    s.attrs["token_splitting"] = json.dumps({"exp": 0.33, "ctrl": 0.02})
    s.attrs["token_sharing"] = json.dumps({"exp": 0.10, "ctrl": 0.0})
    with pytest.warns(UserWarning, match=r"(?s)token_sharing: 10\.0%.*token_splitting: 33\.0%"):
        warn_tokenization(s, "exp", "ctrl")
