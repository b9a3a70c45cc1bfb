"""The shared style and helpers of the figures, and save_figure."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

from hftp import plot
from hftp.plot.style import (
    CATEGORY_COLORS,
    OKABE_ITO,
    STYLE,
    condition_colors,
    grand_average,
    label_layers,
    level_color,
    measure_label,
    new_axes,
    require_vars,
    save_figure,
    styled,
)


def test_save_figure_writes_png_and_svg(tmp_path, synth):
    fig = plot.plot_layer_profile(synth.tagging())
    out = save_figure(fig, tmp_path / "profile.png")
    assert [p.name for p in out] == ["profile.png", "profile.svg"]
    assert out[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in out[1].read_text()
    assert not list(tmp_path.glob("*.part"))
    (pdf,) = save_figure(fig, tmp_path / "profile", formats="pdf")
    assert pdf.name == "profile.pdf" and pdf.read_bytes()[:4] == b"%PDF"


def test_save_figure_bad_inputs(tmp_path, synth):
    fig = plot.plot_layer_profile(synth.tagging())
    with pytest.raises(ValueError, match="formats"):
        save_figure(fig, tmp_path / "x", formats=("jpg",))
    with pytest.raises(ValueError, match="'formats'.*at least one"):
        save_figure(fig, tmp_path / "x", formats=())
    with pytest.raises(TypeError, match="fig"):
        save_figure("not a figure", tmp_path / "x")
    with pytest.raises(ValueError, match="path"):
        save_figure(fig, tmp_path / "missing-folder" / "x")
    with pytest.raises(ValueError, match="'dpi'"):
        save_figure(fig, tmp_path / "x", dpi=1)


def test_styled_builds_under_the_style_and_the_palette():
    seen = {}

    @styled
    def draw():
        seen["font"] = mpl.rcParams["font.size"]
        seen["colors"] = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        return "fig"

    before = mpl.rcParams["font.size"]
    assert draw() == "fig"
    assert seen["font"] == STYLE["font.size"] and seen["colors"] == list(OKABE_ITO)
    assert mpl.rcParams["font.size"] == before  # restored afterwards


def test_new_axes_creates_or_reuses():
    fig, ax = new_axes(None, (3.0, 2.0))
    assert tuple(fig.get_size_inches()) == (3.0, 2.0) and ax.figure is fig
    other, ax2 = plt.subplots()
    assert new_axes(ax2, (9.0, 9.0)) == (other, ax2)
    with pytest.raises(TypeError, match="'ax'.*matplotlib Axes"):
        new_axes("left", (3.0, 2.0))


def test_label_layers_labels_at_most_about_fifteen():
    _, ax = plt.subplots()
    label_layers(ax, list(range(30)), np.arange(30))
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [str(v) for v in range(0, 30, 2)]
    ticked = set(ax.get_xticks()) | set(ax.get_xticks(minor=True))
    assert ticked == set(range(30))  # every layer still ticked
    _, ax = plt.subplots()
    label_layers(ax, ["a", "b"], [0.0, 1.0], axis="y")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]


def test_colours_and_labels():
    colors = condition_colors([f"c{i}" for i in range(10)])
    assert colors["c0"] == OKABE_ITO[0] and colors["c8"] == OKABE_ITO[0]  # cycled past eight
    assert level_color("sentence") == CATEGORY_COLORS["sentence"]
    assert level_color("unit") == "#555555" and level_color("clause") == "#D55E00"
    assert measure_label("itc") == "ITPC" and measure_label("evoked") == "Evoked amplitude (a.u.)"
    assert measure_label("mine") == "mine"


def test_require_vars_names_what_is_missing():
    ds = xr.Dataset({"rho": ("x", [1.0])})
    require_vars(ds, ["rho"], "result", "an alignment result")
    with pytest.raises(ValueError, match=r"'result'.*missing \['S'\].*it has \['rho'\]"):
        require_vars(ds, ["rho", "S"], "result", "an alignment result")


def test_grand_average_over_channels_then_subjects():
    # subject A: 2 channels (1, 3) → 2; subject B: 1 channel (10) → 10; grand mean 6, not 14/3
    da = xr.DataArray(
        np.array([[1.0, 3.0, 10.0]]),
        dims=("condition", "channel"),
        coords={"condition": ["a"], "subject": ("channel", ["A", "A", "B"])},
    )
    mean, sem, n, per = grand_average(da)
    assert float(mean.sel(condition="a")) == pytest.approx(6.0) and n == 2
    assert float(sem.sel(condition="a")) == pytest.approx(np.std([2.0, 10.0], ddof=1) / np.sqrt(2))
    np.testing.assert_allclose(per.sel(condition="a").values, [2.0, 10.0])
    mean, sem, n, per = grand_average(da.drop_vars("subject"))
    assert (
        float(mean.sel(condition="a")) == pytest.approx(14 / 3)
        and sem is None
        and n == 1
        and per is None
    )
