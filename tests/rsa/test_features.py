"""Features and per-channel statistics: the band, the features, channel masks, groups, blocks."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import hftp.spectral as sp
from hftp.rsa.features import (
    Blocks,
    band_features,
    band_index,
    channel_blocks,
    channel_mask,
    check_band,
    check_rdm_spectra,
    default_band,
    group_labels,
    warn_empty_groups,
)
from hftp.testing import planted_spectra


def test_default_band_comes_from_the_first_spectra_with_tagged_frequencies(planted_pair):
    m, b = planted_pair
    assert default_band(m) == (0.5, 1.0)
    bare = b.copy()
    bare.attrs = {k: v for k, v in b.attrs.items() if k != "tagged_hz"}
    assert default_band(bare, m) == (0.5, 1.0)
    with pytest.raises(ValueError, match="'band'.*no tagged frequencies.*band=\\(lo, hi\\)"):
        default_band(bare)


def test_check_band():
    assert check_band((0.5, 2)) == (0.5, 2.0)
    assert check_band([1.0, 1.0]) == (1.0, 1.0)
    with pytest.raises(TypeError, match="'band'.*pair"):
        check_band("0.5-2")
    with pytest.raises(TypeError, match="'band'.*pair"):
        check_band((0.5, 1.0, 2.0))
    with pytest.raises(ValueError, match="'band'.*lo <= hi.*Swap"):
        check_band((2.0, 0.5))
    with pytest.raises(ValueError, match="'band'"):
        check_band((-1.0, 0.5))


def test_band_index_is_inclusive_and_refuses_an_empty_band():
    freqs = np.arange(0, 2.01, 0.25)
    np.testing.assert_array_equal(band_index(freqs, (0.5, 1.0), "s"), [2, 3, 4])
    np.testing.assert_array_equal(band_index(freqs, (1.0, 1.0), "s"), [4])
    with pytest.raises(ValueError, match=r"no frequency bins of 's' fall in \[1.1, 1.2\] Hz"):
        band_index(freqs, (1.1, 1.2), "s")


def test_check_rdm_spectra_needs_three_conditions():
    two = planted_spectra((3, 4), conditions=["a", "b"], n_trials=2, n_times=16, seed=0)
    with pytest.raises(ValueError, match="'x'.*at least 3 conditions.*\\['a', 'b'\\]"):
        check_rdm_spectra(two, "x")
    three = planted_spectra((3, 4), conditions=["a", "b", "c"], n_trials=2, n_times=16, seed=0)
    assert check_rdm_spectra(three, "x") == ("layer", "neuron")
    brain = planted_spectra((5,), conditions=["a", "b", "c"], n_trials=2, n_times=16, seed=0)
    assert check_rdm_spectra(brain, "x") == ("channel",)


def test_band_features_flatten_the_channels_in_c_order(planted_pair):
    m, _ = planted_pair
    v = band_features(m, "evoked", (0.5, 1.0), "m")
    ev = sp.MEASURES["evoked"](m).sel(freq=slice(0.5, 1.0))
    assert ev.sizes["freq"] == 9  # 0.5 to 1 Hz in steps of 4 Hz / 64 samples
    assert v.shape == (6, 5 * 8, 9)
    np.testing.assert_allclose(v[:, 1 * 8 + 3], ev.isel(layer=1, neuron=3).values)


def _tagging(m, cats):
    return xr.Dataset(
        {"category": (("layer", "neuron"), cats)},
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )


def test_channel_mask_from_tagging_results_or_a_mask(planted_pair):
    m, _ = planted_pair
    cdims = ("layer", "neuron")
    assert channel_mask(None, m, cdims).all() and channel_mask(None, m, cdims).size == 40
    cats = np.full((5, 8), "none", dtype=object)
    cats[2, 5] = "phrase"
    mask = channel_mask(_tagging(m, cats), m, cdims)
    assert mask.sum() == 1 and mask[2 * 8 + 5]
    sig = xr.Dataset(
        {"significant": (("neuron", "layer", "level"), np.zeros((8, 5, 2), bool))},
        coords={"layer": m["layer"], "neuron": m["neuron"], "level": ["sentence", "phrase"]},
    )
    sig["significant"][3, 4, 1] = True  # another dim order: transposed back
    assert np.flatnonzero(channel_mask(sig, m, cdims)).tolist() == [4 * 8 + 3]
    da = xr.DataArray(np.eye(5, 8, dtype=bool), dims=cdims, coords={d: m[d] for d in cdims})
    np.testing.assert_array_equal(channel_mask(da, m, cdims), np.eye(5, 8, dtype=bool).ravel())


def test_channel_mask_by_verdict_selects_the_selective_channels(planted_pair):
    m, _ = planted_pair
    cdims = ("layer", "neuron")
    cats = np.full((5, 8), "sentence", dtype=object)  # every neuron significant ...
    res = _tagging(m, cats)
    sel = np.full((5, 8), "none", dtype=object)
    sel[1, 2] = sel[3, 7] = "shared"  # ... two of them selective
    res["selective_category"] = (cdims, sel)
    assert channel_mask(res, m, cdims).all()
    got = channel_mask(res, m, cdims, verdict="selective")
    assert np.flatnonzero(got).tolist() == [1 * 8 + 2, 3 * 8 + 7]
    # without the category variable: the boolean verdict, any level
    flag = np.zeros((5, 8, 2), bool)
    flag[4, 0, 1] = True
    res = res.drop_vars("selective_category")
    res["selective"] = (("layer", "neuron", "level"), flag)
    assert np.flatnonzero(channel_mask(res, m, cdims, verdict="selective")).tolist() == [32]
    with pytest.raises(ValueError, match="'replicated_category'.*verdict='replicated'"):
        channel_mask(res, m, cdims, verdict="replicated")


def test_channel_mask_bad_input(planted_pair):
    m, _ = planted_pair
    cdims = ("layer", "neuron")
    with pytest.raises(TypeError, match="'chosen'.*find_tagged"):
        channel_mask(np.ones((5, 8), bool), m, cdims, name="chosen")
    with pytest.raises(ValueError, match="'channels'.*got a Dataset with \\['x'\\]"):
        channel_mask(xr.Dataset({"x": ("layer", np.zeros(5))}), m, cdims)
    ints = xr.DataArray(np.ones((5, 8), int), dims=cdims)
    with pytest.raises(TypeError, match="dtype int"):
        channel_mask(ints, m, cdims)
    with pytest.raises(ValueError, match="dims .* do not match"):
        channel_mask(xr.DataArray(np.ones(5, bool), dims="layer"), m, cdims)
    part = xr.DataArray(np.ones((2, 8), bool), dims=cdims, coords={"layer": [0, 9]})
    with pytest.raises(ValueError, match="does not cover every channel"):
        channel_mask(part, m, cdims)


def test_group_labels_by_dim_or_coordinate(planted_pair):
    m, b = planted_pair
    layers = group_labels(m, "layer", ("layer", "neuron"))
    np.testing.assert_array_equal(layers, np.repeat(np.arange(5), 8))
    np.testing.assert_array_equal(group_labels(b, "channel", ("channel",)), np.arange(18))
    regions = group_labels(b, "region", ("channel",))
    assert list(regions[:7]) == ["A"] * 6 + ["B"]
    with pytest.raises(ValueError, match="'by'.*Group by a channel dim"):
        group_labels(b, "lobe", ("channel",))


def test_channel_blocks_hold_each_channels_gram_and_sums():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(4, 5, 3))  # 4 conditions, 5 channels, 3 frequencies
    values[2, 3, 1] = np.nan  # channel 3 is left out
    blocks = channel_blocks(values, np.array(["b", "a", "b", "a", "b"]))
    assert isinstance(blocks, Blocks) and blocks.n_freq == 3
    assert list(blocks.groups) == ["b", "a"]  # in order of appearance
    np.testing.assert_array_equal(blocks.index, [[0, 2, 4], [1, 3, 0]])
    np.testing.assert_array_equal(blocks.valid, [[True, True, True], [True, False, False]])
    np.testing.assert_array_equal(blocks.dropped, [0, 1])
    x = values[:, 2]
    np.testing.assert_allclose(blocks.gram[0, 1], x @ x.T)
    np.testing.assert_allclose(blocks.sums[0, 1], x.sum(axis=-1))
    assert not blocks.gram[1, 1].any() and not blocks.sums[1, 2].any()  # dropped and padding


def test_warn_empty_groups_names_the_groups():
    blocks = channel_blocks(np.ones((3, 4, 2)), np.array([0, 0, 1, 2]))
    with pytest.warns(UserWarning, match=r"No selected channels in layer \[1, 2\]"):
        warn_empty_groups("layer", blocks, np.array([2, 0, 0]))
    values = np.ones((3, 2, 2))
    values[0, 1, 0] = np.inf
    with pytest.warns(UserWarning, match=r"1 channels have non-finite values.*region \['x'\]"):
        warn_empty_groups("region", channel_blocks(values, np.array(["x", "x"])), np.array([1]))
