"""``hftp report``: draw the standard figures for saved results and write report.html."""

from __future__ import annotations

from pathlib import Path

import typer

from hftp.apps.cli.errors import check_io, check_outputs, run
from hftp.apps.cli.options import OVERWRITE_HELP, Progress, document_options, emit

__all__ = ["report_cmd"]


@document_options
def report_cmd(
    files: list[Path] = typer.Argument(
        ..., help="Result files (.nc): spectra, tagging, alignment."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder for report.html and figures/."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    allow_mixed: bool = typer.Option(
        False,
        "--allow-mixed",
        help="Accept results of different models, stimulus sets or schema versions.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Draw the standard figures for saved results and write report.html (figures embedded).

    Example: hftp report spectra.nc tagged.nc align.nc --out report/
    """
    from hftp.apps.report.files import report_from_files

    # the report writes report.html and figures/ into --out (other files there stay)
    check_io(
        {"FILES": list(files)},
        {"--out": out / "report.html", "--out (figures/)": out / "figures"},
        folders=("--out (figures/)",),
    )
    check_outputs({"--out": out}, True)
    with Progress("report", ["read", "figures", "write"]) as bar:
        path, summary = run(
            report_from_files,
            files,
            out,
            allow_mixed=allow_mixed,
            overwrite=overwrite,
            on_stage=bar.stage,
        )
    emit({"report": str(path), **summary}, as_json)
