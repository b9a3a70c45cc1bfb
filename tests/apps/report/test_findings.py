"""The finding registry: builders turn numbers into labelled sentences; missing keys are fine."""

from __future__ import annotations

import logging

import pytest

from hftp.apps import report
from hftp.apps.report import findings as F


def test_every_builder_tolerates_missing_and_partial_numbers(numbers, params):
    assert F.collect_findings({}, {}) == []
    for key in numbers:  # each entry alone, and everything but it
        alone = F.collect_findings({key: numbers[key]}, params)
        rest = F.collect_findings({k: v for k, v in numbers.items() if k != key}, {})
        assert all(isinstance(f, F.Finding) for _, f in alone + rest)
    # partial entries: keys missing inside a group
    partial = {k: {kk: vv for kk, vv in list(v.items())[:2]} for k, v in numbers.items()}
    assert all(isinstance(f, F.Finding) for _, f in F.collect_findings(partial, params))


def test_register_a_finding_without_touching_the_renderer(monkeypatch, tmp_path, numbers, figures):
    monkeypatch.setattr(F, "FINDINGS", dict(F.FINDINGS))

    @F.register_finding("ablation", source="simulated", data="model", figures=("abl",))
    def _ablation(nums, params):
        drop = F.get(nums, "ablation", "phrase_drop")
        return None if drop is None else f"Ablation lowered phrase SNR by {drop:.2f}."

    assert "ablation" in F.FINDINGS
    assert "ablation" not in dict(F.collect_findings(numbers, {}))
    numbers["ablation"] = {"phrase_drop": 0.5}
    got = dict(F.collect_findings(numbers, {}))["ablation"]
    assert got == F.Finding("Ablation lowered phrase SNR by 0.50.", "simulated", "model", ("abl",))
    page = report.build_report(tmp_path, {"abl": figures["tagged_spectra"]}, numbers, {})
    page = page.read_text()
    assert "simulated · model</span>Ablation lowered phrase SNR by 0.50." in page
    # the figure it cites carries its label (its name alone would say real)
    fig = page.split('<figure id="fig-abl">')[1].split("</figure>")[0]
    assert 'class="badge simulated">simulated · model' in fig


def test_a_failing_builder_is_skipped_and_logged(caplog, numbers):
    def broken(nums, params):
        return nums["nope"]["x"]

    registry = {"broken": broken, "model": F.FINDINGS["model_tagging"]}
    with caplog.at_level(logging.WARNING, logger="hftp"):
        got = F.collect_findings(numbers, {}, registry)
    assert [n for n, _ in got] == ["model"]
    assert "finding 'broken' skipped (KeyError" in caplog.text
    with caplog.at_level(logging.WARNING, logger="hftp"):
        assert F.collect_findings({}, {}, {"odd": lambda n, p: 3}) == []
    assert "returned int" in caplog.text


def test_get():
    d = {"a": {"b": 1, "c": None}, "x": 3}
    assert F.get(d, "a", "b") == 1
    assert F.get(d, "a", "c", default=0) == 0
    assert F.get(d, "x", "y") is None and F.get(d, "missing") is None


def test_finding_figures_are_a_tuple():
    assert F.Finding("t", figures=["a", "b"]).figures == ("a", "b")
    assert F.Finding("t", figures="a").figures == ("a",)


def test_bad_source_is_refused():
    with pytest.raises(ValueError, match="'source'.*real.*simulated"):
        F.Finding("text", source="maybe")
    with pytest.raises(ValueError, match="'source'"):
        F.register_finding("x", source="sim")


def test_register_before_places_the_finding_and_refuses_an_unknown_name(monkeypatch):
    monkeypatch.setattr(F, "FINDINGS", dict(F.FINDINGS))
    F.register_finding("extra", before="paper_mode")(lambda n, p: None)
    names = list(F.FINDINGS)
    assert names.index("extra") == names.index("paper_mode") - 1
    # the demo's checks sit between the null check and the paper-mode comparison
    assert names.index("null_check") < names.index("beyond_lexical") < names.index("paper_mode")
    with pytest.raises(ValueError, match="'before'.*'no_such_finding' is not a registered"):
        F.register_finding("other", before="no_such_finding")(lambda n, p: None)


def test_q_level_reads_the_tagging_level_then_the_run_level():
    assert F.q_level({"tagging": {"q": 0.1}, "q": 0.2}) == 0.1
    assert F.q_level({"q": 0.2}) == 0.2
    assert F.q_level({"tagging": {"q": "n/a"}}) == 0.05 and F.q_level({}) == 0.05
