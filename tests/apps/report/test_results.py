"""The findings of the results: model tagging and baselines, null check, simulated sEEG, real
EEG and result files, in display order and in words."""

from __future__ import annotations

from hftp.apps.report import findings as F
from hftp.apps.report.results import alignment_sentences


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


def test_alignment_sentences_state_the_statistic_its_null_and_the_best_layer(numbers, params):
    text = alignment_sentences(numbers["alignment_simulated"], params, "sEEG")
    assert text.startswith("Model–sEEG alignment S = 0.164")
    assert "95% CI 0.158 to 0.171" in text and "The best layer was" in text
    lead = alignment_sentences(numbers["eeg_scalp"], params, "EEG", lead="Run: ")
    assert (
        lead.startswith("Run: S = 0.052")
        and "No layer × channel cell was significant at family-wise p < 0.05 (maxT" in lead
    )
