"""``hftp stimuli``: sets written as CSV or events, custom streams, and the renamed options."""

from __future__ import annotations

import pandas as pd
import pytest

from hftp import _deprecate
from hftp.apps.cli import app
from hftp.stimuli import load_stimuli, make_stimuli

pytestmark = pytest.mark.filterwarnings("ignore:The phrase rate")


def test_stimuli_command(tmp_path, runner, summary):
    out = tmp_path / "stim.csv"
    args = ["stimuli", "--language", "en", "--design", "sentences", "--design", "within-shuffle"]
    args += ["--n-sequences", "3", "--seed", "2", "--out", str(out), "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert got["conditions"] == ["sentences", "within-shuffle"]
    assert got["n_sequences"] == 3 and got["n_sequences_total"] == 6  # per condition
    assert got["tagged_hz"] == {"sentence": 1.0, "phrase": 2.0}
    back = load_stimuli(out)
    expected = make_stimuli("en", ["sentences", "within-shuffle"], 3, 2)
    pd.testing.assert_frame_equal(back.units, expected.units)

    ev = tmp_path / "events.tsv"
    res = runner.invoke(
        app, ["stimuli", "-l", "zh", "-n", "1", "--format", "events", "-o", str(ev)]
    )
    assert res.exit_code == 0, res.output
    assert ev.read_text("utf-8").startswith("onset\tduration\ttrial_type\tvalue")

    res = runner.invoke(app, ["stimuli", "--design", "sentense", "--out", str(out)])
    assert res.exit_code == 2 and "Did you mean 'sentences'" in res.output
    res = runner.invoke(app, ["stimuli", "--out", str(tmp_path / "no" / "x.csv"), "-n", "1"])
    assert res.exit_code == 2 and "does not exist" in res.output
    res = runner.invoke(app, ["stimuli", "--format", "xml", "--out", str(out)])
    assert res.exit_code == 2 and "'--format'" in res.output
    res = runner.invoke(app, ["stimuli", "--help"])
    assert res.exit_code == 0 and "--n-sequences" in res.output and "Examples" in res.output


def test_custom_streams(tmp_path, runner):
    folder = tmp_path / "streams"
    folder.mkdir()
    for i, n in enumerate([8, 9, 10]):
        (folder / f"ANAN_{i}.txt").write_text("\n".join((["cold", "food"] * 5)[:n]), "utf-8")
    for i in range(2):
        (folder / f"AVAV_{i}.txt").write_text("\n".join(["low", "sit"] * 6), "utf-8")
    out = tmp_path / "eeg.csv"
    args = ["stimuli", "-d", "custom", "--streams", str(folder), "--sfreq", "3.125"]
    args += ["--tagged-hz", "phrase=1.5625", "--trim", "--out", str(out), "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    stim = load_stimuli(out)
    assert stim.conditions == ["avav", "anan"]
    assert stim.tagged_hz == {"phrase": 1.5625}
    assert stim.units.groupby("sequence").size().nunique() == 1
    res = runner.invoke(app, [*args[:-3], "--tagged-hz", "phrase", "--out", str(out)])
    assert res.exit_code == 2 and "LEVEL=HZ" in res.output


def test_old_option_names_still_work_with_a_warning(tmp_path, runner, monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())  # warn-once state
    out = tmp_path / "s.csv"
    args = ["stimuli", "-n", "1", "--n-sentences", "2", "--out", str(out)]
    with pytest.warns(FutureWarning, match="--unit-rate-hz was renamed to --sfreq"):
        res = runner.invoke(app, [*args, "--unit-rate-hz", "8"])
    assert res.exit_code == 0, res.output
    assert load_stimuli(out).sfreq == 8.0
    res = runner.invoke(app, [*args, "--overwrite", "--unit-rate-hz", "8", "--sfreq", "2"])
    assert res.exit_code == 2 and "Pass only --sfreq" in res.output
    assert "--unit-rate-hz" not in runner.invoke(app, ["stimuli", "--help"]).output
