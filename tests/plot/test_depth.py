"""Figures across models on relative depth: profiles per category, and per-layer agreement."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from hftp import plot


def _profiles():
    """Two models of different depth and the untrained twin of the first, as compare_profiles."""
    rows = []
    for model, n_layers, scale in (("A", 5, 0.2), ("B", 3, 0.1), ("A (untrained)", 5, 0.02)):
        for layer in range(n_layers):
            depth = layer / (n_layers - 1)
            share = {"sentence": scale * depth, "phrase": scale / 2, "shared": 0.01}
            share["none"] = 1 - sum(share.values())
            for cat, prop in share.items():
                rows.append(
                    {
                        "model": model,
                        "layer": layer,
                        "depth": depth,
                        "n_layers": n_layers,
                        "category": cat,
                        "count": int(100 * prop),
                        "proportion": prop,
                    }
                )
    return pd.DataFrame(rows)


def test_profiles_by_depth_one_line_per_model_on_relative_depth():
    fig = plot.plot_profiles_by_depth(_profiles(), categories=["sentence", "tagged"])
    sentence, tagged = fig.axes
    assert sentence.get_title() == "sentence" and tagged.get_title() == "tagged"
    lines = {ln.get_label(): ln for ln in sentence.get_lines()}
    assert set(lines) == {"A", "B", "A (untrained)"}
    np.testing.assert_allclose(lines["B"].get_xdata(), [0.0, 0.5, 1.0])  # 3 layers on 0..1
    np.testing.assert_allclose(lines["A"].get_ydata(), 100 * 0.2 * np.linspace(0, 1, 5))
    # the untrained twin is dashed, in its trained model's colour
    assert lines["A (untrained)"].get_linestyle() == "--"
    assert lines["A (untrained)"].get_color() == lines["A"].get_color()
    # "tagged" sums the three categories
    b = {ln.get_label(): ln for ln in tagged.get_lines()}["B"]
    np.testing.assert_allclose(b.get_ydata(), 100 * (0.1 * np.array([0, 0.5, 1]) + 0.05 + 0.01))
    assert sentence.get_ylabel() == "Neurons tagged (%)"


def test_profiles_by_depth_given_axes_and_bad_input():
    fig, axes = plt.subplots(1, 2)
    assert (
        plot.plot_profiles_by_depth(_profiles(), categories=["phrase", "shared"], axes=axes) is fig
    )
    with pytest.raises(ValueError, match="'axes'.*expected 3"):
        plot.plot_profiles_by_depth(_profiles(), axes=axes)
    with pytest.raises(ValueError, match="'categories'"):
        plot.plot_profiles_by_depth(_profiles(), categories=["verbs"])
    with pytest.raises(ValueError, match="'profiles'.*lacks columns \\['depth'\\]"):
        plot.plot_profiles_by_depth(_profiles().drop(columns="depth"))


def _agreement(n=4, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "layer": np.arange(n),
            "depth": np.linspace(0, 1, n),
            "dice": rng.uniform(0.3, 0.9, n),
            "dice_chance": np.full(n, 0.1),
            "rho": rng.uniform(0, 1, n),
            "rho_untrained": rng.uniform(-0.1, 0.1, n),
        }
    )


def test_agreement_by_depth_draws_dice_over_chance_and_rho():
    table = _agreement()
    fig = plot.plot_agreement_by_depth({"A vs B": table}, title="agreement")
    dice, rho = fig.axes
    lines = {ln.get_label(): ln for ln in dice.get_lines()}
    np.testing.assert_allclose(lines["A vs B Dice"].get_ydata(), table["dice"])
    np.testing.assert_allclose(lines["A vs B chance"].get_ydata(), 0.1)
    rho_lines = {ln.get_label(): ln for ln in rho.get_lines()}
    np.testing.assert_allclose(rho_lines["A vs B trained"].get_ydata(), table["rho"])
    assert rho_lines["A vs B untrained"].get_linestyle() == "--"
    assert dice.get_ylim() == (0, 1.02) and fig._suptitle.get_text() == "agreement"
    one = plot.plot_agreement_by_depth(table.drop(columns="rho_untrained"))  # a bare table
    assert {ln.get_label() for ln in one.axes[1].get_lines()} >= {"trained"}


def _effect_profiles():
    """A compare_profiles-like table with effect columns (sentence and phrase rows)."""
    df = _profiles()
    rng = np.random.default_rng(1)
    for col in ("effect_median", "effect_p90", "effect_share", "selective_share"):
        v = np.where(df["category"].isin(["sentence", "phrase"]), 0.1 + df["depth"] * 0.2, np.nan)
        df[col] = v
        df[f"{col}_low"] = v - 0.05
        df[f"{col}_high"] = v + rng.uniform(0.01, 0.05, len(v))
    return df


def test_effects_by_depth_draws_each_quantity_per_model_with_intervals():
    df = _effect_profiles()
    fig = plot.plot_effects_by_depth(df, level="sentence", title="effects")
    assert len(fig.axes) == 3 and fig._suptitle.get_text() == "effects"
    med, share, sel = fig.axes
    assert len(fig.legends) == 1  # beside the panels, not over a line
    lines = {ln.get_label(): ln for ln in med.get_lines() if not ln.get_label().startswith("_")}
    want = df[(df["model"] == "A") & (df["category"] == "sentence")].sort_values("depth")
    np.testing.assert_allclose(lines["A"].get_ydata(), want["effect_median"])
    assert lines["A (untrained)"].get_linestyle() == "--"
    # shares are drawn in percent, with the interval shaded for trained models only
    share_a = [ln for ln in share.get_lines() if ln.get_label() == "A"][0]
    np.testing.assert_allclose(share_a.get_ydata(), 100 * want["effect_share"])
    assert len(share.collections) == 2  # A and B, not the untrained twin
    assert "Selective" in sel.get_ylabel()
    two = plot.plot_effects_by_depth(df, columns="effect_p90", level="phrase")
    assert len(two.axes) == 1 and "90th" in two.axes[0].get_ylabel()
    assert two._suptitle.get_text() == "Effect by relative depth, phrase level"
    _, ax = plt.subplots()
    given = plot.plot_effects_by_depth(df, columns=["selective"], axes=[ax])
    assert given is ax.figure and ax.get_legend() is not None


def test_effects_by_depth_bad_input():
    with pytest.raises(ValueError, match="no effect columns"):
        plot.plot_effects_by_depth(_profiles())
    with pytest.raises(ValueError, match="'columns'"):
        plot.plot_effects_by_depth(_effect_profiles(), columns=["snr"])
    with pytest.raises(ValueError, match="'level'"):
        plot.plot_effects_by_depth(_effect_profiles(), level="any")
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="expected 3 Axes"):
        plot.plot_effects_by_depth(_effect_profiles(), axes=[ax])


def test_agreement_by_depth_draws_a_shuffled_reference_dotted():
    table = _agreement()
    table["rho_shuffled"] = 0.05
    table.attrs.update(effect="effect", members="selective")
    fig = plot.plot_agreement_by_depth({"A vs B": table})
    rho = {ln.get_label(): ln for ln in fig.axes[1].get_lines()}
    assert rho["A vs B shuffled"].get_linestyle() == ":"
    assert "θ̂" in fig.axes[1].get_ylabel() and "selective" in fig.axes[0].get_ylabel()


def test_agreement_by_depth_bad_input():
    with pytest.raises(TypeError, match="'tables'"):
        plot.plot_agreement_by_depth([_agreement()])
