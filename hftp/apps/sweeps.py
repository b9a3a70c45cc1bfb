"""Sweeps: many models x languages (x designs, tokenizations, ...) probed on a Dask cluster.

A sweep is described by a TOML file (or the same dict)::

    out = "sweep-out"            # results go to out/<model>/<language>/
    n_sequences = 50             # per condition
    seed = 0
    designs = ["sentences", "within-shuffle", "random-words"]
    condition = "sentences"      # tagged condition (default: the first design)
    control = "within-shuffle"   # control of the specificity test (default: the second, if any)
    device = "auto"              # where each run puts its model
    n_sentences = 50             # optional: sentences per sequence

    [matrix]                     # every combination of these lists is one run
    model = ["default", "gemma-3-270m", "./my-llama"]
    language = ["en", "zh"]
    tokenization = ["joint", "unitwise"]   # optional
    untrained = [false, true]              # optional: the untrained baseline of each model

    [load]                       # optional keyword arguments of hftp.load_model
    dtype = "bfloat16"
    device_map = "auto"          # e.g. a 70B model over every GPU of the worker
    download = true              # hub catalogue entries are fetched only with this
    [probe]                      # optional keyword arguments of hftp.probe
    batch_size = 8
    [tag]                        # optional keyword arguments of hftp.find_tagged
    q = 0.05
    [tag.mode_params]
    n_permutations = 1000

Every run is one Dask task. It writes ``spectra.nc``, ``tagged.nc`` and ``run.json`` into its
folder atomically (all or nothing), and the sweep rewrites ``out/index.csv`` (parameters, status,
dtype, time, output paths) from the runs' ``run.json`` files. A finished run (``run.json`` with
``status = "done"``) is skipped, so running a sweep again resumes it; one made with other
settings (``n_sequences``, ``seed``, ``designs``, ``n_sentences``, ``condition``, ``control``,
``device`` or the ``[load]``, ``[probe]``, ``[tag]`` tables, all stored in its ``run.json``) is
run again. By default the runs go to a ``dask.distributed.LocalCluster`` of worker processes;
pass a ``Client`` (or ``--scheduler``) to use an existing cluster (dask-jobqueue on SLURM,
Kubernetes, dask-cuda). Workers with a GPU declare a ``GPU`` resource, and a run on CUDA asks for
one.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import Any

from hftp._validation import InvalidTypeError, InvalidValueError, check_int
from hftp.io import atomic_dir, save, write_text

__all__ = ["sweep", "load_spec", "plan_runs", "run_one", "run_is_done", "read_index"]

logger = logging.getLogger("hftp")

_REQUIRED = ("out", "n_sequences", "seed", "designs", "matrix")
_OPTIONAL = ("condition", "control", "device", "n_sentences", "load", "probe", "tag")
_MATRIX_KEYS = ("model", "language", "tokenization", "untrained", "pooling")
_INDEX_COLS = ("run", "model", "language", "status", "time_s", "spectra", "tagged", "error")


def load_spec(spec: str | os.PathLike | dict) -> dict:
    """Read and check a sweep SPEC (a TOML path or a dict).

    Parameters
    ----------
    spec : path or dict
        A TOML file (``out`` is resolved next to it) or the same entries as a dict.

    Returns
    -------
    dict
        The spec with defaults filled in and ``out`` made absolute (a relative ``out`` in a TOML
        file is relative to that file's folder).
    """
    base = Path.cwd()
    if isinstance(spec, str | os.PathLike):
        import tomllib

        path = Path(spec)
        if not path.is_file():
            raise InvalidValueError(
                f"Invalid value for 'spec': {str(path)!r} does not exist. Pass a TOML file "
                "(see hftp.apps.sweeps for its keys) or a dict."
            )
        try:
            spec = tomllib.loads(path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise InvalidValueError(
                f"Invalid value for 'spec': {str(path)!r} is not valid TOML ({exc})."
            ) from None
        base = path.resolve().parent
    if not isinstance(spec, dict):
        raise InvalidTypeError(
            f"Invalid type for 'spec': expected a TOML path or a dict; got {type(spec).__name__}."
        )
    missing = [k for k in _REQUIRED if k not in spec]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'spec': the keys {missing} are missing. A sweep needs "
            f"{list(_REQUIRED)}, e.g. out = 'sweep-out', n_sequences = 50, seed = 0, designs = "
            "['sentences', 'within-shuffle'], and a [matrix] table with model and language lists."
        )
    unknown = sorted(set(spec) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise InvalidValueError(
            f"Invalid value for 'spec': unknown keys {unknown}. Allowed: "
            f"{list(_REQUIRED + _OPTIONAL)}."
        )
    matrix = spec["matrix"]
    if not isinstance(matrix, dict) or not {"model", "language"} <= set(matrix):
        raise InvalidValueError(
            "Invalid value for 'spec.matrix': expected a table with at least 'model' and "
            f"'language' lists; got {matrix!r}."
        )
    for k, v in matrix.items():
        if k not in _MATRIX_KEYS:
            raise InvalidValueError(
                f"Invalid value for 'spec.matrix': unknown key {k!r}. Allowed: {list(_MATRIX_KEYS)}."
            )
        if not isinstance(v, list) or not v:
            raise InvalidValueError(
                f"Invalid value for 'spec.matrix.{k}': expected a non-empty list; got {v!r}."
            )
    for table in ("load", "probe", "tag"):
        if not isinstance(spec.get(table, {}), dict):
            raise InvalidTypeError(
                f"Invalid type for 'spec.{table}': expected a table of keyword arguments "
                f"(e.g. [{table}] in the TOML file); got {spec[table]!r}."
            )
    if "device" in spec.get("load", {}):
        raise InvalidValueError(
            "Invalid value for 'spec.load': 'device' is a top-level key of the spec (device = "
            "'cuda'); move it out of [load]."
        )
    if "name" in spec.get("load", {}):
        raise InvalidValueError(
            "Invalid value for 'spec.load': the model comes from [matrix] model = [...]; remove "
            "'name' from [load]."
        )
    designs = spec["designs"]
    if isinstance(designs, str):
        designs = [designs]
    out = dict(spec)
    out["designs"] = list(designs)
    out["n_sequences"] = check_int("spec.n_sequences", spec["n_sequences"], min_value=1)
    out["seed"] = check_int("spec.seed", spec["seed"])
    out["out"] = str((base / Path(spec["out"]).expanduser()).resolve())
    out.setdefault("condition", out["designs"][0])
    out.setdefault("control", out["designs"][1] if len(out["designs"]) > 1 else None)
    out.setdefault("device", "auto")
    out.setdefault("load", {})
    out.setdefault("probe", {})
    out.setdefault("tag", {})
    return out


def _slug(value: Any) -> str:
    return re.sub(r"[^A-Za-z0-9._=-]+", "-", str(value).strip("/").replace("/", "--")) or "x"


def _model_slug(model: str) -> str:
    """A folder's (or .gguf file's) own name; a hub id ``org/name`` as ``org--name``."""
    m = str(model)
    p = Path(m).expanduser()
    if p.exists() or p.is_absolute() or m.startswith((".", "~")) or m.count("/") > 1:
        return _slug(p.stem if p.suffix == ".gguf" else p.name)
    return _slug(m)


def plan_runs(spec: dict) -> list[dict]:
    """Every combination of the matrix lists, each with its ``run`` id and output ``dir``.

    Parameters
    ----------
    spec : dict
        A checked spec (:func:`load_spec`).

    Returns
    -------
    list of dict
        One per run: the matrix values, ``run`` (``model/language[/key=value...]``) and ``dir``
        (under ``spec["out"]``).

    Raises
    ------
    ValueError
        Two models map to the same output folder.
    """
    keys = list(spec["matrix"])
    runs = []
    for values in itertools.product(*(spec["matrix"][k] for k in keys)):
        p = dict(zip(keys, values, strict=True))
        model = _model_slug(p["model"]) + ("-untrained" if p.get("untrained") else "")
        extra = [f"{k}={_slug(p[k])}" for k in keys if k not in ("model", "language", "untrained")]
        rel = Path(model, _slug(p["language"]), *extra)
        runs.append({**p, "run": rel.as_posix(), "dir": str(Path(spec["out"]) / rel)})
    ids = [r["run"] for r in runs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InvalidValueError(
            f"Invalid value for 'spec.matrix.model': several models map to the same output folder "
            f"{dup}. Give the model folders distinct names."
        )
    return runs


#: the spec's entries that shape a run's results, stored in its run.json
_SETTINGS = (
    "n_sequences",
    "seed",
    "designs",
    "n_sentences",
    "condition",
    "control",
    "device",
    "load",
    "probe",
    "tag",
)


def _settings(spec: dict) -> dict:
    """The spec's result-shaping entries, as they read back from JSON."""
    return json.loads(json.dumps({k: spec.get(k) for k in _SETTINGS}, default=str))


def run_is_done(run: dict, spec: dict) -> bool:
    """Whether a run finished with the spec's current settings (one made with others is redone).

    Parameters
    ----------
    run : dict
        One run of :func:`plan_runs` (its ``dir`` holds ``run.json`` once it ran).
    spec : dict
        The sweep's spec (:func:`load_spec`).

    Returns
    -------
    bool
        True when ``run.json`` says ``done`` and records the spec's current settings.
    """
    f = Path(run["dir"]) / "run.json"
    if not f.is_file():
        return False
    try:
        rec = json.loads(f.read_text())
    except json.JSONDecodeError:
        return False
    if rec.get("status") != "done":
        return False
    if rec.get("settings") != _settings(spec):
        logger.warning("sweep run %s was made with other settings: running it again", run["run"])
        return False
    return True


def run_one(run: dict, spec: dict) -> dict:
    """Probe and tag one run of a sweep and write it under ``run["dir"]`` (a Dask task).

    Parameters
    ----------
    run : dict
        One run of :func:`plan_runs`.
    spec : dict
        The checked spec (:func:`load_spec`).

    Returns
    -------
    dict
        The run's row of ``index.csv``. Failures are caught and recorded (status ``"failed"``
        with the error), so that one bad run does not stop the others.
    """
    from hftp.models.load import load_model, untrained
    from hftp.models.probing import probe
    from hftp.stimuli.generation import make_stimuli
    from hftp.tagging.pipeline import find_tagged

    t0 = time.perf_counter()
    row = {
        "run": run["run"],
        "model": str(run["model"]),
        "language": run["language"],
        **{k: run[k] for k in run if k not in ("run", "dir", "model", "language")},
    }
    dest = Path(run["dir"])
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        stim_kw = {"n_sentences": spec["n_sentences"]} if "n_sentences" in spec else {}
        stim = make_stimuli(
            run["language"], spec["designs"], spec["n_sequences"], spec["seed"], **stim_kw
        )
        model, tok = load_model(str(run["model"]), device=spec["device"], **spec.get("load", {}))
        if run.get("untrained"):
            model = untrained(model, seed=spec["seed"])
        kw = dict(spec["probe"])
        for k in ("tokenization", "pooling"):
            if k in run:
                kw[k] = run[k]
        spectra = probe(model, tok, stim, progress=False, **kw)
        tagged = find_tagged(
            spectra, spec["condition"], spec["control"], seed=spec["seed"], **spec["tag"]
        )
        with atomic_dir(dest, overwrite=True) as staging:
            save(spectra, staging / "spectra.nc")
            save(tagged, staging / "tagged.nc")
            row.update(
                status="done",
                time_s=round(time.perf_counter() - t0, 3),
                spectra=str(dest / "spectra.nc"),
                tagged=str(dest / "tagged.nc"),
                error="",
                dtype=str(next(model.parameters()).dtype).removeprefix("torch."),
            )
            _write_record(staging, row, spec)
    except Exception as exc:  # noqa: BLE001 - recorded in the index, the sweep goes on
        logger.exception("sweep run %s failed", run["run"])
        row.update(
            status="failed",
            time_s=round(time.perf_counter() - t0, 3),
            spectra="",
            tagged="",
            error=f"{type(exc).__name__}: {exc}",
        )
        with atomic_dir(dest, overwrite=True) as staging:
            _write_record(staging, row, spec)
    return row


def _write_record(folder: Path, row: dict, spec: dict) -> None:
    """``run.json``: the run's index row and the spec's settings it was made with."""
    rec = {**row, "settings": _settings(spec)}
    (folder / "run.json").write_text(json.dumps(rec, indent=1, default=str))


def read_index(out: str | os.PathLike):
    """Read a sweep's index.

    Parameters
    ----------
    out : path-like
        The sweep's output folder.

    Returns
    -------
    pandas.DataFrame
        ``out/index.csv``, one row per run.
    """
    import pandas as pd

    return pd.read_csv(Path(out) / "index.csv", keep_default_na=False)


def _write_index(spec: dict, runs: list[dict]):
    import pandas as pd

    rows = []
    for r in runs:
        f = Path(r["dir"]) / "run.json"
        if f.is_file():
            rec = json.loads(f.read_text())
            rec.pop("settings", None)  # the spec's own entries; the index keeps the run's
            rows.append(rec)
        else:
            pending = {"run": r["run"], "model": r["model"], "language": r["language"]}
            rows.append({**pending, "status": "pending"})
    df = pd.DataFrame(rows)
    cols = [c for c in _INDEX_COLS if c in df] + [c for c in df if c not in _INDEX_COLS]
    df = df[cols]
    write_text(Path(spec["out"]) / "index.csv", df.to_csv(index=False), name="spec.out")
    return df


def _local_client(workers: int):
    from dask.distributed import Client, LocalCluster

    resources = {}
    try:
        import torch

        if torch.cuda.is_available():
            resources = {"GPU": 1}
    except ImportError:
        pass
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        resources=resources or None,
        dashboard_address=":0",
    )
    return Client(cluster)


def _needs_gpu(client, device: str) -> bool:
    if str(device).startswith("cuda"):
        return True
    if device != "auto":
        return False
    workers = client.scheduler_info().get("workers", {}).values()
    return any(w.get("resources", {}).get("GPU") for w in workers)


def sweep(
    spec: str | os.PathLike | dict,
    client=None,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
):
    """Run every combination of a SPEC's matrix as a Dask task; skip the finished ones.

    Parameters
    ----------
    spec : path or dict
        A TOML file or dict (see the module docstring for its keys).
    client : dask.distributed.Client, optional
        Run on this cluster. Default: connect to ``scheduler`` if given, else start a
        ``LocalCluster`` of ``workers`` processes (closed at the end).
    workers : int
        Worker processes of the local cluster. Default 1.
    scheduler : str, optional
        Address of a running Dask scheduler (e.g. ``"tcp://10.0.0.5:8786"``).
    progress : bool
        Show Dask's progress bar. Default True.

    Returns
    -------
    pandas.DataFrame
        ``out/index.csv``: one row per run (``run, model, language, status, time_s, spectra,
        tagged, error`` and the other matrix keys). Status is ``"done"`` or ``"failed"``.
    """
    spec = load_spec(spec)
    runs = plan_runs(spec)
    Path(spec["out"]).mkdir(parents=True, exist_ok=True)
    todo = [r for r in runs if not run_is_done(r, spec)]
    logger.info("sweep: %d runs, %d already done", len(runs), len(runs) - len(todo))
    if not todo:
        return _write_index(spec, runs)
    own = client is None
    if own:
        if scheduler is not None:
            from dask.distributed import Client

            client = Client(scheduler)
        else:
            client = _local_client(check_int("workers", workers, min_value=1))
    try:
        logger.info("Dask dashboard: %s", client.dashboard_link)
        extra = {"resources": {"GPU": 1}} if _needs_gpu(client, spec["device"]) else {}
        futures = [
            client.submit(run_one, r, spec, key=f"hftp-{_slug(r['run'])}", pure=False, **extra)
            for r in todo
        ]
        if progress:
            from dask.distributed import progress as dask_progress

            dask_progress(futures)
        client.gather(futures)
    finally:
        if own:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    return _write_index(spec, runs)
