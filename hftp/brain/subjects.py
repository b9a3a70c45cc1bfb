"""Pooling subjects: several brain Spectra become one, concatenated along ``channel``."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from hftp._validation import InvalidValueError, check_type
from hftp.spectral.accessor import check_spectra

__all__ = ["concat_subjects"]

logger = logging.getLogger("hftp")


def concat_subjects(spectra: Sequence[Any]):
    """Pool several subjects' brain Spectra along ``channel``.

    Channels are renamed ``"<subject>/<name>"`` so they stay unique (the plain name stays in the
    ``label`` coord). Conditions are the union; a subject without a condition contributes no trials
    there. When trial counts differ between subjects, ``n_trials`` gets dims ``(condition, channel)``
    (the derived measures broadcast over it unchanged).

    Parameters
    ----------
    spectra : list of xarray.Dataset
        Brain Spectra, dims ``(condition, channel, freq)``, with the same frequency axis and
        tagged frequencies.

    Returns
    -------
    spectra : xarray.Dataset
        Dims ``(condition, channel, freq)``, channels of every subject in the order given; attrs
        ``subjects`` (JSON list) in place of ``subject``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import hftp
    >>> sim = hftp.simulate_ieeg(Path(tempfile.mkdtemp()) / "bids", subjects=2, n_trials=4, seed=0)
    >>> per_subject = [hftp.brain_spectra(e) for e in hftp.brain.read_subjects(sim.root)]
    >>> pooled = hftp.concat_subjects(per_subject)
    >>> pooled.sizes["channel"], pooled["channel"].values[:2].tolist()
    (24, ['01/C01', '01/C02'])
    """
    import xarray as xr

    check_type("spectra", spectra, list | tuple, "a list of brain Spectra")
    if not spectra:
        raise InvalidValueError(
            "Invalid value for 'spectra': expected at least one Spectra; got none."
        )
    for s in spectra:
        check_spectra(s, "spectra")
    first = spectra[0]
    for s in spectra[1:]:
        if s.sizes["freq"] != first.sizes["freq"] or not np.allclose(s["freq"], first["freq"]):
            raise InvalidValueError(
                "Invalid value for 'spectra': the subjects have different frequency axes."
            )
        if s.hftp.tagged_hz != first.hftp.tagged_hz:
            raise InvalidValueError(
                f"Invalid value for 'spectra': tagged frequencies differ ({s.hftp.tagged_hz} vs {first.hftp.tagged_hz})."
            )
    conds = list(dict.fromkeys(c for s in spectra for c in s["condition"].values.tolist()))
    n_tr = max(s.sizes.get("trial", 0) for s in spectra)
    parts = []
    for s in spectra:
        s = s.copy()
        subj = (
            s["subject"].values if "subject" in s.coords else np.array(["sub"] * s.sizes["channel"])
        )
        names = [
            c if str(c).startswith(f"{sj}/") else f"{sj}/{c}"
            for sj, c in zip(subj, s["channel"].values, strict=True)
        ]
        if "label" not in s.coords:
            s = s.assign_coords(label=("channel", s["channel"].values))
        s = s.assign_coords(channel=np.array(names, dtype=object))
        n = s["n_trials"]
        if "channel" not in n.dims:
            n = n.broadcast_like(s["channel"])
        s["n_trials"] = n.reindex(condition=conds, fill_value=0)
        s = s.reindex(condition=conds, fill_value=0)
        if "trial_x" in s and s.sizes["trial"] < n_tr:
            s = s.pad(trial=(0, n_tr - s.sizes["trial"]), constant_values={"trial_x": np.nan})
            s["trial_x"] = s["trial_x"].fillna(np.nan + 1j * np.nan).astype(np.complex64)
        parts.append(s)
    out = xr.concat(
        parts, dim="channel", coords="minimal", compat="override", combine_attrs="override"
    )
    n = out["n_trials"]
    if bool((n == n.isel(channel=0)).all()):
        out["n_trials"] = n.isel(channel=0, drop=True)
    else:
        out["n_trials"] = n.transpose("condition", "channel")
    out.attrs["subjects"] = json.dumps(list(dict.fromkeys(out["subject"].values.tolist())))
    out.attrs.pop("subject", None)
    return out
