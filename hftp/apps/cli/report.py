"""``hftp report``: draw the standard figures for saved results and write report.html."""

from __future__ import annotations

from pathlib import Path

import typer

from hftp.apps.cli.errors import check_outputs, fail, run
from hftp.apps.cli.options import OVERWRITE_HELP, document_options, emit

__all__ = ["report_cmd"]


@document_options
def report_cmd(
    files: list[Path] = typer.Argument(
        ..., help="Result files (.nc): spectra, tagging, alignment."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder for report.html and figures/."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Draw the standard figures for saved results and write report.html.

    Example: hftp report spectra.nc tagged.nc align.nc --out report/
    """
    from hftp.apps.report.files import report_from_files
    from hftp.io import load

    if (out / "report.html").exists() and not overwrite:
        fail(
            f"Invalid value for '--out': {str(out)!r} already holds a report.html. Pass "
            "--overwrite to replace it, or choose another folder."
        )
    check_outputs({"--out": out}, True)
    for f in files:  # every input is read before anything is drawn
        run(load, f, name="FILES")
    path, summary = run(report_from_files, files, out)
    emit({"report": str(path), **summary}, as_json)
