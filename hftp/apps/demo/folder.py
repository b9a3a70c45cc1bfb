"""The demo's output folder: checked before the run, resumed when a run of the same parameters
stopped early, and marked complete at the end (:data:`MARKER`). hftp deletes only what it wrote:
the folder's manifest (:mod:`hftp._paths`) lists the demo's files, ``--overwrite`` removes only
those, and a folder holding anything else is refused, naming a file found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hftp.apps.demo.config import DemoConfig

__all__ = ["MARKER", "MARKER_SCHEMA", "marker_params", "prepare_out", "finish_out"]


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
        Remove the files of an earlier demo run (of other parameters, or restart one of the same
        parameters); refused when the folder holds files hftp did not write.

    Returns
    -------
    dict
        ``{"params": ..., "stages": [...], "complete": False, "foreign": {...}}``: the stages a
        previous run of the same parameters finished (none for a fresh start), and the stat of
        each file hftp did not write (pass the record to :func:`finish_out`).
    """
    import json

    from hftp._paths import foreign_files, read_manifest, remove_owned
    from hftp._validation import InvalidValueError, check_out_path

    check_out_path("out", out)
    params = marker_params(cfg)
    fresh: dict[str, Any] = {"params": params, "stages": [], "complete": False, "foreign": {}}
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
    alien = [f for f in foreign_files(out) if f != MARKER or prev is None]  # the marker is ours
    stats = {f: _stat(out / f) for f in alien}
    if prev is not None and prev.get("params") == params and not overwrite:
        return {**fresh, "stages": list(prev.get("stages", [])), "foreign": stats}
    if not overwrite and (alien or prev is not None):
        if prev is None:
            why = "exists and is not an hftp demo folder"
        elif alien:
            why = f"holds a demo run with other parameters and files hftp did not write ({alien[0]!r})"
        else:
            why = "holds a demo run with other parameters"
        fix = (
            "Pass overwrite=True (--overwrite) to replace that run"
            if prev is not None and not alien
            else "Choose another folder"
        )
        raise InvalidValueError(f"Invalid value for 'out': {str(out)!r} {why}. {fix}.")
    if overwrite and alien:
        legacy = prev is not None and read_manifest(out) is None
        if legacy:
            raise InvalidValueError(
                f"Invalid value for 'out': {str(out)!r} holds a demo run written by an older hftp, "
                "without a manifest of its files, so hftp cannot tell its files from yours (e.g. "
                f"{alien[0]!r}). Remove the folder yourself, or choose another folder."
            )
        more = f" (and {len(alien) - 1} more)" if len(alien) > 1 else ""
        raise InvalidValueError(
            f"Invalid value for 'out': {str(out)!r} holds files hftp did not write, e.g. "
            f"{alien[0]!r}{more}; hftp replaces only its own outputs, even with --overwrite. "
            "Choose another folder, or move those files away."
        )
    if overwrite:
        remove_owned(out)
        marker.unlink(missing_ok=True)
    return fresh


def _stat(p: Path) -> list[int]:
    try:
        st = p.lstat()
    except OSError:
        return []
    return [st.st_size, st.st_mtime_ns]


def finish_out(out: Path, record: dict[str, Any]) -> None:
    """Write the folder's manifest: every file but those hftp did not write (and left as they were).

    Parameters
    ----------
    out : Path
        The demo's folder, complete.
    record : dict
        From :func:`prepare_out`; its ``foreign`` entry holds the files that were there before
        the run. A file the run rewrote since is the demo's own.
    """
    from hftp._paths import write_manifest

    untouched = [f for f, st in record.get("foreign", {}).items() if _stat(out / f) == list(st)]
    write_manifest(out, writer="hftp demo", exclude=untouched)
