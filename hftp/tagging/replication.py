"""Replication: select channels on one set of data, confirm them on independent data.

``replicated`` means: significant on the selection data, and confirmed on independent data by
Benjamini–Hochberg at q over the confirmation data's conjunction p (``sig_p``) of the channels ×
levels selected. What "independent" means is the question reviewers ask, and it is recorded in
the result's ``replication`` attr:

``"pools"`` (the default where the data allow it)
    Independent **stimulus pools**: other sentences, not only other orders of the same ones.
    Either the Spectra's ``split`` dim holds two pools (``hftp.make_stimuli(..., n_pools=2)``
    then ``hftp.probe(..., split=True)``: the even and odd sequences share no sentence; the
    spectra's attr ``stimulus_pools`` says so), or ``find_tagged(..., replication=other)`` passes
    the Spectra of another stimulus set (another seed, so other sentences): then the channels are
    selected on all trials of ``spectra`` and confirmed on ``other``.
``"split-halves"``
    The even and odd sequences of one pool (``probe(..., split=True)`` on single-pool stimuli).
    Every sequence of a condition reorders the same sentences, so this replicates over word
    order, not over items. Used, and named in the attrs, when the split holds one pool; or asked
    for by name.

:func:`resolve_replication` decides which applies and checks the inputs; :func:`confirm`
computes ``replicated`` from the two runs.
"""

from __future__ import annotations

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError, check_option
from hftp.spectral.splits import has_splits
from hftp.tagging.fdr import bh_fdr

__all__ = ["REPLICATIONS", "confirm", "describe_replication", "resolve_replication", "split_kind"]

#: The replication kinds ``find_tagged(..., replication=...)`` accepts by name.
REPLICATIONS = ("pools", "split-halves")


def split_kind(spectra) -> str:
    """What the ``split`` dim of a Spectra holds.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra.

    Returns
    -------
    {"pools", "split-halves", "none"}
        ``"pools"`` when the halves are two stimulus pools (attr ``stimulus_pools`` of 2),
        ``"split-halves"`` for the even and odd sequences of one pool, ``"none"`` without a
        ``split`` dim.
    """
    if not has_splits(spectra):
        return "none"
    try:
        pools = int(spectra.attrs.get("stimulus_pools", 1))
    except (TypeError, ValueError):
        pools = 1
    return "pools" if pools == 2 and spectra.sizes["split"] == 2 else "split-halves"


def _check_other(spectra, other, condition: str, control: str | None) -> None:
    """``other`` is a Spectra of the same channels, conditions and axis, from other stimuli."""
    import xarray as xr

    if not isinstance(other, xr.Dataset) or "sum_x" not in other:
        raise InvalidTypeError(
            "Invalid type for 'replication': expected 'pools', 'split-halves', None or the "
            f"Spectra of an independent stimulus pool; got {type(other).__name__}."
        )
    dims = spectra.hftp.channel_dims
    if other.hftp.channel_dims != dims or any(other.sizes[d] != spectra.sizes[d] for d in dims):
        raise InvalidValueError(
            "Invalid value for 'replication': its channels "
            f"{ {d: other.sizes.get(d) for d in other.hftp.channel_dims} } differ from the "
            f"spectra's { {d: spectra.sizes[d] for d in dims} }. Probe the same model and layers "
            "(or the same channels) on the other stimuli."
        )
    for d in dims:
        if d in spectra.coords and d in other.coords:
            if not np.array_equal(spectra[d].values, other[d].values):
                raise InvalidValueError(
                    f"Invalid value for 'replication': its {d!r} coordinates differ from the "
                    "spectra's. Probe the same channels."
                )
    conds = {str(c) for c in other["condition"].values}
    for c in (condition, control):
        if c is not None and c not in conds:
            raise InvalidValueError(
                f"Invalid value for 'replication': it has no condition {c!r} (it has "
                f"{sorted(conds)}). Probe the same designs on the other stimuli."
            )
    if not np.allclose(spectra["freq"].values, other["freq"].values):
        raise InvalidValueError(
            "Invalid value for 'replication': its frequency axis differs from the spectra's. "
            "Use stimuli of the same length and unit rate."
        )
    if other.sizes == spectra.sizes and np.array_equal(
        other["sum_x"].values, spectra["sum_x"].values
    ):
        raise InvalidValueError(
            "Invalid value for 'replication': it holds the same data as 'spectra', so nothing is "
            "replicated. Probe stimuli of another seed (other sentences)."
        )
    seeds = [s.attrs.get("stimulus_seed") for s in (spectra, other)]
    if seeds[0] not in (None, "") and str(seeds[0]) == str(seeds[1]):
        raise InvalidValueError(
            f"Invalid value for 'replication': both spectra come from stimuli of seed {seeds[0]}, "
            "so they share their sentences (only the orders may differ). Generate the "
            "replication stimuli with another seed."
        )


def resolve_replication(spectra, replication, *, condition: str, control: str | None):
    """Which replication applies, checked: ``(kind, other)``.

    Parameters
    ----------
    spectra : xarray.Dataset
        The Spectra being tagged.
    replication : {"pools", "split-halves"}, xarray.Dataset or None
        None: ``"pools"`` when ``spectra`` is split over two pools, ``"split-halves"`` when it
        is split over the sequences of one pool, else no replication. A name asks for that kind
        (and refuses data that cannot give it). A Spectra: the data of an independent stimulus
        pool to confirm on.
    condition, control : str
        The conditions tagged (the other Spectra must have them).

    Returns
    -------
    kind : {"pools", "split-halves", "none"}
    other : xarray.Dataset or None
        The confirmation Spectra when one was given.
    """
    if replication is None:
        return split_kind(spectra), None
    if isinstance(replication, str):
        check_option("replication", replication, REPLICATIONS)
        have = split_kind(spectra)
        if have == "none":
            raise InvalidValueError(
                f"Invalid value for 'replication': {replication!r} needs a 'split' dim on the "
                "spectra (hftp.probe(..., split=True)); they have none. Or pass the Spectra of "
                "stimuli of another seed: replication=other_spectra."
            )
        if replication == "pools" and have != "pools":
            raise InvalidValueError(
                "Invalid value for 'replication': 'pools' needs the split halves to be two "
                "stimulus pools (make_stimuli(..., n_pools=2), then probe(..., split=True)); "
                "these halves reorder one pool of sentences. Use replication='split-halves' by "
                "name, or pass the Spectra of stimuli of another seed."
            )
        return replication, None
    _check_other(spectra, replication, condition, control)
    return "pools", replication


def describe_replication(kind: str, spectra, other=None) -> str:
    """The ``replication`` attr of a result: what was selected on and confirmed on.

    Parameters
    ----------
    kind : {"pools", "split-halves", "none"}
        From :func:`resolve_replication`.
    spectra : xarray.Dataset
        The Spectra being tagged.
    other : xarray.Dataset, optional
        The confirmation Spectra, when one was given.

    Returns
    -------
    str
    """
    if kind == "none":
        return "none"
    if other is not None:
        return (
            "independent stimulus pools: selected on all trials, confirmed on the replication "
            f"spectra (stimulus seed {other.attrs.get('stimulus_seed', 'unknown')})"
        )
    if kind == "pools":
        return "independent stimulus pools (split halves = pools): select on 0, confirm on 1"
    return "split halves of one stimulus pool (word orders, not items): select on 0, confirm on 1"


def confirm(selected: dict[str, np.ndarray], confirming: dict[str, np.ndarray], q: float):
    """``replicated``: significant in ``selected``, confirmed in ``confirming`` by BH at q.

    Parameters
    ----------
    selected, confirming : dict of str to ndarray (n_channels, n_levels)
        The two runs' results (``significant`` of the first, ``sig_p`` of the second).
    q : float
        The FDR level of the confirmation (over the selected channels × levels only).

    Returns
    -------
    ndarray of bool, shape (n_channels, n_levels)
    """
    sel = np.asarray(selected["significant"], dtype=bool)
    out = np.zeros_like(sel, dtype=bool)
    if sel.any():
        out[sel] = bh_fdr(np.asarray(confirming["sig_p"])[sel]) <= q
    return out
