"""``hftp simulate-ieeg`` and ``hftp brain``: a simulated data set read back as brain Spectra
with its responsive-channel table, all outputs or none, and the renamed ``--tagged``."""

from __future__ import annotations

import pandas as pd
import pytest

import hftp
from hftp import _deprecate
from hftp.apps.cli import app


@pytest.fixture()
def sim(tmp_path, runner, summary):
    """A simulated BIDS iEEG data set of 2 subjects and 4 trials per condition."""
    out = tmp_path / "sim"
    res = runner.invoke(app, ["simulate-ieeg", "-o", str(out), "--n-trials", "4", "--json"])
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert got["simulated"] is True and len(got["subjects"]) == 2
    assert (out / "dataset_description.json").is_file() and got["ground_truth"]
    return out, got


def test_brain_reads_the_simulation(tmp_path, runner, summary, sim):
    folder, truth = sim
    out = tmp_path / "brain.nc"
    res = runner.invoke(app, ["brain", "-i", str(folder), "-o", str(out), "--json"])
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert got["out"] == str(out) and got["table"] == str(out.with_suffix(".csv"))
    assert sorted(got["subjects"]) == sorted(truth["subjects"])
    assert got["tagged_hz"] == truth["tagged_hz"]
    spectra = hftp.load(out)
    assert spectra.attrs["kind"] == "brain" and spectra.sizes["channel"] == got["channels"]
    table = pd.read_csv(out.with_suffix(".csv"))
    assert {"condition", "level", "significant"} <= set(table.columns)


def test_old_tagged_option_still_works(tmp_path, runner, sim, monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())  # warn-once state
    folder, truth = sim
    hz = truth["tagged_hz"]["phrase"]
    with pytest.warns(FutureWarning, match="--tagged was renamed to --tagged-hz"):
        res = runner.invoke(
            app,
            ["brain", "-i", str(folder), "-o", str(tmp_path / "b.nc"), "--tagged", f"phrase={hz}"],
        )
    assert res.exit_code == 0, res.output
    assert hftp.load(tmp_path / "b.nc").hftp.tagged_hz == {"phrase": hz}


def test_failed_brain_leaves_no_partial_output(tmp_path, runner, monkeypatch):
    """A failure while writing the table removes the Spectra already written (all or none)."""
    ws = tmp_path
    sim = ws / "sim"
    res = runner.invoke(
        app, ["simulate-ieeg", "-o", str(sim), "--subjects", "1", "--n-trials", "3"]
    )
    assert res.exit_code == 0, res.output
    import hftp.io as io

    def broken(*a, **k):
        raise OSError(28, "No space left on device", str(ws / "b.csv"))

    monkeypatch.setattr(io, "write_text", broken)
    res = runner.invoke(app, ["brain", "-i", str(sim), "-o", str(ws / "b.nc")])
    assert res.exit_code == 1 and "disk is full (no space left on device)" in res.output
    assert not (ws / "b.nc").exists() and not (ws / "b.csv").exists()
