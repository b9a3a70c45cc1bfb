"""Subjects as a random effect: one comparison per subject, inference across subjects.

The standard of RSA with several subjects (Nili et al. 2014; rsatoolbox): compare the model RDM
with each subject's RDM, then test the mean over subjects against zero, each subject one
independent observation. Pooling every subject's channels into one table (the fixed-effect path of
:func:`hftp.align`, ``subjects="pooled"``) generalises to these recordings only.

Cells
    A cell is a channel name shared by every subject (the ``label`` coord of
    :func:`hftp.brain.concat_subjects`, e.g. scalp EEG electrodes) or, when channels differ
    between subjects (iEEG), a region: each subject's region RDM is the mean of its channels' RDMs
    there. A subject without a cell's channels contributes nothing to that cell.
Test
    One-sample t of the per-subject comparisons against 0, per layer × cell; its null by sign
    flips of whole subjects (exchangeable under H0 when each subject's comparison is symmetric
    around 0): all 2^n when n <= 12, else sampled (identity included). Family-wise p over layer ×
    cell by maxT on t (Westfall–Young). The group effect is the mean comparison with a t CI.
Noise ceiling (per cell, as rsatoolbox's ``boot_noise_ceiling``; Nili et al. 2014)
    Upper bound: mean over subjects of the comparison of each subject's RDM with the mean RDM of
    all subjects; lower bound: the same with the mean of the other subjects (leave one out). A
    model cannot be expected to exceed the upper bound. With a rank-based comparison (Spearman,
    Kendall's tau-a: every comparison of ``COMPARISONS``) the mean is over the subjects'
    rank-transformed RDMs, as rsatoolbox's ``pool_rdm`` does: the RDM that best predicts the
    subjects' orders of dissimilarity, whatever each subject's scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hftp._validation import InvalidValueError
from hftp.rsa.comparison import COMPARISONS, score_embeddings
from hftp.rsa.inference import CORRECTIONS, chunk_slices, maxt_p

__all__ = ["noise_ceiling", "sign_flips", "subject_inference"]

_EXACT_MAX = 12  # all 2^n sign flips up to this many subjects
_SAMPLED_FLIPS = 10_000


def sign_flips(n: int, n_flips: int | None, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Sign flips of ``n`` subjects, the identity (all +1) first.

    All 2^n when ``n_flips`` is None and n <= 12 or ``n_flips`` >= 2^n; else sampled.

    Parameters
    ----------
    n : int
        Number of subjects.
    n_flips : int or None
        Flips wanted; None for the default (all 2^n up to 12 subjects, else 10000).
    rng : numpy.random.Generator
        Draws the sampled flips.

    Returns
    -------
    flips : ndarray, shape (n_flips, n)
        ±1 per subject; row 0 is all +1.
    exact : bool
        True when every flip is listed.
    """
    total = 2**n
    if (n_flips is None and n <= _EXACT_MAX) or (n_flips is not None and n_flips >= total):
        bits = (np.arange(total)[:, None] >> np.arange(n)[None]) & 1
        return 1.0 - 2.0 * bits, True
    m = _SAMPLED_FLIPS if n_flips is None else n_flips
    draws = 1.0 - 2.0 * rng.integers(0, 2, size=(m - 1, n))
    return np.concatenate([np.ones((1, n)), draws]), False


def _cells(coords: dict[str, np.ndarray], channel_names: np.ndarray):
    """Cell label of every channel and the cell kind ('label' or 'region')."""
    subjects = coords["subject"].astype(str)
    names = coords.get("label", channel_names).astype(str)
    sets = [frozenset(names[subjects == s]) for s in np.unique(subjects)]
    if all(s == sets[0] for s in sets):
        return names, "label"
    if "region" in coords:
        return coords["region"].astype(str), "region"
    raise InvalidValueError(
        "Invalid value for 'brain_spectra': its subjects have different channels and no 'region' "
        "coord, so there is no cell that every subject shares for a random-effect analysis. Add a "
        "'region' coord on channel (e.g. hftp.brain.assign_regions) or pass subjects='pooled'."
    )


def _subject_cell_rdms(brain_rdm, subj_inv, cell_inv, n_sub, n_cell):
    """Mean RDM of each subject's channels in each cell: (n_sub, n_cell, P), NaN where absent."""
    ok = np.isfinite(brain_rdm).all(axis=-1)
    out = np.zeros((n_sub, n_cell, brain_rdm.shape[-1]))
    count = np.zeros((n_sub, n_cell))
    np.add.at(out, (subj_inv[ok], cell_inv[ok]), brain_rdm[ok])
    np.add.at(count, (subj_inv[ok], cell_inv[ok]), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return out / count[..., None]


def _t(sums, ss, n):
    """One-sample t from sums and sums of squares over subjects (NaN with < 2 subjects)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / n
        var = (ss - n * mean**2) / (n - 1)
        return mean / np.sqrt(np.clip(var, 0.0, None) / n)


def noise_ceiling(cell_rdms: np.ndarray, comparison: str) -> np.ndarray:
    """Lower (leave one subject out) and upper (all subjects) noise ceiling per cell.

    Each subject's RDM is compared with the mean RDM of the other subjects (lower bound) and of
    all subjects (upper bound), and the comparisons are averaged over subjects. For a rank-based
    comparison (``Comparison.rank_based``) the means are over rank-transformed RDMs, so the bounds
    equal rsatoolbox's ``boot_noise_ceiling`` (``method="spearman"`` or ``"tau-a"``).

    Parameters
    ----------
    cell_rdms : ndarray, shape (n_sub, n_cell, P)
        Each subject's RDM per cell (NaN rows: subject absent).
    comparison : str
        A key of ``COMPARISONS``.

    Returns
    -------
    ceiling : ndarray, shape (n_cell, 2)
        (lower, upper) per cell; NaN for a cell with fewer than 2 subjects.
    """
    from scipy.stats import rankdata  # ranks along the last axis, ties averaged

    comp = COMPARISONS[comparison]
    ok = np.isfinite(cell_rdms).all(axis=-1)  # (S, C)
    x = np.where(ok[..., None], cell_rdms, 0.0)
    if comp.rank_based:  # pool the subjects' orders, not their scales (rsatoolbox's pool_rdm)
        x = np.where(ok[..., None], rankdata(x, axis=-1), 0.0)
    total, n = x.sum(axis=0), ok.sum(axis=0)  # (C, P), (C,)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_all = total / n[:, None]
        loo = (total[None] - x) / (n[None, :, None] - 1)
    emb = comp.embed(cell_rdms)
    upper = np.einsum("scp,cp->sc", emb, comp.embed(mean_all))
    lower = np.einsum("scp,scp->sc", emb, comp.embed(loo))
    out = np.stack([np.nanmean(np.where(ok, b, np.nan), axis=0) for b in (lower, upper)], -1)
    out[n < 2] = np.nan
    return out


def subject_inference(
    *,
    model_rdm: np.ndarray,
    brain_rdm: np.ndarray,
    coords: dict[str, np.ndarray],
    channel_names: np.ndarray,
    comparison: str,
    correction: str,
    n_flips: int | None,
    ci: float,
    q: float,
    seed: int,
) -> dict[str, Any]:
    """The random-effect analysis of :func:`hftp.align`; returns ``vars``, ``coords``, ``attrs``.

    Parameters
    ----------
    model_rdm : ndarray, shape (L, P)
        Condensed model RDMs, one per layer.
    brain_rdm : ndarray, shape (K, P)
        Condensed brain RDMs, one per channel.
    coords : dict
        Channel coords; ``subject`` required, ``label`` and ``region`` used when present.
    channel_names : ndarray, shape (K,)
        The brain channels' names (cells when no ``label`` coord).
    comparison, correction : str
        Keys of ``COMPARISONS`` and ``CORRECTIONS``.
    n_flips : int or None
        Sign flips (default: all 2^n up to 12 subjects, else 10000 sampled).
    ci, q : float
        Confidence level of the group effect; error level of ``group_significant``.
    seed : int
        Seeds the sampled sign flips.

    Returns
    -------
    parts : dict
        ``vars`` (``subject_rho``, ``group_*``, ``noise_ceiling``, as name → (dims, values)),
        ``coords`` and ``attrs`` (``subjects``, ``cell_by``, ``n_flips``, ``flips``).
    """
    from scipy.stats import t as t_dist

    comp = COMPARISONS[comparison]
    subj_labels, subj_inv = np.unique(coords["subject"].astype(str), return_inverse=True)
    cell_of, cell_kind = _cells(coords, np.asarray(channel_names))
    cell_labels, cell_inv = np.unique(cell_of, return_inverse=True)
    n_sub, n_cell, n_layer = subj_labels.size, cell_labels.size, model_rdm.shape[0]
    cell_rdms = _subject_cell_rdms(brain_rdm, subj_inv, cell_inv, n_sub, n_cell)
    rho = score_embeddings(comp.embed(model_rdm), comp.embed(cell_rdms))  # (S, L, C)
    ok = np.isfinite(rho)
    x = np.where(ok, rho, 0.0).reshape(n_sub, -1)
    n = ok.sum(axis=0).reshape(-1).astype(float)
    ss = (x * x).sum(axis=0)
    t_obs = _t(x.sum(axis=0), ss, n)
    flips, exact = sign_flips(n_sub, n_flips, np.random.default_rng(seed))
    ge = np.zeros(t_obs.shape, dtype=np.int64)
    max_null = []
    for sl in chunk_slices(flips.shape[0], x.shape[1]):
        t_f = _t(flips[sl] @ x, ss, n)  # (F, L*C)
        with np.errstate(invalid="ignore"):
            ge += (np.isfinite(t_f) & (t_f >= t_obs - 1e-10)).sum(axis=0)
        max_null.append(np.where(np.isfinite(t_f), t_f, -np.inf).max(axis=1))
    max_null = np.concatenate(max_null)
    shape = (n_layer, n_cell)
    t_obs = t_obs.reshape(shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(np.isfinite(t_obs), ge.reshape(shape) / flips.shape[0], np.nan)
        mean = (x.sum(axis=0) / n).reshape(shape)
        sd = np.sqrt(np.clip((ss - n * (x.sum(axis=0) / n) ** 2) / (n - 1), 0, None))
        half = t_dist.ppf(0.5 + ci / 2.0, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    half = half.reshape(shape)
    adjusted = CORRECTIONS[correction](t_obs, p, max_null)
    lc = ("layer", "cell")
    with np.errstate(invalid="ignore"):
        significant = adjusted <= q
    data = {
        "subject_rho": (("subjects", "layer", "cell"), rho),
        "group_rho": (lc, mean),
        "group_t": (lc, t_obs),
        "group_p": (lc, p),
        "group_p_fwe": (lc, maxt_p(t_obs, max_null)),
        "group_significant": (lc, significant),
        "group_ci": ((*lc, "bound"), np.stack([mean - half, mean + half], axis=-1)),
        "group_n_subjects": (lc, n.reshape(shape).astype(np.int64)),
        "group_max_t_null": (("flip",), max_null),
        "noise_ceiling": (("cell", "ceiling"), noise_ceiling(cell_rdms, comparison)),
    }
    return {
        "vars": data,
        "coords": {
            "subjects": subj_labels,
            "cell": cell_labels,
            "bound": ["lower", "upper"],
            "ceiling": ["lower", "upper"],
        },
        "attrs": {
            "subjects": "random-effect",
            "cell_by": cell_kind,
            "n_flips": int(flips.shape[0]),
            "flips": "exact" if exact else "sampled",
        },
    }
