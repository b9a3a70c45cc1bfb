"""Bad inputs to every ``hftp`` command: one clear line, the right exit code, no traceback,
nothing written. Each case is the bad input itself (the table of the hardening issue)."""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pytest
from typer.testing import CliRunner

import hftp
from hftp.apps.cli import app
from hftp.apps.cli_errors import message_for

runner = CliRunner()


@pytest.fixture()
def ws(tmp_path):
    """A workspace: a valid stimulus set and spectra, and an assortment of damaged files."""
    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):  # 2-word phrases at 4 Hz
        stim = hftp.make_stimuli("en", ["sentences", "random-words"], n_sequences=3, seed=0)
    hftp.save_stimuli(stim, tmp_path / "stim.csv")
    rng = np.random.default_rng(0)
    t = np.arange(48) / 4.0
    trials = {c: rng.normal(size=(8, 2, 6, 48)) + (c == "sentences") * np.cos(2 * np.pi * t)
              for c in ("sentences", "control", "words")}  # fmt: skip
    s = hftp.make_spectra(trials, rate_hz=4.0, tagged={"sentence": 1.0},
                          channel_dims=("layer", "neuron"), kind="model")  # fmt: skip
    hftp.save(s, tmp_path / "spectra.nc")
    (tmp_path / "garbage.nc").write_bytes(b"\x89HDF\r\n\x1a\n" + os.urandom(64))
    (tmp_path / "empty.nc").write_bytes(b"")
    (tmp_path / "text.nc").write_text("not a netCDF file")
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "range.json").write_text('{"a": {"begin": 1}}')
    (tmp_path / "float.json").write_text('{"a": 1.5}')
    (tmp_path / "side.csv").write_text("sequence,position\n0,0\n")
    (tmp_path / "side.json").write_text("{broken")
    (tmp_path / "nosidecar.csv").write_text("a\n1\n")
    (tmp_path / "fake.vhdr").write_text("this is not BrainVision")
    (tmp_path / "fake.edf").write_bytes(os.urandom(300))
    return tmp_path


def _cases(d):
    s, stim = str(d / "spectra.nc"), str(d / "stim.csv")
    out = str(d / "new.nc")
    return [
        # (command line, exit code, words the message must contain)
        (["stimuli", "-n", "99999999999999999999", "-o", str(d / "x.csv")], 2, ["GiB", "fewer"]),
        (["stimuli", "-n", "0", "-o", str(d / "x.csv")], 2, ["'--n-sequences'"]),
        (["stimuli", "-l", "fr", "-o", str(d / "x.csv")], 2, ["language"]),
        (["stimuli", "-d", "sentense", "-o", str(d / "x.csv")], 2, ["Did you mean"]),
        (["stimuli", "-o", str(d / "nodir" / "x.csv")], 2, ["does not exist", "mkdir"]),
        (["stimuli", "-o", stim], 2, ["already exists", "--overwrite"]),
        (["stimuli", "-o", str(d / "x.txt")], 2, [".csv", "--out"]),
        (["stimuli", "--format", "xlsx", "-o", str(d / "x.csv")], 2, ["--format"]),
        (
            ["stimuli", "--tagged", "phrase", "-d", "custom", "-o", str(d / "x.csv")],
            2,
            ["LEVEL=HZ"],
        ),
        (["stimuli", "--unit-rate-hz", "-4", "-o", str(d / "x.csv")], 2, ["'--unit-rate-hz'"]),
        (
            ["stimuli", "-d", "custom", "--streams", str(d / "nope"), "-o", str(d / "x.csv")],
            2,
            ["does not exist"],
        ),
        (["probe", "--stimuli", str(d / "nope.csv"), "-o", out], 2, ["does not exist"]),
        (["probe", "--stimuli", str(d / "nosidecar.csv"), "-o", out], 2, ["sidecar"]),
        (["probe", "--stimuli", str(d / "side.csv"), "-o", out], 2, ["could not read"]),
        (["probe", "--stimuli", stim, "-o", s], 2, ["already exists"]),
        (["probe", "--stimuli", stim, "-o", str(d / "x.h5")], 2, ["extension"]),
        (["probe", "--stimuli", stim, "-o", out, "--layers", "one"], 2, ["--layers"]),
        (["probe", "--stimuli", stim, "-o", out, "--model", str(d / "nomodel")], 2, ["model"]),
        (
            ["probe", "--stimuli", stim, "-o", out, "--save-raw", s],
            2,
            ["--save-raw", "already exists"],
        ),
        (
            ["tag", "--spectra", str(d / "garbage.nc"), "--condition", "x", "--out", out],
            1,
            ["damaged"],
        ),
        (["tag", "--spectra", str(d / "empty.nc"), "--condition", "x", "--out", out], 1, []),
        (["tag", "--spectra", str(d / "text.nc"), "--condition", "x", "--out", out], 1, []),
        (
            ["tag", "--spectra", str(d / "nope.nc"), "--condition", "x", "--out", out],
            2,
            ["does not exist"],
        ),
        (["tag", "--spectra", s, "--condition", "sentense", "--out", out], 2, ["sentences"]),
        (
            [
                "tag",
                "--spectra",
                s,
                "--condition",
                "sentences",
                "--control",
                "sentences",
                "--out",
                out,
            ],
            2,
            ["control"],
        ),
        (
            ["tag", "--spectra", s, "--condition", "sentences", "--mode", "magic", "--out", out],
            2,
            ["mode"],
        ),
        (
            ["tag", "--spectra", s, "--condition", "sentences", "--q", "2", "--out", out],
            2,
            ["'--q'"],
        ),
        (["tag", "--spectra", s, "--condition", "sentences", "--out", s], 2, ["already exists"]),
        (["tag", "--spectra", stim, "--condition", "sentences", "--out", out], 2, ["extension"]),
        (["align", "--probe", str(d / "garbage.nc"), "--brain", s, "--out", out], 1, ["damaged"]),
        (["align", "--probe", s, "--brain", s, "--out", out], 2, ["brain's second"]),
        (["brain", "-i", str(d / "nope.vhdr"), "-o", out], 2, ["does not exist"]),
        (["brain", "-i", str(d / "fake.vhdr"), "-o", out], 2, ["could not read"]),
        (["brain", "-i", str(d / "fake.edf"), "-o", out], 2, ["could not read"]),
        (
            ["brain", "-i", str(d / "fake.edf"), "-o", out, "--conditions", str(d / "bad.json")],
            2,
            ["not JSON"],
        ),
        (
            ["brain", "-i", str(d / "fake.edf"), "-o", out, "--conditions", str(d / "list.json")],
            2,
            ["JSON object"],
        ),
        (
            ["brain", "-i", str(d / "fake.edf"), "-o", out, "--conditions", str(d / "range.json")],
            2,
            ['"start"'],
        ),
        (
            ["brain", "-i", str(d / "fake.edf"), "-o", out, "--conditions", str(d / "float.json")],
            2,
            ["expected a code"],
        ),
        (
            ["brain", "-i", str(d / "fake.edf"), "-o", out, "--montage", "standard_9999"],
            2,
            ["montage"],
        ),
        (["brain", "-i", str(d / "fake.edf"), "-o", s], 2, ["already exists"]),
        (["simulate-ieeg", "-o", str(d / "sim"), "--format", "mp3"], 2, ["'--format'"]),
        (["simulate-ieeg", "-o", str(d / "sim"), "--snr", "-1"], 2, ["'--snr'"]),
        (["simulate-ieeg", "-o", str(d / "sim"), "--sfreq", "3"], 2, ["sfreq"]),
        (["simulate-ieeg", "-o", str(d), "--subjects", "1"], 2, ["not an earlier simulated"]),
        (["report", str(d / "garbage.nc"), "--out", str(d / "rep")], 1, ["damaged"]),
        (["report", str(d / "nope.nc"), "--out", str(d / "rep")], 2, ["does not exist"]),
        (["demo", "--out", str(d), "--n-sequences", "1"], 2, ["'--n-sequences'"]),
        (["demo", "--out", str(d)], 2, ["not an hftp demo folder", "--overwrite"]),
    ]


def _ids():
    from pathlib import Path

    return [" ".join(a[:3]) for a, _, _ in _cases(Path("/d"))]


@pytest.mark.parametrize("case", range(len(_ids())), ids=_ids())
def test_bad_input_gets_one_clear_line(ws, case):
    args, code, words = _cases(ws)[case]
    before = sorted(p.name for p in ws.iterdir())
    res = runner.invoke(app, args)
    assert res.exit_code == code, (args, res.output, res.exception)
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("Error: ")]
    assert len(lines) == 1, res.output
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert sorted(p.name for p in ws.iterdir()) == before  # nothing written, nothing left behind


def test_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"hftp {hftp.__version__}"


def test_message_for_classifies_failures():
    from hftp._validation import HftpError, InvalidValueError

    assert message_for(InvalidValueError("Invalid value for 'x'"))[1] == 2
    assert message_for(HftpError("truncated"))[1] == 1
    msg, code = message_for(KeyError("start"))
    assert code == 1 and "'start'" in msg and "missing" in msg
    msg, code = message_for(OSError(5, "Input/output error", "f.nc"))
    assert code == 1 and "'f.nc'" in msg and "damaged" in msg
    msg, code = message_for(ModuleNotFoundError("No module named 'pybv'", name="pybv"))
    assert code == 1 and "pip install" in msg
    with pytest.raises(ZeroDivisionError):  # unexpected failures are not disguised
        message_for(ZeroDivisionError("x"))


def test_overwrite_replaces_and_keeps_umask_permissions(ws):
    out = ws / "stim.csv"
    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):
        res = runner.invoke(app, ["stimuli", "-n", "2", "-o", str(out), "--overwrite", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout.strip().splitlines()[-1])["n_sequences"] == 2
    mask = os.umask(0)
    os.umask(mask)
    for p in (out, out.with_suffix(".json")):
        assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~mask


def test_failed_brain_leaves_no_partial_output(ws, monkeypatch):
    """A failure while writing the table removes the Spectra already written (all or none)."""
    sim = ws / "sim"
    assert runner.invoke(app, ["simulate-ieeg", "-o", str(sim), "--subjects", "1",
                               "--n-trials", "3"]).exit_code == 0  # fmt: skip
    import hftp.io as io

    def broken(*a, **k):
        raise OSError(28, "No space left on device", str(ws / "b.csv"))

    monkeypatch.setattr(io, "write_text", broken)
    res = runner.invoke(app, ["brain", "-i", str(sim), "-o", str(ws / "b.nc")])
    assert res.exit_code == 1 and "No space left" in res.output
    assert not (ws / "b.nc").exists() and not (ws / "b.csv").exists()
