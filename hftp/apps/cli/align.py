"""``hftp align``: RSA of every model layer against every brain channel, with permutation p-values."""

from __future__ import annotations

from pathlib import Path

import typer

from hftp.apps.cli.errors import check_io, check_outputs, run
from hftp.apps.cli.options import OVERWRITE_HELP, Progress, document_options, emit

__all__ = ["align_cmd"]


@document_options
def align_cmd(
    probe: Path = typer.Option(..., "--probe", help="Model Spectra (.nc from hftp probe)."),
    brain: Path = typer.Option(..., "--brain", help="Brain Spectra (.nc from hftp brain)."),
    out: Path = typer.Option(..., "--out", help="Alignment result to write (.nc)."),
    tagged: Path = typer.Option(
        None, "--tagged", help="Tagging results or a boolean neuron mask (.nc); default: all."
    ),
    measure: str = typer.Option("evoked", "--measure", help="Model measure."),
    brain_measure: str = typer.Option("itc", "--brain-measure", help="Brain measure."),
    metric: str = typer.Option("cosine", "--metric", help="cosine, correlation or euclidean."),
    comparison: str = typer.Option("spearman", "--comparison", help="spearman or kendall."),
    top_k: int = typer.Option(100, "--top-k", help="Top channels per layer in S(m,b)."),
    n_random: int = typer.Option(100, "--n-random", help="Random-neuron draws (with --tagged)."),
    seed: int = typer.Option(0, "--seed", help="Seed of every random step."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    selection: str = typer.Option(
        None,
        "--selection",
        help="Where --tagged was selected: split (default with a split dim), independent, same-data.",
    ),
    selection_probe: Path = typer.Option(
        None,
        "--selection-probe",
        help="Model Spectra of another stimulus seed that --tagged was selected on (.nc).",
    ),
    correction: str = typer.Option(
        "maxT", "--correction", help="maxT (family-wise, default) or bh (FDR) over the cells."
    ),
    n_permutations: int = typer.Option(
        None,
        "--n-permutations",
        help="Permutations of condition labels (default: all n! up to 8 conditions, else 10000).",
    ),
    subjects: str = typer.Option(
        "random-effect",
        "--subjects",
        help="With several subjects: random-effect (default) or pooled.",
    ),
    allow_mixed: bool = typer.Option(
        False,
        "--allow-mixed",
        help="Accept --tagged or --selection-probe from another model or schema than --probe.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """RSA of every model layer against every brain channel, with permutation p-values.

    Example: hftp align --probe model.nc --brain brain.nc --tagged tagged.nc --out align.nc
    """
    from hftp.io import load, save
    from hftp.rsa.alignment import align, alignment_summary

    check_io(
        {
            "--probe": probe,
            "--brain": brain,
            "--tagged": tagged,
            "--selection-probe": selection_probe,
        },
        {"--out": out},
    )
    check_outputs({"--out": out}, overwrite)
    with Progress("align", ["read", "RSA and permutations", "write"]) as bar:
        bar.stage("read")
        mspec = run(load, probe, name="probe")
        bspec = run(load, brain, name="brain")
        tag = run(load, tagged, name="tagged") if tagged is not None else None
        sel = run(load, selection_probe, name="selection_probe") if selection_probe else None
        bar.stage("RSA and permutations")
        res = run(
            align,
            mspec,
            bspec,
            tag,
            measure=measure,
            brain_measure=brain_measure,
            metric=metric,
            comparison=comparison,
            top_k=top_k,
            n_random=n_random,
            seed=seed,
            selection=selection,
            selection_spectra=sel,
            correction=correction,
            n_permutations=n_permutations,
            subjects=subjects,
            allow_mixed=allow_mixed,
        )
        bar.stage("write")
        run(save, res, out, name="--out", overwrite=overwrite)
    emit({"out": str(out), **alignment_summary(res)}, as_json)
