"""Streaming raw activations to disk, batch by batch, in the layout of ``extract_activations``.

netCDF (``.nc``) is written with h5netcdf into a temporary file renamed into place when complete;
:func:`hftp.io.load` reads it back as the ``activation`` DataArray. zarr (``.zarr``) is appended
along ``sequence`` when the zarr package is installed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ._validation import check_option, check_out_path

__all__ = ["RawWriter"]

_SUFFIXES = (".nc", ".zarr")


class RawWriter:
    """Write pooled activations (B, L, N, U) per batch to ``path``.

    Parameters
    ----------
    path : path-like
        Ending in ``.nc`` or ``.zarr``.
    stim : StimulusSet
    layers : list of int
    site, model : str
        Recorded in attrs.
    """

    def __init__(self, path: str | os.PathLike, stim, layers, *, site: str, model: str) -> None:
        self.path = check_out_path("save_raw", path)
        check_option(
            "save_raw (file extension)",
            self.path.suffix,
            _SUFFIXES,
            fix="Use a name ending in '.nc' (or '.zarr' with the zarr package installed).",
        )
        if self.path.suffix == ".zarr" and importlib.util.find_spec("zarr") is None:
            raise ImportError(
                "Invalid value for 'save_raw': writing '.zarr' needs the zarr package "
                "(pip install zarr); or save to a '.nc' file instead."
            )
        self.layers = np.asarray(layers)
        self.texts = {seq: units for seq, _, units in stim.sequences()}
        self.n_seq = stim.n_sequences
        self.attrs = {
            "unit_rate_hz": stim.unit_rate_hz,
            "site": site,
            "model": model,
            "hftp_dataarray": "activation",
        }
        self.pos = 0
        self.file = None
        self.tmp = Path(
            tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        )

    def _open(self, n_units: int, n_neurons: int) -> None:
        import h5netcdf
        import h5py

        text = h5py.string_dtype()

        self.file = h5netcdf.File(self.tmp / "raw.nc", "w")
        f = self.file
        f.dimensions = {
            "sequence": self.n_seq,
            "layer": self.layers.size,
            "unit": n_units,
            "neuron": n_neurons,
        }
        for name, values in (
            ("layer", self.layers.astype(np.int64)),
            ("unit", np.arange(n_units)),
            ("neuron", np.arange(n_neurons)),
        ):
            f.create_variable(name, (name,), data=values)
        f.create_variable("sequence", ("sequence",), dtype=np.int64)
        f.create_variable("condition", ("sequence",), dtype=text)
        f.create_variable("token_text", ("sequence", "unit"), dtype=text)
        v = f.create_variable(
            "activation",
            ("sequence", "layer", "unit", "neuron"),
            dtype=np.float32,
            chunks=(1, 1, n_units, n_neurons),
        )
        v.attrs["coordinates"] = "condition token_text"
        for k, val in self.attrs.items():
            f.attrs[k] = val

    def write(self, seq_ids, condition: str, x: np.ndarray) -> None:
        """Append a batch: ``x`` of shape (B, L, N, U)."""
        if self.path.suffix == ".zarr":
            return self._write_zarr(seq_ids, condition, x)
        if self.file is None:
            self._open(x.shape[3], x.shape[2])
        f = self.file
        sl = slice(self.pos, self.pos + len(seq_ids))
        f.variables["activation"][sl] = np.ascontiguousarray(x.transpose(0, 1, 3, 2))
        f.variables["sequence"][sl] = np.asarray(seq_ids, dtype=np.int64)
        f.variables["condition"][sl] = np.asarray([condition] * len(seq_ids), dtype=object)
        f.variables["token_text"][sl] = np.asarray([self.texts[s] for s in seq_ids], dtype=object)
        self.pos += len(seq_ids)

    def _write_zarr(self, seq_ids, condition, x) -> None:  # pragma: no cover - needs zarr
        import xarray as xr

        da = xr.DataArray(
            x.transpose(0, 1, 3, 2),
            dims=("sequence", "layer", "unit", "neuron"),
            coords={
                "sequence": np.asarray(seq_ids),
                "condition": ("sequence", [condition] * len(seq_ids)),
                "layer": self.layers,
                "unit": np.arange(x.shape[3]),
                "neuron": np.arange(x.shape[2]),
                "token_text": (("sequence", "unit"), [self.texts[s] for s in seq_ids]),
            },
            name="activation",
            attrs={k: v for k, v in self.attrs.items() if k != "hftp_dataarray"},
        )
        ds = da.to_dataset()
        ds.attrs["hftp_dataarray"] = "activation"
        store = self.tmp / "store.zarr"
        if self.pos == 0:
            ds.to_zarr(store, mode="w")
        else:
            ds.to_zarr(store, append_dim="sequence")
        self.pos += len(seq_ids)

    def close(self) -> None:
        """Finish the file and move it into place."""
        try:
            if self.path.suffix == ".zarr":  # pragma: no cover - needs zarr
                if self.path.exists():
                    shutil.rmtree(self.path)
                os.replace(self.tmp / "store.zarr", self.path)
            else:
                self.file.close()
                os.replace(self.tmp / "raw.nc", self.path)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def abort(self) -> None:
        """Discard everything written."""
        if self.file is not None:
            self.file.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
