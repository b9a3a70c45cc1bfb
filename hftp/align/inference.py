"""Inference for RSA: RDM comparisons, condition-label permutations, S(m,b) and its relatives,
and the key numbers of a result.

Everything is vectorised. A permutation of the n condition labels maps each upper-triangle pair
(i, j) to the pair (π(i), π(j)); permuting an RDM is therefore an index gather on its condensed
vector, and the comparison of every layer with every channel under every permutation is one
matrix product per chunk of permutations.

The comparisons are embeddings whose dot product is the score: Spearman's rho is the dot product
of centred, unit-norm ranks; Kendall's tau-a is the dot product of the pairwise sign vectors
divided by their length. A permuted RDM's embedding is a (signed) gather of the original one, so
nothing is re-ranked inside the permutation loop.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from hftp._validation import InvalidValueError
from hftp.align.compare import COMPARISONS, compare, score_rdms

_CHUNK_ELEMENTS = 2_000_000  # rho values held per chunk (permutations × layers × channels)
_SAMPLED_DEFAULT = 10_000
_EPS = 1e-10  # ties between a permuted and the observed score count as "at least as large"
"""Comparison registry: Spearman's rho and Kendall's tau-a over the upper triangle."""


# ---------------------------------------------------------------------------------------------
# permutations


def condition_permutations(
    n: int, n_permutations: int | None, rng: np.random.Generator
) -> tuple[np.ndarray, bool]:
    """Relabelings of ``n`` conditions, the identity first.

    All n! when ``n_permutations`` is None and n <= 8, or when ``n_permutations`` >= n!;
    otherwise the identity plus ``n_permutations - 1`` (default 9999) seeded random ones.

    Returns
    -------
    perms : ndarray, shape (n_perm, n)
    exact : bool
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
    """Condensed-pair gathers of condition relabelings: (n_perm, n) → (n_perm, P).

    ``rdm[..., out[k]]`` is the RDM with D'[i, j] = D[π_k(i), π_k(j)].
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
    dict with ``S_layer`` (N, L), ``S`` (N,), and per grouping ``g``: ``{g}_rho`` (N, L, G, mean
    over the group's channels), ``n_top_{g}`` (N, L, G), ``S_layer_{g}`` (N, L, G, mean over the
    group's channels among the layer's top k) and ``S_{g}`` (N, G).
    """
    finite = np.isfinite(rho)
    k = min(k, rho.shape[-1])
    keyed = np.where(finite, rho, -np.inf)
    top = np.argpartition(-keyed, k - 1, axis=-1)[..., :k]
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


def _chunks(n: int, per_item: int):
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
    rho = compare(model_emb, brain_emb)
    obs = {key: v[0] for key, v in summarize(rho[None], k, groups).items()}
    obs["rho"] = rho
    ge = {key: np.zeros(np.shape(obs[key]), dtype=np.int64) for key in p_keys}
    nulls: dict[str, list[np.ndarray]] = {"S": [], **{f"S_{g}": [] for g in groups}}
    nulls.update({f"max_{key}": [] for key in max_keys})
    chunks = list(_chunks(n_perm, L * K))
    for sl in _progress(chunks, len(chunks), "permutations"):
        idx = pair_perm[sl]
        rho_p = compare(model_emb, comp.permute(brain_emb, idx))
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
    for sl in _progress(list(_chunks(n_random, L * M)), None, "random neurons"):
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
    for sl in _chunks(n_boot, rho.size):
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
    from hftp.tagging.base import bh_fdr

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
    """All of :func:`hftp.align`'s inference; returns ``vars``, ``coords`` and ``attrs``."""
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


def alignment_summary(result) -> dict[str, Any]:
    """The key numbers of an :func:`align` result as a JSON-friendly dict.

    Returns
    -------
    dict
        ``S``, ``S_p``, ``S_corrected`` (S − its null mean), ``best_layer`` (highest ``S_layer``) with its ``S_layer`` and p, the best
        layer × region cell (highest ``region_rho``) with its p and q when regions exist; with the
        random-effect analysis, the best layer × cell by group t (``group_best_*``: mean rho, CI,
        p, family-wise p, noise ceiling) and ``group_n_significant``; the count
        of significant layer × channel cells (``correction``, maxT by default), and, when present, ``S_random_p`` and
        ``S_ci``.
    """
    import xarray as xr

    from hftp._validation import check_type

    check_type("result", result, xr.Dataset, "an alignment result from hftp.align")
    if "rho" not in result or "S_layer" not in result:
        raise InvalidValueError(
            f"Invalid value for 'result': expected an alignment result from hftp.align; got a "
            f"Dataset with {sorted(result.data_vars)}."
        )

    def num(x) -> float | None:
        v = float(np.asarray(x))
        return v if np.isfinite(v) else None

    out: dict[str, Any] = {
        "S": num(result["S"]),
        "S_p": num(result["S_p"]),
        "n_permutations": int(result.attrs.get("n_permutations", 0)),
        "top_k": int(result.attrs.get("top_k", 0)),
        "n_significant": int(result["significant"].sum()),
        "correction": str(result.attrs.get("correction", "bh")),
    }
    for key in ("S_corrected", "S_null_mean"):
        if key in result:
            out[key] = num(result[key])
    s_layer = np.asarray(result["S_layer"].values, dtype=float)
    if np.isfinite(s_layer).any():
        i = int(np.nanargmax(s_layer))
        out["best_layer"] = result["layer"].values[i].item()
        out["best_layer_S"] = num(s_layer[i])
        out["best_layer_p"] = num(result["S_layer_p"].values[i])
    if "region_rho" in result:
        r = np.asarray(result["region_rho"].values, dtype=float)
        if np.isfinite(r).any():
            li, ri = np.unravel_index(int(np.nanargmax(r)), r.shape)
            out["best_region_layer"] = result["layer"].values[li].item()
            out["best_region"] = str(result["regions"].values[ri])
            out["best_region_rho"] = num(r[li, ri])
            out["best_region_p"] = num(result["region_p"].values[li, ri])
            out["best_region_q"] = num(result["region_q"].values[li, ri])
            if "region_p_fwe" in result:
                out["best_region_p_fwe"] = num(result["region_p_fwe"].values[li, ri])
    if "S_random_p" in result:
        out["S_random_p"] = num(result["S_random_p"])
    if "S_ci" in result:
        out["S_ci"] = [num(v) for v in result["S_ci"].values]
    if "group_t" in result:
        t = np.asarray(result["group_t"].values, dtype=float)
        out["subjects"] = "random-effect"
        out["n_subjects"] = int(result.sizes["subjects"])
        out["cell_by"] = str(result.attrs.get("cell_by", ""))
        out["group_n_significant"] = int(result["group_significant"].sum())
        if np.isfinite(t).any():
            li, ci_ = np.unravel_index(int(np.nanargmax(t)), t.shape)
            out["group_best_layer"] = result["layer"].values[li].item()
            out["group_best_cell"] = str(result["cell"].values[ci_])
            out["group_best_rho"] = num(result["group_rho"].values[li, ci_])
            out["group_best_ci"] = [num(v) for v in result["group_ci"].values[li, ci_]]
            out["group_best_p"] = num(result["group_p"].values[li, ci_])
            out["group_best_p_fwe"] = num(result["group_p_fwe"].values[li, ci_])
            out["group_best_noise_ceiling"] = [num(v) for v in result["noise_ceiling"].values[ci_]]
    return out
