"""What the tagging tests read: the checked call arguments, and a Spectra read channel-first.

:func:`check_condition` and :func:`resolve_levels` check the arguments that name what is tested
(a condition of the Spectra; the levels and their exact bins, at or below Nyquist).
:class:`TagData` is one family of tests' view of a Spectra: the tested condition and control,
the levels with their bins, and the bins left out of every neighbor set (the tagged frequencies and
their harmonics: with short trials the 2 Hz bin is a neighbor of 1 Hz). Its methods return arrays
of shape ``(n_channels, ...)``, the channel dims flattened.

Trial counts may differ between channels (subjects pooled with :func:`hftp.concat_subjects` give
``n_trials`` dims ``(condition, channel)``): :meth:`TagData.n_trials` returns one count per
channel, every mean divides by it, and per-trial values (``trial_x``) are NaN where a channel has
fewer trials.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from hftp._validation import InvalidValueError, check_float, check_option, check_type
from hftp.spectral.bins import bin_index, is_real_bin, neighbor_bins

__all__ = [
    "TOKENIZATION_TOLERANCE",
    "TagData",
    "check_condition",
    "resolve_levels",
    "warn_tokenization",
]

#: A difference in token sharing or splitting between the tested conditions above this warns (the
#: probe's own tolerance, hftp.models.pooling.SHARING_TOLERANCE).
TOKENIZATION_TOLERANCE = 0.01

_TOKENIZATION_ATTRS = {
    "token_sharing": "share a token with another unit (identical vectors)",
    "token_splitting": (
        "were split by unit-wise tokenization out of a word the tokenizer reads as one token"
    ),
}


def check_condition(name: str, value: Any, conditions: list[str]) -> str:
    """Check that ``value`` names one of the Spectra's conditions.

    Parameters
    ----------
    name : str
        The parameter name used in error messages (``"condition"`` or ``"control"``).
    value : object
        What the caller passed.
    conditions : list of str
        The Spectra's conditions.

    Returns
    -------
    condition : str
        ``value``.
    """
    check_type(name, value, str, "a condition name (str)")
    return check_option(name, value, conditions, fix="Choose one of the spectra's conditions.")


def warn_tokenization(spectra, condition: str, control: str | None) -> None:
    """Warn when the tested conditions differ in how their units were tokenized.

    A model Spectra records per condition the share of units that share a token with another
    unit (``token_sharing``) and the share that unit-wise tokenization split out of a word the
    tokenizer normally reads as one token (``token_splitting``; two-character Chinese words are
    frequent in sentences, rare in shuffled controls). The probe warns when it makes them; the
    attrs travel with the spectra, so tagging warns again about the two conditions it compares.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra (its attrs ``token_sharing`` and ``token_splitting``, JSON, when present).
    condition, control : str
        The tested condition and its control (None: nothing is compared, no warning).
    """
    import json
    import warnings

    if control is None:
        return
    found = []
    for attr, what in _TOKENIZATION_ATTRS.items():
        raw = spectra.attrs.get(attr)
        if not raw:
            continue
        try:
            shares = json.loads(raw) if isinstance(raw, str) else dict(raw)
            a, b = float(shares[condition]), float(shares[control])
        except (ValueError, TypeError, KeyError):
            continue
        if abs(a - b) > TOKENIZATION_TOLERANCE:
            found.append(f"{attr}: {a:.1%} of {condition!r} vs {b:.1%} of {control!r} units {what}")
    if found:
        warnings.warn(
            "find_tagged: the conditions compared were tokenized differently ("
            + "; ".join(found)
            + "), so part of any difference between them is tokenization, not structure. "
            "Report these shares beside the result (they are in the spectra's attrs), or "
            "compare conditions with equal shares.",
            UserWarning,
            stacklevel=3,
        )


def resolve_levels(
    spectra, freqs: Mapping[str, float] | None, levels
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The tested levels, their frequencies and their exact bins on the Spectra's axis.

    Parameters
    ----------
    spectra : xarray.Dataset
        A checked Spectra, dims ``(condition, *channel_dims, freq)``.
    freqs : dict of str to float, optional
        Level → Hz. Default the Spectra's ``tagged_hz``.
    levels : str or list of str, optional
        Keys of ``freqs`` to test (repeats dropped). Default all.

    Returns
    -------
    levels : list of str, shape (n_levels,)
    hz : ndarray of float, shape (n_levels,)
    bins : ndarray of int, shape (n_levels,)
        Indices into ``spectra["freq"]``.

    Raises
    ------
    InvalidValueError
        For no frequencies, an unknown level, or a frequency off-bin or outside (0, Nyquist].
    """
    sfreq = spectra.hftp.sfreq
    if freqs is None:
        freqs = spectra.hftp.tagged_hz
    check_type("freqs", freqs, Mapping, "a dict mapping level to Hz, e.g. {'sentence': 1.0}")
    freqs = {str(k): check_float(f"freqs ({k})", v) for k, v in freqs.items()}
    if not freqs:
        raise InvalidValueError(
            "Invalid value for 'freqs': no tagged frequencies (the spectra's tagged_hz is empty). "
            "Pass freqs={'sentence': 1.0, 'phrase': 2.0} or similar."
        )
    if levels is None:
        levels = list(freqs)
    else:
        if isinstance(levels, str):
            levels = [levels]
        for lv in levels:
            check_option("levels", lv, list(freqs))
        levels = list(dict.fromkeys(levels))
    axis = spectra["freq"].values
    bins = []
    for lv in levels:
        f = freqs[lv]
        name = f"freqs ({lv})"
        if f <= 0 or f > sfreq / 2 * (1 + 1e-9):
            raise InvalidValueError(
                f"Invalid value for {name!r}: {f} Hz is outside (0, {sfreq / 2}] Hz, the range up "
                f"to the Nyquist frequency of a {sfreq} Hz rate. Choose a tagged frequency below "
                "Nyquist."
            )
        bins.append(bin_index(axis, f, name=name))
    return levels, np.array([freqs[lv] for lv in levels]), np.array(bins)


@dataclass(frozen=True, eq=False)
class TagData:
    """One family of tests' view of a Spectra, channel-first.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra without a ``split`` dim, dims ``(condition, *channel_dims, freq)``.
    condition : str
        The tested condition.
    control : str or None
        The control condition of the specificity test.
    levels : tuple of str, shape (n_levels,)
        The tested levels (or control frequencies' names).
    freqs : ndarray of float, shape (n_levels,)
        Their frequencies (Hz).
    bins : ndarray of int, shape (n_levels,)
        Their indices on ``spectra["freq"]``.
    exclude : ndarray of int, shape (n_excluded,)
        Bins left out of every neighbor set (tagged frequencies and their harmonics).
    """

    spectra: Any
    condition: str
    control: str | None
    levels: tuple[str, ...]
    freqs: np.ndarray
    bins: np.ndarray
    exclude: np.ndarray

    @cached_property
    def sfreq(self) -> float:
        """The sampling rate (Hz)."""
        return self.spectra.hftp.sfreq

    @cached_property
    def channel_dims(self) -> tuple[str, ...]:
        """``("layer", "neuron")`` or ``("channel",)``."""
        return self.spectra.hftp.channel_dims

    @cached_property
    def channel_shape(self) -> tuple[int, ...]:
        """The sizes of the channel dims."""
        return tuple(self.spectra.sizes[d] for d in self.channel_dims)

    @property
    def n_channels(self) -> int:
        """All channels: the product of :attr:`channel_shape`."""
        return int(np.prod(self.channel_shape))

    @property
    def n_freq(self) -> int:
        """Bins on the frequency axis."""
        return int(self.spectra.sizes["freq"])

    @cached_property
    def real(self) -> np.ndarray:
        """Bool per level, shape (n_levels,): True at the real-valued Nyquist bin."""
        return is_real_bin(self.freqs, self.sfreq)

    def neighbors(self, level: int, n_neighbors: int, skip: int) -> np.ndarray:
        """Neighbor bins of the level's bin, without the excluded (tagged/harmonic) bins.

        Parameters
        ----------
        level : int
            Index into :attr:`levels`.
        n_neighbors, skip : int
            Neighbor bins per side and adjacent bins skipped.

        Returns
        -------
        idx : ndarray of int, shape (<= 2 * n_neighbors,)
        """
        i = int(self.bins[level])
        nb = neighbor_bins(self.n_freq, i, n_neighbors, skip)
        if self.exclude.size:
            nb = nb[~np.isin(nb, self.exclude)]
        return nb

    def real_bin(self, idx) -> np.ndarray:
        """Bool per bin ``idx``, shape (len(idx),): True at the real-valued Nyquist bin.

        Parameters
        ----------
        idx : array_like of int
            Indices on the frequency axis.

        Returns
        -------
        real : ndarray of bool
        """
        return is_real_bin(self.spectra["freq"].values[np.asarray(idx)], self.sfreq)

    def n_trials(self, cond: str) -> np.ndarray:
        """Trials of ``cond`` per channel (one count broadcast, or per-channel counts).

        Parameters
        ----------
        cond : str
            A condition.

        Returns
        -------
        n : ndarray of int64, shape (n_channels,)
        """
        da = self.spectra["n_trials"].sel(condition=cond)
        extra = [d for d in da.dims if d not in self.channel_dims]
        if extra:
            raise InvalidValueError(
                f"Invalid value for 'spectra': n_trials has dims {da.dims}; expected (condition,) "
                "or (condition, *channels)."
            )
        full = da.broadcast_like(self.spectra["sum_x"].isel(condition=0, freq=0, drop=True))
        full = full.transpose(*self.channel_dims)
        return np.asarray(full.values, dtype=np.int64).reshape(self.n_channels)

    def require_trials(self, cond: str, k: int, why: str) -> np.ndarray:
        """Per-channel trial counts of ``cond``, after checking every channel has at least ``k``.

        Parameters
        ----------
        cond : str
            A condition.
        k : int
            The fewest trials the test needs.
        why : str
            The test, for the message.

        Returns
        -------
        n : ndarray of int64, shape (n_channels,)
        """
        counts = self.n_trials(cond)
        n = int(counts.min()) if counts.size else 0
        if n < k:
            raise InvalidValueError(
                f"Invalid value for 'spectra': condition {cond!r} has {n} trial(s); {why} needs at "
                f"least {k}. Add trials (sequences) or choose another test."
            )
        return counts

    def spectrum(self, var: str, cond: str, idx=None) -> np.ndarray:
        """A data variable of ``cond`` at bins ``idx``, channel-first.

        Parameters
        ----------
        var : str
            A variable with dims ``(condition, *channel_dims, freq)``, e.g. ``"sum_x"``.
        cond : str
            A condition.
        idx : array_like of int, optional
            Bins; default all.

        Returns
        -------
        values : ndarray, shape (n_channels, n_bins)
        """
        da = self.spectra[var].sel(condition=cond)
        if idx is not None:
            da = da.isel(freq=np.asarray(idx))
        return da.transpose(*self.channel_dims, "freq").values.reshape(self.n_channels, -1)

    def evoked(self, cond: str, idx=None) -> np.ndarray:
        """The evoked spectrum Σ_k X_k / n of ``cond``.

        Parameters
        ----------
        cond : str
            A condition.
        idx : array_like of int, optional
            Bins; default all.

        Returns
        -------
        X_mean : ndarray of complex, shape (n_channels, n_bins)
        """
        return self.spectrum("sum_x", cond, idx) / np.maximum(self.n_trials(cond), 1)[:, None]

    def lexical_var(self, cond: str, idx) -> np.ndarray:
        """The variance of the lexical baseline's estimation error in the evoked spectrum.

        Parameters
        ----------
        cond : str
            A condition.
        idx : array_like of int
            Bins.

        Returns
        -------
        var : ndarray of float, shape (n_channels, n_bins)
            Zeros without a lexical baseline (no ``lexical_var`` in the Spectra).
        """
        if "lexical_var" not in self.spectra:
            return np.zeros((self.n_channels, len(np.atleast_1d(idx))))
        return self.spectrum("lexical_var", cond, idx)

    def trials(self, cond: str, level: int) -> np.ndarray:
        """Per-trial coefficients of ``cond`` at the level's bin (from ``trial_x``).

        Parameters
        ----------
        cond : str
            A condition.
        level : int
            Index into :attr:`levels`.

        Returns
        -------
        X : ndarray of complex64, shape (n_trials, n_channels)
            Rows that are NaN in every channel (padding) are dropped; a channel with fewer trials
            than others (pooled subjects) has NaN in its missing rows.
        """
        s = self.spectra
        f = float(self.freqs[level])
        j = np.flatnonzero(np.isclose(s["tagged_freq"].values, f)) if "trial_x" in s else []
        if len(j) == 0:
            raise InvalidValueError(
                f"Invalid value for 'spectra': the trial-level tests need per-trial values at {f} Hz "
                f"({self.levels[level]}), but the spectra keep none there (trial_x). Build the spectra "
                "with keep_trials=True and this frequency among the tagged ones."
            )
        da = s["trial_x"].sel(condition=cond).isel(tagged_freq=int(j[0]))
        v = da.transpose("trial", *self.channel_dims).values.reshape(-1, self.n_channels)
        return v[~np.isnan(v).all(axis=1)]
