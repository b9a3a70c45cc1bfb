"""``hftp align``: the alignment file and its summary, a tagging mask, and bad inputs refused
before any work."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import hftp
from hftp.apps.cli import app
from hftp.testing import planted_spectra

CONDS = ("c0", "c1", "c2", "c3")


@pytest.fixture()
def files(tmp_path):
    """Model spectra (3 layers × 6 neurons; layer 0 planted) and brain spectra (6 channels in 3
    regions; region A planted), both responding in c0 and c1, saved to ``tmp_path``."""
    common = dict(conditions=CONDS, planted_in=("c0", "c1"), amplitude=1.0, n_trials=6, n_times=32)
    m = planted_spectra((3, 6), plant={"sentence": np.arange(18) < 6}, seed=1, **common)
    b = planted_spectra((6,), plant={"sentence": np.arange(6) < 2}, seed=2, **common)
    b = b.assign_coords(
        region=("channel", list("AABBCC")),
        subject=("channel", ["s1"] * 6),
        hemisphere=("channel", list("LRLRLR")),
    )
    mask = xr.DataArray(
        np.arange(18).reshape(3, 6) % 2 == 0,
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    for name, ds in (("m", m), ("b", b), ("t", mask.to_dataset(name="significant"))):
        hftp.save(ds, tmp_path / f"{name}.nc")
    return tmp_path


def _args(d, out="a.nc"):
    return ["align", "--probe", str(d / "m.nc"), "--brain", str(d / "b.nc"), "--out", str(d / out)]


def test_align_writes_the_result_and_its_summary(files, runner, summary):
    res = runner.invoke(app, [*_args(files), "--top-k", "3", "--json"])
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert got["out"] == str(files / "a.nc") and "S" in got and "best_layer" in got
    back = hftp.load(files / "a.nc")
    assert back["rho"].dims == ("layer", "channel") and back.attrs["top_k"] == 3


def test_align_with_a_tagged_mask_selected_elsewhere(files, runner):
    args = [*_args(files), "--tagged", str(files / "t.nc"), "--n-random", "3"]
    res = runner.invoke(app, [*args, "--selection", "independent"])
    assert res.exit_code == 0, res.output
    back = hftp.load(files / "a.nc")
    assert (back["n_neurons"] == 3).all() and back.sizes["random"] == 3


def test_bad_values_and_existing_outputs_are_refused(files, runner):
    res = runner.invoke(app, [*_args(files), "--metric", "cosin"])
    assert res.exit_code == 2 and "Did you mean 'cosine'" in res.output
    assert not (files / "a.nc").exists()
    (files / "a.nc").write_text("keep")
    res = runner.invoke(app, _args(files))
    assert res.exit_code == 2 and "already exists" in res.output
    assert (files / "a.nc").read_text() == "keep"


# ---------------------------------------------------------------------------------------------
# on the planted model/brain pair of the RSA tests (tests/conftest.py): region A follows layer 2


def test_cli_align(planted_pair, tmp_path, runner, summary):
    m, b = planted_pair
    hftp.save(m, tmp_path / "m.nc")
    hftp.save(b, tmp_path / "b.nc")
    cat = np.full((5, 8), "phrase", dtype=object)
    cat[:, 5:] = "none"
    tagged = xr.Dataset(
        {"category": (("layer", "neuron"), cat)},
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    hftp.save(tagged, tmp_path / "t.nc")
    out = tmp_path / "a.nc"
    args = ["align", "--probe", str(tmp_path / "m.nc"), "--brain", str(tmp_path / "b.nc")]
    res = runner.invoke(
        app,
        [
            *args,
            "--tagged",
            str(tmp_path / "t.nc"),
            "--out",
            str(out),
            "--top-k",
            "6",
            "--n-random",
            "4",
            "--selection",
            "independent",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert got["best_region"] == "A" and got["best_region_layer"] == 2
    back = hftp.load(out)
    assert (back["n_neurons"] == 5).all() and back.sizes["random"] == 4
    bad = runner.invoke(app, [*args, "--out", str(out), "--overwrite", "--top-k", "0"])
    assert bad.exit_code == 2 and "'--top-k'" in bad.output
    # an existing output is refused before any work, and left untouched
    before = out.read_bytes()
    bad = runner.invoke(app, [*args, "--out", str(out)])
    assert bad.exit_code == 2 and "already exists" in bad.output and "--overwrite" in bad.output
    assert out.read_bytes() == before


def test_cli_align_refuses_same_data_selection_and_takes_a_selection_probe(
    planted_pair, tmp_path, build, runner
):
    m, b = planted_pair
    other, _ = build.planted(seed=5)
    for name, ds in (("m", m), ("b", b), ("o", other)):
        hftp.save(ds, tmp_path / f"{name}.nc")
    mask = xr.DataArray(
        np.ones((5, 8), bool),
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    hftp.save(mask.to_dataset(name="significant"), tmp_path / "t.nc")
    args = ["align", "--probe", str(tmp_path / "m.nc"), "--brain", str(tmp_path / "b.nc")]
    args += ["--tagged", str(tmp_path / "t.nc"), "--out", str(tmp_path / "a.nc"), "--n-random", "3"]
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "selection_spectra" in res.output
    res = runner.invoke(app, [*args, "--selection-probe", str(tmp_path / "o.nc"), "--json"])
    assert res.exit_code == 0, res.output
    assert hftp.load(tmp_path / "a.nc").attrs["selection"] == "independent"
