"""Model–brain alignment by representational similarity analysis (RSA).

Items are conditions. A feature vector is a spectrum (a measure from ``hftp.spectral.MEASURES``)
over a frequency band, taken over a set of channels: a layer's chosen neurons for a model, one channel
(or a region's channels) for a brain. A representational dissimilarity matrix (RDM) holds the
distance between every pair of conditions; only its upper triangle is kept (condensed, as in
``scipy.spatial.distance.pdist``), so no pair is counted twice.

:func:`rdms` returns RDMs; :func:`align` compares every model layer with every brain channel and
adds the inference (exact permutations of condition labels, FDR, the paper's S(m,b) and S(m,b_r),
per-hemisphere summaries, a random-neuron control and a subject bootstrap).

All metrics are computed from per-channel sufficient statistics (the Gram matrix over conditions, the
sums and the feature count), so the RDM of any subset of channels is a weighted sum followed by a
cheap transform. That makes random-neuron draws cost a matrix product each.
"""

from __future__ import annotations

import logging
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

logger = logging.getLogger("hftp")


# ---------------------------------------------------------------------------------------------
# metrics: (gram (..., C, C), sums (..., C), count (...)) -> distance matrix (..., C, C)


def _diag(gram: np.ndarray) -> np.ndarray:
    return np.einsum("...ii->...i", gram)


def _cosine(gram: np.ndarray, sums: np.ndarray, count: np.ndarray) -> np.ndarray:
    norm = np.sqrt(np.clip(_diag(gram), 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - gram / (norm[..., :, None] * norm[..., None, :])


def _correlation(gram: np.ndarray, sums: np.ndarray, count: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        centred = gram - sums[..., :, None] * sums[..., None, :] / count[..., None, None]
    return _cosine(centred, sums, count)


def _euclidean(gram: np.ndarray, sums: np.ndarray, count: np.ndarray) -> np.ndarray:
    d = _diag(gram)
    return np.sqrt(np.clip(d[..., :, None] + d[..., None, :] - 2.0 * gram, 0.0, None))


METRICS = {"cosine": _cosine, "correlation": _correlation, "euclidean": _euclidean}
"""Distance registry: name → function of (gram, sums, count) returning the full distance matrix."""


# ---------------------------------------------------------------------------------------------
# features and per-channel statistics


class _Blocks(NamedTuple):
    """Per-unit statistics arranged by group: channels of group g are ``index[g, valid[g]]``."""

    gram: np.ndarray  # (G, M, C, C)
    sums: np.ndarray  # (G, M, C)
    valid: np.ndarray  # (G, M) bool: a real channel with finite values
    index: np.ndarray  # (G, M) flat channel index (padding slots point at channel 0)
    n_freq: int
    groups: np.ndarray  # (G,) group labels
    dropped: np.ndarray  # (G,) channels left out for non-finite values


def default_band(*spectra) -> tuple[float, float]:
    """The default band: 0.5 Hz up to the highest tagged frequency (of the first Spectra that has one)."""

    for s in spectra:
        t = s.hftp.tagged_hz
        if t:
            return (0.5, float(max(t.values())))
    raise InvalidValueError(
        "Invalid value for 'band': the spectra carry no tagged frequencies (attrs 'tagged_hz'), so "
        "the default band (0.5 Hz to the highest tagged frequency) is undefined. Pass band=(lo, hi) in Hz."
    )


def _check_band(band: Any) -> tuple[float, float]:
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


def _band_index(freqs: np.ndarray, band: tuple[float, float], name: str) -> np.ndarray:
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


def _check_spectra_arg(spectra, name: str) -> tuple[str, ...]:
    from hftp.spectral.accessor import channel_dims, check_spectra

    check_spectra(spectra, name)
    n = spectra.sizes.get("condition", 0)
    if n < 3:
        raise InvalidValueError(
            f"Invalid value for {name!r}: an RDM needs at least 3 conditions; got {n} "
            f"({list(map(str, spectra['condition'].values))}). Probe or record more conditions."
        )
    return channel_dims(spectra)


def _features(spectra, measure: str, band: tuple[float, float], name: str) -> np.ndarray:
    """Measure values over the band, shape (C, U, F) with channels flattened in C order."""
    from hftp.spectral.accessor import channel_dims
    from hftp.spectral.measures import MEASURES

    da = MEASURES[measure](spectra)
    da = da.transpose("condition", *channel_dims(spectra), "freq")
    idx = _band_index(np.asarray(spectra["freq"].values, dtype=float), band, name)
    v = np.asarray(da.values, dtype=float)[..., idx]
    return v.reshape(v.shape[0], -1, v.shape[-1])


def _channel_mask(channels, spectra, cdims: tuple[str, ...], name: str = "channels") -> np.ndarray:
    """A flat boolean mask over the channels of ``spectra`` from tagging results or a mask."""
    import xarray as xr

    if channels is None:
        return np.ones(int(np.prod([spectra.sizes[d] for d in cdims])), dtype=bool)
    expected = (
        f"tagging results from hftp.find_tagged (a Dataset with 'category') or a boolean "
        f"DataArray over {cdims}"
    )
    check_type(name, channels, (xr.Dataset, xr.DataArray), expected)
    if isinstance(channels, xr.Dataset):
        if "category" in channels:
            mask = channels["category"] != "none"
        elif "significant" in channels:
            sig = channels["significant"]
            mask = sig.any("level") if "level" in sig.dims else sig
        else:
            raise InvalidValueError(
                f"Invalid value for {name!r}: expected {expected}; got a Dataset with "
                f"{sorted(channels.data_vars)}."
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


def _group_labels(spectra, by: str, cdims: tuple[str, ...]) -> np.ndarray:
    """The group label of every (flattened) channel."""
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


def _blocks(values: np.ndarray, labels: np.ndarray) -> _Blocks:
    """Per-unit Gram matrices and sums over conditions, arranged by group (padded).

    Units with a non-finite value (e.g. a condition without trials) are marked invalid and their
    statistics zeroed, so that they never poison a group's sums.
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
    return _Blocks(gram, sums, valid, index, values.shape[-1], groups, dropped)


def _condensed(full: np.ndarray) -> np.ndarray:
    n = full.shape[-1]
    i, j = np.triu_indices(n, 1)
    return full[..., i, j]


def _block_rdms(blocks: _Blocks, weights: np.ndarray, metric: str) -> np.ndarray:
    """RDMs of weighted channel sets: weights (..., G, M) → condensed RDMs (..., G, P)."""
    w = weights * blocks.valid
    gram = np.einsum("...gm,gmcd->...gcd", w, blocks.gram)
    sums = np.einsum("...gm,gmc->...gc", w, blocks.sums)
    count = w.sum(axis=-1) * blocks.n_freq
    out = _condensed(METRICS[metric](gram, sums, count))
    out[count == 0] = np.nan
    return out


def _pair_coords(conditions: Sequence[str]) -> dict[str, Any]:
    i, j = np.triu_indices(len(conditions), 1)
    c = np.asarray([str(x) for x in conditions], dtype=object)
    return {"pair": np.arange(i.size), "cond_i": ("pair", c[i]), "cond_j": ("pair", c[j])}


def _warn_empty(kind: str, blocks: _Blocks, counts: np.ndarray) -> None:
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


# ---------------------------------------------------------------------------------------------
# public: rdms


def rdms(
    spectra,
    channels=None,
    *,
    band: tuple[float, float] | None = None,
    measure: str = "evoked",
    metric: str = "cosine",
    by: str | None = None,
):
    """Representational dissimilarity matrices over conditions, one per layer, channel or region.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra, dims ``(condition, layer, neuron, freq)`` (model) or ``(condition, channel,
        freq)`` (brain), with at least 3 conditions.
    channels : xarray.Dataset or xarray.DataArray, optional
        The channels to use: tagging results from ``hftp.find_tagged`` (channels whose ``category`` is
        not ``"none"``) or a boolean mask over the channel dims. Default: all channels.
    band : (float, float), optional
        Frequency band in Hz, both ends inclusive. Default: 0.5 Hz to the highest tagged frequency.
    measure : {"evoked", "itc", "amplitude", "power"}
        The spectral measure (``hftp.spectral.MEASURES``). Default ``"evoked"``.
    metric : {"cosine", "correlation", "euclidean"}
        The distance between two conditions' feature vectors. Default ``"cosine"``.
    by : str, optional
        The grouping: ``"layer"`` (model default), ``"channel"`` (brain default), or a coordinate
        on the channels such as ``"region"``, ``"hemisphere"`` or ``"subject"``. Features are the
        group's selected channels × the band's frequencies.

    Returns
    -------
    rdm : xarray.DataArray, dims (by, pair)
        Condensed upper triangles (the order of ``scipy.spatial.distance.pdist``); coords
        ``cond_i`` and ``cond_j`` on ``pair``, ``n_channels`` (selected channels) on the group dim, and,
        when grouping by a channel dim, that dim's other coords (e.g. ``region`` on ``channel``).
        A group with no selected channels is NaN, with a warning.
    """
    import xarray as xr

    cdims = _check_spectra_arg(spectra, "spectra")
    check_option("measure", measure, _measures())
    check_option("metric", metric, METRICS)
    band = default_band(spectra) if band is None else _check_band(band)
    by = ("layer" if "layer" in cdims else cdims[0]) if by is None else by
    labels = _group_labels(spectra, by, cdims)
    mask = _channel_mask(channels, spectra, cdims)
    blocks = _blocks(_features(spectra, measure, band, "spectra"), labels)
    if cdims == (by,):
        blocks = blocks._replace(groups=np.asarray(spectra[by].values))
    weights = mask[blocks.index] & blocks.valid
    counts = weights.sum(axis=-1)
    _warn_empty(by, blocks, counts)
    out = _block_rdms(blocks, weights.astype(float), metric)
    coords: dict[str, Any] = {by: blocks.groups, "n_channels": (by, counts)}
    if by in spectra.dims and len(cdims) == 1:
        for c in spectra.coords:
            if c != by and spectra[c].dims == (by,):
                coords[c] = (by, spectra[c].values)
    coords.update(_pair_coords(spectra["condition"].values))
    return xr.DataArray(
        out,
        dims=(by, "pair"),
        coords=coords,
        name="rdm",
        attrs={
            "measure": measure,
            "metric": metric,
            "band": [band[0], band[1]],
            "by": by,
            "kind": str(spectra.attrs.get("kind", "")),
        },
    )


def _measures():
    from hftp.spectral.measures import MEASURES

    return MEASURES
