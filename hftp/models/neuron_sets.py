"""Neuron sets for the ablation, and their random nulls.

A neuron set is a boolean mask over a model's ``(layer, neuron)``. :func:`neuron_sets` builds the
sets :func:`hftp.models.ablate` silences from what the user passes:

- a boolean mask (one set);
- a :func:`hftp.find_tagged` result and its categories (``sentence``, ``phrase``, ``shared``, or
  ``tagged`` for any), built from the verdict named by ``verdict``: ``"significant"`` reads the
  result's ``category``, another verdict ``v`` reads ``{v}_category`` (e.g.
  ``selective_category``, which :func:`hftp.tagging.sets.add_categories` adds);
- the ``top_k`` neurons of each layer ranked by a per-neuron score of the result (by default
  ``effect_lower``, the lower confidence bound of the effect size: the neurons whose
  structure-specific effect is surely largest, not those that differ most surely from zero).

The random sets against which a set's effect is judged come from :data:`NULLS`:

``"matched-variance"`` (the default of :func:`ablate`)
    Per layer, as many neurons as the set has, **each of nearly the same activation variance**
    (over the reference tokens of the same stimuli): every neuron of the set is replaced by one
    of its ``n_candidates`` nearest neighbors in log variance within its layer. Large-variance
    neurons move the loss more when they are silenced whatever their role, and the neurons a test
    selects tend to be large-variance ones, so a count-only null confounds selection with
    variance (measured on SmolLM2: 699 high-variance neurons not chosen by tagging, same count
    per layer, gave z = 7.2 against the count-only null, more than the tagged set's 5.9).
    Matching by value, not by quantile bin, matters in the tail: SmolLM2's layer 22 has a neuron
    of variance 66,937 against a 99.9th percentile of 194, and decile bins put it in the random
    sets of any set with a neuron in the top decile (random sets' mean variance 5.6 against the
    set's 0.14 for the top 50 by ``effect_lower``).
``"count"``
    Per layer, as many neurons as the set has, uniform within the layer (hftp 0.2's null).

The modules here are pure numpy; :mod:`hftp.models.ablation` runs the forward passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError, check_int, check_option

__all__ = [
    "CATEGORY_SETS",
    "NULLS",
    "count_matched_sets",
    "layer_array",
    "ablation_sets",
    "variance_matched_sets",
    "variance_neighbors",
]

#: The categories a find_tagged result gives as sets (``tagged``: any category but none).
CATEGORY_SETS = ("sentence", "phrase", "shared", "tagged")

_DEFAULT_CATEGORIES = ("sentence", "phrase", "shared")


# ------------------------------------------------------------------------------ the sets


def _layer_values(da, n_layers: int, fill) -> np.ndarray:
    """The values of a DataArray over ``(layer, neuron)`` in model-layer order, ``fill`` elsewhere."""
    if set(da.dims) != {"layer", "neuron"}:
        raise InvalidValueError(
            f"Invalid value for 'neurons': expected dims ('layer', 'neuron'); got {da.dims}. "
            "Select one model's neurons (a find_tagged result on model spectra)."
        )
    da = da.transpose("layer", "neuron")
    layers = da["layer"].values if "layer" in da.coords else np.arange(da.sizes["layer"])
    values = np.asarray(da.values)
    out = np.full((n_layers, da.sizes["neuron"]), fill, dtype=values.dtype)
    for row, layer in zip(values, layers, strict=True):
        if not 0 <= int(layer) < n_layers:
            raise InvalidValueError(
                f"Invalid value for 'neurons': layer {int(layer)} is not a layer of the model "
                f"(0 to {n_layers - 1}). Use a mask from spectra of this model."
            )
        out[int(layer)] = row
    return out


def layer_array(mask, n_layers: int) -> np.ndarray:
    """A boolean mask over ``(layer, neuron)`` as an array over every layer of the model.

    Parameters
    ----------
    mask : xarray.DataArray of bool, dims (layer, neuron)
        Layer coords are model layer indices (0-based); layers not in it stay False.
    n_layers : int
        The model's layer count.

    Returns
    -------
    ndarray of bool, shape (n_layers, n_neurons)
    """
    return _layer_values(mask, n_layers, False).astype(bool)


def _category_var(neurons, verdict: str) -> str:
    var = "category" if verdict == "significant" else f"{verdict}_category"
    if var not in neurons:
        fix = (
            f"Add it with hftp.tagging.add_categories(tagged, {verdict!r}) (the result needs a "
            f"{verdict!r} variable: find_tagged(..., min_effect=...) gives 'selective')"
            if verdict != "significant"
            else "Pass the Dataset returned by hftp.find_tagged"
        )
        raise InvalidValueError(
            f"Invalid value for 'neurons': verdict={verdict!r} needs a {var!r} variable; the "
            f"result has {sorted(map(str, neurons.data_vars))}. {fix}."
        )
    return var


def _top_k_sets(neurons, n_layers, top_k, rank_by, level) -> dict[str, np.ndarray]:
    """``top{k}`` -> the k neurons of each layer with the highest score (ties by neuron order)."""
    if rank_by not in neurons:
        raise InvalidValueError(
            f"Invalid value for 'rank_by': the result has no {rank_by!r} variable (it has "
            f"{sorted(map(str, neurons.data_vars))}). Tag with find_tagged(..., min_effect=...) "
            "for 'effect_lower', or rank by a variable it has."
        )
    score = neurons[rank_by]
    if "level" in score.dims:
        levels = [str(v) for v in score["level"].values]
        chosen = levels if level is None else [level] if isinstance(level, str) else list(level)
        for lv in chosen:
            check_option("level", lv, levels)
        score = score.sel(level=chosen).max("level", skipna=True)
    score = score.astype(float)
    ks = [top_k] if isinstance(top_k, int | np.integer) else list(top_k)
    if not ks:
        raise InvalidValueError("Invalid value for 'top_k': expected at least one k; got none.")
    ks = [check_int("top_k", k, min_value=1) for k in ks]
    values = _layer_values(score.fillna(-np.inf), n_layers, -np.inf)
    finite = np.isfinite(values)
    order = np.argsort(-values, axis=1, kind="stable")
    out = {}
    for k in dict.fromkeys(ks):
        m = np.zeros_like(finite)
        np.put_along_axis(m, order[:, :k], True, axis=1)
        out[f"top{k}"] = m & finite
    return out


def ablation_sets(
    neurons,
    n_layers: int,
    *,
    categories: str | Sequence[str] | None = None,
    verdict: str = "significant",
    top_k: int | Sequence[int] | None = None,
    rank_by: str = "effect_lower",
    level: str | Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
    """The neuron sets to ablate, as masks over every layer of the model.

    Parameters
    ----------
    neurons : xarray.DataArray or xarray.Dataset
        A boolean mask over ``(layer, neuron)``, or a :func:`hftp.find_tagged` result on model
        spectra (dims ``(layer, neuron, level)``).
    n_layers : int
        The model's layer count.
    categories : str or list of str, optional
        With a result: the categories (``CATEGORY_SETS``) to use, each its own set. Default
        sentence, phrase and shared.
    verdict : str
        With a result: the verdict the categories come from. ``"significant"`` (default) reads
        ``category``; ``"selective"`` reads ``selective_category`` (tagged AND effect above δ).
    top_k : int or list of int, optional
        With a result: instead of categories, one set ``top{k}`` per k holding the k neurons of
        each layer with the highest ``rank_by`` (neurons with a NaN score are never chosen).
    rank_by : str
        The result's variable to rank by with ``top_k``. Default ``"effect_lower"``.
    level : str or list of str, optional
        With ``top_k``: the levels whose score counts (a neuron's score is its maximum over
        them). Default every level of the result.

    Returns
    -------
    dict of str to ndarray of bool, shape (n_layers, n_neurons)
        Set name → mask (names: the categories, ``top{k}``, or the mask's name, else
        ``"selected"``).
    """
    import xarray as xr

    if isinstance(neurons, xr.Dataset):
        if top_k is not None:
            if categories is not None:
                raise InvalidValueError(
                    "Invalid value for 'categories': with top_k= the sets are the top-k neurons "
                    "per layer, not categories. Pass one of categories= and top_k=."
                )
            return _top_k_sets(neurons, n_layers, top_k, rank_by, level)
        if "category" not in neurons and verdict == "significant":
            raise InvalidTypeError(
                "Invalid type for 'neurons': expected a boolean DataArray over (layer, neuron) or "
                "the Dataset returned by hftp.find_tagged (with a 'category' variable); got a "
                "Dataset without 'category'."
            )
        cat = neurons[_category_var(neurons, verdict)]
        cats = _DEFAULT_CATEGORIES if categories is None else categories
        if isinstance(cats, str):
            cats = [cats]
        cats = list(dict.fromkeys(cats))
        if not cats:
            raise InvalidValueError(
                "Invalid value for 'categories': expected at least one category; got none. "
                "Use e.g. categories=['sentence']."
            )
        for c in cats:
            check_option("categories", c, CATEGORY_SETS)
        masks = {c: (cat != "none") if c == "tagged" else (cat == c) for c in cats}
    elif isinstance(neurons, xr.DataArray):
        for name, given in (("categories", categories), ("top_k", top_k)):
            if given is not None:
                raise InvalidValueError(
                    f"Invalid value for {name!r}: it applies only to a find_tagged result; "
                    f"'neurons' is already a mask. Drop {name}=."
                )
        if neurons.dtype != bool:
            raise InvalidTypeError(
                f"Invalid type for 'neurons': expected a boolean mask; got dtype {neurons.dtype}. "
                "Use e.g. tagged['category'] == 'sentence'."
            )
        masks = {str(neurons.name) if neurons.name is not None else "selected": neurons}
    else:
        raise InvalidTypeError(
            "Invalid type for 'neurons': expected a boolean xarray.DataArray over (layer, neuron) "
            f"or a find_tagged result; got {type(neurons).__name__}."
        )
    return {name: layer_array(m, n_layers) for name, m in masks.items()}


# ------------------------------------------------------------------------------ the nulls


def count_matched_sets(mask: np.ndarray, n_random: int, rng, **_ignored) -> np.ndarray:
    """Random sets with the same count per layer as ``mask``, uniform within each layer.

    Parameters
    ----------
    mask : ndarray of bool, shape (n_layers, n_neurons)
        The set.
    n_random : int
        Random sets to draw.
    rng : numpy.random.Generator
        The random source.

    Returns
    -------
    ndarray of bool, shape (n_random, n_layers, n_neurons)
    """
    n_layers, n_neur = mask.shape
    out = np.zeros((n_random, n_layers, n_neur), bool)
    for layer, count in enumerate(mask.sum(axis=1)):
        if count:
            pick = rng.random((n_random, n_neur)).argsort(axis=1)[:, :count]
            np.put_along_axis(out[:, layer], pick, True, axis=1)
    return out


def variance_neighbors(variance: np.ndarray, n_candidates: int) -> np.ndarray:
    """Each neuron's ``n_candidates`` nearest neighbors in log activation variance, per layer.

    Parameters
    ----------
    variance : ndarray, shape (n_neurons,)
        One layer's activation variance per neuron (finite).
    n_candidates : int
        Neighbors per neuron (capped at the layer's other neurons).

    Returns
    -------
    ndarray of int, shape (n_neurons, k)
        Neuron indices, nearest first (the neuron itself excluded); ``k = min(n_candidates,
        n_neurons - 1)``.
    """
    v = np.log(np.maximum(np.asarray(variance, dtype=float), 1e-30))
    n = v.size
    k = min(int(n_candidates), n - 1)
    order = np.argsort(v, kind="stable")
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    # the k nearest in value lie within k places on either side in sorted order
    offs = np.r_[-k:0, 1 : k + 1]
    cand_pos = pos[:, None] + offs[None, :]
    valid = (cand_pos >= 0) & (cand_pos < n)
    cand = order[np.clip(cand_pos, 0, n - 1)]
    dist = np.where(valid, np.abs(v[cand] - v[:, None]), np.inf)
    pick = np.argsort(dist, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(cand, pick, axis=1)


def variance_matched_sets(
    mask: np.ndarray, n_random: int, rng, *, variance: np.ndarray, n_candidates: int = 10
) -> np.ndarray:
    """Random sets with the same count per layer as ``mask``, each neuron matched in variance.

    Every neuron of ``mask`` is replaced, in each random set, by one of its ``n_candidates``
    nearest neighbors in log activation variance within its layer, drawn uniformly among those
    the random set does not already hold (a random set may hold neurons of ``mask`` itself).
    When all of them are taken, the nearest free neuron in variance is used.

    Parameters
    ----------
    mask : ndarray of bool, shape (n_layers, n_neurons)
        The set.
    n_random : int
        Random sets to draw.
    rng : numpy.random.Generator
        The random source.
    variance : ndarray, shape (n_layers, n_neurons)
        Each neuron's activation variance on the stimuli (only the layers ``mask`` touches are
        read; they must be finite there).
    n_candidates : int
        Neighbors each neuron of the set is drawn from. Default 10: close in variance, and
        10 choices per neuron leave the random sets room. Fewer match more closely.

    Returns
    -------
    ndarray of bool, shape (n_random, n_layers, n_neurons)
    """
    n_candidates = check_int("n_candidates", n_candidates, min_value=1)
    n_layers, n_neur = mask.shape
    variance = np.asarray(variance, dtype=float)
    if variance.shape != mask.shape:
        raise InvalidValueError(
            f"Invalid value for 'variance': expected shape {mask.shape} (layer, neuron); got "
            f"{variance.shape}."
        )
    out = np.zeros((n_random, n_layers, n_neur), bool)
    rows = np.arange(n_random)
    for layer in np.flatnonzero(mask.any(axis=1)):
        v = variance[layer]
        if not np.isfinite(v).all():
            raise InvalidValueError(
                f"Invalid value for 'variance': the activation variance of layer {layer} is not "
                "finite for every neuron (an activation overflowed on these stimuli?); the "
                "matched-variance null needs it in every layer of the set. Use null='count', or "
                "a dtype with more range (float32)."
            )
        if mask[layer].sum() >= n_neur:
            out[:, layer] = True  # the whole layer: nothing to draw
            continue
        cand = variance_neighbors(v, n_candidates)
        logv = np.log(np.maximum(v, 1e-30))
        taken = out[:, layer]
        for i in rng.permutation(np.flatnonzero(mask[layer])):
            c = cand[i]
            keys = rng.random((n_random, c.size))
            keys[taken[:, c]] = -1.0
            j = keys.argmax(axis=1)
            got = c[j]
            full = keys[rows, j] < 0  # every candidate already taken in these random sets
            for r in np.flatnonzero(full):
                free = np.flatnonzero(~taken[r])
                got[r] = free[np.argmin(np.abs(logv[free] - logv[i]))]
            taken[rows, got] = True
    return out


#: null name → sampler ``(mask (L, N), n_random, rng, *, variance, n_candidates) -> (n_random, L, N)``
NULLS: dict[str, Callable[..., np.ndarray]] = {
    "matched-variance": variance_matched_sets,
    "count": count_matched_sets,
}
