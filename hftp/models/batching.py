"""The batch driver: a StimulusSet's sequences through a hooked model, pooled to units batch by batch.

:func:`make_plan` validates the inputs once (:func:`check_inputs`, :func:`check_layers`) and
resolves the defaults into an :class:`ExtractionPlan`. :func:`sequences_by_condition` groups the
sequences (one length per condition), :func:`iter_batches` cuts them into batches of one
condition, and :func:`prefetched` encodes batch k + 1 in a worker thread while batch k runs
through the model. :func:`iter_pooled` runs each batch through the model under
:func:`hftp.models.hooks.capture`, pooling every recorded layer's tokens to units inside its hook
(:mod:`hftp.models.pooling`), and yields one (L, B, U, N) block per batch; its consumers are
:func:`hftp.extract_activations` and :func:`hftp.probe`. Batches are right-padded with an
attention mask, which is exact for causal models.

Past 500 lines, the module is one idea: driving batches of a stimulus set through a hooked
model, from the checked plan to the pooled blocks; its checks serve only that drive.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import numpy as np

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_int,
    check_option,
    check_type,
)
from hftp.models.families import resolve_site
from hftp.models.hooks import capture, eval_mode, forward_batch
from hftp.models.load import default_add_bos, input_device
from hftp.models.pooling import (
    POOLINGS,
    TOKENIZATIONS,
    default_tokenization,
    dense_pooling,
    empty_block,
    encode,
    pool,
)

__all__ = [
    "ExtractionPlan",
    "make_plan",
    "check_inputs",
    "check_layers",
    "check_length",
    "accepts_kwarg",
    "sequences_by_condition",
    "iter_batches",
    "prefetched",
    "iter_pooled",
    "iter_spectral",
]


# ------------------------------------------------------------------------------- validation


def check_inputs(
    model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization=None
) -> tuple[str, dict[int, Any], list[int], int]:
    """Validate what every model reader takes (the public boundary of extraction and loss).

    Parameters
    ----------
    model : torch.nn.Module
        A Hugging Face model (:func:`hftp.load_model`).
    tokenizer : transformers.PreTrainedTokenizerFast
        Must be a fast tokenizer (character offsets).
    stim : StimulusSet
        Not empty.
    layers : int or list of int or None
        See :func:`check_layers`.
    batch_size : int
        At least 1.
    pooling : {"mean", "last"}
        A key of :data:`hftp.models.pooling.POOLINGS`.
    site : str or None
        Module-path pattern with ``{i}``; None: from the model family.
    add_bos : bool or None
        True needs a tokenizer with a BOS token.
    tokenization : {"joint", "unitwise"}, optional
        Checked when given.

    Returns
    -------
    site : str
        The full module-path pattern that matched.
    modules : dict of int to torch.nn.Module
        Layer index -> neuron module, every layer of the model.
    layers : list of int
        Sorted, unique, non-negative layer indices.
    batch_size : int
    """
    from hftp.stimuli import StimulusSet

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
    layers = check_layers(layers, len(modules))
    return site_full, modules, layers, batch_size


def check_layers(layers, n: int) -> list[int]:
    """Layer indices, checked against a model of ``n`` layers.

    Parameters
    ----------
    layers : int or list of int or None
        0-based; negative indices count from the end. None: every layer.
    n : int
        Layers of the model.

    Returns
    -------
    layers : list of int
        Sorted, unique, each in ``0 .. n - 1``.
    """
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


def check_length(model, n_tok: int) -> None:
    """Refuse a batch longer than the model's ``max_position_embeddings``.

    Parameters
    ----------
    model : torch.nn.Module
        Its ``config.max_position_embeddings`` (when it has one) is the limit.
    n_tok : int
        Tokens per sequence in the batch (T, padding included).
    """
    limit = getattr(getattr(model, "config", None), "max_position_embeddings", None)
    if isinstance(limit, int) and n_tok > limit:
        raise InvalidValueError(
            f"Invalid value for 'stim': a sequence has {n_tok} tokens but the model reads at most "
            f"{limit}. Use shorter sequences (fewer sentences per sequence)."
        )


def accepts_kwarg(model, name: str) -> bool:
    """Whether ``model.forward`` takes the keyword ``name`` (e.g. ``"use_cache"``).

    Parameters
    ----------
    model : torch.nn.Module
    name : str

    Returns
    -------
    bool
        False also when the signature cannot be read.
    """
    try:
        params = inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        return False
    return name in params


class ExtractionPlan(NamedTuple):
    """Validated extraction inputs: the resolved hook site, its modules, layers and batch size.

    ``add_bos`` and ``tokenization`` are resolved (``None`` → the tokenizer's own BOS setting;
    unit-wise where units are not separated by whitespace). ``sharing`` is filled while the
    batches run: condition → [units sharing a token with another unit, units, units that
    unit-wise tokenization split from a word (:attr:`~hftp.models.pooling.Batch.n_split`)].
    """

    site: str
    modules: dict
    layers: list[int]
    batch_size: int
    pooling: str
    add_bos: bool
    tokenization: str
    sharing: dict


def make_plan(
    model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization=None
) -> ExtractionPlan:
    """Check the inputs of an extraction once and resolve its defaults.

    Parameters
    ----------
    model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization
        As in :func:`hftp.extract_activations` (checked by :func:`check_inputs`).

    Returns
    -------
    plan : ExtractionPlan
        With ``add_bos`` a bool, ``tokenization`` a name and ``sharing`` empty.
    """
    site_full, modules, layers, batch_size = check_inputs(
        model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization
    )
    if add_bos is None:
        add_bos = default_add_bos(tokenizer)
    if tokenization is None:
        tokenization = default_tokenization(stim.separator)
    return ExtractionPlan(
        site_full, modules, layers, batch_size, pooling, bool(add_bos), tokenization, {}
    )


# ------------------------------------------------------------------------------- batches


def sequences_by_condition(stim) -> dict[str, list[tuple[int, list[str]]]]:
    """Group a StimulusSet's sequences by condition; every sequence of a condition has one length.

    Parameters
    ----------
    stim : StimulusSet

    Returns
    -------
    groups : dict of str to list of (int, list of str)
        condition → ``[(sequence id, units), ...]``, in the order of ``stim.sequences()``.
    """
    groups: dict[str, list[tuple[int, list[str]]]] = {}
    for seq, cond, units in stim.sequences():
        groups.setdefault(cond, []).append((seq, units))
    for cond, seqs in groups.items():
        lengths = sorted({len(u) for _, u in seqs})
        if len(lengths) > 1:
            raise InvalidValueError(
                f"Invalid value for 'stim': the sequences of condition {cond!r} have different "
                f"lengths {lengths} (units). Every sequence of a condition must have the same "
                "length so that their spectra share one frequency axis."
            )
    return groups


def iter_batches(groups, batch_size: int) -> Iterator[tuple[str, list]]:
    """Cut grouped sequences into batches of one condition.

    Parameters
    ----------
    groups : dict of str to list
        From :func:`sequences_by_condition`.
    batch_size : int
        Sequences per batch (the last batch of a condition may be smaller).

    Yields
    ------
    condition : str
    seqs : list of (int, list of str)
        At most ``batch_size`` sequences, condition by condition.
    """
    for cond, seqs in groups.items():
        for k in range(0, len(seqs), batch_size):
            yield cond, seqs[k : k + batch_size]


def prefetched(jobs: Iterable[tuple[str, list]], encode_batch: Callable) -> Iterator[tuple]:
    """Encode each batch, the next one ahead in a worker thread.

    Tokenization and the pooling matrix of batch k + 1 are built in one worker thread while batch
    k runs through the model (torch releases the GIL), so they add little to the probe's time.

    Parameters
    ----------
    jobs : iterable of (str, list)
        ``(condition, seqs)`` batches, e.g. from :func:`iter_batches`.
    encode_batch : callable
        ``encode_batch(seqs)`` → the encoded batch.

    Yields
    ------
    condition : str
    seqs : list
    batch : object
        ``encode_batch(seqs)``.
    """
    from concurrent.futures import ThreadPoolExecutor

    jobs = list(jobs)
    if len(jobs) <= 1:  # nothing to overlap with
        for cond, seqs in jobs:
            yield cond, seqs, encode_batch(seqs)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hftp-encode") as executor:
        ahead = executor.submit(encode_batch, jobs[0][1])
        for k, (cond, seqs) in enumerate(jobs):
            batch = ahead.result()
            if k + 1 < len(jobs):
                ahead = executor.submit(encode_batch, jobs[k + 1][1])
            yield cond, seqs, batch


def iter_pooled(
    model, tokenizer, stim, plan: ExtractionPlan, *, reuse: bool = False
) -> Iterator[tuple[str, list[int], Any]]:
    """Run ``stim`` through the hooked model batch by batch, pooled to units inside the hooks.

    Each layer's pooled units are written straight into one (L, B, U, N) block (no stacking
    copy). With ``reuse=True`` that block is reused by the next batch, so a consumer must be done
    with ``pooled`` before it asks for the next one (the probe is); memory then stays flat and
    fresh pages are not faulted in batch after batch. Close the generator (or exhaust it) to
    remove the hooks.

    Parameters
    ----------
    model, tokenizer, stim
        As in :func:`hftp.extract_activations`.
    plan : ExtractionPlan
        From :func:`make_plan`; its ``sharing`` is filled as the batches run.
    reuse : bool
        Pool every batch into the same block. Default False.

    Yields
    ------
    condition : str
    seq_ids : list of int
    pooled : torch.Tensor, shape (L, B, U, N), float32
        On the model's input device; L = the recorded layers in ascending order.
    """
    device = input_device(model)  # pooling and the FFT run there, whatever device a layer is on
    current: dict[str, Any] = {"block": None}
    n_layers = len(plan.layers)

    def before(batch, n_seq: int) -> None:
        if device.type == "cpu":
            current["matrix"] = batch.matrix
        else:  # one dense product per layer, in the activations' dtype
            current["matrix"] = dense_pooling(batch, device)
        current["n_seq"], current["n_units"] = n_seq, batch.n_units
        if not reuse:
            current["block"] = None

    def to_units(k: int, x):
        n_seq, n_units = current["n_seq"], current["n_units"]
        block = current["block"]
        want = (n_layers, n_seq, n_units, x.shape[-1])
        if block is None or block.shape[1] < n_seq or block.shape[2:] != want[2:]:
            block = empty_block(want, device)
            current["block"] = block
        return pool(x, current["matrix"], n_seq, out=block[k, :n_seq])

    for cond, seqs, _ in _drive(model, tokenizer, stim, plan, to_units, before):
        yield cond, [s for s, _ in seqs], current["block"][:, : len(seqs)]


def iter_spectral(
    model, tokenizer, stim, plan: ExtractionPlan, *, drop: int = 0
) -> Iterator[tuple[str, list[int], Any, Any]]:
    """Run ``stim`` through the hooked model batch by batch, to Fourier coefficients in the hooks.

    Pooling tokens to units and the DFT along units are one linear map of a sequence's tokens
    (:func:`hftp.models.fft.spectral_matrix`), so each hook turns its layer's token activations
    into the coefficients of the units at once (one batched matrix product in the model's dtype,
    float32 results; no pooled block, no float32 copy of the activations) and writes them into
    one reused (L, B, N, W) block. The probe's path on an accelerator: nothing here waits for the
    device or copies to the host (inputs go up from pinned memory without blocking).

    Parameters
    ----------
    model, tokenizer, stim
        As in :func:`hftp.extract_activations`.
    plan : ExtractionPlan
        From :func:`make_plan`; its ``sharing`` is filled as the batches run.
    drop : int
        Leading units left out of the DFT. Default 0.

    Yields
    ------
    condition : str
    seq_ids : list of int
    block : torch.Tensor, shape (L, batch_size, N, W), float32
        The same block every batch (consume it before asking for the next): rows ``:B`` hold
        the batch's coefficients (:func:`hftp.models.fft.spectral_product`), later rows stale
        values. On the model's input device.
    matrix : hftp.models.fft.SpectralMatrix
        The batch's matrix (its DC leak and token counts, for the summary).
    """
    import torch

    from hftp.models.fft import block_width, spectral_matrix, spectral_product

    device = input_device(model)
    current: dict[str, Any] = {"block": None}
    n_layers = len(plan.layers)

    def before(batch, n_seq: int) -> None:
        current["matrix"] = spectral_matrix(batch, drop, device)
        current["n_seq"] = n_seq

    def to_spectra(k: int, x):
        matrix, n_seq = current["matrix"], current["n_seq"]
        block = current["block"]
        want = (n_layers, plan.batch_size, x.shape[-1], block_width(matrix.n_freq))
        if block is None or tuple(block.shape) != want:
            block = torch.empty(want, dtype=torch.float32, device=device)
            current["block"] = block
        x = x.to(device, non_blocking=True)
        return spectral_product(x, matrix, out=block[k, :n_seq])

    for cond, seqs, _ in _drive(model, tokenizer, stim, plan, to_spectra, before):
        yield cond, [s for s, _ in seqs], current["block"], current["matrix"]


#: the tensors of a Batch that go to the device every batch (pinned in the encoding thread)
_PINNED = ("input_ids", "attention_mask", "rows", "cols", "weights")


def _drive(model, tokenizer, stim, plan: ExtractionPlan, transform, before):
    """The batch loop shared by :func:`iter_pooled` and :func:`iter_spectral`.

    Yields ``(condition, seqs, batch)`` after each forward pass. ``before(batch, n_seq)`` runs
    before it; ``transform(k, x)`` in the hook of the k-th recorded layer, with ``x`` of shape
    (B, T, N) (models that flatten it, as OPT, are reshaped back here). On CUDA the encoding
    thread pins the batch's tensors, so that they go to the device without blocking.
    """
    groups = sequences_by_condition(stim)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    use_cache = accepts_kwarg(model, "use_cache")
    layers = plan.layers
    slot = {li: k for k, li in enumerate(layers)}
    current: dict[str, Any] = {}
    pin = input_device(model).type == "cuda"

    def hook(i, x):
        (j, width) = current.setdefault("width", (i, x.shape[-1]))
        if x.shape[-1] != width:  # one block, one Spectra: a neuron axis of one length
            raise InvalidValueError(
                f"Invalid value for 'layers': layer {j} has {width} neurons and layer {i} has "
                f"{x.shape[-1]}; one probe needs layers of one width. Probe the layers of each "
                "width separately (layers=[...])."
            )
        if x.ndim == 2:  # (B * T, N): some models (OPT) flatten the batch before the MLP
            x = x.view(*current["shape"], x.shape[-1])
        return transform(slot[i], x)

    # the next batch is encoded in a worker thread: it gets its own tokenizer, so that a caller
    # using ``tokenizer`` between batches never shares the Rust object with it
    jobs = list(iter_batches(groups, plan.batch_size))
    worker_tok = copy.deepcopy(tokenizer) if len(jobs) > 1 else tokenizer

    def encode_batch(seqs):
        batch = encode(
            worker_tok,
            seqs,
            separator=stim.separator,
            pooling=plan.pooling,
            add_bos=plan.add_bos,
            pad_id=pad,
            tokenization=plan.tokenization,
        )
        if pin:
            try:
                for name in _PINNED:
                    setattr(batch, name, getattr(batch, name).pin_memory())
            except RuntimeError:  # no pinned memory to be had: plain copies then (they block)
                pass
        return batch

    with eval_mode(model), capture(plan.modules, layers, transform=hook) as store:
        for cond, seqs, batch in prefetched(jobs, encode_batch):
            counts = plan.sharing.setdefault(cond, [0, 0, 0])
            counts[0] += batch.n_shared
            counts[1] += len(seqs) * batch.n_units
            counts[2] += batch.n_split
            check_length(model, batch.input_ids.shape[1])
            current["shape"] = tuple(batch.input_ids.shape)
            before(batch, len(seqs))
            forward_batch(model, batch, store, use_cache=use_cache)
            missing = [i for i in layers if i not in store]
            if missing:  # pragma: no cover - every hook runs before the last one stops the pass
                raise RuntimeError(f"layers {missing} were not reached by the forward pass")
            yield cond, seqs, batch
