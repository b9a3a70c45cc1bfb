"""The demo's checks: the stimulus subset, token sharing from provenance, the richest layers."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from hftp.apps.demo.checks import MAIN_CONDITIONS, richest_layers, subset, token_sharing
from hftp.testing import make_stim


def test_subset_keeps_the_units_of_the_conditions():
    stim = make_stim([["a"] * 4, ["b"] * 4, ["c"] * 4], condition=["x", "y", "z"])
    sub = subset(stim, ["x", "z"])
    assert sub.conditions == ["x", "z"] and sub.meta == stim.meta
    assert sub.units["unit"].tolist() == ["a"] * 4 + ["c"] * 4
    assert set(MAIN_CONDITIONS) == {"sentences", "within-shuffle", "random-words"}


def test_token_sharing_reads_the_provenance():
    spectra = xr.Dataset(attrs={"token_sharing": json.dumps({"sentences": 0.123456})})
    assert token_sharing(spectra) == {"sentences": 0.1235}
    assert token_sharing(xr.Dataset(attrs={"token_sharing": {"a": 0.5}})) == {"a": 0.5}
    assert token_sharing(xr.Dataset()) == {}


def test_richest_layers_rank_by_the_category_share():
    cat = np.full((4, 10), "none", dtype=object)
    cat[0, :1], cat[1, :5], cat[2, :3], cat[3, :5] = "sentence", "sentence", "sentence", "phrase"
    tagged = xr.Dataset({"category": (("layer", "neuron"), cat)}, coords={"layer": [0, 1, 2, 3]})
    assert richest_layers(tagged, "sentence", 2) == [1, 2]
    assert richest_layers(tagged, "phrase", 1) == [3]
