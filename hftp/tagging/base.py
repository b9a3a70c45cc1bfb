"""base: split from hftp 0.1's stats."""

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

    @property
    def n_channels(self) -> int:
        return int(np.prod(self.channel_shape))

    def real_bin(self, idx) -> np.ndarray:
        return sp.is_real_bin(self.spectra["freq"].values[np.asarray(idx)], self.rate)

    def n_trials(self, cond: str) -> int:
        return int(self.spectra["n_trials"].sel(condition=cond))

    def require_trials(self, cond: str, k: int, why: str) -> int:
        n = self.n_trials(cond)
        if n < k:
            raise InvalidValueError(
                f"Invalid value for 'spectra': condition {cond!r} has {n} trial(s); {why} needs at "
                f"least {k}. Add trials (shuffles) or choose another test."
            )
        return n

    def spectrum(self, var: str, cond: str, idx=None) -> np.ndarray:
        """``var`` of ``cond`` at bins ``idx`` as (n_channels, n_bins)."""
        da = self.spectra[var].sel(condition=cond)
        if idx is not None:
            da = da.isel(freq=np.asarray(idx))
        return da.transpose(*self.channel_dims, "freq").values.reshape(self.n_channels, -1)

    def evoked(self, cond: str, idx=None) -> np.ndarray:
        """Evoked spectrum Σ_k X_k / n of ``cond``, (n_channels, n_bins), complex."""
        return self.spectrum("sum_x", cond, idx) / max(self.n_trials(cond), 1)

    def trials(self, cond: str, level: int) -> np.ndarray:
        """Per-trial coefficients of ``cond`` at the level's bin, (n_trials, n_channels), complex."""
        s = self.spectra
        f = float(self.freqs[level])
        j = np.flatnonzero(np.isclose(s["tagged_freq"].values, f)) if "trial_x" in s else []
        if len(j) == 0:
            raise InvalidValueError(
                f"Invalid value for 'spectra': the trial-level tests need per-trial values at {f} Hz "
                f"({self.levels[level]}), but the spectra keep none there (trial_x). Build the spectra "
                "with keep_trials=True and this frequency among the tagged ones."
            )
        n = self.n_trials(cond)
        da = s["trial_x"].sel(condition=cond).isel(trial=slice(0, n), tagged_freq=int(j[0]))
        return da.transpose("trial", *self.channel_dims).values.reshape(n, self.n_channels)
