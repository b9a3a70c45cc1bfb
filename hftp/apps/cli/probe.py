"""``hftp probe``: record a model's MLP neurons on a stimulus set and write their spectra."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from hftp.apps.cli.errors import check_io, check_outputs, run
from hftp.apps.cli.options import OVERWRITE_HELP, document_options, emit, parse_layers

__all__ = ["probe_cmd"]


@document_options
def probe_cmd(
    model: str = typer.Option(
        None,
        "--model",
        "-m",
        help="Model folder, .gguf file, cached hub id or 'default' (SmolLM2-135M).",
    ),
    stimuli: Path = typer.Option(..., "--stimuli", "-s", help="Stimulus CSV from `hftp stimuli`."),
    out: Path = typer.Option(..., "--out", "-o", help="Spectra file to write (.nc or .zarr)."),
    layers: list[str] = typer.Option(
        None, "--layers", help="Layers to record, e.g. 0,5,-1 (repeatable; default all)."
    ),
    batch_size: int = typer.Option(8, "--batch-size", "-b", help="Sequences per forward pass."),
    device: str = typer.Option("auto", "--device", help="auto, cpu, cuda, cuda:N or mps."),
    dtype: str = typer.Option(None, "--dtype", help="float32 (default), float16 or bfloat16."),
    drop_units: int = typer.Option(0, "--drop-units", help="Leading units dropped before the FFT."),
    pooling: str = typer.Option("mean", "--pooling", help="Tokens to unit: mean or last."),
    site: str = typer.Option(
        None, "--site", help="Neuron module pattern, e.g. 'model.layers.{i}.mlp.down_proj'."
    ),
    add_bos: bool = typer.Option(
        None, "--add-bos/--no-add-bos", help="Prepend BOS (default: as the tokenizer does)."
    ),
    tokenization: str = typer.Option(
        None, "--tokenization", help="joint or unitwise (default: unitwise for Chinese)."
    ),
    device_map: str = typer.Option(None, "--device-map", help="auto or balanced (accelerate)."),
    save_raw: Path = typer.Option(None, "--save-raw", help="Also save raw activations (.nc)."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Record a model's MLP neurons on a stimulus set and write their spectra.

    Examples:

      hftp probe --model default --stimuli stim.csv --out spectra.nc

      hftp probe --model ./my-llama --stimuli stim.csv --layers 0,10,-1 --batch-size 4 --out spectra.nc --json
    """
    from hftp._validation import check_option
    from hftp.io import save
    from hftp.models.load import load_model
    from hftp.models.probing import probe
    from hftp.stimuli.stimulus_set import load_stimuli

    # every input and output is checked before the model is loaded
    layer_list = parse_layers(layers)
    stim = run(load_stimuli, stimuli)
    model_path = Path(model).expanduser() if model not in (None, "default") else None
    check_io(
        {
            "--stimuli": [stimuli, Path(stimuli).with_suffix(".json")],
            "--model": model_path if model_path is not None and model_path.exists() else None,
        },
        {"--out": out, "--save-raw": save_raw},
    )
    check_outputs({"--out": out, "--save-raw": save_raw}, overwrite)
    run(check_option, "--out (file extension)", out.suffix, (".nc", ".zarr"))
    if save_raw is not None:
        run(check_option, "--save-raw (file extension)", save_raw.suffix, (".nc", ".zarr"))
    model = None if model in (None, "default") else model
    net, tok = run(load_model, model, device=device, dtype=dtype, device_map=device_map)
    spectra = run(
        probe,
        net,
        tok,
        stim,
        layers=layer_list,
        batch_size=batch_size,
        drop_units=drop_units,
        pooling=pooling,
        site=site,
        add_bos=add_bos,
        tokenization=tokenization,
        save_raw=save_raw,
    )
    try:
        path = run(save, spectra, out, name="--out", overwrite=overwrite)
    except BaseException:
        if save_raw is not None:  # all outputs or none (a .zarr store: only what hftp wrote)
            from hftp._paths import remove_owned

            raw = Path(save_raw)
            if raw.is_dir() and not raw.is_symlink():
                remove_owned(raw)
            else:
                raw.unlink(missing_ok=True)
        raise
    emit(
        {
            "out": str(path),
            "raw": str(save_raw) if save_raw else None,
            "model": spectra.attrs.get("model"),
            "site": spectra.attrs.get("site"),
            "conditions": [str(c) for c in spectra["condition"].values],
            "n_trials": [int(n) for n in spectra["n_trials"].values],
            "layers": int(spectra.sizes["layer"]),
            "neurons": int(spectra.sizes["neuron"]),
            "freqs": int(spectra.sizes["freq"]),
            "tagged_hz": spectra.hftp.tagged_hz,
            "token_sharing": json.loads(spectra.attrs["token_sharing"]),
        },
        as_json,
    )
