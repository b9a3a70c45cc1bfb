"""The command line's option values: LEVEL=HZ pairs, layer lists, condition files, the summary,
``--version``, and options renamed in hftp 0.3."""

from __future__ import annotations

import json

import pytest
import typer

from hftp import _deprecate
from hftp._version import __version__
from hftp.apps.cli import app
from hftp.apps.cli.options import (
    emit,
    load_conditions,
    parse_layers,
    parse_tagged_hz,
    renamed_option,
)


def test_parse_tagged_hz():
    assert parse_tagged_hz(None) is None and parse_tagged_hz([]) is None
    got = parse_tagged_hz(["sentence=0.78125", " phrase = 1.5625"])
    assert got == {"sentence": 0.78125, "phrase": 1.5625}
    for bad in (["phrase"], ["=2"], ["phrase=fast"]):
        with pytest.raises(typer.Exit):
            parse_tagged_hz(bad)
    with pytest.raises(typer.Exit):
        parse_tagged_hz(["a=1", "a=2"], "--control-hz", "NAME")


def test_parse_tagged_hz_names_the_option(capsys):
    with pytest.raises(typer.Exit):
        parse_tagged_hz(["fake"], "--control-hz", "NAME")
    assert "'--control-hz': expected NAME=HZ; got 'fake'" in capsys.readouterr().err


def test_parse_layers():
    assert parse_layers(None) is None
    assert parse_layers(["0,5", "-1"]) == [0, 5, -1]
    with pytest.raises(typer.Exit):
        parse_layers(["one"])


def test_load_conditions(tmp_path):
    assert load_conditions(None) is None
    p = tmp_path / "c.json"
    p.write_text(json.dumps({"a": 1, "b": [2, "x"], "c": {"start": 3, "stop": 6}, "d": "shuf"}))
    assert load_conditions(p) == {"a": 1, "b": [2, "x"], "c": range(3, 6), "d": "shuf"}
    for text in ("{no", "[]", '{"a": true}', '{"a": {"start": 1}}'):
        p.write_text(text)
        with pytest.raises(typer.Exit):
            load_conditions(p)


def test_emit_prints_json_or_lines(capsys):
    emit({"out": "a.nc", "n": 2}, as_json=True)
    assert json.loads(capsys.readouterr().out) == {"out": "a.nc", "n": 2}
    emit({"out": "a.nc", "n": 2}, as_json=False)
    assert capsys.readouterr().out == "out: a.nc\nn: 2\n"


def test_version(runner):
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"hftp {__version__}"


def test_renamed_option_takes_either_name_but_not_both(monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())  # warn-once state
    assert renamed_option("--old", None, "--new", 5.0, 4.0) == 5.0
    with pytest.warns(FutureWarning, match="the option --old was renamed to --new"):
        assert renamed_option("--old", 3.0, "--new", 4.0, 4.0) == 3.0
    with pytest.raises(typer.Exit):
        renamed_option("--old", 3.0, "--new", 5.0, 4.0)
