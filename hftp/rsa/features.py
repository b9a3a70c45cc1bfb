"""Feature vectors of a Spectra and their per-channel sufficient statistics, for RDMs.

A feature vector is a spectral measure (``hftp.spectral.MEASURES``) over a frequency band, taken
over a set of channels: a layer's chosen neurons for a model, one channel (or a region's channels)
for a brain. Every RDM metric is computed from three per-channel statistics: the Gram matrix
over conditions, the sums over features and the feature count. They are held per group of
channels in a :class:`Blocks`, so that the RDM of any subset of a group's channels is a weighted
sum followed by a cheap transform (:func:`hftp.rsa.dissimilarity.block_rdms`); a random-neuron
draw then costs one matrix product.

This module holds what :func:`hftp.rsa.rdms` and :func:`hftp.align` share: the band and its
checks, the features, the channel selection and grouping, the blocks, and the warning about
groups left empty.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_float,
    check_option,
    check_type,
)

__all__ = [
    "Blocks",
    "default_band",
    "check_band",
    "band_index",
    "check_rdm_spectra",
    "band_features",
    "channel_mask",
    "group_labels",
    "channel_blocks",
    "warn_empty_groups",
]


class Blocks(NamedTuple):
    """Per-channel statistics arranged by group: the channels of group g are ``index[g, valid[g]]``.

    G is the number of groups, M the size of the largest group (smaller groups are padded), C the
    number of conditions.
    """

    gram: np.ndarray
    """(G, M, C, C): each channel's Gram matrix over conditions (its features' dot products)."""
    sums: np.ndarray
    """(G, M, C): each channel's sum of features per condition."""
    valid: np.ndarray
    """(G, M) bool: a real channel with finite values (padding slots are False)."""
    index: np.ndarray
    """(G, M): the flat channel index (padding slots point at channel 0)."""
    n_freq: int
    """Features per channel (the band's frequency bins)."""
    groups: np.ndarray
    """(G,): the group labels."""
    dropped: np.ndarray
    """(G,): channels left out of each group for non-finite values."""


# ---------------------------------------------------------------------------------------------
# the band


def default_band(*spectra) -> tuple[float, float]:
    """The default band: 0.5 Hz up to the highest tagged frequency.

    Parameters
    ----------
    *spectra : xarray.Dataset
        Spectra, looked at in order; the first with tagged frequencies (``tagged_hz``) decides.

    Returns
    -------
    band : (float, float)
        ``(0.5, max(tagged_hz.values()))`` in Hz.

    Raises
    ------
    InvalidValueError
        When no Spectra carries tagged frequencies.
    """
    for s in spectra:
        t = s.hftp.tagged_hz
        if t:
            return (0.5, float(max(t.values())))
    raise InvalidValueError(
        "Invalid value for 'band': the spectra carry no tagged frequencies (attrs 'tagged_hz'), so "
        "the default band (0.5 Hz to the highest tagged frequency) is undefined. Pass band=(lo, hi) in Hz."
    )


def check_band(band: Any) -> tuple[float, float]:
    """Check a user's band: a pair ``(lo, hi)`` of non-negative Hz with ``lo <= hi``.

    Parameters
    ----------
    band : sequence of two floats
        The band as given to :func:`hftp.rdms` or :func:`hftp.align`.

    Returns
    -------
    band : (float, float)
        ``(lo, hi)`` as floats.
    """
    if isinstance(band, str) or not isinstance(band, Sequence) or len(band) != 2:
        raise InvalidTypeError(
            f"Invalid type for 'band': expected a pair (lo, hi) in Hz, e.g. band=(0.5, 2.0); "
            f"got {band!r}."
        )
    lo = check_float("band", band[0], min_value=0.0)
    hi = check_float("band", band[1], min_value=0.0)
    if hi < lo:
        raise InvalidValueError(
            f"Invalid value for 'band': expected lo <= hi; got ({lo}, {hi}). Swap the bounds."
        )
    return lo, hi


def band_index(freqs: np.ndarray, band: tuple[float, float], name: str) -> np.ndarray:
    """The indices of the frequency bins inside ``band`` (both ends inclusive).

    Parameters
    ----------
    freqs : ndarray, shape (n_freq,)
        The frequency axis in Hz, increasing.
    band : (float, float)
        ``(lo, hi)`` in Hz.
    name : str
        The argument the axis belongs to, for the error message.

    Returns
    -------
    index : ndarray of int, shape (n_in_band,)
        At least one bin; an empty band is an :class:`InvalidValueError`.
    """
    lo, hi = band
    tol = 1e-9 * max(1.0, hi)
    idx = np.flatnonzero((freqs >= lo - tol) & (freqs <= hi + tol))
    if idx.size == 0:
        step = freqs[1] - freqs[0] if freqs.size > 1 else float("nan")
        raise InvalidValueError(
            f"Invalid value for 'band': no frequency bins of {name!r} fall in [{lo:g}, {hi:g}] Hz; "
            f"its axis spans {freqs.min():.6g}–{freqs.max():.6g} Hz in steps of {step:.6g} Hz. "
            "Widen the band or choose one inside the axis."
        )
    return idx


# ---------------------------------------------------------------------------------------------
# features


def check_rdm_spectra(spectra, name: str) -> tuple[str, ...]:
    """Check that ``spectra`` is a Spectra with at least 3 conditions (the fewest an RDM needs).

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra, dims ``(condition, *channel_dims, freq)``.
    name : str
        The argument's name, for the error message.

    Returns
    -------
    channel_dims : tuple of str
        ``("layer", "neuron")`` for a model, ``("channel",)`` for a brain.
    """
    from hftp.spectral.accessor import channel_dims, check_spectra

    check_spectra(spectra, name)
    n = spectra.sizes.get("condition", 0)
    if n < 3:
        raise InvalidValueError(
            f"Invalid value for {name!r}: an RDM needs at least 3 conditions; got {n} "
            f"({list(map(str, spectra['condition'].values))}). Probe or record more conditions."
        )
    return channel_dims(spectra)


def band_features(spectra, measure: str, band: tuple[float, float], name: str) -> np.ndarray:
    """The measure's values over the band: every channel's feature vector per condition.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra, dims ``(condition, *channel_dims, freq)``.
    measure : str
        A key of ``hftp.spectral.MEASURES`` (``"evoked"``, ``"itc"``, ...).
    band : (float, float)
        ``(lo, hi)`` in Hz, both inclusive.
    name : str
        The argument's name, for the error message of an empty band.

    Returns
    -------
    values : ndarray, shape (n_conditions, n_channels, n_freq)
        Channels flattened in C order over the channel dims.
    """
    from hftp.spectral.accessor import channel_dims
    from hftp.spectral.measures import MEASURES

    da = MEASURES[measure](spectra)
    da = da.transpose("condition", *channel_dims(spectra), "freq")
    idx = band_index(np.asarray(spectra["freq"].values, dtype=float), band, name)
    v = np.asarray(da.values, dtype=float)[..., idx]
    return v.reshape(v.shape[0], -1, v.shape[-1])


def channel_mask(
    channels,
    spectra,
    cdims: tuple[str, ...],
    name: str = "channels",
    *,
    verdict: str = "significant",
) -> np.ndarray:
    """A flat boolean mask over the channels of ``spectra``, from tagging results or a mask.

    Parameters
    ----------
    channels : xarray.Dataset, xarray.DataArray or None
        ``hftp.find_tagged`` results (channels whose category of ``verdict`` is not
        ``"none"``, or, without such a category, ``verdict`` true at any level), a boolean
        DataArray over ``cdims``, or None (all channels).
    spectra : xarray.Dataset
        The Spectra whose channels are selected.
    cdims : tuple of str
        Its channel dims.
    name : str
        The argument's name, for the error messages. Default ``"channels"``.
    verdict : str
        The verdict of a tagging result that selects: ``"significant"`` (default; the
        ``category`` variable), ``"selective"`` (``selective_category``, else ``selective``), or
        another boolean variable of the result. Ignored for a mask.

    Returns
    -------
    mask : ndarray of bool, shape (n_channels,)
        In the C order of :func:`band_features`.
    """
    import xarray as xr

    if channels is None:
        return np.ones(int(np.prod([spectra.sizes[d] for d in cdims])), dtype=bool)
    expected = (
        f"tagging results from hftp.find_tagged (a Dataset with 'category') or a boolean "
        f"DataArray over {cdims}"
    )
    check_type(name, channels, (xr.Dataset, xr.DataArray), expected)
    if isinstance(channels, xr.Dataset):
        cat = "category" if verdict == "significant" else f"{verdict}_category"
        if cat in channels:
            mask = channels[cat] != "none"
        elif verdict in channels and channels[verdict].dtype == bool:
            sig = channels[verdict]
            mask = sig.any("level") if "level" in sig.dims else sig
        else:
            hint = (
                " Tag with hftp.find_tagged(..., min_effect=...) for 'selective'."
                if verdict == "selective"
                else ""
            )
            raise InvalidValueError(
                f"Invalid value for {name!r}: expected {expected}, with a {cat!r} or boolean "
                f"{verdict!r} variable (verdict={verdict!r}); got a Dataset with "
                f"{sorted(map(str, channels.data_vars))}.{hint}"
            )
    else:
        mask = channels
        if mask.dtype != bool:
            raise InvalidTypeError(
                f"Invalid type for {name!r}: expected {expected}; got a DataArray of dtype {mask.dtype}."
            )
    if set(mask.dims) != set(cdims):
        raise InvalidValueError(
            f"Invalid value for {name!r}: its dims {mask.dims} do not match the channels of the "
            f"spectra {cdims}. Pass the tagging results of these spectra."
        )
    try:
        mask = mask.transpose(*cdims).sel({d: spectra[d].values for d in cdims})
    except KeyError as exc:
        raise InvalidValueError(
            f"Invalid value for {name!r}: it does not cover every channel of the spectra ({exc}). "
            "Pass the tagging results of these spectra."
        ) from None
    return np.asarray(mask.values, dtype=bool).ravel()


def group_labels(spectra, by: str, cdims: tuple[str, ...]) -> np.ndarray:
    """The group label of every (flattened) channel.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra.
    by : str
        A channel dim (``"layer"``, ``"channel"``) or a coordinate on the channels (``"region"``,
        ``"hemisphere"``, ``"subject"``).
    cdims : tuple of str
        The channel dims of ``spectra``.

    Returns
    -------
    labels : ndarray, shape (n_channels,)
        In the C order of :func:`band_features`. Grouping by the only channel dim gives each
        channel its position (0, 1, ...), so that channel names need not be unique.
    """
    allowed = list(cdims) + [
        c
        for c in spectra.coords
        if c not in spectra.dims and spectra[c].dims and set(spectra[c].dims) <= set(cdims)
    ]
    check_option("by", by, allowed, fix="Group by a channel dim or a coordinate on the channels.")
    coord = spectra[by]
    if cdims == (by,):  # one group per channel, by position: channel names need not be unique
        return np.arange(spectra.sizes[by])
    present = [d for d in cdims if d in coord.dims]
    vals = np.asarray(coord.transpose(*present).values)
    expanded = [spectra.sizes[d] if d in coord.dims else 1 for d in cdims]
    shape = tuple(spectra.sizes[d] for d in cdims)
    return np.broadcast_to(vals.reshape(expanded), shape).reshape(-1)


def channel_blocks(values: np.ndarray, labels: np.ndarray) -> Blocks:
    """Per-channel Gram matrices and sums over conditions, arranged by group (padded).

    Channels with a non-finite value (e.g. a condition without trials) are marked invalid and
    their statistics zeroed, so that they never poison a group's sums.

    Parameters
    ----------
    values : ndarray, shape (n_conditions, n_channels, n_freq)
        From :func:`band_features`.
    labels : ndarray, shape (n_channels,)
        The group of each channel (:func:`group_labels`), groups kept in order of appearance.

    Returns
    -------
    Blocks
    """
    import pandas as pd

    groups = np.asarray(pd.unique(pd.Series(labels)))
    members = [np.flatnonzero(labels == g) for g in groups]
    width = max(len(m) for m in members)
    index = np.zeros((len(groups), width), dtype=np.intp)
    slot = np.zeros((len(groups), width), dtype=bool)
    for g, m in enumerate(members):
        index[g, : len(m)] = m
        slot[g, : len(m)] = True
    finite = np.isfinite(values).all(axis=(0, 2))
    values = np.where(finite[None, :, None], values, 0.0)
    gram = np.einsum("cuf,duf->ucd", values, values)[index]
    sums = values.sum(axis=-1).T[index]
    valid = slot & finite[index]
    gram[~valid] = 0.0
    sums[~valid] = 0.0
    dropped = (slot & ~valid).sum(axis=-1)
    return Blocks(gram, sums, valid, index, values.shape[-1], groups, dropped)


def warn_empty_groups(kind: str, blocks: Blocks, counts: np.ndarray) -> None:
    """Warn about channels left out for non-finite values and about groups with no channel.

    Parameters
    ----------
    kind : str
        What a group is (``"layer"``, ``"channel"``, ``"region"``), for the message.
    blocks : Blocks
        The groups.
    counts : ndarray of int, shape (G,)
        Selected channels per group.
    """

    def names(sel) -> str:
        found = [g.item() if hasattr(g, "item") else g for g in blocks.groups[sel]]
        more = f" and {len(found) - 10} more" if len(found) > 10 else ""
        return f"{found[:10]}{more}"

    if blocks.dropped.any():
        warnings.warn(
            f"{int(blocks.dropped.sum())} channels have non-finite values of the measure (e.g. a "
            f"condition without trials) and are left out, in {kind} {names(blocks.dropped > 0)}. "
            "A group left with no channels gets NaN. Drop or fix those channels to silence this.",
            UserWarning,
            stacklevel=3,
        )
    empty_sel = (counts == 0) & (blocks.dropped == 0)
    if empty_sel.any():
        empty = names(empty_sel)
        warnings.warn(
            f"No selected channels in {kind} {empty}: their RDMs and correlations are NaN. "
            "Select more channels (e.g. a looser tagging threshold) or drop those groups.",
            UserWarning,
            stacklevel=3,
        )
