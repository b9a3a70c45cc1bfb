"""The report's first findings: the effect profile (how large, where, with intervals), what it
supports and what not, and the category-matched contrast with the effect test."""

from __future__ import annotations

import numpy as np
import pytest

from hftp.apps.demo.effects import category_effect, effect_numbers
from hftp.apps.report import collect_findings
from hftp.tagging.pipeline import find_tagged
from hftp.testing import planted_spectra


@pytest.fixture(scope="module")
def results():
    """Layer 2 carries a large sentence-rate structure effect in half its neurons; a null beside."""
    plant = np.zeros((3, 40), bool)
    plant[2, :20] = True
    kw = dict(conditions=("sentences", "within-shuffle"), n_trials=32, seed=3)
    plant_in = dict(planted_in=("sentences",))
    s = planted_spectra((3, 40), plant={"sentence": plant.ravel()}, amplitude=0.8, **plant_in, **kw)
    null = planted_spectra((3, 40), **kw)
    return find_tagged(s, "sentences", "within-shuffle"), find_tagged(
        null, "sentences", "within-shuffle"
    )


def test_the_report_names_the_effect_profile_first(results):
    tagged, null = results
    numbers = {
        "effect_profile": effect_numbers(tagged, tagged, null, n_boot=100),
        "calibrated_fraction_tagged": {"sentence": 0.2, "none": 0.8},
    }
    found = collect_findings(numbers, {"q": 0.05})
    names = [n for n, _ in found]
    assert names[:2] == ["effect_profile", "effect_profile_scope"]
    first = found[0][1].text
    assert first.startswith("Effect profile") and "after the lexical baseline" in first
    assert "layer 2" in first and "selective" in first and "untrained" in first.lower()
    scope = found[1][1].text
    assert "power, not effect" in scope and "90th percentile is inflated" in scope
    assert "lexical baseline is the syntax estimate" in scope


def test_the_effect_findings_are_absent_without_their_numbers():
    names = [n for n, _ in collect_findings({"calibrated_fraction_tagged": {"none": 1.0}}, {})]
    assert not {"effect_profile", "effect_profile_scope", "category_effect"} & set(names)


def test_the_category_effect_finding_reports_the_phrase_rate_shares():
    plant = np.zeros((2, 40), bool)
    plant[1, :20] = True
    kw = dict(conditions=("np-phrases", "category-alternation"), n_trials=24, seed=5)
    kw["planted_in"] = ("np-phrases",)
    s = planted_spectra((2, 40), plant={"phrase": plant.ravel()}, amplitude=0.8, **kw)
    numbers = {"category_contrast": category_effect(s, q=0.05, seed=0, n_boot=50)}
    (name, f), *_ = collect_findings(numbers, {})
    assert name == "category_effect" and "ANAN vs AVAV" in f.text
    assert "(layer 1)" in f.text and "raw responses" in f.text
    assert "No lexical baseline was fitted" in f.text
    numbers["category_contrast"] = category_effect(s, residual=s, q=0.05, seed=0, n_boot=50)
    (_, f), *_ = collect_findings(numbers, {})
    assert "After the lexical baseline" in f.text and "No lexical baseline" not in f.text
