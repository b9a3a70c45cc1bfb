"""Summaries of tagging results: categories, category fractions, the layer profile (with its
replicated, residual and untrained columns), the SNR curve and the effect profile, on selections
with known truth."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from hftp._validation import InvalidTypeError
from hftp.tagging.pipeline import find_tagged
from hftp.tagging.profile import (
    CATEGORIES,
    categories,
    category_fractions,
    check_result,
    effect_curve,
    effect_profile,
    layer_profile,
    snr_curve,
)
from hftp.testing import planted_spectra

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
    with pytest.raises(TypeError, match="'floors'"):
        snr_curve(a, floors="high")


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
