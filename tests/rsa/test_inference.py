"""Family-wise inference (maxT) and bias-corrected scores: known truth on simulated RDMs."""

from __future__ import annotations

import numpy as np
import pytest

from hftp.rsa.inference import (
    CORRECTIONS,
    chunk_slices,
    condition_permutations,
    maxt_p,
    pair_permutations,
    run_inference,
    summarize,
)

N_COND, N_PAIRS = 6, 15


def _run(model_rdm, brain_rdm, regions=None, **kw):
    coords = {} if regions is None else {"region": np.asarray(regions)}
    args = {
        "comparison": "spearman",
        "n_conditions": N_COND,
        "n_permutations": None,
        "top_k": 10,
        "group_coords": coords,
        "random": None,
        "n_boot": 0,
        "ci": 0.95,
        "q": 0.05,
        "seed": 0,
    }
    args.update(kw)
    out = run_inference(model_rdm=model_rdm, brain_rdm=brain_rdm, **args)
    return {k: v[1] for k, v in out["vars"].items()}


def _planted(rng, n_layers=4, n_channels=60, n_planted=6, noise=0.05):
    """240 cells; channels 0..5 carry layer 2's RDM (defect 2 of the issue)."""
    model = rng.random((n_layers, N_PAIRS))
    brain = rng.random((n_channels, N_PAIRS))
    brain[:n_planted] = model[2] + noise * rng.normal(size=(n_planted, N_PAIRS))
    return model, brain


def test_maxt_p_is_the_fraction_of_maxima_reaching_each_cell():
    rng = np.random.default_rng(0)
    obs = rng.normal(size=(3, 7))
    obs[0, 0] = np.nan
    max_null = rng.normal(size=200) + 1.0
    p = maxt_p(obs, max_null)
    brute = (max_null[None, None, :] >= obs[..., None] - 1e-10).mean(axis=-1)
    np.testing.assert_allclose(p[1:], brute[1:])
    assert np.isnan(p[0, 0])
    assert set(CORRECTIONS) == {"maxT", "bh"}


def test_maxt_finds_the_planted_channels_where_bh_cannot():
    rng = np.random.default_rng(2)
    model, brain = _planted(rng)
    r = _run(model, brain)
    assert r["rho"].size == 240
    planted = r["p_fwe"][2, :6]
    print("planted p_fwe", planted, "min BH q", np.nanmin(r["q"]))
    assert (planted <= 0.05).all() and r["significant"][2, :6].all()  # maxT is the default
    # BH over 240 cells with p >= 1/720: six planted cells give q = 240 / 720 / 6 = 0.056
    assert np.nanmin(r["q"]) > 0.05
    assert r["significant"].sum() <= 6 + 1  # at most a stray false positive
    bh = _run(model, brain, correction="bh")
    assert not bh["significant"].any()
    np.testing.assert_array_equal(bh["p_fwe"], r["p_fwe"])


def test_maxt_over_layer_by_region():
    rng = np.random.default_rng(2)
    model, brain = _planted(rng, n_channels=60)
    regions = np.repeat(np.array([f"r{i}" for i in range(10)]), 6)  # region r0 = planted
    r = _run(model, brain, regions=regions)
    assert r["region_p_fwe"].shape == (4, 10)
    assert r["region_p_fwe"][2, 0] <= 0.05 and r["region_significant"][2, 0]
    others = np.delete(r["region_p_fwe"].ravel(), 2 * 10)
    assert (others > 0.05).mean() > 0.9


@pytest.mark.slow
def test_null_familywise_error_is_at_most_alpha():
    rng = np.random.default_rng(11)
    regions = np.repeat(np.array([f"r{i}" for i in range(6)]), 10)
    any_cell, any_region = [], []
    for _ in range(500):
        r = _run(rng.random((4, N_PAIRS)), rng.random((60, N_PAIRS)), regions=regions)
        any_cell.append(bool(r["significant"].any()))
        any_region.append(bool(r["region_significant"].any()))
    fwer, fwer_r = np.mean(any_cell), np.mean(any_region)
    print(f"null FWER over 500 draws: layer × channel {fwer:.4f}, layer × region {fwer_r:.4f}")
    # 36/720 = 0.05 is the exact level; the binomial SD at 500 draws is 0.01 (1000 draws of
    # another seed: 0.049 and 0.041)
    assert fwer <= 0.05 + 0.02 and fwer_r <= 0.05 + 0.02
    assert fwer >= 0.01  # not so conservative that it cannot reject


def test_bias_corrected_s_has_null_mean_zero():
    rng = np.random.default_rng(4)
    regions = np.repeat(np.array(["a", "b", "c"]), 20)
    s, s_c, s_r, s_rc = [], [], [], []
    for _ in range(120):
        r = _run(rng.random((3, N_PAIRS)), rng.random((60, N_PAIRS)), regions=regions)
        s.append(r["S"])
        s_c.append(r["S_corrected"])
        s_r.append(r["S_region"])
        s_rc.append(r["S_region_corrected"])
        assert r["S_null"].shape == (720,)
        np.testing.assert_allclose(r["S_corrected"], r["S"] - r["S_null"].mean())
    print(f"null mean S {np.mean(s):.3f}, S - E_null[S] {np.mean(s_c):.4f}")
    assert np.mean(s) > 0.2  # top-k: S is biased upwards under the null
    assert abs(np.mean(s_c)) < 0.02
    assert np.mean(s_r) > 0.1 and np.all(np.abs(np.nanmean(s_rc, axis=0)) < 0.03)


def test_unknown_correction_is_refused():
    from hftp.rsa.alignment import align

    with pytest.raises(ValueError, match="'correction'"):
        align(None, None, correction="bonferroni")


def test_condition_permutations_exact_or_sampled_identity_first():
    rng = np.random.default_rng(0)
    perms, exact = condition_permutations(4, None, rng)
    assert exact and perms.shape == (24, 4) and len({tuple(p) for p in perms}) == 24
    np.testing.assert_array_equal(perms[0], np.arange(4))
    sampled, exact = condition_permutations(9, 50, np.random.default_rng(1))
    assert not exact and sampled.shape == (50, 9)
    np.testing.assert_array_equal(sampled[0], np.arange(9))
    assert (np.sort(sampled, axis=1) == np.arange(9)).all()  # each row a permutation
    again, _ = condition_permutations(9, 50, np.random.default_rng(1))
    np.testing.assert_array_equal(sampled, again)
    assert condition_permutations(4, 100, rng)[1]  # more than 4! asked: all of them


def test_pair_permutations_gather_the_relabelled_rdm():
    from scipy.spatial.distance import squareform

    rng = np.random.default_rng(2)
    full = squareform(rng.random(N_PAIRS))  # 6 conditions
    perms, _ = condition_permutations(N_COND, 30, rng)
    gathers = pair_permutations(perms)
    assert gathers.shape == (30, N_PAIRS)
    condensed = squareform(full)
    for p, g in zip(perms, gathers, strict=True):
        np.testing.assert_allclose(condensed[g], squareform(full[np.ix_(p, p)]))


def test_summarize_top_k_and_group_means():
    rho = np.array([[[0.9, 0.1, 0.5, np.nan], [0.2, 0.4, 0.8, 0.6]]])  # (N=1, L=2, K=4)
    regions = np.eye(2)[[0, 0, 1, 1]]  # channels 0, 1 in region 0; 2, 3 in region 1
    out = summarize(rho, 2, {"region": regions})
    np.testing.assert_allclose(out["S_layer"], [[0.7, 0.7]])  # (0.9+0.5)/2, (0.8+0.6)/2
    np.testing.assert_allclose(out["S"], [0.7])
    np.testing.assert_allclose(out["region_rho"], [[[0.5, 0.5], [0.3, 0.7]]])  # NaN skipped
    np.testing.assert_array_equal(out["n_top_region"], [[[1, 1], [0, 2]]])
    np.testing.assert_allclose(out["S_layer_region"][0, 0], [0.9, 0.5])
    assert np.isnan(out["S_layer_region"][0, 1, 0])  # no top channel of layer 1 in region 0
    np.testing.assert_allclose(out["S_region"], [[0.9, 0.6]])  # mean over layers with one


def test_chunk_slices_cover_everything_once():
    slices = list(chunk_slices(10, 700_000))  # 2 items per chunk of ~2 million values
    assert [(s.start, s.stop) for s in slices] == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10)]
    assert list(chunk_slices(3, 10**9)) == [slice(0, 1), slice(1, 2), slice(2, 3)]
    assert list(chunk_slices(0, 1)) == []
