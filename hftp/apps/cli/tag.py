"""``hftp tag``: find the neurons (or channels) locked to the tagged rates."""

from __future__ import annotations

from pathlib import Path

import typer

from hftp.apps.cli.errors import check_io, check_outputs, run, write_all
from hftp.apps.cli.options import (
    OVERWRITE_HELP,
    Progress,
    document_options,
    emit,
    parse_tagged_hz,
)

__all__ = ["tag_cmd"]


@document_options
def tag_cmd(
    spectra: Path = typer.Option(
        ..., "--spectra", help="Spectra (.nc from hftp probe or hftp brain)."
    ),
    condition: str = typer.Option(..., "--condition", help="The experimental condition."),
    out: Path = typer.Option(..., "--out", help="Tagging result to write (.nc)."),
    control: str = typer.Option(None, "--control", help="Control condition for specificity."),
    mode: str = typer.Option("calibrated", "--mode", help="calibrated (default) or paper."),
    q: float = typer.Option(0.05, "--q", help="FDR level (calibrated mode)."),
    seed: int = typer.Option(0, "--seed", help="Seed of every random step."),
    table: Path = typer.Option(None, "--table", help="Also write the layer profile as CSV."),
    control_hz: list[str] = typer.Option(
        None,
        "--control-hz",
        help="Untagged control frequency NAME=HZ (repeatable), tested as its own FDR family.",
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Find the neurons (or channels) locked to the tagged rates.

    With --control-hz, the same test runs at untagged frequencies as a separate FDR family; the
    summary gives the share of channels with p < q there (about q) and significant there.

    Example: hftp tag --spectra spectra.nc --condition sentences --control within-shuffle --out tagged.nc
    """
    from hftp.io import load, save, write_text
    from hftp.tagging.controls import control_rates
    from hftp.tagging.pipeline import find_tagged
    from hftp.tagging.profile import category_fractions, layer_profile

    check_io({"--spectra": spectra}, {"--out": out, "--table": table})
    check_outputs({"--out": out, "--table": table}, overwrite)
    controls = parse_tagged_hz(control_hz, "--control-hz", "NAME")
    with Progress("tag", ["read spectra", "test every channel", "write"]) as bar:
        bar.stage("read spectra")
        spec = run(load, spectra, name="spectra")
        bar.stage("test every channel")
        res = run(
            find_tagged,
            spec,
            condition,
            control=control,
            mode=mode,
            q=q,
            seed=seed,
            control_hz=controls,
        )
        prof = run(layer_profile, res)
        bar.stage("write")
        writers = [(out, lambda: save(res, out, name="--out", overwrite=overwrite))]
        if table is not None:
            text = prof.to_csv(index=False)
            writers.append(
                (table, lambda: write_text(table, text, name="--table", overwrite=overwrite))
            )
        run(write_all, writers)
    fractions = {k: round(v, 4) for k, v in category_fractions(res).items()}
    if "replicated" in res:  # a split Spectra: the share replicated on independent halves
        rep = res["replicated"]
        dims = [d for d in rep.dims if d != "level"]
        fractions["replicated"] = {
            str(lv): round(float(rep.sel(level=lv).mean(dims)), 4) for lv in rep["level"].values
        }
    if controls:
        rates = control_rates(res, q)
        fractions["control_p_below_q"] = rates["p_below_q"]
        fractions["control_significant"] = rates["significant"]
    emit({"out": str(out), "mode": mode, **fractions}, as_json)
