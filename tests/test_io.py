"""Saving and loading results: round trips, atomic writes, bad input, streamed raw activations."""

from __future__ import annotations

import os
from pathlib import Path

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


def test_files_are_compressed_and_keep_their_dtypes(tmp_path):
    import h5py

    s = _spectra()
    p = io.save(s, tmp_path / "s.nc")
    with h5py.File(p) as f:
        assert f["sum_abs"].dtype == np.float64 and f["sum_x__re"].dtype == np.float64
        assert f["sum_abs"].compression == "gzip" and f["sum_abs"].shuffle
        assert f["trial_x__re"].dtype == np.float32 and f["trial_x__re"].compression == "gzip"
    back = io.load(p)
    for var in s.data_vars:  # bit for bit: a statistic of the file is one of the memory
        assert back[var].dtype == s[var].dtype
        np.testing.assert_array_equal(back[var].values, s[var].values)
    # float64 sums of float32 coefficients compress to about float32's size
    x = np.random.default_rng(0).standard_normal((16, 40_000)).astype("f4").sum(0, dtype="f8")
    plain = xr.Dataset({"x": ("a", x)})
    plain.to_netcdf(tmp_path / "plain.nc", engine="h5netcdf")
    io.save(plain, tmp_path / "packed.nc")
    assert (tmp_path / "packed.nc").stat().st_size < 0.75 * (tmp_path / "plain.nc").stat().st_size


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


def test_loaded_attrs_are_python_scalars_like_a_fresh_results(tmp_path):
    """netCDF returns numpy scalars; a loaded result must keep every attr that a consumer
    filtering on Python types keeps (find_tagged dropped n_layers of a loaded Spectra, so
    relative depth used the deepest recorded layer instead of the model's)."""
    from hftp.tagging.across_models import relative_depth
    from hftp.testing import planted_spectra

    spectra = planted_spectra(
        (3, 10), conditions=("sentences", "within-shuffle"), planted_in=("sentences",), seed=0
    )
    spectra = spectra.assign_coords(layer=[0, 5, 10])
    spectra.attrs.update(n_layers=30, ratio=0.5, flag=True)
    back = io.load(io.save(spectra, tmp_path / "s.nc"))
    assert type(back.attrs["n_layers"]) is int and type(back.attrs["ratio"]) is float
    assert back.attrs["flag"] is True
    fresh = hftp.find_tagged(spectra, "sentences", "within-shuffle")
    loaded = hftp.find_tagged(back, "sentences", "within-shuffle")
    assert loaded.attrs["n_layers"] == 30
    np.testing.assert_allclose(relative_depth(loaded), relative_depth(fresh))
    np.testing.assert_allclose(relative_depth(loaded), [0, 5 / 29, 10 / 29])


def test_source_revision_is_this_clones_commit_or_release():
    import subprocess

    rev = io.source_revision()
    root = Path(io.__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except OSError:  # no git on this machine
        head = ""
    if head and (root / ".git").exists():
        assert rev.split("+")[0] == head and rev in (head, head + "+dirty", head + "+unknown")
    else:  # an installed copy: its version says what it is
        assert rev == "release"
    assert io.provenance()["hftp_revision"] == rev


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


# ------------------------------------------------------------------------- nothing lost


def test_atomic_dir_writes_a_manifest_and_replaces_only_its_own_folders(tmp_path):
    from hftp._paths import MANIFEST, read_manifest

    target = tmp_path / "run"
    with io.atomic_dir(target) as staging:
        (staging / "a.txt").write_text("x")
        (staging / "sub").mkdir()
        (staging / "sub" / "b.txt").write_text("y")
    assert read_manifest(target) == {"a.txt", "sub/b.txt"} and (target / MANIFEST).is_file()
    with io.atomic_dir(target) as staging:  # hftp's own folder: replaced
        (staging / "c.txt").write_text("z")
    assert sorted(p.name for p in target.iterdir()) == [MANIFEST, "c.txt"]
    (target / "notes.md").write_text("the user's")
    with pytest.raises(ValueError, match="'spec.out'.*files hftp did not write.*'notes.md'"):
        with io.atomic_dir(target, name="spec.out") as staging:
            (staging / "d.txt").write_text("w")
    assert (target / "notes.md").read_text() == "the user's" and (target / "c.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging left behind


def test_a_file_added_while_hftp_works_is_noticed(tmp_path):
    target = tmp_path / "run"
    with io.atomic_dir(target) as staging:
        (staging / "a.txt").write_text("x")
    with pytest.raises(ValueError, match="'late.txt'"):
        with io.atomic_dir(target) as staging:
            (target / "late.txt").write_text("user")
            (staging / "a.txt").write_text("y")
    assert (target / "late.txt").exists() and (target / "a.txt").read_text() == "x"


def test_save_to_a_users_folder_named_zarr_refuses_even_with_overwrite(tmp_path):
    pytest.importorskip("zarr")
    user = tmp_path / "data.zarr"
    user.mkdir()
    (user / "thesis.tex").write_text("months of work")
    with pytest.raises(ValueError, match="'thesis.tex'"):
        io.save(_spectra(), user, overwrite=True)
    assert (user / "thesis.tex").read_text() == "months of work"
    own = io.save(_spectra(), tmp_path / "own.zarr")
    io.save(_spectra(), own, overwrite=True)  # hftp's own store: replaced
    assert "sum_x" in io.load(own)


def test_raw_writer_refuses_a_users_zarr_folder_before_writing(tmp_path):
    pytest.importorskip("zarr")
    user = tmp_path / "raw.zarr"
    user.mkdir()
    (user / "keep.txt").write_text("x")
    with pytest.raises(ValueError, match="'save_raw'.*'keep.txt'"):
        io.RawWriter(user, make_stim([["a", "b"]]), [0], site="s", model="m")
    assert (user / "keep.txt").exists()


@pytest.mark.parametrize(
    ("code", "words"),
    [(28, "disk is full"), (30, "read-only"), (27, "file-size limit"), (13, "permission")],
)
def test_disk_errors_are_named_by_their_cause(tmp_path, monkeypatch, code, words):
    import errno as _errno

    def fail(*a, **k):
        raise OSError(code, os.strerror(code), str(tmp_path / "s.nc"))

    monkeypatch.setattr(io.os, "replace", fail)
    with pytest.raises(hftp.HftpError, match=words) as err:
        io.save(_spectra(), tmp_path / "s.nc")
    assert isinstance(err.value, OSError) and err.value.errno == code
    assert code in (_errno.ENOSPC, _errno.EROFS, _errno.EFBIG, _errno.EACCES)
    assert not list(tmp_path.iterdir())  # the staged file is gone


def test_hdf5_errors_quoting_an_errno_are_named(tmp_path, monkeypatch):
    import xarray as _xr

    def fail(self, *a, **k):
        raise RuntimeError("Can't write data (file write failed: errno = 28, 'No space left')")

    monkeypatch.setattr(_xr.Dataset, "to_netcdf", fail)
    with pytest.raises(hftp.HftpError, match="disk is full"):
        io.save(_spectra(), tmp_path / "s.nc")


def test_a_file_size_limit_is_said_before_hdf5_writes(tmp_path):
    import subprocess
    import sys

    code = (
        "import resource, numpy as np, xarray as xr, hftp\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, resource.RLIM_INFINITY))\n"
        "ds = xr.Dataset({'x': (('a',), np.random.default_rng(0).random(100_000))})\n"
        "try:\n"
        f"    hftp.io.save(ds, {str(tmp_path / 'big.nc')!r})\n"
        "except hftp.HftpError as e:\n"
        "    print('ERR', e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr  # no crash of the process
    assert "ERR" in out.stdout and "file-size limit" in out.stdout and " MB" in out.stdout
    assert not (tmp_path / "big.nc").exists()


def test_a_cut_netcdf_is_named_with_what_to_do(tmp_path):
    p = io.save(_spectra(), tmp_path / "s.nc")
    (tmp_path / "cut.nc").write_bytes(p.read_bytes()[:3000])
    with pytest.raises(hftp.HftpError, match="Could not read .*cut.nc.*truncated.*write it again"):
        io.load(tmp_path / "cut.nc")
