"""The batch driver: input checks, the plan, batches of one condition, prefetching, pooled blocks."""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import pytest

import hftp
from hftp.models.batching import (
    accepts_kwarg,
    check_layers,
    check_length,
    iter_batches,
    iter_pooled,
    make_plan,
    prefetched,
    sequences_by_condition,
)
from hftp.models.families import resolve_site
from hftp.testing import make_stim, tiny_model, tiny_tokenizer

EN = "fat rat sensed fear big dog chased cats old cow ate grass".split()


@pytest.fixture(scope="module")
def tokenizer():
    return tiny_tokenizer()


@pytest.fixture(scope="module")
def model():
    return tiny_model("llama")


# ------------------------------------------------------------------------------- checks


def test_check_layers_sorts_dedupes_and_counts_from_the_end():
    assert check_layers(None, 4) == [0, 1, 2, 3]
    assert check_layers(-1, 4) == [3]
    assert check_layers([3, -4, 0, 3], 4) == [0, 3]
    assert check_layers(range(1, 3), 4) == [1, 2]
    with pytest.raises(ValueError, match=r"'layers'.*4 layers \(0 to 3\); got 4"):
        check_layers([4], 4)
    with pytest.raises(ValueError, match="'layers'.*at least one layer"):
        check_layers([], 4)
    with pytest.raises(TypeError, match="'layers'"):
        check_layers("0,1", 4)


def test_check_length_names_the_model_limit(model):
    check_length(model, 256)
    with pytest.raises(ValueError, match="'stim'.*300 tokens.*at most 256"):
        check_length(model, 300)


def test_accepts_kwarg_reads_the_forward_signature(model):
    assert accepts_kwarg(model, "use_cache")
    assert not accepts_kwarg(model, "no_such_keyword")


def test_layer_out_of_range(model, tokenizer):
    with pytest.raises(ValueError, match=r"'layers'.*3 layers \(0 to 2\); got 3"):
        hftp.extract_activations(model, tokenizer, make_stim([EN[:4]]), layers=[0, 3])
    with pytest.raises(ValueError, match="'layers'.*got -4"):
        hftp.probe(model, tokenizer, make_stim([EN[:8]]), layers=-4, progress=False)


def test_slow_tokenizer_is_rejected(model):
    class SlowTokenizer:
        is_fast = False

    with pytest.raises(TypeError, match="'tokenizer'.*fast tokenizer"):
        hftp.extract_activations(model, SlowTokenizer(), make_stim([EN[:4]]))


def test_empty_stimulus_set(model, tokenizer):
    with pytest.raises(ValueError, match="'stim'.*empty"):
        hftp.probe(model, tokenizer, make_stim([]), progress=False)
    with pytest.raises(TypeError, match="'stim'.*StimulusSet"):
        hftp.extract_activations(model, tokenizer, [["fat", "rat"]])


def test_bad_options(model, tokenizer):
    stim = make_stim([EN[:8]])
    with pytest.raises(ValueError, match="'pooling'.*Did you mean 'mean'"):
        hftp.extract_activations(model, tokenizer, stim, pooling="men")
    with pytest.raises(ValueError, match="'tokenization'"):
        hftp.extract_activations(model, tokenizer, stim, tokenization="bytes")
    with pytest.raises(ValueError, match="'batch_size'"):
        hftp.extract_activations(model, tokenizer, stim, batch_size=0)
    with pytest.raises(ValueError, match="'site'.*Did you mean"):
        hftp.extract_activations(model, tokenizer, stim, site="layers.{i}.mlp.down")
    with pytest.raises(ValueError, match="'stim'.*at most 256"):
        hftp.extract_activations(model, tokenizer, make_stim([EN * 30]))


def test_add_bos_needs_a_bos_token(model, tokenizer):
    class NoBos:
        is_fast = True
        bos_token_id = None

    with pytest.raises(ValueError, match="'add_bos'.*no BOS token"):
        make_plan(model, NoBos(), make_stim([EN[:4]]), None, 1, "mean", None, True)


# ------------------------------------------------------------------------------- the plan


def test_plan_resolves_the_defaults(model, tokenizer):
    en = make_plan(model, tokenizer, make_stim([EN[:4]]), [-1], 2, "mean", None, None)
    assert en.layers == [2] and en.batch_size == 2 and len(en.modules) == 3
    assert en.site == "model.layers.{i}.mlp.down_proj"
    assert en.add_bos is False  # the tiny tokenizer adds no BOS by itself
    assert en.tokenization == "joint" and en.sharing == {}
    zh_stim = make_stim([list("老牛耕地")], language="zh")
    zh = make_plan(model, tokenizer, zh_stim, None, 1, "last", None, True)
    assert zh.tokenization == "unitwise" and zh.add_bos is True and zh.layers == [0, 1, 2]


# ------------------------------------------------------------------------------- batches


def test_sequences_by_condition_groups_in_order_and_checks_lengths():
    stim = make_stim([EN[:4], EN[4:8], EN[8:12]], condition=["a", "b", "a"])
    groups = sequences_by_condition(stim)
    assert list(groups) == ["a", "b"]
    assert [s for s, _ in groups["a"]] == [0, 2] and groups["b"][0][1] == EN[4:8]
    with pytest.raises(ValueError, match="'stim'.*condition 'a'.*different lengths"):
        sequences_by_condition(make_stim([EN[:4], EN[:5]], condition="a"))


def test_iter_batches_never_mixes_conditions():
    groups = {"a": [(0, []), (1, []), (2, [])], "b": [(3, [])]}
    got = [(c, [s for s, _ in seqs]) for c, seqs in iter_batches(groups, 2)]
    assert got == [("a", [0, 1]), ("a", [2]), ("b", [3])]


@pytest.mark.parametrize("n_jobs", [0, 1, 4])
def test_prefetched_keeps_the_order_and_encodes_off_the_main_thread(n_jobs):
    jobs = [(f"c{k}", [k]) for k in range(n_jobs)]
    threads = []

    def encode_batch(seqs):
        threads.append(threading.current_thread().name)
        return seqs[0] * 10

    got = list(prefetched(iter(jobs), encode_batch))
    assert got == [(c, s, s[0] * 10) for c, s in jobs]
    if n_jobs > 1:
        assert all(t.startswith("hftp-encode") for t in threads)


def test_iter_pooled_yields_blocks_of_one_condition(model, tokenizer):
    rng = np.random.default_rng(0)
    stim = make_stim([list(rng.choice(EN, 8)) for _ in range(5)], condition=["a"] * 3 + ["b"] * 2)
    plan = make_plan(model, tokenizer, stim, [0, 2], 2, "mean", None, None)
    raw = hftp.extract_activations(model, tokenizer, stim, layers=[0, 2], batch_size=1)
    it = iter_pooled(model, tokenizer, stim, plan)
    with contextlib.closing(it):
        out = [(c, ids, pooled.clone()) for c, ids, pooled in it]
    assert [(c, ids) for c, ids, _ in out] == [("a", [0, 1]), ("a", [2]), ("b", [3, 4])]
    for _, ids, pooled in out:
        assert tuple(pooled.shape) == (2, len(ids), 8, 48)  # (L, B, U, N)
        ref = raw.sel(sequence=ids).transpose("layer", "sequence", "unit", "neuron").values
        np.testing.assert_allclose(pooled.numpy(), ref, atol=1e-5)
    assert plan.sharing["a"][1] == 3 * 8 and plan.sharing["b"][1] == 2 * 8  # units counted
    assert all(not m._forward_pre_hooks for m in resolve_site(model)[1].values())


def test_iter_pooled_reuses_one_block(model, tokenizer):
    stim = make_stim([EN[:8]] * 4)
    plan = make_plan(model, tokenizer, stim, None, 2, "mean", None, None)
    it = iter_pooled(model, tokenizer, stim, plan, reuse=True)
    with contextlib.closing(it):
        blocks = [pooled.data_ptr() for _, _, pooled in it]
    assert len(blocks) == 2 and blocks[0] == blocks[1]
