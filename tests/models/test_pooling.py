"""Token → unit alignment: pooling matrices, BOS, tokens spanning two units (counted per
condition, warned about, avoided unit-wise), pooling into a block."""

from __future__ import annotations

import copy
import json
import warnings

import numpy as np
import pytest

import hftp
from hftp.models.pooling import default_tokenization, encode
from hftp.testing import tiny_model, tiny_tokenizer

# "老牛" is so frequent that BPE merges it into one token spanning two units; the other
# characters only ever occur alone, so they stay one token each
CORPUS = ["老牛"] * 50 + list("耕地吃草小猫鱼") * 5


@pytest.fixture(scope="module")
def tokenizer():
    return tiny_tokenizer(CORPUS, vocab_size=400)


@pytest.fixture(scope="module")
def model(tokenizer):
    return tiny_model("llama", n_layers=2, vocab_size=len(tokenizer))


def _stim(seqs, conds):
    from hftp.testing import make_stim

    return make_stim(seqs, condition=conds, language="zh")


def test_a_token_spanning_two_units_is_counted(tokenizer):
    assert tokenizer.tokenize("老牛") == [tokenizer.tokenize("老牛")[0]]  # one token, two units
    units = list("老牛耕地")
    joint = encode(tokenizer, [(0, units)], separator="", tokenization="joint")
    assert joint.n_shared == 2  # 老 and 牛 share their token
    unit = encode(tokenizer, [(0, units)], separator="", tokenization="unitwise")
    assert unit.n_shared == 0
    assert unit.input_ids.shape[1] > joint.input_ids.shape[1]  # 老, 牛 now tokenized alone
    # unit-wise ids are the concatenation of each unit's own ids
    own = sum((tokenizer(u, add_special_tokens=False)["input_ids"] for u in units), [])
    assert unit.input_ids[0].tolist() == own


def test_unitwise_keeps_space_separated_words_as_joint(tokenizer):
    units = ["fat", "rat", "sensed", "fear"]
    a = encode(tokenizer, [(0, units)], separator=" ", tokenization="joint")
    b = encode(tokenizer, [(0, units)], separator=" ", tokenization="unitwise")
    assert a.input_ids.tolist() == b.input_ids.tolist()  # leading space kept with each word
    np.testing.assert_array_equal(a.matrix.to_dense().numpy(), b.matrix.to_dense().numpy())


def test_default_tokenization_is_unitwise_without_spaces():
    assert default_tokenization("") == "unitwise"
    assert default_tokenization(" ") == "joint"


def test_unitwise_units_get_distinct_vectors(model, tokenizer):
    units = list("老牛耕地老牛吃草")
    stim = _stim([units], ["sentences"])
    joint = hftp.extract_activations(model, tokenizer, stim, tokenization="joint")
    unit = hftp.extract_activations(model, tokenizer, stim)  # default for zh: unitwise
    assert unit.attrs["tokenization"] == "unitwise" and joint.attrs["tokenization"] == "joint"
    j, u = joint.values[0, 0], unit.values[0, 0]  # (unit, neuron)
    np.testing.assert_array_equal(j[0], j[1])  # 老 and 牛 pooled the same token
    assert not np.allclose(u[0], u[1])
    assert json.loads(joint.attrs["token_sharing"])["sentences"] == pytest.approx(4 / 8)
    assert json.loads(unit.attrs["token_sharing"])["sentences"] == 0.0


def test_probe_records_sharing_and_warns_when_conditions_differ(model, tokenizer):
    merged = list("老牛耕地老牛吃草")  # 老牛 adjacent twice: 4 of 8 units share a token
    apart = list("老耕牛地老吃牛草")  # never adjacent: none do
    stim = _stim([merged, merged, apart, apart], ["sentences", "sentences", "shuffled", "shuffled"])
    with pytest.warns(UserWarning, match=r"(?s)differ in the share.*sentences: 50\.0%.*unitwise"):
        spectra = hftp.probe(model, tokenizer, stim, tokenization="joint", progress=False)
    assert json.loads(spectra.attrs["token_sharing"]) == {"sentences": 0.5, "shuffled": 0.0}
    assert spectra.attrs["tokenization"] == "joint"
    assert json.loads(spectra.attrs["token_splitting"]) == {"sentences": 0.0, "shuffled": 0.0}
    # unit-wise: no token is shared, but the sentences' word 老牛 is read in two pieces
    with pytest.warns(UserWarning, match=r"(?s)unit-wise tokenization split.*sentences: 50\.0%"):
        spectra = hftp.probe(model, tokenizer, stim, progress=False)
    assert json.loads(spectra.attrs["token_sharing"]) == {"sentences": 0.0, "shuffled": 0.0}
    assert json.loads(spectra.attrs["token_splitting"]) == {"sentences": 0.5, "shuffled": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # equal shares: nothing to warn about
        same = _stim([merged, merged], ["sentences", "other"])
        hftp.probe(model, tokenizer, same, progress=False)


def test_unitwise_counts_the_units_split_from_a_word(tokenizer):
    """n_split under unit-wise tokenization == n_shared under the joint one, per batch."""
    for units, n in ((list("老牛耕地"), 2), (list("耕老地牛"), 0), (list("老牛吃草老牛"), 4)):
        joint = encode(tokenizer, [(0, units)], separator="", tokenization="joint")
        unit = encode(tokenizer, [(0, units)], separator="", tokenization="unitwise")
        assert unit.n_split == joint.n_shared == n and joint.n_split == 0
    two = encode(tokenizer, [(0, list("老牛耕地")), (1, list("耕老地牛"))], separator="")
    assert two.n_split == 0  # the default tokenization is joint: nothing split
    two = encode(
        tokenizer,
        [(0, list("老牛耕地")), (1, list("老牛地耕"))],
        separator="",
        tokenization="unitwise",
    )
    assert two.n_split == 4


def test_bad_tokenization_is_a_clear_error(model, tokenizer):
    stim = _stim([list("老牛耕地")], ["sentences"])
    with pytest.raises(ValueError, match="'tokenization'.*joint"):
        hftp.extract_activations(model, tokenizer, stim, tokenization="charwise")


def test_backend_fast_path_matches_the_tokenizer_call(tokenizer):
    """The Rust backend called directly gives the wrapper's ids and offsets; a backend that pads
    goes through the wrapper (which turns padding off for the call)."""
    from hftp.models.pooling import _encode_texts

    texts = ["老牛耕地", "小猫吃鱼 老牛", "fat rat", "a <s> inside"]  # "<s>" is a special token
    ref = tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)
    ids, offs = _encode_texts(tokenizer, texts)
    assert [list(x) for x in ids] == ref["input_ids"]
    assert [[tuple(o) for o in x] for x in offs] == [
        [tuple(o) for o in x] for x in ref["offset_mapping"]
    ]
    padded = copy.deepcopy(tokenizer)
    padded.backend_tokenizer.enable_padding(pad_id=1, pad_token="<pad>", length=64)
    ids_p, offs_p = _encode_texts(padded, texts)
    assert [list(x) for x in ids_p] == ref["input_ids"]  # no padding leaked in


def test_backend_fast_path_matches_for_a_wordpiece_tokenizer_with_a_post_processor():
    """A BERT-like tokenizer (WordPiece, [CLS] … [SEP] template): the same ids and offsets."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    from hftp.models.pooling import _encode_texts

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=200, special_tokens=["[UNK]", "[CLS]", "[SEP]", "[PAD]"], show_progress=False
    )
    tok.train_from_iterator(["the fat rat sensed fear", "a big dog ate the cheese"] * 20, trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 1), ("[SEP]", 2)]
    )
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]")
    texts = ["the fat rat", "a big dog ate the cheese [SEP] too", "zebra"]
    ref = fast(texts, add_special_tokens=False, return_offsets_mapping=True)
    ids, offs = _encode_texts(fast, texts)
    assert [list(x) for x in ids] == ref["input_ids"]
    assert [[tuple(o) for o in x] for x in offs] == [
        [tuple(o) for o in x] for x in ref["offset_mapping"]
    ]


@pytest.mark.parametrize("add_bos", [False, True])
@pytest.mark.parametrize(
    ("units", "sep"), [(list("老牛耕地老牛"), ""), ("fat rat sensed fear".split(), " ")]
)
def test_unitwise_ids_are_each_units_own_tokens(tokenizer, add_bos, units, sep):
    import torch

    seqs = [(0, units), (1, units[::-1])]
    batch = encode(tokenizer, seqs, separator=sep, tokenization="unitwise", add_bos=add_bos)
    n_tok = batch.input_ids.shape[1]
    dense = batch.matrix.to_dense()
    for k, (_, us) in enumerate(seqs):
        pieces = [(sep if j else "") + u for j, u in enumerate(us)]
        own = [tokenizer(p, add_special_tokens=False, return_offsets_mapping=True) for p in pieces]
        expect = [tokenizer.bos_token_id] * add_bos + [t for e in own for t in e["input_ids"]]
        assert batch.input_ids[k, : len(expect)].tolist() == expect
        assert batch.attention_mask[k].sum().item() == len(expect)
        start = int(add_bos)
        for u, (piece, enc) in enumerate(zip(pieces, own, strict=True)):
            lead = len(piece) - len(us[u])  # a token of the leading separator alone is no unit's
            mine = [start + j for j, (_, end) in enumerate(enc["offset_mapping"]) if end > lead]
            row = dense[k * len(us) + u]  # the unit pools exactly its own tokens, equally
            cols = torch.nonzero(row).ravel().tolist()
            assert cols == [k * n_tok + t for t in mine] and len(mine) >= 1
            assert torch.allclose(row[cols], torch.full((len(mine),), 1 / len(mine)))
            start += len(enc["input_ids"])
    assert batch.n_shared == 0


def test_pool_into_a_block_and_bad_out(tokenizer):
    import torch

    from hftp.models.pooling import empty_block, pool

    batch = encode(
        tokenizer, [(0, ["fat", "rat", "sensed"]), (1, ["big", "dog", "ate"])], separator=" "
    )
    acts = torch.randn(*batch.input_ids.shape, 5)
    block = empty_block((1, 2, batch.n_units, 5), "cpu")
    got = pool(acts, batch.matrix, 2, out=block[0])
    assert got.data_ptr() == block.data_ptr()
    torch.testing.assert_close(got, pool(acts, batch.matrix, 2))
    with pytest.raises(ValueError, match=r"'out'.*contiguous float32.*not contiguous"):
        pool(acts, batch.matrix, 2, out=torch.zeros(2, 5, batch.n_units).transpose(1, 2))
    with pytest.raises(ValueError, match=r"'out'.*float64"):
        pool(acts, batch.matrix, 2, out=torch.zeros(2, batch.n_units, 5, dtype=torch.float64))


@pytest.mark.parametrize("pooling", ["mean", "last"])
def test_dense_pooling_equals_the_sparse_product(tokenizer, pooling):
    # an accelerator pools with one dense (U, T) matrix per sequence (no float32 copy of bf16
    # activations where torch can; upcast elsewhere, as here on a CPU)
    import torch

    from hftp.models.pooling import dense_pooling, pool

    seqs = [(0, ["fatrat", "sensed", "老牛"]), (1, ["bigdog", "ate", "grass"])]
    batch = encode(tokenizer, seqs, separator=" ", pooling=pooling)
    acts = torch.randn(*batch.input_ids.shape, 5)
    want = pool(acts, batch.matrix, 2)
    dense = dense_pooling(batch, "cpu")
    torch.testing.assert_close(pool(acts, dense, 2), want)
    out = torch.empty(2, batch.n_units, 5)
    assert pool(acts.to(torch.bfloat16), dense, 2, out=out) is out
    torch.testing.assert_close(out, pool(acts.to(torch.bfloat16).float(), batch.matrix, 2))
    # in bfloat16 the weights are kept only where that dtype holds them exactly (1 / 3 is not):
    # else ones, and the float32 result scaled by 1 / tokens per unit
    weights, scale = dense._in(torch.bfloat16)
    exact = bool((batch.weights.to(torch.bfloat16).float() == batch.weights).all())
    assert (scale is None) == exact and (pooling == "last") <= exact
    if scale is not None:
        emulated = torch.bmm(weights.float(), acts.to(torch.bfloat16).float()) * scale
        torch.testing.assert_close(emulated, out)


def test_add_bos_keeps_bos_out_of_units():
    tokenizer = tiny_tokenizer()
    batch = encode(tokenizer, [(0, ["fat", "rat"]), (1, ["big", "dog"])], separator=" ")
    with_bos = encode(
        tokenizer, [(0, ["fat", "rat"]), (1, ["big", "dog"])], separator=" ", add_bos=True
    )
    n_tok = with_bos.input_ids.shape[1]
    assert (with_bos.input_ids[:, 0] == tokenizer.bos_token_id).all()
    assert not np.isin(with_bos.cols.numpy(), [0, n_tok]).any()  # BOS column of each sequence
    assert with_bos.rows.numel() == batch.rows.numel()
    assert (
        with_bos.cols.numpy() % n_tok == batch.cols.numpy() % batch.input_ids.shape[1] + 1
    ).all()


def test_unit_without_token_names_unit_and_sequence():
    with pytest.raises(ValueError, match=r"Unit 1 \(''\) of sequence 0 is covered by no token"):
        encode(tiny_tokenizer(), [(0, ["fat", "", "rat"])], separator=" ")
