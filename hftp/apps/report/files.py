"""A report from saved result files: recognise each file's kind, draw its figures, write HTML.

This backs ``hftp report FILES... --out DIR``. A file's kind is read from its contents: a Spectra
(``sum_x``), a tagging result (``category``) or an alignment result (``rho``). The methods
paragraph is built from the parameters the files' attrs record (the first file of each kind), and
each result is labelled simulated when its attrs say so (e.g. ``modality="iEEG (simulated)"``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hftp._validation import InvalidValueError

__all__ = ["report_from_files", "KINDS"]


def _kind(obj) -> str:
    names = set(getattr(obj, "data_vars", {}))
    if "rho" in names:
        return "alignment"
    if "category" in names:
        return "tagging"
    if "sum_x" in names:
        return "spectra"
    return "unknown"


def _scalar_attrs(ds) -> dict[str, Any]:
    """The str and number attrs, numpy scalars (as read from netCDF) made plain Python."""
    import numpy as np

    out = {}
    for k, v in ds.attrs.items():
        if isinstance(v, np.generic) and v.ndim == 0:
            v = v.item()
        if isinstance(v, str | int | float):
            out[k] = v
    return out


def _simulated(ds, name: str = "") -> bool:
    """Whether a result comes from simulated data, from the provenance it records
    (``brain_source_kind``, ``source_kind`` or the modality); only a result written before hftp
    recorded it (no such attrs) falls back to its file name."""
    from hftp._provenance import simulated

    said = simulated(ds.attrs)
    if said is not None:
        return said
    text = str(ds.attrs.get("source", ""))
    return "simulated" in f"{text} {name}".lower()


def _spectra_figures(name: str, ds, fig: Callable, numbers: dict, params: dict) -> None:
    from hftp import plot
    from hftp.spectral.measures import itc

    numbers[name] = {
        "kind": ds.attrs.get("kind", "?"),
        "conditions": [str(c) for c in ds["condition"].values],
    }
    if ds.attrs.get("kind") == "model":
        a = ds.attrs
        params.setdefault("model", a.get("model"))
        params.setdefault(
            "stimuli",
            {
                "language": a.get("language"),
                "designs": a.get("stimulus_design"),
                "unit_rate_hz": a.get("unit_rate_hz"),
                "tagged_hz": a.get("tagged_hz"),
            },
        )
    if _simulated(ds):
        params["simulated_seeg"] = True
    if ds.attrs.get("kind") == "brain":
        tags = ds.hftp.tagged_hz
        fmax = 1.25 * max(tags.values()) if tags else None
        title = str(ds.attrs.get("modality", "Brain recording"))
        fig(
            f"{name}_itpc",
            lambda: plot.plot_itpc_spectra(itc(ds), tagged_hz=tags, fmax=fmax, title=title),
        )


def _tagging_figures(name: str, ds, fig: Callable, numbers: dict, params: dict) -> None:
    from hftp import plot
    from hftp.tagging.profile import category_fractions, layer_profile

    sim = _simulated(ds)
    numbers[name] = {
        "kind": "tagging",
        "mode": str(ds.attrs.get("mode", "?")),
        **category_fractions(ds),
        "simulated": sim,
        "data": "model" if ds.attrs.get("kind") == "model" else ds.attrs.get("modality", "brain"),
    }
    params.setdefault("tagging", _scalar_attrs(ds))  # the parameters the result records
    if "layer" in ds.dims:  # plot.plot_layer_profile draws model layers; brain results have none
        fig(f"{name}_profile", lambda: plot.plot_layer_profile(layer_profile(ds)))


def _alignment_figures(name: str, ds, fig: Callable, numbers: dict, params: dict) -> None:
    from hftp import plot
    from hftp._provenance import brain_lineage
    from hftp.apps.report.methods import correction_text
    from hftp.rsa.alignment import alignment_summary

    sim = _simulated(ds, name)
    numbers[name] = {
        "kind": "alignment",
        **alignment_summary(ds),
        "simulated": sim,
        "data": str(ds.attrs.get("brain_modality") or "brain"),
    }
    attrs = _scalar_attrs(ds)
    params.setdefault("rsa", attrs)
    params.setdefault("rsa_runs", {})[name] = attrs
    lineage = brain_lineage(ds.attrs)
    if lineage["brain_source_kind"] == "unknown" and sim:
        lineage["brain_source_kind"] = "simulated"
    params.setdefault("brain_data", {})[name] = lineage
    how = correction_text(ds.attrs.get("correction", "bh"), ds.attrs.get("q_level", 0.05))
    fig(
        f"{name}_heatmap",
        lambda: plot.plot_alignment(ds),
        f"Model–brain RSA per layer and channel (or region); dots mark cells significant at {how}.",
    )


#: figure-name suffix → caption of the figures drawn here (alignments: from their attrs)
_CAPTIONS = {
    "_itpc": "Inter-trial phase coherence per condition; dotted lines mark the tagged rates.",
    "_profile": "Per-layer percentage of channels tagged at the sentence rate, the phrase rate "
    "or both.",
}

#: file kind → function(name, result, fig, numbers, params) drawing its figures, collecting its
#: numbers and recording the parameters its attrs hold (for the methods paragraph)
KINDS: dict[str, Callable] = {
    "spectra": _spectra_figures,
    "tagging": _tagging_figures,
    "alignment": _alignment_figures,
}


def report_from_files(
    files: Sequence[str | os.PathLike],
    out: str | os.PathLike,
    *,
    allow_mixed: bool = False,
    overwrite: bool = False,
    on_stage: Callable[[str], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Build ``out/report.html`` (and ``out/figures/``) from saved results.

    Every file is read and checked before anything is drawn: results from different models,
    stimulus sets or schema versions are refused (naming both) unless ``allow_mixed``. The
    methods, findings and captions take each result's parameters from its own attrs. hftp
    writes only ``report.html``, ``figures/`` and its manifest into ``out``; other files there
    are left alone, and a ``report.html`` or figure that hftp did not write is never replaced.

    Parameters
    ----------
    files : sequence of path-like
        ``.nc`` files written by hftp (spectra, tagging results, alignment results).
    out : path-like
        Output folder; created if missing.
    allow_mixed : bool
        Accept results of different models, stimulus sets or schemas (default False).
    overwrite : bool
        Replace a report.html (and figures) that hftp wrote there before (default False).
    on_stage : callable, optional
        Called with the name of each stage (``"read"``, ``"figures"``, ``"write"``), for a
        progress line.

    Returns
    -------
    path : Path
        The report.
    summary : dict
        Number of files per kind, and the result files per model when they differ.
    """
    import shutil
    import tempfile

    import matplotlib.pyplot as plt

    from hftp import plot
    from hftp._paths import foreign_files, write_manifest
    from hftp._provenance import check_same_lineage, lineage
    from hftp.apps.report.render import build_report
    from hftp.io import load

    stage = on_stage or (lambda name: None)
    if not files:
        raise InvalidValueError(
            "Invalid value for 'files': expected at least one result file (.nc); got none."
        )
    out = Path(out)
    _check_report_folder(out, overwrite)
    stage("read")
    results = []
    for path in files:  # every file is read and recognised before anything is drawn
        obj = load(path, name="files")
        kind = _kind(obj)
        if kind not in KINDS:
            raise InvalidValueError(
                f"Invalid value for 'files': {str(path)!r} is neither spectra, a tagging result nor "
                "an alignment result. Pass files written by hftp probe, brain, tag or align."
            )
        results.append((Path(path), kind, obj))
    check_same_lineage(
        {str(p): o.attrs for p, _, o in results}, allow_mixed=allow_mixed, name="files"
    )
    models = sorted({lineage(o.attrs).get("model", "") for _, _, o in results} - {""})
    stage("figures")
    out.mkdir(parents=True, exist_ok=True)
    foreign = set(foreign_files(out))
    staging = Path(tempfile.mkdtemp(prefix=".figures.", suffix=".part", dir=out))
    figures: dict[str, Any] = {}
    numbers: dict[str, Any] = {}
    counts: dict[str, int] = {}
    params: dict[str, Any] = {}  # read from the files' attrs: what was actually done
    if len(models) > 1:
        params["model"] = " and ".join(models)  # mixed on purpose: name every model
    captions: dict[str, str] = {}

    def fig(name: str, make: Callable, caption: str | None = None) -> None:
        for suffix, text in _CAPTIONS.items():
            if name.endswith(suffix):
                captions[name] = text
        if caption:
            captions[name] = caption
        f = make()
        figures[name] = plot.save_figure(f, staging / name)
        plt.close(f)

    try:
        for path, kind, obj in results:
            counts[kind] = counts.get(kind, 0) + 1
            KINDS[kind](path.stem, obj, fig, numbers, params)
        stage("write")
        target = out / "figures"
        owned = _owned(out)
        clash = [
            f"figures/{f.name}"
            for f in staging.iterdir()
            if (target / f.name).exists() and f"figures/{f.name}" not in owned
        ]
        if clash:
            raise InvalidValueError(
                f"Invalid value for 'out': {str(out)!r} holds {clash[0]!r}, which hftp did not "
                "write; hftp replaces only its own outputs. Choose another folder."
            )
        target.mkdir(exist_ok=True)
        moved = {}
        for name, paths in figures.items():
            moved[name] = [target / Path(p).name for p in paths]
            for p in paths:
                os.replace(p, target / Path(p).name)
        path = build_report(out, figures=moved, numbers=numbers, params=params, captions=captions)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    written = {"report.html"} | {f"figures/{p.name}" for ps in moved.values() for p in ps}
    write_manifest(out, writer="hftp report", exclude=foreign - written)
    summary: dict[str, Any] = {f"n_{k}": v for k, v in counts.items()}
    if len(models) > 1:
        summary["models"] = models
    return Path(path), summary


def _owned(out: Path) -> set[str]:
    """The files of ``out`` that hftp wrote: its manifest's, or for a report folder written
    before manifests, its report.html (recognised by hftp's own header line) and figures."""
    from hftp._paths import read_manifest

    listed = read_manifest(out)
    if listed is not None:
        return listed
    page = out / "report.html"
    try:
        head = page.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return set()
    if "Hierarchical Frequency Tagging Probe · hftp" not in head:
        return set()
    figs = out / "figures"
    return {"report.html"} | (
        {f"figures/{f.name}" for f in figs.iterdir() if f.is_file()} if figs.is_dir() else set()
    )


def _check_report_folder(out: Path, overwrite: bool) -> None:
    """A report.html already in ``out``: refused without ``overwrite``, and always when hftp did
    not write it (its manifest does not list it)."""
    if out.exists() and not out.is_dir():
        raise InvalidValueError(
            f"Invalid value for 'out': {str(out)!r} is a file; the report is a folder. Choose "
            "another path."
        )
    page = out / "report.html"
    if not page.exists():
        return
    if "report.html" not in _owned(out):
        raise InvalidValueError(
            f"Invalid value for 'out': {str(out)!r} holds a report.html that hftp did not write; "
            "hftp replaces only its own outputs, even with --overwrite. Choose another folder."
        )
    if not overwrite:
        raise InvalidValueError(
            f"Invalid value for 'out': {str(out)!r} already holds a report.html. Pass "
            "overwrite=True (--overwrite) to replace it, or choose another folder."
        )
