"""Saving and loading results: round trips, atomic writes, bad input, streamed raw activations."""

from __future__ import annotations

import os

import numpy as np
import pytest
import xarray as xr

import hftp
from hftp import io
from hftp._version import __version__
from hftp.testing import make_stim


def _spectra():
    rng = np.random.default_rng(0)
    return hftp.make_spectra(
        {"a": rng.normal(size=(6, 3, 40)), "b": rng.normal(size=(6, 3, 40))},
        sfreq=4.0,
        tagged_hz={"sentence": 1.0},
    )


def test_dataset_round_trip_keeps_complex_bool_and_attrs(tmp_path):
    s = _spectra()
    s["flag"] = ("channel", np.array([True, False, True]))
    s.attrs["params"] = {"q": 0.05, "levels": ["sentence"]}
    p = io.save(s, tmp_path / "s.nc")
    back = io.load(p)
    assert back["sum_x"].dtype == s["sum_x"].dtype
    np.testing.assert_array_equal(back["sum_x"].values, s["sum_x"].values)
    np.testing.assert_array_equal(back["trial_x"].values, s["trial_x"].values)
    assert back["flag"].dtype == bool
    assert back.attrs["params"] == {"q": 0.05, "levels": ["sentence"]}
    assert back.attrs["tagged_hz"] == s.attrs["tagged_hz"]


def test_dataarray_round_trip(tmp_path):
    da = xr.DataArray(
        np.array([[True, False]]), dims=("layer", "neuron"), name="mask", attrs={"d": {"x": 1}}
    )
    back = io.load(io.save(da, tmp_path / "m.nc"))
    assert isinstance(back, xr.DataArray)
    assert back.name == "mask" and back.dtype == bool
    assert back.attrs["d"] == {"x": 1}


def test_atomic_path_leaves_nothing_when_interrupted(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError, match="boom"):
        with io.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_replaces_existing_file(tmp_path):
    target = tmp_path / "x.json"
    io.write_json(target, {"a": 1})
    io.write_json(target, {"a": np.int64(2), "b": np.float32(0.5)})
    assert target.read_text().count('"a": 2') == 1
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_save_rejects_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match=r"'out \(file extension\)'.*'\.nc'"):
        io.save(_spectra(), tmp_path / "s.csv")


def test_save_rejects_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="'out'.*does not exist.*mkdir"):
        io.save(_spectra(), tmp_path / "nope" / "s.nc")


def test_load_rejects_missing_file(tmp_path):
    with pytest.raises(ValueError, match="'path'.*does not exist"):
        io.load(tmp_path / "missing.nc")


def test_provenance_has_versions():
    rec = io.provenance(model="m")
    assert rec["hftp_version"] == __version__
    assert rec["model"] == "m" and "created" in rec


def test_atomic_dir_moves_folder_into_place_and_cleans_up(tmp_path):
    target = tmp_path / "store"
    with io.atomic_dir(target) as staging:
        (staging / "a.txt").write_text("x")
    assert (target / "a.txt").read_text() == "x"
    with pytest.raises(RuntimeError):
        with io.atomic_dir(target) as staging:
            (staging / "b.txt").write_text("half")
            raise RuntimeError("stop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    assert not (target / "b.txt").exists()
    with io.atomic_dir(target, overwrite=False) as staging:
        (staging / "c.txt").write_text("y")
    assert not (target / "c.txt").exists() and (target / "a.txt").exists()


def test_save_refuses_an_existing_file_unless_overwrite(tmp_path):
    p = io.save(_spectra(), tmp_path / "s.nc")
    before = p.read_bytes()
    with pytest.raises(ValueError, match="already exists.*overwrite=True"):
        io.save(_spectra(), p)
    assert p.read_bytes() == before
    io.save(_spectra(), p, overwrite=True)


def test_atomic_writes_get_umask_permissions(tmp_path):
    import stat

    old = os.umask(0o027)
    try:
        p = io.write_text(tmp_path / "a.txt", "x")
        q = io.save(_spectra(), tmp_path / "s.nc")
    finally:
        os.umask(old)
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert stat.S_IMODE(q.stat().st_mode) == 0o640
    with pytest.raises(ValueError, match="already exists"):
        io.write_json(tmp_path / "a.txt", {}, overwrite=False)


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_raw_writer_streams_batches_into_one_file(tmp_path, suffix):
    if suffix == ".zarr":
        pytest.importorskip("zarr")
    stim = make_stim([["a", "b", "c", "d"], ["e", "f", "g", "h"], ["i", "j", "k", "l"]])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 2, 5, 4)).astype(np.float32)  # (sequence, layer, neuron, unit)
    w = io.RawWriter(tmp_path / f"raw{suffix}", stim, [0, 2], site="s.{i}", model="m")
    w.write([0, 1], "sentences", x[:2])
    w.write([2], "sentences", x[2:])
    w.close()
    da = io.load(tmp_path / f"raw{suffix}")
    assert da.name == "activation" and da.dims == ("sequence", "layer", "unit", "neuron")
    np.testing.assert_array_equal(da.values, x.transpose(0, 1, 3, 2))
    assert da["layer"].values.tolist() == [0, 2] and da.attrs["unit_rate_hz"] == 4.0
    assert da["token_text"].values[2].tolist() == ["i", "j", "k", "l"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"raw{suffix}"]


def test_raw_writer_abort_and_bad_names(tmp_path):
    stim = make_stim([["a", "b"]])
    w = io.RawWriter(tmp_path / "raw.nc", stim, [0], site="s", model="m")
    w.write([0], "sentences", np.zeros((1, 1, 2, 2), np.float32))
    w.abort()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match=r"'save_raw \(file extension\)'"):
        io.RawWriter(tmp_path / "raw.h5", stim, [0], site="s", model="m")
