"""bh_fdr against a naive Benjamini–Hochberg and the hand-written one it replaced (scipy's
false_discovery_control inside), with NaNs, shapes, DataArrays and bad p-values."""

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


def _bh_hand_written(p):
    """bh_fdr up to hftp 0.3, before scipy's false_discovery_control did the correction."""
    arr = np.asarray(p, dtype=float)
    flat = arr.ravel()
    ok = ~np.isnan(flat)
    v = flat[ok]
    out = np.full(flat.shape, np.nan)
    if v.size:
        order = np.argsort(v, kind="stable")
        m = v.size
        ranked = v[order] * m / np.arange(1, m + 1)
        qs = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
        res = np.empty(m)
        res[order] = qs
        out[ok] = res
    return out.reshape(arr.shape)


def test_equals_the_hand_written_correction():
    rng = np.random.default_rng(3)
    p = rng.uniform(size=(40, 25)) ** 3  # many small p-values
    p[rng.uniform(size=p.shape) < 0.1] = np.nan
    p[0, :5] = [0.0, 1.0, 0.5, 0.5, 0.5]  # the edges and ties
    p[1] = np.round(p[1], 2)
    new, old = bh_fdr(p), _bh_hand_written(p)
    np.testing.assert_array_equal(np.isnan(new), np.isnan(old))
    # m · p / i (old) and p · (m / i) (scipy) may round apart by an ulp
    np.testing.assert_allclose(new, old, rtol=1e-15, atol=1e-16)
    for alpha in (0.01, 0.05, 0.1):
        np.testing.assert_array_equal(new <= alpha, old <= alpha)
    for single in ([0.3], [np.nan, 0.3], [0.0, 0.0]):
        np.testing.assert_array_equal(bh_fdr(single), _bh_hand_written(single))
