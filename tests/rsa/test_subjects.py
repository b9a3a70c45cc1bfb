"""Subjects as a random effect: sign-flip maxT across subjects, group CI, noise ceiling."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from hftp.rsa.subjects import noise_ceiling, sign_flips, subject_inference

N_PAIRS = 15


def _coords(n_sub, labels, regions=None):
    subj = np.repeat([f"s{i:02d}" for i in range(n_sub)], len(labels))
    out = {"subject": subj, "label": np.tile(np.asarray(labels), n_sub)}
    if regions is not None:
        out["region"] = np.tile(np.asarray(regions), n_sub)
    return out


def _run(model_rdm, brain_rdm, coords, **kw):
    args = {
        "comparison": "spearman",
        "correction": "maxT",
        "n_flips": None,
        "ci": 0.95,
        "q": 0.05,
        "seed": 0,
    }
    args.update(kw)
    names = np.array(
        [
            f"{s}/{lab}"
            for s, lab in zip(
                coords["subject"], coords.get("label", coords["subject"]), strict=True
            )
        ]
    )
    out = subject_inference(
        model_rdm=model_rdm, brain_rdm=brain_rdm, coords=coords, channel_names=names, **args
    )
    return {k: v[1] for k, v in out["vars"].items()}, out


def _planted(rng, n_sub=10, n_elec=12, n_layers=4, noise=1.0, planted=(0, 1)):
    """Electrodes ``planted`` of every subject follow layer 2's RDM plus subject noise."""
    model = rng.random((n_layers, N_PAIRS))
    brain = rng.random((n_sub, n_elec, N_PAIRS))
    for e in planted:
        brain[:, e] = model[2] + noise * rng.random((n_sub, N_PAIRS))
    return model, brain.reshape(-1, N_PAIRS), _coords(n_sub, [f"e{i}" for i in range(n_elec)])


def test_sign_flips_exact_and_sampled():
    flips, exact = sign_flips(4, None, np.random.default_rng(0))
    assert exact and flips.shape == (16, 4) and (flips[0] == 1).all()
    assert len({tuple(f) for f in flips}) == 16
    flips, exact = sign_flips(20, None, np.random.default_rng(0))
    assert not exact and flips.shape == (10_000, 20) and (flips[0] == 1).all()


def test_planted_electrodes_are_found_across_subjects():
    model, brain, coords = _planted(np.random.default_rng(0))
    r, out = _run(model, brain, coords)
    assert out["attrs"]["cell_by"] == "label" and out["attrs"]["n_flips"] == 1024
    cells = list(out["coords"]["cell"])
    hit = [cells.index("e0"), cells.index("e1")]
    assert (r["group_p_fwe"][2, hit] <= 0.05).all() and r["group_significant"][2, hit].all()
    assert r["group_significant"].sum() <= 3
    lo, hi = r["group_ci"][2, hit].T
    assert (lo > 0).all() and (lo <= r["group_rho"][2, hit]).all()
    assert (r["group_rho"][2, hit] <= hi).all()
    assert r["subject_rho"].shape == (10, 4, 12)
    np.testing.assert_allclose(r["group_rho"], r["subject_rho"].mean(axis=0))
    # the smallest attainable p with 10 subjects is 1/1024
    assert np.nanmin(r["group_p"]) >= 1 / 1024 - 1e-12


def test_null_familywise_error_across_subjects():
    rng = np.random.default_rng(1)
    hits = []
    for _ in range(150):
        model = rng.random((3, N_PAIRS))
        brain = rng.random((8 * 10, N_PAIRS))
        r, _ = _run(model, brain, _coords(8, [f"e{i}" for i in range(10)]))
        hits.append(bool(r["group_significant"].any()))
    print(f"null FWER across subjects (150 draws, 8 subjects, 30 cells): {np.mean(hits):.3f}")
    assert np.mean(hits) <= 0.05 + 0.035  # binomial SD at 150 draws: 0.018


def test_noise_ceiling_bounds():
    rng = np.random.default_rng(2)
    common = rng.random(N_PAIRS)
    cell_rdms = common + 0.3 * rng.random((8, 2, N_PAIRS))
    cell_rdms[:, 1] = rng.random((8, N_PAIRS))  # cell 1: no shared structure
    nc = noise_ceiling(cell_rdms, "spearman")
    assert nc.shape == (2, 2)
    lo, hi = nc[0]
    assert 0.5 < lo < hi <= 1.0
    assert nc[1, 0] < 0.35 and nc[1, 0] < nc[1, 1]
    from scipy.stats import rankdata, spearmanr

    # the bounds compare each subject with the mean of the subjects' rank-transformed RDMs (a
    # rank-based comparison pools orders, not scales: rsatoolbox's pool_rdm), not of the raw RDMs
    x = cell_rdms[:, 1]
    r = rankdata(x, axis=-1)
    loo = np.mean([spearmanr(x[s], np.delete(r, s, 0).mean(0))[0] for s in range(8)])
    up = np.mean([spearmanr(x[s], r.mean(0))[0] for s in range(8)])
    np.testing.assert_allclose(nc[1], [loo, up])
    raw = np.mean([spearmanr(x[s], x.mean(0))[0] for s in range(8)])
    assert abs(raw - up) > 1e-6  # the raw mean gives another ceiling
    same = np.repeat(common[None, None], 5, axis=0)
    np.testing.assert_allclose(noise_ceiling(same, "spearman")[0], [1.0, 1.0])


def test_noise_ceiling_pools_ranks_whatever_each_subjects_scale():
    """A monotone transform of one subject's RDM (another scale, the same order) leaves a
    rank-based ceiling unchanged; with the raw mean it would move."""
    rng = np.random.default_rng(5)
    cell_rdms = rng.random(N_PAIRS) + 0.5 * rng.random((6, 1, N_PAIRS))
    scaled = cell_rdms.copy()
    scaled[0] = np.exp(20 * scaled[0])  # one subject with a huge, skewed scale
    for comparison in ("spearman", "kendall"):
        np.testing.assert_allclose(
            noise_ceiling(scaled, comparison), noise_ceiling(cell_rdms, comparison), atol=1e-12
        )


@pytest.mark.parametrize(("comparison", "method"), [("spearman", "spearman"), ("kendall", "tau-a")])
def test_noise_ceiling_equals_rsatoolbox(comparison, method):
    """hftp's noise ceiling is rsatoolbox's boot_noise_ceiling (Nili et al. 2014), per cell."""
    rsatoolbox = pytest.importorskip("rsatoolbox")
    rng = np.random.default_rng(6)
    n_sub, n_cond = 7, 8  # 28 pairs
    common = rng.random(n_cond * (n_cond - 1) // 2)
    cell_rdms = np.stack(
        [common + 0.6 * rng.random((n_sub, common.size)), rng.random((n_sub, common.size))], 1
    )
    cell_rdms[2, 0, 3] = cell_rdms[2, 0, 4]  # a tie
    nc = noise_ceiling(cell_rdms, comparison)
    for c in range(cell_rdms.shape[1]):
        rdms = rsatoolbox.rdm.RDMs(cell_rdms[:, c], dissimilarity_measure="euclidean")
        # for tau, rsatoolbox notes that it pools averaged ranks (as hftp does)
        said = (
            pytest.warns(UserWarning, match="averaged ranks")
            if method == "tau-a"
            else contextlib.nullcontext()
        )
        with said:
            lower, upper = rsatoolbox.inference.boot_noise_ceiling(rdms, method=method)
        np.testing.assert_allclose(nc[c], [lower, upper], atol=1e-12)


def test_regions_are_cells_when_channels_differ():
    rng = np.random.default_rng(3)
    model = rng.random((3, N_PAIRS))
    subj, regions, rows = [], [], []
    for s in range(8):
        n = 3 + s % 3  # different channel counts per subject
        for c in range(n):
            subj.append(f"s{s}")
            regions.append("A" if c < 2 else "B")
            rows.append(model[1] + 0.8 * rng.random(N_PAIRS) if c < 2 else rng.random(N_PAIRS))
    coords = {"subject": np.array(subj), "region": np.array(regions)}
    r, out = _run(model, np.array(rows), coords)
    assert out["attrs"]["cell_by"] == "region" and list(out["coords"]["cell"]) == ["A", "B"]
    assert r["group_p_fwe"][1, 0] <= 0.05 and r["group_p_fwe"][1, 1] > 0.05


def test_channels_that_differ_without_regions_are_refused():
    coords = {"subject": np.array(["a", "a", "b"]), "label": np.array(["x", "y", "x"])}
    with pytest.raises(ValueError, match="'brain_spectra'.*different channels.*pooled"):
        _run(
            np.random.default_rng(0).random((2, N_PAIRS)),
            np.random.default_rng(1).random((3, N_PAIRS)),
            coords,
        )


def _spectra(seed=0, n_sub=6, n_elec=6, n_layers=4):
    """Model layers with their own condition profiles; electrodes e0, e1 of every subject follow
    layer 2's profile (amplitude at 0.5 Hz vs 1 Hz per condition), the others are noise."""
    import hftp.spectral as sp

    rng = np.random.default_rng(seed)
    conds = [f"c{i}" for i in range(6)]
    t = np.arange(64) / 4.0
    lo, hi = np.cos(2 * np.pi * 0.5 * t), np.cos(2 * np.pi * 1.0 * t)
    theta = rng.uniform(0, np.pi / 2, (n_layers, 6))

    def wave(th, amp):
        return np.asarray(amp)[..., None] * (
            np.cos(th)[..., None] * lo + np.sin(th)[..., None] * hi
        )

    model = {
        c: wave(theta[:, None, i], 2.0) + rng.normal(size=(10, n_layers, 8, 64))
        for i, c in enumerate(conds)
    }
    k = n_sub * n_elec
    on = np.tile(np.arange(n_elec) < 2, n_sub)
    brain = {
        c: wave(np.full(k, theta[2, i]), 0.6 * on) + rng.normal(size=(20, k, 64))
        for i, c in enumerate(conds)
    }
    tagged_hz = {"sentence": 0.5, "phrase": 1.0}
    coords = {
        "channel": [f"s{s}/e{e}" for s in range(n_sub) for e in range(n_elec)],
        "subject": ("channel", np.repeat([f"s{s}" for s in range(n_sub)], n_elec)),
        "label": ("channel", np.tile([f"e{e}" for e in range(n_elec)], n_sub)),
    }
    m = sp.make_spectra(
        model, sfreq=4.0, tagged_hz=tagged_hz, channel_dims=("layer", "neuron"), kind="model"
    )
    b = sp.make_spectra(brain, sfreq=4.0, tagged_hz=tagged_hz, channel_coords=coords)
    return m, b


def test_align_adds_the_random_effect_by_default():
    from hftp.rsa.alignment import align, alignment_summary

    m, b = _spectra()
    r = align(m, b, top_k=6)
    assert r.attrs["subjects"] == "random-effect" and r.attrs["cell_by"] == "label"
    assert r["group_rho"].dims == ("layer", "cell") and "S_boot" not in r
    assert r["group_significant"].sel(layer=2, cell=["e0", "e1"]).all()
    assert int(r["group_significant"].sum()) <= 3
    assert r["noise_ceiling"].dims == ("cell", "ceiling")
    summ = alignment_summary(r)
    assert summ["group_best_layer"] == 2 and summ["group_best_cell"] in ("e0", "e1")
    assert summ["group_n_significant"] >= 2
    pooled = align(m, b, top_k=6, subjects="pooled", n_boot=20)
    assert "group_rho" not in pooled and pooled.sizes["boot"] == 20
    with pytest.raises(ValueError, match="'subjects'"):
        align(m, b, subjects="mixed")
    with pytest.raises(ValueError, match="'n_flips'"):
        align(m, b, n_flips=1)
