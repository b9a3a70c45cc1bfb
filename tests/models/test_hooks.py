"""Forward pre-hooks: capture, early stop, input replacement, and removal on every exit path."""

from __future__ import annotations

import contextlib

import pytest
import torch

from hftp.models.families import resolve_site
from hftp.models.hooks import StopForward, capture, eval_mode, forward_batch, pre_hooks
from hftp.models.pooling import Batch
from hftp.testing import TINY_WIDTH, tiny_model


@pytest.fixture(scope="module")
def model():
    return tiny_model("llama")


@pytest.fixture(scope="module")
def modules(model):
    return resolve_site(model)[1]


def _batch(ids):
    ids = torch.as_tensor(ids)
    return Batch(ids, torch.ones_like(ids), None, None, None, 0)


def _no_hooks(modules):
    return all(len(m._forward_pre_hooks) == 0 for m in modules.values())


def test_hooks_removed_after_exception(model, modules):
    with pytest.raises(RuntimeError, match="boom"):
        with capture(modules, [0, 1, 2], stop=False) as store:
            assert all(len(m._forward_pre_hooks) == 1 for m in modules.values())
            model(input_ids=torch.tensor([[1, 2, 3]]))
            raise RuntimeError("boom")
    assert set(store) == {0, 1, 2}
    assert _no_hooks(modules)


def test_hooks_removed_when_forward_raises(model, modules):
    with pytest.raises(IndexError):
        with capture(modules, [1], stop=False):
            model(input_ids=torch.tensor([[1, 2, 999]]))  # token id beyond the vocabulary
    assert _no_hooks(modules)


def test_capture_stops_after_the_last_recorded_layer(model, modules):
    calls = []
    handles = [
        modules[2].register_forward_pre_hook(lambda *_: calls.append("layer2")),
        model.lm_head.register_forward_pre_hook(lambda *_: calls.append("head")),
    ]
    try:
        with capture(modules, [0, 1]) as store:
            with pytest.raises(StopForward):
                model(input_ids=torch.tensor([[1, 2, 3]]))
            forward_batch(model, _batch([[1, 2, 3, 4]]), store, use_cache=True)
            assert sorted(store) == [0, 1] and store[1].shape == (1, 4, TINY_WIDTH)
    finally:
        for h in handles:
            h.remove()
    assert calls == []  # neither layer 2 nor the LM head ran
    assert _no_hooks(modules)


def test_capture_without_stop_equals_the_full_pass(model, modules):
    ids = torch.tensor([[5, 6, 7, 8, 9]])
    with capture(modules, [0, 2], stop=False) as store, torch.inference_mode():
        logits = model(input_ids=ids).logits
    with torch.inference_mode():
        plain = model(input_ids=ids).logits
    assert torch.equal(logits, plain)  # capturing does not change the model's output
    assert sorted(store) == [0, 2]


def test_transform_keeps_only_its_result(model, modules):
    seen = []

    def transform(i, x):
        seen.append((i, tuple(x.shape)))
        return x[..., :5] * 2

    with capture(modules, [0, 1], transform=transform) as store:
        forward_batch(model, _batch([[1, 2, 3], [4, 5, 6]]), store, use_cache=False)
    assert seen == [(0, (2, 3, TINY_WIDTH)), (1, (2, 3, TINY_WIDTH))]
    assert store[0].shape == (2, 3, 5)


def test_pre_hook_returning_a_tuple_replaces_the_input(model, modules):
    ids = torch.tensor([[1, 2, 3]])

    def make_hook(i):
        def hook(_module, args):
            return (torch.zeros_like(args[0]), *args[1:])

        return hook

    with torch.inference_mode():
        plain = model(input_ids=ids).logits
        with pre_hooks(modules, make_hook):
            silenced = model(input_ids=ids).logits
        again = model(input_ids=ids).logits
    assert not torch.allclose(plain, silenced)  # every MLP now adds nothing (no bias)
    assert torch.equal(plain, again) and _no_hooks(modules)


def test_forward_batch_restores_the_token_axis_of_flattening_models():
    opt = tiny_model("opt")  # OPT flattens (B, T) before its MLP
    _, mods = resolve_site(opt)
    with capture(mods, [0]) as store:
        forward_batch(opt, _batch([[1, 2, 3], [4, 5, 6]]), store, use_cache=True)
    assert store[0].shape == (2, 3, TINY_WIDTH)


def test_stop_forward_can_be_caught_by_hand(model, modules):
    with capture(modules, [0]) as store, contextlib.suppress(StopForward):
        model(input_ids=torch.tensor([[1, 2]]))
    assert store[0].shape == (1, 2, TINY_WIDTH)


def test_eval_mode_switches_and_restores_every_submodule():
    net = tiny_model("llama")
    net.train()
    net.model.layers[0].eval()  # a mixed state: one block already in eval mode
    before = [m.training for m in net.modules()]
    with eval_mode(net) as m:
        assert m is net and not any(x.training for x in net.modules())
    assert [m.training for m in net.modules()] == before
    with pytest.raises(RuntimeError), eval_mode(net):
        raise RuntimeError("boom")
    assert [m.training for m in net.modules()] == before
    with eval_mode("not a model") as other:  # anything that is no torch module is left alone
        assert other == "not a model"
