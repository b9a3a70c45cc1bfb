"""The streaming lexical baseline of :func:`hftp.probe`: two passes, memory flat.

Pass 1 reads only the baseline condition's sequences and accumulates, per word and channel, the
count, sum and sum of squares (:class:`hftp.spectral.lexical_stats.WordMoments`: words × layers ×
neurons). Pass 2 (the probe) subtracts each unit's word mean before the FFT and accumulates, per
condition, the trial-summed Fourier transform of every word's positions, from which the
baseline's estimation variance ``lexical_var`` follows (see :mod:`hftp.spectral.lexical_stats`).
"""

from __future__ import annotations

import contextlib

import numpy as np

from hftp._deprecate import module_getattr
from hftp.spectral.lexical_stats import (
    WordMoments,
    baseline_condition,
    lexical_variance,
    position_spectra,
    word_index,
)

__all__ = ["LexicalBaseline"]

# the probe's split-half assembly moved to hftp.models.probing in 0.3
__getattr__ = module_getattr(
    __name__,
    {
        name: ("hftp.models.probing", name)
        for name in ("add_batch", "finish_spectra", "make_accumulators")
    },
)


class LexicalBaseline:
    """Per-word means from the baseline condition, and the residual bookkeeping of the probe.

    Building one runs pass 1: the baseline condition's sequences through ``batches``.

    Parameters
    ----------
    batches : callable
        ``batches(stim)`` yields ``(condition, seq_ids, pooled)`` with ``pooled`` a torch tensor
        of shape (L, B, U, N) for a StimulusSet (the probe's own batch iterator, so that this
        module does not import the probe).
    stim : StimulusSet
        The whole stimulus set (it must contain the baseline condition).
    baseline : str
        A key of :data:`hftp.spectral.lexical_stats.BASELINES`, or a condition name.
    drop_missing : bool
        Words absent from the baseline: an error (False) or the baseline's grand mean (True).

    Attributes
    ----------
    vocab : dict of str to int
        The baseline's words.
    means : ndarray, shape (n_words + 1, L, N)
        Per-word means; the last row is the grand mean.
    """

    def __init__(self, batches, stim, baseline: str, drop_missing: bool) -> None:
        from hftp.stimuli import StimulusSet

        self.baseline = baseline
        cond = baseline_condition(baseline, stim.conditions)
        texts = {seq: units for seq, _, units in stim.sequences()}
        base = stim.units[stim.units["condition"] == cond]
        self.vocab = {w: i for i, w in enumerate(sorted(set(base["unit"].astype(str))))}
        self.index = {
            seq: word_index(units, self.vocab, drop_missing=drop_missing)
            for seq, units in texts.items()
        }
        sub = StimulusSet(units=base.reset_index(drop=True), meta=stim.meta)
        self.moments = None
        it = batches(sub)
        with contextlib.closing(it):
            for _, seq_ids, pooled in it:  # (L, B, U, N)
                x = pooled.permute(1, 2, 0, 3).cpu().numpy()  # (B, U, L, N)
                if self.moments is None:
                    self.moments = WordMoments(len(self.vocab), x.shape[2:])
                idx = np.stack([self.index[s] for s in seq_ids])
                self.moments.add(idx.ravel(), x.reshape(-1, *x.shape[2:]))
        self.means = self.moments.mean().reshape(len(self.vocab) + 1, *self.moments.channel_shape)
        self.C: dict = {}
        self.K: dict = {}

    @classmethod
    def create(cls, batches, stim, baseline, drop_missing: bool, prov: dict):
        """The baseline (recorded in ``prov``), or None when ``baseline`` is None."""
        if baseline is None:
            return None
        prov["lexical_baseline"] = baseline
        return cls(batches, stim, baseline, drop_missing)

    def subtract(self, key, seq_ids, pooled, drop: int):
        """Residual of ``pooled`` (L, B, U, N, torch) and the position bookkeeping under ``key``."""
        import torch

        idx = np.stack([self.index[s] for s in seq_ids])  # (B, U)
        mu = torch.as_tensor(self.means[idx], dtype=pooled.dtype, device=pooled.device)  # B,U,L,N
        n_times = idx.shape[1] - drop
        C = position_spectra(idx[:, drop:], len(self.vocab), n_times)
        self.C[key] = self.C.get(key, 0) + C
        self.K[key] = self.K.get(key, 0) + len(seq_ids)
        return pooled - mu.permute(2, 0, 1, 3)

    def variance(self, key) -> np.ndarray:
        """``lexical_var`` (L, N, n_freq) of the trials under ``key``."""
        L, N = self.moments.channel_shape
        ev = self.moments.error_var()
        return lexical_variance(ev, self.C[key], self.K[key]).reshape(L, N, -1)
