"""Channel sets from verdicts and their overlap (Dice, its chance level, the hypergeometric
expectation and p, retention) on selections with known truth."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from hftp.tagging.pipeline import find_tagged
from hftp.tagging.profile import categories
from hftp.tagging.sets import add_categories, category_variable, overlap
from hftp.testing import planted_spectra


@pytest.fixture(scope="module")
def planted_result():
    plant = {"sentence": np.arange(200) % 10 < 3, "phrase": np.arange(200) % 10 == 0}
    s = planted_spectra((2, 100), plant=plant, amplitude=0.5, seed=4)
    return find_tagged(s, "exp", "ctrl"), plant


def test_category_variable_and_the_old_path():
    import hftp.tagging.profile as profile

    assert category_variable("significant") == "category"
    assert category_variable("selective") == "selective_category"
    with pytest.warns(FutureWarning, match="hftp.tagging.sets.overlap"):
        assert profile.overlap is overlap


def tagged_from(cat: np.ndarray) -> xr.Dataset:
    """A minimal find_tagged-like result from a (layer, neuron) array of category strings."""
    n_layers, n_neur = cat.shape
    return xr.Dataset(
        {"category": (("layer", "neuron"), cat)},
        coords={"layer": np.arange(n_layers), "neuron": np.arange(n_neur)},
    )


def random_selection(rng, n_layers, n_neur, counts) -> np.ndarray:
    """Per layer, ``counts[category]`` neurons of each category drawn without replacement."""
    cat = np.full((n_layers, n_neur), "none", dtype="<U8")
    for layer in range(n_layers):
        order = rng.permutation(n_neur)
        k = 0
        for c, n in counts.items():
            cat[layer, order[k : k + n]] = c
            k += n
    return cat


def test_independent_selections_p_uniform_and_retention_at_chance():
    rng = np.random.default_rng(0)
    n_layers, n_neur = 4, 4000
    counts_a = {"sentence": 1000, "phrase": 300, "shared": 100}
    counts_b = {"sentence": 1200, "phrase": 200, "shared": 150}
    ps, ret, dice, chance = [], [], [], []
    for _ in range(100):
        a = tagged_from(random_selection(rng, n_layers, n_neur, counts_a))
        b = tagged_from(random_selection(rng, n_layers, n_neur, counts_b))
        ov = overlap(a, b)
        s = ov[ov["category"] == "sentence"]
        ps += list(s["p"])
        ret += list(s["retention"])
        dice += list(s["dice"])
        chance += list(s["chance"])
    ps = np.asarray(ps)
    # the p of independent selections is uniform (up to its discreteness, small at these counts)
    assert stats.kstest(ps, "uniform").pvalue > 0.01
    assert np.mean(ps < 0.05) < 0.05 + 0.03
    # retention and Dice sit at their chance levels
    assert np.mean(ret) == pytest.approx(1200 / 4000, abs=0.005)
    np.testing.assert_allclose(s["retention_chance"], 1200 / 4000)
    assert np.mean(dice) == pytest.approx(np.mean(chance), abs=0.005)
    assert chance[0] == pytest.approx(2 * 1000 * 1200 / (4000 * 2200))


def test_identical_selections_retention_one():
    rng = np.random.default_rng(1)
    a = tagged_from(random_selection(rng, 3, 500, {"sentence": 50, "phrase": 20, "shared": 5}))
    ov = overlap(a, a)
    assert (ov["retention"] == 1).all()
    assert (ov["dice"] == 1).all()
    assert (ov["p"] < 1e-6).all()
    assert (ov["chance"] < 0.2).all()
    assert list(ov.columns[:6]) == ["layer", "category", "n", "n_a", "n_b", "n_both"]


def test_planted_retention_is_detected():
    """b keeps 40% of a's sentence neurons and draws the rest at random: above chance, p small."""
    rng = np.random.default_rng(2)
    n = 2000
    cat_a = random_selection(rng, 1, n, {"sentence": 100})
    kept = np.flatnonzero(cat_a[0] == "sentence")[:40]
    others = rng.choice(np.flatnonzero(cat_a[0] == "none"), 60, replace=False)
    cat_b = np.full_like(cat_a, "none")
    cat_b[0, np.r_[kept, others]] = "sentence"
    row = overlap(tagged_from(cat_a), tagged_from(cat_b)).iloc[0]
    assert row["retention"] == pytest.approx(0.4)
    assert row["retention_chance"] == pytest.approx(0.05)
    assert row["p"] < 1e-10


def test_empty_sets():
    cat = np.full((2, 10), "none", dtype="<U8")
    ov = overlap(tagged_from(cat), tagged_from(cat))
    assert ov["dice"].isna().all() and ov["chance"].isna().all() and ov["retention"].isna().all()
    assert (ov["p"] == 1).all()


def test_bad_inputs():
    a = tagged_from(np.full((2, 10), "none", dtype="<U8"))
    with pytest.raises(TypeError, match="'a'.*find_tagged"):
        overlap(a["category"], a)
    with pytest.raises(TypeError, match="'b'.*find_tagged"):
        overlap(a, a.rename(category="cat"))
    with pytest.raises(ValueError, match="'b'.*channels"):
        overlap(a, a.isel(neuron=slice(0, 3)))
    with pytest.raises(ValueError, match="'b'.*'layer' coordinates"):
        overlap(a, a.assign_coords(layer=[5, 6]))


def test_overlap_of_a_result_with_itself_and_a_changed_copy(planted_result):
    a, _ = planted_result
    ov = overlap(a, a)
    assert np.allclose(ov["dice"].dropna(), 1.0)
    b = a.copy()
    b["category"] = a["category"].where(a["category"] != "shared", "none")
    ov = overlap(a, b).set_index(["layer", "category"])
    assert (ov.xs("shared", level="category")["dice"] == 0).all()
    assert (ov.xs("sentence", level="category")["dice"] == 1).all()


def test_selective_categories_and_their_overlap_with_chance(planted_result):
    a, _ = planted_result
    np.testing.assert_array_equal(  # find_tagged builds them
        a["selective_category"].values, categories(a["selective"]).values
    )
    old = a.drop_vars("selective_category")  # a result saved before hftp 0.3's categories
    sel = add_categories(old, "selective")
    assert sel is not old and "selective_category" not in old
    np.testing.assert_array_equal(sel["selective_category"], a["selective_category"])
    assert add_categories(a, "significant") is a
    a = old
    ov = overlap(a, a, verdict="selective")
    assert ov.attrs["verdict"] == "selective"
    # built on the fly or read from the variable: the same table
    assert ov.equals(overlap(sel, sel, verdict="selective"))
    assert (ov["n_a"] <= overlap(a, a)["n_a"]).all()  # selective ⊆ significant here
    rows = ov[ov["n"] > 0]
    np.testing.assert_allclose(rows["expected"], rows["n_a"] * rows["n_b"] / rows["n"])
    # the hypergeometric expectation and p
    b = a.copy()
    rng = np.random.default_rng(0)
    b["selective"] = a["selective"].copy(data=rng.random(a["selective"].shape) < 0.3)
    row = overlap(a, b, verdict="selective").query("layer == 0 and category == 'tagged'").iloc[0]
    want = stats.hypergeom.sf(row["n_both"] - 1, row["n"], row["n_a"], row["n_b"])
    assert row["p"] == pytest.approx(want)
    with pytest.raises(ValueError, match="'verdict'.*no boolean 'replicated'"):
        add_categories(a, "replicated")
