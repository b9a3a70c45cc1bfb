"""plot.ablation and plot.retention: they draw what they are given and reject what they are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure

import hftp
from hftp.tagging.core import overlap


def fake_ablation(models=None):
    rng = np.random.default_rng(0)
    sets, conds = ["sentence", "phrase"], ["sentences", "within-shuffle"]
    ds = xr.Dataset(
        {
            "change": (("set", "condition"), rng.normal(size=(2, 2))),
            "null_change": (("set", "random", "condition"), rng.normal(size=(2, 20, 2))),
            "p": (("set", "condition"), rng.uniform(size=(2, 2))),
            "contrast": (("set",), rng.normal(size=2)),
            "null_contrast": (("set", "random"), rng.normal(size=(2, 20))),
            "contrast_p": (("set",), rng.uniform(size=2)),
        },
        coords={"set": sets, "condition": conds, "random": np.arange(20)},
        attrs={"structured": "sentences"},
    )
    if models:
        ds = xr.concat([ds, ds + 0.1], dim="model").assign_coords(model=models)
    return ds


@pytest.mark.parametrize("models", [None, ["base", "tuned"]])
def test_ablation_figure(models, tmp_path):
    fig = hftp.plot.ablation(fake_ablation(models), title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    n = 2 * (2 if models else 1)
    assert len(fig.axes[0].get_xticks()) == n
    assert any("p = " in t.get_text() for t in fig.axes[1].texts)
    paths = hftp.plot.save_figure(fig, tmp_path / "abl")
    assert all(p.is_file() for p in paths)


def test_retention_figure():
    rng = np.random.default_rng(0)
    cats = rng.choice(["none", "sentence"], size=(4, 200), p=[0.8, 0.2])
    a = xr.Dataset({"category": (("layer", "neuron"), cats)}, coords={"layer": np.arange(4)})
    b = a.copy()
    b["category"] = a["category"].where(rng.uniform(size=cats.shape) < 0.7, "none")
    fig = hftp.plot.retention({"FFT": overlap(a, b), "HFT": overlap(a, a)})
    assert isinstance(fig, Figure)
    ys = [line.get_ydata() for line in fig.axes[0].get_lines()]
    assert np.allclose(ys[2], 1.0)  # HFT = identical selections: retention 1


def test_bad_inputs():
    with pytest.raises(TypeError, match="'result'"):
        hftp.plot.ablation(pd.DataFrame())
    with pytest.raises(ValueError, match="'result'.*contrast"):
        hftp.plot.ablation(fake_ablation().drop_vars("contrast"))
    with pytest.raises(ValueError, match="'overlaps'.*at least one"):
        hftp.plot.retention({})
    with pytest.raises(TypeError, match="'overlaps' \\('x'\\)"):
        hftp.plot.retention({"x": pd.DataFrame({"a": [1]})})
    ov = pd.DataFrame({"layer": [0], "category": ["sentence"], "retention": [1.0]})
    with pytest.raises(ValueError, match="'category'.*'phrase'"):
        hftp.plot.retention({"x": ov}, category="phrase")
