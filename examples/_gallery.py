"""Helpers shared by the gallery's examples (not an example: sphinx-gallery skips ``_*.py``).

:func:`probe_model` is ``hftp.probe`` on the offline default model, with its result saved once
per documentation build: several examples probe the same stimuli, and the build runs them all in
one process. The saved Spectra are keyed on everything that makes them (the stimulus table, the
probe's keywords, the model, and the source of hftp itself), so a change to any of them probes
again. ``HFTP_GALLERY_CACHE`` sets the folder (default: ``hftp-gallery`` in the temporary
folder); ``HFTP_GALLERY_CACHE=off`` turns the cache off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

import hftp

__all__ = ["default_model", "probe_model", "cache_dir"]


def cache_dir() -> Path | None:
    """The cache folder, or None when ``HFTP_GALLERY_CACHE=off``."""
    where = os.environ.get("HFTP_GALLERY_CACHE", "")
    if where.lower() in ("off", "0", "no", "false"):
        return None
    return Path(where) if where else Path(tempfile.gettempdir()) / "hftp-gallery"


@functools.cache
def default_model():
    """``hftp.load_model()``, loaded once per process: (model, tokenizer)."""
    return hftp.load_model()


@functools.cache
def untrained_model(seed: int = 0):
    """The default model's architecture with random weights (``hftp.models.untrained``)."""
    model, tokenizer = default_model()
    return hftp.models.untrained(model, seed=seed), tokenizer


@functools.cache
def _source_digest() -> str:
    """A digest of hftp's source: a code change invalidates every saved probe."""
    h = hashlib.sha256()
    root = Path(hftp.__file__).parent
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _key(stim, model: str, kwargs: dict) -> str:
    h = hashlib.sha256()
    h.update(stim.units.to_csv(index=False).encode())
    h.update(json.dumps([stim.sfreq, stim.tagged_hz, model, kwargs], sort_keys=True).encode())
    h.update(_source_digest().encode())
    return h.hexdigest()[:20]


def probe_model(stim, *, model: str = "default", **kwargs):
    """``hftp.probe(model, tokenizer, stim, **kwargs)`` on the default model, saved for reuse.

    Parameters
    ----------
    stim : hftp.StimulusSet
        The stimuli.
    model : {"default", "untrained"}
        The offline default model (SmolLM2-135M-Instruct) or its architecture with random
        weights.
    **kwargs
        Passed to :func:`hftp.probe` (``layers``, ``lexical_baseline``, ...).

    Returns
    -------
    spectra : xarray.Dataset
        What :func:`hftp.probe` returns.
    """
    kwargs = {"progress": False, **kwargs}
    folder = cache_dir()
    path = None
    if folder is not None:
        source = _source_digest()[:8]
        path = folder / f"probe-{model}-{_key(stim, model, kwargs)}-{source}.nc"
        if path.exists():
            return hftp.load(path)
    net, tokenizer = default_model() if model == "default" else untrained_model()
    spectra = hftp.probe(net, tokenizer, stim, **kwargs)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("probe-*.nc"):  # made by another version of hftp's code
            if not old.name.endswith(f"-{source}.nc"):
                old.unlink(missing_ok=True)
        hftp.save(spectra, path, overwrite=True)
    return spectra
