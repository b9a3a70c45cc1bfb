"""Pooled activations → Spectra sums: every summarizer equals the reference FFT path."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hftp.models import spectra
from hftp.spectral.accumulate import SUM_VARS, SpectraAccumulator, freq_axis, rfft_trials

L, B, U, N = 3, 5, 24, 7  # layers, sequences, units, neurons


def _acc():
    return SpectraAccumulator(
        channel_dims=("layer", "neuron"),
        channel_coords={"layer": np.arange(L), "neuron": np.arange(N)},
        freqs=freq_axis(U - 4, 4.0),
        rate_hz=4.0,
        tagged={"sentence": 1.0, "phrase": 2.0},
        n_times=U - 4,
    )


@pytest.fixture
def pooled():
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((L, B, U, N)).astype("f4"))
    x[1, :, :, 3] = 2.5  # a constant neuron: X = 0 at every bin, its phase must be 0, not NaN
    return x


@pytest.mark.parametrize("path", ["cpu", "default"])
@pytest.mark.parametrize("threaded", [False, True])
def test_summarizers_equal_the_reference_fft(pooled, monkeypatch, path, threaded):
    ref = _acc()
    ref.add("c", rfft_trials(pooled.permute(1, 0, 3, 2).double().numpy(), drop=4))
    expected = ref.to_dataset()
    monkeypatch.setitem(spectra.SUMMARIZERS, "cpu", spectra.SUMMARIZERS[path])
    if threaded:
        monkeypatch.setattr(spectra, "THREADED_MIN_SIZE", 1)
        monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    acc = _acc()
    half = B // 2  # two batches into one accumulator, as the probe adds them
    spectra.add_pooled(acc, "c", pooled[:, :half], 4)
    spectra.add_pooled(acc, "c", pooled[:, half:], 4)
    got = acc.to_dataset()
    for var in SUM_VARS:
        scale = np.abs(expected[var].values).max()
        np.testing.assert_allclose(got[var].values, expected[var].values, atol=1e-5 * scale)
    np.testing.assert_allclose(got["trial_x"].values, expected["trial_x"].values, atol=1e-4)
    assert np.all(np.isfinite(got["sum_phase"].values))
    assert np.all(got["sum_phase"].values[0, 1, 3] == 0)  # the constant neuron
    assert int(got["n_trials"].values[0]) == B


def test_a_failing_layer_is_raised_from_the_threads(pooled, monkeypatch):
    monkeypatch.setattr(spectra, "THREADED_MIN_SIZE", 1)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)

    def boom(x, drop, tagged):
        raise RuntimeError("layer failed")

    monkeypatch.setattr(spectra, "_numpy_layer", boom)
    with pytest.raises(RuntimeError, match="layer failed"):
        spectra.add_pooled(_acc(), "c", pooled, 4)


def test_add_sums_checks_the_block_shape():
    from hftp._validation import InvalidValueError

    acc = _acc()
    acc.start_trials("c", 2)
    bad = {v: np.zeros((N + 1, acc.freqs.size)) for v in SUM_VARS}
    with pytest.raises(InvalidValueError, match=r"'sums'.*expected \(7, 10\).*got \(8, 10\)"):
        acc.add_sums("c", bad, np.zeros((2, N + 1, 2)), block=(0,))
