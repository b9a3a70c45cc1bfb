"""Spectral measures of a Spectra: evoked amplitude, ITC, mean amplitude, power, and the SNR
against neighbour bins. Each drops the trial axis and keeps ``(condition, *channel_dims, freq)``.
"""

from __future__ import annotations

import logging

import numpy as np

from hftp._validation import InvalidValueError, check_int, check_type
from hftp.spectral.accessor import check_spectra
from hftp.spectral.bins import bin_index

logger = logging.getLogger("hftp")


def _n(s):
    n = s["n_trials"]
    return n.where(n > 0)


def evoked_amplitude(s):
    """Amplitude of the trial-averaged response, |Σ_k X_k(f)| / n.

    Returns
    -------
    DataArray, dims (condition, *units, freq)
    """
    check_spectra(s)
    out = np.abs(s["sum_x"]) / _n(s)
    out.name = "evoked_amplitude"
    return out


def itc(s):
    """Inter-trial phase coherence, |Σ_k X_k/|X_k|| / n, in [0, 1].

    Returns
    -------
    DataArray, dims (condition, *units, freq)
    """
    check_spectra(s)
    out = np.abs(s["sum_phase"]) / _n(s)
    out.name = "itc"
    return out


def mean_amplitude(s):
    """Mean single-trial amplitude, Σ_k |X_k(f)| / n.

    Returns
    -------
    DataArray, dims (condition, *units, freq)
    """
    check_spectra(s)
    out = s["sum_abs"] / _n(s)
    out.name = "mean_amplitude"
    return out


def power(s):
    """Mean single-trial power, Σ_k |X_k(f)|² / n."""
    check_spectra(s)
    out = s["sum_abs2"] / _n(s)
    out.name = "power"
    return out


MEASURES = {
    "evoked": evoked_amplitude,
    "itc": itc,
    "amplitude": mean_amplitude,
    "power": power,
}


def snr(measure, n_neighbors: int = 3, skip: int = 1):
    """Signal-to-noise ratio: the value at f over the mean of neighbouring bins.

    Parameters
    ----------
    measure : DataArray, dims (..., freq)
        E.g. ``evoked_amplitude(s)`` or ``itc(s)``.
    n_neighbors : int
        Neighbour bins per side. Default 3.
    skip : int
        Adjacent bins ignored on each side before the neighbours start. Default 1.

    Returns
    -------
    DataArray, same dims as ``measure``
        Neighbours outside the frequency axis (below the first bin or above Nyquist) are dropped,
        not wrapped; a bin with no neighbours gets NaN.
    """
    import xarray as xr

    check_type(
        "measure",
        measure,
        xr.DataArray,
        "an xarray.DataArray with a 'freq' dim (e.g. hftp.itc(spectra))",
    )
    if "freq" not in measure.dims:
        raise InvalidValueError(
            f"Invalid value for 'measure': expected a 'freq' dim; got dims {measure.dims}."
        )
    n_neighbors = check_int("n_neighbors", n_neighbors, min_value=1)
    skip = check_int("skip", skip, min_value=0)
    m = measure.transpose(..., "freq")
    v = np.asarray(m.values, dtype=float)
    nf = v.shape[-1]
    pad = skip + n_neighbors
    padded = np.concatenate(
        [np.full(v.shape[:-1] + (pad,), np.nan), v, np.full(v.shape[:-1] + (pad,), np.nan)], axis=-1
    )
    total = np.zeros_like(v)
    count = np.zeros_like(v)
    for off in range(skip + 1, skip + n_neighbors + 1):
        for sign in (-1, 1):
            sl = padded[..., pad + sign * off : pad + sign * off + nf]
            ok = ~np.isnan(sl)
            total += np.where(ok, sl, 0.0)
            count += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        out = v / (total / np.where(count > 0, count, np.nan))
    res = m.copy(data=out)
    res.name = f"snr_{measure.name}" if measure.name else "snr"
    res.attrs = {**measure.attrs, "n_neighbors": n_neighbors, "skip": skip}
    return res.transpose(*measure.dims)


def at_freq(measure, f: float):
    """Select the exact bin ``f`` (Hz) of a measure; an off-bin ``f`` is an error."""
    i = bin_index(measure["freq"].values, f, name="f")
    return measure.isel(freq=i)
