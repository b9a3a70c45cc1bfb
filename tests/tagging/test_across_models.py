"""Across models: relative depth, Dice against its chance level, rank correlation of effects."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import hftp
from hftp.tagging.across_models import agreement, compare_profiles, relative_depth
from hftp.tagging.profile import categories


def fake_tagged(sig_sentence, snr, *, n_layers=None, model="m"):
    """A find_tagged-like result: (layer, neuron) significance and SNR at two levels."""
    n_l, n_n = sig_sentence.shape
    sig = np.stack([sig_sentence, np.zeros_like(sig_sentence)], -1)
    snr2 = np.stack([snr, np.ones_like(snr)], -1)
    ds = xr.Dataset(
        {
            "significant": (("layer", "neuron", "level"), sig),
            "snr": (("layer", "neuron", "level"), snr2),
        },
        coords={"layer": np.arange(n_l), "neuron": np.arange(n_n), "level": ["sentence", "phrase"]},
    )
    ds["category"] = categories(ds["significant"])
    ds.attrs["model"] = model
    if n_layers is not None:
        ds.attrs["n_layers"] = n_layers
    return ds


def test_relative_depth_uses_the_models_layer_count():
    rng = np.random.default_rng(0)
    t = fake_tagged(rng.random((3, 10)) < 0.3, rng.random((3, 10)), n_layers=5)
    np.testing.assert_allclose(relative_depth(t), [0, 0.25, 0.5])
    t.attrs.pop("n_layers")
    np.testing.assert_allclose(relative_depth(t), [0, 0.5, 1.0])


def test_compare_profiles_puts_models_of_different_depth_on_one_axis():
    rng = np.random.default_rng(1)
    a = fake_tagged(rng.random((3, 50)) < 0.2, rng.random((3, 50)), n_layers=3, model="A")
    b = fake_tagged(rng.random((5, 40)) < 0.6, rng.random((5, 40)), n_layers=5, model="B")
    df = compare_profiles([a, b])
    assert set(df["model"]) == {"A", "B"}
    sent = df[(df["category"] == "sentence")]
    np.testing.assert_allclose(sent[sent["model"] == "B"]["depth"], [0, 0.25, 0.5, 0.75, 1])
    got = sent[sent["model"] == "A"]["proportion"].to_numpy()
    np.testing.assert_allclose(got, a["significant"].sel(level="sentence").mean("neuron"))
    by_dict = compare_profiles({"x": a, "y": b})
    assert list(by_dict["model"].unique()) == ["x", "y"]
    assert "effect_median" not in df  # results without effect sizes: the old columns


def test_compare_profiles_compares_effect_sizes():
    rng = np.random.default_rng(3)
    out = {}
    for name, depth, shift in (("A", 3, 0.0), ("B", 5, 0.2)):
        t = fake_tagged(rng.random((depth, 60)) < 0.3, rng.random((depth, 60)), n_layers=depth)
        eff = np.abs(rng.normal(shift, 0.1, t["snr"].shape))
        t["effect"] = (t["snr"].dims, eff)
        t["selective"] = (t["snr"].dims, eff > 0.3)
        out[name] = t
    df = compare_profiles(out, n_boot=50)
    sent = df[df["category"] == "sentence"]
    assert sent["effect_median"].notna().all() and "effect_share_high" in df
    med = sent.groupby("model")["effect_median"].mean()
    assert med["B"] > med["A"] + 0.1
    np.testing.assert_allclose(df.groupby(["model", "layer"])["selective"].sum(), 1.0)
    # per level: the share selective at that level, both levels included (level-only + shared)
    for level in ("sentence", "phrase"):
        rows = df[df["category"] == level].set_index(["model", "layer"])
        shared = df[df["category"] == "shared"].set_index(["model", "layer"])["selective"]
        np.testing.assert_allclose(rows["selective_share"], rows["selective"] + shared)
        t = out["A"]
        want = t["selective"].sel(level=level).mean("neuron").values
        np.testing.assert_allclose(rows.loc["A", "selective_share"].to_numpy(), want)
        assert (rows["selective_share_low"] <= rows["selective_share"]).all()


def test_dice_of_independent_sets_sits_at_chance_and_planted_effects_correlate():
    rng = np.random.default_rng(2)
    n_l, n_n = 4, 4000
    shared = rng.normal(size=(n_l, n_n))  # a per-neuron effect both results carry
    w = np.array([0.0, 0.3, 0.6, 0.9])[:, None]  # how much of it, per layer
    snr_a = w * shared + np.sqrt(1 - w**2) * rng.normal(size=(n_l, n_n))
    snr_b = w * shared + np.sqrt(1 - w**2) * rng.normal(size=(n_l, n_n))
    sig_a, sig_b = rng.random((n_l, n_n)) < 0.85, rng.random((n_l, n_n)) < 0.8
    df = agreement(fake_tagged(sig_a, snr_a), fake_tagged(sig_b, snr_b))
    # independent sets at saturation: high Dice, and equal to chance
    assert (df["dice"] > 0.8).all()
    np.testing.assert_allclose(df["dice"], df["dice_chance"], atol=0.01)
    # the rank correlation follows the planted shared variance w^2, and is ~0 without it
    np.testing.assert_allclose(df["rho"], (w**2).ravel(), atol=0.05)
    # identical sets: Dice 1 whatever the chance level
    same = agreement(fake_tagged(sig_a, snr_a), fake_tagged(sig_a, snr_a))
    np.testing.assert_allclose(same["dice"], 1.0)


def test_agreement_counts_channels_and_keeps_the_old_column_name():
    rng = np.random.default_rng(4)
    sig, snr = rng.random((3, 50)) < 0.3, rng.random((3, 50))
    df = agreement(fake_tagged(sig, snr), fake_tagged(sig, snr))
    assert (df["n_channels"] == 50).all()
    # n_units: the 0.2 name of the same count, kept for one release
    assert df["n_units"].tolist() == df["n_channels"].tolist()
    assert list(df.columns[:4]) == ["layer", "depth", "n_channels", "n_units"]


def test_untrained_reference_columns():
    rng = np.random.default_rng(3)
    mk = lambda: fake_tagged(rng.random((2, 300)) < 0.5, rng.random((2, 300)))  # noqa: E731
    df = agreement(mk(), mk(), baseline=(mk(), mk()))
    assert {"dice_untrained", "rho_untrained"} <= set(df.columns)
    assert (df["rho_untrained"].abs() < 0.2).all()  # independent noise: no correlation


def test_agreement_of_selective_sets_and_effects_with_hypergeometric_p():
    rng = np.random.default_rng(5)
    n_l, n_n = 3, 2000
    mk = lambda: fake_tagged(rng.random((n_l, n_n)) < 0.5, rng.random((n_l, n_n)))  # noqa: E731
    a, b = mk(), mk()
    shared = rng.random((n_l, n_n)) < 0.1  # a planted common set in layer 2 only
    for t in (a, b):
        eff = rng.normal(0, 0.1, t["snr"].shape)
        eff[2, :, 0] += 0.5 * shared[2]
        t["effect"] = (t["snr"].dims, eff)
        own = rng.random(t["snr"].shape) < 0.1
        sel = own.copy()
        sel[2, :, 0] = shared[2]  # layer 2: both select the same neurons
        t["selective"] = (t["snr"].dims, sel)
    df = agreement(a, b, effect="effect", members="selective")
    assert df.attrs["members"] == "selective" and df.attrs["effect"] == "effect"
    # independent 10% sets: overlap at chance, p not small; the planted common set: p tiny
    assert (df["p_overlap"].iloc[:2] > 0.001).all() and df["p_overlap"].iloc[2] < 1e-10
    np.testing.assert_allclose(df["dice"].iloc[:2], df["dice_chance"].iloc[:2], atol=0.04)
    assert abs(df["rho"].iloc[0]) < 0.1 and df["rho"].iloc[2] > 0.2
    # p_overlap is calibrated: over independent draws it falls below 0.05 at most ~5% of layers
    ps = []
    for _ in range(40):
        x, y = mk(), mk()
        for t in (x, y):
            t["selective"] = (t["snr"].dims, rng.random(t["snr"].shape) < 0.2)
        ps.extend(agreement(x, y, members="selective")["p_overlap"].tolist())
    assert np.mean(np.array(ps) < 0.05) <= 0.1
    with pytest.raises(ValueError, match="'members'.*'selective'"):
        agreement(mk(), mk(), members="selective")


def test_agreement_errors():
    rng = np.random.default_rng(4)
    a = fake_tagged(rng.random((2, 30)) < 0.5, rng.random((2, 30)))
    b = fake_tagged(rng.random((3, 30)) < 0.5, rng.random((3, 30)))
    with pytest.raises(ValueError, match="'b'.*differ.*same neurons"):
        agreement(a, b)
    with pytest.raises(ValueError, match="'effect'/'level'.*'itc'"):
        agreement(a, a, effect="itc")
    with pytest.raises(TypeError, match="'baseline'"):
        agreement(a, a, baseline=a)
    with pytest.raises(TypeError, match="'tagged'"):
        compare_profiles(42)
    with pytest.raises(ValueError, match="several results are named"):
        compare_profiles([a, a])
    with pytest.raises(ValueError, match="'names'.*one name per result"):
        compare_profiles([a, a], names=["x"])


def test_profiles_by_depth_figure():
    rng = np.random.default_rng(5)
    a = fake_tagged(rng.random((3, 50)) < 0.2, rng.random((3, 50)), model="A")
    au = fake_tagged(rng.random((3, 50)) < 0.1, rng.random((3, 50)), model="A (untrained)")
    fig = hftp.plot.plot_profiles_by_depth([a, au], categories=["sentence", "tagged"])
    lines = fig.axes[0].get_lines()
    assert len(fig.axes) == 2 and len(lines) == 2
    assert lines[1].get_linestyle() == "--" and lines[0].get_color() == lines[1].get_color()
    np.testing.assert_allclose(lines[0].get_xdata(), [0, 0.5, 1])
    with pytest.raises(ValueError, match="'categories'"):
        hftp.plot.plot_profiles_by_depth([a], categories=["verbs"])
    df = agreement(a, a, baseline=(au, au))
    fig = hftp.plot.plot_agreement_by_depth({"A vs A": df})
    assert len(fig.axes[1].get_lines()) == 3  # trained, untrained, zero line
