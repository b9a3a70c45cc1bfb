"""RSA: RDMs against scipy, exact permutation inference, planted alignment, controls, bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr
from scipy.spatial.distance import pdist
from scipy.stats import kendalltau, spearmanr

import hftp.spectral as sp
from hftp import io
from hftp.align import COMPARISONS, METRICS, alignment_summary, rdms
from hftp.align.core import align

CONDS = ["c0", "c1", "c2", "c3", "c4", "c5"]
RATE, NT = 4.0, 64
T = np.arange(NT) / RATE
TAGGED = {"sentence": 0.5, "phrase": 1.0}


def _signal(theta, amp):
    """A condition profile: amplitude cos(theta) at 0.5 Hz and sin(theta) at 1 Hz."""
    lo = np.cos(2 * np.pi * 0.5 * T)
    hi = np.cos(2 * np.pi * 1.0 * T)
    return np.asarray(amp)[..., None] * (
        np.cos(theta)[..., None] * lo + np.sin(theta)[..., None] * hi
    )


def _profiles(rng, n_rows, n_cond=6):
    return rng.uniform(0, np.pi / 2, (n_rows, n_cond))


def _model(rng, thetas, n_neurons=8, n_trials=10, active=None, conds=CONDS):
    """Model Spectra whose layer l follows the condition profile thetas[l].

    With ``active`` (layer, neuron) bool, only those neurons follow it; the others follow their
    own random profiles.
    """
    n_layers = thetas.shape[0]
    gain = rng.uniform(0.5, 1.5, (n_layers, n_neurons))
    on = np.ones((n_layers, n_neurons), bool) if active is None else active
    own = _profiles(rng, n_layers * n_neurons, len(conds)).reshape(n_layers, n_neurons, -1)
    th = np.where(on[..., None], thetas[:, None, :], own)
    trials = {}
    for i, c in enumerate(conds):
        s = _signal(th[..., i], 2.0 * gain)
        trials[c] = s[None] + rng.normal(size=(n_trials, n_layers, n_neurons, NT))
    return sp.make_spectra(
        trials, rate_hz=RATE, tagged=TAGGED, channel_dims=("layer", "neuron"), kind="model"
    )


def _brain(rng, thetas, regions, subjects, *, amp=0.35, n_trials=30, shuffle=False, conds=CONDS):
    """Brain Spectra; channel k follows thetas[k] (NaN rows: noise only).

    With ``shuffle``, each channel's condition labels are permuted independently.
    """
    k = len(regions)
    coords = {
        "channel": [f"ch{i}" for i in range(k)],
        "region": ("channel", np.asarray(regions)),
        "hemisphere": ("channel", np.array(["L", "R"])[np.arange(k) % 2]),
        "subject": ("channel", np.asarray(subjects)),
        **{ax: ("channel", rng.normal(size=k)) for ax in "xyz"},
    }
    sig = np.stack(
        [
            _signal(np.nan_to_num(thetas[:, i]), amp * np.isfinite(thetas[:, i]))
            for i in range(len(conds))
        ]
    )
    arr = sig[:, None] + rng.normal(size=(len(conds), n_trials, k, NT))
    if shuffle:
        for ch in range(k):
            arr[:, :, ch] = arr[rng.permutation(len(conds)), :, ch]
    trials = {c: arr[i] for i, c in enumerate(conds)}
    return sp.make_spectra(
        trials, rate_hz=RATE, tagged=TAGGED, channel_dims=("channel",), channel_coords=coords
    )


def _planted(seed=0, target=2, n_layers=5, per_region=6, shuffle=False, active=None, n_neurons=8):
    """Region A's channels share layer ``target``'s profile; B has unrelated profiles; C is noise."""
    rng = np.random.default_rng(seed)
    thetas = _profiles(rng, n_layers)
    m = _model(rng, thetas, n_neurons=n_neurons, active=active)
    ct = np.full((3 * per_region, 6), np.nan)
    ct[:per_region] = thetas[target]
    ct[per_region : 2 * per_region] = _profiles(rng, per_region)
    regions = ["A"] * per_region + ["B"] * per_region + ["C"] * per_region
    subjects = np.array(["s1", "s2", "s3"])[np.arange(3 * per_region) % 3]
    return m, _brain(rng, ct, regions, subjects, shuffle=shuffle)


@pytest.fixture(scope="module")
def planted():
    return _planted()


@pytest.fixture(scope="module")
def planted_result(planted):
    m, b = planted
    return align(m, b, top_k=6, n_boot=200)


# ---------------------------------------------------------------------------------------------
# RDMs


def _band_values(spectra, measure, lo=0.5, hi=1.0):
    da = sp.MEASURES[measure](spectra)
    f = da["freq"].values
    return da.isel(freq=np.flatnonzero((f >= lo - 1e-9) & (f <= hi + 1e-9)))


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_model_rdm_matches_scipy(planted, metric):
    m, _ = planted
    rng = np.random.default_rng(1)
    mask = xr.DataArray(
        rng.random((m.sizes["layer"], m.sizes["neuron"])) < 0.6,
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    mask[0, :3] = True
    out = rdms(m, mask, metric=metric)
    vals = _band_values(m, "evoked")
    assert out.dims == ("layer", "pair")
    for layer in m["layer"].values:
        sel = mask.sel(layer=layer).values
        x = vals.sel(layer=layer).isel(neuron=np.flatnonzero(sel)).values.reshape(6, -1)
        np.testing.assert_allclose(out.sel(layer=layer).values, pdist(x, metric), atol=1e-9)
        assert int(out["n_channels"].sel(layer=layer)) == sel.sum()


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_brain_rdm_by_channel_and_region_matches_scipy(planted, metric):
    _, b = planted
    vals = _band_values(b, "itc")
    per_channel = rdms(b, measure="itc", metric=metric)
    assert per_channel.dims == ("channel", "pair")
    assert "region" in per_channel.coords  # channel coords carried along
    ch = "ch7"
    np.testing.assert_allclose(
        per_channel.sel(channel=ch).values, pdist(vals.sel(channel=ch).values, metric), atol=1e-9
    )
    per_region = rdms(b, measure="itc", metric=metric, by="region")
    assert list(per_region["region"].values) == ["A", "B", "C"]
    x = vals.isel(channel=np.flatnonzero(b["region"].values == "B")).values.reshape(6, -1)
    np.testing.assert_allclose(per_region.sel(region="B").values, pdist(x, metric), atol=1e-9)


def test_rdm_is_upper_triangle_only(planted):
    m, _ = planted
    out = rdms(m)
    n = len(CONDS)
    assert out.sizes["pair"] == n * (n - 1) // 2
    pairs = list(zip(out["cond_i"].values, out["cond_j"].values, strict=True))
    assert len(set(map(frozenset, pairs))) == len(pairs)  # every unordered pair once
    assert all(CONDS.index(i) < CONDS.index(j) for i, j in pairs)


def test_default_band_is_half_hz_to_highest_tagged(planted):
    m, _ = planted
    assert rdms(m).attrs["band"] == [0.5, 1.0]
    narrow = rdms(m, band=(0.9, 1.0))
    assert not np.allclose(narrow.values, rdms(m).values)


# ---------------------------------------------------------------------------------------------
# comparisons and permutations


def test_rho_is_spearman_over_upper_triangle(planted_result):
    r = planted_result
    for layer, ch in ((0, "ch0"), (2, "ch3"), (4, "ch15")):
        expected = spearmanr(r["model_rdm"].sel(layer=layer), r["brain_rdm"].sel(channel=ch))[0]
        assert float(r["rho"].sel(layer=layer, channel=ch)) == pytest.approx(expected, abs=1e-12)


def test_kendall_is_tau_a(planted):
    m, b = planted
    r = align(m, b, comparison="kendall", n_boot=0)
    x, y = r["model_rdm"].sel(layer=1).values, r["brain_rdm"].sel(channel="ch4").values
    i, j = np.triu_indices(x.size, 1)
    tau_a = np.mean(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j]))
    assert float(r["rho"].sel(layer=1, channel="ch4")) == pytest.approx(tau_a, abs=1e-12)
    assert tau_a == pytest.approx(kendalltau(x, y)[0], abs=1e-12)  # no ties: tau-a == tau-b
    assert set(COMPARISONS) == {"spearman", "kendall"}


@pytest.mark.parametrize("comparison", ["spearman", "kendall"])
def test_permutation_p_matches_brute_force(planted, comparison):
    import itertools

    m, b = planted
    r = align(m, b, comparison=comparison, n_boot=0)
    x, y = r["model_rdm"].sel(layer=3).values, r["brain_rdm"].sel(channel="ch9").values
    i, j = np.triu_indices(6, 1)
    score = {
        "spearman": lambda u, v: spearmanr(u, v)[0],
        "kendall": lambda u, v: kendalltau(u, v)[0],
    }[comparison]
    full = np.zeros((6, 6))
    full[i, j] = full[j, i] = y
    null = [score(x, full[np.ix_(p, p)][i, j]) for p in itertools.permutations(range(6))]
    obs = float(r["rho"].sel(layer=3, channel="ch9"))
    assert obs == pytest.approx(null[0], abs=1e-12)
    expected = np.mean(np.asarray(null) >= obs - 1e-10)
    assert float(r["p"].sel(layer=3, channel="ch9")) == pytest.approx(expected)


def test_exact_permutation_p_has_granularity_one_over_n_factorial():
    rng = np.random.default_rng(3)
    conds = CONDS[:4]
    m = _model(rng, _profiles(rng, 3, 4), conds=conds)
    b = _brain(rng, _profiles(rng, 10, 4), ["A"] * 10, ["s1"] * 10, conds=conds)
    r = align(m, b, top_k=3)
    assert r.attrs["n_permutations"] == 24 and r.attrs["permutation"] == "exact"
    assert r.sizes["permutation"] == 24
    p = r["p"].values
    np.testing.assert_allclose(p * 24, np.round(p * 24), atol=1e-9)
    assert p.min() >= 1 / 24 - 1e-12  # the identity is always in the null
    np.testing.assert_allclose(float(r["S_null"][0]), float(r["S"]))  # identity first


def test_sampled_permutations_are_seeded():
    rng = np.random.default_rng(4)
    conds = CONDS[:4]
    m = _model(rng, _profiles(rng, 2, 4), conds=conds)
    b = _brain(rng, _profiles(rng, 6, 4), ["A"] * 6, ["s1"] * 6, conds=conds)
    r1 = align(m, b, n_permutations=10, seed=7)
    r2 = align(m, b, n_permutations=10, seed=7)
    assert r1.attrs["permutation"] == "sampled" and r1.sizes["permutation"] == 10
    np.testing.assert_array_equal(r1["S_null"], r2["S_null"])
    assert float(r1["p"].min()) >= 0.1 - 1e-12


def test_many_conditions_sample_permutations_by_default():
    rng = np.random.default_rng(5)
    conds = [f"k{i}" for i in range(9)]
    m = _model(rng, _profiles(rng, 2, 9), n_neurons=4, conds=conds)
    b = _brain(rng, _profiles(rng, 4, 9), ["A"] * 4, ["s1"] * 4, conds=conds)
    r = align(m, b, n_boot=0)
    assert r.attrs["permutation"] == "sampled" and r.attrs["n_permutations"] == 10_000
    assert float(r["p"].min()) >= 1e-4 - 1e-12


def test_three_conditions_warn_that_p_cannot_be_small():
    rng = np.random.default_rng(6)
    conds = CONDS[:3]
    m = _model(rng, _profiles(rng, 2, 3), conds=conds)
    b = _brain(rng, _profiles(rng, 4, 3), ["A"] * 4, ["s1"] * 4, conds=conds)
    with pytest.warns(UserWarning, match="only 6 relabelings"):
        r = align(m, b, n_boot=0)
    assert r.attrs["n_permutations"] == 6 and float(r["p"].min()) >= 1 / 6 - 1e-12


# ---------------------------------------------------------------------------------------------
# simulated end to end


def test_planted_region_and_layer_rank_first(planted_result):
    r = planted_result
    rr = r["region_rho"]
    li, ri = np.unravel_index(int(np.nanargmax(rr.values)), rr.shape)
    assert int(r["layer"][li]) == 2 and str(r["regions"][ri].values) == "A"
    assert float(r["region_p"].sel(layer=2, regions="A")) < 0.05
    assert float(r["p"].sel(layer=2).isel(channel=slice(0, 6)).max()) < 0.05
    summary = alignment_summary(r)
    assert summary["best_region"] == "A" and summary["best_region_layer"] == 2
    json.dumps(summary)


def test_shuffled_condition_labels_lose_the_match():
    m, b = _planted(shuffle=True)
    r = align(m, b, top_k=6, n_boot=0)
    rr = r["region_rho"]
    li, ri = np.unravel_index(int(np.nanargmax(rr.values)), rr.shape)
    first = (int(r["layer"][li]), str(r["regions"][ri].values))
    assert not (first == (2, "A") and float(r["region_p"][li, ri]) < 0.05)
    assert float(r["region_p"].sel(layer=2, regions="A")) > 0.05


def test_pure_noise_brain_gives_roughly_uniform_p():
    rng = np.random.default_rng(100)
    m = _model(rng, _profiles(rng, 4))
    k = 40
    b = _brain(rng, np.full((k, 6), np.nan), ["A"] * 20 + ["B"] * 20, ["s1"] * k)
    r = align(m, b, top_k=10)
    p = r["p"].values.ravel()
    assert p.size == 160
    assert np.mean(p < 0.05) <= 0.1
    assert np.mean(p < 0.5) == pytest.approx(0.5, abs=0.15)
    assert float(r["S_p"]) > 0.05


def test_summaries_per_region_and_hemisphere(planted_result):
    r = planted_result
    assert r.attrs["top_k"] == 6 and r.attrs["n_permutations"] == math.factorial(6)
    assert set(r["regions"].values) == {"A", "B", "C"}
    assert set(r["hemispheres"].values) == {"L", "R"}
    # S(m,b) is the mean over layers of the mean of each layer's top-k rho
    rho = np.sort(r["rho"].values, axis=1)[:, ::-1][:, :6]
    assert float(r["S"]) == pytest.approx(rho.mean())
    assert (r["n_top_region"].sum("regions") == 6).all()
    assert r["S_region_null"].shape == (720, 3)
    assert 0 < float(r["S_region_p"].sel(regions="A")) <= 1
    for attr in ("measure", "brain_measure", "metric", "comparison", "band", "seed"):
        assert attr in r.attrs


def test_top_k_is_capped_at_channel_count(planted):
    m, b = planted
    r = align(m, b, n_boot=0)
    assert r.attrs["top_k"] == b.sizes["channel"] and r.attrs["top_k_requested"] == 100
    np.testing.assert_allclose(r["S_layer"].values, r["rho"].mean("channel").values)


def test_condition_order_is_aligned_by_name(planted, planted_result):
    m, b = planted
    r = align(m, b.isel(condition=[5, 3, 1, 0, 2, 4]), top_k=6, n_boot=0)
    np.testing.assert_allclose(r["rho"].values, planted_result["rho"].values)


def test_random_neuron_control():
    active = np.zeros((5, 20), bool)
    active[:, :3] = True  # only 3 of 20 neurons per layer carry the layer's profile
    m, b = _planted(seed=1, active=active, n_neurons=20)
    coords = {"layer": m["layer"], "neuron": m["neuron"]}
    mask = xr.DataArray(active, dims=("layer", "neuron"), coords=coords)
    r = align(m, b, tagged=mask, top_k=6, n_random=20, n_boot=0, selection="independent")
    assert r["random_S"].shape == (20,) and np.isfinite(r["random_S"]).all()
    assert r["random_rho"].shape == (20, 5, 18)
    assert r["random_S_layer"].shape == (20, 5)
    assert (r["n_neurons"] == 3).all()
    # the planted layer: its tagged neurons beat random draws of the same size
    tagged_rho = float(r["rho"].sel(layer=2).isel(channel=slice(0, 6)).mean())
    random_rho = r["random_rho"].sel(layer=2).isel(channel=slice(0, 6)).mean("channel")
    assert tagged_rho > float(random_rho.median()) + 0.3
    assert float(r["rho_random_p"].min()) >= 1 / 21 - 1e-12
    assert float(r["S_layer_random_p"].sel(layer=2)) < 0.1
    again = align(m, b, tagged=mask, top_k=6, n_random=20, n_boot=0, selection="independent")
    np.testing.assert_array_equal(r["random_S"], again["random_S"])


def test_tagging_results_select_neurons(planted):
    m, b = planted
    cat = np.full((5, 8), "none", dtype=object)
    cat[:, :4] = "phrase"
    tagged = xr.Dataset(
        {"category": (("layer", "neuron"), cat)},
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    r = align(m, b, tagged=tagged, n_random=5, n_boot=0, selection="independent")
    assert (r["n_neurons"] == 4).all() and r.sizes["random"] == 5


def test_subject_bootstrap_ci_contains_estimate(planted):
    r = align(*planted, top_k=6, n_boot=200, subjects="pooled")
    assert r.attrs["subjects"] == "pooled" and "group_rho" not in r
    lo, hi = r["S_ci"].values
    assert lo <= float(r["S"]) <= hi and lo < hi
    assert r.sizes["boot"] == 200 and r.sizes["subjects"] == 3
    assert np.isfinite(r["S_subject"]).all()


def test_same_seed_same_result(planted, planted_result):
    m, b = planted
    again = align(m, b, top_k=6, n_boot=200)
    np.testing.assert_array_equal(again["group_p"], planted_result["group_p"])
    np.testing.assert_array_equal(again["p"], planted_result["p"])


def test_result_round_trips_through_netcdf(planted_result, tmp_path):
    io.save(planted_result, tmp_path / "r.nc")
    back = io.load(tmp_path / "r.nc")
    np.testing.assert_allclose(back["rho"], planted_result["rho"])
    assert back.attrs["band"] == planted_result.attrs["band"]


# ---------------------------------------------------------------------------------------------
# bad input


def test_fewer_than_three_conditions(planted):
    m, b = planted
    with pytest.raises(ValueError, match="'spectra'.*at least 3 conditions"):
        rdms(m.isel(condition=[0, 1]))
    with pytest.raises(ValueError, match="'model_spectra'.*at least 3 conditions"):
        align(m.isel(condition=[0, 1]), b.isel(condition=[0, 1]))


def test_mismatched_condition_names(planted):
    m, b = planted
    renamed = b.assign_coords(condition=[f"x{i}" for i in range(6)])
    with pytest.raises(ValueError, match=r"'brain_spectra'.*c0.*x0"):
        align(m, renamed)


def test_band_with_no_bins(planted):
    m, b = planted
    with pytest.raises(ValueError, match="'band'.*no frequency bins"):
        rdms(m, band=(1.01, 1.05))
    with pytest.raises(ValueError, match="'band'.*no frequency bins"):
        align(m, b, band=(5.0, 6.0))
    with pytest.raises(ValueError, match="'band'.*lo <= hi"):
        rdms(m, band=(1.0, 0.5))


def test_empty_layer_is_nan_with_warning(planted):
    m, b = planted
    mask = xr.DataArray(
        np.ones((5, 8), bool),
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    mask[1] = False
    with pytest.warns(UserWarning, match=r"layer \[1\]"):
        r = align(m, b, tagged=mask, n_random=3, n_boot=0, selection="independent")
    assert np.isnan(r["rho"].sel(layer=1)).all() and np.isnan(r["p"].sel(layer=1)).all()
    assert np.isfinite(r["rho"].sel(layer=2)).all()
    assert np.isfinite(float(r["S"])) and np.isnan(float(r["S_layer"].sel(layer=1)))
    with pytest.warns(UserWarning, match=r"layer \[1\]"):
        assert np.isnan(rdms(m, mask).sel(layer=1)).all()


def test_nonfinite_channel_is_left_out_with_warning(planted):
    m, b = planted
    bad = b.copy(deep=True)
    bad["sum_phase"][0, 0] = np.nan  # ch0 (region A) has no valid ITC in one condition
    with pytest.warns(UserWarning, match="non-finite"):
        per_region = rdms(bad, measure="itc", by="region")
    assert np.isfinite(per_region.values).all()
    assert int(per_region["n_channels"].sel(region="A")) == 5
    with pytest.warns(UserWarning, match=r"non-finite.*channel \['ch0'\]"):
        r = align(m, bad, top_k=6, n_boot=0)
    assert np.isnan(r["rho"].sel(channel="ch0")).all() and np.isnan(r["p"].sel(channel="ch0")).all()
    assert np.isfinite(r["rho"].drop_sel(channel="ch0")).all()
    assert np.isfinite(r["region_rho"]).all() and np.isfinite(float(r["S"]))


def test_top_k_below_one(planted):
    m, b = planted
    with pytest.raises(ValueError, match="'top_k'"):
        align(m, b, top_k=0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"metric": "cosin"}, "'metric'.*Did you mean 'cosine'"),
        ({"comparison": "pearson"}, "'comparison'"),
        ({"measure": "itcc"}, "'measure'"),
        ({"brain_measure": "pow"}, "'brain_measure'"),
        ({"q": 1.5}, "'q'"),
    ],
)
def test_bad_options(planted, kwargs, match):
    m, b = planted
    with pytest.raises(ValueError, match=match):
        align(m, b, **kwargs)


def test_bad_types(planted):
    m, b = planted
    with pytest.raises(TypeError, match="'tagged'"):
        align(m, b, tagged=np.ones((5, 8), bool), selection="independent")
    with pytest.raises(TypeError, match="'model_spectra'"):
        align(m["sum_x"], b)
    with pytest.raises(ValueError, match="'brain_spectra'.*channel"):
        align(m, m)
    with pytest.raises(ValueError, match="'by'"):
        rdms(b, by="lobe")


# ---------------------------------------------------------------------------------------------
# command line


def test_cli_align(planted, tmp_path):
    from typer.testing import CliRunner

    from hftp.apps.cli import app

    m, b = planted
    io.save(m, tmp_path / "m.nc")
    io.save(b, tmp_path / "b.nc")
    cat = np.full((5, 8), "phrase", dtype=object)
    cat[:, 5:] = "none"
    tagged = xr.Dataset(
        {"category": (("layer", "neuron"), cat)},
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    io.save(tagged, tmp_path / "t.nc")
    out = tmp_path / "a.nc"
    args = ["align", "--probe", str(tmp_path / "m.nc"), "--brain", str(tmp_path / "b.nc")]
    res = CliRunner().invoke(
        app,
        [
            *args,
            "--tagged",
            str(tmp_path / "t.nc"),
            "--out",
            str(out),
            "--top-k",
            "6",
            "--n-random",
            "4",
            "--selection",
            "independent",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["best_region"] == "A" and summary["best_region_layer"] == 2
    back = io.load(out)
    assert (back["n_neurons"] == 5).all() and back.sizes["random"] == 4
    bad = CliRunner().invoke(app, [*args, "--out", str(out), "--top-k", "0"])
    assert bad.exit_code == 2 and "top_k" in bad.output


def test_cli_align_refuses_same_data_selection_and_takes_a_selection_probe(planted, tmp_path):
    from typer.testing import CliRunner

    from hftp.apps.cli import app

    m, b = planted
    other, _ = _planted(seed=5)
    for name, ds in (("m", m), ("b", b), ("o", other)):
        io.save(ds, tmp_path / f"{name}.nc")
    mask = xr.DataArray(
        np.ones((5, 8), bool),
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    io.save(mask.to_dataset(name="significant"), tmp_path / "t.nc")
    args = ["align", "--probe", str(tmp_path / "m.nc"), "--brain", str(tmp_path / "b.nc")]
    args += ["--tagged", str(tmp_path / "t.nc"), "--out", str(tmp_path / "a.nc"), "--n-random", "3"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "selection_spectra" in res.output
    res = CliRunner().invoke(app, [*args, "--selection-probe", str(tmp_path / "o.nc"), "--json"])
    assert res.exit_code == 0, res.output
    assert io.load(tmp_path / "a.nc").attrs["selection"] == "independent"
