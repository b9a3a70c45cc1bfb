"""Spectral measures against direct numpy computations on signals with known peaks: the
MEASURES registry, the SNR (edges, the Nyquist scaling), the value at an exact bin, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import hftp.spectral as sp

RATE, N, K = 4.0, 40, 6


@pytest.fixture(scope="module")
def signals():
    """Trials (K, 3 channels, N) with a phase-locked 1 Hz peak and white noise."""
    rng = np.random.default_rng(1)
    t = np.arange(N)
    x = rng.standard_normal((K, 3, N))
    x += 2.0 * np.cos(2 * np.pi * 1.0 * t / RATE + 0.4)
    y = rng.standard_normal((K + 2, 3, N))
    s = sp.make_spectra({"a": x, "b": y}, sfreq=RATE, tagged_hz={"sentence": 1.0, "phrase": 2.0})
    return x, y, s


def _direct(x):
    return np.fft.rfft(x, axis=-1)[..., 1:]


def test_measures_match_numpy(signals):
    x, _, s = signals
    X = _direct(x)
    a = s.sel(condition="a")
    np.testing.assert_allclose(sp.evoked_amplitude(s).sel(condition="a"), np.abs(X.mean(0)))
    np.testing.assert_allclose(sp.mean_amplitude(s).sel(condition="a"), np.abs(X).mean(0))
    np.testing.assert_allclose(sp.itc(s).sel(condition="a"), np.abs((X / np.abs(X)).mean(0)))
    np.testing.assert_allclose(sp.power(s).sel(condition="a"), (np.abs(X) ** 2).mean(0))
    assert int(a["n_trials"]) == K
    # the peak is where it was planted
    peak = sp.evoked_amplitude(s).sel(condition="a").argmax("freq").values
    np.testing.assert_array_equal(s["freq"].values[peak], 1.0)
    # trial_x holds the per-trial coefficients at the tagged bins
    tx = s["trial_x"].sel(condition="a", tagged_freq=1.0).values[:K]
    np.testing.assert_allclose(tx, X[..., sp.bin_index(s["freq"].values, 1.0)], rtol=1e-5)


def test_snr_direct_and_edges(signals):
    _, _, s = signals
    m = sp.evoked_amplitude(s)
    r = sp.snr(m, n_neighbors=3, skip=1)
    v = m.transpose(..., "freq").values
    nf = v.shape[-1]
    nyq = np.isclose(s["freq"].values, s.hftp.sfreq / 2)
    assert nyq[-1] and nyq.sum() == 1
    for i in (0, 1, 9, nf // 2, nf - 1):  # edges: neighbors dropped, not wrapped
        idx = [j for j in (i - 4, i - 3, i - 2, i + 2, i + 3, i + 4) if 0 <= j < nf]
        expect = v[..., i] / v[..., idx].mean(-1)
        if nyq[i]:  # the real-valued Nyquist bin: amplitude per degree of freedom
            expect = expect / np.sqrt(2.0)
        np.testing.assert_allclose(r.transpose(..., "freq").values[..., i], expect)
    assert r.attrs["nyquist_scale"] == pytest.approx(1 / np.sqrt(2.0))
    # ITC is not scaled; a bare DataArray without a rate is not scaled either
    assert sp.snr(sp.itc(s)).attrs["nyquist_scale"] == 1.0
    bare = m.copy()
    bare.attrs = {}
    plain = sp.snr(bare).transpose(..., "freq").values[..., -1]
    np.testing.assert_allclose(plain, v[..., -1] / v[..., [nf - 5, nf - 4, nf - 3]].mean(-1))
    assert r.dims == m.dims
    peak = sp.at_freq(r, 1.0).sel(condition="a").values
    assert (peak > 3).all()


def test_exact_bin_lookup(signals):
    _, _, s = signals
    freqs = s["freq"].values
    assert freqs[sp.bin_index(freqs, 1.0)] == 1.0
    assert sp.at_freq(sp.itc(s), 2.0)["freq"].item() == 2.0
    with pytest.raises(ValueError, match="'f'.*not on an exact FFT bin"):
        sp.at_freq(sp.itc(s), 1.05)
    with pytest.raises(ValueError, match="above"):
        sp.bin_index(freqs, 3.0, name="f")


def test_bad_inputs(signals):
    _, _, s = signals
    with pytest.raises(TypeError, match="'spectra'"):
        sp.evoked_amplitude(s.drop_vars("sum_x"))
    with pytest.raises(TypeError, match="'measure'"):
        sp.snr(np.zeros(3))
    with pytest.raises(ValueError, match="'n_neighbors'"):
        sp.snr(sp.itc(s), n_neighbors=0)


def test_measures_registry_and_attrs(signals):
    _, _, s = signals
    assert set(sp.MEASURES) == {"evoked", "itc", "amplitude", "power"}
    for name, fn in sp.MEASURES.items():
        m = fn(s)
        assert m.dims == ("condition", "channel", "freq") and m.attrs["sfreq"] == RATE, name
    # a condition without trials gives NaN, not a division by zero
    empty = s.copy()
    empty["n_trials"] = empty["n_trials"] * 0
    assert np.isnan(sp.evoked_amplitude(empty)).all()
