"""How should Spectra files be stored? Size, write and read time, and what find_tagged then says.

The default model (SmolLM2-135M-Instruct, 30 layers x 1536 neurons) probes ``sentences`` and
``within-shuffle``, 32 sequences of 200 units each, in split halves (on a CPU: a few minutes).
Its Spectra are then written to netCDF in each candidate encoding (the sums' dtype, the
compression) and read back (through ``hftp.load`` where the encoding is ``hftp.save``'s own),
and ``find_tagged(condition="sentences", control="within-shuffle")`` runs on each copy. For every
candidate: the file size, the write and read seconds, the largest change in any float variable of
the tagging result (absolute, and relative to the variable's largest value), and the number of
channels whose verdict (``significant``, ``selective``, ``replicated``, ``category``) changed.

Prints one JSON object on its last line.

    python benchmarks/spectra_files.py [--n-seq 32] [--threads 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: name -> (dtype of the real sums / of trial_x's parts, h5netcdf encoding of every data var)
CANDIDATES = {
    "float64": ("float64", {}),
    "float64+lzf": ("float64", {"compression": "lzf", "shuffle": True}),
    "float64+gzip1": ("float64", {"compression": "gzip", "compression_opts": 1, "shuffle": True}),
    "float64+gzip4": ("float64", {"compression": "gzip", "compression_opts": 4, "shuffle": True}),
    "float32": ("float32", {}),
    "float32+lzf": ("float32", {"compression": "lzf", "shuffle": True}),
    "float32+gzip1": ("float32", {"compression": "gzip", "compression_opts": 1, "shuffle": True}),
    "float32+gzip4": ("float32", {"compression": "gzip", "compression_opts": 4, "shuffle": True}),
    "float16+gzip4": ("float16", {"compression": "gzip", "compression_opts": 4, "shuffle": True}),
}


def make_spectra(n_seq: int, threads: int):
    import torch

    torch.set_num_threads(threads)
    import hftp

    model, tok = hftp.load_model(device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stim = hftp.make_stimuli(
            "en", design=["sentences", "within-shuffle"], n_sequences=n_seq, seed=0, n_sentences=50
        )
    return hftp.probe(model, tok, stim, split=True, progress=False)


def write_plain(ds, path: Path, real: str, encoding: dict) -> None:
    """Complex variables as two real ones (as hftp.io does), floats cast to ``real``."""
    out = ds.copy()
    for name in list(out.data_vars):
        var = out[name]
        if np.iscomplexobj(var.values):
            width = "float32" if var.dtype == np.complex64 and real == "float64" else real
            out[f"{name}__re"] = var.real.astype(width)
            out[f"{name}__im"] = var.imag.astype(width)
            out = out.drop_vars(name)
        elif var.dtype.kind == "f":
            out[name] = var.astype(real)
    out.attrs = {k: v for k, v in out.attrs.items() if isinstance(v, str | int | float)}
    enc = {name: dict(encoding) for name in out.data_vars} if encoding else None
    out.to_netcdf(path, engine="h5netcdf", encoding=enc)


def read_plain(path: Path, like):
    import xarray as xr

    ds = xr.load_dataset(path, engine="h5netcdf")
    for name in [n for n in ds.data_vars if n.endswith("__re")]:
        base = name[:-4]
        ds[base] = (ds[name] + 1j * ds[f"{base}__im"]).astype(like[base].dtype)
        ds = ds.drop_vars([name, f"{base}__im"])
    for name in ds.data_vars:
        ds[name] = ds[name].astype(like[name].dtype)
    ds.attrs = dict(like.attrs)
    return ds


def compare(tagged, ref) -> dict:
    worst_abs, worst_rel, where = 0.0, 0.0, ""
    flips = {}
    for name in ref.data_vars:
        a, b = tagged[name].values, ref[name].values
        if a.dtype.kind == "f":
            d = np.abs(a - b)
            d = np.where(np.isnan(a) & np.isnan(b), 0.0, d)
            scale = np.nanmax(np.abs(b)) or 1.0
            m = float(np.nanmax(d)) if d.size else 0.0
            if m / scale > worst_rel:
                worst_abs, worst_rel, where = m, m / scale, name
        elif a.dtype.kind in "bOUi":
            n = int(np.sum(a != b))
            if n:
                flips[name] = n
    return {
        "max_abs_change": worst_abs,
        "max_rel_change": worst_rel,
        "worst_variable": where,
        "verdict_changes": flips,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-seq", type=int, default=32, help="sequences per condition")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--keep", default=None, help="a folder to keep the files in")
    args = ap.parse_args()
    import hftp

    t0 = time.perf_counter()
    spectra = make_spectra(args.n_seq, args.threads)
    probe_s = time.perf_counter() - t0
    find = lambda s: hftp.find_tagged(s, condition="sentences", control="within-shuffle")  # noqa: E731
    ref = find(spectra)
    folder = Path(args.keep or tempfile.mkdtemp(prefix="hftp-spectra-files-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name, (real, encoding) in CANDIDATES.items():
        path = folder / f"{name}.nc"
        t = time.perf_counter()
        write_plain(spectra, path, real, encoding)
        write_s = time.perf_counter() - t
        t = time.perf_counter()
        back = read_plain(path, spectra)
        read_s = time.perf_counter() - t
        rows[name] = {
            "mb": round(path.stat().st_size / 2**20, 1),
            "write_s": round(write_s, 2),
            "read_s": round(read_s, 2),
            **compare(find(back), ref),
        }
        if not args.keep:
            path.unlink()
    # hftp's own save / load, whatever it does now
    path = folder / "hftp_save.nc"
    t = time.perf_counter()
    hftp.save(spectra, path, overwrite=True)
    write_s = time.perf_counter() - t
    t = time.perf_counter()
    back = hftp.load(path)
    read_s = time.perf_counter() - t
    same_dtypes = all(back[v].dtype == spectra[v].dtype for v in spectra.data_vars)
    rows["hftp.save"] = {
        "mb": round(path.stat().st_size / 2**20, 1),
        "write_s": round(write_s, 2),
        "read_s": round(read_s, 2),
        "dtypes_restored": same_dtypes,
        **compare(find(back), ref),
    }
    if not args.keep:
        path.unlink()
        folder.rmdir()
    in_memory = sum(v.nbytes for v in spectra.data_vars.values()) / 2**20
    print(
        json.dumps(
            {
                "benchmark": "spectra_files",
                "model": spectra.attrs.get("model"),
                "sizes": dict(spectra.sizes),
                "in_memory_mb": round(in_memory, 1),
                "probe_s": round(probe_s, 1),
                "candidates": rows,
                "load_avg_1min": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
