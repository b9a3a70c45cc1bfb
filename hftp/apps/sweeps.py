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
run again. By default the runs go to a local cluster of worker processes, one per GPU where
there are GPUs, each seeing only its own (:mod:`hftp.apps.clusters`); pass a ``Client`` (or
``--scheduler``) to use an existing cluster (dask-jobqueue on SLURM, Kubernetes, dask-cuda).
Workers with a GPU declare a ``GPU`` resource, and a run on CUDA asks for one: sent to a
cluster without GPU workers it is refused at once.

Nothing is lost and nothing starts half-checked. The whole spec is checked before any run: every
key, every matrix value (a model or language becomes a folder name, so ``..``, ``.``, separators
and empty names are refused, and every run folder must resolve inside ``out``), the ``[load]``,
``[probe]`` and ``[tag]`` tables (keys and values) and the designs in every language (one sequence
of each is made). Planning is linear in the number of runs. A run folder is replaced only when
it holds nothing but hftp's own files (its manifest, :mod:`hftp._paths`). Resuming checks that
every output of a finished run exists and opens. A failed run is one line in the log and in the
index. Progress goes to stderr; Ctrl-C cancels the runs and closes the cluster quietly.

This module is one idea, a sweep from its spec to its index (checking, planning, running,
resuming), and is longer than most for that reason.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from hftp._paths import MANIFEST, check_component, check_replaceable, confine, foreign_files
from hftp._validation import (
    HftpError,
    InvalidTypeError,
    InvalidValueError,
    check_float,
    check_int,
)
from hftp.apps.clusters import check_gpu_workers, local_client, needs_gpu
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
    if Path(out["out"]).exists() and not Path(out["out"]).is_dir():
        raise InvalidValueError(
            f"Invalid value for 'spec.out': {out['out']!r} is a file; a sweep writes a folder. "
            "Choose another path for out."
        )
    out.setdefault("condition", out["designs"][0])
    out.setdefault("control", out["designs"][1] if len(out["designs"]) > 1 else None)
    out.setdefault("device", "auto")
    out.setdefault("load", {})
    out.setdefault("probe", {})
    out.setdefault("tag", {})
    _check_matrix_values(out)
    _check_tables(out)
    _check_stimuli(out)
    return out


def _check_matrix_values(spec: dict) -> None:
    """Every matrix value is usable: names that become folders, options that exist."""
    from hftp._validation import check_option, check_type

    for lang in spec["matrix"]["language"]:
        check_component("spec.matrix.language", lang, fix="Use a language code, e.g. 'en'.")
    for model in spec["matrix"]["model"]:
        check_type("spec.matrix.model", model, str, "a model name, folder or .gguf file")
        check_component(
            "spec.matrix.model",
            _model_name(model),
            fix="Name a model folder, a .gguf file, a hub id or a catalogue key.",
        )
    for v in spec["matrix"].get("untrained", []):
        check_type("spec.matrix.untrained", v, bool, "true or false")
    if "tokenization" in spec["matrix"] or "pooling" in spec["matrix"]:
        from hftp.models.pooling import POOLINGS, TOKENIZATIONS

        for v in spec["matrix"].get("tokenization", []):
            check_option("spec.matrix.tokenization", v, TOKENIZATIONS)
        for v in spec["matrix"].get("pooling", []):
            check_option("spec.matrix.pooling", v, POOLINGS)
    if not isinstance(spec["device"], str):
        raise InvalidTypeError(
            f"Invalid type for 'spec.device': expected 'auto', 'cpu', 'cuda' or 'cuda:N'; got "
            f"{spec['device']!r}."
        )


#: keyword arguments the sweep itself passes (a table may not set them)
_SET_BY_SWEEP = {
    "probe": ("model", "tokenizer", "stim", "progress", "save_raw"),
    "tag": ("spectra", "condition", "control", "seed"),
}


def _check_keywords(table: str, given: dict, fn) -> None:
    import inspect

    from hftp._validation import did_you_mean

    params = inspect.signature(fn).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    allowed = [k for k in params if k not in _SET_BY_SWEEP.get(table, ())]
    for key in given:
        if key in _SET_BY_SWEEP.get(table, ()):
            where = "the top-level key" if key in ("condition", "control", "seed") else "the sweep"
            raise InvalidValueError(
                f"Invalid value for 'spec.{table}': {key!r} is set by {where}; remove it "
                f"from [{table}]."
            )
        if key not in params and not takes_any:
            raise InvalidValueError(
                f"Invalid value for 'spec.{table}': unknown key {key!r}. Allowed: "
                f"{allowed}.{did_you_mean(key, allowed)}"
            )


def _check_tables(spec: dict) -> None:
    """The [load], [probe] and [tag] tables, keys and values, before any run starts."""
    from hftp._validation import (
        check_float,
        check_fraction_open,
        check_int,
        check_option,
        check_type,
    )
    from hftp.models.load import load_model
    from hftp.models.probing import probe
    from hftp.tagging.pipeline import MODE_PARAMS, MODES, find_tagged

    _check_keywords("load", spec["load"], load_model)
    _check_keywords("probe", spec["probe"], probe)
    _check_keywords("tag", spec["tag"], find_tagged)
    load = spec["load"]
    if "dtype" in load:
        check_option(
            "spec.load.dtype",
            str(load["dtype"]).removeprefix("torch."),
            ("float32", "float16", "bfloat16", "float64"),
        )
    if "download" in load:
        check_type("spec.load.download", load["download"], bool, "true or false")
    pr = spec["probe"]
    for key in ("batch_size",):
        if key in pr:
            check_int(f"spec.probe.{key}", pr[key], min_value=1)
    if "drop_units" in pr:
        check_int("spec.probe.drop_units", pr["drop_units"], min_value=0)
    for key in ("keep_trials", "split", "drop_missing", "add_bos"):
        if key in pr and pr[key] is not None:
            check_type(f"spec.probe.{key}", pr[key], bool, "true or false")
    if "pooling" in pr or "tokenization" in pr:
        from hftp.models.pooling import POOLINGS, TOKENIZATIONS

        if "pooling" in pr:
            check_option("spec.probe.pooling", pr["pooling"], POOLINGS)
        if "tokenization" in pr and pr["tokenization"] is not None:
            check_option("spec.probe.tokenization", pr["tokenization"], TOKENIZATIONS)
    tag = spec["tag"]
    mode = check_option("spec.tag.mode", tag.get("mode", "calibrated"), MODES)
    if "q" in tag:
        check_fraction_open("spec.tag.q", tag["q"])
    for key in ("min_snr", "min_effect"):
        if key in tag:
            check_float(f"spec.tag.{key}", tag[key], min_value=0.0)
    mode_params = tag.get("mode_params", {})
    check_type("spec.tag.mode_params", mode_params, dict, "a table, e.g. [tag.mode_params]")
    fields = MODE_PARAMS[mode]
    for key in mode_params:
        if key not in fields:
            raise InvalidValueError(
                f"Invalid value for 'spec.tag.mode_params': unknown key {key!r} for mode "
                f"{mode!r}. Allowed: {sorted(fields)}."
            )
    try:
        MODES[mode].params(**mode_params)  # the mode's own checks of its values
    except (ValueError, TypeError) as exc:
        raise InvalidValueError(f"Invalid value in 'spec.tag.mode_params': {exc}") from None


def _check_stimuli(spec: dict) -> None:
    """Make one sequence of every design in every language: designs, languages and
    ``n_sentences`` are checked before any run (and ``condition``/``control`` among them)."""
    import warnings

    from hftp.stimuli.generation import make_stimuli

    designs = spec["designs"]
    for key in ("condition", "control"):
        v = spec.get(key)
        if v is not None and v not in designs:
            from hftp._validation import check_option

            check_option(f"spec.{key}", v, designs, fix="It must be one of the spec's designs.")
    kw = {"n_sentences": spec["n_sentences"]} if "n_sentences" in spec else {}
    for lang in dict.fromkeys(spec["matrix"]["language"]):
        with warnings.catch_warnings():  # the runs say these themselves
            warnings.simplefilter("ignore")
            try:
                make_stimuli(lang, designs, 1, spec["seed"], **kw)
            except (ValueError, TypeError) as exc:
                msg = str(exc).replace("Invalid value for '", "Invalid value for 'spec.", 1)
                raise InvalidValueError(f"{msg} (language {lang!r} of spec.matrix)") from None


def _slug(value: Any, name: str = "spec.matrix") -> str:
    """A value as one safe folder name; ``..``, ``.`` and empty names are refused."""
    text = re.sub(r"[^A-Za-z0-9._=-]+", "-", str(value).strip("/").replace("/", "--"))
    return check_component(name, text, fix=f"(from {value!r}) Use plain names.")


def _model_name(model: str) -> str:
    """The name a model's run folder takes: a folder's (or .gguf file's) own name; a hub id
    ``org/name`` as is."""
    m = str(model)
    p = Path(m).expanduser()
    if p.exists() or p.is_absolute() or m.startswith((".", "~")) or m.count("/") > 1:
        return p.stem if p.suffix == ".gguf" else p.name
    return m


def _model_slug(model: str) -> str:
    """A folder's (or .gguf file's) own name; a hub id ``org/name`` as ``org--name``."""
    return _slug(_model_name(model), "spec.matrix.model")


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
    # one slug per distinct value (a model's slug stats the disk): planning stays linear
    slugs = {
        k: {
            repr(v): (_model_slug(v) if k == "model" else _slug(v, f"spec.matrix.{k}"))
            for v in spec["matrix"][k]
        }
        for k in keys
    }
    root = Path(spec["out"])
    runs = []
    for values in itertools.product(*(spec["matrix"][k] for k in keys)):
        p = dict(zip(keys, values, strict=True))
        model = slugs["model"][repr(p["model"])] + ("-untrained" if p.get("untrained") else "")
        extra = [
            f"{k}={slugs[k][repr(p[k])]}"
            for k in keys
            if k not in ("model", "language", "untrained")
        ]
        rel = Path(model, slugs["language"][repr(p["language"])], *extra)
        runs.append({**p, "run": rel.as_posix(), "dir": str(root / rel)})
    _confine_runs(root, runs)
    counts = Counter(r["run"] for r in runs)
    dup = sorted(i for i, n in counts.items() if n > 1)
    if dup:
        raise InvalidValueError(
            f"Invalid value for 'spec.matrix.model': several models map to the same output folder "
            f"{dup}. Give the model folders distinct names."
        )
    return runs


def _confine_runs(root: Path, runs: list[dict]) -> None:
    """Every run folder stays inside ``root`` once resolved (a symlink inside ``root`` could lead
    out). The names are safe components, so only a folder that exists can lead elsewhere: each
    distinct existing prefix is resolved once, and a missing one ends the walk down its branch."""
    import os

    seen: dict[str, bool] = {}  # prefix → exists (and was checked)
    for r in runs:
        parts = r["run"].split("/")
        for k in range(1, len(parts) + 1):
            prefix = "/".join(parts[:k])
            if prefix not in seen:
                path = root / prefix
                seen[prefix] = os.path.lexists(path)
                if seen[prefix]:
                    confine(root, path, name="spec.matrix")
            if not seen[prefix]:
                break


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
        True when ``run.json`` says ``done``, records the spec's current settings, and every
        output it lists (``spectra.nc``, ``tagged.nc``) exists and opens as what it should be;
        a run whose outputs were deleted or damaged is run again (with a note).
    """
    f = Path(run["dir"]) / "run.json"
    if not f.is_file():
        return False
    try:
        rec = json.loads(f.read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(rec, dict) or rec.get("status") != "done":
        return False
    if rec.get("settings") != _settings(spec):
        logger.warning("sweep run %s was made with other settings: running it again", run["run"])
        return False
    for name, var in _OUTPUTS.items():
        why = _unreadable(Path(run["dir"]) / name, var)
        if why:
            logger.warning("sweep run %s: its %s %s; running it again", run["run"], name, why)
            return False
    return True


#: every output of a run → a variable it must hold (as stored: complex values split in two)
_OUTPUTS = {"spectra.nc": "sum_x__re", "tagged.nc": "category"}


def _unreadable(path: Path, var: str) -> str | None:
    """Why ``path`` is not a usable output (missing, unreadable, incomplete), or None."""
    if not path.is_file():
        return "is missing"
    try:
        import xarray as xr

        with xr.open_dataset(path, engine="h5netcdf") as ds:  # opens the header, reads no data
            if var not in ds.variables:
                return f"lacks {var!r}"
    except Exception as exc:  # noqa: BLE001 - any failure to open means: run it again
        return f"cannot be read ({type(exc).__name__})"
    return None


def _legacy_run(folder: Path) -> list[str]:
    """The files of a run folder written before manifests that are not a run's own (empty for
    a run folder of an older hftp)."""
    return [f for f in foreign_files(folder) if f not in {"run.json", *_OUTPUTS}]


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
    import warnings

    with warnings.catch_warnings(record=True) as caught:  # a worker's warnings: one line each
        warnings.simplefilter("default")
        row = _run_one(run, spec)
    for text in dict.fromkeys(" ".join(str(w.message).split()) for w in caught):
        logger.warning("sweep run %s: %s", run["run"], text)
    return row


def _run_one(run: dict, spec: dict) -> dict:
    """:func:`run_one` itself, its warnings caught by the caller."""
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
        with atomic_dir(dest, name="spec.out", writer="hftp sweep", legacy=_legacy_run) as staging:
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
        what = str(exc) if isinstance(exc, HftpError) else f"{type(exc).__name__}: {exc}"
        what = " ".join(what.split())  # one line
        logger.error("sweep run %s failed: %s", run["run"], what)
        row.update(
            status="failed",
            time_s=round(time.perf_counter() - t0, 3),
            spectra="",
            tagged="",
            error=what,
        )
        try:
            with atomic_dir(
                dest, name="spec.out", writer="hftp sweep", legacy=_legacy_run
            ) as staging:
                _write_record(staging, row, spec)
        except (OSError, HftpError) as exc2:  # e.g. the folder holds the user's files
            row["error"] += f" (its run.json could not be written either: {exc2})"
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
        try:
            rec = json.loads(f.read_text()) if f.is_file() else None
        except (OSError, ValueError):
            rec = {"status": "failed", "error": f"its run.json ({f}) cannot be read"}
        if isinstance(rec, dict):
            rec.pop("settings", None)  # the spec's own entries; the index keeps the run's
            rows.append({"run": r["run"], "model": r["model"], "language": r["language"], **rec})
        else:
            pending = {"run": r["run"], "model": r["model"], "language": r["language"]}
            rows.append({**pending, "status": "pending"})
    df = pd.DataFrame(rows)
    cols = [c for c in _INDEX_COLS if c in df] + [c for c in df if c not in _INDEX_COLS]
    df = df[cols]
    write_text(Path(spec["out"]) / "index.csv", df.to_csv(index=False), name="spec.out")
    return df


def sweep(
    spec: str | os.PathLike | dict,
    client=None,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    connect_timeout: float = 30.0,
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
        Worker processes of the local cluster. Default 1. With CUDA, at most one per GPU:
        each worker sees only its own GPU(s) (:func:`hftp.apps.clusters.local_client`).
    scheduler : str, optional
        Address of a running Dask scheduler (e.g. ``"tcp://10.0.0.5:8786"``).
    progress : bool
        Show Dask's progress bar, on stderr (stdout stays free for ``--json``). Default True.
    connect_timeout : float
        Seconds to wait for ``scheduler`` before giving up with a message. Default 30.

    Returns
    -------
    pandas.DataFrame
        ``out/index.csv``: one row per run (``run, model, language, status, time_s, spectra,
        tagged, error`` and the other matrix keys). Status is ``"done"`` or ``"failed"``; a
        failed run's ``error`` is one line. Nothing is raised for a failed run: check the
        statuses (``hftp sweep`` exits with code 1 when any run failed).

    Raises
    ------
    InvalidValueError
        Before any run: a bad spec (every table and matrix value is checked), a run folder that
        holds files hftp did not write, a scheduler that does not answer, a CUDA spec on a
        cluster without GPU workers, more local workers than GPUs.
    KeyboardInterrupt
        On Ctrl-C, once the cluster is closed; the finished runs are kept, so the same call
        resumes.
    """
    spec = load_spec(spec)
    runs = plan_runs(spec)
    Path(spec["out"]).mkdir(parents=True, exist_ok=True)
    todo = [r for r in runs if not run_is_done(r, spec)]
    for r in todo:  # a run folder holding the user's files is refused before any run
        d = Path(r["dir"])
        legacy_ok = d.is_dir() and not (d / MANIFEST).exists() and not _legacy_run(d)
        if d.exists() and not legacy_ok:
            check_replaceable(d, name="spec.out")
    logger.info("sweep: %d runs, %d already done", len(runs), len(runs) - len(todo))
    if not todo:
        return _write_index(spec, runs)
    timeout = check_float("connect_timeout", connect_timeout, min_value=0.0, inclusive=False)
    own = client is None
    if own:
        if scheduler is not None:
            client = _connect(scheduler, timeout)
        else:
            client = local_client(check_int("workers", workers, min_value=1))
    futures: list = []
    try:
        logger.info("Dask dashboard: %s", client.dashboard_link)
        check_gpu_workers(client, spec["device"])
        extra = {"resources": {"GPU": 1}} if needs_gpu(client, spec["device"]) else {}
        futures = [
            client.submit(run_one, r, spec, key=f"hftp-{_slug(r['run'])}", pure=False, **extra)
            for r in todo
        ]
        if progress:
            from dask.distributed import progress as dask_progress

            with contextlib.redirect_stdout(sys.stderr):  # stdout stays pure (--json)
                dask_progress(futures)
        client.gather(futures)
    except KeyboardInterrupt:
        logging.getLogger("distributed").setLevel(logging.CRITICAL)  # a quiet shutdown
        with contextlib.suppress(Exception):
            client.cancel(futures)
        raise
    finally:
        if own:
            _close(client)
    return _write_index(spec, runs)


def _connect(scheduler: str, timeout: float):
    """A Client of the scheduler at ``scheduler``, or a message within ``timeout`` seconds.

    Dask's own ``timeout`` does not cover a port that accepts the connection and never answers
    (another service, a firewall): the Client is made in a daemon thread, waited for at most
    ``timeout`` seconds.
    """
    import threading

    from dask.distributed import Client

    box: dict[str, Any] = {}

    def make() -> None:
        try:
            box["client"] = Client(scheduler, timeout=f"{timeout}s")
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=make, name="hftp-sweep-connect", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    exc = box.get("error")
    if "client" in box:
        return box["client"]
    why = (
        f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        if exc is not None
        else "it accepted the connection but never answered"
    )
    raise InvalidValueError(
        f"Invalid value for 'scheduler': no Dask scheduler answered at {scheduler!r} within "
        f"{timeout:g} s ({why}). Check the address and that `dask scheduler` runs there, or "
        "leave out --scheduler to start a local cluster."
    ) from None


def _close(client) -> None:
    """Close a client and the local cluster it started, without shutdown chatter."""
    cluster = getattr(client, "cluster", None)
    with contextlib.suppress(Exception):
        client.close()
    if cluster is not None:
        with contextlib.suppress(Exception):
            cluster.close()
