"""The ``hftp`` app: its commands in the pipeline's order, the console entry point, and
``python -m hftp.apps.cli``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hftp._version import __version__
from hftp.apps import cli


def test_help_lists_every_command_in_order(runner):
    res = runner.invoke(cli.app, ["--help"])
    assert res.exit_code == 0
    listed = [name for name in cli.COMMANDS if f" {name} " in res.output]
    assert listed == list(cli.COMMANDS)
    positions = [res.output.index(f" {name} ") for name in cli.COMMANDS]
    assert positions == sorted(positions)
    for name in cli.COMMANDS:  # every command has its own help with an example
        out = runner.invoke(cli.app, [name, "--help"]).output
        assert "Example" in out, name


def test_main_is_the_console_script(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["hftp", "--version"])
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"hftp {__version__}"


def test_python_dash_m_runs_the_command():
    res = subprocess.run(
        [sys.executable, "-m", "hftp.apps.cli", "--version"], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"hftp {__version__}"
