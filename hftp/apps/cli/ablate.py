"""``hftp ablate``: ablate tagged neurons and compare the loss change with random neuron sets."""

from __future__ import annotations

from pathlib import Path

import typer

from hftp.apps.cli.errors import check_io, check_outputs, run
from hftp.apps.cli.options import OVERWRITE_HELP, document_options, emit, parse_layers

__all__ = ["ablate_cmd"]


@document_options
def ablate_cmd(
    stimuli: Path = typer.Option(
        ..., "--stimuli", "-s", help="Stimulus CSV (other seed than tagging)."
    ),
    tagged: Path = typer.Option(..., "--tagged", help="Tagging result (.nc from hftp tag)."),
    out: Path = typer.Option(..., "--out", "-o", help="Ablation result to write (.nc)."),
    category: list[str] = typer.Option(["sentence"], "--category", help="Category; repeatable."),
    verdict: str = typer.Option(
        "significant", "--verdict", help="Categories from: significant or selective."
    ),
    top_k: list[int] = typer.Option(
        None, "--top-k", help="Instead of categories: top K per layer by effect_lower."
    ),
    null: str = typer.Option(
        "matched-variance", "--null", help="Random sets: matched-variance or count."
    ),
    layers: list[str] = typer.Option(None, "--layers", help="Layers to ablate in (default all)."),
    top_layers: int = typer.Option(None, "--top-layers", help="Only the K layers richest in it."),
    method: str = typer.Option("mean", "--method", help="mean (over --reference) or zero."),
    n_random: int = typer.Option(100, "--n-random", help="Random neuron sets in the null."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random sets."),
    model: str = typer.Option(None, "--model", "-m", help="Model (default: SmolLM2)."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:N or mps."),
    batch_size: int = typer.Option(8, "--batch-size", "-b", help="Sequences per forward pass."),
    figure: Path = typer.Option(None, "--figure", help="Also draw the figure (PNG + SVG)."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Ablate tagged neurons and compare the loss change with random neuron sets.

    Example: hftp ablate --stimuli stim.csv --tagged tagged.nc --top-layers 5 --out ablation.nc

    Example: hftp ablate --stimuli new.csv --tagged tagged.nc --top-k 50 --top-k 200 --top-layers 5 --out top.nc
    """
    from hftp.io import load, save
    from hftp.models.ablation import ablate, ablation_table
    from hftp.models.load import load_model
    from hftp.stimuli.stimulus_set import load_stimuli
    from hftp.tagging.profile import layer_profile

    figs = [figure.with_suffix(".png"), figure.with_suffix(".svg")] if figure else []
    outputs = {"--out": out, **{f"--figure ({f.suffix})": f for f in figs}}
    check_io({"--stimuli": [stimuli, stimuli.with_suffix(".json")], "--tagged": tagged}, outputs)
    check_outputs(outputs, overwrite)  # before the model runs
    stim = run(load_stimuli, stimuli)
    tag = run(load, tagged, name="tagged")
    chosen = parse_layers(layers)
    ranked = top_k or verdict == "selective"
    if top_layers is not None:
        prof = run(layer_profile, tag)
        col = "selective" if ranked and "selective" in prof else "proportion"
        cats = ["sentence", "phrase", "shared"] if top_k else category
        prof = prof[prof["category"].isin(cats)].groupby("layer")[col].sum()
        chosen = [int(i) for i in prof.sort_values(ascending=False).index[: max(top_layers, 1)]]
    net, tok = run(load_model, model, device=device)
    res = run(
        ablate,
        net,
        tok,
        stim,
        tag,
        categories=None if top_k else category,
        verdict=verdict,
        top_k=top_k or None,
        null=null,
        layers=chosen,
        method=method,
        n_random=n_random,
        seed=seed,
        batch_size=batch_size,
    )
    run(save, res, out, name="--out", overwrite=overwrite)
    if figure is not None:
        from hftp.plot import plot_ablation, save_figure

        run(save_figure, plot_ablation(res), figure)
    table = ablation_table(res).round(5)
    emit({"out": str(out), "layers": chosen, "sets": table.to_dict("records")}, as_json)
