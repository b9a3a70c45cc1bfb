"""bh_fdr against a naive Benjamini–Hochberg, with NaNs, shapes, DataArrays and bad p-values."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from hftp.tagging.fdr import bh_fdr


def _bh_naive(p, alpha):
    m = len(p)
    order = np.argsort(p)
    k = 0
    for i in range(m):
        if p[order[i]] <= (i + 1) * alpha / m:
            k = i + 1
    out = np.zeros(m, bool)
    out[order[:k]] = True
    return out


def test_bh_fdr_matches_naive():
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(size=300), rng.uniform(0, 0.002, 30)])
    qv = bh_fdr(p)
    for alpha in (0.01, 0.05, 0.2):
        np.testing.assert_array_equal(qv <= alpha, _bh_naive(p, alpha))
    m = len(p)
    naive_q = np.array(
        [min(1.0, min(np.sort(p)[j] * m / (j + 1) for j in range(i, m))) for i in range(m)]
    )
    np.testing.assert_allclose(np.sort(qv), naive_q)


def test_nans_are_left_out_of_the_family_and_the_shape_is_kept():
    p2 = np.array([[0.01, np.nan], [0.04, 0.03]])
    q2 = bh_fdr(p2)
    assert np.isnan(q2[0, 1]) and q2.shape == (2, 2)
    np.testing.assert_allclose(q2[~np.isnan(q2)], [0.03, 0.04, 0.04])
    assert np.isnan(bh_fdr([np.nan, np.nan])).all()
    assert bh_fdr(np.zeros((0, 3))).shape == (0, 3)


def test_ties_and_the_cap_at_one():
    np.testing.assert_allclose(bh_fdr([0.5, 0.5, 0.5]), [0.5, 0.5, 0.5])
    np.testing.assert_allclose(bh_fdr([1.0, 0.9]), [1.0, 1.0])


def test_dataarray_in_dataarray_out():
    da = xr.DataArray([[0.01, 0.5], [0.02, 0.9]], dims=("channel", "level"))
    q = bh_fdr(da)
    assert isinstance(q, xr.DataArray) and q.dims == da.dims
    np.testing.assert_allclose(q.values, bh_fdr(da.values))


def test_bad_p():
    with pytest.raises(ValueError, match="'p'.*\\[0, 1\\]"):
        bh_fdr([0.1, 1.2])
    with pytest.raises(ValueError, match="'p'"):
        bh_fdr([-0.1])
