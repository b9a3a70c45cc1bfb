"""Calibrated mode on planted truth: the conjunction as one family, evoked-matched specificity,
the brain default under a slow potential, pooled subjects, harmonic-free neighbors, the SNR at
Nyquist, Nyquist phases and power under nuisance; its params record and its tests against naive
implementations.

Simulations are vectorised: each builds all trials of all channels in one array.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import hftp.spectral as sp
from hftp import _deprecate
from hftp.tagging import calibrated
from hftp.tagging.calibrated import (
    DEFAULT_SPECIFICITY,
    SPECIFICITY,
    TAG_TESTS,
    CalibratedParams,
    conjunction,
    label_permutations,
    rayleigh_p,
)
from hftp.tagging.pipeline import find_tagged
from hftp.testing import planted_spectra

RATE, N, K = 4.0, 200, 20
TAGGED = {"sentence": 1.0, "phrase": 2.0}
OFF_NYQ = {"sentence": 4.0 / 6, "phrase": 4.0 / 3}


def _cos(f, amp, phase, n=N, rate=RATE):
    t = np.arange(n)
    return amp * np.cos(2 * np.pi * f * t / rate + np.asarray(phase)[..., None])


def spectra_from(trials, *, tagged_hz=TAGGED, kind="model", sfreq=RATE):
    return sp.make_spectra(trials, sfreq=sfreq, tagged_hz=tagged_hz, kind=kind)


def fdp(called, false):
    n = called.sum()
    return (called & false).sum() / n if n else 0.0


# ------------------------------------------------------------------------------------------
# defect 1: the conjunction is one family


def conjunction_scenario(seed, n=2000, amp=0.3, tagged_hz=OFF_NYQ):
    """20% tagged equally in both conditions; 20% broadband-louder in exp, untagged; 5% truly
    tagged and specific (amplitude ``amp`` in exp only); the rest noise."""
    rng = np.random.default_rng(seed)
    f = tagged_hz["sentence"]
    n_t = 204
    equal = np.arange(n) < 0.2 * n
    louder = (np.arange(n) >= 0.2 * n) & (np.arange(n) < 0.4 * n)
    true = (np.arange(n) >= 0.4 * n) & (np.arange(n) < 0.45 * n)
    phase = rng.uniform(0, 2 * np.pi, n)
    sig = _cos(f, 1.0, phase, n_t)
    exp = rng.standard_normal((K, n, n_t))
    ctrl = rng.standard_normal((K, n, n_t))
    exp[:, equal] += sig[equal]
    ctrl[:, equal] += sig[equal]
    exp[:, louder] *= 1.5  # more power at every frequency, no phase locking
    exp[:, true] += amp / 1.0 * sig[true] / 1.0
    s = spectra_from({"exp": exp, "ctrl": ctrl}, tagged_hz=tagged_hz)
    return s, equal, louder, true


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_conjunction_fdp_and_power(seed):
    s, equal, louder, true = conjunction_scenario(seed)
    r = find_tagged(s, "exp", "ctrl", levels="sentence")
    sig = r["significant"].values[:, 0]
    assert fdp(sig, ~true) <= 0.05
    assert sig[true].mean() >= 0.8  # amplitude 0.3 SD, 20 trials
    assert r.attrs["conjunction"] == "intersection-union"
    # the separate-BH AND of the two families, reported for description, is not controlled here
    naive = (r["above_neighbors"] & r["specific"]).values[:, 0]
    assert (naive & louder).sum() == 0 or fdp(naive, ~true) >= fdp(sig, ~true)


def test_separate_families_fail_where_conjunction_holds():
    """Defect 1 with induced specificity (the old default): the AND is mostly false."""
    s, equal, louder, true = conjunction_scenario(5, amp=0.0)
    r = find_tagged(s, "exp", "ctrl", levels="sentence", mode_params={"specificity": "induced"})
    naive = (r["above_neighbors"] & r["specific"]).values[:, 0]
    sig = r["significant"].values[:, 0]
    assert naive.sum() > 0 and fdp(naive, ~true) == 1.0  # all false: nothing is true here
    assert sig.mean() <= 0.05 * (~true).mean() + 0.01


# ------------------------------------------------------------------------------------------
# defect 2: specificity measures the same quantity as tagging


@pytest.mark.parametrize("seed", [0, 1])
def test_evoked_specificity_ignores_noisier_trials(seed):
    rng = np.random.default_rng(seed)
    n = 1000
    sig = _cos(OFF_NYQ["sentence"], 0.1, rng.uniform(0, 2 * np.pi, n), 204)
    exp = sig + 2.0 * rng.standard_normal((K, n, 204))  # same evoked response, noisier trials
    ctrl = sig + rng.standard_normal((K, n, 204))
    s = spectra_from({"exp": exp, "ctrl": ctrl}, tagged_hz=OFF_NYQ)
    r = find_tagged(s, "exp", "ctrl", levels="sentence")
    assert r.attrs["specificity"] == "evoked"
    assert float(r["specific"].mean()) <= 0.05
    assert float(r["significant"].mean()) <= 0.05
    induced = find_tagged(
        s, "exp", "ctrl", levels="sentence", mode_params={"specificity": "induced"}
    )
    assert float(induced["specific"].mean()) > 0.2  # what the induced-power option measures


def test_evoked_specificity_power():
    rng = np.random.default_rng(4)
    n = 1000
    ph = rng.uniform(0, 2 * np.pi, n)
    exp = _cos(OFF_NYQ["sentence"], 0.6, ph, 204) + rng.standard_normal((K, n, 204))
    ctrl = _cos(OFF_NYQ["sentence"], 0.3, ph, 204) + rng.standard_normal((K, n, 204))
    s = spectra_from({"exp": exp, "ctrl": ctrl}, tagged_hz=OFF_NYQ)
    r = find_tagged(s, "exp", "ctrl", levels="sentence")
    assert float(r["specific"].mean()) >= 0.8


# ------------------------------------------------------------------------------------------
# defect 4: the brain default has a neighbor control


def slow_potential(seed, *, n_null=400, n_plant=100, amp=1.0, slow=1.0):
    """250 Hz, 4-s trials, 30 trials: a trial-locked 1-SD slow potential, 1/f noise and drift on
    every channel; ``n_plant`` channels add a phase-locked 1 Hz response of ``amp`` SDs."""
    rng = np.random.default_rng(seed)
    rate, n_t, k = 250.0, 1000, 30
    n = n_null + n_plant
    t = np.arange(n_t) / rate
    bump = slow * np.exp(-0.5 * ((t - 0.5) / 0.2) ** 2)
    f = np.fft.rfftfreq(n_t, 1 / rate)
    shaping = 1.0 / np.sqrt(np.maximum(f, 0.25))
    shaping /= np.sqrt(np.mean(shaping**2))
    white = rng.standard_normal((k, n, n_t))
    x = np.fft.irfft(np.fft.rfft(white, axis=-1) * shaping, n=n_t, axis=-1)
    x += rng.normal(0, 0.5, (k, n, 1)) * (t / t[-1] - 0.5) + bump
    x[:, n_null:] += amp * np.cos(2 * np.pi * t + rng.uniform(0, 2 * np.pi, (n_plant, 1)))
    return sp.make_spectra(
        {"exp": x}, sfreq=rate, tagged_hz={"sentence": 1.0, "phrase": 2.0}, kind="brain"
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_brain_default_under_slow_potential(seed):
    s = slow_potential(seed)
    r = find_tagged(s, "exp", levels="sentence")
    assert r.attrs["measure"] == "evoked"
    sig = r["significant"].values[:, 0]
    assert sig[:400].mean() <= 0.02
    assert sig[400:].mean() >= 0.8
    ray = find_tagged(s, "exp", levels="sentence", mode_params={"measure": "itc"})
    assert ray["significant"].values[:400, 0].mean() > 0.02  # plain Rayleigh is fooled
    nb = find_tagged(s, "exp", levels="sentence", mode_params={"measure": "itc-neighbor"})
    assert nb["significant"].values[:400, 0].mean() <= 0.02


# ------------------------------------------------------------------------------------------
# defect 3: pooled subjects with unequal trial counts


def _subject(name, n_trials, seed):
    rng = np.random.default_rng(seed)
    n = 60
    x = rng.standard_normal((n_trials, n, 204))
    x[:, :20] += _cos(OFF_NYQ["sentence"], 0.6, rng.uniform(0, 6.28, 20), 204)
    c = rng.standard_normal((n_trials, n, 204))
    s = spectra_from({"exp": x, "ctrl": c}, tagged_hz=OFF_NYQ, kind="brain")
    return s.assign_coords(channel=[f"e{i}" for i in range(n)], subject=("channel", [name] * n))


def test_pooled_subjects_30_and_22_trials():
    from hftp.brain.subjects import concat_subjects
    from hftp.tagging.responsive import responsive_channels

    pooled = concat_subjects([_subject("s1", 30, 0), _subject("s2", 22, 1)])
    assert pooled["n_trials"].dims == ("condition", "channel")
    r = find_tagged(pooled, "exp", "ctrl", levels="sentence")
    sig = r["significant"].values[:, 0]
    planted = np.r_[np.arange(20), 60 + np.arange(20)]
    assert sig[planted].mean() >= 0.8
    assert np.delete(sig, planted).mean() <= 0.1
    table = responsive_channels(pooled, control="ctrl", levels="sentence")
    assert len(table) == 120 and table["significant"].sum() == sig.sum()
    with pytest.raises(ValueError, match="specificity='evoked'"):
        find_tagged(
            pooled, "exp", "ctrl", levels="sentence", mode_params={"specificity": "permutation"}
        )


# ------------------------------------------------------------------------------------------
# defect 5: neighbors leave out other tagged frequencies and their harmonics


def test_shared_channel_power_with_harmonic_free_neighbors():
    """Short trials: the 2 Hz bin neighbors 1 Hz, and is left out of its neighbor set."""
    rng = np.random.default_rng(0)
    n = 2000
    t = np.arange(16)
    sig = 0.5 * np.cos(np.pi * t / 2) + 0.5 * np.cos(np.pi * t)  # shared: 1 and 2 Hz
    x = rng.standard_normal((K, n, 16)) + sig
    s = spectra_from({"exp": x}, tagged_hz={"sentence": 1.0, "phrase": 2.0})
    r = find_tagged(s, "exp", mode_params={"n_neighbors": 3, "skip": 0})
    assert r.attrs["excluded_neighbor_hz"] == "[1.0, 2.0]"
    assert float(r["significant"].sel(level="sentence").mean()) >= 0.8


# ------------------------------------------------------------------------------------------
# defect 6: SNR comparable across bins


def test_snr_dof_scaled_at_nyquist():
    """A period-2 response and a sinusoid of the same power get the same SNR."""
    rng = np.random.default_rng(1)
    n, t = 4000, np.arange(N)
    nyq = np.sqrt(0.5) * 0.3 * (-1.0) ** t  # power 0.045, like a 0.3-amplitude sinusoid
    x = rng.standard_normal((K, n, N)) + nyq + _cos(1.0, 0.3, np.zeros(n))[:, :]
    r = find_tagged(spectra_from({"exp": x}), "exp")
    med = r["snr"].median("channel")
    assert 0.85 < float(med.sel(level="phrase") / med.sel(level="sentence")) < 1.15


# ------------------------------------------------------------------------------------------
# defect 7: Nyquist phases and power under nuisance


@pytest.mark.parametrize("phase", [0.0, np.pi / 4, np.pi / 2, 3 * np.pi / 4, np.pi])
def test_nyquist_power_at_several_phases(phase):
    """A discrete period-2 model response is found at any phase; a sampled continuous sinusoid at
    Nyquist contributes A·|cos φ| (lost at π/2, as METHOD §4 says)."""
    rng = np.random.default_rng(int(phase * 100))
    n, t = 1000, np.arange(N)
    period2 = 0.3 * (-1.0) ** t  # a model unit alternating every unit: no phase to lose
    cont = 0.3 * np.cos(np.pi * t + phase)  # a continuous 2 Hz sinusoid sampled at 4 Hz
    x = rng.standard_normal((K, 2 * n, N))
    x[:, :n] += period2
    x[:, n:] += cont
    r = find_tagged(spectra_from({"exp": x}), "exp", levels="phrase")
    sig = r["significant"].values[:, 0]
    assert sig[:n].mean() >= 0.9
    expected = abs(np.cos(phase))
    if expected > 0.6:
        assert sig[n:].mean() >= 0.8
    elif expected < 0.1:
        assert sig[n:].mean() <= 0.05


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_power_under_nuisance(seed):
    """Attention-sink transient, drift (identical in every trial) and 1/f noise: planted 1 Hz
    responses of 0.3 SD are still found, the null stays at or below q."""
    rng = np.random.default_rng(seed)
    n, t = 2000, np.arange(N)
    sink = np.exp(-t / 2.0) * rng.normal(3, 1, (n, 1))
    drift = rng.normal(0, 1, (n, 1)) * t / N + rng.normal(0, 1, (n, 1)) * np.exp(-t / 30.0)
    shaping = 1.0 / np.sqrt(np.arange(1, N // 2 + 2) / 10.0)
    shaping /= np.sqrt(np.mean(shaping**2))
    noise = np.fft.irfft(np.fft.rfft(rng.standard_normal((K, n, N)), axis=-1) * shaping, n=N)
    x = noise + sink + drift
    x[:, :200] += _cos(1.0, 0.3, rng.uniform(0, 2 * np.pi, 200))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = find_tagged(spectra_from({"exp": x}), "exp", levels="sentence")
    sig = r["significant"].values[:, 0]
    assert sig[:200].mean() >= 0.8
    assert sig[200:].mean() <= 0.05


# ------------------------------------------------------------------------------------------
# the params record


def test_params_record_resolves_defaults_and_checks():
    p = CalibratedParams()
    assert (p.measure, p.specificity, p.n_permutations, p.n_neighbors, p.skip) == (
        "evoked",
        "evoked",
        1000,
        3,
        1,
    )
    assert CalibratedParams(measure="itc").specificity == "permutation"
    assert CalibratedParams(measure="itc-neighbor", specificity="welch").specificity == "welch"
    assert set(DEFAULT_SPECIFICITY) == set(TAG_TESTS)
    assert set(DEFAULT_SPECIFICITY.values()) <= set(SPECIFICITY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.skip = 2
    with pytest.raises(ValueError, match="'measure'.*Did you mean 'evoked'"):
        CalibratedParams(measure="evokd")
    with pytest.raises(ValueError, match="'specificity'"):
        CalibratedParams(specificity="t-test")
    with pytest.raises(ValueError, match="'n_neighbors'"):
        CalibratedParams(n_neighbors=0)
    with pytest.raises(ValueError, match="'skip'"):
        CalibratedParams(skip=-1)


def test_old_names_warn(monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())
    with pytest.warns(FutureWarning, match="'itc-neighbour'.*'itc-neighbor'"):
        assert CalibratedParams(measure="itc-neighbour").measure == "itc-neighbor"
    s = planted_spectra((4,), n_trials=4, n_times=40, seed=0)
    data = _data(s, levels=("sentence",))
    with pytest.warns(FutureWarning, match="itc_neighbour_test.*itc_neighbor_test"):
        F, p = calibrated.itc_neighbour_test(data, CalibratedParams(), 0)
    np.testing.assert_array_equal(p, calibrated.itc_neighbor_test(data, CalibratedParams(), 0)[1])


# ------------------------------------------------------------------------------------------
# building blocks against naive implementations


def _data(s, *, levels=("sentence", "phrase"), control=None):
    from hftp.tagging.inputs import TagData, resolve_levels

    names, hz, bins = resolve_levels(s, None, list(levels))
    exclude = sp.harmonic_bins(s["freq"].values, sorted(s.hftp.tagged_hz.values()))
    return TagData(s, "exp", control, tuple(names), hz, bins, exclude)


def test_f_test_matches_a_direct_computation():
    s = planted_spectra((6,), n_trials=8, n_times=40, plant={"sentence": [0]}, seed=1)
    data = _data(s, levels=("sentence",))
    F, p = calibrated.f_test(data, CalibratedParams(n_neighbors=2, skip=1), 0)
    ev = (s["sum_x"].sel(condition="exp") / 8).values  # (channel, freq)
    i = int(np.argmin(np.abs(s["freq"].values - 1.0)))
    nb = [i - 3, i - 2, i + 2, i + 3]  # 2 per side, skipping 1; none is a harmonic here
    expect = np.abs(ev[:, i]) ** 2 / (np.abs(ev[:, nb]) ** 2).mean(axis=1)
    np.testing.assert_allclose(F, expect)
    from scipy.stats import f as f_dist

    np.testing.assert_allclose(p, f_dist.sf(expect, 2, 8))


def test_rayleigh_p_matches_the_exact_null_for_large_n():
    rng = np.random.default_rng(0)
    n = 200
    R = np.abs(np.exp(1j * rng.uniform(0, 2 * np.pi, (4000, n))).mean(axis=1))
    p = rayleigh_p(R, n)
    assert abs((p < 0.05).mean() - 0.05) < 0.015  # uniform under the null
    assert rayleigh_p(np.array([1.0]), 10)[0] < 1e-4 and rayleigh_p(np.array([0.0]), 10)[0] == 1


def test_conjunction_is_one_bh_family_over_the_max():
    p_tag = np.array([[0.001, 0.2], [0.01, np.nan]])
    p_spec = np.array([[0.02, 0.001], [0.5, 0.01]])
    out = conjunction(p_tag, p_spec, 0.05)
    np.testing.assert_array_equal(out["sig_p"], [[0.02, 0.2], [0.5, np.nan]])
    np.testing.assert_allclose(out["sig_q"][~np.isnan(out["sig_q"])], [0.06, 0.3, 0.5])
    assert not out["significant"].any()


def test_permutation_test_matches_naive():
    s = planted_spectra((30,), n_trials=10, seed=9)
    r = find_tagged(
        s, "exp", "ctrl", seed=2, mode_params={"specificity": "permutation", "n_permutations": 100}
    )
    inp_p = r["spec_p"].sel(level="sentence").values
    tx = s["trial_x"].sel(tagged_freq=1.0)
    a, b = tx.sel(condition="exp").values[:10], tx.sel(condition="ctrl").values[:10]
    P = label_permutations(10, 10, 100, np.random.default_rng([2, 0]))
    assert P.shape == (100, 20) and (P.sum(axis=1) == 10).all()
    Z = np.concatenate([a, b])
    for u in range(30):
        obs = abs(a[:, u].mean()) - abs(b[:, u].mean())
        null = [abs(Z[m > 0, u].mean()) - abs(Z[m == 0, u].mean()) for m in P]
        assert inp_p[u] == pytest.approx((1 + np.sum(np.array(null) >= obs - 1e-5)) / 101)
