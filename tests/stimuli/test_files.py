"""Stimulus files: the unit table's CSV and sidecar, events.tsv, and folders of word streams."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

import hftp.stimuli
from hftp import _deprecate
from hftp.stimuli.files import (
    EEG_PHRASES_STREAM_PREFIXES,
    UNIT_COLUMNS,
    load_word_streams,
    read_units_csv,
    typed_units,
    write_events_tsv,
    write_units_csv,
)
from hftp.stimuli.generation import make_stimuli

pytestmark = pytest.mark.filterwarnings("ignore:The phrase rate")


def _units():
    rows = [(0, "a", p, u, p // 2, p // 1, "x") for p, u in enumerate(["fat", "rat", "saw", "cat"])]
    return typed_units(pd.DataFrame(rows, columns=list(UNIT_COLUMNS)))


def test_typed_units_orders_columns_and_types_ids():
    df = _units()[list(reversed(UNIT_COLUMNS))].astype(str)
    df["extra"] = 1
    got = typed_units(df)
    assert list(got.columns) == list(UNIT_COLUMNS)
    assert got["sequence"].dtype == "int64" and got["unit"].tolist() == ["fat", "rat", "saw", "cat"]
    with pytest.raises(ValueError):
        typed_units(df.assign(position="first"))


def test_units_csv_round_trip_and_errors(tmp_path):
    units, meta = _units(), {"unit_rate_hz": 4.0, "tagged_hz": {"s": 1.0}}
    p = write_units_csv(units, meta, tmp_path / "u.csv", overwrite=False)
    back, back_meta = read_units_csv(p)
    pd.testing.assert_frame_equal(back, units)
    assert back_meta == meta
    with pytest.raises(ValueError, match="already exists"):
        write_units_csv(units, meta, p, overwrite=False)
    (tmp_path / "cols.csv").write_text("sequence,position\n0,0\n", "utf-8")
    (tmp_path / "cols.json").write_text("{}", "utf-8")
    with pytest.raises(ValueError, match=r"'path'.*lacks"):
        read_units_csv(tmp_path / "cols.csv")
    units.astype(str).assign(position="x").to_csv(tmp_path / "ids.csv", index=False)
    (tmp_path / "ids.json").write_text("{}", "utf-8")
    with pytest.raises(ValueError, match=r"'path'.*must hold integers"):
        read_units_csv(tmp_path / "ids.csv")
    (tmp_path / "side.json").write_text("{broken", "utf-8")
    units.to_csv(tmp_path / "side.csv", index=False)
    with pytest.raises(ValueError, match=r"'path'.*could not read"):
        read_units_csv(tmp_path / "side.csv")


def test_events_tsv_of_a_unit_table(tmp_path):
    p = write_events_tsv(
        _units(),
        tmp_path / "e.tsv",
        sfreq=2.0,
        tagged_hz={"s": 0.5},
        language="en",
        conditions=["a"],
        gap_s=1.0,
    )
    ev = pd.read_csv(p, sep="\t")
    assert ev["onset"].tolist() == [0.0, 0.5, 1.0, 1.5] and (ev["duration"] == 0.5).all()
    side = json.loads(p.with_suffix(".json").read_text())
    assert side["StimulusPresentation"] == {
        "UnitRateHz": 2.0,
        "GapBetweenSequencesS": 1.0,
        "TaggedHz": {"s": 0.5},
        "Language": "en",
    }
    with pytest.raises(ValueError, match="'gap_s'"):
        write_events_tsv(
            _units(),
            tmp_path / "f.tsv",
            sfreq=2.0,
            tagged_hz={},
            language="en",
            conditions=["a"],
            gap_s=-1.0,
        )


def test_load_word_streams(tmp_path):
    for name, n in [("ANAN_2.txt", 5), ("ANAN_10.txt", 6), ("ANAN_1.txt", 4), ("Odd-3.txt", 4)]:
        (tmp_path / name).write_text("\n".join(f"w{i}" for i in range(n)) + "\n\n", "utf-8")
    (tmp_path / "AVAV_1.txt").write_text("", "utf-8")
    with pytest.warns(UserWarning, match="AVAV_1.txt"):
        streams = load_word_streams(tmp_path)
    assert list(streams) == ["anan", "odd"]
    assert [len(s) for s in streams["anan"]] == [4, 5, 6]  # numeric file order
    assert streams["anan"][0] == ["w0", "w1", "w2", "w3"]
    with pytest.warns(UserWarning, match="empty"):
        mine = load_word_streams(tmp_path, conditions={"ANAN_": "adj-noun"})
    assert list(mine) == ["adj-noun", "odd"]
    with pytest.raises(ValueError, match=r"'folder'.*does not exist"):
        load_word_streams(tmp_path / "nope")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match=r"'folder'.*no .txt files"):
        load_word_streams(empty)


def test_real_eeg_streams(eeg_phrases_dir, seq_frames):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one stream file is empty
        streams = load_word_streams(eeg_phrases_dir / "stimuli")
    assert list(streams) == ["advp", "rrrv", "rrrr", "avav", "anan", "phmi"]
    lengths = {len(s) for lst in streams.values() for s in lst}
    assert min(lengths) >= 48 and max(lengths) <= 52
    stim = make_stimuli(
        "en",
        "custom",
        streams=streams,
        sfreq=3.125,
        trim=True,
        tagged_hz={"sentence": 0.78125, "phrase": 1.5625},
    )
    n = stim.meta["n_units"]
    assert n % 4 == 0 and n >= 48
    assert stim.n_sequences == sum(len(v) for v in streams.values())
    anan = seq_frames(stim, "anan")[0]["unit"].tolist()
    assert anan[:4] == streams["anan"][0][:4]


def test_stream_prefixes_have_their_own_name(monkeypatch):
    """The eeg-phrases stream-file prefixes are not the data set's condition → codes table."""
    monkeypatch.setattr(_deprecate, "_WARNED", set())  # warn-once state
    from hftp.datasets.eeg_phrases import EEG_PHRASES_CONDITIONS

    assert set(EEG_PHRASES_STREAM_PREFIXES.values()) == set(EEG_PHRASES_CONDITIONS)
    assert all(isinstance(v, range) for v in EEG_PHRASES_CONDITIONS.values())
    with pytest.warns(FutureWarning, match="EEG_PHRASES_STREAM_PREFIXES"):
        old = hftp.stimuli.EEG_PHRASES_CONDITIONS
    assert old is EEG_PHRASES_STREAM_PREFIXES
