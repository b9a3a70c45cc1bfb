"""Figures of alignment statistics: S over its null, and the subject-level result."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import hftp.spectral as sp
from hftp import plot
from hftp.rsa.alignment import align


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(0)
    conds = [f"c{i}" for i in range(5)]
    t = np.arange(32) / 4.0
    wave = np.cos(2 * np.pi * 0.5 * t)
    tagged_hz = {"sentence": 0.5, "phrase": 1.0}
    m = sp.make_spectra(
        {c: (i + 1) * wave + rng.normal(size=(4, 3, 6, 32)) for i, c in enumerate(conds)},
        sfreq=4.0,
        tagged_hz=tagged_hz,
        channel_dims=("layer", "neuron"),
        kind="model",
    )
    coords = {
        "channel": [f"s{s}/e{e}" for s in range(4) for e in range(5)],
        "subject": ("channel", np.repeat([f"s{s}" for s in range(4)], 5)),
        "label": ("channel", np.tile([f"e{e}" for e in range(5)], 4)),
    }
    b = sp.make_spectra(
        {c: 0.5 * (i + 1) * wave + rng.normal(size=(6, 20, 32)) for i, c in enumerate(conds)},
        sfreq=4.0,
        tagged_hz=tagged_hz,
        channel_coords=coords,
    )
    mask = xr.DataArray(
        np.ones((3, 6), bool),
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    mask[:, 3:] = False
    return align(m, b, model_channels=mask, selection="independent", n_random=20, top_k=5)


def test_alignment_null_draws_the_null_and_s(result, tmp_path):
    fig = plot.plot_alignment_null(result, title="null")
    ax = fig.axes[0]
    assert len(ax.patches) > 0  # histograms
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("E_null" in lab for lab in labels) and any("random neurons" in lab for lab in labels)
    assert any("S − E_null" in lab for lab in labels)
    # the black line is the observed S, the dashed one the mean of its permutation null
    lines = {ln.get_linestyle(): ln.get_xdata()[0] for ln in ax.get_lines()}
    assert lines["-"] == pytest.approx(float(result["S"]))
    assert lines["--"] == pytest.approx(float(result["S_null"].mean()))
    paths = plot.save_figure(fig, tmp_path / "null")
    assert all(p.is_file() for p in paths)


def test_subject_alignment_draws_ceiling_ci_and_subjects(result):
    fig = plot.plot_subject_alignment(result)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"e{e}" for e in range(5)]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "noise ceiling" in labels and any("subjects (n=4)" in lab for lab in labels)
    # the group mean per cell is drawn with its CI at the layer of the largest group t
    t = result["group_t"].values
    layer = int(result["layer"][np.unravel_index(int(np.nanargmax(t)), t.shape)[0]])
    assert ax.get_title(loc="left") == f"Layer {layer}: subjects as a random effect"
    (bars,) = ax.containers
    np.testing.assert_allclose(
        bars.lines[0].get_ydata(), result["group_rho"].sel(layer=layer).values
    )


def test_bad_inputs(result):
    with pytest.raises(TypeError, match="'result'"):
        plot.plot_alignment_null(result["S"])
    with pytest.raises(ValueError, match="'result'"):
        plot.plot_subject_alignment(result.drop_vars("group_rho"))
    with pytest.raises(ValueError, match="'layer'"):
        plot.plot_subject_alignment(result, layer=99)
