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

#: Above this size the per-word float64 totals of pass 1 are kept on the host, not the device.
_DEVICE_TOTALS_BYTES = 2 * 1024**3

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
        import torch

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
        totals = None
        it = batches(sub)
        with contextlib.closing(it):
            for _, seq_ids, pooled in it:  # (L, B, U, N)
                L, B, U, N = pooled.shape
                # per-word sums where the activations are (float64, one index_add per batch)
                if totals is None:
                    self.moments = WordMoments(len(self.vocab), (L, N))
                    # on the device while the two float64 totals are small; on the host else
                    big = 2 * len(self.vocab) * L * N * 8 > _DEVICE_TOTALS_BYTES
                    where = torch.device("cpu") if big else pooled.device
                    totals = [
                        torch.zeros(len(self.vocab), L * N, dtype=torch.float64, device=where)
                        for _ in range(2)
                    ]
                    count = np.zeros(len(self.vocab))
                x = pooled.permute(1, 2, 0, 3).reshape(B * U, L * N)
                x = x.to(device=totals[0].device, dtype=torch.float64)
                idx = np.stack([self.index[s] for s in seq_ids]).ravel()
                idx_t = torch.as_tensor(idx, device=x.device)
                totals[0].index_add_(0, idx_t, x)
                totals[1].index_add_(0, idx_t, x * x)
                count += np.bincount(idx, minlength=len(self.vocab))
        if totals is not None:
            self.moments.add_totals(count, *(t.cpu().numpy() for t in totals))
        self.means = self.moments.mean().reshape(len(self.vocab) + 1, *self.moments.channel_shape)
        self.C: dict = {}
        self.K: dict = {}
        self._means_t = None

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
        # the means once per dtype and device, words on the second axis, so that indexing gives
        # (L, B, U, N) in pooled's own layout (no float64 copy of the batch, no permute)
        cache = (pooled.dtype, pooled.device)
        if self._means_t is None or self._means_t[0] != cache:
            t = torch.as_tensor(self.means, dtype=pooled.dtype, device=pooled.device)
            self._means_t = (cache, t.permute(1, 0, 2).contiguous())  # (L, W + 1, N)
        mu = self._means_t[1][:, torch.as_tensor(idx, device=pooled.device)]  # (L, B, U, N)
        n_times = idx.shape[1] - drop
        C = position_spectra(idx[:, drop:], len(self.vocab), n_times)
        self.C[key] = self.C.get(key, 0) + C
        self.K[key] = self.K.get(key, 0) + len(seq_ids)
        return pooled - mu

    def variance(self, key) -> np.ndarray:
        """``lexical_var`` (L, N, n_freq) of the trials under ``key``."""
        L, N = self.moments.channel_shape
        ev = self.moments.error_var()
        return lexical_variance(ev, self.C[key], self.K[key]).reshape(L, N, -1)
