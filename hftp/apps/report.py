"""The HTML report: figures, key numbers, a methods paragraph built from the parameters, citations.

:func:`build_report` writes ``out_dir/report.html`` atomically. Figures are linked by relative
paths (``figures/name.png``, with a link to the SVG), so the folder can be moved or zipped as a
whole. Every piece of text is HTML-escaped. :func:`methods_paragraph` turns the parameters of a run
into the methods text, so that the report always describes what was actually done.

Data from the simulator are labelled "simulated"; the real EEG data set is labelled "EEG (scalp)".
"""

from __future__ import annotations

import datetime as _dt
import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hftp._validation import InvalidTypeError, InvalidValueError, check_type

__all__ = ["build_report", "methods_paragraph", "CITATIONS"]

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

# Captions of the figures the demo makes; other names get a title from their name.
_CAPTIONS = {
    "layer_profile": (
        "Per-layer percentage of neurons tagged at the sentence rate, the phrase rate or both "
        "(calibrated mode). Hatched bars: the untrained model, the lexical-regularity baseline."
    ),
    "layer_profile_paper_mode": "The same profile with the paper's original two-stage procedure.",
    "trained_vs_untrained": "Percentage of tagged neurons per layer, trained versus untrained.",
    "tagged_spectra": "Spectra of the most tagged neurons; dashed lines mark the tagged rates.",
    "alignment_simulated": (
        "Simulated sEEG: model–brain RSA per layer and region; dots mark q < 0.05."
    ),
    "glass_brain_simulated": "Simulated sEEG: contact-level similarity at the best layer.",
    "rdm_panels_simulated": "Simulated sEEG: the RDM of the best layer beside the best region's.",
    "eeg_itpc_spectra": (
        "EEG (scalp): grand-average ITPC per condition (channels, then participants)."
    ),
    "eeg_alignment": "EEG (scalp): model–brain RSA per layer and channel; dots mark q < 0.05.",
    "eeg_topomap": "EEG (scalp): similarity per channel.",
    "eeg_condition_response": (
        "The model's phrase-rate response per condition beside the human one (EEG, scalp)."
    ),
}

_LANGUAGES = {"en": "English", "zh": "Chinese"}
_RASTER = (".png", ".jpg", ".jpeg", ".gif", ".webp")

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;
margin-top:1.8em}h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ddd;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#f4f4f4}td.num{text-align:right;
font-variant-numeric:tabular-nums}
figure{margin:1.2em 0 2em}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.92em;color:#444;margin-top:.3em}
.badge{display:inline-block;font-size:.75em;padding:.05em .5em;border-radius:.6em;margin-left:.4em;
vertical-align:middle;background:#e8e8e8}.badge.sim{background:#fde8c8}.badge.eeg{background:#d6eaf8}
.meta{color:#666;font-size:.9em}
"""


# ---------------------------------------------------------------------------------------------
# methods paragraph


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


def _tagged_text(tagged: Any) -> str | None:
    from hftp.spectral.accessor import tagged_dict

    try:
        levels = tagged_dict(tagged)
    except TypeError:
        return tagged if isinstance(tagged, str) else None
    return (
        ", ".join(_hz(v) if k == f"{v:g} Hz" else f"{k} {_hz(v)}" for k, v in levels.items())
        or None
    )


def _listing(v: Any) -> str:
    if isinstance(v, str):
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
    return (
        f"Model: {model}. A neuron is one coordinate of the input to each layer's MLP "
        f"down-projection{where}, taken after the activation; a unit's response is the mean over "
        "the tokens that overlap it."
    )


def _stimuli_sentence(p: Mapping[str, Any]) -> str | None:
    s = _section(p, "stimuli")
    lang = _find(s, "language")
    designs = _find(s, "designs", "design", "conditions")
    n_seq = _find(s, "n_sequences")
    rate = _find(s, "unit_rate_hz")
    tagged = _tagged_text(_find(s, "tagged_hz"))
    if not any(v is not None for v in (lang, designs, n_seq, rate, tagged)):
        return None
    parts = ["Stimuli:"]
    if lang is not None:
        parts.append(f"{_LANGUAGES.get(str(lang), str(lang))} unit streams")
    if designs is not None:
        parts.append(f"in the designs {_listing(designs)}")
    text = " ".join(parts)
    extra = []
    if n_seq is not None:
        extra.append(f"{n_seq} sequences (independent shuffles) per condition")
    if rate is not None:
        extra.append(f"one unit every {1 / float(rate):g} s (unit rate {_hz(rate)})")
    if tagged:
        extra.append(f"tagged rates: {tagged}")
    return text + ("; " + "; ".join(extra) if extra else "") + "."


def _tagging_sentence(p: Mapping[str, Any]) -> str | None:
    t = _section(p, "tagging")
    mode = _find(t, "mode")
    q = _find(t, "q")
    if mode is None and q is None:
        return None
    cond = _find(t, "condition")
    control = _find(t, "control")
    measure = _find(t, "measure")
    tests = _find(t, "tests", "test")
    spec = _find(t, "specificity")
    fdr = _find(t, "fdr", default="Benjamini–Hochberg")
    n_perm = _find(t, "n_permutations")
    out = [f"Tagging: {mode or 'calibrated'} mode"]
    if cond is not None:
        out[0] += f" on the condition {cond}"
    if control not in (None, "none"):
        out[0] += f" against the control {control}"
    out[0] += "."
    if str(mode) == "paper":
        out.append(
            "Stage 1 compares each neuron's evoked amplitude with the 95th percentile of 1000 "
            "time-sample permutations; stage 2 keeps experiment-minus-control z > 2. This mode has "
            "no multiple-comparison correction and is shown only for comparison."
        )
    else:
        test_txt = (
            _listing(tests)
            if tests
            else "a neighbour-relative spectral F-test on the evoked spectrum"
            + (f" of the {measure}" if measure and measure != "evoked" else "")
        )
        line = f"Tests: {test_txt}"
        if control not in (None, "none"):
            line += f"; specificity against the control by {spec or 'a trial-level test'}"
            if n_perm:
                line += f" ({n_perm} permutations)"
        line += f"; {fdr} FDR at q = {q if q is not None else 0.05} over all units × frequencies."
        out.append(line)
    return " ".join(out)


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


def _rsa_sentence(p: Mapping[str, Any]) -> str | None:
    r = p.get("rsa")
    if not isinstance(r, Mapping):
        return None
    measure = r.get("measure", "evoked")
    bmeasure = r.get("brain_measure", "itc")
    metric = r.get("metric", "cosine")
    comp = {"spearman": "Spearman ρ", "kendall": "Kendall τ-a"}.get(
        str(r.get("comparison", "spearman")), str(r.get("comparison"))
    )
    units = r.get("tagged", "tagged neurons")
    txt = (
        f"Model–brain alignment (RSA): one RDM over conditions per model layer ({units}; "
        f"{measure}) and per channel ({bmeasure}), {metric} distance; RDMs compared by {comp} "
        "over the upper triangle only."
    )
    n_perm = r.get("n_permutations")
    if n_perm:
        kind = r.get("permutation", "")
        txt += f" Inference: {n_perm} {kind + ' ' if kind else ''}permutations of condition labels"
        txt += f", Benjamini–Hochberg FDR over layer × channel at q = {r.get('q_level', 0.05)}."
    if r.get("top_k"):
        txt += f" S(m,b) and S(m,b_r) use the top {r['top_k']} channels per layer."
    if r.get("n_random"):
        txt += f" Random-neuron control: {r['n_random']} draws of matched counts per layer."
    if r.get("n_boot") and int(r.get("n_subjects", 2) or 0) > 1:
        txt += f" Subject-level bootstrap: {r['n_boot']} resamples."
    return txt


def _data_sentences(p: Mapping[str, Any]) -> list[str]:
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
    return out


_SENTENCES = (
    _model_sentence,
    _stimuli_sentence,
    _tagging_sentence,
    _baseline_sentence,
    _rsa_sentence,
)


def methods_paragraph(params: Mapping[str, Any]) -> str:
    """A methods paragraph generated from the parameters of a run.

    Parameters
    ----------
    params : dict
        Any of: ``model``, ``site``; ``stimuli`` {language, designs, n_sequences, unit_rate_hz,
        tagged_hz}; ``tagging`` {mode, condition, control, measure, tests, specificity, q, fdr,
        n_permutations}; ``baseline`` (str or True); ``rsa`` (the attrs of an ``hftp.align``
        result: measure, brain_measure, metric, comparison, n_permutations, permutation,
        q_level, top_k, n_random, n_boot); ``simulated_seeg`` and ``eeg_scalp`` (truthy when
        those data were used); ``seed``. Keys may sit at the top level or in those sections;
        missing ones are left out of the text.

    Returns
    -------
    str
        Plain text (not escaped).
    """
    check_type("params", params, Mapping, "a dict of the run's parameters")
    parts = [s for f in _SENTENCES if (s := f(params))]
    parts += _data_sentences(params)
    seed = _find(params, "seed")
    from hftp import __version__

    tail = f"Analysis with hftp {__version__}"
    tail += f", seed {seed}." if seed is not None else "."
    parts.append(tail)
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# HTML


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}"
    if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
        return _fmt(v.item())
    if isinstance(v, list | tuple):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def _flatten(d: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            rows += _flatten(v, key + " · ")
        else:
            rows.append((key, v))
    return rows


def _numbers_html(numbers: Mapping[str, Any]) -> str:
    flat = [(k, v) for k, v in numbers.items() if not isinstance(v, Mapping)]
    nested = [(k, v) for k, v in numbers.items() if isinstance(v, Mapping)]
    out = []

    def table(rows):
        body = "".join(
            f'<tr><th scope="row">{_e(k)}</th><td class="num">{_e(_fmt(v))}</td></tr>'
            for k, v in rows
        )
        return f"<table>{body}</table>"

    if flat:
        out.append(table(flat))
    for k, v in nested:
        out.append(f"<h3>{_e(_label(k))}{_badges(k)}</h3>")
        out.append(table(_flatten(v)))
    return "\n".join(out) if out else "<p>No numbers were given.</p>"


def _label(name: str) -> str:
    words = str(name).replace("_", " ").strip().split()
    text = " ".join(_ACRONYMS.get(w.lower(), w) for w in words)
    text = text.replace("EEG scalp", "EEG (scalp)")
    return text[:1].upper() + text[1:]


_ACRONYMS = {
    "eeg": "EEG",
    "rdm": "RDM",
    "rdms": "RDMs",
    "itpc": "ITPC",
    "itc": "ITC",
    "seeg": "sEEG",
}


def _badges(name: str) -> str:
    n = str(name).lower()
    out = ""
    if "simulated" in n:
        out += '<span class="badge sim">simulated</span>'
    if "eeg" in n and "scalp" not in n and "seeg" not in n:
        out += '<span class="badge eeg">EEG (scalp)</span>'
    return out


def _figure_files(name: str, value: Any) -> list[Path]:
    if isinstance(value, str | os.PathLike):
        files = [Path(value)]
    elif isinstance(value, Mapping):
        files = [Path(v) for v in value.values()]
    elif isinstance(value, Sequence):
        files = [Path(v) for v in value]
    else:
        raise InvalidTypeError(
            f"Invalid type for 'figures'[{name!r}]: expected a path, a list of paths (e.g. what "
            f"hftp.plot.save_figure returns) or a dict format → path; got {type(value).__name__}."
        )
    missing = [str(f) for f in files if not f.is_file()]
    if missing or not files:
        raise InvalidValueError(
            f"Invalid value for 'figures'[{name!r}]: file(s) not found: {missing or 'none given'}. "
            "Save the figure first with hftp.plot.save_figure."
        )
    return files


def _png_width(path: Path) -> int | None:
    """Pixel width from a PNG header (None for other formats or a malformed file)."""
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big")


def _rel(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


def _figure_html(name: str, files: list[Path], root: Path, caption: str | None) -> str:
    raster = [f for f in files if f.suffix.lower() in _RASTER]
    vector = [f for f in files if f.suffix.lower() in (".svg", ".pdf")]
    shown = (raster or [f for f in files if f.suffix.lower() == ".svg"] or files)[0]
    px = _png_width(shown)
    # figures are saved at 200 dpi: show them at about their printed size, never upscaled
    width = f' width="{px // 2}"' if px else ""
    text = caption or _CAPTIONS.get(name, "")
    links = " ".join(
        f'<a href="{_e(_rel(f, root))}">{_e(f.suffix.lstrip(".").upper())}</a>' for f in vector
    )
    return (
        f'<figure id="fig-{_e(name)}">'
        f'<img src="{_e(_rel(shown, root))}"{width} alt="{_e(_label(name))}" loading="lazy">'
        f"<figcaption><strong>{_e(_label(name))}</strong>{_badges(name)}"
        f"{'. ' + _e(text) if text else ''}{' — ' + links if links else ''}</figcaption></figure>"
    )


def build_report(
    out_dir: str | os.PathLike,
    figures: Mapping[str, Any],
    numbers: Mapping[str, Any],
    params: Mapping[str, Any],
    notes: str | Sequence[str] | None = None,
    *,
    title: str = "hftp report",
    captions: Mapping[str, str] | None = None,
) -> Path:
    """Write ``out_dir/report.html``: key numbers, every figure, methods and citations.

    Parameters
    ----------
    out_dir : path-like
        Report folder (created if missing). Figures are linked relative to it.
    figures : dict of str to path, list of paths, or dict format → path
        One entry per figure, in display order, e.g. the output of ``hftp.plot.save_figure``
        (``[figures/x.png, figures/x.svg]``). The PNG is shown, the SVG linked. Names containing
        "simulated" get a "simulated" label, names containing "eeg" an "EEG (scalp)" label.
    numbers : dict
        The key numbers (e.g. ``summary.json``'s); nested dicts become sub-tables.
    params : dict
        The run's parameters; see :func:`methods_paragraph`.
    notes : str or list of str, optional
        Closing notes, one paragraph each.
    title : str
        Page title. Default ``"hftp report"``.
    captions : dict of str to str, optional
        Captions by figure name (the demo's figures have defaults).

    Returns
    -------
    Path
        ``out_dir/report.html``.
    """
    from hftp import __version__
    from hftp.io import write_text

    check_type("out_dir", out_dir, (str, os.PathLike), "a folder path")
    check_type("figures", figures, Mapping, "a dict figure name → path(s)")
    check_type("numbers", numbers, Mapping, "a dict of key numbers")
    check_type("params", params, Mapping, "a dict of the run's parameters")
    check_type("title", title, str, "a string")
    if captions is not None:
        check_type("captions", captions, Mapping, "a dict figure name → caption")
    if isinstance(notes, str):
        notes = [notes]
    elif notes is not None:
        check_type("notes", notes, Sequence, "a string or a list of strings")
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    files = {str(k): _figure_files(str(k), v) for k, v in figures.items()}

    names = " ".join([*files, *map(str, numbers)]).lower()
    p = dict(params)
    if "simulated" in names:
        p.setdefault("simulated_seeg", True)
    if "eeg" in names:
        p.setdefault("eeg_scalp", True)
    if "untrained" in names:
        p.setdefault("baseline", True)
    methods = methods_paragraph(p)
    caps = dict(captions or {})
    figs_html = "\n".join(_figure_html(n, f, root, caps.get(n)) for n, f in files.items())
    cites = "".join(f"<li>{_e(c)}</li>" for c in CITATIONS.values())
    notes_html = "".join(f"<p>{_e(n)}</p>" for n in (notes or []))
    toc = " · ".join(f'<a href="#fig-{_e(n)}">{_e(_label(n))}</a>' for n in files)
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>{_e(title)}</h1>
<p class="meta">Hierarchical Frequency Tagging Probe · hftp {_e(__version__)} · {_e(now)}</p>
<h2>Key numbers</h2>
{_numbers_html(numbers)}
<h2>Figures</h2>
<p class="meta">{toc}</p>
{figs_html or "<p>No figures.</p>"}
<h2>Methods</h2>
<p>{_e(methods)}</p>
{"<h2>Notes</h2>" + notes_html if notes_html else ""}
<h2>Data and citation</h2>
<ul>{cites}</ul>
<p class="meta">Results from the simulator are labelled <em>simulated</em>; results from the real
EEG data set are labelled <em>EEG (scalp)</em>.</p>
</body>
</html>
"""
    return write_text(root / "report.html", page, name="out_dir")
