"""A find_tagged result reduced to one value and one mark per 10–20 label (no drawing)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from hftp.plot.tagging_scalp import ScalpTagging, is_tagging_result, tagging_by_label


def _pooled(nan_p_for=()):
    """Two participants × (Fz, Cz, Pz) pooled as 'P1/Fz', ...; Fz significant in P1 only, Cz in both."""
    names = [f"{p}/{c}" for p in ("P1", "P2") for c in ("Fz", "Cz", "Pz")]
    sig = np.array([True, True, False, False, True, False])
    snr = np.array([4.0, 6.0, 1.0, 2.0, 8.0, 1.0])
    p = np.where(sig, 0.001, 0.5)
    for k in nan_p_for:
        p[k] = np.nan  # that participant has no trials there: untested
    dims = ("channel", "level")
    return xr.Dataset(
        {
            "significant": (dims, sig[:, None]),
            "snr": (dims, snr[:, None], {"long_name": "amplitude SNR"}),
            "p": (dims, p[:, None]),
            "category": ("channel", np.where(sig, "phrase", "none")),
        },
        coords={
            "channel": names,
            "level": ["phrase"],
            "label": ("channel", [n.split("/")[1] for n in names]),
            "freq": ("level", [1.5625]),
        },
    )


def test_is_tagging_result():
    res = _pooled()
    assert is_tagging_result(res)
    assert not is_tagging_result(res.assign(rho=res["snr"]))  # an alignment result has rho
    assert not is_tagging_result(res["snr"]) and not is_tagging_result(np.ones(3))


def test_the_mean_over_participants_and_the_count_of_significant_ones():
    scalp = tagging_by_label(_pooled(), None, "snr")
    assert isinstance(scalp, ScalpTagging)
    assert scalp.names == ["Fz", "Cz", "Pz"] and scalp.level == "phrase"
    np.testing.assert_allclose(scalp.values, [3.0, 7.0, 1.0])
    np.testing.assert_array_equal(scalp.n_significant, [1, 2, 0])
    np.testing.assert_array_equal(scalp.n_tested, [2, 2, 2])
    assert scalp.n_participants == 2 and scalp.freq == pytest.approx(1.5625)
    assert scalp.colour_label == "amplitude SNR at 1.5625 Hz (phrase), mean of 2"


def test_the_fraction_significant_counts_tested_participants_only():
    scalp = tagging_by_label(_pooled(nan_p_for=(0,)), "phrase", "significant")
    np.testing.assert_array_equal(scalp.n_tested, [1, 2, 2])
    np.testing.assert_allclose(scalp.values, [0.0, 1.0, 0.0])  # P1/Fz untested: not a discovery
    assert scalp.colour_label.startswith("fraction of participants significant")
    means = tagging_by_label(_pooled(nan_p_for=(0,)), "phrase", "snr")
    assert means.values[0] == pytest.approx(2.0)  # only P2's Fz


def test_unpooled_channels_are_their_own_labels():
    res = _pooled().drop_vars("label")
    scalp = tagging_by_label(res, "phrase", "snr")
    assert scalp.names == ["Fz", "Cz", "Pz"]  # the part after the participant prefix


def test_bad_input():
    res = _pooled()
    with pytest.raises(ValueError, match=r"missing \['significant'\]"):
        tagging_by_label(res.drop_vars("significant"), "phrase", "snr")
    with pytest.raises(ValueError, match=r"'level'.*\['phrase'\].*got 'phrases'"):
        tagging_by_label(res, "phrases", "snr")
    with pytest.raises(TypeError, match="'variable'"):
        tagging_by_label(res, "phrase", 3)
    with pytest.raises(ValueError, match=r"'variable'.*got 'category'"):
        tagging_by_label(res, "phrase", "category")
    two = xr.concat([res, res.assign_coords(level=["sentence"])], dim="level", data_vars="all")
    with pytest.raises(ValueError, match=r"'level'.*got None.*level='sentence'"):
        tagging_by_label(two, None, "snr")
