"""Control ("fake") frequencies as their own FDR family: calibration, power, independence, bad input.

Simulation: 4 Hz sampling, 200 samples per trial (0.02 Hz bins), sentence 1 Hz and phrase 2 Hz
tagged, 20 trials per condition, unit-variance white noise. Planted responses are phase-locked
sinusoids (same phase in every trial) of ``AMP`` noise SDs in condition ``exp`` only. The control
frequencies 1.3 and 1.7 Hz are on bins and are neither tagged nor harmonics of 1 or 2 Hz.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

import hftp.spectral as sp
from hftp._validation import HftpError
from hftp.tagging.controls import check_trial_tests, control_rates, resolve_control_hz
from hftp.tagging.pipeline import find_tagged

RATE, N, K = 4.0, 200, 20
AMP = 0.3
TAGGED = {"sentence": 1.0, "phrase": 2.0}
CONTROLS = {"fake": 1.3, "fake2": 1.7}
MAIN_VARS = (
    "p",
    "q",
    "sig_p",
    "sig_q",
    "significant",
    "above_neighbors",
    "snr",
    "spec_p",
    "spec_q",
)


def simulate(n_channels, *, seed, plant=None):
    """Spectra with conditions 'exp' and 'ctrl' over ``n_channels`` brain channels.

    plant : dict Hz -> boolean mask over channels; those get a phase-locked sinusoid at that
    frequency in 'exp' (any frequency: tagged or not).
    """
    rng = np.random.default_rng(seed)
    acc = sp.SpectraAccumulator(
        channel_dims=("channel",),
        channel_coords={"channel": np.arange(n_channels)},
        freqs=sp.freq_axis(N, RATE),
        sfreq=RATE,
        tagged_hz=TAGGED,
        n_times=N,
        kind="brain",
    )
    t = np.arange(N) / RATE
    sig = np.zeros((n_channels, N))
    for f, mask in (plant or {}).items():
        sig[mask] += AMP * np.cos(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    for cond in ("exp", "ctrl"):
        x = rng.standard_normal((K, n_channels, N)) + (sig if cond == "exp" else 0.0)
        acc.add(cond, sp.rfft_trials(x))
    return acc.to_dataset()


def margin(p, n):
    """3 binomial SDs of a rate p over n channels."""
    return 3 * np.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_control_family_null_rate_within_q(seed):
    """Pure noise: raw p at the control frequencies are uniform and the family stays at or below q."""
    n = 3000
    spec = simulate(n, seed=seed)
    for control in (None, "ctrl"):
        r = find_tagged(spec, "exp", control, control_hz=CONTROLS, seed=seed)
        assert list(r["control_level"].values) == ["fake", "fake2"]
        np.testing.assert_allclose(r["control_freq"].values, [1.3, 1.7])
        for name in CONTROLS:
            x = r.sel(control_level=name)
            raw = float((x["control_p"] < 0.05).mean())
            assert abs(raw - 0.05) < margin(0.05, n), (name, raw)
            assert float(x["control_significant"].mean()) <= 0.05 + margin(0.05, n)
        # the family over both control frequencies: at most q of all its tests
        assert float(r["control_significant"].mean()) <= 0.05 + margin(0.05, 2 * n)
        # control_rates gives the same two readings per frequency
        rates = control_rates(r, 0.05)
        for name in CONTROLS:
            x = r.sel(control_level=name)
            assert rates["p_below_q"][name] == round(float((x["control_p"] < 0.05).mean()), 4)
            assert rates["significant"][name] == round(float(x["control_significant"].mean()), 4)


def test_planted_control_tag_found_and_main_family_unchanged():
    n = 400
    planted = np.zeros(n, bool)
    planted[:40] = True
    sentence = np.zeros(n, bool)
    sentence[40:80] = True
    spec = simulate(n, seed=3, plant={1.3: planted, 1.0: sentence})
    plain = find_tagged(spec, "exp", "ctrl", seed=5)
    with_ctrl = find_tagged(spec, "exp", "ctrl", seed=5, control_hz=CONTROLS)
    # the main family is exactly the same: same tests, same BH family
    for v in MAIN_VARS:
        np.testing.assert_array_equal(with_ctrl[v].values, plain[v].values, err_msg=v)
    assert (with_ctrl["category"].values == plain["category"].values).all()
    # the fake tag is found in the control family (power), not elsewhere
    fake = with_ctrl["control_significant"].sel(control_level="fake").values
    assert fake[planted].mean() >= 0.9
    assert fake[~planted].mean() <= 0.05 + margin(0.05, int((~planted).sum()))
    assert with_ctrl["control_significant"].sel(control_level="fake2").values.mean() <= 0.05
    # and the main family still finds the planted sentence channels (the fake tag is no tag)
    main = with_ctrl["significant"].sel(level="sentence").values
    assert main[sentence].mean() >= 0.9 and main[planted].mean() <= 0.1
    assert with_ctrl["control_snr"].attrs["snr_kind"] == "amplitude"
    assert with_ctrl.attrs["control_family"].startswith("own Benjamini-Hochberg")


def test_main_family_independent_of_control_strength():
    """A huge response at a control frequency changes the control family only."""
    n = 200
    base = simulate(n, seed=4, plant={1.0: np.arange(n) < 20})
    loud = base.copy(deep=True)
    i = int(np.argmin(np.abs(base["freq"].values - 1.3)))
    loud["sum_x"][dict(condition=0, freq=i)] += 50.0 * K  # condition 0 is 'exp'
    a = find_tagged(base, "exp", "ctrl", control_hz={"fake": 1.3})
    b = find_tagged(loud, "exp", "ctrl", control_hz={"fake": 1.3})
    for v in MAIN_VARS:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=v)
    assert b["control_significant"].values.all() and not a["control_significant"].values.all()


def test_no_control_hz_adds_nothing():
    r = find_tagged(simulate(30, seed=0), "exp")
    assert not any(str(v).startswith("control_") for v in r.data_vars)
    assert "control_level" not in r.dims and r.attrs["control_family"] == "none"


@pytest.mark.parametrize(
    ("control_hz", "match"),
    [
        ({"fake": 1.0}, "tagged frequency or one of their harmonics"),
        ({"fake": 2.0}, "tagged frequency or one of their harmonics"),
        ({"fake": 0.0}, r"outside \(0, 2.0\]"),
        ({"fake": -1.3}, r"outside \(0, 2.0\]"),
        ({"fake": 2.5}, r"outside \(0, 2.0\]"),
        ({"fake": 1.31}, "not on a bin|on a bin|lengths"),
        ({"phrase": 1.3}, "also a tested level"),
        ({"a": 1.3, "b": 1.3}, "repeats another control frequency"),
        ({}, "at least one control frequency"),
        ([1.3], "control_hz"),
        ({"fake": "x"}, "control_hz"),
    ],
)
def test_bad_control_hz(control_hz, match):
    spec = simulate(10, seed=0)
    with pytest.raises(HftpError, match=match) as err:
        find_tagged(spec, "exp", control_hz=control_hz)
    assert "control_hz" in str(err.value)


def test_control_at_a_harmonic_of_a_tested_frequency():
    """1.5 Hz is the 3rd harmonic of a tested 0.5 Hz level: refused."""
    spec = simulate(10, seed=0)
    with pytest.raises(HftpError, match=r"control_hz \(fake\).*harmonics \(.*slow=0.5 Hz"):
        find_tagged(spec, "exp", freqs={"slow": 0.5}, control_hz={"fake": 1.5})
    ok = find_tagged(spec, "exp", freqs={"slow": 0.5}, control_hz={"fake": 1.3})
    assert ok["control_p"].shape == (10, 1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "paper", "mode_params": {"n_permutations": 20}}, "paper mode"),
        ({"mode_params": {"specificity": "permutation"}}, "specificity='permutation'"),
        ({"mode_params": {"specificity": "induced"}}, "specificity='induced'"),
        ({"mode_params": {"measure": "itc-neighbor"}}, "specificity='permutation'"),
    ],
)
def test_trial_level_tests_at_control_frequencies_refused(kwargs, match):
    """Per-trial values exist only at tagged frequencies: a clear error, before any work."""
    spec = simulate(10, seed=0)
    with pytest.raises(HftpError, match=rf"'control_hz'.*{match}.*fake \(1.3 Hz\).*'evoked'"):
        find_tagged(spec, "exp", "ctrl", control_hz={"fake": 1.3}, **kwargs)
    # without a control condition there is no specificity test: the family runs
    if kwargs.get("mode") != "paper":
        # a phase test at the phrase rate (2 Hz, the Nyquist bin of 4 Hz units) warns that phase
        # is meaningless there
        phase = kwargs.get("mode_params", {}).get("measure") == "itc-neighbor"
        nyq = pytest.warns(UserWarning, match="Nyquist") if phase else contextlib.nullcontext()
        with nyq:
            r = find_tagged(spec, "exp", control_hz={"fake": 1.3}, **kwargs)
        assert np.isfinite(r["control_p"].values).all()


def test_split_halves_replicate_the_control_family_too():
    """With a split dim, a fake tag planted in both halves replicates in the control family;
    the main family's replicated is unchanged by control_hz."""
    import xarray as xr

    planted = np.arange(300) < 30
    halves = [simulate(300, seed=10 + i, plant={1.3: planted}) for i in (0, 1)]
    s = xr.concat(halves, dim="split", coords="minimal", compat="override")
    plain = find_tagged(s, "exp", "ctrl")
    r = find_tagged(s, "exp", "ctrl", control_hz={"fake": 1.3})
    np.testing.assert_array_equal(r["replicated"].values, plain["replicated"].values)
    rep = r["control_replicated"].values[:, 0]
    assert rep[planted].mean() >= 0.8 and rep[~planted].mean() <= 0.02


def test_control_rates_needs_a_control_family():
    r = find_tagged(simulate(20, seed=0), "exp", "ctrl")
    with pytest.raises(HftpError, match="'result'.*no control family.*control_hz"):
        control_rates(r)


def test_resolve_control_hz_directly():
    spec = simulate(4, seed=0)
    axis = spec["freq"].values
    names, hz, bins = resolve_control_hz(
        {"fake": 1.3, "fake2": 0.7},
        freq_axis=axis,
        sfreq=RATE,
        tagged_hz=TAGGED,
        levels=["sentence", "phrase"],
        excluded=sp.harmonic_bins(axis, TAGGED.values()),
    )
    assert names == ["fake", "fake2"] and hz.tolist() == [1.3, 0.7]
    np.testing.assert_allclose(axis[bins], hz)
    empty = resolve_control_hz(
        None, freq_axis=axis, sfreq=RATE, tagged_hz=TAGGED, levels=[], excluded=np.zeros(0, int)
    )
    assert empty[0] == [] and empty[1].size == 0 and empty[2].size == 0


def test_check_trial_tests_only_where_trial_values_are_needed():
    spec = simulate(4, seed=0)
    hz = np.array([1.3])
    # the analytic specificity test, or no control condition: nothing needs per-trial values
    check_trial_tests(spec, ["fake"], hz, mode="calibrated", control="ctrl", specificity="evoked")
    check_trial_tests(spec, ["fake"], hz, mode="paper", control=None, specificity="evoked")
    check_trial_tests(spec, [], np.zeros(0), mode="paper", control="ctrl", specificity="evoked")
    with pytest.raises(HftpError, match="'control_hz'.*paper mode.*fake \\(1.3 Hz\\)"):
        check_trial_tests(spec, ["fake"], hz, mode="paper", control="ctrl", specificity="evoked")
    # at a tagged frequency the per-trial values exist
    check_trial_tests(
        spec, ["x"], np.array([1.0]), mode="calibrated", control="ctrl", specificity="induced"
    )
