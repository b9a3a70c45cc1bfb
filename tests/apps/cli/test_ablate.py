"""`hftp ablate` on a tiny model saved to a folder, and the slow real-model check."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

import hftp
from hftp.apps.cli import app
from hftp.testing import TINY_WIDTH, tiny_model, tiny_tokenizer

pytestmark = pytest.mark.slow  # tags and ablates through the CLI (still in make test)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("abl")
    tiny_model("llama", n_layers=3).save_pretrained(d / "model")
    tiny_tokenizer().save_pretrained(d / "model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        stim = hftp.make_stimuli(
            "en", ["sentences", "random-words"], n_sequences=2, n_sentences=4, seed=1
        )
    hftp.save_stimuli(stim, d / "stim.csv")
    cat = np.full((3, TINY_WIDTH), "none", dtype="<U8")
    cat[0, :2] = "sentence"
    cat[2, :6] = "sentence"
    cat[1, :3] = "phrase"
    tagged = xr.Dataset({"category": (("layer", "neuron"), cat)}, coords={"layer": [0, 1, 2]})
    hftp.save(tagged, d / "tagged.nc")
    return d


def test_ablate_command(files, runner, summary):
    out = files / "ablation.nc"
    args = ["ablate", "--model", str(files / "model"), "--stimuli", str(files / "stim.csv")]
    args += ["--tagged", str(files / "tagged.nc"), "--top-layers", "1", "--n-random", "3"]
    args += ["--out", str(out), "--figure", str(files / "fig"), "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert got["layers"] == [2]  # the layer with the most sentence neurons
    assert got["sets"][0]["set"] == "sentence" and got["sets"][0]["n_neurons"] == 6
    r = hftp.load(out)
    assert r["null_change"].shape == (1, 3, 2)
    assert (files / "fig.png").is_file() and (files / "fig.svg").is_file()


def test_ablate_command_top_k_by_effect_lower(files, runner, summary):
    tagged = hftp.load(files / "tagged.nc")
    lower = np.random.default_rng(0).normal(size=(3, TINY_WIDTH, 1))
    tagged["effect_lower"] = (("layer", "neuron", "level"), lower)
    tagged = tagged.assign_coords(level=["sentence"])
    hftp.save(tagged, files / "tagged_effect.nc")
    out = files / "top.nc"
    args = ["ablate", "--model", str(files / "model"), "--stimuli", str(files / "stim.csv")]
    args += ["--tagged", str(files / "tagged_effect.nc"), "--top-k", "2", "--top-k", "4"]
    args += ["--layers", "1", "--n-random", "3", "--null", "count", "--out", str(out), "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    got = summary(res)
    assert [s["set"] for s in got["sets"]] == ["top2", "top4"]
    assert [s["n_neurons"] for s in got["sets"]] == [2, 4]
    assert "change_random-words" in got["sets"][0]
    assert hftp.load(out).attrs["null"] == "count"


def test_ablate_command_bad_category(files, runner):
    args = ["ablate", "--model", str(files / "model"), "--stimuli", str(files / "stim.csv")]
    args += ["--tagged", str(files / "tagged.nc"), "--category", "sentense"]
    args += ["--out", str(files / "bad.nc")]
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert "Did you mean 'sentence'" in res.output and not (files / "bad.nc").exists()


@pytest.mark.slow
def test_real_model_ablation_is_lean_and_exact(default_model):
    from hftp.models.ablation import ablate

    model, tok = default_model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        stim = hftp.make_stimuli(
            "en", ["sentences", "random-words"], n_sequences=1, n_sentences=4, seed=2
        )
    mask = np.zeros((30, 1536), bool)
    none = xr.DataArray(mask, dims=("layer", "neuron"), coords={"layer": np.arange(30)})
    with pytest.raises(ValueError, match="hold no neuron"):  # an empty set is refused
        ablate(model, tok, stim, none, n_random=2, progress=False)
    some = none.copy(data=mask)
    some[10, :200] = True
    r = ablate(model, tok, stim, some, n_random=2, progress=False)
    r0 = ablate(model, tok, stim, some, n_random=2, null="count", progress=False)
    np.testing.assert_array_equal(r["intact"], r0["intact"])
    np.testing.assert_array_equal(r["change"], r0["change"])  # the null does not touch the set
    assert np.isfinite(r["change"]).all() and (r["change"] != 0).all()
    assert r["null_change"].shape == (1, 2, 2)
