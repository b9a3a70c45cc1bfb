"""hftp._provenance: what results say they were made from, and mixed results refused."""

from __future__ import annotations

import pytest

from hftp._provenance import brain_lineage, check_same_lineage, lineage, simulated

A = {"model": "gpt2", "language": "en", "stimulus_design": "sentences", "stimulus_seed": 0}


def test_lineage_reads_the_recorded_parts():
    got = lineage({**A, "hftp_schema": 2})
    assert got == {"model": "gpt2", "stimuli": "en sentences 0", "schema": "2"}
    assert lineage({}) == {}


@pytest.mark.parametrize(
    ("other", "part"),
    [
        ({**A, "model": "gemma"}, "model"),
        ({**A, "stimulus_seed": 1}, "stimuli"),
        ({**A, "hftp_schema": 1}, "schema"),
    ],
)
def test_mixed_results_are_refused_naming_both(other, part):
    items = {"a.nc": {**A, "hftp_schema": 2}, "b.nc": {"hftp_schema": 2, **other}}
    with pytest.raises(
        ValueError, match=f"different {part}: 'a.nc' from .*'b.nc' from .*--allow-mixed"
    ):
        check_same_lineage(items)
    check_same_lineage(items, allow_mixed=True)


def test_parts_a_result_does_not_record_are_not_compared():
    check_same_lineage({"model.nc": A, "brain.nc": {"modality": "iEEG"}})


@pytest.mark.parametrize(
    ("attrs", "want"),
    [
        ({"modality": "iEEG (simulated)"}, True),
        ({"source_kind": "simulated"}, True),
        ({"brain_source_kind": "real"}, False),
        ({"modality": "EEG (scalp)"}, False),
        ({}, None),
    ],
)
def test_simulated_is_read_from_recorded_provenance(attrs, want):
    assert simulated(attrs) is want


def test_brain_lineage_travels_once_carried():
    rec = brain_lineage({"modality": "iEEG (simulated)", "source": "/d", "dataset": "sim"})
    assert rec == {
        "brain_source_kind": "simulated",
        "brain_dataset": "sim",
        "brain_modality": "iEEG (simulated)",
        "brain_source": "/d",
    }
    assert brain_lineage(rec) == rec
