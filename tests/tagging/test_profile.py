"""Summaries of tagging results: categories, category fractions, the layer profile (with its
replicated, residual and untrained columns), the SNR curve, and overlap (Dice, its chance level,
the hypergeometric p and retention) on selections with known truth."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from hftp._validation import InvalidTypeError
from hftp.tagging.pipeline import find_tagged
from hftp.tagging.profile import (
    CATEGORIES,
    add_categories,
    categories,
    category_fractions,
    check_result,
    effect_curve,
    effect_profile,
    layer_profile,
    overlap,
    snr_curve,
)
from hftp.testing import planted_spectra


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


# ------------------------------------------------------------------------------------------
# categories, fractions, profiles and SNR curves


def _sig(sentence, phrase, levels=("sentence", "phrase")):
    vals = {"sentence": sentence, "phrase": phrase}
    data = np.stack([np.asarray(vals[lv], bool) for lv in levels], axis=-1)
    return xr.DataArray(
        data,
        dims=("channel", "level"),
        coords={"level": list(levels), "freq": ("level", np.arange(len(levels)) + 1.0)},
    )


def test_categories_from_the_two_levels():
    cat = categories(_sig([1, 1, 0, 0], [1, 0, 1, 0]))
    assert cat.dims == ("channel",) and cat.name == "category" and "freq" not in cat.coords
    assert cat.values.tolist() == ["shared", "sentence", "phrase", "none"]
    # other levels make no category; a missing level counts as not significant
    extra = _sig([1, 0], [0, 1], levels=("sentence", "phrase"))
    unit = xr.concat(
        [extra, extra.isel(level=[0]).assign_coords(level=["unit"], freq=("level", [3.0]))],
        "level",
    )
    assert categories(unit).values.tolist() == ["sentence", "phrase"]
    only = _sig([1, 0], [0, 0], levels=("sentence",))
    assert categories(only).values.tolist() == ["sentence", "none"]


def test_category_fractions():
    t = xr.Dataset({"category": ("channel", ["shared", "none", "none", "phrase"])})
    out = category_fractions(t)
    assert out == {"sentence": 0.0, "phrase": 0.25, "shared": 0.25, "none": 0.5, "n_channels": 4}
    assert set(CATEGORIES) < set(out)


@pytest.fixture(scope="module")
def planted_result():
    plant = {"sentence": np.arange(200) % 10 < 3, "phrase": np.arange(200) % 10 == 0}
    s = planted_spectra((2, 100), plant=plant, amplitude=0.5, seed=4)
    return find_tagged(s, "exp", "ctrl"), plant


def test_layer_profile_counts_and_columns(planted_result):
    a, plant = planted_result
    prof = layer_profile(a)
    assert list(prof.columns)[:4] == ["layer", "category", "count", "proportion"]
    # a result without effect sizes (hftp 0.2, paper mode) gives the old table
    old = layer_profile(a.drop_vars(["effect", "selective"]))
    assert list(old.columns) == ["layer", "category", "count", "proportion"]
    assert old.equals(prof[old.columns])
    assert len(prof) == 2 * 4 and prof["count"].sum() == 200
    assert np.allclose(prof.groupby("layer")["proportion"].sum(), 1.0)
    shared = prof[prof["category"] == "shared"].set_index("layer")["proportion"]
    assert (shared >= 0.08).all()  # 10% planted in each layer
    none = a.copy()
    none["category"] = a["category"].where(False, "none")
    with_cols = layer_profile(a, residual=none, untrained=a)
    assert (with_cols["residual"][with_cols["category"] == "none"] == 1).all()
    np.testing.assert_allclose(with_cols["untrained"], with_cols["proportion"])
    rep = a.assign(replicated=a["significant"] & False)
    assert (layer_profile(rep).query("category == 'none'")["replicated"] == 1).all()


def test_brain_profile_groups_by_region_or_all():
    t = xr.Dataset(
        {"category": ("channel", ["shared", "none", "phrase", "none"])},
        coords={"channel": list("abcd"), "region": ("channel", ["STG", "STG", "IFG", "IFG"])},
    )
    prof = layer_profile(t)
    assert prof.attrs["group"] == "region" and set(prof["region"]) == {"STG", "IFG"}
    flat = layer_profile(t.drop_vars("region"))
    assert flat.attrs["group"] == "group" and set(flat["group"]) == {"all"}


def test_snr_curve_falls_with_the_floor(planted_result):
    a, _ = planted_result
    curve = snr_curve(a, floors=[0.0, 2.0, 1e9])
    assert set(curve.columns) == {"layer", "level", "min_snr", "proportion"}
    assert set(curve["level"]) == {"sentence", "phrase", "any"}
    anyl = curve[curve["level"] == "any"].groupby("min_snr")["proportion"].mean()
    assert anyl[0.0] >= anyl[2.0] >= anyl[1e9] == 0.0
    sig = a["significant_fdr"].sel(level="sentence").mean("neuron").values
    at0 = curve[(curve["level"] == "sentence") & (curve["min_snr"] == 0)]["proportion"]
    np.testing.assert_allclose(at0, sig)
    with pytest.raises(ValueError, match="'floors'"):
        snr_curve(a, floors=[])


def test_check_result_and_bad_summaries(planted_result):
    a, _ = planted_result
    check_result(a)
    with pytest.raises(TypeError, match="'tagged'.*find_tagged"):
        check_result(a["category"])
    with pytest.raises(TypeError, match="'tagged'"):
        layer_profile(planted_spectra((2, 3), n_times=40, n_trials=2))
    with pytest.raises(ValueError, match="'b'"):
        overlap(a, a.isel(neuron=slice(0, 3)))
    with pytest.raises(TypeError, match="'floors'"):
        snr_curve(a, floors="high")


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
    sel = add_categories(a, "selective")
    assert sel is not a and "selective_category" in sel and "selective_category" not in a
    np.testing.assert_array_equal(
        sel["selective_category"].values, categories(a["selective"]).values
    )
    assert add_categories(a, "significant") is a
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


def test_layer_profile_effect_columns(planted_result):
    a, plant = planted_result
    prof = layer_profile(a, residual=a, untrained=a, n_boot=100)
    for col in ("effect_median", "effect_p90", "effect_share"):
        for c in (col, f"{col}_low", f"{col}_high"):
            assert c in prof
        rows = prof[prof["category"].isin(["sentence", "phrase"])]
        assert rows[col].notna().all()
        assert prof[prof["category"].isin(["shared", "none"])][col].isna().all()
        assert (rows[f"{col}_low"] <= rows[col] + 1e-12).all()
        np.testing.assert_allclose(prof[f"residual_{col}"], prof[col])
    # `selective`, like `proportion`: the share of the layer in each category, by selective
    np.testing.assert_allclose(prof.groupby("layer")["selective"].sum(), 1.0)
    np.testing.assert_allclose(prof["untrained_selective"], prof["selective"])
    assert (
        (prof["selective_low"] <= prof["selective"]) & (prof["selective"] <= prof["selective_high"])
    ).all()
    sel = categories(a["selective"])
    want = float((sel.sel(layer=0) == "sentence").mean())
    got = prof.query("layer == 0 and category == 'sentence'")["selective"].item()
    assert got == pytest.approx(want)
    # the effect at the sentence level is the effect profile's
    eff = effect_profile(a, n_boot=100)
    row = eff.query("layer == 1 and level == 'sentence'")
    got = prof.query("layer == 1 and category == 'sentence'")
    assert got["effect_median"].item() == pytest.approx(row["effect_median"].item())
    assert prof.attrs["min_effect"] == 0.2 and prof.attrs["n_boot"] == 100


def test_effect_profile_needs_effect_sizes(planted_result):
    a, _ = planted_result
    with pytest.raises(InvalidTypeError, match="without 'effect'"):
        effect_profile(a.drop_vars("effect"))
    with pytest.raises(InvalidTypeError, match="effect"):
        effect_curve([1, 2])
    flat = effect_profile(a, n_boot=0)
    assert flat["effect_median_low"].isna().all() and flat["effect_median"].notna().all()
