"""Raw activations: token → unit alignment, batching, the schema, token-level records."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import hftp
from hftp import _deprecate
from hftp.models.extract import iter_activations, record_tokens
from hftp.models.families import resolve_site
from hftp.testing import make_stim, tiny_model, tiny_tokenizer

EN = "fat rat sensed fear big dog chased cats old cow ate grass quizzically unbelievable".split()
ZH = list("老牛耕地小猫吃鱼黑狗追鸡")
CORPUS = ["fat rat sensed fear", "big dog chased cats", "old cow ate grass", "老牛耕地"] * 20


@pytest.fixture(scope="module")
def tokenizer():
    """A tiny byte-level BPE fast tokenizer trained in memory (no download)."""
    return tiny_tokenizer(CORPUS)


@pytest.fixture(scope="module")
def model():
    return tiny_model("llama")


def reference(model, tok, units, sep, *, pooling="mean", layers=(0, 1, 2)):
    """Unit values by an independent character loop over one unpadded sequence."""
    text = sep.join(units)
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    acts = record_tokens(model, torch.tensor([enc["input_ids"]]), layers=list(layers))
    out, pos, n_tokens = [], 0, []
    for u in units:
        start, end = pos, pos + len(u)
        pos = end + len(sep)
        toks = [
            t
            for t, (a, b) in enumerate(enc["offset_mapping"])
            if any(not text[c].isspace() for c in range(max(a, start), min(b, end)))
        ]
        n_tokens.append(len(toks))
        if pooling == "last":
            toks = toks[-1:]
        out.append(torch.stack([acts[i][0, toks].mean(0) for i in layers]))
    return torch.stack(out, 1).numpy(), n_tokens  # (L, U, N)


@pytest.mark.parametrize(
    ("units", "lang"),
    [
        (["quizzically", "unbelievable", "fat", "rat", "sensed", "fear"], "en"),
        (["fat,", "rat", "sensed", "fear.", "(big)", "dog!"], "en"),
        (ZH[:8], "zh"),
    ],
    ids=["multi-token-words", "punctuation", "chinese"],
)
@pytest.mark.parametrize("pooling", ["mean", "last"])
def test_alignment_matches_character_loop(model, tokenizer, units, lang, pooling):
    sep = "" if lang == "zh" else " "
    stim = make_stim([units, units[::-1]], language=lang)
    got = hftp.extract_activations(
        model, tokenizer, stim, pooling=pooling, batch_size=2, tokenization="joint"
    )
    for k, seq in enumerate([units, units[::-1]]):
        ref, n_tokens = reference(model, tokenizer, seq, sep, pooling=pooling)
        assert max(n_tokens) >= 2  # the case really has units split over several tokens
        np.testing.assert_allclose(got.values[k], ref, atol=1e-5)
    assert list(got.token_text.values[0]) == units


@pytest.mark.slow
def test_real_model_tokenizer_alignment(default_model):
    """The default model's tokenizer: multi-token words, byte-split Chinese, punctuation."""
    _, tok = default_model
    small = tiny_model("llama", vocab_size=len(tok))
    cases = [
        (["quizzically", "flabbergasted", "fat", "rat", "sensed", "fear"], " "),
        (["fat,", "rat", "sensed", "fear.", "(big)", "dog!"], " "),
        (list("老牛耕地小猫吃鱼"), ""),
    ]
    for units, sep in cases:
        stim = make_stim([units], language="zh" if sep == "" else "en")
        got = hftp.extract_activations(small, tok, stim)
        ref, n_tokens = reference(small, tok, units, sep)
        assert max(n_tokens) >= 2
        np.testing.assert_allclose(got.values[0], ref, atol=1e-5)
    enc = tok("老牛耕地", add_special_tokens=False)
    assert len(enc["input_ids"]) > 4  # byte-level BPE splits the characters


def test_batched_equals_unbatched(model, tokenizer):
    rng = np.random.default_rng(0)
    seqs = [list(rng.permutation(EN))[:10] for _ in range(5)]
    stim = make_stim(seqs)
    lengths = {len(tokenizer(" ".join(s))["input_ids"]) for s in seqs}
    assert len(lengths) > 1  # padding really happens
    a = hftp.extract_activations(model, tokenizer, stim, batch_size=3)
    b = hftp.extract_activations(model, tokenizer, stim, batch_size=1)
    assert np.max(np.abs(a.values - b.values)) <= 1e-5


def test_activation_schema(model, tokenizer):
    stim = make_stim([EN[:8], EN[4:12], EN[:8]], condition=["a", "b", "a"])
    da = hftp.extract_activations(model, tokenizer, stim, layers=[2, -3])
    assert da.name == "activation"
    assert da.dims == ("sequence", "layer", "unit", "neuron")
    assert da.shape == (3, 2, 8, 48) and da.dtype == np.float32
    assert list(da.layer.values) == [0, 2]
    assert sorted(da.sequence.values) == [0, 1, 2]
    assert dict(zip(da.sequence.values, da.condition.values, strict=True)) == {
        0: "a",
        1: "b",
        2: "a",
    }
    assert da.token_text.dims == ("sequence", "unit")
    assert da.attrs["unit_rate_hz"] == 4.0
    assert da.attrs["site"] == "model.layers.{i}.mlp.down_proj"
    assert np.isfinite(da.values).all()


def test_add_bos_changes_context_not_alignment(model, tokenizer):
    stim = make_stim([EN[:6]])
    a = hftp.extract_activations(model, tokenizer, stim, add_bos=True)
    b = hftp.extract_activations(model, tokenizer, stim)
    assert a.shape == b.shape and not np.allclose(a.values, b.values)


def test_unequal_lengths_across_conditions_are_nan_padded(model, tokenizer):
    with pytest.raises(ValueError, match="'stim'.*condition 'sentences'.*different lengths"):
        hftp.extract_activations(model, tokenizer, make_stim([EN[:4], EN[:5]]))
    stim = make_stim([EN[:8], EN[:12]], condition=["a", "b"])
    da = hftp.extract_activations(model, tokenizer, stim)
    assert da.sizes["unit"] == 12
    assert da.sel(sequence=0).isel(unit=slice(8, None)).isnull().all()
    assert not da.sel(sequence=1).isnull().any()
    assert list(da.token_text.values[0][8:]) == [""] * 4


def test_iter_activations_yields_the_batches_of_extract(model, tokenizer):
    stim = make_stim([EN[:6], EN[2:8], EN[4:10]], condition=["a", "a", "b"])
    raw = hftp.extract_activations(model, tokenizer, stim, layers=[1])
    got = []
    for cond, ids, pooled in iter_activations(model, tokenizer, stim, layers=[1], batch_size=2):
        assert tuple(pooled.shape) == (1, len(ids), 6, 48)  # (L, B, U, N)
        ref = raw.sel(sequence=ids).transpose("layer", "sequence", "unit", "neuron").values
        np.testing.assert_allclose(pooled.numpy(), ref, atol=1e-6)
        got.append((cond, ids))
    assert got == [("a", [0, 1]), ("b", [2])]
    _, modules = resolve_site(model)
    assert all(not m._forward_pre_hooks for m in modules.values())


def test_iter_activations_closed_early_removes_the_hooks(model, tokenizer):
    it = iter_activations(model, tokenizer, make_stim([EN[:6]] * 4), batch_size=1)
    next(it)
    _, modules = resolve_site(model)
    assert all(len(m._forward_pre_hooks) == 1 for m in modules.values())
    it.close()
    assert all(not m._forward_pre_hooks for m in modules.values())


def test_record_tokens_defaults_to_every_layer_and_a_full_mask(model):
    ids = torch.tensor([[3, 4, 5, 6], [7, 8, 9, 10]])
    got = record_tokens(model, ids)
    assert sorted(got) == [0, 1, 2] and got[2].shape == (2, 4, 48)
    masked = record_tokens(model, ids, torch.ones_like(ids), layers=[-1])
    assert sorted(masked) == [2]
    torch.testing.assert_close(masked[2], got[2])
    first = record_tokens(model, ids[:1], layers=[2])
    torch.testing.assert_close(first[2][0], got[2][0], atol=1e-5, rtol=1e-5)  # batch-independent


def test_old_names_in_this_module_warn_and_point_to_the_new_ones(monkeypatch):
    import hftp.models.extract as extract
    from hftp.models.hooks import capture, pre_hooks
    from hftp.models.probing import probe

    monkeypatch.setattr(_deprecate, "_WARNED", set())
    with pytest.warns(FutureWarning, match=r"extract\.probe was renamed to .*probing\.probe"):
        assert extract.probe is probe
    with pytest.warns(FutureWarning, match=r"hftp\.models\.hooks\.pre_hooks"):
        assert extract.pre_hooks is pre_hooks
    assert extract.capture is capture


def test_forward_stops_after_last_needed_layer(model, tokenizer):
    _, modules = resolve_site(model)
    calls = []
    handles = [
        modules[2].register_forward_pre_hook(lambda *_: calls.append("layer2")),
        model.lm_head.register_forward_pre_hook(lambda *_: calls.append("head")),
    ]
    try:
        da = hftp.extract_activations(model, tokenizer, make_stim([EN[:6]]), layers=[0, 1])
    finally:
        for h in handles:
            h.remove()
    assert calls == [] and list(da.layer.values) == [0, 1]
    assert all(len(m._forward_pre_hooks) == 0 for m in modules.values())
