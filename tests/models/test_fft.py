"""Pooled activations → Spectra sums: every summarizer equals the reference FFT path."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hftp.models import fft
from hftp.spectral.accumulate import SUM_VARS, SpectraAccumulator, freq_axis, rfft_trials

L, B, U, N = 3, 5, 24, 7  # layers, sequences, units, neurons


def _acc():
    return SpectraAccumulator(
        channel_dims=("layer", "neuron"),
        channel_coords={"layer": np.arange(L), "neuron": np.arange(N)},
        freqs=freq_axis(U - 4, 4.0),
        sfreq=4.0,
        tagged_hz={"sentence": 1.0, "phrase": 2.0},
        n_times=U - 4,
    )


@pytest.fixture
def pooled():
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((L, B, U, N)).astype("f4"))
    x[1, :, :, 3] = 2.5  # a constant neuron: X = 0 at every bin, its phase must be 0, not NaN
    return x


# the threshold for threads only concerns the numpy ("cpu") summarizer
@pytest.mark.parametrize(("path", "threaded"), [("cpu", False), ("cpu", True), ("default", False)])
def test_summarizers_equal_the_reference_fft(pooled, monkeypatch, path, threaded):
    ref = _acc()
    ref.add("c", rfft_trials(pooled.permute(1, 0, 3, 2).double().numpy(), drop=4))
    expected = ref.to_dataset()
    monkeypatch.setitem(fft.SUMMARIZERS, "cpu", fft.SUMMARIZERS[path])
    if threaded:
        monkeypatch.setattr(fft, "THREADED_MIN_SIZE", 1)
        monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    acc = _acc()
    half = B // 2  # two batches into one accumulator, as the probe adds them
    fft.add_pooled(acc, "c", pooled[:, :half], 4)
    fft.add_pooled(acc, "c", pooled[:, half:], 4)
    got = acc.to_dataset()
    for var in SUM_VARS:
        scale = np.abs(expected[var].values).max()
        np.testing.assert_allclose(got[var].values, expected[var].values, atol=1e-5 * scale)
    np.testing.assert_allclose(got["trial_x"].values, expected["trial_x"].values, atol=1e-4)
    assert np.all(np.isfinite(got["sum_phase"].values))
    assert np.all(got["sum_phase"].values[0, 1, 3] == 0)  # the constant neuron
    assert int(got["n_trials"].values[0]) == B


def test_a_failing_layer_is_raised_from_the_threads(pooled, monkeypatch):
    monkeypatch.setattr(fft, "THREADED_MIN_SIZE", 1)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)

    def boom(x, drop, tagged):
        raise RuntimeError("layer failed")

    monkeypatch.setattr(fft, "_numpy_layer", boom)
    with pytest.raises(RuntimeError, match="layer failed"):
        fft.add_pooled(_acc(), "c", pooled, 4)


def test_add_sums_checks_the_block_shape():
    from hftp._validation import InvalidValueError

    acc = _acc()
    acc.start_trials("c", 2)
    bad = {v: np.zeros((N + 1, acc.freqs.size)) for v in SUM_VARS}
    with pytest.raises(
        InvalidValueError, match=r"sums\['sum_x'\].*expected \(7, 10\).*got \(8, 10\)"
    ):
        acc.add_sums("c", bad, np.zeros((2, N + 1, 2)), block=(0,))


def _snapshot(acc):
    return {v: acc._sums["c"][v].copy() for v in SUM_VARS}


def test_add_sums_checks_everything_before_adding():
    from hftp._validation import InvalidValueError

    acc = _acc()  # keep_trials=True: the tagged coefficients are required
    acc.start_trials("c", 2)
    F = acc.freqs.size
    good = {v: np.ones((N, F)) for v in SUM_VARS}
    before = _snapshot(acc)
    with pytest.raises(InvalidValueError, match=r"'sums'.*\['sum_phase'\] missing"):
        acc.add_sums("c", {v: good[v] for v in SUM_VARS[:3]}, None, block=(0,))
    with pytest.raises(
        InvalidValueError, match=r"sums\['sum_abs'\].*expected \(7, 10\).*got \(10,\)"
    ):
        acc.add_sums("c", {**good, "sum_abs": np.ones(F)}, np.zeros((2, N, 2)), block=(0,))
    with pytest.raises(InvalidValueError, match=r"'tagged_x'.*expected \(2, 7, 2\).*got None"):
        acc.add_sums("c", good, None, block=(0,))
    with pytest.raises(InvalidValueError, match=r"'tagged_x'.*got \(3, 7, 2\)"):
        acc.add_sums("c", good, np.zeros((3, N, 2)), block=(0,))
    for v in SUM_VARS:  # a refused call added nothing
        np.testing.assert_array_equal(acc._sums["c"][v], before[v])
    with pytest.raises(InvalidValueError, match="'condition'.*no trials started"):
        acc.add_sums("d", good, np.zeros((2, N, 2)), block=(0,))
    acc.add_sums("c", good, np.zeros((2, N, 2)), block=(0,))
    assert acc._sums["c"]["sum_abs"][0].sum() == N * F


def test_to_dataset_is_a_copy():
    acc = _acc()
    X = rfft_trials(np.random.default_rng(1).standard_normal((2, L, N, U)), drop=4)
    acc.add("c", X)
    ds = acc.to_dataset()
    first = ds["sum_abs"].values.copy()
    acc.add("c", X)
    np.testing.assert_array_equal(ds["sum_abs"].values, first)
