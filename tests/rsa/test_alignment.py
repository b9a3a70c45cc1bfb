"""hftp.align: exact permutation inference, planted alignment, controls, items, bad input, the
real EEG, provenance. (The ``hftp align`` command is tested in tests/apps/cli/test_align.py.)"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr
from scipy.stats import kendalltau, spearmanr

import hftp
import hftp.spectral as sp
from hftp import io
from hftp.rsa.alignment import align, alignment_summary
from hftp.rsa.dissimilarity import rdms

CONDS = ["c0", "c1", "c2", "c3", "c4", "c5"]


# ---------------------------------------------------------------------------------------------
# comparisons and permutations inside align


def test_rho_is_spearman_over_upper_triangle(planted_result):
    r = planted_result
    for layer, ch in ((0, "ch0"), (2, "ch3"), (4, "ch15")):
        expected = spearmanr(r["model_rdm"].sel(layer=layer), r["brain_rdm"].sel(channel=ch))[0]
        assert float(r["rho"].sel(layer=layer, channel=ch)) == pytest.approx(expected, abs=1e-12)


def test_kendall_is_tau_a(planted_pair):
    m, b = planted_pair
    r = align(m, b, comparison="kendall", n_boot=0)
    x, y = r["model_rdm"].sel(layer=1).values, r["brain_rdm"].sel(channel="ch4").values
    i, j = np.triu_indices(x.size, 1)
    tau_a = np.mean(np.sign(x[i] - x[j]) * np.sign(y[i] - y[j]))
    assert float(r["rho"].sel(layer=1, channel="ch4")) == pytest.approx(tau_a, abs=1e-12)
    assert tau_a == pytest.approx(kendalltau(x, y)[0], abs=1e-12)  # no ties: tau-a == tau-b


@pytest.mark.parametrize("comparison", ["spearman", "kendall"])
def test_permutation_p_matches_brute_force(planted_pair, comparison):
    import itertools

    m, b = planted_pair
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


def test_exact_permutation_p_has_granularity_one_over_n_factorial(build):
    rng = np.random.default_rng(3)
    conds = CONDS[:4]
    m = build.model(rng, build.profiles(rng, 3, 4), conds=conds)
    b = build.brain(rng, build.profiles(rng, 10, 4), ["A"] * 10, ["s1"] * 10, conds=conds)
    r = align(m, b, top_k=3)
    assert r.attrs["n_permutations"] == 24 and r.attrs["permutation"] == "exact"
    assert r.sizes["permutation"] == 24
    p = r["p"].values
    np.testing.assert_allclose(p * 24, np.round(p * 24), atol=1e-9)
    assert p.min() >= 1 / 24 - 1e-12  # the identity is always in the null
    np.testing.assert_allclose(float(r["S_null"][0]), float(r["S"]))  # identity first


def test_s_p_is_exact_over_every_relabeling_of_the_brain(build):
    """S_p's exactness, with no simulation: relabel the brain's conditions in all 24 ways. Each
    relabeled data set's S_p is the share of the 24 data sets whose S is at least its own (the
    identity counted, the top k chosen again in each), so at most k of the 24 have S_p <= k/24:
    P(S_p <= a) <= a under any null where the conditions are exchangeable (ties, frequent
    with 6 pairs, only make it conservative). benchmarks/alignment_null.py checks the rate over
    thousands of simulated null data sets."""
    import itertools

    rng = np.random.default_rng(11)
    conds = CONDS[:4]
    m = build.model(rng, build.profiles(rng, 3, 4), conds=conds)
    b = build.brain(rng, build.profiles(rng, 9, 4), ["A", "B", "C"] * 3, ["s1"] * 9, conds=conds)
    out = {"S": [], "S_p": [], "S_region": [], "S_region_p": []}
    for order in itertools.permutations(conds):
        relabeled = b.assign_coords(condition=list(order)).sel(condition=conds)
        r = align(m, relabeled, top_k=3, n_random=0, n_boot=0)
        out["S"].append(float(r["S"]))
        out["S_p"].append(float(r["S_p"]))
        out["S_region"].append(float(r["S_region"].sel(regions="A")))
        out["S_region_p"].append(float(r["S_region_p"].sel(regions="A")))
    for key in ("S", "S_region"):
        stat, p = np.asarray(out[key]), np.asarray(out[f"{key}_p"])
        np.testing.assert_allclose(p, [(stat >= x - 1e-10).mean() for x in stat])
        assert (np.sort(p) >= np.arange(1, 25) / 24 - 1e-12).all()  # P(p <= k/24) <= k/24


def test_sampled_permutations_are_seeded(build):
    rng = np.random.default_rng(4)
    conds = CONDS[:4]
    m = build.model(rng, build.profiles(rng, 2, 4), conds=conds)
    b = build.brain(rng, build.profiles(rng, 6, 4), ["A"] * 6, ["s1"] * 6, conds=conds)
    r1 = align(m, b, n_permutations=10, seed=7)
    r2 = align(m, b, n_permutations=10, seed=7)
    assert r1.attrs["permutation"] == "sampled" and r1.sizes["permutation"] == 10
    np.testing.assert_array_equal(r1["S_null"], r2["S_null"])
    assert float(r1["p"].min()) >= 0.1 - 1e-12


def test_many_conditions_sample_permutations_by_default(build):
    rng = np.random.default_rng(5)
    conds = [f"k{i}" for i in range(9)]
    m = build.model(rng, build.profiles(rng, 2, 9), n_neurons=4, conds=conds)
    b = build.brain(rng, build.profiles(rng, 4, 9), ["A"] * 4, ["s1"] * 4, conds=conds)
    r = align(m, b, n_boot=0)
    assert r.attrs["permutation"] == "sampled" and r.attrs["n_permutations"] == 10_000
    assert float(r["p"].min()) >= 1e-4 - 1e-12


def test_three_conditions_warn_that_p_cannot_be_small(build):
    rng = np.random.default_rng(6)
    conds = CONDS[:3]
    m = build.model(rng, build.profiles(rng, 2, 3), conds=conds)
    b = build.brain(rng, build.profiles(rng, 4, 3), ["A"] * 4, ["s1"] * 4, conds=conds)
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


def test_shuffled_condition_labels_lose_the_match(build):
    m, b = build.planted(shuffle=True)
    r = align(m, b, top_k=6, n_boot=0)
    rr = r["region_rho"]
    li, ri = np.unravel_index(int(np.nanargmax(rr.values)), rr.shape)
    first = (int(r["layer"][li]), str(r["regions"][ri].values))
    assert not (first == (2, "A") and float(r["region_p"][li, ri]) < 0.05)
    assert float(r["region_p"].sel(layer=2, regions="A")) > 0.05


def test_pure_noise_brain_gives_roughly_uniform_p(build):
    rng = np.random.default_rng(100)
    m = build.model(rng, build.profiles(rng, 4))
    k = 40
    b = build.brain(rng, np.full((k, 6), np.nan), ["A"] * 20 + ["B"] * 20, ["s1"] * k)
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


def test_top_k_is_capped_at_channel_count(planted_pair):
    m, b = planted_pair
    r = align(m, b, n_boot=0)
    assert r.attrs["top_k"] == b.sizes["channel"] and r.attrs["top_k_requested"] == 100
    np.testing.assert_allclose(r["S_layer"].values, r["rho"].mean("channel").values)


def test_condition_order_is_aligned_by_name(planted_pair, planted_result):
    m, b = planted_pair
    r = align(m, b.isel(condition=[5, 3, 1, 0, 2, 4]), top_k=6, n_boot=0)
    np.testing.assert_allclose(r["rho"].values, planted_result["rho"].values)


def test_random_neuron_control(build):
    active = np.zeros((5, 20), bool)
    active[:, :3] = True  # only 3 of 20 neurons per layer carry the layer's profile
    m, b = build.planted(seed=1, active=active, n_neurons=20)
    coords = {"layer": m["layer"], "neuron": m["neuron"]}
    mask = xr.DataArray(active, dims=("layer", "neuron"), coords=coords)
    r = align(m, b, model_channels=mask, top_k=6, n_random=20, n_boot=0, selection="independent")
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
    again = align(
        m, b, model_channels=mask, top_k=6, n_random=20, n_boot=0, selection="independent"
    )
    np.testing.assert_array_equal(r["random_S"], again["random_S"])


def test_tagging_results_select_neurons(planted_pair):
    m, b = planted_pair
    cat = np.full((5, 8), "none", dtype=object)
    cat[:, :4] = "phrase"
    tagged = xr.Dataset(
        {"category": (("layer", "neuron"), cat)},
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    r = align(m, b, model_channels=tagged, n_random=5, n_boot=0, selection="independent")
    assert (r["n_neurons"] == 4).all() and r.sizes["random"] == 5
    assert r.attrs["verdict"] == "significant"
    sel = np.full((5, 8), "none", dtype=object)
    sel[:, :2] = "sentence"  # the selective neurons: a subset of the significant ones
    tagged["selective_category"] = (("layer", "neuron"), sel)
    r = align(m, b, tagged, verdict="selective", n_random=5, n_boot=0, selection="independent")
    assert (r["n_neurons"] == 2).all() and r.attrs["verdict"] == "selective"


def test_subject_bootstrap_ci_contains_estimate(planted_pair):
    r = align(*planted_pair, top_k=6, n_boot=200, subjects="pooled")
    assert r.attrs["subjects"] == "pooled" and "group_rho" not in r
    lo, hi = r["S_ci"].values
    assert lo <= float(r["S"]) <= hi and lo < hi
    assert r.sizes["boot"] == 200 and r.sizes["subjects"] == 3
    assert np.isfinite(r["S_subject"]).all()


def test_same_seed_same_result(planted_pair, planted_result):
    m, b = planted_pair
    again = align(m, b, top_k=6, n_boot=200)
    np.testing.assert_array_equal(again["group_p"], planted_result["group_p"])
    np.testing.assert_array_equal(again["p"], planted_result["p"])


def test_result_round_trips_through_netcdf(planted_result, tmp_path):
    io.save(planted_result, tmp_path / "r.nc")
    back = io.load(tmp_path / "r.nc")
    np.testing.assert_allclose(back["rho"], planted_result["rho"])
    assert back.attrs["band"] == planted_result.attrs["band"]


def test_the_rdms_are_those_of_hftp_rdms(planted_pair, planted_result):
    m, b = planted_pair
    r = planted_result
    np.testing.assert_allclose(r["model_rdm"].values, rdms(m).values, atol=1e-12)
    np.testing.assert_allclose(r["brain_rdm"].values, rdms(b, measure="itc").values, atol=1e-12)
    assert (r["n_neurons"] == 8).all() and r.attrs["tagged"] == "all neurons"
    assert r.attrs["selection"] == "none"


def test_hftp_align_is_this_function():
    assert hftp.align is align and hftp.rsa.align is align


def test_the_old_tagged_keyword_warns_and_still_selects(planted_pair, monkeypatch):
    from hftp import _deprecate

    monkeypatch.setattr(_deprecate, "_WARNED", set())  # warn-once state of this process
    m, b = planted_pair
    mask = xr.DataArray(
        np.ones((5, 8), bool),
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    mask[:, 4:] = False
    kw = {"n_random": 0, "n_boot": 0, "selection": "independent"}
    new = align(m, b, model_channels=mask, **kw)
    with pytest.warns(FutureWarning, match=r"align\(tagged=...\).*align\(model_channels=...\)"):
        old = align(m, b, tagged=mask, **kw)
    np.testing.assert_array_equal(old["rho"].values, new["rho"].values)
    assert (old["n_neurons"] == 4).all()
    with pytest.raises(TypeError, match="both 'tagged'"):
        align(m, b, tagged=mask, model_channels=mask, **kw)


def test_alignment_summary_reads_the_key_numbers(planted_result):
    s = alignment_summary(planted_result)
    assert s["best_layer"] in planted_result["layer"].values
    assert s["S"] == pytest.approx(float(planted_result["S"]))
    assert s["n_significant"] == int(planted_result["significant"].sum())
    assert s["correction"] == "maxT" and s["subjects"] == "random-effect"
    with pytest.raises(TypeError, match="'result'"):
        alignment_summary({"rho": 1})
    with pytest.raises(ValueError, match="'result'.*alignment result"):
        alignment_summary(planted_result[["S"]])


# ---------------------------------------------------------------------------------------------
# bad input


def test_fewer_than_three_conditions(planted_pair):
    m, b = planted_pair
    with pytest.raises(ValueError, match="'model_spectra'.*at least 3 conditions"):
        align(m.isel(condition=[0, 1]), b.isel(condition=[0, 1]))


def test_mismatched_condition_names(planted_pair):
    m, b = planted_pair
    renamed = b.assign_coords(condition=[f"x{i}" for i in range(6)])
    with pytest.raises(ValueError, match=r"'brain_spectra'.*c0.*x0"):
        align(m, renamed)


def test_band_with_no_bins(planted_pair):
    m, b = planted_pair
    with pytest.raises(ValueError, match="'band'.*no frequency bins"):
        align(m, b, band=(5.0, 6.0))
    with pytest.raises(ValueError, match="'band'.*lo <= hi"):
        align(m, b, band=(1.0, 0.5))


def test_empty_layer_is_nan_with_warning(planted_pair):
    m, b = planted_pair
    mask = xr.DataArray(
        np.ones((5, 8), bool),
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    mask[1] = False
    with pytest.warns(UserWarning, match=r"layer \[1\]"):
        r = align(m, b, model_channels=mask, n_random=3, n_boot=0, selection="independent")
    assert np.isnan(r["rho"].sel(layer=1)).all() and np.isnan(r["p"].sel(layer=1)).all()
    assert np.isfinite(r["rho"].sel(layer=2)).all()
    assert np.isfinite(float(r["S"])) and np.isnan(float(r["S_layer"].sel(layer=1)))


def test_nonfinite_channel_is_left_out_with_warning(planted_pair):
    m, b = planted_pair
    bad = b.copy(deep=True)
    bad["sum_phase"][0, 0] = np.nan  # ch0 (region A) has no valid ITC in one condition
    with pytest.warns(UserWarning, match=r"non-finite.*channel \['ch0'\]"):
        r = align(m, bad, top_k=6, n_boot=0)
    assert np.isnan(r["rho"].sel(channel="ch0")).all() and np.isnan(r["p"].sel(channel="ch0")).all()
    assert np.isfinite(r["rho"].drop_sel(channel="ch0")).all()
    assert np.isfinite(r["region_rho"]).all() and np.isfinite(float(r["S"]))


def test_top_k_below_one(planted_pair):
    m, b = planted_pair
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
def test_bad_options(planted_pair, kwargs, match):
    m, b = planted_pair
    with pytest.raises(ValueError, match=match):
        align(m, b, **kwargs)


def test_bad_types(planted_pair):
    m, b = planted_pair
    with pytest.raises(TypeError, match="'model_channels'"):
        align(m, b, model_channels=np.ones((5, 8), bool), selection="independent")
    with pytest.raises(TypeError, match="'model_spectra'"):
        align(m["sum_x"], b)
    with pytest.raises(ValueError, match="'brain_spectra'.*channel"):
        align(m, m)
    with pytest.raises(ValueError, match="'model_spectra'.*layer, neuron"):
        align(b, b)


# ---------------------------------------------------------------------------------------------
# items: align over items (sampled permutations of item labels, identity included) recovers a
# planted alignment (that the simulator writes items and the reader keeps them: tests/brain)

SFREQ, NT = 4.0, 64
T = np.arange(NT) / SFREQ
TAGGED_HZ = {"sentence": 0.5, "phrase": 1.0}


def _wave(theta, amp):
    return np.asarray(amp)[..., None] * (
        np.cos(theta)[..., None] * np.cos(2 * np.pi * 0.5 * T)
        + np.sin(theta)[..., None] * np.cos(2 * np.pi * 1.0 * T)
    )


def test_planted_item_level_alignment_is_recovered():
    rng = np.random.default_rng(0)
    items = [f"sentences/{k:03d}" for k in range(12)] + [f"random-words/{k:03d}" for k in range(12)]
    n_layers, n_neurons = 4, 6
    theta = rng.uniform(0, np.pi / 2, (n_layers, len(items)))  # each layer's item profile
    model = {
        it: _wave(theta[:, None, i].repeat(n_neurons, 1), 2.0)
        + rng.normal(size=(1, n_layers, n_neurons, NT))
        for i, it in enumerate(items)
    }
    regions = np.array(["A"] * 4 + ["B"] * 4)
    brain = {
        it: _wave(np.where(regions == "A", theta[1, i], rng.uniform(0, np.pi / 2, 8)), 1.5)
        + rng.normal(size=(1, 8, NT))
        for i, it in enumerate(items)
    }
    m = sp.make_spectra(
        model, sfreq=SFREQ, tagged_hz=TAGGED_HZ, channel_dims=("layer", "neuron"), kind="model"
    )
    coords = {"channel": [f"c{i}" for i in range(8)], "region": ("channel", regions)}
    b = sp.make_spectra(brain, sfreq=SFREQ, tagged_hz=TAGGED_HZ, channel_coords=coords)
    r = align(m, b, measure="evoked", brain_measure="evoked", n_permutations=2000, seed=0)
    assert r.attrs["permutation"] == "sampled" and r.attrs["n_permutations"] == 2000
    assert r.sizes["pair"] == 24 * 23 // 2
    best = np.unravel_index(int(np.nanargmax(r["region_rho"].values)), r["region_rho"].shape)
    assert (r["layer"].values[best[0]], str(r["regions"].values[best[1]])) == (1, "A")
    assert float(r["region_p_fwe"].sel(layer=1, regions="A")) <= 0.01
    assert float(r["region_p"].min()) >= 1 / 2000  # identity included
    # the other region's cells stay null
    assert (r["region_p_fwe"].sel(regions="B") > 0.05).all()


# ---------------------------------------------------------------------------------------------
# the real scalp EEG (eeg-phrases, 20 participants), with SmolLM2 fed the same word lists per
# condition; skipped without the data or the model. The stream each trial played is not recorded
# in eeg-phrases (the stimulus file numbers do not match the trial codes), so the RDMs are over
# the six conditions, not over items. The spectra come from the session fixture
# ``eeg_and_model`` (tests/conftest.py), which probes these layers:
LAYERS = [0, 4, 8, 12]


@pytest.fixture(scope="module")
def eeg_result(eeg_and_model):
    eeg, mspec = eeg_and_model
    assert list(mspec["layer"].values) == LAYERS
    # participants P1–P4 lack some conditions: their channels are left out of those RDMs, with a warning
    with pytest.warns(UserWarning, match="non-finite values of the measure"):
        return align(mspec, eeg, seed=0, n_random=0)


@pytest.mark.slow
def test_subject_level_analysis_runs_on_the_real_eeg(eeg_result):
    r = eeg_result
    assert r.attrs["subjects"] == "random-effect" and r.attrs["cell_by"] == "label"
    assert r.sizes["subjects"] == 20 and r.sizes["cell"] == 32
    assert r["subject_rho"].shape == (20, len(LAYERS), 32)
    assert np.isfinite(r["group_rho"]).all() and np.isfinite(r["group_p_fwe"]).all()
    lo, hi = r["group_ci"].sel(bound="lower"), r["group_ci"].sel(bound="upper")
    assert (lo <= r["group_rho"]).all() and (r["group_rho"] <= hi).all()
    nc = r["noise_ceiling"]
    assert (nc.sel(ceiling="lower") <= nc.sel(ceiling="upper") + 1e-12).all()
    # sampled sign flips (2^20 > 10000), identity included: p >= 1/10000
    assert r.attrs["flips"] == "sampled" and float(r["group_p"].min()) >= 1e-4
    s = alignment_summary(r)
    print({k: v for k, v in s.items() if k.startswith(("group_", "S"))})
    assert s["group_best_layer"] in LAYERS and s["n_subjects"] == 20


# ---------------------------------------------------------------------------------------------
# provenance: mixed inputs refused, the brain data's source carried into the result


def test_tagged_neurons_of_another_model_are_refused(planted_pair):
    m, b = planted_pair
    m = m.assign_attrs(model="model-a")
    mask = xr.DataArray(
        np.ones((m.sizes["layer"], m.sizes["neuron"]), bool),
        dims=("layer", "neuron"),
        coords={"layer": m["layer"], "neuron": m["neuron"]},
    )
    other = mask.to_dataset(name="significant").assign_attrs(model="model-b")
    other["category"] = xr.where(mask, "sentence", "none")
    with pytest.raises(ValueError, match="different model.*'model-a'.*'model-b'.*allow_mixed"):
        align(m, b, model_channels=other, selection="independent", n_boot=0)
    r = align(
        m, b, model_channels=other, selection="independent", n_boot=0, n_random=0, allow_mixed=True
    )
    assert r.attrs["model"] == "model-a"


@pytest.mark.parametrize(
    ("brain_attrs", "kind"),
    [
        ({"modality": "iEEG (simulated)", "source": "/x/sim"}, "simulated"),
        ({"modality": "EEG (scalp)", "source": "/x/eeg.mat"}, "real"),
        ({"source_kind": "real", "dataset": "ds01", "source": "/x/sub-01"}, "real"),
        ({}, "unknown"),
    ],
)
def test_brain_source_travels_into_the_result(planted_pair, brain_attrs, kind, tmp_path):
    m, b = planted_pair
    b = b.copy()
    b.attrs = {k: v for k, v in b.attrs.items() if k not in ("modality", "source")}
    b.attrs.update(brain_attrs)
    r = align(m, b, n_boot=0, n_permutations=50)
    assert r.attrs["brain_source_kind"] == kind
    if "dataset" in brain_attrs:
        assert r.attrs["brain_dataset"] == "ds01"
    saved = io.load(io.save(r, tmp_path / "r.nc"))
    assert saved.attrs["brain_source_kind"] == kind
