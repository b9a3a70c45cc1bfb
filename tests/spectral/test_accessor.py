"""The ``.hftp`` accessor: one place for sfreq, tagged_hz, channel dims, kind and validation; old
files upgraded on load (0.1 Spectra, and 0.2 tagging results with their renamed variables)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

import hftp
from hftp.spectral.accessor import (
    RENAMED_RESULT_ATTRS,
    RENAMED_RESULT_VARS,
    SCHEMA_VERSION,
    channel_dims,
    check_spectra,
    tagged_dict,
    upgrade,
)
from hftp.testing import planted_spectra


@pytest.fixture(scope="module")
def model_spec():
    return planted_spectra((2, 5), n_trials=4, n_times=40, seed=1)


@pytest.fixture(scope="module")
def brain_spec():
    return planted_spectra(
        (6,), n_trials=4, n_times=40, sfreq=8.0, tagged_hz={"phrase": 1.0}, seed=2
    )


def test_model_attributes(model_spec):
    acc = model_spec.hftp
    assert acc.sfreq == 4.0
    assert acc.tagged_hz == {"sentence": 1.0, "phrase": 2.0}
    assert isinstance(acc.tagged_hz, dict)
    assert acc.channel_dims == ("layer", "neuron")
    assert acc.kind == "model"
    assert acc.schema == SCHEMA_VERSION
    assert acc.validate() is model_spec


def test_brain_attributes(brain_spec):
    assert brain_spec.hftp.sfreq == 8.0
    assert brain_spec.hftp.channel_dims == ("channel",)
    assert brain_spec.hftp.kind == "brain"
    assert brain_spec.hftp.tagged_hz == {"phrase": 1.0}


def test_one_rate_attribute(model_spec):
    assert "sfreq" in model_spec.attrs and "unit_rate_hz" not in model_spec.attrs


def test_validate_names_what_is_missing(model_spec):
    with pytest.raises(TypeError, match=r"'spectra'.*missing sum_phase"):
        model_spec.drop_vars("sum_phase").hftp.validate()
    bad = model_spec.copy()
    bad.attrs = {k: v for k, v in bad.attrs.items() if k != "sfreq"}
    with pytest.raises(ValueError, match=r"no 'sfreq'.*hftp.probe"):
        bad.hftp.validate()
    with pytest.raises(hftp.HftpError):
        bad.hftp.sfreq  # noqa: B018


def test_schema1_file_is_upgraded_on_load(model_spec, tmp_path):
    """A file as hftp 0.1 wrote it (unit_rate_hz, no schema version) loads as schema 2."""
    old = model_spec.copy()
    attrs = {k: v for k, v in old.attrs.items() if k not in ("sfreq", "hftp_schema")}
    attrs["unit_rate_hz"] = 4.0
    old.attrs = attrs
    assert old.hftp.schema == 1 and old.hftp.sfreq == 4.0  # readable before the upgrade too
    path = hftp.save(old, tmp_path / "old.nc")
    new = hftp.load(path)
    assert new.hftp.schema == SCHEMA_VERSION
    assert new.attrs["sfreq"] == 4.0 and "unit_rate_hz" not in new.attrs
    xr.testing.assert_allclose(new["sum_x"], model_spec["sum_x"])


def test_upgrade_is_a_no_op_on_current_and_non_spectra(model_spec):
    assert upgrade(model_spec) is model_spec
    da = xr.DataArray(np.zeros(3))
    assert upgrade(da) is da


@pytest.mark.parametrize(
    "given, expected",
    [
        ({"phrase": 2}, {"phrase": 2.0}),
        (json.dumps({"sentence": 1.0}), {"sentence": 1.0}),
        (1.5625, {"1.5625 Hz": 1.5625}),
        ([1.0, 2.0], {"1 Hz": 1.0, "2 Hz": 2.0}),
        (None, {}),
    ],
)
def test_tagged_dict_normalises(given, expected):
    assert tagged_dict(given) == expected


def test_tagged_dict_rejects_garbage():
    with pytest.raises(TypeError, match=r"'tagged_hz'.*dict level → Hz"):
        tagged_dict(["fast"])


def test_channel_dims_and_check_spectra(model_spec):
    assert channel_dims(model_spec) == ("layer", "neuron")
    assert channel_dims(model_spec["sum_abs"].isel(freq=0)) == ("layer", "neuron")
    assert check_spectra(model_spec) is model_spec
    with pytest.raises(TypeError, match="'s2'.*got DataArray"):
        check_spectra(model_spec["sum_x"], "s2")


def _old_result(spectra):
    """A find_tagged result as hftp 0.2 wrote it: the neighbor test alone was ``tagged``."""
    new = hftp.find_tagged(spectra, "exp", "ctrl", control_hz={"fake": 1.3})
    old = new.rename_vars({v: k for k, v in RENAMED_RESULT_VARS.items()})
    old.attrs = {
        {v: k for k, v in RENAMED_RESULT_ATTRS.items()}.get(k, k): v for k, v in new.attrs.items()
    }
    return new, old


def test_old_tagging_result_is_upgraded_on_load(tmp_path):
    spectra = planted_spectra((2, 30), plant={"sentence": np.arange(60) < 10}, seed=3)
    new, old = _old_result(spectra)
    assert "tagged" in old and "control_tagged" in old and "excluded_neighbour_hz" in old.attrs
    up = upgrade(old)
    assert "tagged" not in up and "control_tagged" not in up
    xr.testing.assert_identical(up, new)
    path = hftp.save(old, tmp_path / "old_tagged.nc")
    loaded = hftp.load(path)
    assert "above_neighbors" in loaded and "tagged" not in loaded
    np.testing.assert_array_equal(loaded["above_neighbors"], new["above_neighbors"])
    assert loaded.attrs["excluded_neighbor_hz"] == new.attrs["excluded_neighbor_hz"]
    hftp.layer_profile(loaded)  # usable as a current result
    assert upgrade(new) is new  # a current result is left alone
