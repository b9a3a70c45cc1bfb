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
    with pytest.raises(ValueError, match="not an hftp demo folder. Choose another folder"):
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


def test_overwrite_removes_only_what_the_demo_wrote(tmp_path):
    """``--overwrite`` never deletes the user's files: a folder holding any is refused, naming
    one; the demo's own files (listed in its manifest) are removed."""
    from hftp.apps.demo.folder import finish_out

    cfg = DemoConfig(n_sequences=4)
    out = tmp_path / "demo"
    rec = prepare_out(out, cfg, overwrite=False)
    for rel in ("figures/layer_profile.png", "results/spectra.nc", "report.html"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("demo")
    (out / MARKER).write_text(json.dumps({**rec, "foreign": None, "complete": True}))
    finish_out(out, rec)
    (out / "results" / "my_analysis.csv").write_text("the user's")
    with pytest.raises(ValueError, match="did not write.*'results/my_analysis.csv'"):
        prepare_out(out, DemoConfig(n_sequences=5), overwrite=True)
    assert (out / "results" / "spectra.nc").exists()  # nothing removed
    (out / "results" / "my_analysis.csv").unlink()
    assert prepare_out(out, DemoConfig(n_sequences=5), overwrite=True)["stages"] == []
    assert not any(p.is_file() for p in out.rglob("*"))


def test_a_legacy_demo_folder_is_not_overwritten_blindly(tmp_path):
    run = tmp_path / "old"
    (run / "results").mkdir(parents=True)
    (run / "results" / "spectra.nc").write_text("old demo, or the user's?")
    rec = {"params": {"schema": 1}, "stages": [], "complete": True}
    (run / MARKER).write_text(json.dumps(rec))
    with pytest.raises(ValueError, match="older hftp.*cannot tell its files from yours"):
        prepare_out(run, DemoConfig(), overwrite=True)
    assert (run / "results" / "spectra.nc").exists()


def test_files_present_before_a_resumed_run_stay_foreign(tmp_path):
    from hftp._paths import foreign_files
    from hftp.apps.demo.folder import finish_out

    cfg = DemoConfig(n_sequences=4)
    out = tmp_path / "demo"
    out.mkdir()
    (out / MARKER).write_text(json.dumps({"params": marker_params(cfg), "stages": []}))
    (out / "notes.txt").write_text("mine")
    rec = prepare_out(out, cfg, overwrite=False)  # resumes: same parameters
    (out / "report.html").write_text("demo")
    finish_out(out, rec)
    assert foreign_files(out) == ["notes.txt"]
