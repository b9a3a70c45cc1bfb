"""Frequencies and FFT bins: which bin a tagged frequency falls on, its neighbours, and whether
it is the real-valued Nyquist bin.

An ``n``-sample rfft at rate ``r`` has bins at ``k r / n``. A tagged frequency must sit exactly on
one (:func:`check_on_bin`); :func:`bin_step` gives the smallest length that puts several on bins.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from fractions import Fraction
from math import lcm

import numpy as np

from hftp._validation import InvalidValueError

__all__ = [
    "bin_step",
    "on_bin_lengths",
    "check_on_bin",
    "bin_index",
    "neighbour_bins",
    "is_real_bin",
    "warn_nyquist",
]


def bin_step(freqs_hz: Iterable[float], rate_hz: float) -> int:
    """The smallest number of samples that puts every frequency in ``freqs_hz`` on an exact bin.

    A frequency f is on a bin of an N-sample FFT at rate r when f N / r is an integer, so N must be
    a multiple of the denominator of f / r; the step is the lcm over the frequencies.
    """
    dens = [Fraction(float(f) / rate_hz).limit_denominator(1_000_000).denominator for f in freqs_hz]
    return lcm(*dens) if dens else 1


def on_bin_lengths(freq_hz: float, rate_hz: float, max_len: int = 1000, n: int = 5) -> list[int]:
    """Return up to ``n`` sequence lengths (samples) that put ``freq_hz`` on an exact FFT bin.

    A frequency f is on a bin of an N-sample FFT at rate r when f * N / r is an integer.
    """
    step = bin_step([freq_hz], rate_hz)
    return [k * step for k in range(1, max_len // step + 1)][:n] if step <= max_len else []


def check_on_bin(
    name: str, freq_hz: float, rate_hz: float, n_samples: int, *, tol: float = 1e-6
) -> int:
    """Return the rfft bin index of ``freq_hz`` for ``n_samples`` at ``rate_hz``.

    Raises a ``ValueError`` naming sequence lengths that would work if the frequency falls between
    bins or above the Nyquist frequency.
    """
    nyq = rate_hz / 2.0
    if freq_hz <= 0:
        raise InvalidValueError(
            f"Invalid value for {name!r}: expected a positive frequency; got {freq_hz} Hz."
        )
    if freq_hz > nyq + tol:
        raise InvalidValueError(
            f"Invalid value for {name!r}: {freq_hz} Hz is above the Nyquist frequency ({nyq} Hz) "
            f"for a sampling rate of {rate_hz} Hz. Use a higher sampling rate or a lower frequency."
        )
    k = freq_hz * n_samples / rate_hz
    if abs(k - round(k)) > tol * max(1.0, abs(k)):
        ok = on_bin_lengths(freq_hz, rate_hz)
        hint = f" Lengths that put it on a bin: {ok} samples (or multiples)." if ok else ""
        raise InvalidValueError(
            f"Invalid value for {name!r}: {freq_hz} Hz is not on an exact FFT bin for "
            f"{n_samples} samples at {rate_hz} Hz (bin spacing {rate_hz / n_samples:.6g} Hz).{hint}"
        )
    return int(round(k))


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
