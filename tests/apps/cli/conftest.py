"""Shared fixtures of the command-line tests: a runner, a summary parser, and saved spectra."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import hftp
from hftp.testing import planted_spectra


@pytest.fixture()
def runner():
    """Invokes the ``hftp`` app in-process (stdout and stderr kept apart)."""
    return CliRunner()


@pytest.fixture()
def summary():
    """The ``--json`` summary a command printed (its last stdout line)."""
    return lambda result: json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture()
def spectra_file(tmp_path):
    """Model spectra (2 layers × 20 neurons) saved to ``tmp_path/spectra.nc``: the first 5 neurons
    of each layer carry a 1 Hz response in ``sentences`` (10 of 40 channels), none in
    ``control``."""
    plant = np.zeros((2, 20), bool)
    plant[:, :5] = True
    s = planted_spectra(
        (2, 20),
        conditions=("sentences", "control"),
        planted_in=("sentences",),
        plant={"sentence": plant.ravel()},
        amplitude=1.0,
        n_trials=12,
        n_times=48,
        sfreq=4.0,
        tagged_hz={"sentence": 1.0},
        seed=0,
    )
    return hftp.save(s, tmp_path / "spectra.nc")
