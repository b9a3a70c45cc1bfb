"""Spectral measures of a Spectra: evoked amplitude, ITC, mean amplitude, power (the ``MEASURES``
registry), the SNR against neighbor bins, and the value at one exact bin.

Each measure drops the trial axis and keeps ``(condition, *channel_dims, freq)``; it carries
``sfreq`` and ``dof_kind`` in its attrs, so that :func:`snr` can scale the real-valued Nyquist bin.
"""

from __future__ import annotations

import logging

import numpy as np

from hftp._validation import InvalidValueError, check_int, check_type
from hftp.spectral.accessor import check_spectra
from hftp.spectral.bins import bin_index

__all__ = ["MEASURES", "evoked_amplitude", "itc", "mean_amplitude", "power", "snr", "at_freq"]

logger = logging.getLogger("hftp")


def _n(s):
    n = s["n_trials"]
    return n.where(n > 0)


def evoked_amplitude(s):
    """Amplitude of the trial-averaged response, |Σ_k X_k(f)| / n.

    Parameters
    ----------
    s : xarray.Dataset
        A Spectra, dims ``(condition, *channel_dims, freq)``.

    Returns
    -------
    xarray.DataArray, dims (condition, *channel_dims, freq)
        NaN for a condition without trials.

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra((4,), plant={"sentence": [0]}, amplitude=1.0, seed=0)
    >>> amp = hftp.evoked_amplitude(spectra)  # channel 0 follows 1 Hz in condition "exp"
    >>> amp.dims
    ('condition', 'channel', 'freq')
    >>> at_1hz = hftp.at_freq(amp, 1.0).sel(condition="exp")
    >>> bool(at_1hz[0] > 3 * at_1hz[1:].max())
    True
    """
    check_spectra(s)
    out = np.abs(s["sum_x"]) / _n(s)
    out.name = "evoked_amplitude"
    out.attrs = {"sfreq": s.hftp.sfreq, "dof_kind": "amplitude"}
    return out


def itc(s):
    """Inter-trial phase coherence, |Σ_k X_k/|X_k|| / n, in [0, 1].

    Parameters
    ----------
    s : xarray.Dataset
        A Spectra, dims ``(condition, *channel_dims, freq)``.

    Returns
    -------
    xarray.DataArray, dims (condition, *channel_dims, freq)
        NaN for a condition without trials.

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra((4,), plant={"sentence": [0]}, amplitude=1.0, seed=0)
    >>> coherence = hftp.itc(spectra)  # 1: the same phase in every trial; 0: random phases
    >>> (hftp.at_freq(coherence, 1.0).sel(condition="exp") > 0.9).values
    array([ True, False, False, False])
    """
    check_spectra(s)
    out = np.abs(s["sum_phase"]) / _n(s)
    out.name = "itc"
    out.attrs = {"sfreq": s.hftp.sfreq, "dof_kind": "itc"}
    return out


def mean_amplitude(s):
    """Mean single-trial amplitude, Σ_k |X_k(f)| / n.

    Parameters
    ----------
    s : xarray.Dataset
        A Spectra, dims ``(condition, *channel_dims, freq)``.

    Returns
    -------
    xarray.DataArray, dims (condition, *channel_dims, freq)
        NaN for a condition without trials.
    """
    check_spectra(s)
    out = s["sum_abs"] / _n(s)
    out.name = "mean_amplitude"
    out.attrs = {"sfreq": s.hftp.sfreq, "dof_kind": "amplitude"}
    return out


def power(s):
    """Mean single-trial power, Σ_k |X_k(f)|² / n.

    Parameters
    ----------
    s : xarray.Dataset
        A Spectra, dims ``(condition, *channel_dims, freq)``.

    Returns
    -------
    xarray.DataArray, dims (condition, *channel_dims, freq)
        NaN for a condition without trials.
    """
    check_spectra(s)
    out = s["sum_abs2"] / _n(s)
    out.name = "power"
    out.attrs = {"sfreq": s.hftp.sfreq, "dof_kind": "power"}
    return out


#: Measure name → function of a Spectra.
MEASURES = {
    "evoked": evoked_amplitude,
    "itc": itc,
    "amplitude": mean_amplitude,
    "power": power,
}


#: How a measure's value at the real-valued Nyquist bin is scaled to one degree of freedom.
_NYQUIST_SCALE = {"amplitude": 1 / np.sqrt(2.0), "power": 0.5, "itc": 1.0}


def snr(measure, n_neighbors: int = 3, skip: int = 1, *, sfreq: float | None = None):
    """Signal-to-noise ratio: the value at f over the mean of its neighbor bins.

    At the real-valued Nyquist bin (f = sfreq / 2) the ratio is dof-scaled so that it compares
    with the other bins: a complex bin has two degrees of freedom, the Nyquist bin one, and a
    period-2 response puts all its power there. The ratio is divided by √2 for amplitudes and by
    2 for power (the value per degree of freedom), so a period-2 response and a sinusoid of the
    same power have the same SNR; ITC is left as is. The scaling needs the sampling rate and the
    kind of measure: the measures of this module carry both in their attrs (``sfreq``,
    ``dof_kind``); for another DataArray pass ``sfreq`` (and set ``attrs["dof_kind"]``), or
    nothing is scaled.

    Parameters
    ----------
    measure : xarray.DataArray, dims (..., freq)
        E.g. ``evoked_amplitude(s)`` or ``itc(s)``.
    n_neighbors : int
        Neighbor bins per side. Default 3.
    skip : int
        Adjacent bins ignored on each side before the neighbors start. Default 1.
    sfreq : float, optional
        Sampling rate (Hz); default ``measure.attrs["sfreq"]`` when present.

    Returns
    -------
    xarray.DataArray, same dims and shape as ``measure``
        Neighbors outside the frequency axis (below the first bin or above Nyquist) are dropped,
        not wrapped; a bin with no neighbors gets NaN. attrs add ``nyquist_scale`` (the factor
        applied at the Nyquist bin, 1 when none).

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra((4,), plant={"sentence": [0]}, amplitude=1.0, seed=0)
    >>> ratio = hftp.snr(hftp.evoked_amplitude(spectra))
    >>> ratio.dims
    ('condition', 'channel', 'freq')
    >>> (hftp.at_freq(ratio, 1.0).sel(condition="exp") > 3).values
    array([ True, False, False, False])
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
    rate = sfreq if sfreq is not None else measure.attrs.get("sfreq")
    factor = _NYQUIST_SCALE.get(str(measure.attrs.get("dof_kind", "")), 1.0)
    if rate is not None and factor != 1.0:
        nyq = np.isclose(np.asarray(m["freq"].values, dtype=float), float(rate) / 2.0)
        out[..., nyq] *= factor
    else:
        factor = 1.0
    res = m.copy(data=out)
    res.name = f"snr_{measure.name}" if measure.name else "snr"
    res.attrs = {**measure.attrs, "n_neighbors": n_neighbors, "skip": skip, "nyquist_scale": factor}
    return res.transpose(*measure.dims)


def at_freq(measure, f: float):
    """Select the exact bin ``f`` (Hz) of a measure; an off-bin ``f`` is an error.

    Parameters
    ----------
    measure : xarray.DataArray, dims (..., freq)
        E.g. ``evoked_amplitude(s)`` or ``snr(itc(s))``.
    f : float
        The frequency (Hz); it must lie on a bin of ``measure["freq"]``.

    Returns
    -------
    xarray.DataArray, dims of ``measure`` without ``freq``
        The scalar coord ``freq`` keeps ``f``.

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra((4,), plant={"sentence": [0]}, amplitude=1.0, seed=0)
    >>> hftp.at_freq(hftp.evoked_amplitude(spectra), 1.0).dims
    ('condition', 'channel')
    >>> hftp.at_freq(hftp.evoked_amplitude(spectra), 1.01)
    Traceback (most recent call last):
    ...
    hftp._validation.InvalidValueError: ...
    """
    i = bin_index(measure["freq"].values, f, name="f")
    return measure.isel(freq=i)
