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
    """Whether a result comes from simulated data: its modality or source attrs say so, or, for
    results that do not record the brain side (alignment), its file name does."""
    text = " ".join(str(ds.attrs.get(k, "")) for k in ("modality", "source", "brain_modality"))
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
    from hftp.rsa.alignment import alignment_summary

    numbers[name] = {
        "kind": "alignment",
        **alignment_summary(ds),
        "simulated": _simulated(ds, name),
    }
    params.setdefault("rsa", _scalar_attrs(ds))
    fig(f"{name}_heatmap", lambda: plot.plot_alignment(ds))


#: figure-name suffix → caption of the figures drawn here
_CAPTIONS = {
    "_itpc": "Inter-trial phase coherence per condition; dotted lines mark the tagged rates.",
    "_profile": "Per-layer percentage of channels tagged at the sentence rate, the phrase rate "
    "or both.",
    "_heatmap": "Model–brain RSA per layer and channel (or region); dots mark q < 0.05.",
}

#: file kind → function(name, result, fig, numbers, params) drawing its figures, collecting its
#: numbers and recording the parameters its attrs hold (for the methods paragraph)
KINDS: dict[str, Callable] = {
    "spectra": _spectra_figures,
    "tagging": _tagging_figures,
    "alignment": _alignment_figures,
}


def report_from_files(
    files: Sequence[str | os.PathLike], out: str | os.PathLike
) -> tuple[Path, dict[str, Any]]:
    """Build ``out/report.html`` (and ``out/figures/``) from saved results.

    Parameters
    ----------
    files : sequence of path-like
        ``.nc`` files written by hftp (spectra, tagging results, alignment results).
    out : path-like
        Output folder; created if missing.

    Returns
    -------
    path : Path
        The report.
    summary : dict
        Number of files per kind.
    """
    import matplotlib.pyplot as plt

    from hftp import plot
    from hftp.apps.report.render import build_report
    from hftp.io import load

    if not files:
        raise InvalidValueError(
            "Invalid value for 'files': expected at least one result file (.nc); got none."
        )
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {}
    numbers: dict[str, Any] = {}
    counts: dict[str, int] = {}
    params: dict[str, Any] = {}  # read from the files' attrs: what was actually done
    captions: dict[str, str] = {}

    def fig(name: str, make: Callable) -> None:
        for suffix, text in _CAPTIONS.items():
            if name.endswith(suffix):
                captions[name] = text
        f = make()
        figures[name] = plot.save_figure(f, out / "figures" / name)
        plt.close(f)

    for path in files:
        obj = load(path, name="files")
        kind = _kind(obj)
        if kind not in KINDS:
            raise InvalidValueError(
                f"Invalid value for 'files': {str(path)!r} is neither spectra, a tagging result nor an "
                "alignment result. Pass files written by hftp probe, brain, tag or align."
            )
        counts[kind] = counts.get(kind, 0) + 1
        KINDS[kind](Path(path).stem, obj, fig, numbers, params)
    path = build_report(out, figures=figures, numbers=numbers, params=params, captions=captions)
    return Path(path), {f"n_{k}": v for k, v in counts.items()}
