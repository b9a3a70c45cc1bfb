"""Findings of the demo's checks (:mod:`hftp.apps.demo.checks`): what the tagged fractions mean.

Registered before the paper-mode finding, in this order: replication and the lexical baseline,
the category-matched contrast, tokenization, causal ablation. Each reads one group of the run's
numbers and returns None when it is absent.
"""

from __future__ import annotations

from collections.abc import Mapping

from hftp.apps.report import results as _results  # noqa: F401  (registers "paper_mode" first)
from hftp.apps.report.findings import Finding, get, q_level, register_finding
from hftp.apps.report.labels import as_number, fmt, fmt_p, pct

__all__: list[str] = []


def _range(per_layer: Mapping, key: str) -> tuple[float, float, str, str] | None:
    """(min, max, layer of min, layer of max) of one column over layers."""
    vals = {k: as_number(v.get(key)) for k, v in per_layer.items() if isinstance(v, Mapping)}
    vals = {k: v for k, v in vals.items() if v is not None}
    if not vals:
        return None
    lo, hi = min(vals, key=vals.get), max(vals, key=vals.get)
    return vals[lo], vals[hi], lo, hi


@register_finding("beyond_lexical", before="paper_mode")
def _beyond_lexical(numbers, params):
    g = get(numbers, "beyond_lexical")
    per_layer, overall = get(g, "per_layer"), get(g, "overall")
    if not isinstance(per_layer, Mapping) or not isinstance(overall, Mapping):
        return None
    q = q_level(params)
    sig, rep = as_number(overall.get("significant")), as_number(overall.get("replicated"))
    res = _range(per_layer, "residual_after_lexical_baseline")
    text = (
        f"Against the within-sentence shuffle, {pct(sig)} of the recorded neurons were significant"
    )
    if rep is not None:
        text += (
            f"; {pct(rep)} replicated on independent data (selected on the even sequences, "
            "confirmed on the odd ones)"
        )
    text += "."
    if res is not None:
        lo, hi, lo_l, hi_l = res
        resid = pct(overall.get("residual_after_lexical_baseline"))
        text += (
            " Tested again after a lexical baseline (each neuron's mean response to each word in "
            "random contexts subtracted, the baseline's estimation variance in the test), "
            f"{resid} were significant, from {pct(lo)} (layer {lo_l}) to {pct(hi)} (layer {hi_l}): "
            "at most this share can be credited to context and structure, since the residual "
            "still carries word order and transition predictability."
        )
    null, null_res = (
        as_number(overall.get(k)) for k in ("random_words_null", "null_after_residual")
    )
    if null is not None:
        worst = max(
            (as_number(v.get("random_words_null")) or 0.0 for v in per_layer.values()),
            default=0.0,
        )
        verdict = "within" if worst <= q else "above"
        text += (
            f" The random-words null was {pct(null)} (at most {pct(worst)} in any layer, "
            f"{verdict} q = {q:g})"
        )
        if null_res is not None:
            text += (
                f"; after the residual it was {pct(null_res)}, a weak check, as the baseline is "
                "fitted on those same trials"
            )
        text += "."
    return Finding(text, "real", "model", ("layer_profile",))


@register_finding("category_contrast", before="paper_mode")
def _category_contrast(numbers, params):
    g = get(numbers, "beyond_lexical")
    overall = get(g, "overall")
    per_layer = get(g, "per_layer")
    v = as_number(get(overall, "phrases_vs_category_alternation"))
    if v is None or not isinstance(per_layer, Mapping):
        return None
    rng = _range(per_layer, "phrases_vs_category_alternation")
    text = (
        "Category-matched contrast (phrases vs category alternation, ANAN vs AVAV: both alternate "
        f"word category at the phrase rate, only one forms phrases): {pct(v)} of neurons were "
        "tagged at the phrase rate and specific to phrases"
    )
    if rng is not None:
        text += f" ({pct(rng[0])} in layer {rng[2]} to {pct(rng[1])} in layer {rng[3]})"
    text += (
        ". The two designs draw different words, so this contrast is not lexically matched: "
        "where the nearly lexical first layer is as specific as deep ones, word differences "
        "rather than phrases explain it."
    )
    return Finding(text, "real", "model")


#: Token-sharing differences below this (a fraction of units) are not reported as a difference.
SHARING_TOLERANCE = 0.005


@register_finding("token_sharing", before="paper_mode")
def _token_sharing(numbers, params):
    from hftp.tagging.contrasts import CONTRASTS

    share = get(numbers, "token_sharing")
    if not isinstance(share, Mapping) or not share:
        return None
    vals = {k: v for k, v in ((k, as_number(v)) for k, v in share.items()) if v is not None}
    if not vals:
        return None
    listing = ", ".join(f"{k} {pct(v)}" for k, v in vals.items())
    text = f"Tokenization: the share of units sharing a token with another unit was {listing}"
    differ = [
        f"{c.condition} vs {c.control} ({pct(abs(vals[c.condition] - vals[c.control]))})"
        for c in CONTRASTS.values()
        if c.condition in vals
        and c.control in vals
        and abs(vals[c.condition] - vals[c.control]) > SHARING_TOLERANCE
    ]
    if differ:
        text += (
            f"; the conditions of {', '.join(differ)} differ, so those contrasts can carry a "
            "tokenization difference (unit-wise tokenization removes it)."
        )
    else:
        text += "; no contrast differs in token sharing between its conditions."
    return Finding(text, "real", "model")


@register_finding("ablation", before="paper_mode")
def _ablation(numbers, params):
    g = get(numbers, "ablation")
    c = as_number(get(g, "contrast"))
    if c is None:
        return None
    layers = ", ".join(map(str, sorted(get(g, "layers", default=[]))))
    n_random = as_number(get(g, "n_random"))
    sets = get(g, "sets")
    if isinstance(sets, Mapping) and sets:  # hftp 0.3: the top k by effect_lower
        null = get(g, "null", default="count")
        matched = "count and activation variance" if null == "matched-variance" else "count"
        parts = []
        for name, s in sets.items():
            own = get(s, "per_condition", default={})
            changes = ", ".join(
                f"{cond} {fmt(get(v, 'change'))} (null {fmt(get(v, 'null_mean'))} ± "
                f"{fmt(get(v, 'null_sd'))})"
                for cond, v in own.items()
                if isinstance(v, Mapping)
            )
            parts.append(
                f"{name} ({fmt(get(s, 'n_neurons'))} neurons): contrast {fmt(get(s, 'contrast'))} "
                f"nats against {fmt(get(s, 'contrast_null_mean'))} ± "
                f"{fmt(get(s, 'contrast_null_sd'))} (z = {fmt(get(s, 'contrast_z'))}, one-sided "
                f"{fmt_p(get(s, 'contrast_p'))}); each condition's own change: {changes}"
            )
        text = (
            "Causal ablation: the neurons with the largest lower bound of the effect "
            f"(effect_lower, after the lexical baseline) in layers {layers}, where selectivity "
            "peaks on the tagging stimuli, were mean-ablated on new stimuli; the change in the "
            "next-unit loss of sentences minus the controls was compared with "
            f"{fmt(n_random)} random sets of the same {matched} per layer. " + "; ".join(parts)
        )
    else:  # hftp 0.2's result: the sentence-tagged neurons
        sent = get(g, "per_condition", "sentences", default={})
        text = (
            f"Causal ablation: mean-ablating the {fmt(get(g, 'n_neurons'))} neurons tagged at "
            f"the sentence rate only (not shared with the phrase rate) in layers {layers} (on new "
            f"stimuli) changed the next-unit loss on sentences by {fmt(sent.get('change'))} nats"
            f" (random sets of the same count per layer: {fmt(sent.get('null_mean'))} ± "
            f"{fmt(sent.get('null_sd'))}, {fmt_p(sent.get('p'))}). On the key contrast, "
            f"sentences minus the controls, the change was {fmt(c)} nats against "
            f"{fmt(get(g, 'contrast_null_mean'))} ± {fmt(get(g, 'contrast_null_sd'))} for "
            f"{fmt(n_random)} random sets (z = {fmt(get(g, 'contrast_z'))}, one-sided "
            f"{fmt_p(get(g, 'contrast_p'))}"
        )
    if n_random:
        text += f"; the smallest p these sets can give is {fmt(1 / (n_random + 1))}"
    text += ")." if not isinstance(sets, Mapping) or not sets else "."
    return Finding(text, "real", "model", ("ablation",))
