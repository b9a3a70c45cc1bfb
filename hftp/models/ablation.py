"""Causal ablation: does the model need its tagged neurons?

:func:`ablate` silences neuron sets while the model reads a StimulusSet and measures the change in
next-unit loss, against random sets. A forward pre-hook on each layer's neuron module (the MLP
down-projection; registered by :mod:`hftp.models.hooks`) replaces the selected inputs at every
token with their mean over a reference condition (``method="mean"``: the neuron keeps its average
contribution but stops following the stimulus) or zero; the hooks go on exit, also after an error.
The loss is the next-unit cross-entropy of :mod:`hftp.models.loss`. The key contrast is the change
on the structured condition minus the mean change on the controls, reported beside each
condition's own change (a contrast can come from the controls' loss moving, not the sentences').

The sets and their nulls are built by :mod:`hftp.models.neuron_sets`: categories of a tagging
result (from ``significant`` or ``selective``), the top k per layer by ``effect_lower``, or a
mask; the default null draws random sets with the same count per layer **and matched activation
variance** (variance measured on the reference tokens of the same stimuli, during the intact
pass).

One intact pass per model is reused for every set; the ablated passes replicate each batch for
several sets at once (one hook call serves them all), sized to a memory budget for the logits.

Over 500 lines, this module is one idea: the causal ablation test, from the neuron sets and their
random nulls through the hooked forward passes to the result's statistics and table; no part of
it is used on its own.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_int,
    check_option,
    check_type,
)
from hftp.models.batching import check_inputs, check_layers, sequences_by_condition
from hftp.models.hooks import pre_hooks
from hftp.models.load import model_id
from hftp.models.loss import Scorer
from hftp.models.neuron_sets import NULLS, ablation_sets
from hftp.models.wrappers import unwrap_model, wrapper_name

__all__ = ["ablate", "ablation_table", "METHODS"]

logger = logging.getLogger("hftp")

#: ablation method -> the value a silenced neuron gets, from its reference mean (N,)
METHODS = {"mean": lambda ref: ref, "zero": lambda ref: ref * 0.0}

_LOGIT_BUDGET = 256 * 2**20  # bytes of float32 logits per forward pass


# ------------------------------------------------------------------------------ forward passes


@contextlib.contextmanager
def _reference_means(modules, layers, n_neur: dict) -> Any:
    """Hooks summing each layer's neuron inputs over the valid tokens of reference batches.

    Yields ``(state, sums, squares)``: set ``state["use"]`` and ``state["mask"]`` (the batch's
    attention mask) before each pass; ``sums[layer]`` and ``squares[layer]`` are the float64 sums
    of the inputs and of their squares over the reference tokens (the squares give each neuron's
    activation variance, which the matched-variance null needs).
    """
    sums: dict[int, Any] = {}
    squares: dict[int, Any] = {}
    state: dict[str, Any] = {"use": False, "mask": None, "n": 0}

    def make_hook(i):
        def hook(_module, args):
            x = args[0]
            n_neur[i] = x.shape[-1]
            if state["use"]:
                w = state["mask"].reshape(-1, 1).double()
                xd = x.reshape(-1, x.shape[-1]).double() * w
                s, s2 = xd.sum(0), (xd * xd).sum(0)
                sums[i] = s if i not in sums else sums[i] + s
                squares[i] = s2 if i not in squares else squares[i] + s2
            return None

        return hook

    with pre_hooks({i: modules[i] for i in layers}, make_hook):
        yield state, sums, squares


def _ablation_hooks(modules, masks, values):
    """Context: per layer, replace the inputs of ``masks[layer]`` (K, N) by ``values[layer]``.

    The batch is ``K`` stacked copies; copy ``k`` gets mask ``k``.
    """
    import torch

    def make_hook(i):
        m = masks[i]
        v = values[i]

        def hook(_module, args):
            x = args[0]
            xv = x.reshape(m.shape[0], -1, x.shape[-1])
            out = torch.where(m[:, None, :], v.to(x.dtype), xv)
            return (out.reshape(x.shape), *args[1:])

        return hook

    return pre_hooks({i: modules[i] for i in masks}, make_hook)


# ------------------------------------------------------------------------------ public API


def ablate(
    model,
    tokenizer,
    stim,
    neurons,
    *,
    categories: str | Sequence[str] | None = None,
    verdict: str = "significant",
    top_k: int | Sequence[int] | None = None,
    rank_by: str = "effect_lower",
    level: str | Sequence[str] | None = None,
    layers=None,
    method: str = "mean",
    reference: str | Sequence[str] | None = None,
    structured: str = "sentences",
    controls: str | Sequence[str] | None = None,
    n_random: int = 100,
    null: str = "matched-variance",
    n_candidates: int = 10,
    seed: int = 0,
    batch_size: int = 8,
    sets_per_pass: int | None = None,
    pooling: str = "mean",
    site: str | None = None,
    add_bos: bool = False,
    drop_units: int = 0,
    progress: bool = True,
):
    """Ablate neurons and measure the change in next-unit loss against random neuron sets.

    Parameters
    ----------
    model : torch.nn.Module, or list or dict of them
        A causal LM from :func:`hftp.load_model`. Several checkpoints of one architecture
        (sharing ``tokenizer``) as a list or a dict name → model give a ``model`` dim.
    tokenizer
        Its fast tokenizer.
    stim : StimulusSet
        Must contain ``structured``; the other conditions are the controls by default.
    neurons : xarray.DataArray or xarray.Dataset
        A boolean mask over ``(layer, neuron)`` (layer coords are model layer indices; layers not
        in it are not touched), or a :func:`hftp.find_tagged` result on model spectra.
    categories : str or list of str, optional
        With a find_tagged result: the categories to ablate, each as its own set (``"sentence"``,
        ``"phrase"``, ``"shared"``, or ``"tagged"`` for any of them). Default the first three.
    verdict : str
        With a find_tagged result: the verdict the categories come from. ``"significant"``
        (default; the result's ``category``) or ``"selective"`` (``selective_category``: tagged
        AND effect above δ, see :func:`hftp.tagging.sets.add_categories`). With
        ``layers=``, ``verdict="selective"`` and ``categories="tagged"`` ablate every selective
        neuron of those layers.
    top_k : int or list of int, optional
        With a find_tagged result: instead of categories, one set ``top{k}`` per k holding the k
        neurons of each layer (of ``layers``) ranked highest by ``rank_by``.
    rank_by : str
        The variable ``top_k`` ranks by. Default ``"effect_lower"``: the lower confidence bound of
        the effect size (the neurons whose effect is surely largest).
    level : str or list of str, optional
        With ``top_k``: the levels whose score counts (the maximum over them). Default all.
    layers : int or list of int, optional
        Ablate only within these layers (0-based; negative counts from the end). Default: every
        layer the sets touch.
    method : {"mean", "zero"}
        The value a silenced neuron gets: its mean over ``reference`` (default), or zero.
    reference : str or list of str, optional
        Conditions whose tokens define the mean. Default: every condition of ``stim``.
    structured : str
        The structured condition of the contrast. Default ``"sentences"``.
    controls : str or list of str, optional
        The control conditions of the contrast. Default: every other condition.
    n_random : int
        Random neuron sets in the null (0 for none). Default 100; a z or p from fewer than 100
        is rough.
    null : {"matched-variance", "count"}
        How the random sets are drawn (:data:`hftp.models.neuron_sets.NULLS`):
        ``"matched-variance"`` (default): per layer the same count, each neuron of the set
        replaced by one of its ``n_candidates`` nearest neighbors in log activation variance
        (measured on the ``reference`` tokens); ``"count"``: the same count per layer, uniform
        (hftp 0.2).
    n_candidates : int
        Neighbors in variance each neuron of the set is drawn from, in the matched-variance
        null. Default 10.
    seed : int
        Seed of the random sets. Default 0.
    batch_size : int
        Sequences per forward pass. Default 8.
    sets_per_pass : int, optional
        Neuron sets run together in one pass (the batch is replicated). Default: as many as keep
        the logits of a pass under 256 MiB.
    pooling, site, add_bos
        As in :func:`hftp.extract_activations`.
    drop_units : int
        Leading units of each sequence left out of the loss. Default 0.
    progress : bool
        Show a tqdm progress bar. Default True.

    Returns
    -------
    result : xarray.Dataset
        Dims ``set`` (the neuron sets), ``condition``, ``random`` (null draws), ``layer``, and
        ``model`` when several models are given. Variables (losses in nats per token, averaged
        per unit then over units):

        - ``intact`` (condition), ``ablated``, ``change`` = ablated - intact (set, condition);
        - ``null_change`` (set, random, condition) and its ``null_mean``, ``null_sd``; ``z`` and
          the one-sided ``p`` of the observed change (set, condition);
        - ``contrast`` (set): change on ``structured`` minus the mean change on ``controls``, with
          ``null_contrast`` (set, random), ``contrast_null_mean``, ``contrast_null_sd``,
          ``contrast_z``, ``contrast_p``;
        - ``n_neurons`` (set, layer); ``n_units`` (condition): units scored;
        - ``set_variance`` (set): the set's mean activation variance; ``null_variance`` (set):
          the random sets' mean of it (close to ``set_variance`` under the matched null);
          ``null_overlap`` (set): the mean share of the set's neurons that a random set holds
          (near 1, the null cannot differ from the set: use more ``n_candidates``).

        attrs: method, reference, structured, controls, n_random, null, n_candidates, verdict,
        seed,
        pooling, site, model (and top_k, rank_by with ``top_k``).

    Raises
    ------
    InvalidValueError
        A set with no neuron (a mask without a True, a category or layers with nothing in
        them), with a message naming the fix.
    """
    import xarray as xr

    models = _check_models(model)
    tokenizer = unwrap_model(next(iter(models.values())), tokenizer)[1]  # a tool's tokenizer
    models = {k: unwrap_model(m)[0] for k, m in models.items()}  # TransformerLens, nnsight
    check_option("method", method, METHODS)
    n_random = check_int("n_random", n_random, min_value=0)
    check_option("null", null, NULLS)
    n_candidates = check_int("n_candidates", n_candidates, min_value=1)
    seed = check_int("seed", seed, min_value=0)
    drop_units = check_int("drop_units", drop_units, min_value=0)
    first = next(iter(models.values()))
    site_full, modules, _, batch_size = check_inputs(
        first, tokenizer, stim, None, batch_size, pooling, site, add_bos
    )
    if sets_per_pass is not None:
        sets_per_pass = check_int("sets_per_pass", sets_per_pass, min_value=1)
    conds = list(sequences_by_condition(stim))
    structured = _check_conditions("structured", structured, conds)[0]
    controls = (
        [c for c in conds if c != structured]
        if controls is None
        else _check_conditions("controls", controls, conds)
    )
    if structured in controls:
        raise InvalidValueError(
            f"Invalid value for 'controls': it contains the structured condition {structured!r}. "
            "Pass the control conditions only."
        )
    reference = conds if reference is None else _check_conditions("reference", reference, conds)
    sets = ablation_sets(
        neurons,
        len(modules),
        categories=categories,
        verdict=verdict,
        top_k=top_k,
        rank_by=rank_by,
        level=level,
    )
    if layers is not None:
        keep = np.isin(np.arange(len(modules)), check_layers(layers, len(modules)))
        sets = {k: m & keep[:, None] for k, m in sets.items()}  # top k: ranked per layer
    sets = _drop_empty_sets(
        sets,
        explicit=categories is not None or top_k is not None or not hasattr(neurons, "data_vars"),
    )
    draw = _null_sampler(null, n_random, n_candidates, seed)

    results = []
    for name, net in models.items():
        _, mods = check_inputs(net, tokenizer, stim, None, batch_size, pooling, site, add_bos)[:2]
        if len(mods) != len(modules):
            raise InvalidValueError(
                f"Invalid value for 'model': model {name!r} has {len(mods)} layers, the first has "
                f"{len(modules)}. Compare checkpoints of one architecture."
            )
        scorer = Scorer(net, tokenizer, stim, pooling, add_bos, batch_size, drop_units)
        results.append(
            _ablate_one(scorer, mods, sets, draw, method, reference, sets_per_pass, progress)
        )
    ds = _to_dataset(results, sets, scorer.conditions, structured, controls)
    if len(models) > 1:
        ds = xr.concat(ds, dim="model", data_vars="all", coords="minimal", join="exact")
        ds = ds.assign_coords(model=list(models))
        ds["n_neurons"] = ds["n_neurons"].isel(model=0, drop=True)
    else:
        ds = ds[0]
    ds.attrs = {
        **dict(method=method, structured=structured, n_random=n_random, seed=seed),
        **dict(null=null, n_candidates=n_candidates, verdict=verdict),
        **(
            {"top_k": ",".join(map(str, np.atleast_1d(top_k))), "rank_by": rank_by}
            if top_k is not None
            else {}
        ),
        **dict(pooling=pooling, site=site_full, reference=",".join(reference)),
        "controls": ",".join(controls),
        "model": ",".join(model_id(m)["model"] for m in models.values()),
        "loss": "next-token cross-entropy (nats), averaged per unit, then over units",
        "p": "one-sided: share of random sets with a change (contrast) at least the observed one",
    }
    _warn_tight_null(ds)
    return ds


def _null_sampler(null: str, n_random: int, n_candidates: int, seed: int):
    """``draw(sets, variance) -> {name: (n_random, L, N)}``: the random sets of one model.

    Every model starts from the same seed, so the count-only null is the same for each.
    """

    def draw(sets: dict[str, np.ndarray], variance: np.ndarray) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        return {
            name: NULLS[null](m, n_random, rng, variance=variance, n_candidates=n_candidates)
            for name, m in sets.items()
        }

    return draw


def _warn_tight_null(ds) -> None:
    """Warn when the random sets hold most of the set itself (they cannot differ from it)."""
    ov = ds["null_overlap"]
    if "model" in ov.dims:
        ov = ov.max("model")
    worst = [str(s) for s, v in zip(ds["set"].values, ov.values, strict=True) if v > 0.5]
    if worst:
        warnings.warn(
            f"ablate: the random sets of {worst} hold on average more than half of the set's own "
            "neurons (the set holds most neurons of its variance range), so the null can hardly "
            "differ from the set. Use more n_candidates= (or null='count') and report it.",
            UserWarning,
            stacklevel=3,
        )


def _drop_empty_sets(sets: dict[str, np.ndarray], *, explicit: bool) -> dict[str, np.ndarray]:
    """Refuse neuron sets with no neuron (asked for by name or as a mask); drop, with a warning,
    the empty ones among the default categories."""
    empty = [name for name, m in sets.items() if not m.any()]
    if not empty:
        return sets
    kept = {name: m for name, m in sets.items() if m.any()}
    if explicit or not kept:
        raise InvalidValueError(
            f"Invalid value for 'neurons': the neuron set(s) {empty} hold no neuron (in the "
            "layers asked for), so ablating them changes nothing and their z-scores are "
            "undefined. Pass a mask with at least one True, or choose other categories "
            "(categories=, --category on the command line) or other layers."
        )
    warnings.warn(
        f"Skipping the empty neuron set(s) {empty}: no neuron falls in them; ablating "
        f"{sorted(kept)} only.",
        UserWarning,
        stacklevel=3,
    )
    return kept


def _check_models(model) -> dict[str, Any]:
    if isinstance(model, Mapping):
        models = {str(k): v for k, v in model.items()}
    elif isinstance(model, list | tuple):
        models = {f"model{i}": m for i, m in enumerate(model)}
    else:
        models = {"model": model}
    if not models:
        raise InvalidValueError("Invalid value for 'model': expected at least one model; got none.")
    for k, m in models.items():
        if wrapper_name(m) is None and (not hasattr(m, "named_modules") or not callable(m)):
            raise InvalidTypeError(
                f"Invalid type for 'model' ({k!r}): expected a torch model (from hftp.load_model); "
                f"got {type(m).__name__}."
            )
    return models


def _check_conditions(name: str, value, conds: list[str]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    check_type(name, value, list | tuple, "a condition name or a list of them")
    if not value:
        raise InvalidValueError(f"Invalid value for {name!r}: expected at least one condition.")
    for v in value:
        check_option(name, v, conds, fix="Choose conditions of the stimulus set.")
    return list(dict.fromkeys(value))


def _ablate_one(scorer, modules, sets, draw, method, reference, sets_per_pass, progress):
    """Intact and ablated mean losses for one model, its random sets and neuron variances."""
    import torch
    from tqdm.auto import tqdm

    touched = sorted({int(i) for m in sets.values() for i in np.flatnonzero(m.any(axis=1))})
    ref_idx = {scorer.conditions.index(c) for c in reference}
    n_neur: dict[int, int] = {}
    with _reference_means(modules, touched, n_neur) as (state, sums, squares):

        def on_batch(ci, batch):
            state["use"] = ci in ref_idx
            state["mask"] = batch.attention_mask.to(next(scorer.model.parameters()).device)
            state["n"] += int(batch.attention_mask.sum()) if state["use"] else 0

        intact_sum, count = scorer.accumulate(1, on_batch)
    for i in touched:
        n = sets[next(iter(sets))].shape[1]
        if n_neur.get(i, n) != n:
            raise InvalidValueError(
                f"Invalid value for 'neurons': it has {n} neurons per layer but layer {i} of the "
                f"model has {n_neur[i]}. Use a mask from spectra of this model."
            )
    dev = next(scorer.model.parameters()).device
    n_tok = max(state["n"], 1)
    values = {i: METHODS[method]((sums[i] / n_tok).float().to(dev)) for i in touched}
    variance = np.full(next(iter(sets.values())).shape, np.nan)
    for i in touched:
        mean = (sums[i] / n_tok).cpu().numpy()
        variance[i] = np.maximum((squares[i] / n_tok).cpu().numpy() - mean**2, 0.0)
    nulls = draw(sets, variance)
    if sets_per_pass is None:
        worst = max(b.input_ids.numel() for _, b in scorer.batches)
        vocab = int(scorer.model.get_output_embeddings().weight.shape[0])
        sets_per_pass = max(1, _LOGIT_BUDGET // (worst * vocab * 4))
    jobs = [(name, m) for name, m in sets.items()]
    out = {}
    total = sum(math.ceil((1 + len(nulls[n])) / sets_per_pass) for n, _ in jobs)
    bar = tqdm(total=total * len(scorer.batches), desc="ablate", unit="pass", disable=not progress)
    try:
        for name, mask in jobs:
            stack = np.concatenate([mask[None], nulls[name]])  # (1 + n_random, L, N)
            sums_k = np.zeros((len(stack), len(scorer.conditions)))
            for k0 in range(0, len(stack), sets_per_pass):
                chunk = stack[k0 : k0 + sets_per_pass]
                if not chunk.any():  # nothing ablated: exactly the intact loss, no pass needed
                    sums_k[k0 : k0 + len(chunk)] = intact_sum[0]
                    bar.update(len(scorer.batches))
                    continue
                layer_masks = {
                    i: torch.from_numpy(chunk[:, i]).to(dev) for i in touched if chunk[:, i].any()
                }
                with _ablation_hooks(modules, layer_masks, values):
                    sums_k[k0 : k0 + len(chunk)] = scorer.accumulate(
                        len(chunk), lambda *_: bar.update(1)
                    )[0]
            out[name] = sums_k / count
    finally:
        bar.close()
    return intact_sum[0] / count, out, count, _variance_stats(sets, nulls, variance)


def _variance_stats(sets, nulls, variance) -> dict[str, np.ndarray]:
    """Per set: its mean activation variance, the random sets' mean of it, and their overlap."""
    names = list(sets)
    out = {
        k: np.full(len(names), np.nan) for k in ("set_variance", "null_variance", "null_overlap")
    }
    for j, name in enumerate(names):
        m, rnd = sets[name], nulls[name]
        out["set_variance"][j] = np.nanmean(variance[m])
        if len(rnd):
            per_set = [np.nanmean(variance[r]) for r in rnd]
            out["null_variance"][j] = float(np.mean(per_set))
            out["null_overlap"][j] = float((rnd & m).sum(axis=(1, 2)).mean() / m.sum())
    return out


def _to_dataset(results, sets, conditions, structured, controls):
    import xarray as xr

    names = list(sets)
    si, ci = conditions.index(structured), [conditions.index(c) for c in controls]
    n_layers = next(iter(sets.values())).shape[0]
    out = []
    for intact, losses, count, var_stats in results:
        abl = np.stack([losses[n][0] for n in names])  # (S, C)
        null = np.stack([losses[n][1:] for n in names])  # (S, R, C)
        change = abl - intact
        null_change = null - intact
        cont = _contrast(change, si, ci)
        null_cont = _contrast(null_change, si, ci)
        data = {
            "intact": (("condition",), intact),
            "ablated": (("set", "condition"), abl),
            "change": (("set", "condition"), change),
            "null_change": (("set", "random", "condition"), null_change),
            "contrast": (("set",), cont),
            "null_contrast": (("set", "random"), null_cont),
            "n_neurons": (("set", "layer"), np.stack([sets[n].sum(axis=1) for n in names])),
            "n_units": (("condition",), count.astype(np.int64)),
            **{k: (("set",), v) for k, v in var_stats.items()},
        }
        for prefix, obs, nul in (("", change, null_change), ("contrast_", cont, null_cont)):
            mean, sd, z, p = _null_stats(obs, nul)
            dims = ("set", "condition") if obs.ndim == 2 else ("set",)
            data[f"{prefix}null_mean"] = (dims, mean)
            data[f"{prefix}null_sd"] = (dims, sd)
            data[f"{prefix}z"] = (dims, z)
            data[f"{prefix}p"] = (dims, p)
        out.append(
            xr.Dataset(
                data,
                coords={
                    "set": names,
                    "condition": conditions,
                    "random": np.arange(null.shape[1]),
                    "layer": np.arange(n_layers),
                },
            )
        )
    return out


def _contrast(change: np.ndarray, si: int, ci: list[int]) -> np.ndarray:
    if not ci:
        return np.full(change.shape[:-1], np.nan)
    return change[..., si] - change[..., ci].mean(axis=-1)


def _null_stats(obs: np.ndarray, null: np.ndarray):
    """Null mean, SD, z and one-sided p per set; ``null`` has the random draws on axis 1."""
    n = null.shape[1]
    if n == 0:
        nan = np.full(obs.shape, np.nan)
        return nan, nan, nan, nan
    mean = null.mean(axis=1)
    sd = null.std(axis=1, ddof=1) if n > 1 else np.full(obs.shape, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(sd > 0, (obs - mean) / sd, np.nan)
    # a tolerance so that draws equal to the observed change (e.g. all zero) count as >=
    tol = 1e-9 * np.maximum(1.0, np.abs(obs))
    p = (1 + (null >= np.expand_dims(obs - tol, 1)).sum(axis=1)) / (1 + n)
    return mean, sd, z, p


def ablation_table(result):
    """One row per (model,) set: the contrast with its null, and each condition's own change.

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`ablate`.

    Returns
    -------
    table : pandas.DataFrame
        One row per ``[model,] set``. Columns ``[model,] set, n_neurons, intact, change,
        null_mean, null_sd, z, p`` (on the structured condition), ``contrast,
        contrast_null_mean, contrast_null_sd, contrast_z, contrast_p`` (structured minus the
        mean of the controls), then for every condition ``c`` its own ``change_<c>``,
        ``null_mean_<c>``, ``z_<c>`` and ``p_<c>`` (a contrast can come from the controls' loss
        moving rather than the structured condition's), and, from hftp 0.3 on, ``set_variance``,
        ``null_variance``, ``null_overlap``. ``set`` holds the category names for a find_tagged
        input, so the table merges with :func:`hftp.overlap` on ``category`` after a rename.
        ``df.attrs`` holds the result's ``null`` and ``n_random``.
    """
    import xarray as xr

    if not isinstance(result, xr.Dataset) or "null_contrast" not in result:
        raise InvalidTypeError(
            "Invalid type for 'result': expected the Dataset returned by hftp.models.ablate; "
            f"got {type(result).__name__}."
        )
    s = result.attrs.get("structured", "sentences")
    cols = ["intact", "change", "null_mean", "null_sd", "z", "p"]
    ds = result[cols].sel(condition=s, drop=True)
    contrast = ["contrast", "contrast_null_mean", "contrast_null_sd", "contrast_z", "contrast_p"]
    for c in contrast:
        ds[c] = result[c]
    per_condition = []
    for cond in result["condition"].values:
        for v in ("change", "null_mean", "z", "p"):
            name = f"{v}_{cond}"
            ds[name] = result[v].sel(condition=cond, drop=True)
            per_condition.append(name)
    extra = [v for v in ("set_variance", "null_variance", "null_overlap") if v in result]
    for v in extra:
        ds[v] = result[v]
    ds["n_neurons"] = result["n_neurons"].sum("layer")
    df = ds.to_dataframe().reset_index()
    front = [c for c in ("model", "set") if c in df.columns]
    df = df[front + ["n_neurons", *cols, *contrast, *per_condition, *extra]]
    df.attrs = {k: result.attrs[k] for k in ("null", "n_random") if k in result.attrs}
    return df
