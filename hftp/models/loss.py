"""Next-unit loss: how well a model predicts each stimulus unit from the units before it.

A unit's loss is the next-token cross-entropy (nats) of its tokens, pooled with the extraction's
pooling matrix (:mod:`hftp.models.pooling`: the mean over the tokens that overlap the unit, or the
last of them), over the tokens that have a prediction: the first token of a sequence has none, so
without a BOS token the first unit is not scored. A condition's loss is the mean over its scored
units and sequences. :class:`Scorer` tokenizes a StimulusSet once and scores it on demand, also for
several stacked copies of each batch (used by :mod:`hftp.models.ablation`).
"""

from __future__ import annotations

import numpy as np

from hftp._validation import check_int
from hftp.models.batching import (
    accepts_kwarg,
    check_inputs,
    check_length,
    iter_batches,
    sequences_by_condition,
)
from hftp.models.hooks import eval_mode
from hftp.models.pooling import encode
from hftp.models.wrappers import unwrap_model

__all__ = ["Scorer", "next_unit_loss"]


class Scorer:
    """Tokenized batches of a stimulus set and the per-condition loss of one model on them.

    Parameters
    ----------
    model : torch.nn.Module
        A causal LM (it must return ``logits``).
    tokenizer : transformers.PreTrainedTokenizerFast
    stim : StimulusSet
    pooling : {"mean", "last"}
        Tokens to unit, as in extraction.
    add_bos : bool
        Prepend the BOS token.
    batch_size : int
        Sequences per forward pass.
    drop_units : int
        Leading units of each sequence left unscored.

    Attributes
    ----------
    conditions : list of str
        In the order of ``stim``; the condition axis of :meth:`accumulate`.
    batches : list of (int, Batch)
        Condition index and encoded batch.
    """

    def __init__(self, model, tokenizer, stim, pooling, add_bos, batch_size, drop_units):
        self.model = model
        groups = sequences_by_condition(stim)
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self.conditions = list(groups)
        self.batches = []
        for cond, seqs in iter_batches(groups, batch_size):
            b = encode(
                tokenizer,
                seqs,
                separator=stim.separator,
                pooling=pooling,
                add_bos=add_bos,
                pad_id=pad,
            )
            check_length(model, b.input_ids.shape[1])
            self.batches.append((self.conditions.index(cond), b))
        self.drop_units = drop_units
        self.use_cache = accepts_kwarg(model, "use_cache")

    def unit_loss(self, batch, reps: int):
        """Forward ``reps`` copies of ``batch``; per-unit loss (reps, B, U) with NaN where unscored."""
        import torch
        import torch.nn.functional as F

        dev = next(self.model.parameters()).device
        ids = batch.input_ids.to(dev).repeat(reps, 1)
        att = batch.attention_mask.to(dev).repeat(reps, 1)
        kw = {"input_ids": ids, "attention_mask": att}
        if self.use_cache:
            kw["use_cache"] = False
        logits = self.model(**kw).logits
        n_rows, n_tok = ids.shape
        tok_loss = torch.zeros(n_rows, n_tok, device=dev)
        valid = torch.zeros(n_rows, n_tok, device=dev)
        ce = F.cross_entropy(
            logits[:, :-1].reshape(-1, logits.shape[-1]).float(),
            ids[:, 1:].reshape(-1),
            reduction="none",
        ).reshape(n_rows, n_tok - 1)
        ok = att[:, 1:].float()
        tok_loss[:, 1:] = ce * ok
        valid[:, 1:] = ok
        n_seq = batch.input_ids.shape[0]
        m = batch.matrix.to(dev)
        tok_loss = tok_loss.reshape(reps, n_seq * n_tok).T  # (B*T, reps)
        valid = valid.reshape(reps, n_seq * n_tok).T
        num = (m @ tok_loss).T.reshape(reps, n_seq, -1)
        den = (m @ valid).T.reshape(reps, n_seq, -1)
        out = torch.where(den > 0, num / den.clamp_min(1e-12), torch.nan)
        out[:, :, : self.drop_units] = torch.nan
        return out.cpu().numpy().astype(np.float64)

    def accumulate(self, reps: int, on_batch=None) -> tuple[np.ndarray, np.ndarray]:
        """Summed unit loss and unit count per (rep, condition) over all batches."""
        import torch

        total = np.zeros((reps, len(self.conditions)))
        count = np.zeros(len(self.conditions))
        with torch.inference_mode(), eval_mode(self.model):
            for ci, batch in self.batches:
                if on_batch is not None:
                    on_batch(ci, batch)
                u = self.unit_loss(batch, reps)
                total[:, ci] += np.nansum(u, axis=(1, 2))
                count[ci] += np.isfinite(u[0]).sum()
        return total, count


def next_unit_loss(
    model,
    tokenizer,
    stim,
    *,
    batch_size: int = 8,
    pooling: str = "mean",
    add_bos: bool = False,
    drop_units: int = 0,
):
    """Mean next-unit cross-entropy of a model on each condition of a StimulusSet.

    Parameters
    ----------
    model, tokenizer
        A causal LM and its fast tokenizer (:func:`hftp.load_model`).
    stim : StimulusSet
    batch_size : int
        Sequences per forward pass. Default 8.
    pooling : {"mean", "last"}
        Tokens to unit, as in extraction. Default ``"mean"``.
    add_bos : bool
        Prepend the BOS token (then the first unit is scored too). Default False.
    drop_units : int
        Leading units of each sequence left out. Default 0.

    Returns
    -------
    loss : xarray.DataArray, dims (condition,)
        Nats per token, averaged per unit then over units; coord ``n_units`` (units scored).
    """
    import xarray as xr

    model, tokenizer, add_bos = unwrap_model(model, tokenizer, add_bos)  # TransformerLens, nnsight
    check_inputs(model, tokenizer, stim, None, batch_size, pooling, None, add_bos)
    drop_units = check_int("drop_units", drop_units, min_value=0)
    scorer = Scorer(model, tokenizer, stim, pooling, add_bos, batch_size, drop_units)
    total, count = scorer.accumulate(1)
    return xr.DataArray(
        total[0] / count,
        dims=("condition",),
        coords={"condition": scorer.conditions, "n_units": ("condition", count.astype(int))},
        name="loss",
        attrs={"unit": "nats per token, averaged per unit"},
    )
