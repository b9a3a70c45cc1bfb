"""Neuron sets (categories, verdicts, top k) and the random nulls of the ablation (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from hftp.models.neuron_sets import (
    NULLS,
    ablation_sets,
    count_matched_sets,
    layer_array,
    variance_matched_sets,
    variance_strata,
)

L, N = 3, 40


def result(seed=0):
    """A find_tagged-like result over (layer, neuron, level) with both category variables."""
    rng = np.random.default_rng(seed)
    cat = np.full((L, N), "none", dtype="<U8")
    cat[0, :6] = "sentence"
    cat[1, 3:5] = "phrase"
    sel = np.full((L, N), "none", dtype="<U8")
    sel[0, :2] = "sentence"
    lower = rng.normal(size=(L, N, 2))
    lower[2, 7, 1] = np.nan
    return xr.Dataset(
        {
            "category": (("layer", "neuron"), cat),
            "selective_category": (("layer", "neuron"), sel),
            "effect_lower": (("layer", "neuron", "level"), lower),
        },
        coords={"layer": np.arange(L), "level": ["sentence", "phrase"]},
    )


def test_categories_from_either_verdict():
    r = result()
    sig = ablation_sets(r, L)
    assert list(sig) == ["sentence", "phrase", "shared"]
    assert [int(m.sum()) for m in sig.values()] == [6, 2, 0]
    sel = ablation_sets(r, L, verdict="selective", categories="tagged")
    assert list(sel) == ["tagged"] and sel["tagged"][0, :2].all() and sel["tagged"].sum() == 2
    with pytest.raises(ValueError, match="'replicated_category'.*add_categories"):
        ablation_sets(r, L, verdict="replicated")


def test_top_k_ranks_each_layer_by_effect_lower():
    r = result()
    sets = ablation_sets(r, L, top_k=[3, 10])
    assert list(sets) == ["top3", "top10"]
    assert (sets["top3"].sum(axis=1) == 3).all() and (sets["top10"].sum(axis=1) == 10).all()
    score = np.nanmax(r["effect_lower"].values, axis=2)
    for layer in range(L):
        expect = np.argsort(-score[layer], kind="stable")[:3]
        assert set(np.flatnonzero(sets["top3"][layer])) == set(expect)
    # one level only: NaN never chosen, even as the only value of a neuron
    one = ablation_sets(r, L, top_k=N, level="phrase")["top40"]
    assert not one[2, 7] and one.sum() == L * N - 1
    with pytest.raises(ValueError, match="'rank_by'.*no 'effect'"):
        ablation_sets(r, L, top_k=3, rank_by="effect")
    with pytest.raises(ValueError, match="'categories'.*top_k"):
        ablation_sets(r, L, top_k=3, categories="sentence")
    with pytest.raises(ValueError, match="'level'"):
        ablation_sets(r, L, top_k=3, level="unit")
    with pytest.raises(ValueError, match="'top_k'"):
        ablation_sets(r, L, top_k=0)


def test_masks_and_bad_input():
    m = xr.DataArray(np.zeros((2, N), bool), dims=("layer", "neuron"), coords={"layer": [1, 2]})
    m[0, 5] = True
    out = layer_array(m, L)
    assert out.shape == (L, N) and out[1, 5] and out.sum() == 1
    assert list(ablation_sets(m, L)) == ["selected"]
    with pytest.raises(ValueError, match="'top_k'.*only to a find_tagged"):
        ablation_sets(m, L, top_k=3)
    with pytest.raises(ValueError, match="layer 7"):
        layer_array(m.assign_coords(layer=[1, 7]), L)
    with pytest.raises(TypeError, match="'neurons'"):
        ablation_sets(np.zeros((L, N), bool), L)


def test_count_null_keeps_counts_and_is_uniform():
    m = np.zeros((L, N), bool)
    m[0, :5] = True
    m[2, [1, 9]] = True
    rnd = count_matched_sets(m, 4000, np.random.default_rng(0))
    assert (rnd.sum(axis=2) == m.sum(axis=1)).all()
    np.testing.assert_allclose(rnd[:, 0].mean(axis=0), 5 / N, atol=0.025)
    assert not rnd[:, 1].any()


def test_variance_strata_are_quantile_bins_per_layer():
    v = np.arange(2 * 20, dtype=float).reshape(2, 20)[:, ::-1].copy()
    v[1, 3] = np.nan
    b = variance_strata(v, 4)
    assert (np.bincount(b[0]) == 5).all()
    assert b[0, 0] == 3 and b[0, -1] == 0  # the largest variance in the top bin
    assert b[1, 3] == -1 and sorted(np.bincount(b[1][b[1] >= 0])) == [4, 5, 5, 5]


def test_matched_variance_null_matches_the_variance_that_count_only_does_not():
    """A planted set of the loudest neurons: the count-only null draws ordinary neurons; the
    matched null draws loud ones, with the same count per layer and per variance bin."""
    rng = np.random.default_rng(1)
    var = rng.lognormal(0, 1, size=(L, N))
    loud = np.argsort(-var[1])[:8]
    m = np.zeros((L, N), bool)
    m[1, loud[:4]] = True
    m[2, :3] = True
    matched = variance_matched_sets(m, 500, np.random.default_rng(0), variance=var, strata=5)
    count = count_matched_sets(m, 500, np.random.default_rng(0))
    assert (matched.sum(axis=2) == m.sum(axis=1)).all()
    bins = variance_strata(var, 5)
    for layer in (1, 2):
        want = np.bincount(bins[layer][m[layer]], minlength=5)
        got = np.stack([np.bincount(bins[layer][r], minlength=5) for r in matched[:, layer]])
        assert (got == want).all()
    set_var = var[1][m[1]].mean()
    matched_var = np.mean([var[1][r].mean() for r in matched[:, 1]])
    count_var = np.mean([var[1][r].mean() for r in count[:, 1]])
    assert matched_var > 0.6 * set_var and count_var < 0.4 * set_var
    # the matched sets still vary: not every draw is the set itself
    assert (matched[:, 1] & m[1]).sum(axis=1).mean() < 4
    assert set(NULLS) == {"matched-variance", "count"}
    with pytest.raises(ValueError, match="'variance'.*shape"):
        variance_matched_sets(m, 2, np.random.default_rng(0), variance=var[:2])
