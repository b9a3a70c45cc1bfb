"""Inference for RSA: condition-label permutations, S(m,b) and its relatives, the corrections
for many cells (maxT, BH), the random-neuron control and the subject bootstrap.

Everything is vectorised. A permutation of the n condition labels maps each upper-triangle pair
(i, j) to the pair (π(i), π(j)); permuting an RDM is therefore an index gather on its condensed
vector, and the comparison of every layer with every channel under every permutation is one
matrix product per chunk of permutations (the comparisons are embeddings whose dot product is the
score: :mod:`hftp.rsa.comparison`).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from hftp.rsa.comparison import COMPARISONS, score_embeddings, score_rdms

_CHUNK_ELEMENTS = 2_000_000  # rho values held per chunk (permutations × layers × channels)
_SAMPLED_DEFAULT = 10_000
_EPS = 1e-10  # ties between a permuted and the observed score count as "at least as large"
_TIE_QUANTUM = 1e-9  # scores this close are one value when choosing a layer's top k

__all__ = [
    "CORRECTIONS",
    "chunk_slices",
    "condition_permutations",
    "maxt_p",
    "pair_permutations",
    "run_inference",
    "summarize",
]


# ---------------------------------------------------------------------------------------------
# permutations


def condition_permutations(
    n: int, n_permutations: int | None, rng: np.random.Generator
) -> tuple[np.ndarray, bool]:
    """Relabelings of ``n`` conditions, the identity first.

    All n! when ``n_permutations`` is None and n <= 8, or when ``n_permutations`` >= n!;
    otherwise the identity plus ``n_permutations - 1`` (default 9999) seeded random ones.

    Parameters
    ----------
    n : int
        Number of conditions.
    n_permutations : int or None
        Relabelings wanted; None for the default (all n! up to n = 8, else 10000).
    rng : numpy.random.Generator
        Draws the sampled relabelings.

    Returns
    -------
    perms : ndarray of int, shape (n_perm, n)
        Row k maps condition i to ``perms[k, i]``; row 0 is the identity.
    exact : bool
        True when every relabeling is listed.
    """
    total = math.factorial(n)
    if (n_permutations is None and n <= 8) or (
        n_permutations is not None and n_permutations >= total
    ):
        return np.array(list(itertools.permutations(range(n))), dtype=np.intp), True
    m = _SAMPLED_DEFAULT if n_permutations is None else n_permutations
    keys = rng.random((m - 1, n))
    perms = np.concatenate([np.arange(n)[None], np.argsort(keys, axis=1)])
    return perms.astype(np.intp), False


def pair_permutations(perms: np.ndarray) -> np.ndarray:
    """Condensed-pair gathers of condition relabelings.

    Parameters
    ----------
    perms : ndarray of int, shape (n_perm, n)
        Relabelings from :func:`condition_permutations`.

    Returns
    -------
    gathers : ndarray of int, shape (n_perm, P)
        ``rdm[..., gathers[k]]`` is the condensed RDM with D'[i, j] = D[π_k(i), π_k(j)];
        P = n(n - 1)/2.
    """
    n = perms.shape[1]
    i, j = np.triu_indices(n, 1)
    pos = np.zeros((n, n), dtype=np.intp)
    pos[i, j] = np.arange(i.size)
    pos[j, i] = np.arange(i.size)
    return pos[perms[:, i], perms[:, j]]


# ---------------------------------------------------------------------------------------------
# summaries: S(m,b), S(m,b_r), region means


def _nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    ok = np.isfinite(x)
    n = ok.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, x, 0.0).sum(axis=axis) / np.where(n > 0, n, np.nan)


def _selection_key(rho: np.ndarray, finite: np.ndarray) -> np.ndarray:
    """The order in which channels enter a layer's top k: by rho, ties by channel index.

    Rank correlations over few pairs take few values (6 conditions: 15 pairs), so channels often
    tie at the k-th place. Which of them is chosen does not change S, but it changes which
    *group* (region, hemisphere) is in the top k, so it must be a function of the data: rho is
    rounded to 1e-9 (far above the ~1e-16 by which a permuted RDM's score and the same score
    computed afresh differ) and ties go to the lower channel index. Then the null's statistic
    under each relabeling equals the statistic of the relabeled data, which the permutation
    test's exactness needs (tests/rsa/test_alignment.py checks it over all relabelings).
    """
    n_ch = rho.shape[-1]
    tie = np.arange(n_ch) * (_TIE_QUANTUM / (2 * max(n_ch, 1)))
    return np.where(finite, np.round(rho / _TIE_QUANTUM) * _TIE_QUANTUM - tie, -np.inf)


def summarize(rho: np.ndarray, k: int, groups: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """S(m,b) and the group summaries of scores ``rho`` (N, L, K).

    Parameters
    ----------
    rho : ndarray, shape (N, L, K)
    k : int
        Top channels per layer (capped at the finite channels of each layer).
    groups : dict of str to ndarray (K, G)
        One-hot channel membership per grouping (e.g. region, hemisphere).

    Returns
    -------
    summaries : dict of str to ndarray
        ``S_layer`` (N, L), ``S`` (N,), and per grouping ``g``: ``{g}_rho`` (N, L, G, mean over
        the group's channels), ``n_top_{g}`` (N, L, G), ``S_layer_{g}`` (N, L, G, mean over the
        group's channels among the layer's top k) and ``S_{g}`` (N, G).
    """
    finite = np.isfinite(rho)
    k = min(k, rho.shape[-1])
    top = np.argpartition(-_selection_key(rho, finite), k - 1, axis=-1)[..., :k]
    in_top = np.zeros(rho.shape, dtype=bool)
    np.put_along_axis(in_top, top, True, axis=-1)
    in_top &= finite
    val = np.where(in_top, rho, 0.0)
    n_top = in_top.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {"S_layer": val.sum(axis=-1) / np.where(n_top > 0, n_top, np.nan)}
    out["S"] = _nanmean(out["S_layer"], axis=-1)
    rz = np.where(finite, rho, 0.0)
    for g, onehot in groups.items():
        n_fin = finite.astype(float) @ onehot
        n_g = in_top.astype(float) @ onehot
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{g}_rho"] = (rz @ onehot) / np.where(n_fin > 0, n_fin, np.nan)
            out[f"S_layer_{g}"] = (val @ onehot) / np.where(n_g > 0, n_g, np.nan)
        out[f"n_top_{g}"] = n_g.astype(np.int64)
        out[f"S_{g}"] = _nanmean(out[f"S_layer_{g}"], axis=-2)
    return out


def _exceed(null: np.ndarray, obs: np.ndarray) -> np.ndarray:
    """Count of null values >= observed (NaN null values never exceed), summed over axis 0."""
    with np.errstate(invalid="ignore"):
        return (np.isfinite(null) & (null >= obs - _EPS)).sum(axis=0)


def chunk_slices(n: int, per_item: int):
    """Slices over ``n`` items in chunks that hold about 2 million values each.

    Parameters
    ----------
    n : int
        Items to cover (permutations, sign flips, random draws).
    per_item : int
        Values computed per item (e.g. layers × channels).

    Yields
    ------
    slice
        Consecutive slices covering ``range(n)``, each at least one item long.
    """
    step = max(1, _CHUNK_ELEMENTS // max(1, per_item))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def _progress(iterable, total: int, desc: str):
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, disable=None, leave=False)


# ---------------------------------------------------------------------------------------------
# inference pieces


def _cell_max(x: np.ndarray) -> np.ndarray:
    """The maximum over every cell of each permutation (N, ...) → (N,); NaN cells are skipped."""
    flat = np.where(np.isfinite(x), x, -np.inf).reshape(x.shape[0], -1)
    return flat.max(axis=1) if flat.shape[1] else np.full(x.shape[0], -np.inf)


def _permutation_test(model_emb, brain_emb, comp, pair_perm, k, groups, p_keys, max_keys=()):
    """Permutation p of every statistic in ``p_keys``; the null of S (and S per group); the null
    of the maximum over cells of every statistic in ``max_keys`` (for maxT)."""
    n_perm = pair_perm.shape[0]
    L, K = model_emb.shape[0], brain_emb.shape[0]
    rho = score_embeddings(model_emb, brain_emb)
    obs = {key: v[0] for key, v in summarize(rho[None], k, groups).items()}
    obs["rho"] = rho
    ge = {key: np.zeros(np.shape(obs[key]), dtype=np.int64) for key in p_keys}
    nulls: dict[str, list[np.ndarray]] = {"S": [], **{f"S_{g}": [] for g in groups}}
    nulls.update({f"max_{key}": [] for key in max_keys})
    chunks = list(chunk_slices(n_perm, L * K))
    for sl in _progress(chunks, len(chunks), "permutations"):
        idx = pair_perm[sl]
        rho_p = score_embeddings(model_emb, comp.permute(brain_emb, idx))
        summ = summarize(rho_p, k, groups)
        summ["rho"] = rho_p
        for key in p_keys:
            ge[key] += _exceed(summ[key], obs[key])
        for key in max_keys:
            nulls[f"max_{key}"].append(_cell_max(summ[key]))
        for key in nulls:
            if not key.startswith("max_"):
                nulls[key].append(summ[key])
    with np.errstate(invalid="ignore"):
        p = {key: np.where(np.isfinite(obs[key]), ge[key] / n_perm, np.nan) for key in p_keys}
    return obs, p, {key: np.concatenate(v) for key, v in nulls.items()}


# ---------------------------------------------------------------------------------------------
# multiple comparisons


def maxt_p(obs: np.ndarray, max_null: np.ndarray) -> np.ndarray:
    """Family-wise p of every cell by the max statistic (Westfall–Young; Nichols & Holmes 2002).

    Parameters
    ----------
    obs : ndarray, any shape
        The observed statistic of every cell of one family (NaN cells stay NaN).
    max_null : ndarray, shape (n_perm,)
        The maximum over the family's cells under each permutation, the identity included.

    Returns
    -------
    p : ndarray, shape of ``obs``
        The fraction of permutations whose maximum reaches the cell's value. Rejecting p <= alpha
        controls the family-wise error at alpha (strongly, under subset pivotality); since the
        identity is among the permutations, p >= 1 / n_perm, so 720 permutations reject at 0.05.
    """
    obs = np.asarray(obs, dtype=float)
    m = np.sort(np.asarray(max_null, dtype=float))
    with np.errstate(invalid="ignore"):
        n_ge = m.size - np.searchsorted(m, obs - _EPS, side="left")
        return np.where(np.isfinite(obs), n_ge / m.size, np.nan)


def _correct_maxt(obs, p, max_null):
    return maxt_p(obs, max_null)


def _correct_bh(obs, p, max_null):
    return _bh(p)


CORRECTIONS = {"maxT": _correct_maxt, "bh": _correct_bh}
"""Multiple-comparison registry: name → function of (observed, p, null maxima) returning the
adjusted p of every cell of one family. ``"maxT"`` (default) controls the family-wise error with
the same permutations; ``"bh"`` is Benjamini–Hochberg FDR over the cells' permutation p."""


def _random_control(random: dict, brain_emb, comp, k, obs, rng):
    rdm_fn, counts, valid, n_random = random["rdm"], random["counts"], random["valid"], random["n"]
    L, M = valid.shape
    rhos = []
    for sl in _progress(list(chunk_slices(n_random, L * M)), None, "random neurons"):
        keys = rng.random((sl.stop - sl.start, L, M))
        keys[:, ~valid] = np.inf
        ranks = np.argsort(np.argsort(keys, axis=-1), axis=-1)
        w = (ranks < counts[None, :, None]).astype(float)
        rhos.append(score_rdms(rdm_fn(w), brain_emb, comp))
    rho_r = np.concatenate(rhos)
    summ = summarize(rho_r, k, {})
    out = {
        "random_rho": (("random", "layer", "channel"), rho_r),
        "random_S": (("random",), summ["S"]),
        "random_S_layer": (("random", "layer"), summ["S_layer"]),
    }
    for name, key, dims in (
        ("rho_random_p", "rho", ("layer", "channel")),
        ("S_random_p", "S", ()),
        ("S_layer_random_p", "S_layer", ("layer",)),
    ):
        null = rho_r if key == "rho" else summ[key]
        with np.errstate(invalid="ignore"):
            p = (1.0 + _exceed(null, obs[key])) / (1.0 + n_random)
        out[name] = (dims, np.where(np.isfinite(obs[key]), p, np.nan))
    return out


def _subject_bootstrap(rho, subjects, k, n_boot, ci, rng):
    labels, inv = np.unique(subjects.astype(str), return_inverse=True)
    n_sub = labels.size
    out: dict[str, Any] = {}
    s_sub = []
    for i in range(n_sub):
        chans = np.flatnonzero(inv == i)
        s_sub.append(summarize(rho[None][..., chans], min(k, chans.size), {})["S"][0])
    out["S_subject"] = (("subjects",), np.asarray(s_sub))
    if n_boot == 0:
        return out, labels
    finite = np.isfinite(rho)
    order = np.argsort(np.where(finite, -rho, np.inf), axis=-1, kind="stable")  # (L, K)
    rho_sorted = np.take_along_axis(np.where(finite, rho, 0.0), order, axis=-1)
    fin_sorted = np.take_along_axis(finite, order, axis=-1)
    boots = []
    for sl in chunk_slices(n_boot, rho.size):
        draws = rng.integers(0, n_sub, size=(sl.stop - sl.start, n_sub))
        mult = (draws[..., None] == np.arange(n_sub)).sum(axis=1)  # (B, n_sub)
        w = mult[:, inv][:, order] * fin_sorted  # (B, L, K)
        kb = np.minimum(k, w.sum(axis=-1))
        take = np.clip(kb[..., None] - (np.cumsum(w, axis=-1) - w), 0, w)
        with np.errstate(invalid="ignore", divide="ignore"):
            s_layer = (take * rho_sorted).sum(axis=-1) / np.where(kb > 0, kb, np.nan)
        boots.append(_nanmean(s_layer, axis=-1))
    s_boot = np.concatenate(boots)
    alpha = (1.0 - ci) / 2.0
    ok = s_boot[np.isfinite(s_boot)]
    bounds = np.quantile(ok, [alpha, 1.0 - alpha]) if ok.size else np.array([np.nan, np.nan])
    out["S_boot"] = (("boot",), s_boot)
    out["S_ci"] = (("bound",), bounds)
    return out, labels


def _bh(p: np.ndarray) -> np.ndarray:
    """BH-FDR over every entry of ``p`` (one family); NaN entries are ignored and stay NaN."""
    from hftp.tagging import bh_fdr

    return bh_fdr(p)


# ---------------------------------------------------------------------------------------------
# driver

_GROUP_DIMS = {"region": "regions", "hemisphere": "hemispheres"}


def run_inference(
    *,
    model_rdm: np.ndarray,
    brain_rdm: np.ndarray,
    comparison: str,
    n_conditions: int,
    n_permutations: int | None,
    top_k: int,
    group_coords: dict[str, np.ndarray],
    random: dict | None,
    n_boot: int,
    ci: float,
    q: float,
    seed: int,
    correction: str = "maxT",
) -> dict[str, Any]:
    """All of :func:`hftp.align`'s inference on the RDMs of the model and the brain.

    Parameters
    ----------
    model_rdm : ndarray, shape (L, P)
        Condensed model RDMs, one per layer.
    brain_rdm : ndarray, shape (K, P)
        Condensed brain RDMs, one per channel.
    comparison : str
        A key of :data:`hftp.rsa.comparison.COMPARISONS`.
    n_conditions : int
        Conditions of the RDMs (P = n(n - 1)/2).
    n_permutations : int or None
        Relabelings (:func:`condition_permutations`).
    top_k : int
        Channels per layer in S(m,b).
    group_coords : dict of str to ndarray (K,)
        Channel coords: ``region`` and ``hemisphere`` give the group summaries, ``subject`` the
        subject bootstrap.
    random : dict or None
        The random-neuron control: ``rdm`` (weights (R, L, M) → RDMs (R, L, P)), ``counts`` (L,),
        ``valid`` (L, M) and ``n``; None skips it.
    n_boot : int
        Subject bootstrap resamples (0 skips).
    ci, q : float
        Confidence level of the bootstrap; error level of ``significant``.
    seed : int
        Seeds the permutations, the random draws and the bootstrap (independent streams).
    correction : {"maxT", "bh"}
        A key of :data:`CORRECTIONS`. Default ``"maxT"``.

    Returns
    -------
    parts : dict
        ``vars`` (name → (dims, values)), ``coords`` (dim → labels) and ``attrs``, to be
        assembled into the result Dataset.
    """
    perm_ss, rand_ss, boot_ss = np.random.SeedSequence(seed).spawn(3)
    comp = COMPARISONS[comparison]
    perms, exact = condition_permutations(
        n_conditions, n_permutations, np.random.default_rng(perm_ss)
    )
    pair_perm = pair_permutations(perms)
    groups, coords = {}, {}
    for g, dim in _GROUP_DIMS.items():
        if g in group_coords:
            labels, inv = np.unique(group_coords[g].astype(str), return_inverse=True)
            groups[g] = np.eye(labels.size)[inv]
            coords[dim] = labels
    p_keys = ["rho", "S", "S_layer"] + [f"{g}_rho" for g in groups] + [f"S_{g}" for g in groups]
    max_keys = ["rho"] + [f"{g}_rho" for g in groups]
    model_emb, brain_emb = comp.embed(model_rdm), comp.embed(brain_rdm)
    obs, p, nulls = _permutation_test(
        model_emb, brain_emb, comp, pair_perm, top_k, groups, p_keys, max_keys
    )
    lk = ("layer", "channel")
    p_fwe = maxt_p(obs["rho"], nulls["max_rho"])
    adjusted = CORRECTIONS[correction](obs["rho"], p["rho"], nulls["max_rho"])
    with np.errstate(invalid="ignore"):
        s_null_mean = np.nanmean(nulls["S"]) if np.isfinite(nulls["S"]).any() else np.nan
    data: dict[str, Any] = {
        "rho": (lk, obs["rho"]),
        "p": (lk, p["rho"]),
        "p_fwe": (lk, p_fwe),
        "q": (lk, _bh(p["rho"])),
        "S": ((), obs["S"]),
        "S_p": ((), p["S"]),
        "S_null": (("permutation",), nulls["S"]),
        "S_null_mean": ((), s_null_mean),
        "S_corrected": ((), obs["S"] - s_null_mean),
        "max_rho_null": (("permutation",), nulls["max_rho"]),
        "S_layer": (("layer",), obs["S_layer"]),
        "S_layer_p": (("layer",), p["S_layer"]),
    }
    with np.errstate(invalid="ignore"):
        data["significant"] = (lk, adjusted <= q)
    for g in groups:
        dims = ("layer", _GROUP_DIMS[g])
        gd = (_GROUP_DIMS[g],)
        data[f"{g}_rho"] = (dims, obs[f"{g}_rho"])
        data[f"{g}_p"] = (dims, p[f"{g}_rho"])
        data[f"{g}_p_fwe"] = (dims, maxt_p(obs[f"{g}_rho"], nulls[f"max_{g}_rho"]))
        data[f"{g}_q"] = (dims, _bh(p[f"{g}_rho"]))
        adj = CORRECTIONS[correction](obs[f"{g}_rho"], p[f"{g}_rho"], nulls[f"max_{g}_rho"])
        with np.errstate(invalid="ignore"):
            data[f"{g}_significant"] = (dims, adj <= q)
            null_mean = _nanmean(nulls[f"S_{g}"], axis=0)
        data[f"S_layer_{g}"] = (dims, obs[f"S_layer_{g}"])
        data[f"n_top_{g}"] = (dims, obs[f"n_top_{g}"])
        data[f"S_{g}"] = (gd, obs[f"S_{g}"])
        data[f"S_{g}_p"] = (gd, p[f"S_{g}"])
        data[f"S_{g}_null"] = (("permutation", _GROUP_DIMS[g]), nulls[f"S_{g}"])
        data[f"S_{g}_null_mean"] = (gd, null_mean)
        data[f"S_{g}_corrected"] = (gd, obs[f"S_{g}"] - null_mean)
    if random is not None:
        data.update(
            _random_control(random, brain_emb, comp, top_k, obs, np.random.default_rng(rand_ss))
        )
    n_subjects = 1
    if "subject" in group_coords and np.unique(group_coords["subject"].astype(str)).size > 1:
        boot, labels = _subject_bootstrap(
            obs["rho"], group_coords["subject"], top_k, n_boot, ci, np.random.default_rng(boot_ss)
        )
        data.update(boot)
        coords["subjects"] = labels
        n_subjects = labels.size
        if "S_ci" in boot:
            coords["bound"] = ["lower", "upper"]
    return {
        "vars": data,
        "coords": coords,
        "attrs": {
            "n_permutations": int(perms.shape[0]),
            "permutation": "exact" if exact else "sampled",
            "n_subjects": int(n_subjects),
            "correction": correction,
        },
    }
