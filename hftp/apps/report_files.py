"""A report from saved result files: recognise each file's kind, draw its figures, write HTML.

This backs ``hftp report FILES... --out DIR``. A file's kind is read from its contents: a Spectra
(``sum_x``), a tagging result (``category``) or an alignment result (``rho``).
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


def _spectra_figures(name: str, ds, fig: Callable, numbers: dict) -> None:
    from hftp import plot
    from hftp.spectral.measures import itc

    numbers[name] = {
        "kind": ds.attrs.get("kind", "?"),
        "conditions": [str(c) for c in ds["condition"].values],
    }
    if ds.attrs.get("kind") == "brain":
        tags = ds.hftp.tagged_hz
        fmax = 1.25 * max(tags.values()) if tags else None
        title = str(ds.attrs.get("modality", "Brain recording"))
        fig(
            f"{name}_itpc",
            lambda: plot.itpc_spectra(itc(ds), tagged_hz=tags, fmax=fmax, title=title),
        )


def _tagging_figures(name: str, ds, fig: Callable, numbers: dict) -> None:
    from hftp import plot
    from hftp.tagging.core import category_fractions, layer_profile

    numbers[name] = category_fractions(ds)
    numbers[name]["mode"] = str(ds.attrs.get("mode", "?"))
    fig(f"{name}_profile", lambda: plot.layer_profile(layer_profile(ds)))


def _alignment_figures(name: str, ds, fig: Callable, numbers: dict) -> None:
    from hftp import plot
    from hftp.align.inference import alignment_summary

    numbers[name] = alignment_summary(ds)
    fig(f"{name}_heatmap", lambda: plot.alignment(ds))


#: file kind → function drawing its figures and collecting its numbers
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
    from hftp.apps import report
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

    def fig(name: str, make: Callable) -> None:
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
        KINDS[kind](Path(path).stem, obj, fig, numbers)
    params = {"files": [str(f) for f in files]}
    path = report.build_report(out, figures=figures, numbers=numbers, params=params)
    return Path(path), {f"n_{k}": v for k, v in counts.items()}
