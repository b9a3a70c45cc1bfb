"""Model figures: layer profiles, trained vs untrained, spectra of the most tagged channels, SNR curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from hftp import plot


def test_layer_profile_from_tagged_and_table_agree(synth):
    t = synth.tagging()
    fig_a = plot.plot_layer_profile(t)
    fig_b = plot.plot_layer_profile(synth.profile_df(t))
    heights_a = [p.get_height() for p in fig_a.axes[0].patches]
    heights_b = [p.get_height() for p in fig_b.axes[0].patches]
    assert isinstance(fig_a, Figure)
    np.testing.assert_allclose(heights_a, heights_b)
    # stacked bars of one layer sum to that layer's tagged percentage
    n_layers = t.sizes["layer"]
    stacked = np.array(heights_a).reshape(3, n_layers).sum(axis=0)
    expected = 100 * (t["category"] != "none").mean("neuron").values
    np.testing.assert_allclose(stacked, expected)


def test_layer_profile_with_baseline_draws_hatched_bars(synth):
    fig = plot.plot_layer_profile(
        synth.tagging(n_layers=30), baseline=synth.tagging(n_layers=30, seed=1, rate=0.05)
    )
    ax = fig.axes[0]
    assert sum(1 for p in ax.patches if p.get_hatch()) == 3 * 30
    assert len(ax.get_xticklabels()) <= 16  # 30 layers stay readable
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "untrained (baseline)" in labels


def test_layer_profile_uses_given_axes(synth):
    fig, ax = plt.subplots()
    assert plot.plot_layer_profile(synth.tagging(), ax=ax) is fig


def test_layer_profile_bad_inputs(synth):
    with pytest.raises(TypeError, match="tagged_or_profile"):
        plot.plot_layer_profile([1, 2, 3])
    with pytest.raises(ValueError, match="proportion"):
        plot.plot_layer_profile(pd.DataFrame({"layer": [0], "category": ["phrase"]}))
    with pytest.raises(ValueError, match="category"):
        plot.plot_layer_profile(synth.tagging().drop_vars("category"))
    with pytest.raises(TypeError, match="ax"):
        plot.plot_layer_profile(synth.tagging(), ax="left")


def test_layer_profile_shows_replicated_and_snr_curve(synth):
    from hftp.tagging import snr_curve

    t = synth.tagging()
    t["replicated"] = t["significant"] & (t["neuron"] % 2 == 0)
    t["significant_fdr"] = t["significant"]
    t["snr"] = t["statistic"]
    fig = plot.plot_layer_profile(t)
    ax = fig.axes[0]
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "replicated (split halves)" in labels
    line = [ln for ln in ax.get_lines() if ln.get_marker() == "D"][0]
    expected = 100 * t["replicated"].any("level").mean("neuron").values
    np.testing.assert_allclose(line.get_ydata(), expected)
    curve = snr_curve(t, floors=[0.5, 2.0, 1e9])
    fig = plot.plot_snr_curve(curve)
    lines = fig.axes[0].get_lines()
    assert len(lines) == t.sizes["layer"]
    assert all(ln.get_ydata()[-1] == 0 for ln in lines)  # nothing passes an absurd floor
    with pytest.raises(ValueError, match="'level'"):
        plot.plot_snr_curve(curve, level="nope")
    with pytest.raises(TypeError, match="'curve'"):
        plot.plot_snr_curve(t)


def test_trained_vs_untrained_lines(synth):
    tr, un = synth.tagging(), synth.tagging(seed=1, rate=0.02)
    fig = plot.plot_trained_vs_untrained(synth.profile_df(tr), un)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(
        lines[0].get_ydata(), 100 * (tr["category"] != "none").mean("neuron")
    )
    with pytest.raises(ValueError, match="category"):
        plot.plot_trained_vs_untrained(tr, un, category="clause")


def test_tagged_spectra_picks_the_planted_neurons(synth):
    s, t = synth.model_spectra(), synth.tagging()
    fig = plot.plot_tagged_spectra(s, t, "sentences", n=4)
    titles = [a.get_title() for a in fig.axes if a.get_visible()]
    assert len(titles) == 4
    assert all("neuron 0" in x and "(shared)" in x for x in titles)
    # the tagged frequencies are marked in every panel
    ax = fig.axes[0]
    marks = {round(line.get_xdata()[0], 3) for line in ax.get_lines()[1:]}
    assert marks == {1.0, 2.0}


def test_tagged_spectra_bad_inputs(synth):
    s, t = synth.model_spectra(), synth.tagging()
    with pytest.raises(ValueError, match="condition"):
        plot.plot_tagged_spectra(s, t, "sentence")
    with pytest.raises(ValueError, match="measure"):
        plot.plot_tagged_spectra(s, t, "sentences", measure="evokd")
    with pytest.raises(ValueError, match="n"):
        plot.plot_tagged_spectra(s, t, "sentences", n=0)
    with pytest.raises(ValueError, match="significant"):
        plot.plot_tagged_spectra(s, t.drop_vars("significant"), "sentences")
    with pytest.raises(TypeError, match="spectra"):
        plot.plot_tagged_spectra(t, t, "sentences")
