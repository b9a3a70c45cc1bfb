"""plot_ablation and plot_retention: they draw what they are given and reject what they are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure

import hftp
from hftp.tagging import overlap


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
    result = fake_ablation(models)
    fig = hftp.plot.plot_ablation(result, title="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    n = 2 * (2 if models else 1)
    assert len(fig.axes[0].get_xticks()) == n
    assert any("p = " in t.get_text() for t in fig.axes[1].texts)
    assert fig.axes[0].get_ylabel() == "Δ loss on sentences (nats)"
    assert "20 random sets" in fig.axes[0].get_title(loc="left")
    # the ablated set's diamond sits at its observed change (first set, first model)
    from matplotlib.collections import PathCollection

    diamonds = [
        c
        for c in fig.axes[0].collections
        if isinstance(c, PathCollection) and len(c.get_offsets()) == 1
    ]
    first = result if models is None else result.isel(model=0)
    expected = float(first["change"].sel(set="sentence", condition="sentences"))
    assert diamonds[0].get_offsets()[0, 1] == pytest.approx(expected)
    paths = hftp.plot.save_figure(fig, tmp_path / "abl")
    assert all(p.is_file() for p in paths)


def test_retention_figure():
    rng = np.random.default_rng(0)
    cats = rng.choice(["none", "sentence"], size=(4, 200), p=[0.8, 0.2])
    a = xr.Dataset({"category": (("layer", "neuron"), cats)}, coords={"layer": np.arange(4)})
    b = a.copy()
    b["category"] = a["category"].where(rng.uniform(size=cats.shape) < 0.7, "none")
    fft = overlap(a, b)
    fig = hftp.plot.plot_retention({"FFT": fft, "HFT": overlap(a, a)})
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    ys = [line.get_ydata() for line in ax.get_lines()]
    assert len(ys) == 4  # retention and chance, per checkpoint
    assert np.allclose(ys[2], 1.0)  # HFT = identical selections: retention 1
    sentence = fft[fft["category"] == "sentence"].sort_values("layer")
    np.testing.assert_allclose(ys[0], sentence["retention"])
    np.testing.assert_allclose(ys[1], sentence["retention_chance"])
    assert ax.get_ylabel() == "retention of sentence neurons"


def test_bad_inputs():
    with pytest.raises(TypeError, match="'result'"):
        hftp.plot.plot_ablation(pd.DataFrame())
    with pytest.raises(ValueError, match="'result'.*contrast"):
        hftp.plot.plot_ablation(fake_ablation().drop_vars("contrast"))
    with pytest.raises(ValueError, match="'overlaps'.*at least one"):
        hftp.plot.plot_retention({})
    with pytest.raises(TypeError, match="'overlaps' \\('x'\\)"):
        hftp.plot.plot_retention({"x": pd.DataFrame({"a": [1]})})
    ov = pd.DataFrame({"layer": [0], "category": ["sentence"], "retention": [1.0]})
    with pytest.raises(ValueError, match="'category'.*'phrase'"):
        hftp.plot.plot_retention({"x": ov}, category="phrase")
