"""measures: split from hftp 0.1's spectral."""

from __future__ import annotations

import logging
import warnings

import numpy as np

from hftp._validation import InvalidValueError, check_int, check_on_bin, check_type
from hftp.spectral.accessor import _check_spectra

logger = logging.getLogger("hftp")


def bin_index(freqs: np.ndarray, f: float, *, name: str = "freqs", tol: float = 1e-6) -> int:
    """Index of the exact bin at ``f`` on the frequency axis ``freqs`` (no DC).

    Raises ``ValueError`` if ``f`` is off-bin or outside the axis. For an evenly spaced axis that
    starts at one bin spacing, the message lists sequence lengths that would put ``f`` on a bin.
    """
    freqs = np.asarray(freqs, dtype=float)
    if freqs.size == 0:
        raise InvalidValueError(f"Invalid value for {name!r}: the frequency axis is empty.")
    i = int(np.argmin(np.abs(freqs - f)))
    df = freqs[1] - freqs[0] if freqs.size > 1 else freqs[0]
    if abs(freqs[i] - f) <= tol * max(1.0, abs(f)):
        return i
    if np.isclose(freqs[0], df):  # a plain rfft axis (df, 2df, ..., Nyquist)
        if f > freqs[-1] + tol:
            raise InvalidValueError(
                f"Invalid value for {name!r}: {f} Hz is above the highest frequency available ({freqs[-1]:.6g} Hz, "
                "the Nyquist frequency). Choose a lower frequency or a higher sampling rate."
            )
        n = int(round(2 * freqs[-1] / df))  # n_times (even) for the hint
        check_on_bin(name, f, n * df, n)  # raises, naming the lengths that would put f on a bin
    raise InvalidValueError(
        f"Invalid value for {name!r}: {f} Hz is not on a bin of the frequency axis "
        f"({freqs[0]:.6g}–{freqs[-1]:.6g} Hz in steps of {df:.6g} Hz). Choose a frequency on the axis."
    )


def _n(s):
    n = s["n_trials"]
    return n.where(n > 0)


def evoked_amplitude(s):
    """Amplitude of the trial-averaged response, |Σ_k X_k(f)| / n.

    Returns
    -------
    DataArray, dims (condition, *units, freq)
    """
    _check_spectra(s)
    out = np.abs(s["sum_x"]) / _n(s)
    out.name = "evoked_amplitude"
    return out


def itc(s):
    """Inter-trial phase coherence, |Σ_k X_k/|X_k|| / n, in [0, 1].

    Returns
    -------
    DataArray, dims (condition, *units, freq)
    """
    _check_spectra(s)
    out = np.abs(s["sum_phase"]) / _n(s)
    out.name = "itc"
    return out


def mean_amplitude(s):
    """Mean single-trial amplitude, Σ_k |X_k(f)| / n.

    Returns
    -------
    DataArray, dims (condition, *units, freq)
    """
    _check_spectra(s)
    out = s["sum_abs"] / _n(s)
    out.name = "mean_amplitude"
    return out


def power(s):
    """Mean single-trial power, Σ_k |X_k(f)|² / n."""
    _check_spectra(s)
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


def neighbour_bins(n_freq: int, index: int, n_neighbors: int = 3, skip: int = 1) -> np.ndarray:
    """Indices of the neighbour bins of bin ``index`` on a frequency axis of ``n_freq`` bins.

    The neighbours are ``skip + 1 … skip + n_neighbors`` bins away on each side. Those outside
    ``[0, n_freq)`` (below the first bin or above Nyquist) are dropped, not wrapped, so a bin at the
    edge of the axis has one-sided neighbours.

    Returns
    -------
    idx : ndarray of int, shape (<= 2 * n_neighbors,)
    """
    offs = np.arange(skip + 1, skip + n_neighbors + 1)
    idx = np.concatenate([index - offs[::-1], index + offs])
    return idx[(idx >= 0) & (idx < n_freq)]


def is_real_bin(freq_hz, rate_hz: float) -> np.ndarray:
    """True where a bin is real-valued for a real signal: the Nyquist bin (``rate_hz / 2``).

    Such a bin has 1 degree of freedom instead of 2 and no meaningful phase.
    """
    return np.isclose(np.asarray(freq_hz, dtype=float), rate_hz / 2.0)


def at_freq(measure, f: float):
    """Select the exact bin ``f`` (Hz) of a measure; an off-bin ``f`` is an error."""
    i = bin_index(measure["freq"].values, f, name="f")
    return measure.isel(freq=i)


def warn_nyquist(freq_hz: float, rate_hz: float, level: str) -> None:
    """Warn that phase statistics at the Nyquist bin are meaningless (the bin is real-valued)."""
    if np.isclose(freq_hz, rate_hz / 2):
        warnings.warn(
            f"The {level} rate ({freq_hz} Hz) is exactly the Nyquist frequency of a {rate_hz} Hz unit "
            "rate: its amplitude is valid but its phase is not (the bin is real-valued), so ITC and "
            "Rayleigh statistics there are meaningless. Use a design with longer structures "
            "(e.g. 3-unit phrases) to move the rate below Nyquist.",
            UserWarning,
            stacklevel=3,
        )
