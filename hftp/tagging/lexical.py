"""The lexical baseline: rhythm beyond word identity (residuals, and spectra of the residuals).

A neuron that responds only to nouns is tagged at the phrase rate in [Adj N][V N] streams, without
tracking syntax. The lexical baseline models each channel's response to a unit as

    response(word w at position t) = μ_w + residual,

with μ_w the channel's mean response to w in the baseline condition (``"random-words"``: the same
words in random contexts). Only rhythm in the residual can be credited to context and structure.

The trap, and how it is handled. μ̂_w is estimated from finite data, with error e_w of variance
σ_w²/n_w (σ_w² the variance of w's responses in the baseline, n_w its occurrences). In structured
streams the same words recur at the same within-sentence positions in every trial, so the error
leaves a class-level offset that is the same in every trial and periodic: it enters the evoked
spectrum at the tagged bin as −Σ_w e_w c_w(f), where c_w(f) = (1/K) Σ_k Σ_{t: w_k(t)=w} e^{−i2πft}
(the trial-averaged Fourier transform of w's positions). Its variance

    V(f) = Σ_w (σ_w² / n_w) |c_w(f)|²

comes from the baseline itself. :func:`residual_spectra` and ``hftp.probe(...,
lexical_baseline="random-words")`` store it as ``lexical_var`` (condition, *channels, freq), and
the tests of :mod:`hftp.tagging.calibrated` add it to the null variance at the tagged bin (the
F-test's denominator, the specificity test's variance). Naive subtraction (no ``lexical_var``)
leaves a pure noun detector "tagged"; with it, the detector's tag goes and a phrase-onset
channel's stays (tests/tagging/test_lexical.py).

This module holds :func:`lexical_residual` and :func:`residual_spectra` on activations held in
memory; the per-word statistics they share with the streaming probe (:class:`WordMoments`,
:func:`word_index`, :func:`lexical_variance`, ...) live in :mod:`hftp.spectral.lexical_stats`.

Words absent from the baseline are an error naming them, unless ``drop_missing=True``: their mean
is then the baseline's mean over all words (they are left out of the lexical model).
"""

from __future__ import annotations

import numpy as np

from hftp._validation import InvalidValueError, check_int, check_type
from hftp.spectral.lexical_stats import (
    BASELINES,
    WordMoments,
    baseline_condition,
    lexical_variance,
    position_spectra,
    word_index,
)

__all__ = [
    "BASELINES",
    "WordMoments",
    "word_index",
    "lexical_variance",
    "lexical_residual",
    "residual_spectra",
]


def _check_activations(activations):
    import xarray as xr

    check_type(
        "activations",
        activations,
        xr.DataArray,
        "the DataArray of hftp.extract_activations, dims (sequence, layer, unit, neuron)",
    )
    want = ("sequence", "layer", "unit", "neuron")
    if tuple(activations.dims) != want:
        raise InvalidValueError(
            f"Invalid value for 'activations': expected dims {want}; got {activations.dims}. "
            "Pass the output of hftp.extract_activations (transpose it if needed)."
        )


def _plan(activations, stim, baseline, drop_missing):
    """Per-word moments from the baseline, the vocabulary and the word index of every unit."""
    from hftp.stimuli.stimulus_set import StimulusSet

    _check_activations(activations)
    check_type("stim", stim, StimulusSet, "the StimulusSet the activations were recorded on")
    cond = baseline_condition(baseline, stim.conditions)
    texts = {seq: (c, units) for seq, c, units in stim.sequences()}
    seqs = [int(s) for s in activations["sequence"].values]
    absent = [s for s in seqs if s not in texts]
    if absent:
        raise InvalidValueError(
            f"Invalid value for 'activations': sequence ids {absent[:5]} are not in 'stim'. "
            "Pass the StimulusSet the activations were recorded on."
        )
    base_words = sorted({u for s in seqs if texts[s][0] == cond for u in texts[s][1]})
    if not base_words:
        raise InvalidValueError(
            f"Invalid value for 'activations': no sequence of the baseline condition {cond!r}. "
            "Record the baseline too (extract_activations on the whole StimulusSet)."
        )
    vocab = {w: i for i, w in enumerate(base_words)}
    n_units = activations.sizes["unit"]
    idx = np.full((len(seqs), n_units), -1, np.int64)
    for k, s in enumerate(seqs):
        units = texts[s][1]
        idx[k, : len(units)] = word_index(units, vocab, drop_missing=drop_missing)
    return cond, vocab, idx, seqs, texts


def lexical_residual(activations, stim, baseline: str = "random-words", drop_missing: bool = False):
    """Subtract each channel's mean response to each word (estimated in the baseline condition).

    Parameters
    ----------
    activations : xarray.DataArray, dims (sequence, layer, unit, neuron)
        From :func:`hftp.extract_activations`; ``sequence`` ids as in ``stim.units``. It must
        include the baseline condition's sequences.
    stim : StimulusSet
        The stimuli the activations were recorded on.
    baseline : str
        A key of ``BASELINES`` (or a condition name). Default ``"random-words"``.
    drop_missing : bool
        Words absent from the baseline: an error naming them (default), or, if True, the
        baseline's mean over all words is subtracted there.

    Returns
    -------
    residual : xarray.DataArray, same dims, coords and shape
        attrs add ``lexical_baseline``. The test on these residuals must include the baseline's
        estimation variance: build spectra with :func:`residual_spectra` (or probe with
        ``lexical_baseline=``), not with a plain FFT of the residuals.

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import tiny_model, tiny_tokenizer
    >>> stim = hftp.make_stimuli("en", ["sentences", "random-words"], n_sequences=2,
    ...                          n_sentences=5, seed=0)
    >>> acts = hftp.extract_activations(tiny_model("llama", n_layers=1), tiny_tokenizer(), stim)
    >>> residual = hftp.lexical_residual(acts, stim, baseline="random-words")
    >>> residual.shape == acts.shape, residual.attrs["lexical_baseline"]
    (True, 'random-words')
    """
    cond, vocab, idx, seqs, texts = _plan(activations, stim, baseline, drop_missing)
    x = np.asarray(activations.values, dtype=float)  # (S, L, U, N)
    S, L, U, N = x.shape
    mom = WordMoments(len(vocab), (L, N))
    is_base = np.array([texts[s][0] == cond for s in seqs])
    xb = x[is_base].transpose(0, 2, 1, 3).reshape(-1, L, N)  # (S_b * U, L, N)
    mom.add(idx[is_base].ravel(), xb)
    means = mom.mean().reshape(len(vocab) + 1, L, N)
    sub = means[np.where(idx < 0, len(vocab), idx)]  # (S, U, L, N)
    res = x - sub.transpose(0, 2, 1, 3)
    res[np.broadcast_to((idx < 0)[:, None, :, None], res.shape)] = np.nan
    out = activations.copy(data=res.astype(activations.dtype))
    out.attrs = {**activations.attrs, "lexical_baseline": baseline}
    out.name = "lexical_residual"
    return out


def residual_spectra(
    activations,
    stim,
    *,
    baseline: str = "random-words",
    drop_units: int = 0,
    drop_missing: bool = False,
    keep_trials: bool = True,
):
    """Spectra of the lexical residuals, with the baseline's estimation variance (``lexical_var``).

    Parameters
    ----------
    activations, stim, baseline, drop_missing
        As in :func:`lexical_residual`.
    drop_units : int
        Leading units dropped before the FFT. Default 0.
    keep_trials : bool
        Keep per-trial values at the tagged bins. Default True.

    Returns
    -------
    spectra : xarray.Dataset, dims (condition, layer, neuron, freq)
        A model Spectra plus ``lexical_var`` (condition, layer, neuron, freq).
    """
    from hftp.spectral.accumulate import SpectraAccumulator, freq_axis, rfft_trials

    drop_units = check_int("drop_units", drop_units, min_value=0)
    cond, vocab, idx, seqs, texts = _plan(activations, stim, baseline, drop_missing)
    x = np.asarray(activations.values, dtype=float)
    S, L, U, N = x.shape
    mom = WordMoments(len(vocab), (L, N))
    is_base = np.array([texts[s][0] == cond for s in seqs])
    mom.add(idx[is_base].ravel(), x[is_base].transpose(0, 2, 1, 3).reshape(-1, L, N))
    resid = np.asarray(lexical_residual(activations, stim, baseline, drop_missing).values)
    n_times = U - drop_units
    if n_times < 4:
        raise InvalidValueError(
            f"Invalid value for 'drop_units': leaves {n_times} units; at least 4 are needed."
        )
    rate = float(activations.attrs.get("unit_rate_hz", stim.sfreq))
    acc = SpectraAccumulator(
        channel_dims=("layer", "neuron"),
        channel_coords={
            "layer": activations["layer"].values,
            "neuron": activations["neuron"].values,
        },
        freqs=freq_axis(n_times, rate),
        sfreq=rate,
        tagged_hz=stim.tagged_hz,
        n_times=n_times,
        kind="model",
        keep_trials=keep_trials,
        attrs={"lexical_baseline": baseline},
    )
    conds = np.array([texts[s][0] for s in seqs])
    ev = mom.error_var()
    lex = []
    for c in dict.fromkeys(conds.tolist()):
        m = conds == c
        if np.isnan(resid[m]).any():
            raise InvalidValueError(
                f"Invalid value for 'activations': condition {c!r} has sequences of different "
                "lengths (NaN padding); residual spectra need one length per condition."
            )
        acc.add(c, rfft_trials(resid[m].transpose(0, 1, 3, 2), drop=drop_units))
        C = position_spectra(idx[m][:, drop_units:], len(vocab), n_times)
        lex.append(lexical_variance(ev, C, int(m.sum())).reshape(L, N, -1))
    ds = acc.to_dataset()
    ds["lexical_var"] = (("condition", "layer", "neuron", "freq"), np.stack(lex))
    return ds
