"""The whole pipeline on the defaults: stimuli → probe → tagging → brain → alignment → report.

``hftp demo`` and ``make demo`` call :func:`run_demo`. Its headline is the effect profile
(:mod:`hftp.apps.demo.effects`): how large the structure-specific response is per layer, with
intervals, raw, after the lexical baseline and in the untrained model. It writes, under ``out``:

- ``report.html``: every figure, the key numbers and a methods paragraph built from the parameters;
- ``figures/``: PNG and SVG files;
- ``results/``: netCDF files (spectra, tagging results, alignment results);
- ``summary.json``: the key numbers.

Every stage logs its progress; long loops show a progress bar.

Re-running into the same folder resumes (:mod:`hftp.apps.demo.folder`): a finished stage's
results are loaded instead of recomputed when the parameters match.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from hftp._validation import check_type
from hftp.apps.demo import checks, effects
from hftp.apps.demo.config import DemoConfig
from hftp.apps.demo.eeg import real_eeg
from hftp.apps.demo.folder import MARKER, finish_out, prepare_out

__all__ = ["run_demo", "planted_profile", "DEMO_DESIGNS", "PLANTED_REGION", "SIMULATED_ALIGN"]

logger = logging.getLogger("hftp")


#: The six model conditions of the demo: the paper's sentence/phrase design with its controls.
DEMO_DESIGNS = ("sentences", "within-shuffle", "random-words", "phrases", "category-alternation")


#: The random-words control of the category-matched designs' own words (their lexical baseline).
CATEGORY_WORDS = "category-random-words"

#: Neuron-bootstrap resamples of the effect profile's intervals.
N_BOOT = 1000

#: The simulated region that receives a model layer's condition profile (the known answer).
PLANTED_REGION = "IFG_L"
#: RSA settings for the simulated case: evoked amplitude on both sides, Euclidean RDMs, so that the
#: RDMs follow the amplitudes at the tagged bins rather than the many noise bins of the band.
SIMULATED_ALIGN = {"measure": "evoked", "brain_measure": "evoked", "metric": "euclidean"}


def planted_profile(spectra, layer: int, tagged=None) -> dict[str, dict[str, float]]:
    """A layer's condition profile, ready for ``simulate_ieeg(responses={region: profile})``.

    Parameters
    ----------
    spectra : xarray.Dataset
        Model Spectra, dims (condition, layer, neuron, freq).
    layer : int
        The layer whose profile is planted.
    tagged : xarray.Dataset, optional
        A ``find_tagged`` result; when given, only the layer's tagged neurons are averaged.

    Returns
    -------
    dict
        condition → level → amplitude in [0, 1]: the layer's mean evoked amplitude at each
        tagged bin above the median over all bins, scaled so that the largest is 1.
    """
    from hftp.spectral.measures import at_freq, evoked_amplitude

    ev = evoked_amplitude(spectra).sel(layer=layer)
    if tagged is not None:
        keep = (tagged["category"].sel(layer=layer) != "none").values
        if keep.any():
            ev = ev.isel(neuron=np.flatnonzero(keep))
    ev = ev.mean("neuron")
    levels = {lv: f for lv, f in spectra.hftp.tagged_hz.items() if lv in ("sentence", "phrase")}
    amps = {lv: at_freq(ev, f) for lv, f in levels.items()}
    floor = float(ev.median())
    top = max(float(a.max()) for a in amps.values()) - floor
    top = top if top > 0 else 1.0
    return {
        str(c): {lv: max(0.0, (float(a.sel(condition=c)) - floor) / top) for lv, a in amps.items()}
        for c in spectra["condition"].values
    }


def _find_eeg_dir(eeg_dir) -> Path | None:
    if eeg_dir is not None:  # an explicit folder is used as given (and skipped when absent)
        return Path(eeg_dir) if (Path(eeg_dir) / "ft").is_dir() else None
    cands = [os.environ.get("HFTP_EEG_PHRASES"), Path.cwd().parent / "shared/data/eeg-phrases"]
    for c in cands:
        if c and (Path(c) / "ft").is_dir():
            return Path(c)
    from hftp._validation import HftpError
    from hftp.datasets.eeg_phrases import fetch

    try:  # hftp's data cache, downloading the public deposit when it is reachable
        return fetch()
    except HftpError as exc:
        logger.warning("real EEG skipped: %s", exc)
        return None


class _Stage:
    """Log a stage with its index and elapsed time."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.i = 0
        self.t0 = time.perf_counter()

    def __call__(self, msg: str) -> None:
        self.i += 1
        logger.info(
            "[%d/%d] %s (%.0f s elapsed)", self.i, self.n, msg, time.perf_counter() - self.t0
        )


def run_demo(
    out: str | os.PathLike = "hftp-demo",
    *,
    quick: bool = False,
    model: str | None = None,
    config: DemoConfig | None = None,
    progress: bool = True,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Run the whole pipeline on the defaults and write the report.

    Parameters
    ----------
    out : path-like
        Output folder (created if missing).
    quick : bool
        Fewer sequences, for a run of a few minutes on a laptop CPU.
    model : str, optional
        A model name or local folder; default: the offline SmolLM2-135M-Instruct.
    config : DemoConfig, optional
        Full control over the parameters; overrides ``quick`` and ``model``.
    progress : bool
        Show progress bars.
    overwrite : bool
        Replace the contents of an existing ``out`` that is not a resumable run of the same
        parameters (or restart one that is). Default False.

    Returns
    -------
    summary : dict
        The key numbers, also written to ``out/summary.json``.
    """
    from hftp import io, plot
    from hftp.apps.report.render import build_report
    from hftp.brain.reading import read_subjects
    from hftp.brain.simulate import DEFAULT_RESPONSES, simulate_ieeg
    from hftp.brain.spectra import brain_spectra
    from hftp.models.load import load_model, untrained
    from hftp.models.probing import probe
    from hftp.rsa.alignment import align, alignment_summary
    from hftp.rsa.dissimilarity import rdms
    from hftp.spectral.splits import pool_splits
    from hftp.stimuli.generation import make_stimuli
    from hftp.tagging.pipeline import find_tagged
    from hftp.tagging.profile import (
        category_fractions,
        effect_curve,
        effect_profile,
        layer_profile,
    )

    cfg = config or DemoConfig(quick=quick, model=model)
    check_type("out", out, (str, os.PathLike), "a folder path")
    out = Path(out)
    progress_rec = prepare_out(out, cfg, overwrite)
    foreign = {"foreign": progress_rec.pop("foreign", {})}  # kept out of the marker
    figdir, resdir = out / "figures", out / "results"
    for d in (out, figdir, resdir):
        d.mkdir(parents=True, exist_ok=True)
    n_seq = cfg.resolved_n_sequences()
    if progress_rec["stages"]:
        logger.info("resuming %s: finished stages %s", out, ", ".join(progress_rec["stages"]))

    def cached(name: str, make: Callable[[], Any]):
        """Load ``results/<name>.nc`` when a previous run of these parameters finished it."""
        path = resdir / f"{name}.nc"
        if name in progress_rec["stages"] and path.is_file():
            return io.load(path)
        obj = make()
        io.save(obj, path, overwrite=True)
        progress_rec["stages"].append(name)
        io.write_json(out / MARKER, progress_rec)
        return obj

    stage = _Stage(10)
    figures: dict[str, Any] = {}
    numbers: dict[str, Any] = {}
    params: dict[str, Any] = {"quick": cfg.quick, "q": cfg.q, "seed": cfg.seed}

    def fig(name: str, make: Callable[[], Any]) -> None:
        import matplotlib.pyplot as plt

        f = make()
        figures[name] = plot.save_figure(f, figdir / name)
        plt.close(f)

    # 1. stimuli
    stage("stimuli: English sentences with controls")
    stim = make_stimuli(
        "en", design=list(DEMO_DESIGNS), n_sequences=n_seq, seed=cfg.seed, **cfg.stimulus_kwargs()
    )
    params["stimuli"] = {
        "language": stim.language,
        "designs": list(DEMO_DESIGNS),
        "conditions": stim.conditions,
        "n_sequences": n_seq,
        "units_per_sequence": int(stim.units.groupby("sequence").size().iloc[0]),
        "unit_rate_hz": stim.sfreq,
        "tagged_hz": stim.tagged_hz,
    }

    # 2. model + probe
    stage("model: loading" + (f" {cfg.model}" if cfg.model else " the offline default model"))
    mdl, tok = load_model(cfg.model)
    model_id = getattr(mdl.config, "_name_or_path", None) or "SmolLM2-135M-Instruct"
    params["model"] = str(
        cfg.model or "SmolLM2-135M-Instruct (offline GGUF, dequantised to float32)"
    )
    stage(f"probe: {stim.n_sequences} sequences through {mdl.config.num_hidden_layers} layers")
    # even and odd sequences are accumulated apart (replication); pooled, they are the full probe
    spectra_split = cached(
        "model_spectra",
        lambda: probe(
            mdl,
            tok,
            stim,
            layers=cfg.layers,
            batch_size=cfg.batch_size,
            split=True,
            progress=progress,
        ),
    )
    spectra = pool_splits(spectra_split)
    numbers["token_sharing"] = checks.token_sharing(spectra)

    # 3. tagging (calibrated and paper) + null check
    stage("tagging: calibrated statistics (F-test + specificity, BH-FDR) and paper mode")
    tagged = find_tagged(
        spectra_split, condition="sentences", control="within-shuffle", q=cfg.q, seed=cfg.seed
    )
    io.save(tagged, resdir / "tagged_calibrated.nc", overwrite=True)
    paper = find_tagged(
        spectra, condition="sentences", control="within-shuffle", mode="paper", seed=cfg.seed
    )
    io.save(paper, resdir / "tagged_paper.nc", overwrite=True)
    null = find_tagged(spectra, condition="random-words", q=cfg.q, seed=cfg.seed)
    prof = layer_profile(tagged)
    prof_paper = layer_profile(paper)
    numbers["calibrated_fraction_tagged"] = category_fractions(tagged)
    numbers["paper_fraction_tagged"] = category_fractions(paper)
    numbers["null_random_words_fraction_significant"] = {
        str(lv): float(null["significant"].sel(level=lv).mean()) for lv in null["level"].values
    }
    # the methods paragraph describes what the result records it did (mode, tests, permutations)
    params["tagging"] = {k: v for k, v in tagged.attrs.items() if isinstance(v, str | int | float)}
    params["tagging_paper"] = {k: v for k, v in paper.attrs.items() if isinstance(v, int | float)}

    # 4. untrained baseline
    stage("baseline: the same architecture with random weights (lexical-regularity baseline)")

    def probe_untrained():
        # the main contrast and its null are all the baseline is tested on
        fresh = untrained(mdl, seed=cfg.seed)
        main_stim = checks.subset(stim, checks.MAIN_CONDITIONS)
        return probe(
            fresh, tok, main_stim, layers=cfg.layers, batch_size=cfg.batch_size, progress=progress
        )

    spectra_u = cached("model_spectra_untrained", probe_untrained)
    tagged_u = find_tagged(
        spectra_u, condition="sentences", control="within-shuffle", q=cfg.q, seed=cfg.seed
    )
    io.save(tagged_u, resdir / "tagged_untrained.nc", overwrite=True)
    prof_u = layer_profile(tagged_u)
    numbers["untrained_fraction_tagged"] = category_fractions(tagged_u)

    # 5. what the fractions mean: replication, lexical baseline, contrasts, causal ablation
    stage("checks: replication, lexical baseline, phrases vs category alternation, ablation")
    numbers["beyond_lexical"], tagged_r = checks.beyond_lexical(
        mdl, tok, stim, spectra, tagged, tagged_u, null, cfg=cfg, cached=cached, progress=progress
    )
    prof = layer_profile(tagged, residual=tagged_r, untrained=tagged_u)
    # the headline: how large the structure-specific response is, where, with intervals
    eff = effects.effect_numbers(tagged, tagged_r, tagged_u, n_boot=N_BOOT, seed=cfg.seed)
    numbers["effect_profile"] = eff
    # ANAN vs AVAV draw other words than the sentences: their lexical baseline is fitted on a
    # random-words control of their own words
    cat_words = ("np-phrases", "category-alternation")

    def probe_category_residual():
        from hftp.stimuli.word_control import random_words_from

        both = random_words_from(
            checks.subset(stim, cat_words), cat_words, name=CATEGORY_WORDS, seed=cfg.seed + 3
        )
        return probe(
            mdl,
            tok,
            both,
            layers=cfg.layers,
            batch_size=cfg.batch_size,
            lexical_baseline=CATEGORY_WORDS,
            progress=progress,
        )

    cat_resid = None
    if set(cat_words) <= set(stim.conditions):
        cat_resid = cached("model_spectra_category_residual", probe_category_residual)
    numbers["category_contrast"] = effects.category_effect(
        spectra, residual=cat_resid, q=cfg.q, seed=cfg.seed, n_boot=N_BOOT
    )
    ranked = tagged_r if "effect_lower" in tagged_r else tagged
    peak = effects.peak_layers(eff, 5)
    numbers["ablation"], abl = effects.top_k_ablation(
        mdl, tok, ranked, peak, cfg=cfg, progress=progress
    )
    io.save(abl, resdir / "ablation.nc", overwrite=True)

    eprof = {
        k: effect_profile(r, n_boot=N_BOOT, seed=cfg.seed)
        for k, r in (("raw", tagged), ("residual", tagged_r), ("untrained", tagged_u))
    }
    for level, name in (("sentence", "effect_profile"), ("phrase", "effect_profile_phrase")):
        fig(
            name,
            lambda level=level: plot.plot_effect_profile(
                eprof["raw"],
                residual=eprof["residual"],
                untrained=eprof["untrained"],
                level=level,
                title=f"Effect size per layer, {level} rate (θ̂ in SD; δ = "
                f"{eff['setup']['min_effect']:g})",
            ),
        )
    fig(
        "effect_curve",
        lambda: plot.plot_effect_curve(effect_curve(tagged_r), title="After the lexical baseline"),
    )
    fig("layer_profile", lambda: plot.plot_layer_profile(prof, baseline=prof_u))
    fig("layer_profile_paper_mode", lambda: plot.plot_layer_profile(prof_paper))
    fig("trained_vs_untrained", lambda: plot.plot_trained_vs_untrained(prof, prof_u))
    fig("tagged_spectra", lambda: plot.plot_tagged_spectra(spectra, tagged, condition="sentences"))
    fig("ablation", lambda: plot.plot_ablation(abl))

    # 6. simulated sEEG
    stage("brain: simulated BIDS sEEG (labelled simulated) → spectra → responsive contacts")
    sim_dir = out / "simulated_ieeg"
    # Known answer for the alignment: one region carries a chosen layer's condition profile.
    layers = [int(v) for v in spectra["layer"].values]
    plant_layer = layers[(2 * len(layers)) // 3]
    planted = planted_profile(spectra, plant_layer, tagged=tagged)
    responses = {**DEFAULT_RESPONSES, PLANTED_REGION: planted}
    if sim_dir.exists():  # simulated afresh each run: it is quick and seeded
        import shutil

        shutil.rmtree(sim_dir)
    sim = simulate_ieeg(sim_dir, stim=stim, responses=responses, snr=1.0, seed=cfg.seed)
    numbers["simulated_planted"] = {"layer": plant_layer, "region": PLANTED_REGION}
    epochs = read_subjects(sim_dir)
    bspec = brain_spectra(epochs)
    io.save(bspec, resdir / "simulated_brain_spectra.nc", overwrite=True)
    btag = find_tagged(
        bspec, condition="sentences", control="within-shuffle", q=cfg.q, seed=cfg.seed
    )
    numbers["simulated_responsive_contacts"] = category_fractions(btag)
    numbers["simulated_ground_truth"] = str(getattr(sim, "truth_path", sim))

    # 7. alignment with the simulated sEEG
    stage("alignment: RSA of model layers against simulated contacts (exact permutations)")
    # Independent selection: neurons are tagged on another stimulus set (seed + 1) and the RDMs
    # are built from the main one, so selection cannot "win" the random-neuron control.
    stim_sel = make_stimuli(
        "en", list(DEMO_DESIGNS), n_seq, seed=cfg.seed + 1, **cfg.stimulus_kwargs()
    )
    spectra_sel = probe(
        mdl, tok, stim_sel, layers=cfg.layers, batch_size=cfg.batch_size, progress=progress
    )
    tagged_sel = find_tagged(
        spectra_sel, condition="sentences", control="within-shuffle", q=cfg.q, seed=cfg.seed
    )
    res = align(
        spectra,
        bspec,
        model_channels=tagged_sel,
        selection_spectra=spectra_sel,
        seed=cfg.seed,
        **SIMULATED_ALIGN,
    )
    io.save(res, resdir / "alignment_simulated.nc", overwrite=True)
    numbers["alignment_simulated"] = alignment_summary(res)
    params["alignment_selection"] = f"independent: tagged on stimulus seed {cfg.seed + 1}"
    fig("alignment_simulated", lambda: plot.plot_alignment(res))
    fig(
        "alignment_null_simulated",
        lambda: plot.plot_alignment_null(res, title="S(m,b) vs its null"),
    )
    fig("glass_brain_simulated", lambda: plot.plot_glass_brain(res))
    metric = SIMULATED_ALIGN["metric"]
    mr = rdms(spectra, tagged_sel, measure=SIMULATED_ALIGN["measure"], metric=metric)
    br = rdms(bspec, by="region", measure=SIMULATED_ALIGN["brain_measure"], metric=metric)
    best_layer = int(numbers["alignment_simulated"]["best_layer"])
    best_region = str(numbers["alignment_simulated"]["best_region"])
    best_layer = int(numbers["alignment_simulated"].get("best_region_layer", best_layer))
    fig(
        "rdm_panels_simulated",
        lambda: plot.plot_rdm_panels(mr, br, layer=best_layer, channel_or_region=best_region),
    )

    # 8. real EEG (scalp), when present
    eeg = _find_eeg_dir(cfg.eeg_dir)
    stage(
        "real EEG (scalp): eeg-phrases ITPC and model alignment"
        + ("" if eeg else " — data absent, skipped")
    )
    if eeg is not None:
        numbers["eeg_scalp"] = real_eeg(eeg, mdl, tok, cfg, resdir, fig, progress, cached)

    # 9. report
    stage("report: report.html and summary.json")
    params["rsa"] = {k: v for k, v in res.attrs.items() if isinstance(v, str | int | float)}
    summary = {
        "numbers": numbers,
        "params": params,
        "model_id": str(model_id),
        "provenance": io.provenance(),
    }
    io.write_json(out / "summary.json", summary)
    build_report(out, figures=figures, numbers=numbers, params=params)
    progress_rec["complete"] = True
    io.write_json(out / MARKER, progress_rec)
    finish_out(out, foreign)  # the manifest: what a later --overwrite may remove
    logger.info("done: %s (%.0f s)", out / "report.html", time.perf_counter() - stage.t0)
    return summary
