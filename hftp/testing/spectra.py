"""Stimulus sets from plain lists, and Spectra with planted tagged responses (known truth)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hftp._deprecate import renamed_kwarg

__all__ = ["make_stim", "planted_spectra"]


@renamed_kwarg(rate="sfreq", tagged="tagged_hz")
def make_stim(
    seqs: Sequence[Sequence[str]],
    *,
    condition: str | Sequence[str] = "sentences",
    language: str = "en",
    sfreq: float = 4.0,
    tagged_hz: Mapping[str, float] | None = None,
    seed: int = 7,
):
    """A :class:`~hftp.StimulusSet` from lists of units, one list per sequence.

    Parameters
    ----------
    seqs : list of list of str
        The units of each sequence.
    condition : str or list of str
        One condition for all sequences, or one per sequence. Default ``"sentences"``.
    language : {"en", "zh"}
        Sets the separator (a space for English, none for Chinese).
    sfreq : float
        Unit rate in Hz. Default 4. (Formerly ``rate``.)
    tagged_hz : dict, optional
        Level → Hz. Default ``{"sentence": 1.0, "phrase": 2.0}``. (Formerly ``tagged``.)
    seed : int
        Recorded in the metadata as the stimulus seed.

    Returns
    -------
    StimulusSet
        One row per unit; ``sentence`` = position // 4 and ``phrase`` = position // 2, part of
        speech ``"x"``.
    """
    import pandas as pd

    from hftp.stimuli.stimulus_set import StimulusSet

    conds = [condition] * len(seqs) if isinstance(condition, str) else list(condition)
    rows = [
        (s, conds[s], p, u, p // 4, p // 2, "x")
        for s, units in enumerate(seqs)
        for p, u in enumerate(units)
    ]
    cols = ["sequence", "condition", "position", "unit", "sentence", "phrase", "pos"]
    meta = dict(
        language=language,
        unit_rate_hz=float(sfreq),
        tagged_hz=dict(tagged_hz or {"sentence": 1.0, "phrase": 2.0}),
        seed=seed,
        separator="" if language == "zh" else " ",
    )
    return StimulusSet(units=pd.DataFrame(rows, columns=cols), meta=meta)


@renamed_kwarg(rate="sfreq", tagged="tagged_hz")
def planted_spectra(
    shape: tuple[int, ...] = (40,),
    *,
    conditions: Sequence[str] = ("exp", "ctrl"),
    plant: Mapping[str, Any] | None = None,
    planted_in: Sequence[str] = ("exp",),
    amplitude: float = 0.3,
    n_trials: int | Mapping[str, int] = 20,
    n_times: int = 200,
    sfreq: float = 4.0,
    tagged_hz: Mapping[str, float] | None = None,
    phase: float | None = None,
    nuisance: bool = False,
    kind: str | None = None,
    seed: int = 0,
):
    """A Spectra with a phase-locked response planted in chosen channels (known truth).

    Each trial is unit-variance noise over ``n_times`` samples at ``sfreq``; the channels in
    ``plant[level]`` add ``amplitude * cos(2π f t + φ)`` at the level's frequency in every trial
    of the ``planted_in`` conditions (the same φ in every trial: phase-locked).

    Parameters
    ----------
    shape : tuple of int
        Channel shape: ``(n_channels,)`` for a brain (dims ``channel``) or ``(n_layers,
        n_neurons)`` for a model (dims ``layer, neuron``). Default ``(40,)``.
    conditions : list of str
        Condition names. Default ``("exp", "ctrl")``.
    plant : dict, optional
        Level → boolean mask (or index array) over the flattened channels. Default: nothing.
    planted_in : list of str
        Conditions that carry the planted response. Default ``("exp",)``.
    amplitude : float
        Planted amplitude in noise SDs. Default 0.3.
    n_trials : int or dict
        Trials per condition (a dict gives one count per condition). Default 20.
    n_times : int
        Samples per trial. Default 200.
    sfreq : float
        Sampling rate (Hz). Default 4. (Formerly ``rate``.)
    tagged_hz : dict, optional
        Level → Hz. Default ``{"sentence": 1.0, "phrase": 2.0}`` (phrase at Nyquist for sfreq 4).
        (Formerly ``tagged``.)
    phase : float, optional
        The planted phase φ; default a random phase drawn from ``seed``.
    nuisance : bool
        Add what real model responses carry identically in every trial of every condition: an
        attention-sink transient, a slow drift, and 1/f (pink) instead of white noise.
    kind : {"model", "brain"}, optional
        Default: ``"model"`` for a 2-D shape, ``"brain"`` otherwise.
    seed : int
        Seed of everything random.

    Returns
    -------
    xarray.Dataset
        A Spectra, dims (condition, *channel dims, freq) with ``n_times // 2 + 1`` frequencies,
        with ``trial_x`` at the tagged bins.
    """
    from hftp.spectral.accumulate import SpectraAccumulator, freq_axis, rfft_trials

    rng = np.random.default_rng(seed)
    tagged_hz = dict(tagged_hz or {"sentence": 1.0, "phrase": 2.0})
    n_ch = int(np.prod(shape))
    dims = ("layer", "neuron") if len(shape) == 2 else ("channel",)
    kind = kind or ("model" if len(shape) == 2 else "brain")
    acc = SpectraAccumulator(
        channel_dims=dims,
        channel_coords={d: np.arange(s) for d, s in zip(dims, shape, strict=True)},
        freqs=freq_axis(n_times, sfreq),
        sfreq=sfreq,
        tagged_hz=tagged_hz,
        n_times=n_times,
        kind=kind,
    )
    t = np.arange(n_times)
    det = np.zeros((n_ch, n_times))
    shaping = None
    if nuisance:
        sink = np.exp(-t / 2.0) * rng.normal(3, 1, (n_ch, 1))
        drift = rng.normal(0, 1, (n_ch, 1)) * t / n_times
        det = sink + drift + rng.normal(0, 1, (n_ch, 1)) * np.exp(-t / 30.0)
        shaping = 1.0 / np.sqrt(np.arange(1, n_times // 2 + 2) / 10.0)
    sig = np.zeros((n_ch, n_times))
    for level, mask in (plant or {}).items():
        phi = rng.uniform(0, 2 * np.pi) if phase is None else float(phase)
        sig[np.asarray(mask)] += amplitude * np.cos(2 * np.pi * tagged_hz[level] * t / sfreq + phi)
    counts = n_trials if isinstance(n_trials, Mapping) else dict.fromkeys(conditions, n_trials)
    for cond in conditions:
        noise = rng.standard_normal((int(counts[cond]), n_ch, n_times))
        if shaping is not None:
            noise = np.fft.irfft(np.fft.rfft(noise, axis=-1) * shaping, n=n_times, axis=-1)
        x = noise + det + (sig if cond in planted_in else 0.0)
        acc.add(cond, rfft_trials(x.reshape(-1, *shape, n_times)))
    return acc.to_dataset()
