"""Frequencies and FFT bins: which bin a frequency falls on, its neighbor bins, the bins of the
tagged frequencies and their harmonics, and whether a bin is the real-valued Nyquist bin.

An ``n``-sample rfft at sampling rate ``sfreq`` has bins at ``k sfreq / n``. A tagged frequency
must sit exactly on one (:func:`check_on_bin`, :func:`bin_index`); :func:`bin_step` gives the
smallest length that puts several on bins.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from fractions import Fraction
from math import lcm

import numpy as np

from hftp._deprecate import deprecated_alias, renamed_kwarg, user_stacklevel
from hftp._validation import InvalidValueError

__all__ = [
    "bin_step",
    "on_bin_lengths",
    "check_on_bin",
    "bin_index",
    "neighbor_bins",
    "harmonic_bins",
    "is_real_bin",
    "warn_nyquist",
]


@renamed_kwarg(rate_hz="sfreq")
def bin_step(freqs_hz: Iterable[float], sfreq: float) -> int:
    """The smallest number of samples that puts every frequency in ``freqs_hz`` on an exact bin.

    A frequency f is on a bin of an N-sample FFT at rate r when f N / r is an integer, so N must be
    a multiple of the denominator of f / r; the step is the lcm over the frequencies.

    Parameters
    ----------
    freqs_hz : iterable of float
        The frequencies (Hz).
    sfreq : float
        The sampling rate (Hz).

    Returns
    -------
    step : int
        The number of samples (1 for no frequencies).
    """
    dens = [Fraction(float(f) / sfreq).limit_denominator(1_000_000).denominator for f in freqs_hz]
    return lcm(*dens) if dens else 1


@renamed_kwarg(rate_hz="sfreq")
def on_bin_lengths(freq_hz: float, sfreq: float, max_len: int = 1000, n: int = 5) -> list[int]:
    """Up to ``n`` sequence lengths (samples) that put ``freq_hz`` on an exact FFT bin.

    A frequency f is on a bin of an N-sample FFT at rate r when f * N / r is an integer.

    Parameters
    ----------
    freq_hz : float
        The frequency (Hz).
    sfreq : float
        The sampling rate (Hz).
    max_len : int
        The longest length considered. Default 1000.
    n : int
        At most this many lengths. Default 5.

    Returns
    -------
    lengths : list of int, shape (<= n,)
        Ascending; empty when no length up to ``max_len`` works.
    """
    step = bin_step([freq_hz], sfreq)
    return [k * step for k in range(1, max_len // step + 1)][:n] if step <= max_len else []


@renamed_kwarg(rate_hz="sfreq")
def check_on_bin(
    name: str, freq_hz: float, sfreq: float, n_samples: int, *, tol: float = 1e-6
) -> int:
    """The rfft bin index of ``freq_hz`` for ``n_samples`` at ``sfreq``, checked.

    Parameters
    ----------
    name : str
        The parameter name used in error messages.
    freq_hz : float
        The frequency (Hz).
    sfreq : float
        The sampling rate (Hz).
    n_samples : int
        Samples per trial.
    tol : float
        Relative tolerance on the bin number. Default 1e-6.

    Returns
    -------
    k : int
        The rfft bin number (0 = DC).

    Raises
    ------
    InvalidValueError
        If the frequency is not positive, above the Nyquist frequency, or between bins (the
        message names sequence lengths that would put it on a bin).
    """
    nyq = sfreq / 2.0
    if freq_hz <= 0:
        raise InvalidValueError(
            f"Invalid value for {name!r}: expected a positive frequency; got {freq_hz} Hz."
        )
    if freq_hz > nyq + tol:
        raise InvalidValueError(
            f"Invalid value for {name!r}: {freq_hz} Hz is above the Nyquist frequency ({nyq} Hz) "
            f"for a sampling rate of {sfreq} Hz. Use a higher sampling rate or a lower frequency."
        )
    k = freq_hz * n_samples / sfreq
    if abs(k - round(k)) > tol * max(1.0, abs(k)):
        ok = on_bin_lengths(freq_hz, sfreq)
        hint = f" Lengths that put it on a bin: {ok} samples (or multiples)." if ok else ""
        raise InvalidValueError(
            f"Invalid value for {name!r}: {freq_hz} Hz is not on an exact FFT bin for "
            f"{n_samples} samples at {sfreq} Hz (bin spacing {sfreq / n_samples:.6g} Hz).{hint}"
        )
    return int(round(k))


def bin_index(freqs: np.ndarray, f: float, *, name: str = "freqs", tol: float = 1e-6) -> int:
    """Index of the exact bin at ``f`` on the frequency axis ``freqs`` (no DC).

    Parameters
    ----------
    freqs : ndarray, shape (n_freq,)
        The frequency axis (Hz).
    f : float
        The frequency (Hz).
    name : str
        The parameter name used in error messages. Default ``"freqs"``.
    tol : float
        Relative tolerance. Default 1e-6.

    Returns
    -------
    i : int
        The index into ``freqs``.

    Raises
    ------
    InvalidValueError
        If ``f`` is off-bin or outside the axis. For an evenly spaced axis that starts at one bin
        spacing, the message lists sequence lengths that would put ``f`` on a bin.
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


def neighbor_bins(n_freq: int, index: int, n_neighbors: int = 3, skip: int = 1) -> np.ndarray:
    """Indices of the neighbor bins of bin ``index`` on a frequency axis of ``n_freq`` bins.

    The neighbors are ``skip + 1 … skip + n_neighbors`` bins away on each side. Those outside
    ``[0, n_freq)`` (below the first bin or above Nyquist) are dropped, not wrapped, so a bin at the
    edge of the axis has one-sided neighbors.

    Parameters
    ----------
    n_freq : int
        Bins on the axis.
    index : int
        The bin whose neighbors are wanted.
    n_neighbors : int
        Neighbor bins per side. Default 3.
    skip : int
        Adjacent bins skipped on each side. Default 1.

    Returns
    -------
    idx : ndarray of int, shape (<= 2 * n_neighbors,)
        Ascending.
    """
    offs = np.arange(skip + 1, skip + n_neighbors + 1)
    idx = np.concatenate([index - offs[::-1], index + offs])
    return idx[(idx >= 0) & (idx < n_freq)]


def harmonic_bins(freq_axis: np.ndarray, tagged_hz: Iterable[float]) -> np.ndarray:
    """Indices of the bins on ``freq_axis`` at a tagged frequency or one of its harmonics.

    These bins are left out of every neighbor set (with short trials the 2 Hz bin is a neighbor of
    1 Hz). Harmonics off the axis's bins are skipped.

    Parameters
    ----------
    freq_axis : ndarray, shape (n_freq,)
        The Spectra's frequencies (Hz, no DC).
    tagged_hz : iterable of float
        The tagged frequencies (Hz); non-positive ones are ignored.

    Returns
    -------
    idx : ndarray of int, shape (n_harmonic_bins,)
        Sorted, without repeats.
    """
    axis = np.asarray(freq_axis, dtype=float)
    if axis.size == 0:
        return np.zeros(0, int)
    df = axis[1] - axis[0] if axis.size > 1 else axis[0]
    out = set()
    for f in tagged_hz:
        f = float(f)
        if f <= 0:
            continue
        for h in np.arange(f, axis[-1] + df / 2, f):
            i = int(np.argmin(np.abs(axis - h)))
            if abs(axis[i] - h) <= 1e-6 * max(1.0, h):
                out.add(i)
    return np.array(sorted(out), dtype=int)


@renamed_kwarg(rate_hz="sfreq")
def is_real_bin(freq_hz, sfreq: float) -> np.ndarray:
    """True where a bin is real-valued for a real signal: the Nyquist bin (``sfreq / 2``).

    Such a bin has 1 degree of freedom instead of 2 and no meaningful phase.

    Parameters
    ----------
    freq_hz : float or array_like of float, shape (n,)
        Bin frequencies (Hz).
    sfreq : float
        The sampling rate (Hz).

    Returns
    -------
    real : bool ndarray, shape of ``freq_hz``
    """
    return np.isclose(np.asarray(freq_hz, dtype=float), sfreq / 2.0)


@renamed_kwarg(rate_hz="sfreq")
def warn_nyquist(freq_hz: float, sfreq: float, level: str) -> None:
    """Warn that phase statistics at the Nyquist bin are meaningless (the bin is real-valued).

    Parameters
    ----------
    freq_hz : float
        The tested frequency (Hz); nothing happens unless it is ``sfreq / 2``.
    sfreq : float
        The sampling rate (Hz).
    level : str
        The level's name, for the message.
    """
    if np.isclose(freq_hz, sfreq / 2):
        warnings.warn(
            f"The {level} rate ({freq_hz} Hz) is exactly the Nyquist frequency of a {sfreq} Hz unit "
            "rate: its amplitude is valid but its phase is not (the bin is real-valued), so ITC and "
            "Rayleigh statistics there are meaningless. Use a design with longer structures "
            "(e.g. 3-unit phrases) to move the rate below Nyquist.",
            UserWarning,
            stacklevel=user_stacklevel(),  # the first caller outside hftp
        )


neighbour_bins = deprecated_alias(
    neighbor_bins, "hftp.spectral.bins.neighbour_bins", "hftp.spectral.bins.neighbor_bins"
)
