"""Building a Spectra: FFT per trial, the sums over trials against numpy, block-wise and
precomputed sums equal to whole trials, padding of per-trial values, the old keywords, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import hftp.spectral as sp
from hftp import _deprecate
from hftp.spectral.accumulate import SUM_VARS, trial_sums

RATE, N = 4.0, 40
TAGGED = {"sentence": 1.0, "phrase": 2.0}


@pytest.fixture(scope="module")
def trials():
    rng = np.random.default_rng(0)
    return {"a": rng.standard_normal((6, 2, 3, N)), "b": rng.standard_normal((8, 2, 3, N))}


def test_freq_axis_and_rfft_trials():
    np.testing.assert_allclose(sp.freq_axis(8, 4.0), [0.5, 1.0, 1.5, 2.0])
    x = np.random.default_rng(1).standard_normal((2, 10))
    X = sp.rfft_trials(x, drop=2)
    assert X.shape == (2, 4)
    np.testing.assert_allclose(X, np.fft.rfft(x[:, 2:])[:, 1:])


def test_trial_sums_and_unit_phase():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((5, 3)) + 1j * rng.standard_normal((5, 3))
    X[0, 0] = 0
    s = trial_sums(X)
    assert set(s) == set(SUM_VARS)
    np.testing.assert_allclose(s["sum_x"], X.sum(0))
    np.testing.assert_allclose(s["sum_abs"], np.abs(X).sum(0))
    np.testing.assert_allclose(s["sum_abs2"], (np.abs(X) ** 2).sum(0))
    ph = sp.unit_phase(X)
    assert ph[0, 0] == 0 and np.allclose(np.abs(ph[1:]), 1)
    np.testing.assert_allclose(s["sum_phase"], ph.sum(0))


def test_make_spectra_matches_numpy(trials):
    s = sp.make_spectra(trials, sfreq=RATE, tagged_hz=TAGGED, channel_dims=("layer", "neuron"))
    assert s.sizes == {
        "condition": 2,
        "layer": 2,
        "neuron": 3,
        "freq": N // 2,
        "trial": 8,
        "tagged_freq": 2,
    }
    assert s.attrs["sfreq"] == RATE and s.attrs["n_times"] == N and s.hftp.tagged_hz == TAGGED
    X = np.fft.rfft(trials["b"], axis=-1)[..., 1:]
    np.testing.assert_allclose(s["sum_x"].sel(condition="b"), X.sum(0))
    np.testing.assert_allclose(s["sum_abs2"].sel(condition="b"), (np.abs(X) ** 2).sum(0))
    assert s["n_trials"].values.tolist() == [6, 8]
    # per-trial values at the tagged bins; the condition with fewer trials is padded with NaN
    tx = s["trial_x"].sel(condition="a", tagged_freq=1.0).values
    Xa = np.fft.rfft(trials["a"], axis=-1)[..., 1:]
    np.testing.assert_allclose(tx[:6], Xa[..., 9], rtol=1e-5)
    assert np.isnan(tx[6:]).all()
    dropped = sp.make_spectra(
        {"a": trials["a"][:, 0]}, sfreq=RATE, tagged_hz=TAGGED, drop=8, keep_trials=False
    )
    assert dropped.sizes["freq"] == 16 and "trial_x" not in dropped


def test_blocks_and_precomputed_sums_equal_whole_trials(trials):
    whole = sp.make_spectra(
        {"a": trials["a"]},
        sfreq=RATE,
        tagged_hz=TAGGED,
        channel_dims=("layer", "neuron"),
        kind="model",
    )
    acc = sp.SpectraAccumulator(
        channel_dims=("layer", "neuron"),
        channel_coords={"layer": np.arange(2), "neuron": np.arange(3)},
        freqs=sp.freq_axis(N, RATE),
        sfreq=RATE,
        tagged_hz=TAGGED,
        n_times=N,
        kind="model",
    )
    X = sp.rfft_trials(trials["a"])
    acc.start_trials("a", 6)
    acc.add_fft("a", X[:, 0], block=(0,))
    tagged_x = X[:, 1][..., list(acc.tagged_bins.values())]
    acc.add_sums("a", trial_sums(X[:, 1]), tagged_x, block=(1,))
    built = acc.to_dataset()
    for v in (*SUM_VARS, "n_trials", "trial_x"):
        np.testing.assert_allclose(built[v].values, whole[v].values, err_msg=v)
    # a later add leaves an earlier Dataset alone
    acc.start_trials("a", 6)
    acc.add_fft("a", X)
    assert int(built["n_trials"].sel(condition="a")) == 6


def test_old_keywords_warn_and_build_the_same_spectra(trials, monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())
    dims = ("layer", "neuron")
    new = sp.make_spectra(trials, sfreq=RATE, tagged_hz=TAGGED, channel_dims=dims)
    with pytest.warns(FutureWarning) as record:
        old = sp.make_spectra(trials, rate_hz=RATE, tagged=TAGGED, channel_dims=dims)
    messages = " ".join(str(w.message) for w in record)
    assert "make_spectra(rate_hz=...)" in messages and "make_spectra(tagged=...)" in messages
    np.testing.assert_array_equal(old["sum_x"].values, new["sum_x"].values)
    assert old.attrs == new.attrs
    with pytest.warns(FutureWarning) as record:
        acc = sp.SpectraAccumulator(
            channel_dims=("channel",),
            channel_coords={},
            freqs=sp.freq_axis(N, RATE),
            rate_hz=RATE,
            tagged=TAGGED,
            n_times=N,
        )
    assert len(record) == 2  # __init__(rate_hz=...) and __init__(tagged=...)
    assert acc.sfreq == RATE and acc.tagged_hz == TAGGED
    with pytest.warns(FutureWarning, match="SpectraAccumulator.rate_hz.*SpectraAccumulator.sfreq"):
        assert acc.rate_hz == RATE
    with pytest.warns(FutureWarning, match="SpectraAccumulator.tagged.*tagged_hz"):
        assert acc.tagged == TAGGED


def test_bad_input(trials):
    with pytest.raises(TypeError, match="'trials'"):
        sp.make_spectra([trials["a"]], sfreq=RATE, tagged_hz=TAGGED)
    with pytest.raises(ValueError, match="'trials'.*at least one condition"):
        sp.make_spectra({}, sfreq=RATE, tagged_hz=TAGGED)
    with pytest.raises(ValueError, match="'trials'.*same number of samples"):
        sp.make_spectra(
            {"a": np.zeros((2, 1, 40)), "b": np.zeros((2, 1, 20))}, sfreq=RATE, tagged_hz={}
        )
    with pytest.raises(ValueError, match="'drop'.*at least 4"):
        sp.make_spectra({"a": np.zeros((2, 1, 40))}, sfreq=RATE, tagged_hz={}, drop=37)
    with pytest.raises(ValueError, match=r"'tagged_hz \(sentence\)'.*on an exact FFT bin"):
        sp.make_spectra({"a": np.zeros((2, 1, 40))}, sfreq=4.0, tagged_hz={"sentence": 0.95})
    acc = sp.SpectraAccumulator(
        channel_dims=("channel",),
        channel_coords={},
        freqs=sp.freq_axis(N, RATE),
        sfreq=RATE,
        tagged_hz=TAGGED,
        n_times=N,
    )
    with pytest.raises(ValueError, match="No trials were added"):
        acc.to_dataset()
    with pytest.raises(ValueError, match="channel shape is not known"):
        acc.start_trials("a", 2)
    with pytest.raises(ValueError, match="'X'.*dims"):
        acc.add("a", np.zeros((2, N // 2)))
    acc.add("a", np.zeros((2, 3, N // 2), complex))
    with pytest.raises(ValueError, match="'X'.*channels"):
        acc.add("a", np.zeros((2, 4, N // 2), complex))
    with pytest.raises(ValueError, match="'condition'.*no trials started"):
        acc.add_fft("b", np.zeros((2, 3, N // 2), complex))
    with pytest.raises(ValueError, match="'sums'.*missing"):
        acc.add_sums("a", {"sum_x": np.zeros((3, N // 2))}, None)
    with pytest.raises(ValueError, match="'kind'"):
        sp.make_spectra({"a": np.zeros((2, 1, 40))}, sfreq=RATE, tagged_hz={}, kind="rat")


def _acc(n_trials=None):
    return sp.SpectraAccumulator(
        channel_dims=("layer", "neuron"),
        channel_coords={"layer": np.arange(2), "neuron": np.arange(3)},
        freqs=sp.freq_axis(N, RATE),
        sfreq=RATE,
        tagged_hz=TAGGED,
        n_times=N,
        n_trials=n_trials,
    )


@pytest.mark.parametrize("announced", [None, {"a": 6, "b": 8}])
def test_received_sums_equal_added_ones(trials, announced):
    # a device's sums arrive once, written straight into the accumulator's arrays
    want = _acc()
    got = _acc(announced)
    written = {}
    for cond, x in trials.items():
        X = sp.rfft_trials(x)
        want.add(cond, X)
        totals, room = got.receive(cond, len(X))
        written[cond] = totals["sum_abs"]
        for var, value in trial_sums(X).items():
            totals[var][...] = value
        room[...] = X[..., list(got.tagged_bins.values())]
    assert got.conditions == ["a", "b"]
    with pytest.raises(ValueError, match="'condition'.*'a' already has trials"):
        got.receive("a", 1)
    w, g = want.to_dataset(), got.to_dataset(release=True)
    for var in w.data_vars:
        np.testing.assert_allclose(g[var].values, w[var].values, rtol=1e-12)
    # announced: handed over, the result is the very array the sums were written into
    assert np.shares_memory(g["sum_abs"].values, written["a"]) == bool(announced)


def test_to_dataset_release_frees_and_pads_trials(trials):
    acc = _acc()
    acc.add("a", sp.rfft_trials(trials["a"][:3]))
    acc.add("a", sp.rfft_trials(trials["a"][3:]))
    acc.add("b", sp.rfft_trials(trials["b"]))
    kept = acc.to_dataset()
    released = acc.to_dataset(release=True)
    for var in kept.data_vars:
        np.testing.assert_array_equal(released[var].values, kept[var].values)
    tx = released["trial_x"].values  # a: 6 trials, b: 8, padded with NaN
    assert tx.shape[1] == 8 and np.all(np.isnan(tx[0, 6:])) and not np.isnan(tx[0, :6]).any()
    np.testing.assert_array_equal(tx[0, :6], sp.rfft_trials(trials["a"])[..., [9, 19]].astype("c8"))
    with pytest.raises(ValueError, match="No trials were added"):
        acc.to_dataset()


@pytest.mark.parametrize("announced", [{"a": 6, "b": 8}, {"a": 6, "b": 5}, {"b": 8, "a": 6}])
def test_announced_trials_are_written_in_place_and_handed_over(trials, announced):
    def build(n_trials):
        acc = sp.SpectraAccumulator(
            channel_dims=("layer", "neuron"),
            channel_coords={"layer": np.arange(2), "neuron": np.arange(3)},
            freqs=sp.freq_axis(N, RATE),
            sfreq=RATE,
            tagged_hz=TAGGED,
            n_times=N,
            n_trials=n_trials,
        )
        for cond in ("a", "b"):
            X = sp.rfft_trials(trials[cond])
            for part in (X[:4], X[4:]):
                acc.add(cond, part)
        return acc

    want = build(None).to_dataset()
    acc = build(announced)
    in_place = acc._store is not None and acc._trials["a"][0].base is acc._store
    kept = acc.to_dataset()
    got = acc.to_dataset(release=True)
    for ds in (kept, got):
        for var in want.data_vars:
            np.testing.assert_array_equal(ds[var].values, want[var].values)
    # handed over, not copied, only when everything went in as announced, in that order
    handed = got["trial_x"].values.base is not None
    assert in_place
    assert handed == (list(announced) == ["a", "b"] and announced["b"] == 8)
    assert kept["trial_x"].values.base is None or not np.shares_memory(
        kept["trial_x"].values, got["trial_x"].values
    )
