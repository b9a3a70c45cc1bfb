"""The demo's real scalp-EEG stage (eeg-phrases, 20 participants): ITPC spectra, model–EEG
alignment with participants as a random effect, and phrase-rate tagging per channel with a
control frequency as its own FDR family. ``cfg`` is the demo's
:class:`~hftp.apps.demo.config.DemoConfig`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["real_eeg", "eeg_tagging", "EEG_TAGGING", "EEG_CONTROL_HZ"]


#: The eeg-phrases tagging contrast: adjective-noun phrases against the same category
#: alternation without phrases, at the phrase rate; 1.171875 Hz (1.5 x the four-word rate, on a
#: bin, no harmonic of a tagged rate) is the control frequency, tested as its own FDR family.
EEG_TAGGING = {"condition": "anan", "control": "avav", "level": "phrase"}
EEG_CONTROL_HZ = {"fake": 1.171875}


def eeg_tagging(espec, cfg, fig) -> dict[str, Any]:
    """find_tagged on the pooled EEG (participant × channel tests), its topomap and numbers.

    Parameters
    ----------
    espec : xarray.Dataset
        Brain Spectra of the pooled participants (:func:`hftp.concat_subjects`), with the
        conditions and levels of :data:`EEG_TAGGING` and a bin at :data:`EEG_CONTROL_HZ`.
    cfg : DemoConfig
        Its ``q`` and ``seed`` are used.
    fig : callable(name, make)
        Makes and saves the figure ``"eeg_tagging_topomap"``.

    Returns
    -------
    dict
        JSON-friendly numbers: tests, significant, tagged, the labels significant in at least one
        participant, and the control frequency's fractions significant and tagged.
    """
    from hftp import plot
    from hftp.tagging.pipeline import find_tagged

    t = EEG_TAGGING
    tag = find_tagged(
        espec,
        t["condition"],
        t["control"],
        levels=[t["level"]],
        q=cfg.q,
        seed=cfg.seed,
        control_hz=EEG_CONTROL_HZ,
    )
    fig(
        "eeg_tagging_topomap",
        lambda: plot.plot_topomap(
            tag, level=t["level"], title="EEG (scalp): anan vs avav, phrase rate"
        ),
    )
    sig = tag["significant"].sel(level=t["level"])
    per_label = sig.groupby("label").sum()
    fake = tag["control_significant"].sel(control_level="fake")
    return {
        **t,
        "freq": float(tag["freq"].sel(level=t["level"])),
        "q": cfg.q,
        "n_tests": int(sig.size),
        "n_participants": int(len(set(tag["subject"].values.tolist())))
        if "subject" in tag.coords
        else 1,
        "n_significant": int(sig.sum()),
        "n_tagged": int(tag["above_neighbors"].sel(level=t["level"]).sum()),
        "labels_significant": sorted(
            str(k) for k, v in zip(per_label["label"].values, per_label.values, strict=True) if v
        ),
        "control_hz": EEG_CONTROL_HZ["fake"],
        "control_fraction_significant": round(float(fake.mean()), 4),
        "control_fraction_tagged": round(
            float(tag["control_above_neighbors"].sel(control_level="fake").mean()), 4
        ),
    }


def real_eeg(eeg: Path, mdl, tok, cfg, resdir: Path, fig, progress: bool, cached) -> dict[str, Any]:
    """Run the real-EEG stage; return its numbers (``summary.json["numbers"]["eeg_scalp"]``).

    Parameters
    ----------
    eeg : Path
        The eeg-phrases folder.
    mdl, tok
        The model and tokenizer.
    cfg : DemoConfig
        Its ``seed``, ``layers``, ``batch_size``, ``q`` are used.
    resdir : Path
        Where the result files go (``eeg_scalp_spectra.nc``, ``alignment_eeg_scalp.nc``).
    fig : callable(name, make)
        Makes and saves one figure.
    progress : bool
        Show progress bars.
    cached : callable(name, make)
        Reads a cached result or makes and caches it.

    Returns
    -------
    dict
        JSON-ready numbers: the alignment summary, ``tagging`` (:func:`eeg_tagging`),
        ``subject_level`` (participants as a random effect), the model's phrase-rate SNR per layer
        and condition, and the human ITC check (``human``).
    """
    from hftp import brain, io, plot
    from hftp.datasets import eeg_phrases
    from hftp.models.probing import probe
    from hftp.rsa.alignment import align, alignment_summary
    from hftp.spectral.measures import at_freq, evoked_amplitude, itc, snr
    from hftp.stimuli.files import load_word_streams
    from hftp.stimuli.generation import make_stimuli

    spectra_list = eeg_phrases.read_eeg_phrases(eeg)
    espec = brain.concat_subjects(spectra_list)
    io.save(espec, resdir / "eeg_scalp_spectra.nc", overwrite=True)
    fig(
        "eeg_itpc_spectra",
        lambda: plot.plot_itpc_spectra(
            itc(espec), tagged_hz={"phrase": 1.5625, "unit": 3.125}, title="EEG (scalp)"
        ),
    )
    human = eeg_phrases.eeg_phrases_summary(spectra_list)

    streams = load_word_streams(eeg / "stimuli")
    estim = make_stimuli(
        "en",
        design="custom",
        streams=streams,
        sfreq=3.125,
        tagged_hz={"sentence": 0.78125, "phrase": 1.5625},
        trim=True,
        seed=cfg.seed,
    )
    mspec = cached(
        "model_spectra_eeg_streams",
        lambda: probe(
            mdl, tok, estim, layers=cfg.layers, batch_size=cfg.batch_size, progress=progress
        ),
    )
    res = align(mspec, espec, seed=cfg.seed)
    io.save(res, resdir / "alignment_eeg_scalp.nc", overwrite=True)
    summ = alignment_summary(res)
    # The phrase rate is the model's Nyquist bin: amplitude (not phase) is valid there, so the
    # model's response is the evoked-amplitude SNR, averaged over neurons per layer.
    model_snr = at_freq(snr(evoked_amplitude(mspec)), 1.5625).mean("neuron")
    fig("eeg_alignment", lambda: plot.plot_alignment(res, title="Model layers vs EEG (scalp)"))
    best = int(summ["best_layer"])
    rho_best = res["rho"].sel(layer=best)
    by_label = rho_best.groupby("label").mean() if "label" in rho_best.coords else rho_best
    fig(
        "eeg_topomap",
        lambda: plot.plot_topomap(
            by_label.rename({by_label.dims[0]: "channel"}),
            [str(c) for c in by_label[by_label.dims[0]].values],
            title=f"EEG (scalp): layer {best} ρ, mean over participants",
        ),
    )
    fig(
        "eeg_condition_response",
        lambda: plot.plot_condition_response(model_snr, human["phrase_itc"], freq=1.5625),
    )
    nums = {k: v for k, v in summ.items()}
    nums["tagging"] = eeg_tagging(espec, cfg, fig)

    # --- subjects as a random effect (the default for multi-subject data) --------------------
    # One comparison per participant and layer × electrode; sign-flip test across the 20
    # participants with maxT over layer × electrode; group mean with its CI; noise ceiling.
    nums["subject_level"] = _subject_level_numbers(res)
    fig("eeg_subject_alignment", lambda: plot.plot_subject_alignment(res, title=None))
    fig(
        "eeg_alignment_null", lambda: plot.plot_alignment_null(res, title="EEG: S(m,b) vs its null")
    )
    # ------------------------------------------------------------------------------------------

    nums["model_phrase_snr_by_layer_condition"] = {
        str(c): [round(float(v), 3) for v in model_snr.sel(condition=c).values]
        for c in model_snr["condition"].values
    }
    nums["human"] = {
        k: human[k]
        for k in ("modality", "phrase_itc", "syllable_peak_ratio", "paired")
        if k in human
    }
    return nums


def _subject_level_numbers(res) -> dict[str, Any]:
    """The random-effect numbers of a multi-subject alignment result (JSON-friendly)."""
    import numpy as np

    if "group_t" not in res:
        return {}
    t = np.asarray(res["group_t"].values, dtype=float)
    li, ci = np.unravel_index(int(np.nanargmax(t)), t.shape)
    nc = np.asarray(res["noise_ceiling"].values, dtype=float)
    return {
        "n_subjects": int(res.sizes["subjects"]),
        "cells": str(res.attrs.get("cell_by", "")),
        "n_cells": int(res.sizes["layer"] * res.sizes["cell"]),
        "n_flips": int(res.attrs.get("n_flips", 0)),
        "n_significant_fwe": int(res["group_significant"].sum()),
        "best_layer": res["layer"].values[li].item(),
        "best_cell": str(res["cell"].values[ci]),
        "best_rho": round(float(res["group_rho"].values[li, ci]), 4),
        "best_ci": [round(float(v), 4) for v in res["group_ci"].values[li, ci]],
        "best_t": round(float(t[li, ci]), 3),
        "best_p_uncorrected": float(res["group_p"].values[li, ci]),
        "best_p_fwe": float(res["group_p_fwe"].values[li, ci]),
        "noise_ceiling_best_cell": [round(float(v), 4) for v in nc[ci]],
        "noise_ceiling_median": [round(float(v), 4) for v in np.nanmedian(nc, axis=0)],
        "S": round(float(res["S"]), 4),
        "S_corrected": round(float(res["S_corrected"]), 4),
        "S_p": float(res["S_p"]),
    }
