"""``hftp demo``: the options reach the demo's configuration and the summary is printed."""

from __future__ import annotations

import hftp.apps.demo.pipeline as pipeline
from hftp.apps.cli import app


def test_demo_passes_its_options_and_prints_the_summary(tmp_path, runner, summary, monkeypatch):
    seen = {}

    def fake_run_demo(out, *, config, overwrite):
        seen.update(out=out, config=config, overwrite=overwrite)
        return {"numbers": {"calibrated_fraction_tagged": {"sentence": 0.2}}}

    monkeypatch.setattr(pipeline, "run_demo", fake_run_demo)
    out = tmp_path / "d"
    args = ["demo", "--out", str(out), "--quick", "--model", "default", "--n-sequences", "5"]
    res = runner.invoke(app, [*args, "--seed", "3", "--overwrite", "--json"])
    assert res.exit_code == 0, res.output
    cfg = seen["config"]
    assert (cfg.quick, cfg.model, cfg.n_sequences, cfg.seed) == (True, None, 5, 3)
    assert seen["out"] == out and seen["overwrite"] is True
    assert summary(res) == {
        "report": str(out / "report.html"),
        "calibrated_fraction_tagged": {"sentence": 0.2},
    }
    res = runner.invoke(app, ["demo", "--out", str(out), "--model", "./my-llama"])
    assert seen["config"].model == "./my-llama" and seen["config"].quick is False
    assert res.stdout.strip() == f"report: {out / 'report.html'}"


def test_demo_refuses_a_folder_of_other_content(tmp_path, runner):
    (tmp_path / "thesis.tex").write_text("mine")
    res = runner.invoke(app, ["demo", "--out", str(tmp_path), "--n-sequences", "4"])
    assert res.exit_code == 2 and "not an hftp demo folder" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]
