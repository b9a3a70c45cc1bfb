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
    variance_neighbors,
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


def test_variance_neighbors_are_the_nearest_in_log_variance():
    v = np.array([1.0, 2.0, 4.0, 1000.0, 2.1, 0.5])
    nb = variance_neighbors(v, 2)
    assert nb.shape == (6, 2)
    assert nb[1].tolist() == [4, 2] or set(nb[1].tolist()) == {4, 0}
    # the 1000 outlier's nearest are the largest others; nobody else has it as a neighbor
    assert set(nb[3].tolist()) == {2, 4}
    assert 3 not in nb[[0, 1, 2, 4, 5]].ravel()
    for i in range(6):
        assert i not in nb[i]
        d = np.abs(np.log(v[nb[i]]) - np.log(v[i]))
        others = np.abs(np.log(np.delete(v, [i, *nb[i]])) - np.log(v[i]))
        assert d.max() <= others.min() + 1e-12
    assert variance_neighbors(v, 99).shape == (6, 5)  # capped at the other neurons


def test_matched_variance_null_matches_the_variance_that_count_only_does_not():
    """A planted set of the loudest neurons: the count-only null draws ordinary neurons; the
    matched null draws loud ones, with the same count per layer, each near its set neuron."""
    rng = np.random.default_rng(1)
    var = rng.lognormal(0, 1, size=(L, N))
    loud = np.argsort(-var[1])[:8]
    m = np.zeros((L, N), bool)
    m[1, loud[:4]] = True
    m[2, :3] = True
    matched = variance_matched_sets(m, 500, np.random.default_rng(0), variance=var, n_candidates=5)
    count = count_matched_sets(m, 500, np.random.default_rng(0))
    assert (matched.sum(axis=2) == m.sum(axis=1)).all()
    # every random neuron is among the 5 nearest in variance of some neuron of the set (or the
    # nearest free one when those are taken): its variance lies in the set's range, widened
    for layer in (1, 2):
        allowed = set(np.flatnonzero(m[layer])) | set(
            variance_neighbors(var[layer], 5)[m[layer]].ravel()
        )
        drawn = set(np.flatnonzero(matched[:, layer].any(axis=0)))
        assert drawn <= allowed
    set_var = var[1][m[1]].mean()
    matched_var = np.mean([var[1][r].mean() for r in matched[:, 1]])
    count_var = np.mean([var[1][r].mean() for r in count[:, 1]])
    assert matched_var > 0.6 * set_var and count_var < 0.4 * set_var
    # the matched sets still vary: not every draw is the set itself
    assert (matched[:, 1] & m[1]).sum(axis=1).mean() < 4
    assert set(NULLS) == {"matched-variance", "count"}
    with pytest.raises(ValueError, match="'variance'.*shape"):
        variance_matched_sets(m, 2, np.random.default_rng(0), variance=var[:2])


def test_matched_variance_null_keeps_an_outlier_out_unless_the_set_is_near_it():
    """Decile bins put a huge-variance neuron in the random sets of any set with a neuron in the
    top decile; matching by value keeps it out (SmolLM2's layer 22 has one of variance 66,937)."""
    rng = np.random.default_rng(3)
    var = rng.lognormal(0, 1, size=(1, 400))
    var[0, 0] = 1e5  # the outlier
    top_decile = np.argsort(var[0])[-40:-1]  # high, but not the outlier
    m = np.zeros((1, 400), bool)
    m[0, top_decile[:5]] = True
    m[0, np.argsort(var[0])[:20]] = True  # and some quiet ones
    sets = variance_matched_sets(m, 300, np.random.default_rng(0), variance=var)
    assert not sets[:, 0, 0].any()
    ratio = np.mean([var[0][r].mean() for r in sets[:, 0]]) / var[0][m[0]].mean()
    assert 0.5 < ratio < 2.0
    # a set neuron as loud as the outlier draws it
    var2 = var.copy()
    var2[0, 1] = 9e4
    m2 = np.zeros((1, 400), bool)
    m2[0, 1] = True
    assert variance_matched_sets(m2, 300, np.random.default_rng(0), variance=var2)[:, 0, 0].any()
    with pytest.raises(ValueError, match="'variance'.*not finite"):
        bad = var.copy()
        bad[0, 5] = np.nan
        variance_matched_sets(m, 2, np.random.default_rng(0), variance=bad)
    whole = np.ones((1, 400), bool)
    assert variance_matched_sets(whole, 3, np.random.default_rng(0), variance=var).all()
