"""Human labels for the report: key → words, and numbers → short text.

:data:`LABELS` maps the keys of a run's numbers (``summary.json``) to the words a reader sees.
A key missing from it still gets readable words from :func:`label` (underscores become spaces,
known acronyms are capitalised), so no raw ``snake_case`` ever reaches the page. Add a key to
:data:`LABELS` when the automatic words read badly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["LABELS", "label", "fmt", "fmt_p", "pct", "as_number"]

#: key → human label (keys of the demo's numbers, of ``alignment_summary``, of the EEG summary)
LABELS: dict[str, str] = {
    # tagging
    "calibrated_fraction_tagged": "Tagged neurons, calibrated mode (fraction)",
    "paper_fraction_tagged": "Tagged neurons, paper mode (fraction)",
    "untrained_fraction_tagged": "Tagged neurons, untrained model (fraction)",
    "null_random_words_fraction_significant": "Null check: random words, fraction significant",
    "sentence": "Sentence rate only",
    "phrase": "Phrase rate only",
    "shared": "Both rates",
    "none": "Not tagged",
    "n_channels": "Channels tested",
    "n_units": "Channels tested",
    "mode": "Mode",
    "kind": "Kind",
    "simulated": "Simulated data",
    "data": "Data",
    "conditions": "Conditions",
    "token_sharing": "Units sharing a token with another unit (fraction per condition)",
    "beyond_lexical": "Beyond word identity: replication, lexical baseline, contrasts",
    "per_layer": "Per layer (fraction of neurons)",
    "overall": "All recorded layers (fraction of neurons)",
    "tagged_no_control": "Tagged (F-test, no control)",
    "significant": "Significant (tagged ∧ specific vs within-shuffle)",
    "replicated": "Replicated (split halves)",
    "residual_after_lexical_baseline": "Significant after the lexical baseline",
    "untrained": "Untrained model",
    "random_words_null": "Random-words null",
    "null_after_residual": "Null after the lexical residual",
    "phrases_vs_category_alternation": "Phrases vs category alternation (phrase rate)",
    "lexical_baseline": "Lexical baseline condition",
    "replication": "Replication",
    "n_layers": "Layers recorded",
    "ablation": "Causal ablation of the top neurons by effect_lower (real model)",
    "effect_profile": "Effect profile (θ̂ in SD; the headline)",
    "category_contrast": "Phrases vs category alternation: effect test (phrase rate)",
    "effect_median": "Median θ̂",
    "effect_p90": "90th percentile of θ̂",
    "effect_share": "Estimated share θ̂ > δ",
    "selective_share": "Share selective (tagged ∧ θ > δ, FDR)",
    "significant_share": "Share significant (power, not effect)",
    "per_condition": "Per condition (nats)",
    "intact": "Intact loss",
    "change": "Change",
    "null_mean": "Random sets: mean",
    "null_sd": "Random sets: SD",
    "contrast": "Contrast change (sentences − controls)",
    "contrast_null_mean": "Contrast, random sets: mean",
    "contrast_null_sd": "Contrast, random sets: SD",
    "contrast_z": "Contrast z",
    "contrast_p": "Contrast p (one-sided)",
    "n_random": "Random neuron sets",
    "n_neurons": "Neurons ablated",
    # simulated data
    "simulated_planted": "Planted answer (simulated)",
    "simulated_responsive_contacts": "Responsive contacts (simulated, fraction)",
    "simulated_ground_truth": "Ground-truth file (simulated)",
    "layer": "Layer",
    "region": "Region",
    # alignment (hftp.rsa.alignment.alignment_summary)
    "alignment_simulated": "Model–brain alignment (simulated sEEG)",
    "S": "Alignment score S",
    "S_p": "p (S, permutation)",
    "S_ci": "Confidence interval of S (subject bootstrap)",
    "S_random_p": "p (S against random neurons)",
    "n_permutations": "Permutations",
    "top_k": "Top channels per layer",
    "n_significant": "Layer × channel cells at q ≤ level",
    "best_layer": "Best layer",
    "best_layer_S": "S at the best layer",
    "best_layer_p": "p at the best layer",
    "best_region_layer": "Layer of the best layer × region cell",
    "best_region": "Best region",
    "best_region_rho": "ρ of the best layer × region cell",
    "best_region_p": "p of the best layer × region cell",
    "best_region_q": "q of the best layer × region cell",
    # real EEG
    "eeg_scalp": "EEG (scalp), real data",
    "model_phrase_snr_by_layer_condition": "Model phrase-rate SNR (layer × condition)",
    "human": "Human EEG (scalp)",
    "tagging": "Phrase-rate tagging, EEG (scalp)",
    "tagging.n_tests": "Tests (participants × channels)",
    "tagging.n_significant": "Significant (tagged and specific, BH)",
    "tagging.n_tagged": "Tagged (tagging test alone, BH)",
    "tagging.labels_significant": "Channels significant in at least one participant",
    "tagging.control_hz": "Control frequency (Hz)",
    "tagging.control_fraction_significant": "Significant at the control frequency (fraction)",
    "tagging.control_fraction_tagged": "Tagged at the control frequency (fraction)",
    # a key's words inside one parent: "parent.key"
    "null_random_words_fraction_significant.sentence": "Sentence rate",
    "null_random_words_fraction_significant.phrase": "Phrase rate",
    "simulated_planted.layer": "Layer planted",
    "simulated_planted.region": "Region planted",
    # figure titles
    "effect_profile_phrase": "Effect size per layer, phrase rate",
    "effect_curve": "Share above δ as a function of δ",
    "layer_profile": "Tagged neurons per layer",
    "layer_profile_paper_mode": "Tagged neurons per layer, paper mode",
    "trained_vs_untrained": "Trained versus untrained model",
    "tagged_spectra": "Spectra of the most tagged neurons",
    "glass_brain_simulated": "Contact-level similarity (simulated sEEG)",
    "rdm_panels_simulated": "RDMs of the best layer and region (simulated sEEG)",
    "eeg_itpc_spectra": "ITPC spectra, EEG (scalp)",
    "eeg_alignment": "Model–EEG alignment per layer and channel",
    "eeg_topomap": "Model–EEG similarity per channel",
    "eeg_tagging_topomap": "Phrase-rate tagging per channel, EEG (scalp)",
    "eeg_condition_response": "Phrase-rate response per condition, model and EEG (scalp)",
    "modality": "Modality",
    "phrase_itc": "Phrase-rate ITPC",
    "syllable_itc": "Syllable-rate ITPC",
    "syllable_peak_ratio": "Syllable-rate peak ratio (ITPC / neighbors)",
    "phrase_hz": "Phrase rate (Hz)",
    "syllable_hz": "Syllable rate (Hz)",
    "n_subjects": "Participants",
    "paired": "anan versus other conditions (paired tests)",
    "n": "Participants (paired)",
    "t": "t",
    "p_t": "p (one-sided paired t)",
    "p_t_two_sided": "p (two-sided paired t)",
    "p_wilcoxon": "p (one-sided Wilcoxon)",
    "mean_difference": "Mean difference",
}

_ACRONYMS = {
    "eeg": "EEG",
    "rdm": "RDM",
    "rdms": "RDMs",
    "itpc": "ITPC",
    "itc": "ITC",
    "seeg": "sEEG",
    "ieeg": "iEEG",
    "snr": "SNR",
    "rsa": "RSA",
    "ci": "CI",
    "fdr": "FDR",
    "svg": "SVG",
    "png": "PNG",
    "rho": "ρ",
    "n": "number of",
    "p": "p",
    "q": "q",
}


def label(key: Any, labels: Mapping[str, str] | None = None, parent: Any = None) -> str:
    """The human label of a key: ``labels``, then :data:`LABELS`, then words made from the key.

    Parameters
    ----------
    key : str
        A key of the numbers, or a figure name.
    labels : dict of str to str, optional
        Extra labels that take precedence.
    parent : str, optional
        The key of the dict that holds ``key``: ``"parent.key"`` is looked up first.

    Returns
    -------
    str
        E.g. ``"Tagged neurons, calibrated mode (fraction)"``; ``"mean_snr"`` → ``"Mean SNR"``;
        a key without an underscore (a condition or region name) is returned as it is.
    """
    key = str(key)
    for k in ([f"{parent}.{key}"] if parent is not None else []) + [key]:
        for table in (labels or {}, LABELS):
            if k in table:
                return table[k]
    if "_" not in key:  # a data name (condition, region, level): shown as it is
        return key
    words = key.replace("_", " ").replace("-", " - ").split()
    text = " ".join(_ACRONYMS.get(w.lower(), w) for w in words).replace(" - ", "-")
    text = text.replace("EEG scalp", "EEG (scalp)")
    return text[:1].upper() + text[1:] if text else key


def as_number(v: Any) -> float | None:
    """A value as a finite float, or None.

    Parameters
    ----------
    v : object
        A number, numeric text or anything else.

    Returns
    -------
    float or None
        ``float(v)`` when it converts and is finite; None for missing, NaN, infinite or
        non-numeric values (the findings then leave the number out).
    """
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def fmt(v: Any, digits: int = 3) -> str:
    """A value as short text: floats to ``digits`` significant digits, ints with separators.

    Parameters
    ----------
    v : object
        A number (numpy scalars too), a bool, None or anything else.
    digits : int
        Significant digits of a float. Default 3.

    Returns
    -------
    str
        E.g. ``"0.123"``, ``"12,345"``, ``"1.23e-04"``, ``"yes"``; ``"—"`` for None or NaN.
    """
    if isinstance(v, bool):
        return "yes" if v else "no"
    if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
        v = v.item()
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "—"
        if v != 0 and abs(v) < 1e-3:
            return f"{v:.{digits - 1}e}"
        return f"{v:.{digits}g}" if abs(v) < 1000 else f"{v:,.0f}"
    if v is None:
        return "—"
    return str(v)


def fmt_p(p: Any) -> str:
    """A p-value as text.

    Parameters
    ----------
    p : object
        The p-value.

    Returns
    -------
    str
        ``"p = 0.046"``, ``"p < 0.001"``, or ``"p = —"`` when missing.
    """
    x = as_number(p)
    if x is None:
        return "p = —"
    return "p < 0.001" if x < 1e-3 else f"p = {x:.3f}".rstrip("0").rstrip(".")


def pct(v: Any) -> str:
    """A fraction as a percentage.

    Parameters
    ----------
    v : object
        The fraction.

    Returns
    -------
    str
        0.1769 → ``"17.7%"`` (one decimal; two below 1%); ``"—"`` when missing.
    """
    x = as_number(v)
    if x is None:
        return "—"
    x *= 100
    return f"{x:.2f}%" if 0 < abs(x) < 1 else f"{x:.1f}%"
