"""Alignment figures: square RDM panels and the layer × region similarity heatmap."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from hftp import plot


def test_rdm_panels_reconstruct_square_matrix(synth):
    m = synth.rdm("layer", [0, 1, 2])
    b = synth.rdm("region", ["STG_L", "IFG_L"], seed=1)
    fig = plot.plot_rdm_panels(
        m, b, layer=2, channel_or_region="IFG_L", brain_label="simulated sEEG"
    )
    img = fig.axes[0].get_images()[0].get_array()
    assert img.shape == (6, 6)
    np.testing.assert_allclose(img, np.asarray(img).T)
    assert np.diag(np.ma.getmaskarray(img)).all()  # the diagonal is masked out
    # (advp, rrrv) is the first pair
    assert img[0, 1] == pytest.approx(float(m.sel(layer=2).values[0]))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == synth.conds
    title = fig.axes[1].get_title()
    assert "IFG_L" in title and "simulated sEEG" in title


def test_rdm_panels_bad_inputs(synth):
    m, b = synth.rdm("layer", [0, 1]), synth.rdm("channel", ["Cz"])
    with pytest.raises(ValueError, match="layer"):
        plot.plot_rdm_panels(m, b, layer=7)
    with pytest.raises(ValueError, match="model_rdm"):
        plot.plot_rdm_panels(m.rename(pair="p"), b)
    with pytest.raises(TypeError, match="brain_rdm"):
        plot.plot_rdm_panels(m, np.zeros(15))


def test_alignment_heatmap_aggregates_regions_and_marks_significance(synth):
    res = synth.alignment_result()
    fig = plot.plot_alignment(res)
    ax = fig.axes[0]
    values = ax.get_images()[0].get_array()
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert cols[0].endswith("_L") and cols[-1] == "other"
    assert values.shape == (6, len(synth.regions))
    j = cols.index("STG_L")
    expected = res.rho.where(res.region == "STG_L").mean("channel").sel(layer=3)
    assert values[3, j] == pytest.approx(float(expected))
    dots = ax.collections[0].get_offsets()
    assert [3.0, float(j)] in np.asarray(dots)[:, ::-1].tolist()


def test_alignment_by_channel_without_regions(synth):
    res = synth.alignment_result().drop_vars(["region"])
    fig = plot.plot_alignment(res)
    assert fig.axes[0].get_xlabel() == "Channel"
    with pytest.raises(ValueError, match="by"):
        plot.plot_alignment(res, by="region")


def test_alignment_prefers_region_level_test(synth):
    res = synth.alignment_result()
    regions = sorted(set(synth.regions))
    rr = res.rho.groupby("region").mean("channel").rename(region="regions").sel(regions=regions)
    rq = xr.zeros_like(rr) + 0.5
    rq.loc[{"layer": 1, "regions": "MTG_L"}] = 0.001  # a region-level result the channels lack
    fig = plot.plot_alignment(res.assign(region_rho=rr, region_q=rq))
    ax = fig.axes[0]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    dots = np.asarray(ax.collections[0].get_offsets()).tolist()
    assert dots == [[float(cols.index("MTG_L")), 1.0]]
    assert "region" in ax.get_legend().get_texts()[0].get_text()
    # a long title sits above the marker's legend, never across it
    long = "Model layers vs sEEG regions, a long title that runs to the right edge"
    fig = plot.plot_alignment(res.assign(region_rho=rr, region_q=rq), title=long)
    fig.canvas.draw()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    title_box = ax._left_title.get_window_extent(renderer)
    legend_box = ax.get_legend().get_window_extent(renderer)
    assert not title_box.overlaps(legend_box)


def test_alignment_bad_inputs(synth):
    with pytest.raises(ValueError, match="rho"):
        plot.plot_alignment(synth.alignment_result().drop_vars("rho"))
    with pytest.raises(ValueError, match="alpha"):
        plot.plot_alignment(synth.alignment_result(), alpha=1.5)
    with pytest.raises(ValueError, match="by"):
        plot.plot_alignment(synth.alignment_result(), by="regoin")
