"""``hftp tag``: the tagging result and layer profile, control frequencies, and bad values."""

from __future__ import annotations

import numpy as np
import pytest

import hftp
from hftp.apps.cli import app


def test_tag_writes_result_and_profile(tmp_path, spectra_file, runner, summary):
    out, table = tmp_path / "tagged.nc", tmp_path / "profile.csv"
    args = ["tag", "--spectra", str(spectra_file), "--condition", "sentences"]
    args += ["--control", "control", "--out", str(out), "--table", str(table), "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert got["n_channels"] == 40
    # 10 of 40 channels carry a planted 1 Hz response
    assert 0.2 <= got["sentence"] <= 0.3
    tagged = hftp.load(out)
    assert int(tagged["significant"].sel(level="sentence").sum()) >= 9
    assert "layer,category,count,proportion" in table.read_text().splitlines()[0]


def test_tag_names_a_missing_condition(tmp_path, spectra_file, runner):
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


def test_tag_control_frequencies_are_their_own_family(tmp_path, spectra_file, runner, summary):
    """--control-hz adds the control family; the main family's q is the same as without it."""
    plain, out = tmp_path / "plain.nc", tmp_path / "ctrl.nc"
    base = ["tag", "--spectra", str(spectra_file), "--condition", "sentences", "--json"]
    assert runner.invoke(app, [*base, "--out", str(plain)]).exit_code == 0
    res = runner.invoke(app, [*base, "--out", str(out), "--control-hz", "fake=1.5"])
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert set(got["control_significant"]) == {"fake"}
    assert got["control_significant"]["fake"] <= 0.2  # noise only at 1.5 Hz
    assert 0.0 <= got["control_p_below_q"]["fake"] <= 0.3
    a, b = hftp.load(plain), hftp.load(out)
    np.testing.assert_array_equal(a["q"].values, b["q"].values)
    assert b["control_q"].dims == ("layer", "neuron", "control_level")


@pytest.mark.parametrize(
    ("value", "message"),
    [("fake", "expected NAME=HZ"), ("fake=1.0", "harmonics"), ("fake=9", "outside")],
)
def test_tag_bad_control_hz(tmp_path, spectra_file, runner, value, message):
    args = ["tag", "--spectra", str(spectra_file), "--condition", "sentences"]
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "t.nc"), "--control-hz", value])
    assert res.exit_code == 2, res.output
    assert "--control-hz" in res.output or "control_hz" in res.output
    assert message in res.output and not (tmp_path / "t.nc").exists()


def test_tag_control_hz_given_twice_is_refused(tmp_path, spectra_file, runner):
    args = ["tag", "--spectra", str(spectra_file), "--condition", "sentences"]
    twice = ["--control-hz", "fake=1.5", "--control-hz", "fake=1.75"]
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "t.nc"), *twice])
    assert res.exit_code == 2, res.output
    assert "'fake'" in res.output and "more than once" in res.output
    assert not (tmp_path / "t.nc").exists()
