"""Effect-size figures: the per-layer effect profile and the curve over δ."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from hftp._validation import InvalidTypeError, InvalidValueError
from hftp.plot.effect import plot_effect_curve, plot_effect_profile
from hftp.tagging.profile import effect_curve, effect_profile


def _result(seed=0, shift=0.0, n_layers=6, n_neurons=300):
    """A result over (layer, neuron, level) with effects that grow with depth."""
    rng = np.random.default_rng(seed)
    depth = np.linspace(0.05, 0.3, n_layers)[:, None, None]
    eff = np.abs(rng.normal(depth + shift, 0.1, (n_layers, n_neurons, 2)))
    se = np.full(eff.shape, 0.03)
    dims = ("layer", "neuron", "level")
    coords = {"layer": np.arange(n_layers), "neuron": np.arange(n_neurons)}
    coords["level"] = ["sentence", "phrase"]
    ds = xr.Dataset(
        {
            "effect": (dims, eff),
            "effect_adjusted": (dims, eff),
            "effect_se": (dims, se),
            "effect_df": (dims, np.full(eff.shape, 60.0)),
            "p": (dims, np.full(eff.shape, 1e-6)),
            "selective": (dims, eff - 1.7 * se > 0.2),
        },
        coords=coords,
        attrs={"min_effect": 0.2, "q": 0.05},
    )
    return ds


def test_effect_profile_figure(tmp_path):
    from hftp.plot import save_figure

    main = effect_profile(_result(), n_boot=100)
    fig = plot_effect_profile(
        main,
        untrained=effect_profile(_result(1, shift=-0.1), n_boot=50),
        residual=_result(2, shift=-0.05),
        title="effect profile",
    )
    assert len(fig.axes) == 2
    labels = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert any("untrained" in t for t in labels) and any("lexical" in t for t in labels)
    assert any("selective" in t for t in labels)
    save_figure(fig, tmp_path / "effect_profile")
    assert (tmp_path / "effect_profile.png").stat().st_size > 10_000


def test_effect_profile_figure_level_and_errors():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    out = plot_effect_profile(_result(), level="phrase", axes=axes)
    assert out is fig
    with pytest.raises(InvalidValueError, match="level"):
        plot_effect_profile(_result(), level="word")
    with pytest.raises(InvalidValueError, match="axes"):
        plot_effect_profile(_result(), axes=[axes[0]])
    with pytest.raises(InvalidTypeError, match="profile"):
        plot_effect_profile([1, 2])
    with pytest.raises(InvalidValueError, match="effect"):
        plot_effect_profile(xr.Dataset({"x": ("a", [1])}))
    with pytest.raises(InvalidValueError, match="lacks"):
        plot_effect_profile(pd.DataFrame({"layer": [0], "level": ["sentence"]}))


def test_effect_curve_figure():
    curve = effect_curve(_result(), [0.05, 0.1, 0.2, 0.3])
    fig = plot_effect_curve(curve, level="sentence", title="curve")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2 * 6 + 2  # share and selective per layer, two legend keys
    with pytest.raises(InvalidValueError, match="level"):
        plot_effect_curve(curve, level="word")
    with pytest.raises(InvalidTypeError, match="curve"):
        plot_effect_curve({})
    with pytest.raises(InvalidValueError, match="lacks"):
        plot_effect_curve(curve.drop(columns="selective_share"))
