"""Frequencies and FFT bins: exact bins and the lengths that make them, neighbor bins at the
edges, the bins of tagged frequencies and their harmonics, the Nyquist bin; old names warn."""

from __future__ import annotations

import numpy as np
import pytest

import hftp.spectral as sp
from hftp import _deprecate
from hftp.spectral import bins


def test_bin_step_and_on_bin_lengths():
    assert sp.bin_step([1.0, 2.0], 4.0) == 4
    assert sp.bin_step([4.0 / 6, 4.0 / 3], 4.0) == 6
    assert sp.bin_step([], 4.0) == 1
    assert bins.on_bin_lengths(1.5625, 3.125) == [2, 4, 6, 8, 10]
    assert bins.on_bin_lengths(1.0, 4.0, max_len=10, n=2) == [4, 8]
    assert bins.on_bin_lengths(1.0, 1000.0, max_len=10) == []


def test_check_on_bin():
    assert sp.check_on_bin("f", 1.0, 4.0, 40) == 10
    with pytest.raises(ValueError, match="'f'.*not on an exact FFT bin.*Lengths that put it"):
        sp.check_on_bin("f", 1.05, 4.0, 40)
    with pytest.raises(ValueError, match="'f'.*above the Nyquist frequency"):
        sp.check_on_bin("f", 2.5, 4.0, 40)
    with pytest.raises(ValueError, match="'f'.*positive"):
        sp.check_on_bin("f", 0.0, 4.0, 40)


def test_bin_index():
    axis = sp.freq_axis(40, 4.0)
    assert axis[sp.bin_index(axis, 1.0)] == 1.0
    with pytest.raises(ValueError, match="'f'.*not on an exact FFT bin"):
        sp.bin_index(axis, 1.05, name="f")
    with pytest.raises(ValueError, match="'f'.*above the highest frequency"):
        sp.bin_index(axis, 3.0, name="f")
    with pytest.raises(ValueError, match="'freqs'.*empty"):
        sp.bin_index(np.zeros(0), 1.0)
    with pytest.raises(ValueError, match="not on a bin of the frequency axis"):
        sp.bin_index(np.array([1.0, 1.5, 2.0]), 1.2)  # not a plain rfft axis


def test_neighbor_bins():
    np.testing.assert_array_equal(sp.neighbor_bins(10, 0, 3, 1), [2, 3, 4])
    np.testing.assert_array_equal(sp.neighbor_bins(10, 9, 3, 1), [5, 6, 7])
    np.testing.assert_array_equal(sp.neighbor_bins(20, 10, 2, 0), [8, 9, 11, 12])
    np.testing.assert_array_equal(sp.neighbor_bins(20, 10), [6, 7, 8, 12, 13, 14])


def test_harmonic_bins():
    axis = sp.freq_axis(16, 4.0)  # 0.25 … 2 Hz: with short trials 2 Hz neighbors 1 Hz
    assert sp.harmonic_bins(axis, [1.0, 2.0]).tolist() == [3, 7]
    assert sp.harmonic_bins(axis, [0.5]).tolist() == [1, 3, 5, 7]
    assert sp.harmonic_bins(axis, [0.3]).tolist() == [5]  # 1.5 Hz; off-bin harmonics skipped
    assert sp.harmonic_bins(axis, [0.0, -1.0]).tolist() == []
    assert sp.harmonic_bins(np.zeros(0), [1.0]).tolist() == []


def test_real_bin_and_nyquist_warning():
    assert sp.is_real_bin(2.0, 4.0) and not sp.is_real_bin(1.0, 4.0)
    np.testing.assert_array_equal(sp.is_real_bin([1.0, 2.0], 4.0), [False, True])
    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):
        sp.warn_nyquist(2.0, 4.0, "phrase")
    sp.warn_nyquist(1.0, 4.0, "sentence")  # below Nyquist: silent (warnings are errors here)


def test_old_names_warn_once_and_still_work(monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())
    with pytest.warns(FutureWarning, match="neighbour_bins.*neighbor_bins"):
        old = sp.neighbour_bins
    np.testing.assert_array_equal(old(10, 0, 3, 1), [2, 3, 4])
    with pytest.warns(FutureWarning, match="neighbour_bins.*neighbor_bins"):
        np.testing.assert_array_equal(bins.neighbour_bins(10, 9, 3, 1), [5, 6, 7])
    with pytest.warns(FutureWarning, match=r"rate_hz=\.\.\..*sfreq=\.\.\."):
        assert sp.bin_step([1.0], rate_hz=4.0) == 4
    with pytest.warns(FutureWarning, match=r"is_real_bin\(rate_hz=\.\.\.\)"):
        assert sp.is_real_bin(2.0, rate_hz=4.0)
    with pytest.raises(TypeError, match="both 'rate_hz'"):
        sp.freq_axis(8, sfreq=4.0, rate_hz=4.0)
