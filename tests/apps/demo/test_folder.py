"""The demo's output folder: refused when it holds other content, resumed when a run of the
same parameters stopped early, restarted with overwrite."""

from __future__ import annotations

import json

import pytest

from hftp.apps.demo.config import DemoConfig
from hftp.apps.demo.folder import MARKER, MARKER_SCHEMA, marker_params, prepare_out


def test_demo_folder_refused_or_resumed(tmp_path):
    """A folder with other content is refused; a demo folder of the same parameters resumes."""
    (tmp_path / "thesis.tex").write_text("mine")
    cfg = DemoConfig(n_sequences=4)
    with pytest.raises(ValueError, match="not an hftp demo folder.*--overwrite"):
        prepare_out(tmp_path, cfg, overwrite=False)
    run = tmp_path / "run"
    run.mkdir()
    rec = {"params": marker_params(cfg), "stages": ["model_spectra"], "complete": False}
    (run / MARKER).write_text(json.dumps(rec))
    assert prepare_out(run, cfg, overwrite=False)["stages"] == ["model_spectra"]
    with pytest.raises(ValueError, match="other parameters"):
        prepare_out(run, DemoConfig(n_sequences=5), overwrite=False)
    assert prepare_out(run, DemoConfig(n_sequences=5), overwrite=True)["stages"] == []
    assert not (run / MARKER).exists()


def test_marker_params_record_what_a_resumed_run_must_match():
    p = marker_params(DemoConfig(quick=True, seed=3))
    assert p["schema"] == MARKER_SCHEMA and p["n_sequences"] == 16 and p["seed"] == 3
    assert "n_sentences" not in p  # absent at the default, so older folders still resume
    assert marker_params(DemoConfig(n_sentences=10))["n_sentences"] == 10


def test_prepare_out_refuses_a_file_and_accepts_a_new_folder(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        prepare_out(tmp_path / "f", DemoConfig(), overwrite=False)
    fresh = prepare_out(tmp_path / "new", DemoConfig(), overwrite=False)
    assert fresh["stages"] == [] and fresh["complete"] is False
    assert not (tmp_path / "new").exists()  # checked, not created
