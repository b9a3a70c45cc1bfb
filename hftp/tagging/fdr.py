"""The false discovery rate: Benjamini–Hochberg q-values over one family of tests (a leaf module).

Every tagging family (channels × levels, the conjunction, the control frequencies, the confirmation
half of a replication) and the alignment's per-layer tests are corrected by :func:`bh_fdr`. The
correction itself is scipy's ``scipy.stats.false_discovery_control``; hftp adds what a family of
hftp tests needs around it: NaN entries (untestable channels) left out of the family, any shape,
``xarray.DataArray`` in and out, and its own message for a p-value outside [0, 1].
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
        q_(i) = min_{j ≥ i} p_(j) · m / j, capped at 1, with m the number of non-NaN p-values
        (``scipy.stats.false_discovery_control(p, method="bh")``). Reject at level α where
        ``q <= α``.

    Raises
    ------
    InvalidValueError
        If a p-value lies outside [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> import hftp
    >>> hftp.bh_fdr(np.array([0.01, 0.02, 0.03, 0.5]))
    array([0.04, 0.04, 0.04, 0.5 ])
    >>> hftp.bh_fdr(np.array([0.01, np.nan, 0.04]))  # NaN: not in the family
    array([0.02,  nan, 0.04])
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
    from scipy.stats import false_discovery_control

    out = np.full(flat.shape, np.nan)
    if v.size:
        out[ok] = false_discovery_control(v, method="bh")
    return out.reshape(arr.shape)
