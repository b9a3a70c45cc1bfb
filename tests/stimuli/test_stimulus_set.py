"""The StimulusSet: its properties, sequences, files (CSV + sidecar, events.tsv) and items."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from hftp import _deprecate
from hftp.stimuli.generation import make_stimuli
from hftp.stimuli.stimulus_set import (
    StimulusSet,
    by_item,
    item_id,
    load_stimuli,
    save_stimuli,
    to_events,
)

pytestmark = pytest.mark.filterwarnings("ignore:The phrase rate")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"design": ["sentences", "random-words"], "n_sequences": 2},
        {"language": "zh", "design": ["sentences", "phrases"], "n_sequences": 2},
        {
            "design": "custom",
            "streams": {"x": [["nan", "NA", "null", "n/a"]]},
            "tagged_hz": {"s": 1.0},
        },
    ],
)
def test_save_load_round_trip(tmp_path, small, kwargs):
    stim = small(**kwargs)
    p = save_stimuli(stim, tmp_path / "stim.csv")
    assert p.is_file() and p.with_suffix(".json").is_file()
    back = load_stimuli(p)
    assert isinstance(back, StimulusSet)
    pd.testing.assert_frame_equal(back.units, stim.units)
    assert back.meta == json.loads(json.dumps(dict(stim.meta)))
    assert back.tagged_hz == stim.tagged_hz and back.separator == stim.separator
    assert list(back.sequences()) == list(stim.sequences())
    assert not list(tmp_path.glob("*.part"))  # atomic writes leave no temporary files


def test_save_and_events_need_existing_folder(tmp_path, small):
    stim = small(n_sequences=1, n_sentences=2)
    with pytest.raises(ValueError, match=r"'path'.*does not exist.*mkdir"):
        save_stimuli(stim, tmp_path / "no" / "stim.csv")
    with pytest.raises(ValueError, match=r"'path'.*does not exist"):
        to_events(stim, tmp_path / "no" / "events.tsv")
    with pytest.raises(ValueError, match=r"'path \(file extension\)'.*'.csv'"):
        save_stimuli(stim, tmp_path / "stim.txt")
    with pytest.raises(ValueError, match=r"'path'.*sidecar"):
        (tmp_path / "lonely.csv").write_text("sequence\n0\n", "utf-8")
        load_stimuli(tmp_path / "lonely.csv")


def test_events_tsv_layout(tmp_path, small):
    stim = small(design=["sentences", "random-words"], n_sequences=2, n_sentences=3)
    p = stim.to_events(tmp_path / "sub-01_task-hftp_events.tsv", gap_s=1.5)
    ev = pd.read_csv(p, sep="\t", dtype=str, keep_default_na=False)
    assert list(ev.columns[:4]) == ["onset", "duration", "trial_type", "value"]
    assert len(ev) == len(stim.units)
    onset = ev["onset"].astype(float).to_numpy()
    assert np.all(np.diff(onset) > 0)
    assert ev["duration"].astype(float).eq(0.25).all()
    # 12 units of 0.25 s, then a 1.5 s gap: the second sequence starts at 4.5 s
    assert onset[11] == pytest.approx(2.75) and onset[12] == pytest.approx(4.5)
    assert ev["trial_type"].tolist() == stim.units["condition"].tolist()
    assert set(ev["value"]) == {"1", "2"}
    rw = ev[ev["trial_type"] == "random-words"]
    assert (rw["sentence"] == "n/a").all() and (rw["phrase"] == "n/a").all()
    assert not (ev == "").any().any()
    side = json.loads(p.with_suffix(".json").read_text())
    assert side["value"]["Levels"] == {"1": "sentences", "2": "random-words"}
    assert side["StimulusPresentation"]["GapBetweenSequencesS"] == 1.5


def test_sequences_sorts_rows_by_sequence_then_position():
    stim = make_stimuli("en", "sentences", n_sequences=3, seed=0, n_sentences=4)
    rows = stim.units.sample(frac=1, random_state=0).reset_index(drop=True)
    shuffled = StimulusSet(units=rows, meta=dict(stim.meta))
    expected = [
        (int(seq), str(df["condition"].iloc[0]), list(df.sort_values("position")["unit"]))
        for seq, df in stim.units.groupby("sequence")
    ]
    assert list(shuffled.sequences()) == expected == list(stim.sequences())
    assert list(StimulusSet(units=rows.iloc[:0], meta=dict(stim.meta)).sequences()) == []


def test_sfreq_and_the_deprecated_unit_rate_hz(small, monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())  # warn-once state
    stim = small(n_sequences=1, n_sentences=2, sfreq=8.0)
    assert stim.sfreq == 8.0 and "sfreq=8.0" in repr(stim)
    with pytest.warns(FutureWarning, match=r"StimulusSet.unit_rate_hz.*StimulusSet.sfreq"):
        assert stim.unit_rate_hz == 8.0


def test_save_method_writes_what_load_reads(tmp_path, small):
    stim = small(n_sequences=1, n_sentences=2)
    back = load_stimuli(stim.save(tmp_path / "s.csv"))
    pd.testing.assert_frame_equal(back.units, stim.units)
    with pytest.raises(ValueError, match="already exists"):
        save_stimuli(stim, tmp_path / "s.csv")
    assert save_stimuli(stim, tmp_path / "s.csv", overwrite=True).is_file()
    with pytest.raises(TypeError, match="'stim'"):
        save_stimuli(stim.units, tmp_path / "t.csv")


def test_items_name_every_stream_of_a_condition(small):
    stim = small(design=["sentences", "random-words"], n_sequences=2, n_sentences=2)
    assert item_id("sentences", 7) == "sentences/007"
    items = by_item(stim)
    assert items.conditions == [
        "sentences/000",
        "sentences/001",
        "random-words/000",
        "random-words/001",
    ]
    assert items.n_sequences == stim.n_sequences
    pd.testing.assert_series_equal(items.units["unit"], stim.units["unit"])
    assert items.meta["structure_hz"]["sentences/001"] == stim.meta["structure_hz"]["sentences"]
    assert items.meta["structure_hz"]["random-words/000"] == {}
