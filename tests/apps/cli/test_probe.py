"""``hftp probe``: every input and output checked before the model is loaded, and the spectra and
raw activations written together or not at all."""

from __future__ import annotations

import numpy as np
import pytest

import hftp
import hftp.io
import hftp.models.load
from hftp.apps.cli import app
from hftp.stimuli import save_stimuli
from hftp.testing import make_stim, tiny_model, tiny_tokenizer

WORDS = ["fat", "rat", "sensed", "fear", "big", "dog", "chased", "cats"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("probe")
    tiny_model("llama", n_layers=2).save_pretrained(d / "model")
    tiny_tokenizer().save_pretrained(d / "model")
    save_stimuli(make_stim([WORDS, WORDS[::-1]]), d / "stim.csv")
    return d


def _args(files, out):
    return ["probe", "--model", str(files / "model"), "--stimuli", str(files / "stim.csv")] + [
        "--out",
        str(out),
    ]


def test_probe_writes_spectra_and_raw_activations(files, tmp_path, runner, summary):
    out, raw = tmp_path / "s.nc", tmp_path / "raw.nc"
    res = runner.invoke(app, [*_args(files, out), "--save-raw", str(raw), "--json"])
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert got["raw"] == str(raw) and got["layers"] == 2 and got["n_trials"] == [2]
    assert hftp.load(out).sizes["layer"] == 2
    assert hftp.load(raw).dims == ("sequence", "layer", "unit", "neuron")


def test_inputs_and_outputs_are_checked_before_the_model_loads(
    files, tmp_path, runner, monkeypatch
):
    def no_load(*a, **k):
        raise AssertionError("the model was loaded before the inputs were checked")

    monkeypatch.setattr(hftp.models.load, "load_model", no_load)
    (tmp_path / "there.nc").write_text("x")
    cases = [
        ([*_args(files, tmp_path / "there.nc")], "already exists"),
        ([*_args(files, tmp_path / "s.h5")], "extension"),
        ([*_args(files, tmp_path / "s.nc"), "--save-raw", str(tmp_path / "r.csv")], "--save-raw"),
        ([*_args(files, tmp_path / "s.nc"), "--layers", "1,two"], "--layers"),
    ]
    for args, words in cases:
        res = runner.invoke(app, args)
        assert res.exit_code == 2 and words in res.output, (args, res.output)
    res = runner.invoke(app, ["probe", "--stimuli", str(tmp_path / "no.csv"), "--out", "s.nc"])
    assert res.exit_code == 2 and "does not exist" in res.output


def test_a_failed_save_leaves_no_raw_file(files, tmp_path, runner, monkeypatch):
    def broken(*a, **k):
        raise OSError(28, "No space left on device", str(tmp_path / "s.nc"))

    monkeypatch.setattr(hftp.io, "save", broken)
    raw = tmp_path / "raw.nc"
    res = runner.invoke(app, [*_args(files, tmp_path / "s.nc"), "--save-raw", str(raw)])
    assert res.exit_code == 1 and "disk is full (no space left on device)" in res.output
    assert not raw.exists() and not (tmp_path / "s.nc").exists()


def test_cli_probe(tmp_path, runner, summary):
    folder = tmp_path / "tiny"
    tiny_model("llama").save_pretrained(folder)  # 3 layers
    tiny_tokenizer().save_pretrained(folder)
    words = WORDS + ["old", "cow", "ate", "grass", "quizzically", "unbelievable"]
    rng = np.random.default_rng(2)
    stim_path = save_stimuli(
        make_stim([list(rng.choice(words, 8)) for _ in range(3)]), tmp_path / "s.csv"
    )
    out = tmp_path / "spectra.nc"
    args = ["probe", "--model", str(folder), "--stimuli", str(stim_path), "--out", str(out)]
    res = runner.invoke(app, [*args, "--layers", "0,-1", "--batch-size", "2", "--json"])
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert got["layers"] == 2 and got["neurons"] == 48 and got["n_trials"] == [3]
    spectra = hftp.load(out)
    assert list(spectra.layer.values) == [0, 2] and spectra.attrs["site"].endswith("down_proj")
    bad = runner.invoke(app, [*args, "--layers", "zero"])
    assert bad.exit_code == 2 and "--layers" in bad.output
    bad = runner.invoke(app, [*args, "--overwrite", "--layers", "7"])
    assert bad.exit_code == 2 and "'--layers'" in bad.output
