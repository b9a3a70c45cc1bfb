"""hftp.testing: the shared fixtures have the truth they promise."""

from __future__ import annotations

import numpy as np
import pytest

import hftp
from hftp.models.families import FAMILIES, resolve_site
from hftp.testing import TINY_WIDTH, make_stim, planted_spectra, tiny_model, tiny_tokenizer


def test_planted_channels_are_found_and_only_them():
    plant = np.zeros(40, bool)
    plant[:8] = True
    s = planted_spectra((40,), plant={"sentence": plant}, amplitude=1.0, seed=3)
    res = hftp.find_tagged(s, "exp", levels="sentence")
    sig = res["significant"].sel(level="sentence").values
    assert sig[:8].all()
    assert sig[8:].sum() <= 2


def test_planted_spectra_shapes_and_counts():
    s = planted_spectra((2, 3), n_trials={"exp": 5, "ctrl": 7}, n_times=24, seed=0)
    assert s.hftp.channel_dims == ("layer", "neuron") and s.hftp.kind == "model"
    assert s["n_trials"].values.tolist() == [5, 7]
    assert s.sizes["freq"] == 12


@pytest.mark.parametrize("family", ["llama", "gpt2", "bert", "opt", "gemma2"])
def test_tiny_models_have_the_promised_width(family):
    model = tiny_model(family, n_layers=2)
    _, modules = resolve_site(model)
    assert len(modules) == 2
    assert family in FAMILIES


def test_tiny_model_probes_a_stimulus():
    tok = tiny_tokenizer()
    stim = make_stim([["fat", "rat", "sensed", "fear"] * 2] * 3)
    spectra = hftp.probe(tiny_model(), tok, stim, progress=False)
    assert spectra.sizes["neuron"] == TINY_WIDTH and spectra.sizes["layer"] == 3


def test_tiny_model_is_seeded():
    a = tiny_model(seed=1).state_dict()
    b = tiny_model(seed=1).state_dict()
    c = tiny_model(seed=2).state_dict()
    k = next(iter(a))
    assert (a[k] == b[k]).all() and not (a[k] == c[k]).all()
