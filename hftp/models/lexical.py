"""Streaming lexical baseline for :func:`hftp.probe`: two passes, memory flat.

Pass 1 reads only the baseline condition's sequences and accumulates, per word and channel, the
count, sum and sum of squares (:class:`hftp.tagging.lexical.WordMoments`: words × layers × neurons).
Pass 2 (the probe) subtracts each unit's word mean before the FFT and accumulates, per condition,
the trial-summed Fourier transform of every word's positions, from which the baseline's estimation
variance ``lexical_var`` follows (see :mod:`hftp.tagging.lexical`).
"""

from __future__ import annotations

import contextlib

import numpy as np

from hftp.tagging.lexical import (
    WordMoments,
    baseline_condition,
    lexical_variance,
    position_spectra,
    word_index,
)

__all__ = ["LexicalBaseline", "add_batch", "finish_spectra", "make_accumulators"]


class LexicalBaseline:
    """Per-word means from the baseline condition, and the residual bookkeeping of the probe."""

    def __init__(self, batches, stim, baseline: str, drop_missing: bool) -> None:
        """``batches(stim)`` yields ``(condition, seq_ids, pooled (L, B, U, N))`` for a StimulusSet
        (the probe's own batch iterator, so this module does not import the probe)."""
        from hftp.stimuli.core import StimulusSet

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


def finish_spectra(accs, lex):
    """One Spectra from the accumulators (a ``split`` dim for two), with ``lexical_var``."""
    import xarray as xr

    parts = []
    for h, acc in enumerate(accs):
        ds = acc.to_dataset()
        if lex is not None:
            conds = [str(c) for c in ds["condition"].values]
            var = np.stack([lex.variance((h, c)) for c in conds])
            ds["lexical_var"] = (("condition", "layer", "neuron", "freq"), var)
        parts.append(ds)
    if len(parts) == 1:
        return parts[0]
    n_tr = max(p.sizes.get("trial", 0) for p in parts)
    parts = [
        p.drop_vars("trial", errors="ignore").pad(trial=(0, n_tr - p.sizes["trial"]))
        if "trial" in p.dims
        else p
        for p in parts
    ]
    out = xr.concat(
        parts, dim="split", coords="minimal", compat="override", combine_attrs="override"
    )
    out = out.assign_coords(split=[0, 1])
    out["n_trials"] = out["n_trials"].transpose("split", "condition")
    return out


def add_batch(accs, lex, seen: dict, cond: str, seq_ids, pooled, drop: int, add) -> None:
    """Add one batch (L, B, U, N) to the accumulators: even/odd sequences of each condition to
    ``accs[0]``/``accs[1]`` when there are two, after the lexical baseline when ``lex``."""
    halves = len(accs)
    first = seen.get(cond, 0)
    seen[cond] = first + len(seq_ids)
    half = (first + np.arange(len(seq_ids))) % halves
    for h in range(halves):
        m = np.flatnonzero(half == h)
        if m.size == 0:
            continue
        ids = [seq_ids[i] for i in m]
        x = pooled[:, m] if halves > 1 else pooled
        if lex is not None:
            x = lex.subtract((h, cond), ids, x, drop)
        add(accs[h], cond, x, drop)


def make_accumulators(halves: int, layers, n_neurons: int, n_times: int, stim, keep_trials, attrs):
    """One model-spectra accumulator per half (one without a split)."""
    from hftp.spectral.accumulate import SpectraAccumulator, freq_axis

    return [
        SpectraAccumulator(
            channel_dims=("layer", "neuron"),
            channel_coords={"layer": np.asarray(layers), "neuron": np.arange(n_neurons)},
            freqs=freq_axis(n_times, stim.unit_rate_hz),
            rate_hz=stim.unit_rate_hz,
            tagged=stim.tagged_hz,
            n_times=n_times,
            kind="model",
            keep_trials=keep_trials,
            attrs=attrs,
        )
        for _ in range(halves)
    ]
