"""The ``.hftp`` accessor: what a Spectra is, read from one place; and the upgrade of older files.

Every Spectra (an ``xarray.Dataset`` from :func:`hftp.probe`, :func:`hftp.brain_spectra` or
:func:`hftp.make_spectra`) carries its sampling rate, tagged frequencies and kind in ``attrs``.
Code reads them only through this accessor::

    spectra.hftp.sfreq          # Hz: the unit rate for a model, the recording rate for a brain
    spectra.hftp.tagged_hz      # {"sentence": 1.0, "phrase": 2.0}, a real dict
    spectra.hftp.channel_dims   # ("layer", "neuron") or ("channel",)
    spectra.hftp.kind           # "model" or "brain"
    spectra.hftp.validate()     # raises InvalidTypeError/InvalidValueError naming the fix

Schema history (``attrs["hftp_schema"]``):

1. hftp 0.1: the rate was ``unit_rate_hz`` on model spectra and ``sfreq`` on brain spectra; no
   version attribute.
2. hftp 0.2: one ``sfreq`` for both; ``hftp_schema = 2``. :func:`upgrade` converts version 1
   (``hftp.load`` calls it), so files saved by 0.1 keep loading.

:func:`upgrade` also renames what changed in :func:`hftp.find_tagged` results since they were
written (``RENAMED_RESULT_VARS``, ``RENAMED_RESULT_ATTRS``): hftp 0.2 called the neighbor test
alone ``tagged``, a name that collided with the ``tagged``/``tagged_hz`` keywords; it is now
``above_neighbors``.

The accessor is registered when :mod:`hftp.spectral` is imported (``hftp.load`` and every hftp
function that makes or reads a Spectra do so).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import xarray as xr

from hftp._validation import InvalidTypeError, InvalidValueError

__all__ = [
    "SpectraAccessor",
    "SCHEMA_VERSION",
    "SPECTRA_VARS",
    "RENAMED_RESULT_VARS",
    "RENAMED_RESULT_ATTRS",
    "upgrade",
    "channel_dims",
    "check_spectra",
    "tagged_dict",
]

SCHEMA_VERSION = 2
SPECTRA_VARS = ("sum_x", "sum_abs", "sum_abs2", "sum_phase", "n_trials")
_NOT_CHANNEL = frozenset({"condition", "freq", "trial", "tagged_freq", "level", "split"})
_KINDS = ("model", "brain")

#: Variables of a :func:`hftp.find_tagged` result renamed since hftp 0.2: old name → new name.
RENAMED_RESULT_VARS = {"tagged": "above_neighbors", "control_tagged": "control_above_neighbors"}
#: Attrs of a :func:`hftp.find_tagged` result renamed since hftp 0.2: old name → new name.
RENAMED_RESULT_ATTRS = {"excluded_neighbour_hz": "excluded_neighbor_hz"}


def channel_dims(obj) -> tuple[str, ...]:
    """The channel dims of a Spectra or of anything derived from one.

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataArray
        A Spectra, a measure of one, or a tagging result.

    Returns
    -------
    dims : tuple of str
        All dims but condition, freq, trial, tagged_freq, level and split (of ``sum_x`` for a
        Spectra): ``("layer", "neuron")`` or ``("channel",)``.
    """
    dims = obj["sum_x"].dims if isinstance(obj, xr.Dataset) and "sum_x" in obj else obj.dims
    return tuple(d for d in dims if d not in _NOT_CHANNEL)


def upgrade(ds: xr.Dataset) -> xr.Dataset:
    """Return ``ds`` in the current schema (a no-op for current files and other objects).

    A version 1 (hftp 0.1) model Spectra kept its rate as ``unit_rate_hz``; it becomes ``sfreq``.
    A :func:`hftp.find_tagged` result of hftp 0.2 gets its renamed variables and attrs
    (``tagged`` → ``above_neighbors``, see ``RENAMED_RESULT_VARS``). ``hftp.load`` calls it.

    Parameters
    ----------
    ds : xarray.Dataset
        As read from a file (anything else is returned unchanged).

    Returns
    -------
    ds : xarray.Dataset
        ``ds`` itself when nothing changes, else a shallow copy with the new names.
    """
    if not isinstance(ds, xr.Dataset):
        return ds
    if "category" in ds and "significant" in ds:
        return _upgrade_result(ds)
    if "sum_x" not in ds:
        return ds
    version = int(ds.attrs.get("hftp_schema", 1))
    if version >= SCHEMA_VERSION:
        return ds
    attrs = dict(ds.attrs)
    if "sfreq" not in attrs and "unit_rate_hz" in attrs:
        attrs["sfreq"] = float(attrs.pop("unit_rate_hz"))
    attrs.setdefault("kind", "model" if "layer" in ds.dims else "brain")
    attrs["hftp_schema"] = SCHEMA_VERSION
    return _with_attrs(ds, attrs)


def _upgrade_result(ds: xr.Dataset) -> xr.Dataset:
    """A tagging result with the names of :data:`RENAMED_RESULT_VARS` and
    :data:`RENAMED_RESULT_ATTRS` (an old name is kept when its new one is already there)."""
    names = {o: n for o, n in RENAMED_RESULT_VARS.items() if o in ds.data_vars and n not in ds}
    attrs = {o: n for o, n in RENAMED_RESULT_ATTRS.items() if o in ds.attrs and n not in ds.attrs}
    if not names and not attrs:
        return ds
    out = ds.rename_vars(names) if names else ds.copy(deep=False)
    out.attrs = {attrs.get(k, k): v for k, v in ds.attrs.items()}
    return out


def _with_attrs(ds: xr.Dataset, attrs: dict) -> xr.Dataset:
    out = ds.copy(deep=False)
    out.attrs = attrs
    return out


@xr.register_dataset_accessor("hftp")
class SpectraAccessor:
    """``spectra.hftp``: the sampling rate, tagged frequencies, channel dims and kind of a Spectra."""

    def __init__(self, ds: xr.Dataset):
        self._ds = ds

    @property
    def sfreq(self) -> float:
        """The sampling rate in Hz: the unit rate (model) or the recording rate (brain)."""
        a = self._ds.attrs
        for key in ("sfreq", "unit_rate_hz"):  # unit_rate_hz: a schema-1 object not yet upgraded
            if key in a:
                return float(a[key])
        raise InvalidValueError(
            "Invalid value for 'spectra': its attrs have no 'sfreq' (the sampling rate). Build it "
            "with hftp.probe, hftp.brain_spectra or hftp.make_spectra, or set spectra.attrs['sfreq']."
        )

    @property
    def tagged_hz(self) -> dict[str, float]:
        """The tagged frequencies, level → Hz (stored as JSON in ``attrs['tagged_hz']``)."""
        return tagged_dict(self._ds.attrs.get("tagged_hz", "{}"), "spectra.attrs['tagged_hz']")

    @property
    def channel_dims(self) -> tuple[str, ...]:
        """``("layer", "neuron")`` for a model, ``("channel",)`` for a brain."""
        return channel_dims(self._ds)

    @property
    def kind(self) -> str:
        """``"model"`` or ``"brain"``."""
        k = self._ds.attrs.get("kind")
        if k in _KINDS:
            return str(k)
        return "model" if "layer" in self._ds.dims else "brain"

    @property
    def schema(self) -> int:
        """The schema version of the attrs (1 for hftp 0.1 objects)."""
        return int(self._ds.attrs.get("hftp_schema", 1))

    def validate(self, name: str = "spectra") -> xr.Dataset:
        """Check that this is a usable Spectra and return it.

        Parameters
        ----------
        name : str
            The parameter name used in error messages.

        Returns
        -------
        spectra : xarray.Dataset
            The Spectra itself.

        Raises
        ------
        InvalidTypeError
            When a data variable of a Spectra is missing.
        InvalidValueError
            When the sampling rate is missing or not positive, or ``freq`` is missing.
        """
        ds = self._ds
        missing = [v for v in SPECTRA_VARS if v not in ds]
        if missing:
            raise InvalidTypeError(
                f"Invalid type for {name!r}: expected a Spectra (xarray.Dataset with "
                f"{', '.join(SPECTRA_VARS)}) from hftp.probe or hftp.brain_spectra; got a Dataset "
                f"with {sorted(map(str, ds.data_vars))} (missing {', '.join(missing)})."
            )
        if "freq" not in ds.dims:
            raise InvalidValueError(
                f"Invalid value for {name!r}: a Spectra needs a 'freq' dim; got dims "
                f"{tuple(ds.dims)}. Build it with hftp.probe, hftp.brain_spectra or hftp.make_spectra."
            )
        if not self.sfreq > 0:
            raise InvalidValueError(
                f"Invalid value for {name!r}: attrs['sfreq'] must be positive; got {self.sfreq}."
            )
        return ds


def check_spectra(s: Any, name: str = "spectra") -> xr.Dataset:
    """Validate ``s`` as a Spectra at a public boundary (a type check first, then the accessor).

    Parameters
    ----------
    s : object
        What the caller passed.
    name : str
        The parameter name used in error messages. Default ``"spectra"``.

    Returns
    -------
    spectra : xarray.Dataset
        ``s`` itself.

    Raises
    ------
    InvalidTypeError, InvalidValueError
        Naming what is missing and how to build a Spectra.
    """
    if not isinstance(s, xr.Dataset):
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected a Spectra (xarray.Dataset with "
            f"{', '.join(SPECTRA_VARS)}) from hftp.probe or hftp.brain_spectra; got "
            f"{type(s).__name__}."
        )
    return s.hftp.validate(name)


def tagged_dict(value: Any, name: str = "tagged_hz") -> dict[str, float]:
    """Normalise tagged frequencies to a dict level → Hz.

    Parameters
    ----------
    value : dict, str, float or sequence of float, or None
        A dict level → Hz, its JSON string (as stored in a file's attrs), one frequency, or a
        sequence of frequencies (levels are then named ``"<f> Hz"``). ``None`` gives ``{}``.
    name : str
        The parameter name used in error messages.

    Returns
    -------
    tagged_hz : dict of str to float
        Level → Hz, in the given order.
    """
    if value is None:
        return {}
    try:
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value, Mapping):
            return {str(k): float(v) for k, v in value.items()}
        if isinstance(value, int | float):
            value = [value]
        return {f"{float(v):g} Hz": float(v) for v in value}
    except (TypeError, ValueError):
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected a dict level → Hz (e.g. {{'phrase': 1.5625}}) or "
            f"a list of frequencies in Hz; got {value!r}."
        ) from None
