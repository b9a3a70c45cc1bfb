"""Split halves: a Spectra with a ``split`` dim, one half of it, and the halves pooled back."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from hftp.spectral.splits import has_splits, pool_splits, split_half
from hftp.testing import planted_spectra


@pytest.fixture(scope="module")
def halves():
    return [planted_spectra((2, 3), n_trials=5, n_times=40, seed=i) for i in (0, 1)]


@pytest.fixture(scope="module")
def split(halves):
    return xr.concat(halves, dim="split", coords="minimal", compat="override")


def test_has_splits(split, halves):
    assert has_splits(split) and not has_splits(halves[0])


def test_split_half_is_each_half(split, halves):
    for i in (0, 1):
        h = split_half(split, i)
        assert "split" not in h.dims and h.attrs == split.attrs
        np.testing.assert_array_equal(h["sum_x"].values, halves[i]["sum_x"].values)
        np.testing.assert_array_equal(h["n_trials"].values, halves[i]["n_trials"].values)
    with pytest.raises(ValueError, match="'i'.*expected 0 … 1; got 2"):
        split_half(split, 2)
    with pytest.raises(ValueError, match="'spectra'.*no 'split' dim.*split=True"):
        split_half(halves[0], 0)


def test_pool_splits_adds_sums_and_joins_trials(split, halves):
    pooled = pool_splits(split)
    assert "split" not in pooled.dims and pooled.attrs == split.attrs
    for v in ("sum_x", "sum_abs", "sum_abs2", "sum_phase", "n_trials"):
        np.testing.assert_allclose(pooled[v].values, halves[0][v].values + halves[1][v].values)
    # trial_x: both halves' trials one after the other, renumbered
    tx = pooled["trial_x"].sel(condition="exp", tagged_freq=1.0).values
    assert pooled.sizes["trial"] == 10 and pooled["trial"].values.tolist() == list(range(10))
    for i in (0, 1):
        np.testing.assert_array_equal(
            tx[5 * i : 5 * i + 5], halves[i]["trial_x"].sel(condition="exp", tagged_freq=1.0).values
        )
    assert pool_splits(halves[0]) is halves[0]


def test_lexical_var_is_averaged(split):
    lv = xr.DataArray(
        np.stack([np.ones((2, 2, 3, 20)), 3 * np.ones((2, 2, 3, 20))]), dims=split["sum_abs"].dims
    )
    pooled = pool_splits(split.assign(lexical_var=lv))
    np.testing.assert_allclose(pooled["lexical_var"].values, 2.0)
