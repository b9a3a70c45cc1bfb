"""Recording MLP neurons while a model reads a StimulusSet: hooks, batching, pooling, streaming.

One forward pre-hook per recorded layer, on the module whose input is the neuron vector (see
:mod:`hftp.models`), captures that input; nothing is recomputed from weights. The hooks live in a
context manager that removes them even when the forward pass raises. The pass stops right after
the last recorded layer's hook (a private exception), so the rest of the stack and the LM head are
never run.

Batches are right-padded with an attention mask, which is exact for causal models. Tokens are
pooled to units with a sparse pooling matrix per batch (:mod:`hftp.models.pooling`).

:func:`extract_activations` returns raw activations for small inputs; :func:`probe` streams them
into Spectra accumulators so that memory does not grow with the number of sequences.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import json
import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_int,
    check_option,
    check_type,
)
from hftp.models.batching import iter_batches, prefetched, sequences_by_condition
from hftp.models.families import resolve_site
from hftp.models.load import default_add_bos, input_device, model_id
from hftp.models.pooling import (
    POOLINGS,
    TOKENIZATIONS,
    Batch,
    default_tokenization,
    empty_block,
    encode,
    pool,
    sharing_fractions,
    warn_sharing,
)
from hftp.models.spectra import add_pooled

__all__ = [
    "capture",
    "pre_hooks",
    "record_tokens",
    "extract_activations",
    "probe",
    "iter_activations",
]

logger = logging.getLogger("hftp")


class _StopForward(Exception):
    """Raised by the last needed hook to end the forward pass early."""


@contextlib.contextmanager
def capture(
    modules: dict[int, Any], layers: Sequence[int], *, stop: bool = True, transform=None
) -> Iterator[dict]:
    """Hook the input of ``modules[i]`` for each layer in ``layers``.

    Parameters
    ----------
    modules : dict of int to torch.nn.Module
        From :func:`hftp.models.resolve_site`.
    layers : list of int
    stop : bool
        Raise a private exception from the last layer's hook to end the forward pass; run the
        model through :func:`_forward`, which swallows it. Default True.
    transform : callable, optional
        ``transform(i, x)`` is applied to layer ``i``'s captured input inside the hook (e.g.
        token → unit pooling), so that only its result is kept.

    Yields
    ------
    store : dict of int to torch.Tensor
        Filled on each forward pass: layer -> input of the module, shape (B, T, N).
        Every hook is removed on exit, also after an exception.
    """
    store: dict[int, Any] = {}
    last = max(layers)

    def make_hook(i: int):
        def hook(_module, args):
            x = args[0].detach()
            store[i] = x if transform is None else transform(i, x)
            if stop and i == last:
                raise _StopForward

        return hook

    with pre_hooks({i: modules[i] for i in layers}, make_hook):
        yield store


@contextlib.contextmanager
def pre_hooks(modules: dict[int, Any], make_hook) -> Iterator[None]:
    """Register ``make_hook(i)`` as a forward pre-hook on each ``modules[i]``; remove them on exit.

    The hooks are removed when the block ends, also after an exception (tested), so a model is
    never left modified. A hook that returns a tuple replaces the module's positional inputs.
    """
    handles = []
    try:
        for i, mod in modules.items():
            handles.append(mod.register_forward_pre_hook(make_hook(i)))
        yield
    finally:
        for h in handles:
            h.remove()


def _forward(model, batch: Batch, store: dict, use_cache: bool) -> None:
    import torch

    store.clear()
    dev = input_device(model)
    kw = {"input_ids": batch.input_ids.to(dev), "attention_mask": batch.attention_mask.to(dev)}
    if use_cache:
        kw["use_cache"] = False
    with contextlib.suppress(_StopForward), torch.inference_mode():
        model(**kw)
    n_seq, n_tok = batch.input_ids.shape
    for i, t in store.items():  # some models (OPT) flatten (B, T) before the MLP
        if t.ndim == 2:
            store[i] = t.reshape(n_seq, n_tok, t.shape[-1])


def record_tokens(model, input_ids, attention_mask=None, layers=None, site=None) -> dict:
    """Token-level neuron activations for given token ids (no pooling).

    Parameters
    ----------
    model : torch.nn.Module
    input_ids : torch.LongTensor, shape (B, T)
    attention_mask : torch.LongTensor, shape (B, T), optional
    layers : list of int, optional
        Default: all layers.
    site : str, optional
        Module-path pattern; default from the model family.

    Returns
    -------
    dict of int to torch.Tensor, each shape (B, T, N)
    """
    import torch

    _, modules = resolve_site(model, site)
    layers = _check_layers(layers, len(modules))
    if attention_mask is None:
        attention_mask = torch.ones_like(input_ids)
    batch = Batch(input_ids, attention_mask, None, None, None, 0)
    with capture(modules, layers) as store:
        _forward(model, batch, store, _accepts(model, "use_cache"))
        return dict(store)


# ------------------------------------------------------------------------------- validation


def _check_inputs(
    model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization=None
):
    from hftp.stimuli.core import StimulusSet

    check_type("stim", stim, StimulusSet, "a StimulusSet (from hftp.make_stimuli)")
    if len(stim.units) == 0:
        raise InvalidValueError(
            "Invalid value for 'stim': the StimulusSet is empty (no units). Make one with "
            "hftp.make_stimuli(..., n_sequences=N) with N >= 1."
        )
    if not getattr(tokenizer, "is_fast", False):
        raise InvalidTypeError(
            f"Invalid type for 'tokenizer': expected a fast tokenizer (with character offsets); "
            f"got {type(tokenizer).__name__}. Load it with AutoTokenizer.from_pretrained(..., "
            "use_fast=True) or hftp.load_model()."
        )
    check_option("pooling", pooling, POOLINGS)
    if tokenization is not None:
        check_option("tokenization", tokenization, TOKENIZATIONS)
    batch_size = check_int("batch_size", batch_size, min_value=1)
    if add_bos and getattr(tokenizer, "bos_token_id", None) is None:
        raise InvalidValueError(
            "Invalid value for 'add_bos': the tokenizer has no BOS token. Use add_bos=False."
        )
    site_full, modules = resolve_site(model, site)
    layers = _check_layers(layers, len(modules))
    return site_full, modules, layers, batch_size


def _check_layers(layers, n: int) -> list[int]:
    if layers is None:
        return list(range(n))
    if isinstance(layers, int | np.integer):
        layers = [layers]
    check_type("layers", layers, list | tuple | range | np.ndarray, "a list of layer indices")
    out = []
    for i in layers:
        i = check_int("layers", i)
        if not -n <= i < n:
            raise InvalidValueError(
                f"Invalid value for 'layers': the model has {n} layers (0 to {n - 1}); got "
                f"{i}. Pick indices in that range (negative ones count from the end)."
            )
        out.append(i % n)
    if not out:
        raise InvalidValueError(
            "Invalid value for 'layers': expected at least one layer; got none."
        )
    return sorted(set(out))


def _check_length(model, n_tok: int) -> None:
    limit = getattr(getattr(model, "config", None), "max_position_embeddings", None)
    if isinstance(limit, int) and n_tok > limit:
        raise InvalidValueError(
            f"Invalid value for 'stim': a sequence has {n_tok} tokens but the model reads at most "
            f"{limit}. Use shorter sequences (fewer sentences per sequence)."
        )


class _Plan(NamedTuple):
    """Validated extraction inputs: the resolved hook site, its modules, layers and batch size.

    ``add_bos`` and ``tokenization`` are resolved (``None`` → the tokenizer's own BOS setting;
    unit-wise where units are not separated by whitespace). ``sharing`` is filled while the
    batches run: condition → [units sharing a token with another unit, units].
    """

    site: str
    modules: dict
    layers: list[int]
    batch_size: int
    pooling: str
    add_bos: bool
    tokenization: str
    sharing: dict


def _plan(
    model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization=None
) -> _Plan:
    site_full, modules, layers, batch_size = _check_inputs(
        model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization
    )
    if add_bos is None:
        add_bos = default_add_bos(tokenizer)
    if tokenization is None:
        tokenization = default_tokenization(stim.separator)
    return _Plan(site_full, modules, layers, batch_size, pooling, bool(add_bos), tokenization, {})


def iter_activations(
    model,
    tokenizer,
    stim,
    *,
    layers=None,
    batch_size: int = 8,
    pooling: str = "mean",
    site: str | None = None,
    add_bos: bool | None = None,
    tokenization: str | None = None,
):
    """Yield unit-pooled activations batch by batch.

    Parameters are those of :func:`extract_activations`. Close the generator (or exhaust it) to
    remove the hooks; ``contextlib.closing`` does that on errors too.

    Yields
    ------
    condition : str
    seq_ids : list of int
    pooled : torch.Tensor, shape (L, B, U, N), float32
        L = the recorded layers in ascending order.
    """
    plan = _plan(model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization)
    yield from _batches(model, tokenizer, stim, plan)


def _batches(model, tokenizer, stim, plan: _Plan, *, reuse: bool = False):
    """``(condition, seq_ids, pooled (L, B, U, N))`` per batch; see :func:`iter_activations`.

    Each layer's pooled units are written straight into one (L, B, U, N) block (no stacking
    copy). With ``reuse=True`` that block is reused by the next batch, so a consumer must be done
    with ``pooled`` before it asks for the next one (the probe is); memory then stays flat and
    fresh pages are not faulted in batch after batch.
    """

    groups = sequences_by_condition(stim)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    use_cache = _accepts(model, "use_cache")
    device = input_device(model)  # pooling and the FFT run there, whatever device a layer is on
    current: dict[str, Any] = {"block": None}
    layers = plan.layers
    slot = {li: k for k, li in enumerate(layers)}

    def to_units(i, x):
        n_seq, n_units = current["n_seq"], current["n_units"]
        block = current["block"]
        (j, width) = current.setdefault("width", (i, x.shape[-1]))
        if x.shape[-1] != width:  # one block, one Spectra: a neuron axis of one length
            raise InvalidValueError(f"Invalid value for 'layers': layer {j} has {width} neurons "
                f"and layer {i} has {x.shape[-1]}; one probe needs layers of one width. Probe "
                "the layers of each width separately (layers=[...]).")  # fmt: skip
        want = (len(layers), n_seq, n_units, x.shape[-1])
        if block is None or block.shape[1] < n_seq or block.shape[2:] != want[2:]:
            block = empty_block(want, device)
            current["block"] = block
        return pool(x, current["matrix"], n_seq, out=block[slot[i], :n_seq])

    # the next batch is encoded in a worker thread: it gets its own tokenizer, so that a caller
    # using ``tokenizer`` between batches never shares the Rust object with it
    jobs = list(iter_batches(groups, plan.batch_size))
    worker_tok = copy.deepcopy(tokenizer) if len(jobs) > 1 else tokenizer

    def encode_batch(seqs):
        return encode(
            worker_tok,
            seqs,
            separator=stim.separator,
            pooling=plan.pooling,
            add_bos=plan.add_bos,
            pad_id=pad,
            tokenization=plan.tokenization,
        )

    with capture(plan.modules, layers, transform=to_units) as store:
        for cond, seqs, batch in prefetched(jobs, encode_batch):
            counts = plan.sharing.setdefault(cond, [0, 0])
            counts[0] += batch.n_shared
            counts[1] += len(seqs) * batch.n_units
            _check_length(model, batch.input_ids.shape[1])
            current["matrix"] = batch.matrix.to(device)
            current["n_seq"], current["n_units"] = len(seqs), batch.n_units
            if not reuse:
                current["block"] = None
            _forward(model, batch, store, use_cache)
            missing = [i for i in layers if i not in store]
            if missing:  # pragma: no cover - every hook runs before the last one stops the pass
                raise RuntimeError(f"layers {missing} were not reached by the forward pass")
            yield cond, [s for s, _ in seqs], current["block"][:, : len(seqs)]


def _accepts(model, name: str) -> bool:
    try:
        params = inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        return False
    return name in params


# ------------------------------------------------------------------------------- public API


def extract_activations(
    model,
    tokenizer,
    stim,
    *,
    layers=None,
    batch_size: int = 8,
    pooling: str = "mean",
    site: str | None = None,
    add_bos: bool | None = None,
    tokenization: str | None = None,
):
    """Record the unit-pooled MLP neuron activations of a model reading ``stim`` (small inputs).

    Parameters
    ----------
    model, tokenizer
        From :func:`hftp.load_model` (the tokenizer must be a fast one).
    stim : StimulusSet
    layers : int or list of int, optional
        Layers to record (0-based; negative counts from the end). Default: all.
    batch_size : int
        Sequences per forward pass. Default 8.
    pooling : {"mean", "last"}
        A unit's value: the mean over the tokens that overlap it (default) or the last of them.
    site : str, optional
        Module-path pattern with ``{i}`` for the neuron module; default from the model family.
    add_bos : bool, optional
        Prepend the BOS token (kept out of the units). Default: as the tokenizer itself does
        (Gemma and Llama 2/3 add ``<bos>``; GPT-2 and SmolLM2 add nothing).
    tokenization : {"joint", "unitwise"}, optional
        ``"joint"``: the joined text is tokenized at once, so one token may span two units (both
        then get its vector). ``"unitwise"``: each unit is tokenized on its own and the ids
        concatenated, so none does. Default: ``"unitwise"`` where units are not separated by
        whitespace (Chinese), else ``"joint"``.

    Returns
    -------
    activation : xarray.DataArray, dims (sequence, layer, unit, neuron), float32
        Coords ``condition`` (on sequence), ``layer`` (int), ``unit`` (position), ``neuron`` and
        ``token_text`` (sequence x unit). attrs ``unit_rate_hz``, ``site``, ``model``. Conditions
        with fewer units than the longest are padded with NaN (and ``""`` in ``token_text``).
        Also attrs ``add_bos``, ``tokenization`` and ``token_sharing`` (JSON: condition →
        fraction of units that share a token with another unit).
    """
    import xarray as xr

    plan = _plan(model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization)
    layers = plan.layers
    it = _batches(model, tokenizer, stim, plan)
    blocks, ids, conds = [], [], []
    with contextlib.closing(it):  # the hooks go as soon as this ends, also on an exception
        for cond, seq_ids, pooled in it:
            blocks.append(pooled.permute(1, 0, 2, 3).cpu().numpy())
            ids += seq_ids
            conds += [cond] * len(seq_ids)
    texts = {seq: units for seq, _, units in stim.sequences()}
    n_units = max(b.shape[2] for b in blocks)
    data = np.concatenate([_pad_units(b, n_units) for b in blocks])
    token_text = np.array([texts[s] + [""] * (n_units - len(texts[s])) for s in ids], dtype=object)
    return xr.DataArray(
        data,
        dims=("sequence", "layer", "unit", "neuron"),
        coords={
            "sequence": np.asarray(ids),
            "condition": ("sequence", np.asarray(conds, dtype=object)),
            "layer": np.asarray(layers),
            "unit": np.arange(n_units),
            "neuron": np.arange(data.shape[-1]),
            "token_text": (("sequence", "unit"), token_text),
        },
        name="activation",
        attrs={
            "unit_rate_hz": stim.unit_rate_hz,
            "site": plan.site,
            "model": model_id(model)["model"],
            "pooling": pooling,
            "add_bos": int(plan.add_bos),
            "tokenization": plan.tokenization,
            "token_sharing": json.dumps(sharing_fractions(plan.sharing)),
        },
    )


def _pad_units(block: np.ndarray, n_units: int) -> np.ndarray:
    if block.shape[2] == n_units:
        return block
    pad = np.full(block.shape[:2] + (n_units - block.shape[2], block.shape[3]), np.nan, np.float32)
    return np.concatenate([block, pad], axis=2)


def probe(
    model,
    tokenizer,
    stim,
    *,
    layers=None,
    batch_size: int = 8,
    pooling: str = "mean",
    site: str | None = None,
    add_bos: bool | None = None,
    tokenization: str | None = None,
    drop_units: int = 0,
    keep_trials: bool = True,
    save_raw: str | os.PathLike | None = None,
    progress: bool = True,
    split: bool = False,
    lexical_baseline: str | None = None,
    drop_missing: bool = False,
):
    """Stream a model's neuron responses to ``stim`` into Spectra.

    Per batch: record, pool tokens to units, FFT along units (after dropping ``drop_units``
    leading units), add to the accumulators. Peak memory does not grow with the number of
    sequences (except the small per-trial values at the tagged bins when ``keep_trials``).

    Parameters
    ----------
    model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization
        As in :func:`extract_activations`.
    drop_units : int
        Leading units discarded before the FFT (e.g. the first sentence, on the attention sink).
        Default 0.
    keep_trials : bool
        Keep per-trial complex64 coefficients at the tagged bins (``trial_x``). Default True.
    save_raw : path, optional
        Also write the raw pooled activations there (``.nc``, streamed; ``.zarr`` needs zarr).
    progress : bool
        Show a tqdm progress bar. Default True.
    split : bool
        Even and odd sequences of each condition accumulated apart, on a ``split`` dim of size 2
        (``find_tagged`` then reports ``replicated``). Default False.
    lexical_baseline : str, optional
        E.g. ``"random-words"``: probe the residuals after each neuron's mean response to each
        word in that condition (two passes, memory flat; adds ``lexical_var``, see
        :mod:`hftp.tagging.lexical`). Default None.
    drop_missing : bool
        Words absent from the baseline: an error (default) or the baseline's grand mean (True).

    Returns
    -------
    spectra : xarray.Dataset
        Dims ``(condition, layer, neuron, freq)`` (plus ``split`` first when ``split=True``); see
        :mod:`hftp.spectral`. attrs carry
        ``unit_rate_hz``, ``tagged_hz``, ``n_times`` and the provenance (model, revision, site,
        stimulus seed, pooling, add_bos, tokenization, n_layers, hftp version) and
        ``token_sharing`` (JSON: condition → fraction of units sharing a token with another
        unit; a warning is issued when the conditions differ by more than
        :data:`hftp.models.pooling.SHARING_TOLERANCE`).
    """
    from tqdm.auto import tqdm

    from hftp.io import provenance

    plan = _plan(model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization)
    site_full, layers = plan.site, plan.layers
    it = _batches(model, tokenizer, stim, plan, reuse=True)
    with contextlib.closing(it):  # the hooks go as soon as this ends, also on an exception
        drop_units = check_int("drop_units", drop_units, min_value=0)
        n_units = _common_length(stim)
        n_times = n_units - drop_units
        if n_times < 4:
            raise InvalidValueError(
                f"Invalid value for 'drop_units': dropping {drop_units} of {n_units} units leaves "
                f"{n_times}; at least 4 are needed. Use a smaller drop_units."
            )
        prov = provenance(
            **model_id(model),
            site=site_full,
            stimulus_seed=stim.meta.get("seed", ""),
            stimulus_design=str(stim.meta.get("design", "")),
            language=stim.language,
            pooling=pooling,
            add_bos=int(plan.add_bos),
            tokenization=plan.tokenization,
            n_layers=len(plan.modules),
            drop_units=drop_units,
        )
        writer = _raw_writer(save_raw, stim, layers, site_full, model) if save_raw else None
        from hftp.models.lexical import (
            LexicalBaseline,
            add_batch,
            finish_spectra,
            make_accumulators,
        )

        batches = lambda sub: _batches(model, tokenizer, sub, plan, reuse=True)  # noqa: E731
        lex = LexicalBaseline.create(batches, stim, lexical_baseline, drop_missing, prov)
        halves, accs, seen = 2 if split else 1, [None], {}
        bar = tqdm(total=stim.n_sequences, desc="probe", unit="seq", disable=not progress)
        try:
            for cond, seq_ids, pooled in it:  # pooled: (L, B, U, N)
                if writer is not None:
                    writer.write(seq_ids, cond, pooled.permute(1, 0, 3, 2).cpu().numpy())
                if accs[0] is None:
                    accs = make_accumulators(
                        halves, layers, pooled.shape[3], n_times, stim, keep_trials, prov
                    )
                add_batch(accs, lex, seen, cond, seq_ids, pooled, drop_units, add_pooled)
                bar.update(len(seq_ids))
                # nothing of ``pooled`` may outlive this step: the next batch is pooled into the
                # same (L, B, U, N) block (reuse=True), so memory stays flat
            if writer is not None:
                writer.close()
                writer = None
        finally:
            bar.close()
            if writer is not None:
                writer.abort()
        out = finish_spectra(accs, lex)
        fractions = sharing_fractions(plan.sharing)
        out.attrs["token_sharing"] = json.dumps(fractions)
        warn_sharing(fractions, plan.tokenization)
        return out


def _common_length(stim) -> int:
    _, lengths = np.unique(stim.units["sequence"].to_numpy(), return_counts=True)
    if np.unique(lengths).size > 1:
        per = stim.units.groupby("condition")["sequence"].first()
        shown = sorted(set(lengths.tolist()))
        raise InvalidValueError(
            f"Invalid value for 'stim': sequences have different lengths {shown} "
            "(units); one Spectra needs one frequency axis. Probe each condition separately, e.g. "
            f"conditions {list(per.index)}."
        )
    return int(lengths[0])


def _raw_writer(path, stim, layers, site, model):
    from hftp.io import RawWriter

    return RawWriter(path, stim, layers, site=site, model=model_id(model)["model"])
