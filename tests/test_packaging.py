"""The installed wheel works outside the checkout; the language data have one source."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hftp._validation import HftpError
from hftp.stimuli.grammar import stimuli_dir

ROOT = Path(__file__).resolve().parents[1]


def test_stimuli_dir_env_override_and_bad_value(tmp_path, monkeypatch):
    (tmp_path / "en").mkdir()
    monkeypatch.setenv("HFTP_STIMULI_DIR", str(tmp_path))
    assert stimuli_dir() == tmp_path
    monkeypatch.setenv("HFTP_STIMULI_DIR", str(tmp_path / "nope"))
    with pytest.raises(HftpError, match="HFTP_STIMULI_DIR=.*'en/'.*unset it"):
        stimuli_dir()
    monkeypatch.delenv("HFTP_STIMULI_DIR")
    assert stimuli_dir() == ROOT / "stimuli"


@pytest.mark.slow
def test_wheel_installs_and_runs_from_another_folder():
    env = {**os.environ, "PY": sys.executable}
    res = subprocess.run([str(ROOT / ".ci" / "wheel-smoke")], env=env, capture_output=True,
                         text=True, timeout=600)  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    assert "wheel smoke test passed: hftp" in res.stdout
