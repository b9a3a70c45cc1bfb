"""accessor: split from hftp 0.1's spectral."""

from __future__ import annotations

import json
import logging

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
)

logger = logging.getLogger("hftp")


# ---------------------------------------------------------------------------------------------
# accessors


_SPECTRA_VARS = ("sum_x", "sum_abs", "sum_abs2", "sum_phase", "n_trials")


def _check_spectra(s, name: str = "spectra") -> None:
    import xarray as xr

    if not isinstance(s, xr.Dataset) or any(v not in s for v in _SPECTRA_VARS):
        got = (
            type(s).__name__
            if not isinstance(s, xr.Dataset)
            else f"a Dataset with {sorted(s.data_vars)}"
        )
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected a Spectra (xarray.Dataset with {', '.join(_SPECTRA_VARS)}) "
            f"from hftp.probe or hftp.brain_spectra; got {got}."
        )


def tagged_hz(s) -> dict[str, float]:
    """The tagged frequencies of a Spectra, level → Hz."""
    t = s.attrs.get("tagged_hz", "{}")
    return {k: float(v) for k, v in (json.loads(t) if isinstance(t, str) else dict(t)).items()}


def sampling_rate(s) -> float:
    """The unit rate (model) or sampling rate (brain) of a Spectra, in Hz."""
    for k in ("unit_rate_hz", "sfreq"):
        if k in s.attrs:
            return float(s.attrs[k])
    raise InvalidValueError("The Spectra has neither 'unit_rate_hz' nor 'sfreq' in its attrs.")


def unit_dims(s) -> tuple[str, ...]:
    """The unit dims of a Spectra or derived DataArray (all dims but condition, trial and freq)."""
    skip = {"condition", "freq", "trial", "tagged_freq", "level"}
    dims = s["sum_x"].dims if hasattr(s, "data_vars") and "sum_x" in s else s.dims
    return tuple(d for d in dims if d not in skip)
