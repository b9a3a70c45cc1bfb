"""RDMs: every metric against scipy, the condensed upper triangle, weighted channel sets, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy.spatial.distance import pdist, squareform

import hftp.spectral as sp
from hftp.rsa.dissimilarity import METRICS, block_rdms, condensed, pair_coords, rdms
from hftp.rsa.features import band_features, channel_blocks, group_labels


def _band_values(spectra, measure, lo=0.5, hi=1.0):
    da = sp.MEASURES[measure](spectra)
    f = da["freq"].values
    return da.isel(freq=np.flatnonzero((f >= lo - 1e-9) & (f <= hi + 1e-9)))


def _mask(m, rng, p=0.6):
    mask = xr.DataArray(
        rng.random((m.sizes["layer"], m.sizes["neuron"])) < p,
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    mask[:, 0] = True
    return mask


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_model_rdm_matches_scipy(planted_pair, metric):
    m, _ = planted_pair
    mask = _mask(m, np.random.default_rng(1))
    out = rdms(m, mask, metric=metric)
    vals = _band_values(m, "evoked")
    assert out.dims == ("layer", "pair")
    for layer in m["layer"].values:
        sel = mask.sel(layer=layer).values
        x = vals.sel(layer=layer).isel(neuron=np.flatnonzero(sel)).values.reshape(6, -1)
        np.testing.assert_allclose(out.sel(layer=layer).values, pdist(x, metric), atol=1e-9)
        assert int(out["n_channels"].sel(layer=layer)) == sel.sum()


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_brain_rdm_by_channel_and_region_matches_scipy(planted_pair, metric):
    _, b = planted_pair
    vals = _band_values(b, "itc")
    per_channel = rdms(b, measure="itc", metric=metric)
    assert per_channel.dims == ("channel", "pair")
    assert "region" in per_channel.coords  # channel coords carried along
    ch = "ch7"
    np.testing.assert_allclose(
        per_channel.sel(channel=ch).values, pdist(vals.sel(channel=ch).values, metric), atol=1e-9
    )
    per_region = rdms(b, measure="itc", metric=metric, by="region")
    assert list(per_region["region"].values) == ["A", "B", "C"]
    x = vals.isel(channel=np.flatnonzero(b["region"].values == "B")).values.reshape(6, -1)
    np.testing.assert_allclose(per_region.sel(region="B").values, pdist(x, metric), atol=1e-9)


def test_rdm_is_upper_triangle_only(planted_pair, build):
    m, _ = planted_pair
    out = rdms(m)
    n = len(build.conds)
    assert out.sizes["pair"] == n * (n - 1) // 2
    pairs = list(zip(out["cond_i"].values, out["cond_j"].values, strict=True))
    assert len(set(map(frozenset, pairs))) == len(pairs)  # every unordered pair once
    assert all(build.conds.index(i) < build.conds.index(j) for i, j in pairs)
    assert out.attrs["measure"] == "evoked" and out.attrs["metric"] == "cosine"
    assert out.attrs["by"] == "layer" and out.attrs["kind"] == "model"


def test_default_band_is_half_hz_to_highest_tagged(planted_pair):
    m, _ = planted_pair
    assert rdms(m).attrs["band"] == [0.5, 1.0]
    narrow = rdms(m, band=(0.9, 1.0))
    assert narrow.attrs["band"] == [0.9, 1.0]
    assert not np.allclose(narrow.values, rdms(m).values)


def test_condensed_is_pdist_order():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3))
    full = squareform(pdist(x))
    np.testing.assert_array_equal(condensed(full), pdist(x))
    stacked = np.stack([full, 2 * full])  # leading dims are kept
    assert condensed(stacked).shape == (2, 10)
    np.testing.assert_allclose(condensed(stacked)[1], 2 * pdist(x))


def test_pair_coords_name_both_conditions():
    coords = pair_coords(["a", "b", "c"])
    np.testing.assert_array_equal(coords["pair"], [0, 1, 2])
    assert list(coords["cond_i"][1]) == ["a", "a", "b"]
    assert list(coords["cond_j"][1]) == ["b", "c", "c"]


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_block_rdms_of_weights_equal_rdms_of_the_subsets(planted_pair, metric):
    m, _ = planted_pair
    cdims = ("layer", "neuron")
    blocks = channel_blocks(
        band_features(m, "evoked", (0.5, 1.0), "m"), group_labels(m, "layer", cdims)
    )
    rng = np.random.default_rng(3)
    draws = (rng.random((4, *blocks.valid.shape)) < 0.5).astype(float)
    draws[..., 0] = 1.0
    out = block_rdms(blocks, draws, metric)
    assert out.shape == (4, m.sizes["layer"], 15)
    for k in range(4):
        mask = xr.DataArray(draws[k].astype(bool), dims=cdims, coords={d: m[d] for d in cdims})
        np.testing.assert_allclose(out[k], rdms(m, mask, metric=metric).values, atol=1e-9)
    empty = block_rdms(blocks, np.zeros(blocks.valid.shape), metric)
    assert np.isnan(empty).all()  # a group with no weight has no RDM


def test_metrics_registry_is_what_rdms_accepts(planted_pair):
    m, _ = planted_pair
    assert set(METRICS) == {"cosine", "correlation", "euclidean"}
    with pytest.raises(ValueError, match="'metric'.*Did you mean 'cosine'"):
        rdms(m, metric="cosin")
    with pytest.raises(ValueError, match="'measure'"):
        rdms(m, measure="itcc")


# ---------------------------------------------------------------------------------------------
# bad input and warnings


def test_fewer_than_three_conditions(planted_pair):
    m, _ = planted_pair
    with pytest.raises(ValueError, match="'spectra'.*at least 3 conditions"):
        rdms(m.isel(condition=[0, 1]))


def test_band_with_no_bins_or_reversed(planted_pair):
    m, _ = planted_pair
    with pytest.raises(ValueError, match="'band'.*no frequency bins"):
        rdms(m, band=(1.01, 1.05))
    with pytest.raises(ValueError, match="'band'.*lo <= hi"):
        rdms(m, band=(1.0, 0.5))
    with pytest.raises(TypeError, match="'band'.*pair"):
        rdms(m, band=1.0)


def test_empty_layer_is_nan_with_warning(planted_pair):
    m, _ = planted_pair
    mask = xr.DataArray(
        np.ones((5, 8), bool),
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    mask[1] = False
    with pytest.warns(UserWarning, match=r"No selected channels in layer \[1\]"):
        out = rdms(m, mask)
    assert np.isnan(out.sel(layer=1)).all() and int(out["n_channels"].sel(layer=1)) == 0
    assert np.isfinite(out.sel(layer=2)).all()


def test_nonfinite_channel_is_left_out_with_warning(planted_pair):
    _, b = planted_pair
    bad = b.copy(deep=True)
    bad["sum_phase"][0, 0] = np.nan  # ch0 (region A) has no valid ITC in one condition
    with pytest.warns(UserWarning, match="non-finite"):
        per_region = rdms(bad, measure="itc", by="region")
    assert np.isfinite(per_region.values).all()
    assert int(per_region["n_channels"].sel(region="A")) == 5


def test_unknown_grouping(planted_pair):
    _, b = planted_pair
    with pytest.raises(ValueError, match="'by'"):
        rdms(b, by="lobe")
