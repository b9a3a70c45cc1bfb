"""Figures on synthetic inputs built to the documented schemas (spectra, tagging, RDMs, alignment)."""

from __future__ import annotations

import itertools

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure

from hftp import plot
from hftp.spectral.accumulate import make_spectra

matplotlib.use("Agg")

CONDS = ["advp", "rrrv", "rrrr", "avav", "anan", "phmi"]
EEG_CH = ["Fz", "Cz", "Pz", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "T7", "T8"]
REGIONS = ["STG_L", "MTG_L", "IFG_L", "STG_R", "Insula_R", "other"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -------------------------------------------------------------------------------------------
# synthetic inputs


def model_spectra(n_layers=4, n_neurons=12, conds=("sentences", "within-shuffle"), seed=0):
    """Model Spectra at a 4 Hz unit rate; neuron 0 of every layer follows 1 and 2 Hz."""
    rng = np.random.default_rng(seed)
    t = np.arange(40) / 4.0
    trials = {}
    for k, c in enumerate(conds):
        x = rng.normal(size=(5, n_layers, n_neurons, t.size))
        if k == 0:
            x[:, :, 0] += 2 * np.cos(2 * np.pi * 1.0 * t) + np.cos(2 * np.pi * 2.0 * t)
        trials[c] = x
    return make_spectra(
        trials,
        rate_hz=4.0,
        tagged={"sentence": 1.0, "phrase": 2.0},
        channel_dims=("layer", "neuron"),
        kind="model",
    )


def tagging(n_layers=4, n_neurons=12, seed=0, rate=0.3):
    """A tagging result over (layer, neuron, level); neuron 0 of every layer is 'shared'."""
    rng = np.random.default_rng(seed)
    levels = ["sentence", "phrase"]
    sig = (
        rng.random((n_layers, n_neurons, 2)) < rate * np.linspace(0.3, 1.0, n_layers)[:, None, None]
    )
    sig[:, 0] = True
    stat = rng.gamma(2.0, size=sig.shape) + 10 * sig
    stat[:, 0] += 100
    p = np.where(sig, 1e-4, 0.5)
    cat = np.full((n_layers, n_neurons), "none", dtype=object)
    cat[sig[..., 0] & ~sig[..., 1]] = "sentence"
    cat[~sig[..., 0] & sig[..., 1]] = "phrase"
    cat[sig[..., 0] & sig[..., 1]] = "shared"
    coords = {"layer": np.arange(n_layers), "neuron": np.arange(n_neurons), "level": levels}
    dims = ("layer", "neuron", "level")
    return xr.Dataset(
        {
            "statistic": (dims, stat),
            "p": (dims, p),
            "q": (dims, p * 2),
            "significant": (dims, sig),
            "category": (("layer", "neuron"), cat.astype(str)),
        },
        coords=coords,
        attrs={"mode": "calibrated", "q": 0.05},
    )


def profile_df(tagged):
    cat = tagged["category"].to_series().reset_index()
    counts = cat.groupby(["layer", "category"]).size().rename("count").reset_index()
    counts["proportion"] = counts["count"] / counts.groupby("layer")["count"].transform("sum")
    return counts


def brain_spectra(n_subjects=3, seed=0):
    """Brain Spectra: 3 subjects × the EEG channels, 6 conditions; 'anan' tags 1.5625 Hz."""
    rng = np.random.default_rng(seed)
    sfreq, n_times = 50.0, 768  # 15.36 s, bins every 1/15.36 Hz
    t = np.arange(n_times) / sfreq
    n_ch = n_subjects * len(EEG_CH)
    trials = {}
    for c in CONDS:
        x = rng.normal(size=(8, n_ch, n_times))
        x += 0.8 * np.cos(2 * np.pi * 3.125 * t + 0.3)
        if c == "anan":
            x += 0.6 * np.cos(2 * np.pi * 1.5625 * t + 1.0)
        trials[c] = x
    coords = {
        "channel": [f"s{s}-{ch}" for s in range(n_subjects) for ch in EEG_CH],
        "subject": ("channel", [f"P{s + 1}" for s in range(n_subjects) for _ in EEG_CH]),
        "region": ("channel", ["other"] * n_ch),
        "hemisphere": ("channel", ["midline"] * n_ch),
        "x": ("channel", np.zeros(n_ch)),
        "y": ("channel", np.zeros(n_ch)),
        "z": ("channel", np.zeros(n_ch)),
    }
    return make_spectra(
        trials,
        rate_hz=sfreq,
        tagged={"phrase": 1.5625, "unit": 3.125},
        channel_coords=coords,
        kind="brain",
    )


def alignment_result(n_layers=6, n_per_region=4, seed=0):
    """rho, p, q over (layer, channel) with MNI coords; layer 3 × STG_L is planted."""
    rng = np.random.default_rng(seed)
    regs = np.repeat(REGIONS, n_per_region)
    n_ch = regs.size
    rho = rng.normal(0, 0.15, size=(n_layers, n_ch))
    rho[3, regs == "STG_L"] += 0.8
    p = np.where(rho > 0.6, 0.002, 0.6)
    centres = {
        "STG_L": (-58, -20, 6),
        "MTG_L": (-62, -35, -5),
        "IFG_L": (-48, 20, 12),
        "STG_R": (60, -18, 6),
        "Insula_R": (38, 2, 4),
        "other": (10, 50, 30),
    }
    xyz = np.array([centres[r] for r in regs], float) + rng.normal(0, 3, size=(n_ch, 3))
    return xr.Dataset(
        {
            "rho": (("layer", "channel"), rho),
            "p": (("layer", "channel"), p),
            "q": (("layer", "channel"), p * 5),
        },
        coords={
            "layer": np.arange(n_layers),
            "channel": [f"c{k}" for k in range(n_ch)],
            "region": ("channel", regs),
            "hemisphere": ("channel", ["L" if v < 0 else "R" for v in xyz[:, 0]]),
            "x": ("channel", xyz[:, 0]),
            "y": ("channel", xyz[:, 1]),
            "z": ("channel", xyz[:, 2]),
        },
        attrs={"comparison": "spearman"},
    )


def rdm(dim, labels, conds=CONDS, seed=0):
    rng = np.random.default_rng(seed)
    pairs = list(itertools.combinations(conds, 2))
    vals = rng.random((len(labels), len(pairs)))
    return xr.DataArray(
        vals,
        dims=(dim, "pair"),
        coords={
            dim: labels,
            "cond_i": ("pair", [a for a, _ in pairs]),
            "cond_j": ("pair", [b for _, b in pairs]),
        },
        attrs={"metric": "cosine"},
    )


# -------------------------------------------------------------------------------------------
# save_figure


def test_save_figure_writes_png_and_svg(tmp_path):
    fig = plot.layer_profile(tagging())
    out = plot.save_figure(fig, tmp_path / "profile.png")
    assert [p.name for p in out] == ["profile.png", "profile.svg"]
    assert out[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in out[1].read_text()
    assert not list(tmp_path.glob("*.part"))


def test_save_figure_bad_inputs(tmp_path):
    fig = plot.layer_profile(tagging())
    with pytest.raises(ValueError, match="formats"):
        plot.save_figure(fig, tmp_path / "x", formats=("jpg",))
    with pytest.raises(TypeError, match="fig"):
        plot.save_figure("not a figure", tmp_path / "x")
    with pytest.raises(ValueError, match="path"):
        plot.save_figure(fig, tmp_path / "missing-folder" / "x")


# -------------------------------------------------------------------------------------------
# model figures


def test_layer_profile_from_tagged_and_table_agree():
    t = tagging()
    fig_a = plot.layer_profile(t)
    fig_b = plot.layer_profile(profile_df(t))
    heights_a = [p.get_height() for p in fig_a.axes[0].patches]
    heights_b = [p.get_height() for p in fig_b.axes[0].patches]
    assert isinstance(fig_a, Figure)
    np.testing.assert_allclose(heights_a, heights_b)
    # stacked bars of one layer sum to that layer's tagged percentage
    n_layers = t.sizes["layer"]
    stacked = np.array(heights_a).reshape(3, n_layers).sum(axis=0)
    expected = 100 * (t["category"] != "none").mean("neuron").values
    np.testing.assert_allclose(stacked, expected)


def test_layer_profile_with_baseline_draws_hatched_bars():
    fig = plot.layer_profile(tagging(n_layers=30), baseline=tagging(n_layers=30, seed=1, rate=0.05))
    ax = fig.axes[0]
    assert sum(1 for p in ax.patches if p.get_hatch()) == 3 * 30
    assert len(ax.get_xticklabels()) <= 16  # 30 layers stay readable
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "untrained (baseline)" in labels


def test_layer_profile_uses_given_axes():
    fig, ax = plt.subplots()
    assert plot.layer_profile(tagging(), ax=ax) is fig


def test_layer_profile_bad_inputs():
    with pytest.raises(TypeError, match="tagged_or_profile"):
        plot.layer_profile([1, 2, 3])
    with pytest.raises(ValueError, match="proportion"):
        plot.layer_profile(pd.DataFrame({"layer": [0], "category": ["phrase"]}))
    with pytest.raises(ValueError, match="category"):
        plot.layer_profile(tagging().drop_vars("category"))
    with pytest.raises(TypeError, match="ax"):
        plot.layer_profile(tagging(), ax="left")


def test_trained_vs_untrained_lines():
    tr, un = tagging(), tagging(seed=1, rate=0.02)
    fig = plot.trained_vs_untrained(profile_df(tr), un)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(
        lines[0].get_ydata(), 100 * (tr["category"] != "none").mean("neuron")
    )
    with pytest.raises(ValueError, match="category"):
        plot.trained_vs_untrained(tr, un, category="clause")


def test_tagged_spectra_picks_the_planted_neurons():
    s, t = model_spectra(), tagging()
    fig = plot.tagged_spectra(s, t, "sentences", n=4)
    titles = [a.get_title() for a in fig.axes if a.get_visible()]
    assert len(titles) == 4
    assert all("neuron 0" in x and "(shared)" in x for x in titles)
    # the tagged frequencies are marked in every panel
    ax = fig.axes[0]
    marks = {round(line.get_xdata()[0], 3) for line in ax.get_lines()[1:]}
    assert marks == {1.0, 2.0}


def test_tagged_spectra_bad_inputs():
    s, t = model_spectra(), tagging()
    with pytest.raises(ValueError, match="condition"):
        plot.tagged_spectra(s, t, "sentence")
    with pytest.raises(ValueError, match="measure"):
        plot.tagged_spectra(s, t, "sentences", measure="evokd")
    with pytest.raises(ValueError, match="n"):
        plot.tagged_spectra(s, t, "sentences", n=0)
    with pytest.raises(ValueError, match="significant"):
        plot.tagged_spectra(s, t.drop_vars("significant"), "sentences")
    with pytest.raises(TypeError, match="spectra"):
        plot.tagged_spectra(t, t, "sentences")


# -------------------------------------------------------------------------------------------
# alignment figures


def test_rdm_panels_reconstruct_square_matrix():
    m = rdm("layer", [0, 1, 2])
    b = rdm("region", ["STG_L", "IFG_L"], seed=1)
    fig = plot.rdm_panels(m, b, layer=2, channel_or_region="IFG_L", brain_label="simulated sEEG")
    img = fig.axes[0].get_images()[0].get_array()
    assert img.shape == (6, 6)
    np.testing.assert_allclose(img, np.asarray(img).T)
    assert np.diag(np.ma.getmaskarray(img)).all()  # the diagonal is masked out
    # (advp, rrrv) is the first pair
    assert img[0, 1] == pytest.approx(float(m.sel(layer=2).values[0]))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == CONDS
    title = fig.axes[1].get_title()
    assert "IFG_L" in title and "simulated sEEG" in title


def test_rdm_panels_bad_inputs():
    m, b = rdm("layer", [0, 1]), rdm("channel", ["Cz"])
    with pytest.raises(ValueError, match="layer"):
        plot.rdm_panels(m, b, layer=7)
    with pytest.raises(ValueError, match="model_rdm"):
        plot.rdm_panels(m.rename(pair="p"), b)
    with pytest.raises(TypeError, match="brain_rdm"):
        plot.rdm_panels(m, np.zeros(15))


def test_alignment_heatmap_aggregates_regions_and_marks_significance():
    res = alignment_result()
    fig = plot.alignment(res)
    ax = fig.axes[0]
    values = ax.get_images()[0].get_array()
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert cols[0].endswith("_L") and cols[-1] == "other"
    assert values.shape == (6, len(REGIONS))
    j = cols.index("STG_L")
    expected = res.rho.where(res.region == "STG_L").mean("channel").sel(layer=3)
    assert values[3, j] == pytest.approx(float(expected))
    dots = ax.collections[0].get_offsets()
    assert [3.0, float(j)] in np.asarray(dots)[:, ::-1].tolist()


def test_alignment_by_channel_without_regions():
    res = alignment_result().drop_vars(["region"])
    fig = plot.alignment(res)
    assert fig.axes[0].get_xlabel() == "Channel"
    with pytest.raises(ValueError, match="by"):
        plot.alignment(res, by="region")


def test_alignment_bad_inputs():
    with pytest.raises(ValueError, match="rho"):
        plot.alignment(alignment_result().drop_vars("rho"))
    with pytest.raises(ValueError, match="alpha"):
        plot.alignment(alignment_result(), alpha=1.5)
    with pytest.raises(ValueError, match="by"):
        plot.alignment(alignment_result(), by="regoin")


def test_glass_brain_draws_every_contact():
    res = alignment_result()
    fig = plot.glass_brain(res)
    assert isinstance(fig, Figure)
    assert "layer 3" in fig._suptitle.get_text()  # the planted layer is the best one
    with pytest.raises(ValueError, match="coords"):
        plot.glass_brain(np.ones(4))
    with pytest.raises(ValueError, match="coords"):
        plot.glass_brain(np.ones(4), coords=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="layer"):
        plot.glass_brain(res, layer=99)


def test_topomap_on_eeg_names():
    vals = xr.DataArray(np.linspace(-1, 1, len(EEG_CH)), dims="channel", coords={"channel": EEG_CH})
    fig = plot.topomap(vals, mask=np.arange(len(EEG_CH)) < 2)
    assert fig.axes[0].get_title() == "EEG (scalp)"
    assert len(fig.axes) == 2  # map + colour bar
    with pytest.raises(ValueError, match="ch_names"):
        plot.topomap(vals.values, ["Fz", "Cz", "XYZ"] + EEG_CH[3:])
    with pytest.raises(ValueError, match="ch_names"):
        plot.topomap(vals.values)
    with pytest.raises(ValueError, match="mask"):
        plot.topomap(vals, mask=[True])


# -------------------------------------------------------------------------------------------
# responses per condition


def test_itpc_spectra_grand_average_channels_then_subjects():
    import hftp.spectral as sp

    bs = brain_spectra()
    fig = plot.itpc_spectra(sp.itc(bs), tagged_hz=bs.hftp.tagged_hz)
    ax = fig.axes[0]
    assert ax.get_title() == "EEG (scalp)"
    assert len(ax.get_lines()) == len(CONDS) + 2  # conditions + two tagged-rate markers
    itc = sp.itc(bs)
    expected = itc.groupby("subject").mean("channel").mean("subject").sel(condition="anan")
    np.testing.assert_allclose(ax.get_lines()[CONDS.index("anan")].get_ydata(), expected.values)
    # the planted phrase-rate peak is highest for anan
    phrase = {
        c: sp.at_freq(expected.copy(data=ax.get_lines()[k].get_ydata()), 1.5625)
        for k, c in enumerate(CONDS)
    }
    assert max(phrase, key=lambda c: float(phrase[c])) == "anan"


def test_itpc_spectra_accepts_dict_and_spectra():
    bs = brain_spectra(n_subjects=1)
    fig = plot.itpc_spectra(bs, conditions=["anan", "avav"], title="simulated sEEG")
    assert len(fig.axes[0].get_lines()) == 4
    freqs = bs["freq"].values
    d = {
        "a": pd.Series(np.ones(freqs.size), index=freqs),
        "b": pd.Series(np.zeros(freqs.size), index=freqs),
    }
    fig = plot.itpc_spectra(d, tagged_hz=[1.5625])
    assert len(fig.axes[0].get_lines()) == 3
    with pytest.raises(ValueError, match="conditions"):
        plot.itpc_spectra(bs, conditions=["ana"])
    fig = plot.itpc_spectra(bs, fmax=4.0)
    assert fig.axes[0].get_lines()[0].get_xdata().max() <= 4.0
    with pytest.raises(ValueError, match="fmax"):
        plot.itpc_spectra(bs, fmax=0.0)
    with pytest.raises(TypeError, match="itc"):
        plot.itpc_spectra(3.0)


def test_condition_response_model_beside_human():
    bs = brain_spectra()
    conds = CONDS
    ms = model_spectra(n_layers=5, conds=conds)
    # model spectra have no 1.5625 Hz bin: use the phrase rate of the model (2 Hz) on a DataArray
    import hftp.spectral as sp

    mval = sp.at_freq(sp.evoked_amplitude(ms), 2.0)
    hval = sp.at_freq(sp.itc(bs), 1.5625)
    fig = plot.condition_response(mval, hval, freq=1.5625)
    left, right = fig.axes
    assert len(left.get_lines()) == len(conds) + 1  # conditions + the reference line at 1
    # normalised per layer: the mean over conditions is 1 in every layer
    ys = np.array([line.get_ydata() for line in left.get_lines()[: len(conds)]])
    np.testing.assert_allclose(ys.mean(axis=0), 1.0)
    bars = [p.get_height() for p in right.patches]
    assert int(np.argmax(bars)) == conds.index("anan")
    assert "EEG (scalp)" in right.get_title()


def test_condition_response_bad_inputs():
    bs = brain_spectra(n_subjects=1)
    ms = model_spectra(conds=("x", "y", "z"))
    with pytest.raises(ValueError, match="model"):
        plot.condition_response(ms, bs, freq=2.0)
    with pytest.raises(ValueError, match="freq"):
        plot.condition_response(ms.assign_attrs(tagged_hz="{}"), bs.assign_attrs(tagged_hz="{}"))


def test_alignment_prefers_region_level_test():
    res = alignment_result()
    regions = sorted(set(REGIONS))
    rr = res.rho.groupby("region").mean("channel").rename(region="regions").sel(regions=regions)
    rq = xr.zeros_like(rr) + 0.5
    rq.loc[{"layer": 1, "regions": "MTG_L"}] = 0.001  # a region-level result the channels lack
    fig = plot.alignment(res.assign(region_rho=rr, region_q=rq))
    ax = fig.axes[0]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    dots = np.asarray(ax.collections[0].get_offsets()).tolist()
    assert dots == [[float(cols.index("MTG_L")), 1.0]]
    assert "region" in ax.get_legend().get_texts()[0].get_text()


def test_condition_response_from_reduced_values():
    mval = xr.DataArray(
        np.arange(12.0).reshape(3, 4),
        dims=("condition", "layer"),
        coords={"condition": ["a", "b", "c"], "layer": range(4), "freq": 1.5625},
    )
    fig = plot.condition_response(mval, {"a": 0.1, "c": 0.3, "b": 0.2}, normalize=False)
    left, right = fig.axes
    assert [t.get_text() for t in right.get_xticklabels()] == ["a", "c", "b"]
    assert [p.get_height() for p in right.patches] == pytest.approx([0.1, 0.3, 0.2])
    assert "1.5625 Hz" in right.get_ylabel()
    np.testing.assert_allclose(left.get_lines()[0].get_ydata(), [0, 1, 2, 3])
    with pytest.raises(TypeError, match="human"):
        plot.condition_response(mval, {"a": "high"})


def test_layer_profile_shows_replicated_and_snr_curve():
    from hftp.tagging import snr_curve

    t = tagging()
    t["replicated"] = t["significant"] & (t["neuron"] % 2 == 0)
    t["significant_fdr"] = t["significant"]
    t["snr"] = t["statistic"]
    fig = plot.layer_profile(t)
    ax = fig.axes[0]
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert "replicated (split halves)" in labels
    line = [ln for ln in ax.get_lines() if ln.get_marker() == "D"][0]
    expected = 100 * t["replicated"].any("level").mean("neuron").values
    np.testing.assert_allclose(line.get_ydata(), expected)
    curve = snr_curve(t, floors=[0.5, 2.0, 1e9])
    fig = plot.snr_curve(curve)
    lines = fig.axes[0].get_lines()
    assert len(lines) == t.sizes["layer"]
    assert all(ln.get_ydata()[-1] == 0 for ln in lines)  # nothing passes an absurd floor
    with pytest.raises(ValueError, match="'level'"):
        plot.snr_curve(curve, level="nope")
    with pytest.raises(TypeError, match="'curve'"):
        plot.snr_curve(t)
