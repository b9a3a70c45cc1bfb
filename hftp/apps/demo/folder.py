"""The demo's output folder: checked before the run, resumed when a run of the same parameters
stopped early, and marked complete at the end (:data:`MARKER`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hftp.apps.demo.config import DemoConfig

__all__ = ["MARKER", "MARKER_SCHEMA", "marker_params", "prepare_out"]


#: The demo's progress file: parameters, finished stages, and the completion marker.
MARKER = ".hftp-demo.json"


#: Bumped when a cached stage changes what it stores (2: split spectra, untrained on the main
#: contrast only), so that an older output folder is recomputed rather than resumed.
MARKER_SCHEMA = 2


def marker_params(cfg: DemoConfig) -> dict[str, Any]:
    """The parameters a demo folder records and a resumed run must match.

    Parameters
    ----------
    cfg : DemoConfig
        The run's parameters.

    Returns
    -------
    dict
        JSON-ready: the marker schema, sequences, layers, q, seed, model, batch size, EEG folder,
        paper-mode permutations (and ``n_sentences`` when set).
    """
    return {
        "schema": MARKER_SCHEMA,
        "n_sequences": cfg.resolved_n_sequences(),
        "layers": cfg.layers,
        "q": cfg.q,
        "seed": cfg.seed,
        "model": str(cfg.model) if cfg.model is not None else None,
        "batch_size": cfg.batch_size,
        "eeg_dir": str(cfg.eeg_dir) if cfg.eeg_dir is not None else None,
        "n_permutations_paper": cfg.n_permutations_paper,
        **cfg.stimulus_kwargs(),  # absent at the default, so older demo folders still resume
    }


def prepare_out(out: Path, cfg: DemoConfig, overwrite: bool) -> dict[str, Any]:
    """Check the demo's output folder and return the progress record to resume from.

    Parameters
    ----------
    out : Path
        The output folder (it may not exist yet).
    cfg : DemoConfig
        The run's parameters.
    overwrite : bool
        Clear a folder that holds other content or a run of other parameters (refused
        otherwise); restart a run of the same parameters.

    Returns
    -------
    dict
        ``{"params": ..., "stages": [...], "complete": False}``: the stages a previous run of the
        same parameters finished (none for a fresh start).
    """
    import json
    import shutil

    from hftp._validation import InvalidValueError, check_out_path

    check_out_path("out", out)
    params = marker_params(cfg)
    fresh = {"params": params, "stages": [], "complete": False}
    if not out.exists():
        return fresh
    if not out.is_dir():
        raise InvalidValueError(
            f"Invalid value for 'out': {str(out)!r} is a file; the demo writes a folder. "
            "Choose another path."
        )
    marker = out / MARKER
    prev = None
    if marker.is_file():
        try:
            prev = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            prev = None
    if prev is not None and prev.get("params") == params and not overwrite:
        return {**fresh, "stages": list(prev.get("stages", []))}
    if any(out.iterdir()) and not overwrite:
        why = (
            "holds a demo run with other parameters"
            if prev is not None
            else "exists and is not an hftp demo folder"
        )
        raise InvalidValueError(
            f"Invalid value for 'out': {str(out)!r} {why}. Pass overwrite=True (--overwrite) "
            "to replace its contents, or choose another folder."
        )
    if overwrite:
        for name in ("figures", "results", "simulated_ieeg", "report.html", "summary.json", MARKER):
            p = out / name
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
    return fresh
