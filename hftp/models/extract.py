"""Recording MLP neurons while a model reads a StimulusSet: raw activations in memory.

:func:`extract_activations` returns the unit-pooled activations of small inputs as one DataArray;
:func:`iter_activations` yields them batch by batch; :func:`record_tokens` returns token-level
activations for given token ids (no pooling). The hooks are those of :mod:`hftp.models.hooks`
and the batches those of :mod:`hftp.models.batching`; :func:`hftp.probe`
(:mod:`hftp.models.probing`) streams the same batches into Spectra instead.
"""

from __future__ import annotations

import contextlib
import json

import numpy as np

from hftp._deprecate import module_getattr
from hftp.models.batching import (
    accepts_kwarg,
    check_layers,
    iter_pooled,
    make_plan,
)
from hftp.models.families import resolve_site
from hftp.models.hooks import capture, eval_mode, forward_batch
from hftp.models.load import model_id
from hftp.models.pooling import Batch, sharing_fractions, splitting_fractions
from hftp.models.wrappers import unwrap_model

__all__ = ["extract_activations", "iter_activations", "record_tokens"]

# moved in 0.3: pre_hooks to hftp.models.hooks, the probe to hftp.models.probing (``capture``,
# also moved to hooks, is still imported here and so still importable from this module)
__getattr__ = module_getattr(
    __name__,
    {
        "pre_hooks": ("hftp.models.hooks", "pre_hooks"),
        "probe": ("hftp.models.probing", "probe"),
    },
)


def record_tokens(model, input_ids, attention_mask=None, layers=None, site=None) -> dict:
    """Token-level neuron activations for given token ids (no pooling).

    Parameters
    ----------
    model : torch.nn.Module
        A Hugging Face model of a registered family (or give ``site``).
    input_ids : torch.LongTensor, shape (B, T)
        Token ids, on any device (moved to the model's input device).
    attention_mask : torch.LongTensor, shape (B, T), optional
        Default: all ones.
    layers : int or list of int, optional
        Layers to record (0-based; negative counts from the end). Default: all layers.
    site : str, optional
        Module-path pattern with ``{i}``; default from the model family.

    Returns
    -------
    activations : dict of int to torch.Tensor, each shape (B, T, N)
        Layer -> the input of its neuron module (N neurons). The forward pass stops after the
        last recorded layer.
    """
    import torch

    model = unwrap_model(model)[0]
    _, modules = resolve_site(model, site)
    layers = check_layers(layers, len(modules))
    if attention_mask is None:
        attention_mask = torch.ones_like(input_ids)
    batch = Batch(input_ids, attention_mask, None, None, None, 0)
    with eval_mode(model), capture(modules, layers) as store:
        forward_batch(model, batch, store, use_cache=accepts_kwarg(model, "use_cache"))
        return dict(store)


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

    Close the generator (or exhaust it) to remove the hooks; ``contextlib.closing`` does that on
    errors too.

    Parameters
    ----------
    model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization
        As in :func:`extract_activations`.

    Yields
    ------
    condition : str
    seq_ids : list of int
    pooled : torch.Tensor, shape (L, B, U, N), float32
        L = the recorded layers in ascending order, B the sequences of the batch (all of one
        condition), U the units per sequence, N the neurons per layer.
    """
    model, tokenizer, add_bos = unwrap_model(model, tokenizer, add_bos)  # TransformerLens, nnsight
    plan = make_plan(
        model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization
    )
    yield from iter_pooled(model, tokenizer, stim, plan)


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
        From :func:`hftp.load_model` (the tokenizer must be a fast one). ``model`` may also be
        a TransformerLens ``TransformerBridge`` or an nnsight ``LanguageModel`` (the same
        neurons as the model inside, :mod:`hftp.models.wrappers`); ``tokenizer=None`` then
        takes the tool's own.
    stim : StimulusSet
        The sequences to read.
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
        (Gemma and Llama 2/3 add ``<bos>``; GPT-2 and SmolLM2 add nothing); for a
        TransformerBridge, its ``cfg.default_prepend_bos``.
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
        Also attrs ``add_bos``, ``tokenization``, ``token_sharing`` (JSON: condition →
        fraction of units that share a token with another unit) and ``token_splitting`` (JSON:
        condition → fraction of units that unit-wise tokenization split from a word).

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import make_stim, tiny_model, tiny_tokenizer
    >>> model, tokenizer = tiny_model("llama", n_layers=2), tiny_tokenizer()
    >>> stim = make_stim([["the", "dog", "runs", "home"] * 2, ["a", "cat", "sees", "fish"] * 2])
    >>> acts = hftp.extract_activations(model, tokenizer, stim)
    >>> acts.dims, acts.shape  # 2 sequences, 2 layers, 8 words, 48 neurons
    (('sequence', 'layer', 'unit', 'neuron'), (2, 2, 8, 48))
    >>> acts["token_text"].values[0, :4].tolist()
    ['the', 'dog', 'runs', 'home']
    """
    import xarray as xr

    model, tokenizer, add_bos = unwrap_model(model, tokenizer, add_bos)  # TransformerLens, nnsight
    plan = make_plan(
        model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization
    )
    layers = plan.layers
    it = iter_pooled(model, tokenizer, stim, plan)
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
            "unit_rate_hz": stim.sfreq,
            "site": plan.site,
            "model": model_id(model)["model"],
            "pooling": pooling,
            "add_bos": int(plan.add_bos),
            "tokenization": plan.tokenization,
            "token_sharing": json.dumps(sharing_fractions(plan.sharing)),
            "token_splitting": json.dumps(splitting_fractions(plan.sharing)),
        },
    )


def _pad_units(block: np.ndarray, n_units: int) -> np.ndarray:
    if block.shape[2] == n_units:
        return block
    pad = np.full(block.shape[:2] + (n_units - block.shape[2], block.shape[3]), np.nan, np.float32)
    return np.concatenate([block, pad], axis=2)
