"""The methods paragraph, generated from the parameters a run actually used, and the citations.

:func:`methods_paragraph` reads the attrs of the results (``find_tagged`` and ``align`` write every
parameter they used there: mode, measure, specificity test, permutations, neighbors, FDR level)
rather than assuming defaults, so the text always describes what was done. Each sentence has its
own builder in :data:`SENTENCES`; a builder returns None when its parameters are absent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from hftp._validation import check_type

__all__ = ["methods_paragraph", "methods_parts", "correction_text", "CITATIONS", "SENTENCES"]

#: The references every report carries (plain text; escaped when written).
CITATIONS = {
    "method": (
        "An et al. (2025). The Hierarchical Frequency Tagging Probe. NeurIPS 2025, "
        "arXiv:2510.13255. The method hftp implements."
    ),
    "tagging": (
        "Ding, Melloni, Zhang, Tian & Poeppel (2016). Cortical tracking of hierarchical "
        "linguistic structures in connected speech. Nature Neuroscience 19:158–164."
    ),
    "eeg": (
        "Burroughs, Kazanina & Houghton (2021). Grammar, lexical category and the neural "
        "processing of phrases. Scientific Reports 11. Data: Zenodo doi:10.5281/zenodo.4019709. "
        "The EEG (scalp) results use these data; cite the paper whenever they are used."
    ),
}

_LANGUAGES = {"en": "English", "zh": "Chinese"}

#: measure → the tagging test it selects (hftp.tagging.calibrated.TAG_TESTS)
_TAG_TEST_TEXT = {
    "evoked": "a neighbor-relative spectral F-test on the evoked (trial-averaged) spectrum",
    "itc": "a Rayleigh test of the per-trial phases (inter-trial coherence)",
}

#: specificity → the test against the control (hftp.tagging.calibrated.SPECIFICITY)
_SPECIFICITY_TEXT = {
    "welch": "a one-sided Welch t-test on the per-trial amplitudes (experiment > control)",
    "permutation": "a one-sided permutation test of condition labels over the pooled trials",
}


def _find(params: Mapping[str, Any], *keys: str, default: Any = None) -> Any:
    """The first of ``keys`` found at the top level of ``params``, else in nested dicts."""
    for k in keys:
        if k in params and params[k] is not None:
            return params[k]
    for v in params.values():
        if isinstance(v, Mapping):
            got = _find(v, *keys)
            if got is not None:
                return got
    return default


def _section(params: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    sub = params.get(name)
    return sub if isinstance(sub, Mapping) else params


def _hz(v: Any) -> str:
    try:
        return f"{float(v):g} Hz"
    except (TypeError, ValueError):
        return str(v)


def _num(v: Any) -> str:
    try:
        return f"{float(v):g}"
    except (TypeError, ValueError):
        return str(v)


def _tagged_hz_text(tagged_hz: Any) -> str | None:
    from hftp.spectral.accessor import tagged_dict

    try:
        levels = tagged_dict(tagged_hz)
    except (TypeError, ValueError):
        return tagged_hz if isinstance(tagged_hz, str) else None
    return (
        ", ".join(_hz(v) if k == f"{v:g} Hz" else f"{k} {_hz(v)}" for k, v in levels.items())
        or None
    )


def _listing(v: Any) -> str:
    if isinstance(v, str):
        if v.startswith("[") and v.endswith("]"):  # a list stored as text in netCDF attrs
            return ", ".join(x.strip(" '\"") for x in v[1:-1].split(","))
        return v
    if isinstance(v, Sequence):
        return ", ".join(map(str, v))
    return str(v)


def _model_sentence(p: Mapping[str, Any]) -> str | None:
    model = _find(p, "model", "model_id")
    if model is None:
        return None
    site = _find(p, "site")
    where = f" (module {site})" if site else ""
    pooling = _find(p, "pooling")
    pool = f"the {pooling}" if pooling else "the mean"
    return (
        f"Model: {model}. A neuron is one coordinate of the input to each layer's MLP "
        f"down-projection{where}, taken after the activation; a unit's response is {pool} over "
        "the tokens that overlap it."
    )


def _stimuli_sentence(p: Mapping[str, Any]) -> str | None:
    s = _section(p, "stimuli")
    lang = _find(s, "language")
    designs = _find(s, "designs", "design", "stimulus_design", "conditions")
    n_seq = _find(s, "n_sequences")
    rate = _find(s, "unit_rate_hz")
    tagged = _tagged_hz_text(_find(s, "tagged_hz"))
    if not any(v is not None for v in (lang, designs, n_seq, rate, tagged)):
        return None
    parts = []
    if lang is not None:
        parts.append(f"{_LANGUAGES.get(str(lang), str(lang))} unit streams")
    if designs is not None:
        parts.append(f"in the designs {_listing(designs)}")
    text = " ".join(["Stimuli:", *parts])
    extra = []
    if n_seq is not None:
        units = _find(s, "units_per_sequence")
        each = f" of {units} units" if units is not None else ""
        extra.append(f"{n_seq} sequences{each} (independent random orders) per condition")
    if rate is not None:
        extra.append(f"one unit every {1 / float(rate):g} s (unit rate {_hz(rate)})")
    if tagged:
        extra.append(f"tagged rates: {tagged}")
    return text + (("; " if parts else " ") + "; ".join(extra) if extra else "") + "."


def _paper_text(t: Mapping[str, Any]) -> str:
    n_perm = _find(t, "n_permutations", default=1000)
    pct = _find(t, "percentile", default=95)
    z = _find(t, "z_threshold", default=2)
    groups = _find(t, "n_groups", default=10)
    return (
        f"Stage 1 compares each neuron's evoked amplitude with the {_num(pct)}th percentile of "
        f"{n_perm} time-sample permutations; stage 2 splits the trials into {groups} groups and "
        f"keeps experiment-minus-control z > {_num(z)}. This mode has no multiple-comparison "
        "correction and is shown only for comparison with published numbers."
    )


def _calibrated_text(t: Mapping[str, Any], control: Any, q: Any) -> str:
    measure = str(_find(t, "measure", default="evoked"))
    tests = _find(t, "tests", "test")
    spec = _find(t, "specificity")
    n_perm = _find(t, "n_permutations")
    fdr = _find(t, "fdr", default="Benjamini–Hochberg")
    if tests:
        line = f"Tests: {_listing(tests)}"
    else:
        line = "Tests: " + _TAG_TEST_TEXT.get(measure, f"the {measure} test")
        nn, skip = _find(t, "n_neighbors"), _find(t, "skip")
        if measure == "evoked" and nn is not None:
            line += f" against {nn} neighbor bins per side"
            line += f", skipping {skip} adjacent" if skip else ""
    if control not in (None, "none"):
        spec_key = str(spec) if spec not in (None, "none") else None
        line += "; specificity against the control by " + (
            _SPECIFICITY_TEXT.get(spec_key, str(spec_key)) if spec_key else "a trial-level test"
        )
        if spec_key == "permutation" and n_perm:
            line += f" ({n_perm} permutations)"
    q_txt = _num(q) if q is not None else "0.05"
    return line + f"; {fdr} FDR at q = {q_txt} over all channels × frequencies, per family."


def _tagging_sentence(p: Mapping[str, Any]) -> str | None:
    t = _section(p, "tagging")
    mode = _find(t, "mode")
    q = _find(t, "q")
    if mode is None and q is None:
        return None
    cond = _find(t, "condition")
    control = _find(t, "control")
    head = f"Tagging: {mode or 'calibrated'} mode"
    if cond is not None:
        head += f" on the condition {cond}"
    if control not in (None, "none"):
        head += f" against the control {control}"
    head += "."
    body = _paper_text(t) if str(mode) == "paper" else _calibrated_text(t, control, q)
    return f"{head} {body}"


def _paper_sentence(p: Mapping[str, Any]) -> str | None:
    t = p.get("tagging_paper")
    if not isinstance(t, Mapping):
        return None
    return "Paper mode, for comparison: " + _paper_text(t)


def _baseline_sentence(p: Mapping[str, Any]) -> str | None:
    base = _find(p, "baseline", "untrained")
    if not base:
        return None
    what = (
        base
        if isinstance(base, str)
        else "an untrained copy of the model (same architecture, random weights)"
    )
    return (
        f"Baseline: {what}, probed identically; its profile is the lexical-regularity baseline "
        "shown beside the trained one, not a null."
    )


def correction_text(correction: Any, q: Any) -> str:
    """How an alignment's cells were corrected, in words: ``"maxT"`` or ``"bh"`` at ``q``.

    Parameters
    ----------
    correction : str
        The result's ``correction`` attr (``"maxT"`` or ``"bh"``).
    q : float
        The level (the result's ``q_level``).

    Returns
    -------
    str
        E.g. ``"family-wise p < 0.05 (maxT over the permutation maxima)"`` or
        ``"Benjamini–Hochberg FDR at q = 0.05"``.
    """
    level = _num(q if q is not None else 0.05)
    if str(correction).lower() == "bh":
        return f"Benjamini–Hochberg FDR at q = {level}"
    return f"family-wise p < {level} (maxT over the permutation maxima)"


def _one_rsa(r: Mapping[str, Any]) -> str:
    measure = r.get("measure", "evoked")
    bmeasure = r.get("brain_measure", "itc")
    metric = r.get("metric", "cosine")
    comp = {"spearman": "Spearman ρ", "kendall": "Kendall τ-a"}.get(
        str(r.get("comparison", "spearman")), str(r.get("comparison"))
    )
    neurons = r.get("tagged", "tagged neurons")
    txt = (
        f"one RDM over conditions per model layer ({neurons}; {measure}) and per channel "
        f"({bmeasure}), {metric} distance; RDMs compared by {comp} over the upper triangle only."
    )
    n_perm = r.get("n_permutations")
    if n_perm:
        kind = r.get("permutation", "")
        txt += f" Inference: {n_perm} {kind + ' ' if kind else ''}permutations of condition labels"
        if r.get("correction"):
            how = correction_text(r.get("correction"), r.get("q_level"))
            txt += f"; layer × channel cells significant at {how}."
        else:  # a result written before hftp recorded its correction
            txt += f"; cells at level {_num(r.get('q_level', 0.05))} (correction not recorded)."
    if r.get("top_k"):
        txt += f" S(m,b) and S(m,b_r) use the top {r['top_k']} channels per layer."
    if r.get("n_random"):
        txt += f" Random-neuron control: {r['n_random']} draws of matched counts per layer."
    subjects = str(r.get("subjects", ""))
    if subjects == "random-effect":
        flips = r.get("n_flips")
        how = (
            f"{flips} {r.get('flips', '')} sign flips".replace("  ", " ") if flips else "sign flips"
        )
        txt += (
            f" Subjects as a random effect ({how}, one mean ρ per {r.get('cell_by') or 'cell'}; "
            f"{correction_text(r.get('correction'), r.get('q_level'))} over layer × cell)."
        )
    elif r.get("n_boot") and (
        subjects == "pooled" or (not subjects and int(r.get("n_subjects", 2) or 0) > 1)
    ):
        level = r.get("ci_level")
        ci = f" ({_num(100 * float(level))}% percentile interval)" if level else ""
        txt += f" Subjects pooled; subject-level bootstrap of S: {r['n_boot']} resamples{ci}."
    return txt


#: the attrs that make two alignments' methods differ
_RSA_KEYS = tuple(
    "measure brain_measure metric comparison tagged n_permutations permutation correction "
    "q_level top_k n_random subjects n_flips flips cell_by n_boot ci_level".split()
)


def _rsa_sentence(p: Mapping[str, Any]) -> str | None:
    """One sentence per distinct set of alignment parameters, naming the results it covers."""
    runs = p.get("rsa_runs")
    if not (isinstance(runs, Mapping) and runs):
        r = p.get("rsa")
        runs = {"": r} if isinstance(r, Mapping) else {}
    groups: dict[tuple, list[str]] = {}
    attrs: dict[tuple, Mapping[str, Any]] = {}
    for name, r in runs.items():
        if not isinstance(r, Mapping):
            continue
        key = tuple(str(r.get(k)) for k in _RSA_KEYS)
        groups.setdefault(key, []).append(str(name))
        attrs.setdefault(key, r)
    if not groups:
        return None
    parts = []
    for key, names in groups.items():
        which = f" ({', '.join(n for n in names if n)})" if len(groups) > 1 else ""
        parts.append(f"Model–brain alignment (RSA){which}: {_one_rsa(attrs[key])}")
    return " ".join(parts)


def _brain_sentence(p: Mapping[str, Any]) -> str | None:
    """The brain data each result was built on, from the provenance the results carry."""
    data = p.get("brain_data")
    if not (isinstance(data, Mapping) and data):
        return None
    out = []
    for name, rec in data.items():
        if not isinstance(rec, Mapping):
            continue
        kind = rec.get("brain_source_kind", "unknown")
        what = rec.get("brain_modality") or "brain data"
        ds = rec.get("brain_dataset") or rec.get("brain_source") or "an unnamed data set"
        label = {"simulated": "simulated", "real": "real"}.get(str(kind), "of unrecorded origin")
        out.append(f"{name}: {what}, {label}, from {ds}")
    return ("Brain data (as the results record it): " + "; ".join(out) + ".") if out else None


def _data_sentences(p: Mapping[str, Any]) -> str | None:
    out = []
    if _find(p, "simulated_seeg", "simulated"):
        out.append(
            "Brain data (simulated): a simulated sEEG data set written by hftp.simulate_ieeg "
            "(BIDS iEEG, 1/f and line noise, planted responses; ground truth stored beside it). "
            "Every result from it is labelled simulated."
        )
    if _find(p, "eeg_scalp", "eeg"):
        out.append(
            "Brain data, EEG (scalp): the 20-participant 32-channel data set of Burroughs, "
            "Kazanina & Houghton (2021), six conditions of isochronous words at 3.125 Hz (phrase "
            "rate 1.5625 Hz); inter-trial phase coherence averaged over channels, then "
            "participants. This is scalp EEG, not intracranial."
        )
    return " ".join(out) or None


#: The methods paragraph's sentences, in order: name → builder(params) → text or None.
SENTENCES: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "model": _model_sentence,
    "stimuli": _stimuli_sentence,
    "tagging": _tagging_sentence,
    "tagging_paper": _paper_sentence,
    "baseline": _baseline_sentence,
    "rsa": _rsa_sentence,
    "brain": _brain_sentence,
    "data": _data_sentences,
}


def methods_paragraph(params: Mapping[str, Any]) -> str:
    """A methods paragraph generated from the parameters of a run.

    Parameters
    ----------
    params : dict
        Any of: ``model``, ``site``, ``pooling``; ``stimuli`` {language, designs, n_sequences,
        unit_rate_hz, tagged_hz}; ``tagging`` (the attrs of a ``find_tagged`` result: mode,
        condition, control, measure, specificity, q, n_permutations, n_neighbors, skip, and in
        paper mode percentile, z_threshold, n_groups); ``tagging_paper`` (the attrs of a
        paper-mode result run beside it); ``baseline`` (str or True); ``rsa`` (the
        attrs of an ``hftp.align`` result: measure, brain_measure, metric, comparison,
        n_permutations, permutation, correction, q_level, top_k, n_random, subjects, n_flips,
        n_boot, ci_level), or ``rsa_runs`` (result name → those attrs, one sentence per distinct
        set); ``brain_data`` (result name → its brain provenance: ``brain_source_kind``,
        ``brain_dataset``, ``brain_modality``);
        ``simulated_seeg`` and ``eeg_scalp`` (truthy when those data were used); ``seed``. Keys
        may sit at the top level or in those sections; missing ones are left out of the text.

    Returns
    -------
    str
        Plain text (not escaped).
    """
    return " ".join(text for _, text in methods_parts(params))


def methods_parts(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The methods paragraph in parts; see :func:`methods_paragraph`.

    Parameters
    ----------
    params : dict
        The run's parameters (as the demo records them, or read from result files).

    Returns
    -------
    list of (str, str)
        ``(name, text)``, one entry per :data:`SENTENCES` builder with something to say, then
        ``("software", ...)``.
    """
    check_type("params", params, Mapping, "a dict of the run's parameters")
    parts = [(name, s) for name, f in SENTENCES.items() if (s := f(params))]
    seed = _find(params, "seed")
    from hftp._version import __version__

    tail = f"Software: hftp {__version__}"
    tail += f", seed {seed}." if seed is not None else "."
    parts.append(("software", tail))
    return parts
