"""Representational dissimilarity matrices (RDMs) over conditions, and the distance metrics.

Items are conditions. An RDM holds the distance between the feature vectors
(:mod:`hftp.rsa.features`) of every pair of conditions; only its upper triangle is kept (condensed,
as in ``scipy.spatial.distance.pdist``), so no pair is counted twice.

``METRICS`` is the distance registry. Each metric is a function of the per-channel sufficient
statistics summed over a channel set (the Gram matrix over conditions, the sums and the feature
count), so :func:`block_rdms` gives the RDMs of any weighted channel sets at the cost of a matrix
product. :func:`rdms` is the public entry: one RDM per layer, channel or region.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from hftp._validation import check_option
from hftp.rsa.features import (
    Blocks,
    band_features,
    channel_blocks,
    channel_mask,
    check_band,
    check_rdm_spectra,
    default_band,
    group_labels,
    warn_empty_groups,
)

__all__ = ["METRICS", "rdms", "condensed", "block_rdms", "pair_coords"]


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


def condensed(full: np.ndarray) -> np.ndarray:
    """The upper triangles of square matrices, in the order of ``scipy.spatial.distance.pdist``.

    Parameters
    ----------
    full : ndarray, shape (..., C, C)
        Square matrices.

    Returns
    -------
    condensed : ndarray, shape (..., C * (C - 1) / 2)
    """
    n = full.shape[-1]
    i, j = np.triu_indices(n, 1)
    return full[..., i, j]


def block_rdms(blocks: Blocks, weights: np.ndarray, metric: str) -> np.ndarray:
    """RDMs of weighted channel sets, from the groups' per-channel statistics.

    Parameters
    ----------
    blocks : hftp.rsa.features.Blocks
        Per-channel statistics by group (:func:`hftp.rsa.features.channel_blocks`), G groups of up
        to M channels.
    weights : ndarray, shape (..., G, M)
        The weight of every channel slot (1/0 selects; invalid slots count 0). Leading dims are
        kept, e.g. one per random draw.
    metric : str
        A key of :data:`METRICS`.

    Returns
    -------
    rdms : ndarray, shape (..., G, P)
        Condensed RDMs, P = C(C - 1)/2 pairs of conditions; NaN for a group with no weight.
    """
    w = weights * blocks.valid
    gram = np.einsum("...gm,gmcd->...gcd", w, blocks.gram)
    sums = np.einsum("...gm,gmc->...gc", w, blocks.sums)
    count = w.sum(axis=-1) * blocks.n_freq
    out = condensed(METRICS[metric](gram, sums, count))
    out[count == 0] = np.nan
    return out


def pair_coords(conditions: Sequence[str]) -> dict[str, Any]:
    """The ``pair`` coordinates of condensed RDMs over ``conditions``.

    Parameters
    ----------
    conditions : sequence of str
        The conditions, in the order of the square matrix.

    Returns
    -------
    coords : dict
        ``pair`` (0 .. P - 1), and ``cond_i``, ``cond_j`` (the two conditions of each pair) on it.
    """
    i, j = np.triu_indices(len(conditions), 1)
    c = np.asarray([str(x) for x in conditions], dtype=object)
    return {"pair": np.arange(i.size), "cond_i": ("pair", c[i]), "cond_j": ("pair", c[j])}


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

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> conditions = ("a", "b", "c", "d", "e")
    >>> model_spectra = planted_spectra(  # 2 layers x 30 neurons
    ...     (2, 30), conditions=conditions, planted_in=("a", "b"), plant={"sentence": range(15)},
    ...     amplitude=0.5, seed=0)
    >>> brain_spectra = planted_spectra(  # 6 channels
    ...     (6,), conditions=conditions, planted_in=("a", "b"), plant={"sentence": [0, 1, 2]},
    ...     amplitude=0.5, seed=1)
    >>> rdm = hftp.rdms(model_spectra)  # one RDM per layer
    >>> rdm.dims, rdm.sizes["pair"]  # 5 conditions: 10 pairs
    (('layer', 'pair'), 10)
    >>> hftp.rdms(brain_spectra).dims  # one RDM per channel
    ('channel', 'pair')
    """
    import xarray as xr

    from hftp.spectral.measures import MEASURES

    cdims = check_rdm_spectra(spectra, "spectra")
    check_option("measure", measure, MEASURES)
    check_option("metric", metric, METRICS)
    band = default_band(spectra) if band is None else check_band(band)
    by = ("layer" if "layer" in cdims else cdims[0]) if by is None else by
    labels = group_labels(spectra, by, cdims)
    mask = channel_mask(channels, spectra, cdims)
    blocks = channel_blocks(band_features(spectra, measure, band, "spectra"), labels)
    if cdims == (by,):
        blocks = blocks._replace(groups=np.asarray(spectra[by].values))
    weights = mask[blocks.index] & blocks.valid
    counts = weights.sum(axis=-1)
    warn_empty_groups(by, blocks, counts)
    out = block_rdms(blocks, weights.astype(float), metric)
    coords: dict[str, Any] = {by: blocks.groups, "n_channels": (by, counts)}
    if by in spectra.dims and len(cdims) == 1:
        for c in spectra.coords:
            if c != by and spectra[c].dims == (by,):
                coords[c] = (by, spectra[c].values)
    coords.update(pair_coords(spectra["condition"].values))
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
