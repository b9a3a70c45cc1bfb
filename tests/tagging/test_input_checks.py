"""find_tagged on damaged input (all NaN) and what its ``snr`` variable says it is."""

from __future__ import annotations

import numpy as np
import pytest

import hftp
from hftp.tagging.core import find_tagged


def _spectra(nan=False):
    rng = np.random.default_rng(0)
    t = np.arange(48) / 4.0
    trials = {c: rng.normal(size=(8, 2, 6, 48)) + (c == "s") * np.cos(2 * np.pi * t)
              for c in ("s", "c")}  # fmt: skip
    if nan:
        trials = {c: np.full_like(x, np.nan) for c, x in trials.items()}
    return hftp.make_spectra(trials, rate_hz=4.0, tagged={"sentence": 1.0},
                             channel_dims=("layer", "neuron"), kind="model")  # fmt: skip


def test_all_nan_input_warns():
    with pytest.warns(UserWarning, match="every value of the spectra is NaN"):
        res = find_tagged(_spectra(nan=True), "s", control="c")
    assert (res["category"] == "none").all()


def test_snr_attrs_say_which_snr():
    res = find_tagged(_spectra(), "s", control="c")
    a = res["snr"].attrs
    assert a["snr_kind"] == "amplitude" and "neighbouring bins" in a["description"]
    assert a["n_neighbors"] >= 1
