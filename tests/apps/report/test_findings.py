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


def test_demo_findings_in_order(numbers, params):
    names = [n for n, _ in F.collect_findings(numbers, params)]
    assert names == [
        "model_tagging",
        "untrained_baseline",
        "null_check",
        "paper_mode",
        "simulated_contacts",
        "simulated_recovery",
        "simulated_alignment",
        "eeg_human",
        "eeg_alignment",
        "eeg_condition_response",
    ]
    found = dict(F.collect_findings(numbers, params))
    assert found["simulated_recovery"].source == "simulated"
    assert found["eeg_human"].source == "real" and found["eeg_human"].data == "EEG (scalp)"
    # model ranks 0..5 (SNR grows with the condition index); human ranks 5,1,0,2,4,3:
    # Σd² = 34, ρ = 1 − 6·34 / (6·35) = 0.029
    assert "Spearman ρ = 0.03" in found["eeg_condition_response"].text
    assert "largest response: avan in the model, anan in the participants" in (
        found["eeg_condition_response"].text
    )


def test_null_check_warns_when_above_q(numbers, params):
    numbers["null_random_words_fraction_significant"]["phrase"] = 0.2
    text = dict(F.collect_findings(numbers, params))["null_check"].text
    assert "above q = 0.05" in text and "liberal" in text


def test_planted_answer_not_recovered(numbers, params):
    numbers["alignment_simulated"]["best_region"] = "STG_R"
    text = dict(F.collect_findings(numbers, params))["simulated_recovery"].text
    assert "was not recovered" in text and "STG_R" in text


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


def test_file_entries_are_not_read_as_the_demo_keys(numbers, params):
    """`hftp report alignment_simulated.nc` gives one alignment finding, not the demo's too."""
    entry = {"kind": "alignment", **numbers["alignment_simulated"], "simulated": True}
    got = F.collect_findings({"alignment_simulated": entry}, params)
    assert [n for n, _ in got] == ["alignment_files"]
    assert got[0][1].source == "simulated"
    assert got[0][1].text.startswith("Model–brain alignment (simulated sEEG): alignment S = 0.164")


def test_participant_level_eeg_finding():
    from hftp.apps.report.findings import FINDINGS

    g = {
        "n_subjects": 20,
        "n_cells": 960,
        "n_significant_fwe": 0,
        "best_layer": 12,
        "best_cell": "Oz",
        "best_rho": 0.1196,
        "best_ci": [0.0663, 0.173],
        "best_p_uncorrected": 0.0003,
        "best_p_fwe": 0.0662,
        "noise_ceiling_median": [-0.0145, 0.2195],
    }
    f = FINDINGS["eeg_subject_level"]({"eeg_scalp": {"subject_level": g}}, {})
    assert "n = 20" in f.text and "0 cells significant family-wise" in f.text
    assert "layer 12 × Oz" in f.text and "eeg_subject_alignment" in f.figures
    assert FINDINGS["eeg_subject_level"]({"eeg_scalp": {}}, {}) is None


def test_register_before_places_the_finding_and_refuses_an_unknown_name(monkeypatch):
    monkeypatch.setattr(F, "FINDINGS", dict(F.FINDINGS))
    F.register_finding("extra", before="paper_mode")(lambda n, p: None)
    names = list(F.FINDINGS)
    assert names.index("extra") == names.index("paper_mode") - 1
    # the demo's checks sit between the null check and the paper-mode comparison
    assert names.index("null_check") < names.index("beyond_lexical") < names.index("paper_mode")
    with pytest.raises(ValueError, match="'before'.*'no_such_finding' is not a registered"):
        F.register_finding("other", before="no_such_finding")(lambda n, p: None)


def test_token_sharing_finding_names_the_contrasts_that_differ():
    same = {"sentences": 0.0, "within-shuffle": 0.0, "random-words": 0.0}
    text = F.FINDINGS["token_sharing"]({"token_sharing": same}, {}).text
    assert "no contrast differs in token sharing" in text
    differ = {**same, "sentences": 0.36, "within-shuffle": 0.014}
    text = F.FINDINGS["token_sharing"]({"token_sharing": differ}, {}).text
    assert "sentences vs within-shuffle (34.6%)" in text and "unit-wise" in text
    assert F.FINDINGS["token_sharing"]({"token_sharing": {}}, {}) is None
