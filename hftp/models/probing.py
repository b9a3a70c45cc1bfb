"""The probe: a model's neuron responses to a StimulusSet streamed into Spectra, with split halves.

:func:`probe` runs the batches of :mod:`hftp.models.batching` (hooks of
:mod:`hftp.models.hooks`, tokens pooled to units inside them) and adds each batch's FFT sums to
Spectra accumulators (:mod:`hftp.models.fft`), so that memory does not grow with the number of
sequences. The split-half assembly lives here too: :func:`make_accumulators` makes one
accumulator per half, :func:`add_batch` sends the even and odd sequences of each condition to
their half (after the lexical baseline of :mod:`hftp.models.lexical` when one is asked for), and
:func:`finish_spectra` joins the halves on a ``split`` dim.
"""

from __future__ import annotations

import contextlib
import json
import os

import numpy as np

from hftp._validation import InvalidValueError, check_int
from hftp.models.batching import iter_pooled, iter_spectral, make_plan
from hftp.models.fft import summarizer_for
from hftp.models.lexical import LexicalBaseline
from hftp.models.load import input_device, model_id
from hftp.models.pooling import sharing_fractions, splitting_fractions, warn_sharing, warn_splitting
from hftp.models.wrappers import unwrap_model

__all__ = ["probe", "make_accumulators", "add_batch", "finish_spectra"]


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
        As in :func:`hftp.extract_activations`.
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
        (``find_tagged`` then reports ``replicated``). With stimuli of two pools
        (``make_stimuli(..., n_pools=2)``, recorded as the attr ``stimulus_pools``) the halves
        are the pools, so they share no sentence. Default False.
    lexical_baseline : str, optional
        E.g. ``"random-words"``: probe the residuals after each neuron's mean response to each
        word in that condition (two passes, memory flat; adds ``lexical_var``, see
        :mod:`hftp.models.lexical`). Default None.
    drop_missing : bool
        Words absent from the baseline: an error (default) or the baseline's grand mean (True).

    Returns
    -------
    spectra : xarray.Dataset
        Dims ``(condition, layer, neuron, freq)`` (plus ``split`` first when ``split=True``); see
        :mod:`hftp.spectral`. attrs carry ``sfreq`` (the unit rate), ``tagged_hz``, ``n_times``
        and the provenance (model, revision, site,
        stimulus seed, pooling, add_bos, tokenization, n_layers, hftp version) and
        ``token_sharing`` (JSON: condition → fraction of units sharing a token with another
        unit) and ``token_splitting`` (JSON: condition → fraction of units that unit-wise
        tokenization split out of a word the tokenizer normally reads as one token; 0 with
        joint tokenization). A warning is issued for each when the conditions differ by more
        than :data:`hftp.models.pooling.SHARING_TOLERANCE`, and again when
        :func:`hftp.find_tagged` compares such conditions.

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import tiny_model, tiny_tokenizer
    >>> model, tokenizer = tiny_model("llama", n_layers=2), tiny_tokenizer()
    >>> stim = hftp.make_stimuli("en", ["sentences", "within-shuffle"], n_sequences=3,
    ...                          n_sentences=5, seed=0)
    >>> spectra = hftp.probe(model, tokenizer, stim, progress=False)
    >>> dict(spectra.sizes)  # 20 words per sequence: 10 frequencies up to 2 Hz
    {'condition': 2, 'layer': 2, 'neuron': 48, 'freq': 10, 'trial': 3, 'tagged_freq': 2}
    >>> spectra.hftp.sfreq, spectra.hftp.tagged_hz
    (4.0, {'sentence': 1.0, 'phrase': 2.0})

    On the default model, record only some layers (the forward pass stops after the last):

    >>> model, tokenizer = hftp.load_model()  # doctest: +SKIP
    >>> spectra = hftp.probe(model, tokenizer, stim, layers=[0, 10, 20])  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    from hftp.io import provenance

    model, tokenizer, add_bos = unwrap_model(model, tokenizer, add_bos)  # TransformerLens, nnsight
    plan = make_plan(
        model, tokenizer, stim, layers, batch_size, pooling, site, add_bos, tokenization
    )
    site_full, layers = plan.site, plan.layers
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
        stimulus_pools=int(stim.meta.get("n_pools", 1)),
        language=stim.language,
        pooling=pooling,
        add_bos=int(plan.add_bos),
        tokenization=plan.tokenization,
        n_layers=len(plan.modules),
        drop_units=drop_units,
    )

    def baseline_batches(sub):
        # pass 1 of the lexical baseline: the baseline condition's sequences, with their own bar
        with (
            tqdm(
                total=sub.n_sequences, desc="lexical baseline", unit="seq", disable=not progress
            ) as bar1,
            contextlib.closing(iter_pooled(model, tokenizer, sub, plan, reuse=True)) as it1,
        ):
            for item in it1:  # closing this generator closes the hooks' one at once
                bar1.update(len(item[1]))
                yield item

    lex = LexicalBaseline.create(baseline_batches, stim, lexical_baseline, drop_missing, prov)
    device = input_device(model)
    kind = summarizer_for(device)
    # on an accelerator the hooks go straight to Fourier coefficients, unless the pooled units
    # are needed too (the lexical baseline subtracts word means from them; save_raw writes them)
    fused = kind.fused and lex is None and save_raw is None
    if fused:
        it = iter_spectral(model, tokenizer, stim, plan, drop=drop_units)
    else:
        it = iter_pooled(model, tokenizer, stim, plan, reuse=True)
    halves, accs, summarizers, seen = 2 if split else 1, [None], [], {}
    writer = None
    bar = tqdm(total=stim.n_sequences, desc="probe", unit="seq", disable=not progress)
    with contextlib.closing(it):  # the hooks go as soon as this ends, also on an exception
        try:
            if save_raw:
                writer = _raw_writer(save_raw, stim, layers, site_full, model)
            for cond, seq_ids, block, *matrix in it:
                if accs[0] is None:
                    n_neurons = block.shape[2] if fused else block.shape[3]
                    accs = make_accumulators(
                        halves, layers, n_neurons, n_times, stim, keep_trials, prov
                    )
                    summarizers = [kind(acc, device) for acc in accs]
                if fused:  # block: (L, batch_size, N, W) coefficients
                    _add_coefficients(summarizers, seen, cond, len(seq_ids), block, matrix[0])
                else:  # block: (L, B, U, N) pooled units
                    if writer is not None:
                        writer.write(seq_ids, cond, block.permute(1, 0, 3, 2).cpu().numpy())
                    add = _adder(accs, summarizers)
                    add_batch(accs, lex, seen, cond, seq_ids, block, drop_units, add)
                bar.update(len(seq_ids))
                # nothing of ``block`` may outlive this step: the next batch is written into
                # the same block, so memory stays flat
            if writer is not None:
                writer.close()
                writer = None
        finally:
            bar.close()
            if writer is not None:
                writer.abort()
    for summarizer in summarizers:
        summarizer.finish()
    out = finish_spectra(accs, lex, release=True)
    fractions = sharing_fractions(plan.sharing)
    out.attrs["token_sharing"] = json.dumps(fractions)
    split = splitting_fractions(plan.sharing)
    out.attrs["token_splitting"] = json.dumps(split)
    warn_sharing(fractions, plan.tokenization)
    warn_splitting(split)
    return out


def _adder(accs: list, summarizers: list):
    """``add(acc, cond, pooled, drop)`` through each accumulator's summarizer."""
    by_acc = {id(acc): s for acc, s in zip(accs, summarizers, strict=True)}

    def add(acc, cond, pooled, drop):
        by_acc[id(acc)].add_pooled(cond, pooled, drop)

    return add


def _add_coefficients(summarizers: list, seen: dict, cond: str, n_seq: int, block, matrix):
    """A coefficient block's trials to their halves: rows are sequences, every other one per half."""
    halves = len(summarizers)
    first = seen.get(cond, 0)
    seen[cond] = first + n_seq
    for h, summarizer in enumerate(summarizers):
        summarizer.add_block(cond, block, matrix, slice((h - first) % halves, n_seq, halves))


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


def make_accumulators(
    halves: int,
    layers,
    n_neurons: int,
    n_times: int,
    stim,
    keep_trials: bool,
    attrs: dict,
) -> list:
    """One model-spectra accumulator per half (one without a split).

    Parameters
    ----------
    halves : {1, 2}
        2 for ``probe(..., split=True)``.
    layers : list of int
        The recorded layers (the ``layer`` coord).
    n_neurons : int
        Neurons per layer (N).
    n_times : int
        Units per trial after the dropped leading units (the FFT length).
    stim : StimulusSet
        Gives the unit rate (the Spectra's ``sfreq``) and the tagged frequencies.
    keep_trials : bool
        Keep per-trial coefficients at the tagged bins.
    attrs : dict
        Provenance for the Spectra's attrs.

    Returns
    -------
    accs : list of SpectraAccumulator
        ``halves`` empty accumulators, channel dims ``(layer, neuron)``, ``n_times // 2`` bins.
    """
    from hftp.models.batching import sequences_by_condition
    from hftp.spectral.accumulate import SpectraAccumulator, freq_axis

    # each half's trials per condition, announced so that the sums and kept trials are written
    # straight into the final Spectra's arrays (even sequences of a condition to half 0, odd
    # to half 1)
    counts = {c: len(seqs) for c, seqs in sequences_by_condition(stim).items()}
    announced = [
        {c: (n - h + halves - 1) // halves for c, n in counts.items()} for h in range(halves)
    ]
    return [
        SpectraAccumulator(
            channel_dims=("layer", "neuron"),
            channel_coords={"layer": np.asarray(layers), "neuron": np.arange(n_neurons)},
            freqs=freq_axis(n_times, stim.sfreq),
            sfreq=stim.sfreq,
            tagged_hz=stim.tagged_hz,
            n_times=n_times,
            kind="model",
            keep_trials=keep_trials,
            attrs=attrs,
            n_trials=announced[h],
        )
        for h in range(halves)
    ]


def add_batch(accs: list, lex, seen: dict, cond: str, seq_ids, pooled, drop: int, add) -> None:
    """Add one batch to the accumulators, each sequence to its half.

    With two accumulators, the even sequences of each condition (in reading order) go to
    ``accs[0]`` and the odd ones to ``accs[1]``; with one, every sequence goes to it.

    Parameters
    ----------
    accs : list of SpectraAccumulator
        From :func:`make_accumulators`.
    lex : LexicalBaseline or None
        Subtract each unit's word mean first (:class:`hftp.models.lexical.LexicalBaseline`).
    seen : dict of str to int
        Sequences of each condition added so far; updated here.
    cond : str
        The batch's condition.
    seq_ids : list of int
        The batch's sequence ids (B).
    pooled : torch.Tensor, shape (L, B, U, N)
        The batch's unit-pooled activations.
    drop : int
        Leading units dropped before the FFT.
    add : callable
        ``add(acc, cond, x, drop)`` adds ``x`` (L, B', U, N) to ``acc``
        (:func:`hftp.models.fft.add_pooled`).
    """
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


def finish_spectra(accs: list, lex, *, release: bool = False):
    """One Spectra from the accumulators, the halves on a ``split`` dim when there are two.

    Parameters
    ----------
    accs : list of SpectraAccumulator
        One or two, filled by :func:`add_batch`.
    lex : LexicalBaseline or None
        Adds ``lexical_var`` (condition, layer, neuron, freq) to each half.
    release : bool
        Free each accumulator's arrays as its Spectra is built (the probe's last step; see
        :meth:`~hftp.spectral.accumulate.SpectraAccumulator.to_dataset`). Default False.

    Returns
    -------
    spectra : xarray.Dataset
        Dims ``(condition, layer, neuron, freq)``, with ``split`` (size 2, coords 0 and 1)
        first for two halves; ``n_trials`` then has dims ``(split, condition)`` and ``trial_x``
        is padded to the larger half's trial count.
    """
    import xarray as xr

    parts = []
    for h, acc in enumerate(accs):
        ds = acc.to_dataset(release=release)
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
