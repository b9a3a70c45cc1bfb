"""Comparing RDMs: the rank correlations of their upper triangles.

``COMPARISONS`` is the registry (Spearman's rho, Kendall's tau-a). Each comparison is an
embedding of a condensed RDM whose dot products are the scores: Spearman's rho is the dot product
of centred, unit-norm ranks; Kendall's tau-a is the dot product of the pairwise sign vectors
divided by their length. A permuted RDM's embedding is a (signed) gather of the original one, so
nothing is re-ranked inside a permutation loop, and every permutation of a whole layer × channel
table is one matrix product (:mod:`hftp.rsa.inference`). :func:`compare_rdms` is the public
entry: any two sets of RDMs from :func:`hftp.rsa.rdms` (model vs brain, model vs model, brain vs
brain).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

__all__ = ["COMPARISONS", "Comparison", "compare_rdms", "score_embeddings", "score_rdms"]

# ---------------------------------------------------------------------------------------------
# comparisons


def _spearman_embed(x: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata  # ranks along the last axis, 1-based, ties averaged

    x = np.asarray(x, dtype=float)
    bad = ~np.isfinite(x).all(axis=-1)
    r = rankdata(np.where(np.isfinite(x), x, 0.0), axis=-1)
    r -= r.mean(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = r / np.sqrt((r * r).sum(axis=-1, keepdims=True))
    e[bad] = np.nan
    return e


def _kendall_embed(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    a, b = np.triu_indices(x.shape[-1], 1)
    s = np.sign(x[..., a] - x[..., b])
    e = s / np.sqrt(a.size)
    e[~(s != 0).any(axis=-1)] = np.nan  # a flat RDM has no order to compare
    return e


def _gather(emb: np.ndarray, pair_perm: np.ndarray) -> np.ndarray:
    """Spearman: the ranks of a permuted RDM are the permuted ranks. (K, P) → (N, K, P)."""
    return emb[:, pair_perm].swapaxes(0, 1)


def _signed_gather(emb: np.ndarray, pair_perm: np.ndarray) -> np.ndarray:
    """Kendall: sign(x'_a - x'_b) = ±sign(x_π(a) - x_π(b)). (K, Q) → (N, K, Q)."""
    n_pairs = pair_perm.shape[1]
    a, b = np.triu_indices(n_pairs, 1)
    pos = np.zeros((n_pairs, n_pairs), dtype=np.intp)
    pos[a, b] = np.arange(a.size)
    pos[b, a] = np.arange(a.size)
    pa, pb = pair_perm[:, a], pair_perm[:, b]
    sign = np.where(pa < pb, 1.0, -1.0)
    return (emb[:, pos[pa, pb]] * sign).swapaxes(0, 1)


class Comparison(NamedTuple):
    """An RDM comparison, as two functions.

    ``embed`` maps condensed RDMs (..., P) to vectors (..., D) whose dot product is the score;
    ``permute`` maps embeddings (K, D) and the pair gathers (N, P) of
    :func:`hftp.rsa.inference.pair_permutations` to the embeddings of the permuted RDMs
    (N, K, D). ``rank_based`` says that the score reads only the order of the dissimilarities:
    the noise ceiling then averages rank-transformed subject RDMs, as rsatoolbox does
    (:func:`hftp.rsa.subjects.noise_ceiling`).
    """

    embed: Callable[[np.ndarray], np.ndarray]
    permute: Callable[[np.ndarray, np.ndarray], np.ndarray]
    rank_based: bool = True


COMPARISONS = {
    "spearman": Comparison(_spearman_embed, _gather, rank_based=True),
    "kendall": Comparison(_kendall_embed, _signed_gather, rank_based=True),
}
"""Comparison registry: name → :class:`Comparison` (Spearman's rho, Kendall's tau-a)."""


def score_embeddings(model_emb: np.ndarray, brain_emb: np.ndarray) -> np.ndarray:
    """Scores of every embedded model RDM against every embedded brain RDM.

    Parameters
    ----------
    model_emb : ndarray, shape (L, D)
        Embedded model RDMs (one per layer), from a comparison's ``embed``.
    brain_emb : ndarray, shape (..., K, D)
        Embedded brain RDMs (one per channel), with any leading dims (e.g. permutations).

    Returns
    -------
    scores : ndarray, shape (..., L, K)
    """
    return np.einsum("ld,...kd->...lk", model_emb, brain_emb)


def score_rdms(model_rdm: np.ndarray, brain_emb: np.ndarray, comp: Comparison) -> np.ndarray:
    """Scores of condensed model RDMs against embedded brain RDMs.

    Parameters
    ----------
    model_rdm : ndarray, shape (..., L, P)
        Condensed model RDMs, with any leading dims (e.g. random draws).
    brain_emb : ndarray, shape (K, D)
        Embedded brain RDMs.
    comp : Comparison
        A value of :data:`COMPARISONS`.

    Returns
    -------
    scores : ndarray, shape (..., L, K)
    """
    return np.einsum("...ld,kd->...lk", comp.embed(model_rdm), brain_emb)


def compare_rdms(a, b, *, comparison: str = "spearman"):
    """Compare every RDM of ``a`` with every RDM of ``b``.

    Parameters
    ----------
    a, b : xarray.DataArray, dims (group, pair)
        RDMs from :func:`hftp.rdms` (e.g. per layer of a model, per channel or region of a brain),
        over the same conditions. ``b``'s conditions are matched to ``a``'s by name.
    comparison : {"spearman", "kendall"}
        The rank correlation of the upper triangles (Kendall is τ-a). Default ``"spearman"``.

    Returns
    -------
    rho : xarray.DataArray, dims (a_group, b_group)
        The score of each pair of RDMs; NaN where either RDM is NaN or flat. The dims are named
        after the groups of ``a`` and ``b`` (``layer`` and ``channel``, say), suffixed ``_a`` and
        ``_b`` when both are the same.

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
    >>> rho = hftp.compare_rdms(hftp.rdms(model_spectra), hftp.rdms(brain_spectra))
    >>> rho.dims, rho.shape
    (('layer', 'channel'), (2, 6))
    """
    import xarray as xr

    from hftp._validation import InvalidTypeError, InvalidValueError, check_option

    check_option("comparison", comparison, COMPARISONS)
    for name, r in (("a", a), ("b", b)):
        if not isinstance(r, xr.DataArray) or r.ndim != 2 or r.dims[1] != "pair":
            raise InvalidTypeError(
                f"Invalid type for {name!r}: expected RDMs from hftp.rdms (a DataArray with dims "
                f"(group, pair)); got {type(r).__name__} with dims {getattr(r, 'dims', None)}. "
                "Build them with hftp.rdms(spectra)."
            )
    order_a = _pair_order(a)
    order_b = _pair_order(b)
    if set(order_a) != set(order_b):
        raise InvalidValueError(
            f"Invalid value for 'b': its RDMs are over conditions {sorted(_conds(b))}, but 'a' has "
            f"{sorted(_conds(a))}. Build both with the same conditions."
        )
    idx = np.array([order_b[k] for k in order_a])
    comp = COMPARISONS[comparison]
    ea = comp.embed(np.asarray(a.values, dtype=float))
    eb = comp.embed(np.asarray(b.values, dtype=float)[:, idx])
    rho = score_embeddings(ea, eb)
    da, db = a.dims[0], b.dims[0]
    if da == db:
        da, db = f"{da}_a", f"{db}_b"
    coords: dict[str, Any] = {da: a[a.dims[0]].values, db: b[b.dims[0]].values}
    return xr.DataArray(
        rho, dims=(da, db), coords=coords, name="rho", attrs={"comparison": comparison}
    )


def _conds(r) -> set[str]:
    return {str(c) for c in r["cond_i"].values} | {str(c) for c in r["cond_j"].values}


def _pair_order(r) -> dict[frozenset, int]:
    return {
        frozenset((str(i), str(j))): k
        for k, (i, j) in enumerate(zip(r["cond_i"].values, r["cond_j"].values, strict=True))
    }
