"""Two independent halves of the trials in one Spectra: the ``split`` dim.

``hftp.probe(..., split=True)`` accumulates even and odd sequences of every condition separately,
so its Spectra carries a ``split`` dim of size 2 on the sums, on ``n_trials`` and on ``trial_x``.
Selection on one half and confirmation on the other is then on independent data (replication).
:func:`pool_splits` gives back the ordinary Spectra over all trials; :func:`split_half` one half.
"""

from __future__ import annotations

import numpy as np

from hftp._validation import InvalidValueError

__all__ = ["has_splits", "pool_splits", "split_half"]

_SUMS = ("sum_x", "sum_abs", "sum_abs2", "sum_phase")


def has_splits(spectra) -> bool:
    """True when ``spectra`` carries a ``split`` dim.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra.

    Returns
    -------
    bool
    """
    return "split" in spectra.dims


def split_half(spectra, i: int):
    """Half ``i`` (0 or 1) of a split Spectra, as an ordinary Spectra (no ``split`` dim).

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra with a ``split`` dim, dims ``(split, condition, *channel_dims, freq)``.
    i : int
        Which half.

    Returns
    -------
    half : xarray.Dataset
        Dims ``(condition, *channel_dims, freq)``, the attrs of ``spectra``.
    """
    if not has_splits(spectra):
        raise InvalidValueError(
            "Invalid value for 'spectra': it has no 'split' dim. Probe with split=True."
        )
    if i not in range(spectra.sizes["split"]):
        raise InvalidValueError(
            f"Invalid value for 'i': expected 0 … {spectra.sizes['split'] - 1}; got {i}."
        )
    out = spectra.isel(split=i, drop=True)
    out.attrs = dict(spectra.attrs)
    return out


def pool_splits(spectra):
    """All trials of a split Spectra in one ordinary Spectra (sums and counts added, trials joined).

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra, with or without a ``split`` dim.

    Returns
    -------
    pooled : xarray.Dataset
        Dims ``(condition, *channel_dims, freq)``; ``trial_x`` holds the trials of both halves
        (``trial`` of size 2 × the halves' ``trial``). A Spectra without a ``split`` dim is
        returned unchanged.
    """
    import xarray as xr

    if not has_splits(spectra):
        return spectra
    data = {}
    for v in spectra.data_vars:
        da = spectra[v]
        if "split" not in da.dims:
            data[v] = da
        elif v in _SUMS or v == "n_trials":
            data[v] = da.sum("split")
        elif v == "lexical_var":  # same words at the same positions in both halves: ≈ equal
            data[v] = da.mean("split")
        elif v == "trial_x":
            halves = [da.isel(split=i, drop=True) for i in range(spectra.sizes["split"])]
            joined = xr.concat(halves, dim="trial")
            data[v] = joined.assign_coords(trial=np.arange(joined.sizes["trial"]))
        else:
            data[v] = da.isel(split=0, drop=True)
    coords = {k: c for k, c in spectra.coords.items() if "split" not in c.dims and k != "trial"}
    return xr.Dataset(data, coords=coords, attrs=dict(spectra.attrs))
