"""The false discovery rate: Benjamini–Hochberg q-values over one family of tests (a leaf module).

Every tagging family (channels × levels, the conjunction, the control frequencies, the confirmation
half of a replication) and the alignment's per-layer tests are corrected by :func:`bh_fdr`.
"""

from __future__ import annotations

import numpy as np

from hftp._validation import InvalidValueError

__all__ = ["bh_fdr"]


def bh_fdr(p):
    """Benjamini–Hochberg q-values over all entries of ``p`` (one family).

    Parameters
    ----------
    p : array_like or xarray.DataArray, any shape
        p-values in [0, 1]; NaN entries are ignored (not counted in the family) and stay NaN.

    Returns
    -------
    q : ndarray or xarray.DataArray, the type and shape of ``p``
        q_(i) = min_{j ≥ i} p_(j) · m / j, capped at 1. Reject at level α where ``q <= α``.

    Raises
    ------
    InvalidValueError
        If a p-value lies outside [0, 1].
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
