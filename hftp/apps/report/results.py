"""Findings of the results: model tagging and its baselines, the null check, paper mode, the
simulated sEEG (contacts, known-answer recovery, alignment), the real scalp EEG (human ITPC,
alignment, tagging, participants as a random effect) and result files read by ``hftp report``.

Each builder reads one group of the run's numbers (``summary.json``'s ``numbers``) and returns
None when it is absent; they are registered in display order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from hftp.apps.report.findings import Finding, get, q_level, register_finding
from hftp.apps.report.labels import as_number, fmt, fmt_p, label, pct
from hftp.apps.report.methods import correction_text

__all__ = ["alignment_sentences"]


def _run(numbers: Mapping[str, Any], *path: str) -> Any:
    """:func:`get` for the demo's keys; entries read from result files (marked with ``kind``,
    see ``hftp report``) are left to the file builders, even when a file has the same name."""
    got = get(numbers, *path)
    return None if isinstance(got, Mapping) and got.get("kind") in _FILE_KINDS else got


_FILE_KINDS = ("tagging", "alignment", "spectra")


def _model_name(params: Mapping[str, Any]) -> str:
    name = get(params, "model") or get(params, "tagging", "model") or "the model"
    return str(name).split(" (")[0]


def _rate(params: Mapping[str, Any], level: str) -> str:
    from hftp.spectral.accessor import tagged_dict

    raw = get(params, "stimuli", "tagged_hz") or get(params, "tagging", "tagged_hz")
    try:
        hz = tagged_dict(raw).get(level)
    except (TypeError, ValueError):
        hz = None
    return f" ({hz:g} Hz)" if hz is not None else ""


def _category_parts(frac: Mapping[str, Any]) -> tuple[float, str]:
    """Tagged fraction (any category) and 'a at the sentence rate only, b ... and c at both'."""
    s, p, sh = (as_number(frac.get(k)) or 0.0 for k in ("sentence", "phrase", "shared"))
    none = as_number(frac.get("none"))
    total = 1.0 - none if none is not None else s + p + sh
    parts = f"{pct(s)} at the sentence rate only, {pct(p)} at the phrase rate only and {pct(sh)} at both"
    return total, parts


def _n_channels(frac: Mapping[str, Any]) -> str:
    raw = frac.get("n_channels", frac.get("n_units"))  # n_units: files written before 0.2
    n = None if isinstance(raw, bool) else as_number(raw)
    return f"the {fmt(int(n))} " if n is not None else ""


def _ci_text(summary: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    ci = summary.get("S_ci")
    if not (isinstance(ci, Sequence) and len(ci) == 2) or any(as_number(v) is None for v in ci):
        return ""
    level = as_number(get(params, "rsa", "ci_level")) or 0.95
    return f"{level * 100:g}% CI {fmt(ci[0])} to {fmt(ci[1])}, subject bootstrap; "


def alignment_sentences(
    summary: Mapping[str, Any], params: Mapping[str, Any], what: str, lead: str | None = None
) -> str:
    """Words for an ``alignment_summary`` dict: S with CI, p and null, best layer, FDR count.

    Parameters
    ----------
    summary : dict
        :func:`hftp.alignment_summary` of a result.
    params : dict
        The run's parameters (the RSA's CI and FDR levels).
    what : str
        The brain side, e.g. ``"sEEG"``.
    lead : str, optional
        The text's start instead of ``"Model–{what} alignment "``.

    Returns
    -------
    str
        Two or three sentences.
    """
    S = as_number(summary.get("S"))
    if S is None:
        return ""
    n_perm = summary.get("n_permutations") or get(params, "rsa", "n_permutations")
    kind = get(params, "rsa", "permutation", default="")
    perms = f" over {fmt(n_perm)} {kind + ' ' if kind else ''}permutations of condition labels"
    text = (
        f"{lead if lead is not None else f'Model–{what} alignment '}S = {fmt(S)} "
        f"({_ci_text(summary, params)}"
        f"{fmt_p(summary.get('S_p'))}{perms if n_perm else ''}"
    )
    if as_number(summary.get("S_random_p")) is not None:
        text += f"; against random neurons of matched count {fmt_p(summary['S_random_p'])}"
    text += ")."
    if summary.get("best_layer") is not None:
        text += (
            f" The best layer was {summary['best_layer']} (S = {fmt(summary.get('best_layer_S'))}, "
            f"{fmt_p(summary.get('best_layer_p'))})."
        )
    n_sig = summary.get("n_significant")
    if isinstance(n_sig, int):
        q = as_number(summary.get("q_level")) or as_number(get(params, "rsa", "q_level")) or 0.05
        corr = summary.get("correction") or get(params, "rsa", "correction")
        cells = "No layer × channel cell" if n_sig == 0 else f"{n_sig} layer × channel cells"
        verb = "was" if n_sig in (0, 1) else "were"
        text += f" {cells} {verb} significant at {correction_text(corr, q)}."
    return text


# ---------------------------------------------------------------------------------------------
# the demo's findings, in display order


@register_finding("model_tagging")
def _model_tagging(numbers, params):
    frac = _run(numbers, "calibrated_fraction_tagged")
    if not isinstance(frac, Mapping):
        return None
    total, parts = _category_parts(frac)
    text = (
        f"{pct(total)} of {_n_channels(frac)}MLP neurons of {_model_name(params)} were tagged at the "
        f"sentence{_rate(params, 'sentence')} or phrase rate{_rate(params, 'phrase')} "
        f"(calibrated mode, Benjamini–Hochberg FDR at q = {q_level(params):g}): {parts}."
    )
    return Finding(text, "real", "model", ("layer_profile", "tagged_spectra"))


@register_finding("untrained_baseline")
def _untrained_baseline(numbers, params):
    frac, base = (
        get(numbers, k) for k in ("calibrated_fraction_tagged", "untrained_fraction_tagged")
    )
    if not isinstance(base, Mapping):
        return None
    u, _ = _category_parts(base)
    text = (
        f"Baseline: an untrained copy of the same architecture (random weights; the "
        f"lexical-regularity baseline) had {pct(u)} of its neurons tagged"
    )
    if isinstance(frac, Mapping):
        t, _ = _category_parts(frac)
        text += f", so training adds {100 * (t - u):.1f} percentage points"
        text += f" ({t / u:.0f} times the baseline)." if u > 0 else "."
    else:
        text += "."
    return Finding(text, "real", "model", ("trained_vs_untrained", "layer_profile"))


@register_finding("null_check")
def _null_check(numbers, params):
    null = _run(numbers, "null_random_words_fraction_significant")
    if not isinstance(null, Mapping) or not null:
        return None
    q = q_level(params)
    rates = [f"{pct(v)} at the {lv} rate" for lv, v in null.items()]
    levels = " and ".join([", ".join(rates[:-1]), rates[-1]] if len(rates) > 1 else rates)
    worst = max(as_number(v) or 0.0 for v in null.values())
    verdict = (
        f", within the FDR level q = {q:g}."
        if worst <= q
        else f": above q = {q:g}, so the test is liberal on these data; read the tagged "
        "fractions with caution."
    )
    text = (
        "Null check: in the random-words condition, which has no sentence or phrase structure, "
        f"the share of neurons significant was {levels}{verdict}"
    )
    return Finding(text, "real", "model")


@register_finding("paper_mode")
def _paper_mode(numbers, params):
    frac = _run(numbers, "paper_fraction_tagged")
    if not isinstance(frac, Mapping):
        return None
    total, parts = _category_parts(frac)
    text = (
        f"For comparison with published numbers only, the paper's two-stage procedure (no "
        f"multiple-comparison correction) tagged {pct(total)}: {parts}."
    )
    return Finding(text, "real", "model", ("layer_profile_paper_mode",))


@register_finding("simulated_contacts")
def _simulated_contacts(numbers, params):
    frac = _run(numbers, "simulated_responsive_contacts")
    if not isinstance(frac, Mapping):
        return None
    total, parts = _category_parts(frac)
    of = f"{_n_channels(frac)}simulated contacts"
    text = (
        f"{pct(total)} of {of} were tagged (calibrated mode, Benjamini–Hochberg FDR at "
        f"q = {q_level(params):g}): {parts}."
    )
    return Finding(text, "simulated", "sEEG", ("glass_brain_simulated",))


@register_finding("simulated_recovery")
def _simulated_recovery(numbers, params):
    a, planted = _run(numbers, "alignment_simulated"), _run(numbers, "simulated_planted")
    if not (isinstance(a, Mapping) and isinstance(planted, Mapping)) or not a.get("best_region"):
        return None
    L, R = planted.get("layer"), planted.get("region")
    bl, br = a.get("best_region_layer"), a.get("best_region")
    hit = bl == L and br == R
    level = as_number(a.get("q_level")) or as_number(get(params, "rsa", "q_level")) or 0.05
    corr = str(a.get("correction") or get(params, "rsa", "correction", default="bh"))
    fwe = corr.lower() != "bh" and as_number(a.get("best_region_p_fwe")) is not None
    adj = as_number(a.get("best_region_p_fwe") if fwe else a.get("best_region_q"))
    adj_text = f"family-wise p = {fmt(adj)}" if fwe else f"q = {fmt(adj)}"
    text = (
        f"Known answer: layer {L}'s condition profile was planted in region {R}. The best layer × "
        f"region cell was layer {bl} × {br} (ρ = {fmt(a.get('best_region_rho'))}, "
        f"{fmt_p(a.get('best_region_p'))}, {adj_text}), so the planted cell was "
        + ("recovered" if hit else "not recovered")
    )
    if hit and adj is not None and adj > level:
        how = correction_text("maxT" if fwe else "bh", level)
        text += f", though it is not significant at {how} over layer × region"
    return Finding(text + ".", "simulated", "sEEG", ("alignment_simulated", "rdm_panels_simulated"))


@register_finding("simulated_alignment")
def _simulated_alignment(numbers, params):
    a = _run(numbers, "alignment_simulated")
    if not isinstance(a, Mapping) or as_number(a.get("S")) is None:
        return None
    return Finding(
        alignment_sentences(a, params, "sEEG"),
        "simulated",
        "sEEG",
        ("alignment_simulated", "glass_brain_simulated"),
    )


@register_finding("eeg_human")
def _eeg_human(numbers, params):
    human = _run(numbers, "eeg_scalp", "human")
    itc = get(human, "phrase_itc")
    if not isinstance(itc, Mapping) or not itc:
        return None
    hz = get(human, "phrase_hz", default=1.5625)
    text = f"Phrase-rate ({as_number(hz) or 1.5625:g} Hz) ITPC: " + ", ".join(
        f"{c} {fmt(v)}" for c, v in sorted(itc.items(), key=lambda kv: -(as_number(kv[1]) or 0))
    )
    text += "."
    tests = []
    for other, r in (get(human, "paired") or {}).items():
        if not isinstance(r, Mapping) or as_number(r.get("t")) is None:
            continue
        n = r.get("n")
        dz = f", d_z = {r['t'] / math.sqrt(n):.2f}" if isinstance(n, int) and n > 0 else ""
        tests.append(
            f"anan − {other} = {fmt(r.get('mean_difference'))} (t({n - 1 if n else '?'}) = "
            f"{r['t']:.2f}, one-sided {fmt_p(r.get('p_t'))}, Wilcoxon {fmt_p(r.get('p_wilcoxon'))}"
            f"{dz})"
        )
    if tests:
        text += " Paired across participants: " + "; ".join(tests) + "."
    return Finding(text, "real", "EEG (scalp)", ("eeg_itpc_spectra",))


@register_finding("eeg_alignment")
def _eeg_alignment(numbers, params):
    e = _run(numbers, "eeg_scalp")
    if not isinstance(e, Mapping) or as_number(e.get("S")) is None:
        return None
    return Finding(
        alignment_sentences(e, params, "EEG"),
        "real",
        "EEG (scalp)",
        ("eeg_alignment", "eeg_topomap"),
    )


@register_finding("eeg_tagging")
def _eeg_tagging(numbers, params):
    t = _run(numbers, "eeg_scalp", "tagging")
    if not isinstance(t, Mapping) or as_number(t.get("n_significant")) is None:
        return None
    labels = t.get("labels_significant") or []
    where = f" (channels: {', '.join(map(str, labels))})" if labels else ""
    n = as_number(t.get("n_tests"))
    tagged = as_number(t.get("n_tagged"))
    tagged_pct = f" = {pct(tagged / n)}" if n and tagged is not None else ""
    text = (
        f"Tagging at the {t.get('level')} rate ({round(as_number(t.get('freq')), 6)} Hz), "
        f"{t.get('condition')} against {t.get('control')}: {t.get('n_significant')} of "
        f"{t.get('n_tests')} participant × channel tests tagged and specific (one "
        f"Benjamini–Hochberg family at q = {fmt(t.get('q'))}){where}; "
        f"{t.get('n_tagged')}{tagged_pct} tagged by the tagging test alone."
    )
    ctrl_sig = as_number(t.get("control_fraction_significant"))
    if ctrl_sig is not None:
        ctrl_tag = as_number(t.get("control_fraction_tagged"))
        also = f", {pct(ctrl_tag)} tagged by the tagging test alone" if ctrl_tag is not None else ""
        text += (
            f" At the untagged control frequency {round(as_number(t.get('control_hz')), 6)} Hz, tested as its "
            f"own family (the false-tag rate): {pct(ctrl_sig)} tagged and specific{also}."
        )
    return Finding(text, "real", "EEG (scalp)", ("eeg_tagging_topomap",))


@register_finding("eeg_subject_level")
def _eeg_subject_level(numbers, params):
    g = _run(numbers, "eeg_scalp", "subject_level")
    if not isinstance(g, Mapping) or as_number(g.get("best_rho")) is None:
        return None
    lo, hi = (g.get("best_ci") or [None, None])[:2]
    nc_lo, nc_hi = (g.get("noise_ceiling_median") or [None, None])[:2]
    text = (
        f"Participants as a random effect (n = {g.get('n_subjects')}, sign flips with maxT over "
        f"{g.get('n_cells')} layer × electrode cells): {g.get('n_significant_fwe')} cells "
        f"significant family-wise. Best cell: layer {g.get('best_layer')} × {g.get('best_cell')}, "
        f"mean ρ = {fmt(g.get('best_rho'))} (95% CI {fmt(lo)} to {fmt(hi)}), "
        f"{fmt_p(g.get('best_p_uncorrected'))} uncorrected, family-wise "
        f"{fmt_p(g.get('best_p_fwe'))}. Noise ceiling (median over electrodes): "
        f"{fmt(nc_lo)} to {fmt(nc_hi)}."
    )
    return Finding(text, "real", "EEG (scalp)", ("eeg_subject_alignment", "eeg_alignment_null"))


@register_finding("eeg_condition_response")
def _eeg_condition_response(numbers, params):
    import numpy as np

    model = _run(numbers, "eeg_scalp", "model_phrase_snr_by_layer_condition")
    human = _run(numbers, "eeg_scalp", "human", "phrase_itc")
    if not isinstance(model, Mapping) or not isinstance(human, Mapping):
        return None
    conds = [c for c in model if c in human]
    if len(conds) < 3:
        return None
    m = np.array([np.nanmean(np.asarray(model[c], dtype=float)) for c in conds])
    h = np.array([float(human[c]) for c in conds])
    rank = lambda x: np.argsort(np.argsort(x))  # noqa: E731
    r = float(np.corrcoef(rank(m), rank(h))[0, 1])
    top_m, top_h = conds[int(np.argmax(m))], conds[int(np.argmax(h))]
    text = (
        f"Across the {len(conds)} conditions, the model's phrase-rate SNR (mean over layers) and "
        f"the human phrase-rate ITPC rank the conditions with Spearman ρ = {r:.2f} (descriptive; "
        f"no test over {len(conds)} conditions); largest response: {top_m} in the model, "
        f"{top_h} in the participants."
    )
    return Finding(text, "real", "model and EEG (scalp)", ("eeg_condition_response",))


# ---------------------------------------------------------------------------------------------
# results read from files (hftp report FILES): entries marked with "kind"


def _file_source(entry: Mapping[str, Any]) -> str:
    return "simulated" if entry.get("simulated") else "real"


@register_finding("tagging_files")
def _tagging_files(numbers, params):
    out = []
    for name, e in numbers.items():
        if not (isinstance(e, Mapping) and e.get("kind") == "tagging"):
            continue
        total, parts = _category_parts(e)
        mode = e.get("mode", "calibrated")
        text = f"{label(name)}: {pct(total)} of {_n_channels(e)}channels tagged ({mode} mode): {parts}."
        data = str(e.get("data", ""))
        out.append(Finding(text, _file_source(e), data, (f"{name}_profile",)))
    return out


@register_finding("alignment_files")
def _alignment_files(numbers, params):
    out = []
    for name, e in numbers.items():
        if not (isinstance(e, Mapping) and e.get("kind") == "alignment"):
            continue
        text = alignment_sentences(e, params, "brain", lead=f"{label(name)}: alignment ")
        out.append(Finding(text, _file_source(e), str(e.get("data", "")), (f"{name}_heatmap",)))
    return out
