"""``hftp demo``: the whole pipeline on the defaults, written as a report."""

from __future__ import annotations

from pathlib import Path

import typer

from hftp.apps.cli.errors import check_io, run
from hftp.apps.cli.options import document_options, emit

__all__ = ["demo_cmd"]


@document_options
def demo_cmd(
    out: Path = typer.Option(
        Path("hftp-demo"), "--out", help="Output folder (created if missing)."
    ),
    model: str = typer.Option(
        None, "--model", help="Model name or local folder; default: offline SmolLM2-135M."
    ),
    quick: bool = typer.Option(
        False, "--quick", help="Fewer sequences: a few minutes on 2 CPU cores."
    ),
    n_sequences: int = typer.Option(
        None, "--n-sequences", help="Sequences per condition (default 100, 16 with --quick)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of every random step."),
    overwrite: bool = typer.Option(
        False,
        "--overwrite",
        help="Start afresh in a folder holding an earlier demo run (only its files are removed).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Run the whole pipeline on the defaults and write report.html, figures/, results/, summary.json.

    Example: hftp demo --quick --out hftp-demo
    """
    from hftp.apps.demo.config import DemoConfig
    from hftp.apps.demo.pipeline import run_demo

    model = None if model in (None, "default") else model
    model_path = Path(model).expanduser() if model is not None else None
    check_io(
        {"--model": model_path if model_path is not None and model_path.exists() else None},
        {"--out": out},
        folders=("--out",),
    )
    cfg = DemoConfig(quick=quick, model=model, n_sequences=n_sequences, seed=seed)
    summary = run(run_demo, out, config=cfg, overwrite=overwrite)
    emit(
        {"report": str(out / "report.html"), **(summary or {}).get("numbers", {})}
        if as_json
        else {"report": str(out / "report.html")},
        as_json,
    )
