"""The methods paragraph describes the parameters the results record, not the defaults."""

from __future__ import annotations

import pytest

from hftp.apps import report

PARAMS = {
    "model": "SmolLM2-135M-Instruct",
    "seed": 7,
    "stimuli": {
        "language": "en",
        "designs": ["sentences", "within-shuffle", "random-words"],
        "n_sequences": 40,
        "unit_rate_hz": 4.0,
        "tagged_hz": {"sentence": 1.0, "phrase": 2.0},
    },
    "tagging": {
        "mode": "calibrated",
        "condition": "sentences",
        "control": "within-shuffle",
        "q": 0.05,
        "measure": "evoked",
        "specificity": "welch",
        "n_permutations": 1000,
        "n_neighbors": 3,
        "skip": 1,
    },
    "rsa": {
        "measure": "evoked",
        "brain_measure": "itc",
        "metric": "cosine",
        "comparison": "kendall",
        "n_permutations": 720,
        "permutation": "exact",
        "q_level": 0.05,
        "top_k": 100,
        "n_random": 20,
        "n_boot": 500,
        "ci_level": 0.9,
        "n_subjects": 20,
    },
}


def test_methods_paragraph_reflects_parameters():
    text = report.methods_paragraph(PARAMS)
    for part in (
        "SmolLM2-135M-Instruct",
        "English",
        "sentences, within-shuffle, random-words",
        "40 sequences",
        "unit rate 4 Hz",
        "sentence 1 Hz, phrase 2 Hz",
        "calibrated mode",
        "against the control within-shuffle",
        "spectral F-test on the evoked (trial-averaged) spectrum against 3 neighbor bins",
        "one-sided Welch t-test on the per-trial amplitudes",
        "Benjamini–Hochberg FDR at q = 0.05",
        "cosine distance",
        "Kendall τ-a",
        "720 exact permutations",
        "top 100",
        "20 draws",
        "500 resamples (90% percentile interval)",
        "seed 7",
    ):
        assert part in text, part
    # Welch's test has no permutations; the permutation count belongs to other tests
    assert "permutations)" not in text.split("Model–brain")[0]
    assert "by welch" not in text
    assert "simulated" not in text and "EEG (scalp)" not in text


def test_methods_paragraph_non_default_calibrated():
    t = {
        "mode": "calibrated",
        "condition": "sentences",
        "control": "random-words",
        "q": 0.01,
        "measure": "itc",
        "specificity": "permutation",
        "n_permutations": 250,
    }
    text = report.methods_paragraph({"tagging": t})
    assert "Rayleigh test" in text and "F-test" not in text
    assert "permutation test of condition labels over the pooled trials (250 permutations)" in text
    assert "q = 0.01" in text and "against the control random-words" in text


def test_methods_paragraph_non_default_paper_mode():
    t = {
        "mode": "paper",
        "control": "within-shuffle",
        "n_permutations": 500,
        "percentile": 99.0,
        "z_threshold": 3.0,
        "n_groups": 5,
    }
    text = report.methods_paragraph({"tagging": t})
    assert "paper mode" in text and "no multiple-comparison correction" in text
    assert "99th percentile of 500 time-sample permutations" in text
    assert "5 groups" in text and "z > 3" in text
    assert "Benjamini" not in text
    # run beside a calibrated result, as the demo does
    both = report.methods_paragraph({"tagging": {"mode": "calibrated"}, "tagging_paper": t})
    assert "calibrated mode" in both and "Paper mode, for comparison: Stage 1" in both
    assert "99th percentile" in both


def test_methods_paragraph_reads_result_attrs():
    """The attrs of a find_tagged result (JSON strings, stringified lists) read as words."""
    t = {
        "mode": "calibrated",
        "tagged_hz": '{"sentence": 1.0, "phrase": 2.0}',
        "stimulus_design": "['sentences', 'within-shuffle']",
        "language": "en",
        "unit_rate_hz": 4.0,
        "pooling": "max",
        "model": "tiny",
        "q": 0.05,
    }
    text = report.methods_paragraph({"tagging": t})
    assert "in the designs sentences, within-shuffle" in text
    assert "sentence 1 Hz, phrase 2 Hz" in text and "is the max over the tokens" in text


def test_methods_paragraph_labels_data_sources():
    text = report.methods_paragraph({"simulated_seeg": True, "eeg_scalp": True})
    assert "(simulated)" in text and "EEG (scalp)" in text and "Burroughs" in text
    with pytest.raises(TypeError, match="params"):
        report.methods_paragraph(["model"])
