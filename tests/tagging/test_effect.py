"""The effect size θ, its interval-null test and the profiles, on simulated data of known truth."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy.stats import binom

from hftp._validation import InvalidTypeError, InvalidValueError
from hftp.spectral import SCHEMA_VERSION
from hftp.tagging import find_tagged
from hftp.tagging.effect import (
    EFFECT_VARS,
    amplitude_moments,
    effect_scale,
    effect_share,
    effect_test,
    interval_null_test,
    p_interval_null,
    selective_conjunction,
)
from hftp.tagging.profile import effect_curve, effect_profile
from hftp.testing import planted_spectra

DELTA, ALPHA = 0.2, 0.05
TAGGED = {"sentence": 1.0, "phrase": 2.0}  # at 4 Hz: 1 Hz complex, 2 Hz the Nyquist bin


def _draw_sums(rng, mu, noise, n, real):
    """Exact sufficient statistics of n Gaussian trials: Σ X_k and Σ |X_k|² (vectorised).

    mu : complex mean coefficient; noise : E|X_k − μ|² per trial; both broadcast."""
    mu = np.asarray(mu)
    shape = np.broadcast_shapes(mu.shape, np.shape(noise))
    if real:
        xbar = mu.real + rng.standard_normal(shape) * np.sqrt(noise / n)
        ss = noise * rng.chisquare(n - 1, shape)
    else:
        z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
        xbar = mu + z * np.sqrt(noise / (2 * n))
        ss = noise / 2 * rng.chisquare(2 * (n - 1), shape)
    return n * xbar, ss + n * np.abs(xbar) ** 2


def sim_spectra(effect, control=None, *, n_trials, shape, n_times=200, rate=4.0, seed=0):
    """A Spectra of white-noise channels whose tagged bins carry known effects.

    ``effect`` and ``control`` are (n_channels, n_levels) amplitudes in SD units of the control's
    time-domain SD: the control carries ``control``, the experiment ``control + effect`` (same
    phase), so θ = ``effect`` exactly (σ by Parseval, as hftp defines it). The sums over trials are
    drawn from their exact distributions (no per-trial FFTs), so any n is cheap.
    """
    rng = np.random.default_rng(seed)
    effect = np.asarray(effect, float)
    control = np.zeros_like(effect) if control is None else np.asarray(control, float)
    T = n_times
    freqs = np.fft.rfftfreq(T, 1 / rate)[1:]
    real_axis = np.isclose(freqs, rate / 2)
    w = np.where(real_axis, 1.0, 2.0)
    idx = [int(np.argmin(np.abs(freqs - f))) for f in TAGGED.values()]
    h = np.array([1.0 if real_axis[i] else 0.5 for i in idx])  # variance of a unit amplitude
    a = np.array([T if real_axis[i] else T / 2 for i in idx])
    tau = (w * T).sum() / T**2  # Parseval variance of the unit white noise: (T − 1) / T
    sigma = np.sqrt(tau / (1 - (control**2 * h).sum(axis=1)))  # the control's SD
    n_ch = effect.shape[0]
    phase = np.exp(1j * rng.uniform(0, 2 * np.pi, (n_ch, len(idx))))
    sums = {}
    for cond, amp in (("exp", control + effect), ("ctrl", control)):
        mu = np.zeros((n_ch, freqs.size), complex)
        for j, i in enumerate(idx):
            ph = np.sign(phase[:, j].real) if real_axis[i] else phase[:, j]
            mu[:, i] = amp[:, j] * sigma * a[j] * ph
        sx = np.empty_like(mu)
        s2 = np.empty(mu.shape)
        cplx = ~real_axis
        sx[:, cplx], s2[:, cplx] = _draw_sums(rng, mu[:, cplx], T, n_trials, False)
        sx[:, real_axis], s2[:, real_axis] = _draw_sums(rng, mu[:, real_axis], T, n_trials, True)
        sums[cond] = sx, s2
    dims = ("condition", *(("layer", "neuron") if len(shape) == 2 else ("channel",)), "freq")
    full = lambda x: np.stack(x).reshape(2, *shape, freqs.size)  # noqa: E731
    sx = full([sums[c][0] for c in ("exp", "ctrl")])
    s2 = full([sums[c][1] for c in ("exp", "ctrl")])
    coords = {"condition": ["exp", "ctrl"], "freq": freqs}
    coords.update({d: np.arange(s) for d, s in zip(dims[1:-1], shape, strict=True)})
    ds = xr.Dataset(
        {
            "sum_x": (dims, sx),
            "sum_abs": (dims, np.sqrt(s2 * n_trials)),
            "sum_abs2": (dims, s2),
            "sum_phase": (dims, sx / np.sqrt(s2 / n_trials)),
            "n_trials": (("condition",), np.array([n_trials, n_trials])),
        },
        coords=coords,
        attrs={
            "hftp_schema": SCHEMA_VERSION,
            "kind": "model" if len(shape) == 2 else "brain",
            "sfreq": rate,
            "tagged_hz": '{"sentence": 1.0, "phrase": 2.0}',
            "n_times": T,
        },
    )
    return ds


# ---------------------------------------------------------------- the estimate


def test_amplitude_moments_match_direct_computation():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 5)) + 1j * rng.standard_normal((12, 5)) + 2.0
    mom = amplitude_moments(X.sum(0), (np.abs(X) ** 2).sum(0), 12, real=False)
    s2 = np.var(X, axis=0, ddof=1)  # complex variance: E|X − X̄|²
    np.testing.assert_allclose(mom.var, s2 / 12)
    np.testing.assert_allclose(mom.amplitude, np.sqrt(np.abs(X.mean(0)) ** 2 - s2 / 12))
    np.testing.assert_allclose(mom.dof, 22.0)
    lex = amplitude_moments(X.sum(0), (np.abs(X) ** 2).sum(0), 12, real=True, lexical_var=0.5)
    np.testing.assert_allclose(lex.var, s2 / 12 + 0.5)
    np.testing.assert_allclose(lex.var_est, s2 / 12)
    np.testing.assert_allclose(lex.dof, 11.0)
    one = amplitude_moments(X[0], np.abs(X[0]) ** 2, 1, real=False)
    assert np.isnan(one.var).all()


def test_effect_scale_is_parseval():
    T, rate = 16, 4.0
    t = np.arange(T)
    x = 0.7 * np.cos(2 * np.pi * 1.0 * t / rate + 0.3) + 0.4 * (-1.0) ** t
    X = np.fft.rfft(x)[1:]
    freqs = np.fft.rfftfreq(T, 1 / rate)[1:]
    sd = x.std()  # the within-trial SD (the mean is 0 here)
    for real, a in ((False, T / 2), (True, T)):
        got = effect_scale(np.abs(X)[None] ** 2, freqs, rate, real=real)
        np.testing.assert_allclose(got, [sd * a])
    # θ of each component: its amplitude over the channel's SD
    assert np.abs(X[3]) / (sd * T / 2) == pytest.approx(0.7 / sd)
    assert np.abs(X[-1]) / (sd * T) == pytest.approx(0.4 / sd)


def test_effect_recovers_planted_amplitude_in_time_domain():
    # planted_spectra: unit white noise; 0.3·cos at 1 Hz (complex) and 2 Hz (Nyquist, phase 0)
    mask = np.arange(60) < 30
    s = planted_spectra(
        (60,), plant={"sentence": mask, "phrase": mask}, amplitude=0.3, n_trials=60, phase=0.0
    )
    res = effect_test(s, "exp", "ctrl")
    assert set(EFFECT_VARS) <= set(res.data_vars)
    assert res.attrs["min_effect"] == DELTA
    for lv in ("sentence", "phrase"):
        e = res["effect"].sel(level=lv).values
        assert abs(e[mask].mean() - 0.3) < 0.03, lv
        assert abs(e[~mask].mean()) < 0.03, lv
    low = res["effect_lower"].values
    assert (low < res["effect"].values).all()
    # the bound and the test agree: effect_lower > δ exactly when p_effect < α
    np.testing.assert_array_equal(low > DELTA, res["p_effect"].values < ALPHA)


# ------------------------------------------------------------ size at the boundary


def _size_cells():
    cells = []
    for lam in (1.0, 2.0, 4.0):  # the boundary effect in standard errors of θ̂
        for c in (0.0, 0.5, 1.0, 2.0):  # the control's amplitude, in units of δ
            cells.append((lam, c, 1.0))
    cells += [(2.0, 1.0, 0.25), (2.0, 2.0, 4.0)]  # unequal noise (the worst cells seen)
    return cells


@pytest.mark.parametrize("real", [False, True], ids=["complex", "nyquist"])
def test_size_at_the_boundary_is_at_most_alpha(real):
    """θ = δ exactly: P(p_effect ≤ α) ≤ α for n = 8, 32, 100, 400, over the nuisance |μ_c|."""
    rng = np.random.default_rng(21 + real)
    R = 30_000
    k = 1.0 if real else 0.5  # Var(|X̄|) ≈ k·v
    limit = binom.ppf(1 - 1e-4, R, ALPHA) / R  # Monte Carlo tolerance
    sizes = {}
    for n in (8, 32, 100, 400):
        for lam, c, r in _size_cells():
            # scale σa = 1; SE of θ̂ = √(k (v_e + v_c)) = δ/λ, v_e = r v_c
            vc = (DELTA / lam) ** 2 / (k * (1 + r))
            ve = r * vc
            sx_e, s2_e = _draw_sums(rng, np.full(R, (c + 1) * DELTA), ve * n, n, real)
            sx_c, s2_c = _draw_sums(rng, np.full(R, c * DELTA), vc * n, n, real)
            out = interval_null_test(
                amplitude_moments(sx_e, s2_e, n, real=real),
                amplitude_moments(sx_c, s2_c, n, real=real),
                np.ones(R),
                real=real,
            )
            sizes[(n, lam, c, r)] = float(np.mean(out["p_effect"] <= ALPHA))
    worst = max(sizes, key=sizes.get)
    assert sizes[worst] <= limit, (worst, sizes[worst])
    # conservative, not empty: near nominal where both amplitudes are well measured
    assert max(v for key, v in sizes.items() if key[1] == 4.0 and key[2] == 2.0) > 0.035


def test_lexical_variance_widens_the_interval():
    rng = np.random.default_rng(3)
    sx_e, s2_e = _draw_sums(rng, np.full(500, 0.5), 0.05 * 30, 30, False)
    sx_c, s2_c = _draw_sums(rng, np.zeros(500), 0.05 * 30, 30, False)
    plain = interval_null_test(
        amplitude_moments(sx_e, s2_e, 30, real=False),
        amplitude_moments(sx_c, s2_c, 30, real=False),
        np.ones(500),
        real=False,
    )
    lex = interval_null_test(
        amplitude_moments(sx_e, s2_e, 30, real=False, lexical_var=0.05),
        amplitude_moments(sx_c, s2_c, 30, real=False, lexical_var=0.05),
        np.ones(500),
        real=False,
    )
    assert (lex["effect_se"] > plain["effect_se"]).all()
    assert np.median(lex["effect_lower"]) < np.median(plain["effect_lower"])
    assert np.median(lex["p_effect"]) > np.median(plain["p_effect"])
    # the known (lexical) part raises the Welch dof
    assert np.median(lex["effect_df"]) > np.median(plain["effect_df"])


def test_p_interval_null_recomputes_the_test():
    s = planted_spectra((40,), plant={"sentence": np.arange(40) < 20}, amplitude=0.4, n_trials=30)
    res = effect_test(s, "exp", "ctrl", min_effect=0.1)
    p = p_interval_null(res["effect_adjusted"], res["effect_se"], res["effect_df"], 0.1)
    np.testing.assert_allclose(p, res["p_effect"].values)
    p3 = p_interval_null(res["effect_adjusted"], res["effect_se"], res["effect_df"], 0.3)
    assert (p3 >= p - 1e-12).all()


# ------------------------------------------------- separated and continuous effects


def _separated(n_ch, seed):
    rng = np.random.default_rng(seed)
    eff = np.abs(rng.normal(0, 0.05, (n_ch, 2)))  # tiny effects everywhere
    large = np.zeros(n_ch, bool)
    large[rng.permutation(n_ch)[: n_ch // 20]] = True  # 5% large
    eff[large] = 0.5
    return eff, large


def test_planted_large_effects_are_found_with_precision():
    eff, large = _separated(2000, seed=1)
    s = sim_spectra(eff, n_trials=100, shape=(4, 500), seed=2)
    res = find_tagged(s, "exp", "ctrl")
    sel = res["selective"].values.reshape(2000, 2)
    for j in range(2):  # complex (1 Hz) and Nyquist (2 Hz)
        called = sel[:, j]
        precision = (called & large).sum() / max(called.sum(), 1)
        assert precision >= 0.9
        assert (called & large).sum() / large.sum() >= 0.9  # and most are found
    # effect_lower ranks the large ones first
    low = res["effect_lower"].values.reshape(2000, 2)[:, 0]
    top = np.argsort(-low)[: large.sum()]
    assert large[top].mean() >= 0.9


def test_selective_is_stable_in_n_while_significant_grows():
    eff, large = _separated(2000, seed=4)
    sig, sel = [], []
    for i, n in enumerate((32, 100, 400)):
        s = sim_spectra(eff, n_trials=n, shape=(4, 500), seed=10 + i)
        tagged = find_tagged(s, "exp", "ctrl")
        sig.append(float(tagged["significant"].values.mean()))
        sel.append(float(tagged["selective"].values.mean()))
    # significant grows with the trials; selective stays at the planted 5%
    assert sig[0] < sig[1] < sig[2]
    assert sig[2] - sig[0] > 0.3
    se = np.sqrt(0.05 * 0.95 / 4000)
    assert max(sel) - min(sel) <= 3 * se
    assert all(abs(x - 0.05) <= 3 * se for x in sel)


def test_continuous_effects_quantiles_and_share_are_stable_in_n():
    rng = np.random.default_rng(5)
    n_ch = 3000
    eff = DELTA * np.exp(rng.normal(0, 0.5, (n_ch, 2)))  # spread around δ: median δ
    ctrl = np.abs(rng.normal(0, 0.15, (n_ch, 2)))  # a shared rhythm in both conditions
    truth_share = float((eff > DELTA).mean())
    profiles, sel = [], []
    for i, n in enumerate((32, 100, 400)):
        s = sim_spectra(eff, ctrl, n_trials=n, shape=(3, 1000), seed=20 + i)
        res = find_tagged(s, "exp", "ctrl")
        prof = effect_profile(res, n_boot=200, seed=i)
        profiles.append(prof)
        sel.append(float(res["selective"].mean()))
        share = effect_share(res["effect"])
        assert abs(share - truth_share) < 0.03
    for a, b in zip(profiles[:-1], profiles[1:], strict=True):
        for col, tol in (("effect_median", 0.015), ("effect_p90", 0.03), ("effect_share", 0.04)):
            assert np.abs(a[col].values - b[col].values).max() < tol, col
    last = profiles[-1]
    # the intervals cover the truth at 400 trials (per layer and level)
    med = np.median(eff)
    assert (
        (last["effect_median_low"] - 0.01 <= med) & (med <= last["effect_median_high"] + 0.01)
    ).all()
    # selective approaches the estimated share from below
    assert sel[0] < sel[1] < sel[2] < truth_share + 0.01
    assert (last["selective_share"] <= last["effect_share_high"]).all()


# ------------------------------------------------------------------- summaries


def test_effect_profile_columns_and_intervals():
    eff, _ = _separated(1000, seed=6)
    s = sim_spectra(eff, n_trials=50, shape=(2, 500), seed=7)
    res = effect_test(s, "exp", "ctrl")
    df = effect_profile(res, n_boot=100)
    assert df.attrs["group"] == "layer"
    assert len(df) == 2 * 2  # layers × levels
    for col in ("effect_median", "effect_p90", "effect_share"):
        assert (df[f"{col}_low"] <= df[col] + 1e-12).all()
        assert (df[col] <= df[f"{col}_high"] + 1e-12).all()
    assert "selective_share" not in df
    res["selective"] = res["p_effect"] < 0.01
    df = effect_profile(res, n_boot=50, quantiles=(0.5, 0.75))
    assert {"effect_p75", "selective_share", "selective_share_low"} <= set(df.columns)
    assert (
        (df["selective_share_low"] <= df["selective_share"])
        & (df["selective_share"] <= df["selective_share_high"])
    ).all()
    # the same seed gives the same intervals
    a = effect_profile(res, n_boot=50, seed=3)
    b = effect_profile(res, n_boot=50, seed=3)
    assert a.equals(b)


def test_effect_curve_falls_with_delta():
    eff, _ = _separated(1000, seed=8)
    s = sim_spectra(eff, n_trials=100, shape=(2, 500), seed=9)
    res = find_tagged(s, "exp", "ctrl")
    curve = effect_curve(res, [0.0, 0.1, 0.2, 0.3, 0.6])
    assert set(curve["level"]) == {"sentence", "phrase", "any"}
    for (_, _), g in curve.groupby(["layer", "level"]):
        assert np.all(np.diff(g["effect_share"].values) <= 0)
        assert np.all(np.diff(g["selective_share"].values) <= 0)
        assert (g["selective_share"] <= g["effect_share"] + 0.02).all()
    at = curve[(curve["min_effect"] == 0.2) & (curve["level"] == "sentence")]
    assert np.allclose(at["selective_share"], 0.05, atol=0.02)
    # at the result's own δ the curve's selective is the result's
    own = curve[(curve["min_effect"] == 0.2) & (curve["level"] != "any")]
    direct = res["selective"].mean("neuron").to_series()
    got = own.set_index(["layer", "level"])["selective_share"]
    np.testing.assert_allclose(got.sort_index().values, direct.sort_index().values)
    # without the tagging p-values the selective column is NaN
    alone = effect_test(s, "exp", "ctrl")
    assert effect_curve(alone)["selective_share"].isna().all()


# ------------------------------------------------------------------- find_tagged


def test_find_tagged_adds_effects_and_leaves_every_other_variable_alone():
    eff, large = _separated(1000, seed=11)
    s = sim_spectra(eff, n_trials=40, shape=(2, 500), seed=12)
    a = find_tagged(s, "exp", "ctrl")
    b = find_tagged(s, "exp", "ctrl", min_effect=0.4)
    new = {*EFFECT_VARS, "sel_p", "sel_q", "selective", "selective_category"}
    assert new <= set(a.data_vars)
    old = [v for v in a.data_vars if v not in new]
    xr.testing.assert_identical(a[old].drop_attrs(), b[old].drop_attrs())  # only new ones move
    assert a.attrs["min_effect"] == DELTA and b.attrs["min_effect"] == 0.4
    assert a.attrs["effect_alpha"] == 0.05 and "Welch" in a.attrs["effect_method"]
    assert a.attrs["effect_sd"].startswith("the channel's SD")
    # the same numbers as the effect test alone; selective needs the neighbor test too
    alone = effect_test(s, "exp", "ctrl")
    xr.testing.assert_allclose(a["effect_lower"], alone["effect_lower"])
    assert not (a["selective"] & ~a["above_neighbors"]).any()
    assert b["selective"].sum() < a["selective"].sum()
    np.testing.assert_array_equal(
        a["selective"].values,
        selective_conjunction(a["p"].values, a["p_effect"].values, 0.05)["selective"],
    )
    # paper mode has no effect test
    small = planted_spectra((20,), n_trials=20)
    paper = find_tagged(small, "exp", "ctrl", mode="paper", mode_params={"n_permutations": 50})
    assert "effect" not in paper and "min_effect" not in paper.attrs


def test_find_tagged_effects_at_control_frequencies_and_without_trials():
    s = planted_spectra((80,), plant={"sentence": np.arange(80) < 20}, amplitude=1.0, n_trials=30)
    res = find_tagged(s, "exp", "ctrl", control_hz={"fake": 1.3})
    assert "control_effect" in res and "control_selective" in res
    assert res["control_selective"].sum() == 0
    assert res["selective"].sel(level="sentence").values[:20].all()
    one = planted_spectra((10,), n_trials=1)
    alone = find_tagged(one, "exp")  # the F-test needs no variance; the effect test does
    assert np.isnan(alone["effect"]).all() and not alone["selective"].any()
    with pytest.raises(InvalidValueError, match="min_effect"):
        find_tagged(s, "exp", "ctrl", min_effect=-0.1)


def test_selective_conjunction_is_one_bh_family():
    p_tag = np.array([0.001, 0.001, 0.5, 0.002, np.nan])
    p_eff = np.array([0.002, 0.6, 0.001, 0.003, 0.001])
    out = selective_conjunction(p_tag, p_eff, 0.05)
    np.testing.assert_allclose(out["sel_p"][:4], [0.002, 0.6, 0.5, 0.003])
    assert np.isnan(out["sel_p"][4])
    np.testing.assert_array_equal(out["selective"], [True, False, False, True, False])
    with pytest.raises(InvalidValueError, match="p_effect"):
        selective_conjunction(p_tag, p_eff[:3], 0.05)


def test_per_channel_trial_counts_and_no_control():
    s = planted_spectra((20,), plant={"sentence": np.arange(20) < 10}, amplitude=0.5, n_trials=40)
    n = xr.DataArray(np.tile([40, 40], (20, 1)).T, dims=("condition", "channel"))
    s2 = s.assign(n_trials=n)
    a, b = effect_test(s, "exp", "ctrl"), effect_test(s2, "exp", "ctrl")
    np.testing.assert_allclose(a["effect"], b["effect"])
    alone = effect_test(s, "exp")
    assert alone.attrs["control"] == "none"
    assert (alone["effect"].sel(level="sentence").values[:10] > 0.35).all()


def test_errors_name_the_fix():
    s = planted_spectra((6,), n_trials=1)
    with pytest.raises(InvalidValueError, match="at least 2"):
        effect_test(s, "exp", "ctrl")
    s = planted_spectra((6,), n_trials=5)
    with pytest.raises(InvalidValueError, match="condition"):
        effect_test(s, "nope", "ctrl")
    with pytest.raises(InvalidValueError, match="min_effect"):
        effect_test(s, "exp", "ctrl", min_effect=-1)
    with pytest.raises(InvalidTypeError, match="effect"):
        effect_profile(xr.Dataset())
    with pytest.raises(InvalidValueError, match="deltas"):
        effect_curve(effect_test(s, "exp", "ctrl"), [])
    part = s.isel(freq=slice(10, None))
    with pytest.warns(UserWarning, match="not the whole axis"):
        effect_test(part, "exp", "ctrl")
