"""The `hftp tag` and `hftp report` commands (other commands are tested beside their modules)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import hftp
from hftp.apps.cli import app

runner = CliRunner()


@pytest.fixture()
def spectra_file(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(48) / 4.0
    trials = {}
    for c, amp in (("sentences", 1.0), ("control", 0.0)):
        x = rng.normal(size=(12, 2, 20, 48))
        x[:, :, :5] += amp * np.cos(2 * np.pi * 1.0 * t)
        trials[c] = x
    s = hftp.make_spectra(
        trials,
        rate_hz=4.0,
        tagged={"sentence": 1.0},
        channel_dims=("layer", "neuron"),
        kind="model",
    )
    return hftp.save(s, tmp_path / "spectra.nc")


def test_tag_writes_result_and_profile(tmp_path, spectra_file):
    out, table = tmp_path / "tagged.nc", tmp_path / "profile.csv"
    args = ["tag", "--spectra", str(spectra_file), "--condition", "sentences"]
    args += ["--control", "control", "--out", str(out), "--table", str(table), "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["n_channels"] == 40
    # 10 of 40 channels carry a planted 1 Hz response
    assert 0.2 <= summary["sentence"] <= 0.3
    tagged = hftp.load(out)
    assert int(tagged["significant"].sel(level="sentence").sum()) >= 9
    assert "layer,category,count,proportion" in table.read_text().splitlines()[0]


def test_tag_names_a_missing_condition(tmp_path, spectra_file):
    args = [
        "tag",
        "--spectra",
        str(spectra_file),
        "--condition",
        "sentence",
        "--out",
        str(tmp_path / "t.nc"),
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert "sentences" in res.output and not (tmp_path / "t.nc").exists()


def test_report_from_files(tmp_path, spectra_file):
    tagged = tmp_path / "tagged.nc"
    runner.invoke(
        app,
        ["tag", "--spectra", str(spectra_file), "--condition", "sentences", "--out", str(tagged)],
    )
    res = runner.invoke(
        app, ["report", str(spectra_file), str(tagged), "--out", str(tmp_path / "rep"), "--json"]
    )
    assert res.exit_code == 0, res.output
    html = (tmp_path / "rep" / "report.html").read_text()
    assert "figures/tagged_profile.png" in html
    assert (tmp_path / "rep" / "figures" / "tagged_profile.png").is_file()
    assert json.loads(res.stdout.strip().splitlines()[-1])["n_tagging"] == 1


def test_report_rejects_unknown_file(tmp_path):
    import xarray as xr

    p = hftp.save(xr.Dataset({"a": ("x", [1.0])}), tmp_path / "other.nc")
    res = runner.invoke(app, ["report", str(p), "--out", str(tmp_path / "rep")])
    assert res.exit_code == 2
    assert "'files'" in res.output and "hftp probe" in res.output


def test_tag_control_frequencies_are_their_own_family(tmp_path, spectra_file):
    """--control-hz adds the control family; the main family's q is the same as without it."""
    plain, out = tmp_path / "plain.nc", tmp_path / "ctrl.nc"
    base = ["tag", "--spectra", str(spectra_file), "--condition", "sentences", "--json"]
    assert runner.invoke(app, [*base, "--out", str(plain)]).exit_code == 0
    res = runner.invoke(app, [*base, "--out", str(out), "--control-hz", "fake=1.5"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert set(summary["control_significant"]) == {"fake"}
    assert summary["control_significant"]["fake"] <= 0.2  # noise only at 1.5 Hz
    assert 0.0 <= summary["control_p_below_q"]["fake"] <= 0.3
    a, b = hftp.load(plain), hftp.load(out)
    np.testing.assert_array_equal(a["q"].values, b["q"].values)
    assert b["control_q"].dims == ("layer", "neuron", "control_level")


@pytest.mark.parametrize(
    ("value", "message"),
    [("fake", "expected NAME=HZ"), ("fake=1.0", "harmonics"), ("fake=9", "outside")],
)
def test_tag_bad_control_hz(tmp_path, spectra_file, value, message):
    args = ["tag", "--spectra", str(spectra_file), "--condition", "sentences"]
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "t.nc"), "--control-hz", value])
    assert res.exit_code == 2, res.output
    assert "--control-hz" in res.output or "control_hz" in res.output
    assert message in res.output and not (tmp_path / "t.nc").exists()


def test_tag_control_hz_given_twice_is_refused(tmp_path, spectra_file):
    args = ["tag", "--spectra", str(spectra_file), "--condition", "sentences"]
    twice = ["--control-hz", "fake=1.5", "--control-hz", "fake=1.75"]
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "t.nc"), *twice])
    assert res.exit_code == 2, res.output
    assert "'fake'" in res.output and "more than once" in res.output
    assert not (tmp_path / "t.nc").exists()
