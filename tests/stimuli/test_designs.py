"""The stimulus designs: what each generates (structure, rates, agreement, controls), the design
registry, and the generation context the designs read."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest

from hftp.stimuli.designs import (
    DESIGNS,
    DesignOutput,
    StimulusContext,
    list_designs,
    uniform_orders,
)
from hftp.stimuli.files import UNIT_COLUMNS
from hftp.stimuli.generation import make_stimuli
from hftp.stimuli.grammar import load_grammar

pytestmark = pytest.mark.filterwarnings("ignore:The phrase rate")


def test_list_designs_matches_registry():
    assert list(list_designs()) == list(DESIGNS)
    assert all(isinstance(v, str) and v for v in list_designs().values())


def test_sentences_structure_and_rates(small, seq_frames):
    stim = small(n_sequences=3)
    u = stim.units
    assert list(u.columns) == list(UNIT_COLUMNS)
    assert stim.tagged_hz == {"sentence": 1.0, "phrase": 2.0}
    assert stim.sfreq == 4.0 and stim.n_sequences == 3 and stim.separator == " "
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


def test_sentences_respect_agreement(small, en_lexicon):
    stim = small(n_sequences=1)
    lex = en_lexicon.set_index("unit")
    for sent in stim.units["unit"].to_numpy().reshape(-1, 4):
        adj, subj, verb, obj = (lex.loc[w] for w in sent)
        assert subj["class"] == "animate"
        assert subj["class"] in adj["fits"].split("|")
        assert obj["class"] in verb["fits"].split("|")
        assert len(set(sent)) == 4


def test_within_shuffle_matches_sentences(small, seq_frames):
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


def test_uniform_shuffle_deals_every_order_evenly(small, seq_frames):
    stim = small(design=["sentences", "uniform-shuffle"], n_sequences=24, n_sentences=48, seed=2)
    sents, unif = seq_frames(stim, "sentences"), seq_frames(stim, "uniform-shuffle")
    orders = set()
    for s, w in zip(sents, unif, strict=True):
        assert list(s["sentence"]) == list(w["sentence"])  # same sentences, same order
        for (_, a), (_, b) in zip(s.groupby("sentence"), w.groupby("sentence"), strict=True):
            assert sorted(a["unit"]) == sorted(b["unit"])
            orders.add(tuple(b["pos"]))
        # each position of the cycle: the same category mix as the sentence as a whole
        pos = w["pos"].to_numpy().reshape(-1, 4)
        for p in range(4):
            assert (pos[:, p] == "noun").mean() == 0.5 and (pos[:, p] == "adj").mean() == 0.25
        assert (w["phrase"] == -1).all()
    assert len(orders) == 12  # 24 orders of A N V N: the two nouns are one category


def test_uniform_orders_all_orders_or_cyclic_shifts():
    rng = np.random.default_rng(0)
    o = uniform_orders(4, 24, 30, rng)
    assert o.shape == (30, 24, 4)
    for k in range(30):  # every sequence holds each of the 24 orders once
        assert len({tuple(x) for x in o[k]}) == 24
    for s in range(24):  # each sentence meets every order in 24 consecutive sequences
        assert len({tuple(x) for x in o[:24, s]}) == 24
    long = uniform_orders(6, 12, 6, rng)
    for s in range(12):  # the 6 cyclic shifts: each unit at each position once
        assert (np.sort(long[:, s], axis=0) == np.arange(6)[:, None]).all()


def test_random_words_use_the_same_words(small, seq_frames):
    stim = small(design=["sentences", "random-words"], n_sequences=3)
    pool = sorted(seq_frames(stim, "sentences")[0]["unit"])
    orders = []
    for df in seq_frames(stim, "random-words"):
        assert sorted(df["unit"]) == pool
        assert (df["sentence"] == -1).all() and (df["phrase"] == -1).all()
        orders.append(tuple(df["unit"]))
    assert len(set(orders)) == 3


def test_phrases_and_alternation(small, seq_frames):
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


def test_structure_3x2_avoids_nyquist(small, seq_frames):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stim = small(structure="3x2", n_sentences=10, design=["sentences", "within-shuffle"])
    assert stim.tagged_hz == pytest.approx({"sentence": 4 / 6, "phrase": 4 / 3})
    df = seq_frames(stim, "sentences")[0]
    assert len(df) == 60
    assert list(df["pos"][:6]) == ["adj", "adj", "noun", "verb", "adj", "noun"]


def test_chinese_sentences(small, seq_frames, zh_lexicon):
    stim = small("zh", ["sentences", "within-shuffle", "random-words", "phrases"], n_sequences=2)
    assert stim.separator == "" and stim.language == "zh"
    nps, vps = (
        set(zh_lexicon["unit"][zh_lexicon["pos"] == "np"]),
        set(zh_lexicon["unit"][zh_lexicon["pos"] == "vp"]),
    )
    for df in seq_frames(stim, "sentences"):
        sents = ["".join(g["unit"]) for _, g in df.groupby("sentence", sort=False)]
        assert all(s[:2] in nps and s[2:] in vps for s in sents)
        assert (df["pos"].to_numpy().reshape(-1, 4) == ["np", "np", "vp", "vp"]).all()
    for df in seq_frames(stim, "vp-phrases"):
        assert all("".join(p) in vps for p in df["unit"].to_numpy().reshape(-1, 2))


def test_chinese_alternation_is_a_clear_error(small):
    with pytest.raises(ValueError, match=r"'design'.*category-alternation"):
        small("zh", "category-alternation")


def test_natural_from_txt_and_csv(tmp_path, small, seq_frames, en_lexicon, corpus):
    rng = np.random.default_rng(0)
    words = en_lexicon["unit"].tolist()
    lines = [" ".join(rng.choice(words, 8, replace=False)) for _ in range(12)]
    p = corpus(lines)
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


def test_natural_chinese_uses_characters(tmp_path, small, corpus):
    p = corpus(["我们今天去公园玩", "他们明天要回家乡", "小猫喜欢晒太阳呀"])
    stim = small("zh", "natural", corpus=p, n_sentences=3, n_sequences=1)
    assert stim.tagged_hz == {"sentence": 0.5}
    assert len(stim.units) == 24


def test_natural_bad_corpus(tmp_path, small, corpus):
    with pytest.raises(ValueError, match=r"'corpus'.*does not exist"):
        small(design="natural", corpus=tmp_path / "missing.txt")
    with pytest.raises(ValueError, match=r"'corpus'.*needs a corpus"):
        small(design="natural")
    with pytest.raises(ValueError, match=r"'corpus'.*no sentences"):
        small(design="natural", corpus=corpus(["", "  "], "empty.txt"))
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"caf\xe9 rat sat\n")
    with pytest.raises(ValueError, match=r"'corpus'.*could not read"):
        small(design="natural", corpus=bad)
    with pytest.raises(ValueError, match=r"'corpus'.*same number of units.*\(3, 2\)"):
        small(design="natural", corpus=corpus(["a b c", "d e f", "g h"], "u.txt"))
    with pytest.raises(ValueError, match=r"'n_sentences'.*has 2 sentences"):
        small(design="natural", corpus=corpus(["a b c d", "e f g h"], "s.txt"))


def test_custom_streams_and_trim(small):
    streams = {"a": [["w"] * 52, ["x"] * 48], "b": [["y"] * 50]}
    rates = {"sentence": 0.78125, "phrase": 1.5625}
    with pytest.raises(ValueError, match=r"'streams'.*same length.*\[48, 50, 52\].*trim=True"):
        small(design="custom", streams=streams, sfreq=3.125, tagged_hz=rates)
    stim = small(design="custom", streams=streams, sfreq=3.125, tagged_hz=rates, trim=True)
    assert stim.conditions == ["a", "b"] and stim.n_sequences == 3
    assert (stim.units.groupby("sequence").size() == 48).all()
    assert stim.tagged_hz == rates and stim.meta["trim"] is True
    # a plain list of streams gives one condition named "custom"; n_sequences is ignored
    stim = make_stimuli("en", "custom", 99, streams=[list("abcd")] * 2, tagged_hz={"s": 1.0})
    assert stim.conditions == ["custom"] and stim.n_sequences == 2


def test_custom_trim_keeps_rates_on_bins(small):
    stim = small(
        design="custom", streams=[["u"] * 50], sfreq=4.0, tagged_hz={"s": 4 / 3}, trim=True
    )
    assert len(stim.units) == 48  # the longest multiple of 3 not above 50


def test_custom_bad_streams(small):
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


def test_context_is_frozen_and_draws_per_purpose():
    """The context is a frozen record; each purpose key gives its own reproducible stream."""
    ctx = StimulusContext(language="en", grammar=load_grammar("en"), n_sequences=2, n_sentences=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.seed = 1  # type: ignore[misc]
    assert ctx.rng(1).integers(1000) == ctx.rng(1).integers(1000)
    assert ctx.rng(1).integers(10**9) != ctx.rng(2).integers(10**9)
    assert ctx.n_units == 12 and ctx.structure_rates() == {"sentence": 1.0, "phrase": 2.0}
    assert len(ctx.pool) == 3 and ctx.pool is ctx.pool  # drawn once, on first use
    out = DESIGNS["sentences"](ctx)
    assert isinstance(out, DesignOutput) and list(out.conditions) == ["sentences"]
    assert [len(s) for s in out.conditions["sentences"]] == [12, 12]
    assert out.tagged_hz == out.structure_hz["sentences"] == {"sentence": 1.0, "phrase": 2.0}


def test_two_pools_share_no_sentence_between_even_and_odd_sequences(small, seq_frames):
    designs = ["sentences", "within-shuffle", "uniform-shuffle", "random-words", "phrases"]
    stim = small(design=designs, n_sequences=6, n_sentences=8, n_pools=2, seed=3)
    assert stim.meta["n_pools"] == 2 and stim.meta["pool_size"] == 8
    sents = seq_frames(stim, "sentences")
    ids = [set(df["sentence"]) for df in sents]
    assert ids[0] == ids[2] == ids[4] and ids[1] == ids[3] == ids[5]  # a pool per parity
    assert not ids[0] & ids[1]
    words = [set(df["unit"]) for df in sents]
    for cond in ("within-shuffle", "uniform-shuffle", "random-words"):
        for k, df in enumerate(seq_frames(stim, cond)):  # the same sequence's words
            assert set(df["unit"]) == words[k]
    u = stim.units[stim.units["condition"] == "sentences"]
    texts = u.groupby(["sequence", "sentence"])["unit"].agg(" ".join)
    assert texts.groupby("sentence").nunique().max() == 1  # an id is one sentence everywhere
    np_ = [set(df["phrase"]) for df in seq_frames(stim, "np-phrases")]
    assert not np_[0] & np_[1] and np_[0] == np_[2]


def test_a_larger_pool_varies_the_sentences_between_sequences(small, seq_frames):
    stim = small(design=["sentences", "random-words"], n_sequences=6, n_sentences=5, pool_size=20)
    ids = [set(df["sentence"]) for df in seq_frames(stim, "sentences")]
    assert all(len(x) == 5 for x in ids) and len(set().union(*ids)) > 10
    assert set().union(*ids) <= set(range(20))
    for s, r in zip(seq_frames(stim, "sentences"), seq_frames(stim, "random-words"), strict=True):
        assert sorted(s["unit"]) == sorted(r["unit"])
    with pytest.raises(ValueError, match="'pool_size'.*>= 5"):
        small(n_sentences=5, pool_size=4)
    with pytest.raises(ValueError, match="'n_pools'.*custom"):
        small(design="custom", streams=[["a", "b", "c", "d"]], tagged_hz={"s": 1.0}, n_pools=2)
