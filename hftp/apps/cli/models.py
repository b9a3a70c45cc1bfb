"""The model commands: ``hftp models`` (the catalogue of model families and offline models) and
``hftp sweep`` (probe and tag many models x languages on Dask)."""

from __future__ import annotations

from pathlib import Path

import typer

from hftp.apps.cli.errors import run
from hftp.apps.cli.options import document_options

__all__ = ["models_cmd", "sweep_cmd"]


@document_options
def models_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the catalogue as JSON on stdout."),
) -> None:
    """List the catalogue: the paper's model families and the offline models.

    Example: hftp models   (then: hftp probe --model gemma-3-270m ...)
    """
    from hftp.models.listing import catalogue

    df = catalogue()
    if as_json:
        typer.echo(df.to_json(orient="records"))
        return
    cols = ["key", "family", "n_layers", "mlp_width", "vram_bf16_gb", "licence", "installed"]
    typer.echo(df[cols].to_string(index=False))
    typer.echo("\nInstall:")
    for key, hint in zip(df["key"], df["install"], strict=True):
        typer.echo(f"  {key}: {hint}")


@document_options
def sweep_cmd(
    spec: Path = typer.Argument(
        ..., help="Sweep SPEC (.toml): out, n_sequences, seed, designs, [matrix]."
    ),
    workers: int = typer.Option(1, "--workers", help="Worker processes of the local Dask cluster."),
    scheduler: str = typer.Option(
        None, "--scheduler", help="Address of a running Dask scheduler (instead of --workers)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the index as JSON on stdout."),
) -> None:
    """Probe and tag every model x language (x ...) of SPEC on Dask; re-running resumes.

    Example: hftp sweep sweep.toml --workers 2
    """
    from hftp.apps.sweeps import sweep

    try:
        df = run(sweep, spec, workers=workers, scheduler=scheduler)
    except KeyboardInterrupt:
        typer.echo(
            "Interrupted: the runs that finished are kept; run the same command again to resume.",
            err=True,
        )
        raise typer.Exit(code=130) from None
    if as_json:
        typer.echo(df.to_json(orient="records"))
    else:
        typer.echo(df[["run", "status", "time_s"]].to_string(index=False))
    failed = df[df["status"] == "failed"] if "status" in df else df.iloc[:0]
    for name, err in zip(failed["run"], failed.get("error", [""] * len(failed)), strict=True):
        typer.echo(f"Error: run {name} failed: {' '.join(str(err).split())}", err=True)
    if len(failed):
        typer.echo(
            f"{len(failed)} of {len(df)} runs failed (see index.csv); fix them and run the same "
            "command again: finished runs are kept.",
            err=True,
        )
        raise typer.Exit(code=1)
