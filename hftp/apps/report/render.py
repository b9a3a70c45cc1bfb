"""The HTML page: findings, then figures with captions, methods, references, then all numbers.

:func:`build_report` writes ``out_dir/report.html`` atomically. Figures are embedded in it
(``data:`` URIs), so the single file is complete; the SVGs in ``figures/`` are linked beside them.
Every piece of text is HTML-escaped. The findings come from the registry in
:mod:`hftp.apps.report.findings`; the numbers are shown last, in collapsible tables with the human
labels of :mod:`hftp.apps.report.labels`.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hftp._validation import InvalidTypeError, InvalidValueError, check_type
from hftp.apps.report.findings import Finding, collect_findings
from hftp.apps.report.labels import fmt, label
from hftp.apps.report.methods import CITATIONS, correction_text, methods_parts

__all__ = ["build_report", "CAPTIONS"]

#: Captions of the demo's figures; other names get only their title.
CAPTIONS = {
    "effect_profile": (
        "The headline: per layer, the structure-specific amplitude θ̂ at the sentence rate (in SDs "
        "of each neuron's activity; median and 90th percentile with 95% neuron-bootstrap bands, "
        "the δ line) and the share of neurons with θ̂ > δ (band) and selective (markers, binomial "
        "intervals). Dotted: after the lexical baseline (the syntax estimate); dashed grey: the "
        "untrained model."
    ),
    "effect_profile_phrase": "The same effect profile at the phrase rate.",
    "effect_curve": (
        "After the lexical baseline: the share of each layer's neurons with θ̂ > δ (solid) and "
        "selective (dashed) as a function of δ."
    ),
    "layer_profile": (
        "Per-layer percentage of neurons significant (tagged and different from the control at "
        "all: a measure of power, not of effect) at the sentence rate, the phrase rate or both "
        "(calibrated mode). Hatched bars: the untrained model, the lexical-regularity baseline. "
        "Diamonds: replicated on independent halves of the trials; where drawn, the residual "
        "after the lexical baseline (per-word means in random contexts subtracted)."
    ),
    "ablation": (
        "Next-unit loss change when the top neurons by effect_lower of the peak layers are "
        "mean-ablated (marker) against random neuron sets of the same count and activation "
        "variance per layer (distribution), per condition and for the contrast sentences minus "
        "controls."
    ),
    "layer_profile_paper_mode": "The same profile with the paper's original two-stage procedure.",
    "trained_vs_untrained": "Percentage of tagged neurons per layer, trained versus untrained.",
    "tagged_spectra": "Evoked amplitude spectra; dashed lines mark the tagged rates.",
    "alignment_simulated": (
        "Model–brain RSA per layer and region; dots mark cells significant at {correction}; "
        "neurons selected on an independent stimulus set."
    ),
    "alignment_null_simulated": "S(m,b) over its permutation and random-neuron nulls.",
    "glass_brain_simulated": "Contact-level similarity at the best layer.",
    "rdm_panels_simulated": "The RDM of the best layer beside the best region's.",
    "eeg_itpc_spectra": "Grand-average ITPC per condition (channels, then participants).",
    "eeg_alignment": (
        "Model–brain RSA per layer and channel, pooled over participants; dots mark cells "
        "significant at {correction}."
    ),
    "eeg_subject_alignment": (
        "Participants as a random effect at the best layer: mean ρ per electrode with its 95% CI, "
        "each participant, the noise ceiling; stars: significant at {correction}."
    ),
    "eeg_alignment_null": "S(m,b) over its permutation null.",
    "eeg_topomap": "Similarity per channel at the best layer.",
    "eeg_tagging_topomap": (
        "Phrase-rate tagging, anan against avav: the amplitude SNR in anan per channel, mean "
        "over participants; white circles mark channels significant (tagged and specific, one "
        "Benjamini–Hochberg family over participants × channels) in at least one participant."
    ),
    "eeg_condition_response": "The model's phrase-rate response per condition beside the human one.",
}

_RASTER = (".png", ".jpg", ".jpeg", ".gif", ".webp")

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1000px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;
margin-top:1.8em}
ol.findings{padding-left:1.4em}ol.findings li{margin:.2em 0 .8em;padding-left:.3em}
.figref{white-space:nowrap;font-size:.92em}
table{border-collapse:collapse;margin:.4em 0 .8em}td,th{border:1px solid #ddd;padding:.2em .55em;
text-align:left;vertical-align:top}th{background:#f6f6f6;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}th.idx{color:#777;font-weight:400}
table.inner{margin:0}table.inner td,table.inner th{font-size:.92em}
details{border:1px solid #e3e3e3;border-radius:.3em;padding:.3em .8em;margin:.5em 0}
details[open]{padding-bottom:.6em}summary{cursor:pointer;font-weight:600}
h4.sub,h5.sub{margin:.9em 0 .2em;font-size:.95em}h5.sub{font-weight:500;font-style:italic}
figure{margin:1.2em 0 2.2em}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.93em;color:#333;margin-top:.35em}
.badge{display:inline-block;font-size:.72em;padding:.05em .55em;border-radius:.6em;margin-right:.4em;
vertical-align:.1em;background:#e4f2e4;font-weight:600;white-space:nowrap}
.badge.simulated{background:#fde3bf}
.meta{color:#666;font-size:.9em}.methods{font-size:.95em;margin:.4em 0}
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


# ---------------------------------------------------------------------------------------------
# figures


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


_MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}


def _data_uri(path: Path) -> str:
    """The figure's bytes as a ``data:`` URI: report.html alone holds every figure."""
    import base64

    mime = _MIME.get(Path(path).suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _rel(path: Path, root: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), root.resolve())).as_posix()


def _source_of(name: str) -> tuple[str, str]:
    """(source, data) of a figure or number group, from its name."""
    n = name.lower()
    if "simulated" in n:
        return "simulated", "sEEG" if "seeg" in n or "brain" in n or "alignment" in n else ""
    if n.startswith("eeg") or "eeg_scalp" in n:
        return "real", "EEG (scalp)"
    return "real", "model"


def _group_source(name: str, entry: Mapping[str, Any]) -> tuple[str, str]:
    """(source, data) of a number group: its own "simulated"/"data" fields, else its name."""
    if "simulated" in entry:
        return ("simulated" if entry["simulated"] else "real"), str(entry.get("data", ""))
    return _source_of(name)


def _badge(source: str, data: str = "") -> str:
    text = f"{source} · {data}" if data else source
    return f'<span class="badge {_e(source)}">{_e(text)}</span>'


def _figure_html(
    name: str,
    number: int,
    files: list[Path],
    root: Path,
    caption: str,
    labels: Mapping,
    source: tuple[str, str],
) -> str:
    raster = [f for f in files if f.suffix.lower() in _RASTER]
    vector = [f for f in files if f.suffix.lower() in (".svg", ".pdf")]
    shown = (raster or [f for f in files if f.suffix.lower() == ".svg"] or files)[0]
    px = _png_width(shown)
    # figures are saved at 200 dpi: show them at about their printed size, never upscaled
    width = f' width="{px // 2}"' if px else ""
    links = " ".join(
        f'<a href="{_e(_rel(f, root))}">{_e(f.suffix.lstrip(".").upper())}</a>' for f in vector
    )
    title = label(name, labels)
    return (
        f'<figure id="fig-{_e(name)}">'
        f'<img src="{_data_uri(shown)}"{width} alt="{_e(title)}">'
        f"<figcaption>{_badge(*source)}<strong>Figure {number}. {_e(title)}.</strong>"
        f"{' ' + _e(caption) if caption else ''}{' — ' + links if links else ''}</figcaption>"
        "</figure>"
    )


# ---------------------------------------------------------------------------------------------
# findings


def _findings_html(found: list[tuple[str, Finding]], fig_numbers: Mapping[str, int]) -> str:
    if not found:
        return "<p>No finding could be stated from these numbers; see the tables below.</p>"
    items = []
    for _, f in found:
        refs = [
            f'<a href="#fig-{_e(n)}">Fig. {fig_numbers[n]}</a>'
            for n in f.figures
            if n in fig_numbers
        ]
        ref = f' <span class="figref">({", ".join(refs)})</span>' if refs else ""
        items.append(f"<li>{_badge(f.source, f.data)}{_e(f.text)}{ref}</li>")
    return '<ol class="findings">' + "".join(items) + "</ol>"


# ---------------------------------------------------------------------------------------------
# numbers


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool) or getattr(v, "ndim", 1) == 0


def _num_list(v: Any) -> bool:
    return isinstance(v, list | tuple) and all(_scalar(x) and not isinstance(x, str) for x in v)


def _value_html(key: str, v: Any, root: Path) -> str:
    if isinstance(v, str) and v and Path(v).is_file():
        return f'<a href="{_e(_rel(Path(v), root))}">{_e(Path(v).name)}</a>'
    if _num_list(v) and len(v) <= 4:
        sep = " to " if key.endswith("_ci") and len(v) == 2 else ", "
        return _e(sep.join(fmt(x) for x in v))
    return _e(fmt(v))


def _chunked_list(v: Sequence, width: int = 10) -> str:
    rows = []
    for i in range(0, len(v), width):
        chunk = v[i : i + width]
        head = "".join(f'<th class="num idx">{i + j}</th>' for j in range(len(chunk)))
        body = "".join(f'<td class="num">{_e(fmt(x))}</td>' for x in chunk)
        rows.append(f"<tr>{head}</tr><tr>{body}</tr>")
    return f'<table class="inner">{"".join(rows)}</table>'


def _matrix(
    cols: Mapping[str, Any], labels: Mapping, row_head: str, transpose: bool, parent: Any
) -> str:
    """A table from key → list (rows are list positions) or key → dict of scalars."""
    if transpose:  # key → list: one column per key, one row per position
        n = max(len(v) for v in cols.values())
        head = f'<th class="idx">{_e(row_head)}</th>' + "".join(
            f'<th class="num">{_e(label(k, labels, parent))}</th>' for k in cols
        )
        body = "".join(
            f'<tr><th class="num idx">{i}</th>'
            + "".join(
                f'<td class="num">{_e(fmt(v[i]) if i < len(v) else "")}</td>' for v in cols.values()
            )
            + "</tr>"
            for i in range(n)
        )
        return f'<table class="inner"><tr>{head}</tr>{body}</table>'
    inner = list(dict.fromkeys(k for v in cols.values() for k in v))
    head = "<th></th>" + "".join(f'<th class="num">{_e(label(k, labels))}</th>' for k in inner)
    body = "".join(
        f"<tr><th>{_e(label(r, labels, parent))}</th>"
        + "".join(f'<td class="num">{_e(fmt(v.get(k)))}</td>' for k in inner)
        + "</tr>"
        for r, v in cols.items()
    )
    return f'<table class="inner"><tr>{head}</tr>{body}</table>'


def _data_names(d: Mapping[str, Any], labels: Mapping) -> bool:
    """Whether every key is a data name (condition, region), not a labelled quantity."""
    return all("_" not in str(k) and label(k, labels) == str(k) for k in d)


def _table(d: Mapping[str, Any], root: Path, labels: Mapping, parent: Any = None, depth=0) -> str:
    """One group of numbers: a table of its values, then a titled table per nested group."""
    vals = list(d.values())
    if vals and all(_num_list(v) and len(v) > 4 for v in vals):
        return _matrix(d, labels, "#", True, parent)
    if (
        len(vals) > 1
        and all(isinstance(v, Mapping) and v and all(map(_scalar, v.values())) for v in vals)
        and len({tuple(v) for v in vals}) == 1
    ):
        return _matrix(d, labels, "", False, parent)
    if len(vals) > 2 and all(map(_scalar, vals)) and _data_names(d, labels):
        head = "".join(f'<th class="num">{_e(k)}</th>' for k in d)
        body = "".join(f'<td class="num">{_value_html(str(k), v, root)}</td>' for k, v in d.items())
        return f'<table class="inner"><tr>{head}</tr><tr>{body}</tr></table>'
    rows, subs = [], []
    for k, v in d.items():
        if isinstance(v, Mapping):
            sub = _table(v, root, labels, k, depth + 1) if v else "<p>—</p>"
            h = "h4" if depth == 0 else "h5"
            subs.append(f'<{h} class="sub">{_e(label(k, labels, parent))}</{h}>{sub}')
            continue
        if _num_list(v) and len(v) > 4:
            cell = _chunked_list(v)
        elif isinstance(v, list | tuple) and not _num_list(v):
            cell = _e(", ".join(fmt(x) for x in v))
        else:
            cell = _value_html(str(k), v, root)
        cls = ' class="num"' if _scalar(v) and not isinstance(v, str) else ""
        rows.append(
            f'<tr><th scope="row">{_e(label(k, labels, parent))}</th><td{cls}>{cell}</td></tr>'
        )
    table = f"<table>{''.join(rows)}</table>" if rows else ""
    return table + "".join(subs)


def _numbers_html(numbers: Mapping[str, Any], root: Path, labels: Mapping) -> str:
    flat = {k: v for k, v in numbers.items() if not isinstance(v, Mapping)}
    groups = [(k, v) for k, v in numbers.items() if isinstance(v, Mapping)]
    out = []
    if flat:
        out.append(f"<details><summary>Key numbers</summary>{_table(flat, root, labels)}</details>")
    for k, v in groups:
        out.append(
            f"<details><summary>{_badge(*_group_source(str(k), v))}{_e(label(k, labels))}</summary>"
            f"{_table(v, root, labels, k) if v else '<p>—</p>'}</details>"
        )
    return "\n".join(out) if out else "<p>No numbers were given.</p>"


# ---------------------------------------------------------------------------------------------


def build_report(
    out_dir: str | os.PathLike,
    figures: Mapping[str, Any],
    numbers: Mapping[str, Any],
    params: Mapping[str, Any],
    notes: str | Sequence[str] | None = None,
    *,
    title: str = "hftp report",
    captions: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    findings: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``out_dir/report.html``: findings, figures, methods, references, then all numbers.

    Parameters
    ----------
    out_dir : path-like
        Report folder (created if missing). Figures are embedded in report.html (their SVGs
        linked relative to it); a ``summary.json`` already there is linked from the numbers
        section.
    figures : dict of str to path, list of paths, or dict format → path
        One entry per figure, in display order, e.g. the output of ``hftp.plot.save_figure``
        (``[figures/x.png, figures/x.svg]``). The PNG is shown, the SVG linked. Names containing
        "simulated" are labelled simulated, names starting with "eeg" real EEG (scalp).
    numbers : dict
        The run's numbers (e.g. ``summary.json``'s ``numbers``). They feed the findings
        (:data:`hftp.apps.report.FINDINGS`) and are shown last in collapsible tables.
    params : dict
        The run's parameters, best the attrs of its results; see :func:`methods_paragraph`.
    notes : str or list of str, optional
        Closing notes, one paragraph each.
    title : str
        Page title. Default ``"hftp report"``.
    captions : dict of str to str, optional
        Captions by figure name (the demo's figures have defaults in :data:`CAPTIONS`).
    labels : dict of str to str, optional
        Extra human labels for keys and figure names (over :data:`~hftp.apps.report.LABELS`).
    findings : dict, optional
        A finding registry to use instead of :data:`~hftp.apps.report.FINDINGS`.

    Returns
    -------
    Path
        ``out_dir/report.html``.
    """
    from hftp._version import __version__
    from hftp.io import write_text

    check_type("out_dir", out_dir, (str, os.PathLike), "a folder path")
    check_type("figures", figures, Mapping, "a dict figure name → path(s)")
    check_type("numbers", numbers, Mapping, "a dict of key numbers")
    check_type("params", params, Mapping, "a dict of the run's parameters")
    check_type("title", title, str, "a string")
    for name, v in (("captions", captions), ("labels", labels), ("findings", findings)):
        if v is not None:
            check_type(name, v, Mapping, "a dict keyed by name")
    if isinstance(notes, str):
        notes = [notes]
    elif notes is not None:
        check_type("notes", notes, Sequence, "a string or a list of strings")
    labels = dict(labels or {})
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    files = {str(k): _figure_files(str(k), v) for k, v in figures.items()}
    fig_numbers = {n: i for i, n in enumerate(files, 1)}

    names = " ".join([*files, *map(str, numbers)]).lower()
    p = dict(params)
    data = p.get("brain_data")
    if isinstance(data, Mapping) and data:  # results from files: their recorded provenance
        kinds = [str(r.get("brain_source_kind")) for r in data.values() if isinstance(r, Mapping)]
        if "simulated" in kinds:
            p.setdefault("simulated_seeg", True)
        if any("eeg-phrases" in str(r.get("brain_dataset", "")) for r in data.values()):
            p.setdefault("eeg_scalp", True)
    else:  # the demo: its own figure and number names say which data they come from
        if "simulated" in names:
            p.setdefault("simulated_seeg", True)
        if "eeg_scalp" in names or any(n.startswith("eeg") for n in files):
            p.setdefault("eeg_scalp", True)
    if "untrained" in names:
        p.setdefault("baseline", True)
    methods = "\n".join(f'<p class="methods">{_e(t)}</p>' for _, t in methods_parts(p))
    found = collect_findings(numbers, p, findings)
    caps = {**CAPTIONS, **(captions or {})}
    rsa = p.get("rsa") if isinstance(p.get("rsa"), Mapping) else {}
    words = {"correction": correction_text(rsa.get("correction", "maxT"), rsa.get("q_level"))}
    caps = {k: v.format_map(words) if "{correction}" in v else v for k, v in caps.items()}
    # a figure carries the label of the first finding that cites it, else one from its name
    fig_source = {n: _source_of(n) for n in files}
    for _, f in reversed(found):
        fig_source.update({n: (f.source, f.data) for n in f.figures if n in fig_source})
    figs_html = "\n".join(
        _figure_html(n, fig_numbers[n], f, root, caps.get(n, ""), labels, fig_source[n])
        for n, f in files.items()
    )
    cites = "".join(f"<li>{_e(c)}</li>" for c in CITATIONS.values())
    notes_html = "".join(f"<p>{_e(n)}</p>" for n in (notes or []))
    summary = root / "summary.json"
    summary_link = (
        '<p class="meta">Machine-readable: <a href="summary.json">summary.json</a>.</p>'
        if summary.is_file()
        else ""
    )
    sources = sorted({f.source for _, f in found})
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
<p class="meta">Hierarchical Frequency Tagging Probe · hftp {_e(__version__)} · {_e(now)}
{"· " + _e(" and ".join(sources)) + " data, each finding labelled" if sources else ""}</p>
<section id="findings">
<h2>Findings</h2>
{_findings_html(found, fig_numbers)}
</section>
<section id="figures">
<h2>Figures</h2>
{figs_html or "<p>No figures.</p>"}
</section>
<section id="methods">
<h2>Methods</h2>
{methods}
{"<h2>Notes</h2>" + notes_html if notes_html else ""}
<h2>Data and citation</h2>
<ul>{cites}</ul>
<p class="meta">Every finding, figure and table is labelled <em>real</em> (a real model or real
recordings) or <em>simulated</em> (the simulator, with a known answer).</p>
</section>
<section id="numbers">
<h2>All numbers</h2>
<p class="meta">Click a table to open it.</p>
{_numbers_html(numbers, root, labels)}
{summary_link}
</section>
</body>
</html>
"""
    return write_text(root / "report.html", page, name="out_dir")
