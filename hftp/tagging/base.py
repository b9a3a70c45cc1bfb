"""Validated inputs shared by the tagging modes, and the Benjamini–Hochberg FDR (a leaf module).

:class:`TagInputs` reads a Spectra channel-first. Trial counts may differ between channels
(subjects pooled with :func:`hftp.concat_subjects` give ``n_trials`` dims ``(condition, channel)``):
:meth:`TagInputs.n_trials` returns one count per channel, every mean divides by it, and per-trial
values (``trial_x``) are NaN where a channel has fewer trials. The neighbour set of a tagged bin
leaves out every other tagged frequency and its harmonics (:meth:`TagInputs.neighbours`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from hftp import spectral as sp
from hftp._validation import (
    InvalidValueError,
)

logger = logging.getLogger("hftp")

CATEGORIES = ("sentence", "phrase", "shared", "none")
CATEGORY_LEVELS = ("sentence", "phrase")


def bh_fdr(p):
    """Benjamini–Hochberg q-values over all entries of ``p`` (one family).

    Parameters
    ----------
    p : array_like or xarray.DataArray, any shape
        p-values in [0, 1]; NaN entries are ignored (not counted in the family) and stay NaN.

    Returns
    -------
    q : same type and shape as ``p``
        q_(i) = min_{j ≥ i} p_(j) · m / j, capped at 1. Reject at level α where ``q <= α``.
    """
    import xarray as xr

    if isinstance(p, xr.DataArray):
        return p.copy(data=bh_fdr(p.values))
    arr = np.asarray(p, dtype=float)
    flat = arr.ravel()
    ok = ~np.isnan(flat)
    v = flat[ok]
    if v.size and (v.min() < 0 or v.max() > 1):
        raise InvalidValueError(
            f"Invalid value for 'p': expected p-values in [0, 1]; got values in [{v.min()}, {v.max()}]."
        )
    out = np.full(flat.shape, np.nan)
    if v.size:
        order = np.argsort(v, kind="stable")
        m = v.size
        ranked = v[order] * m / np.arange(1, m + 1)
        qs = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
        res = np.empty(m)
        res[order] = qs
        out[ok] = res
    return out.reshape(arr.shape)


@dataclass
class TagInputs:
    """Validated inputs shared by the modes (internal)."""

    spectra: Any
    condition: str
    control: str | None
    levels: list[str]
    freqs: np.ndarray
    bins: np.ndarray
    real: np.ndarray
    rate: float
    channel_dims: tuple[str, ...]
    channel_shape: tuple[int, ...]
    n_freq: int
    measure: str
    specificity: str
    q: float
    seed: int
    n_permutations: int
    n_neighbors: int
    skip: int
    n_groups: int
    z_threshold: float
    percentile: float
    exclude: np.ndarray | None = None

    def neighbours(self, level: int) -> np.ndarray:
        """Neighbour bins of the level's bin, without the excluded (tagged/harmonic) bins."""
        i = int(self.bins[level])
        nb = sp.neighbour_bins(self.n_freq, i, self.n_neighbors, self.skip)
        if self.exclude is not None and self.exclude.size:
            nb = nb[~np.isin(nb, self.exclude)]
        return nb

    @property
    def n_channels(self) -> int:
        return int(np.prod(self.channel_shape))

    def real_bin(self, idx) -> np.ndarray:
        return sp.is_real_bin(self.spectra["freq"].values[np.asarray(idx)], self.rate)

    def n_trials(self, cond: str) -> np.ndarray:
        """Trials of ``cond`` per channel, shape (n_channels,), int (one count broadcast, or
        per-channel counts of pooled subjects)."""
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
        """Per-channel trial counts of ``cond``, after checking every channel has at least ``k``."""
        counts = self.n_trials(cond)
        n = int(counts.min()) if counts.size else 0
        if n < k:
            raise InvalidValueError(
                f"Invalid value for 'spectra': condition {cond!r} has {n} trial(s); {why} needs at "
                f"least {k}. Add trials (shuffles) or choose another test."
            )
        return counts

    def spectrum(self, var: str, cond: str, idx=None) -> np.ndarray:
        """``var`` of ``cond`` at bins ``idx`` as (n_channels, n_bins)."""
        da = self.spectra[var].sel(condition=cond)
        if idx is not None:
            da = da.isel(freq=np.asarray(idx))
        return da.transpose(*self.channel_dims, "freq").values.reshape(self.n_channels, -1)

    def evoked(self, cond: str, idx=None) -> np.ndarray:
        """Evoked spectrum Σ_k X_k / n of ``cond``, (n_channels, n_bins), complex."""
        return self.spectrum("sum_x", cond, idx) / np.maximum(self.n_trials(cond), 1)[:, None]

    def lexical_var(self, cond: str, idx) -> np.ndarray:
        """Variance of the lexical baseline's estimation error in the evoked spectrum of
        ``cond`` at bins ``idx`` (n_channels, n_bins); zeros without a lexical baseline."""
        if "lexical_var" not in self.spectra:
            return np.zeros((self.n_channels, len(np.atleast_1d(idx))))
        return self.spectrum("lexical_var", cond, idx)

    def trials(self, cond: str, level: int) -> np.ndarray:
        """Per-trial coefficients of ``cond`` at the level's bin, (n_trials, n_channels), complex.

        Rows that are NaN in every channel (padding) are dropped; a channel with fewer trials than
        others (pooled subjects) has NaN in its missing rows."""
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
