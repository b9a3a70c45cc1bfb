"""hftp.models.wrappers: TransformerLens bridges and nnsight models read as the models they wrap.

Each test builds a tiny random Llama (no download); a bridge is booted around a copy saved to
tmp_path. The spectra, raw activations and ablation results through a wrapper equal those of
the wrapped Hugging Face model.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import xarray as xr

import hftp
from hftp.models.families import resolve_site
from hftp.models.wrappers import (
    WRAPPERS,
    Unwrapped,
    module_paths,
    register_wrapper,
    unwrap_model,
    wrapper_name,
)
from hftp.testing import make_stim, tiny_model, tiny_tokenizer

EN = "fat rat sensed fear big dog chased cats old cow ate grass".split()
VARS = ("sum_x", "sum_abs", "sum_abs2", "sum_phase")


@pytest.fixture(scope="module")
def stim():
    rng = np.random.default_rng(0)
    seqs = [list(rng.choice(EN, 12)) for _ in range(4)]
    return make_stim(seqs, condition=["exp"] * 2 + ["ctrl"] * 2)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A tiny Llama and its tokenizer written with save_pretrained (what a bridge boots from)."""
    path = tmp_path_factory.mktemp("tiny-llama")
    tiny_model("llama").save_pretrained(path)
    tiny_tokenizer().save_pretrained(path)
    return path


def _hf(path):
    from transformers import AutoModelForCausalLM

    # eager attention, as the bridge forces, for an exact comparison
    return AutoModelForCausalLM.from_pretrained(path, attn_implementation="eager").eval()


@pytest.fixture(scope="module")
def bridge(saved):
    tl = pytest.importorskip("transformer_lens.model_bridge")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        return tl.TransformerBridge.boot_transformers(str(saved), device="cpu")


def _assert_same_spectra(a, b):
    for v in VARS:
        np.testing.assert_allclose(a[v].values, b[v].values, rtol=1e-5, atol=1e-6, err_msg=v)
    np.testing.assert_array_equal(a["n_trials"].values, b["n_trials"].values)


def test_bridge_is_a_registered_wrapper(bridge):
    assert wrapper_name(bridge) == "transformer_lens"
    model, tokenizer, add_bos = unwrap_model(bridge)
    assert model is bridge.original_model
    assert tokenizer is bridge.tokenizer
    assert add_bos is bridge.cfg.default_prepend_bos is True
    # the same MLP neurons as the wrapped model: Hugging Face's path, TransformerLens' hook_post
    site, modules = resolve_site(bridge)
    assert site == "model.layers.{i}.mlp.down_proj"
    assert sorted(modules) == [0, 1, 2]
    paths = dict((id(m), p) for p, m in module_paths(model))
    assert paths[id(modules[1])] == "model.layers.1.mlp.down_proj"
    assert modules[0].hook_in is bridge.hook_dict["blocks.0.mlp.hook_post"]


def test_bridge_spectra_equal_the_wrapped_model(bridge, saved, stim):
    tok = tiny_tokenizer()
    got = hftp.probe(bridge, None, stim, batch_size=2, progress=False)
    want = hftp.probe(_hf(saved), tok, stim, batch_size=2, progress=False, add_bos=True)
    assert got.attrs["add_bos"] == 1  # the bridge's own default (TransformerLens prepends BOS)
    assert got.attrs["site"] == want.attrs["site"] == "model.layers.{i}.mlp.down_proj"
    _assert_same_spectra(got, want)
    no_bos = hftp.probe(bridge, None, stim, batch_size=2, progress=False, add_bos=False)
    assert no_bos.attrs["add_bos"] == 0
    _assert_same_spectra(
        no_bos, hftp.probe(_hf(saved), tok, stim, batch_size=2, progress=False, add_bos=False)
    )


def test_bridge_activations_run_through_its_components(bridge, saved, stim):
    fired = []
    bridge.blocks[0].mlp.hook_post.add_hook(lambda t, hook: fired.append(t.shape) or t)
    try:
        got = hftp.extract_activations(bridge, None, stim, layers=[0, 2])
    finally:
        bridge.reset_hooks()
    assert fired  # the user's TransformerLens hook saw the same forward pass
    want = hftp.extract_activations(_hf(saved), tiny_tokenizer(), stim, layers=[0, 2], add_bos=True)
    xr.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    _, modules = resolve_site(bridge)
    assert all(not m._forward_pre_hooks for m in modules.values())  # hftp's hooks are gone
    tokens = torch.tensor([[0, 5, 9, 17]])
    rec = hftp.models.record_tokens(bridge, tokens, layers=[1])
    ref = hftp.models.record_tokens(_hf(saved), tokens, layers=[1])
    np.testing.assert_allclose(rec[1].numpy(), ref[1].numpy(), rtol=1e-5, atol=1e-6)


def test_bridge_ablation_equals_the_wrapped_model(bridge, saved):
    rng = np.random.default_rng(1)
    seqs = [list(rng.choice(EN, 8)) for _ in range(4)]
    stim = make_stim(seqs, condition=["sentences"] * 2 + ["words"] * 2)
    mask = xr.DataArray(np.zeros((3, 48), bool), dims=("layer", "neuron"))
    mask[1, :6] = True
    kw = dict(n_random=2, batch_size=2, progress=False)
    got = hftp.models.ablate(bridge, None, stim, mask, **kw)
    want = hftp.models.ablate(_hf(saved), tiny_tokenizer(), stim, mask, **kw)
    for v in ("intact", "change", "null_change"):
        np.testing.assert_allclose(got[v].values, want[v].values, rtol=1e-5, atol=1e-6)
    # ablate and next_unit_loss take add_bos=False unless told, wrapped or not
    loss = hftp.models.next_unit_loss(bridge, None, stim, batch_size=2, add_bos=True)
    ref = hftp.models.next_unit_loss(_hf(saved), tiny_tokenizer(), stim, batch_size=2, add_bos=True)
    np.testing.assert_allclose(loss.values, ref.values, rtol=1e-5)


@pytest.fixture(scope="module", params=["LanguageModel", "TransformersModel"])
def nnsight_model(request):
    nnsight = pytest.importorskip("nnsight")
    import warnings

    with warnings.catch_warnings():  # LanguageModel is deprecated for TransformersModel in 0.8
        warnings.simplefilter("ignore", FutureWarning)
        return getattr(nnsight, request.param)(tiny_model("llama"), tokenizer=tiny_tokenizer())


def test_nnsight_spectra_equal_the_wrapped_model(nnsight_model, stim):
    assert wrapper_name(nnsight_model) == "nnsight"
    model, tokenizer, add_bos = unwrap_model(nnsight_model)
    assert isinstance(model, torch.nn.Module) and tokenizer is not None and add_bos is None
    got = hftp.probe(nnsight_model, None, stim, batch_size=2, progress=False)
    want = hftp.probe(tiny_model("llama"), tiny_tokenizer(), stim, batch_size=2, progress=False)
    _assert_same_spectra(got, want)
    assert got.attrs["add_bos"] == want.attrs["add_bos"]
    raw = hftp.extract_activations(nnsight_model, None, stim, layers=[2])
    ref = hftp.extract_activations(tiny_model("llama"), tiny_tokenizer(), stim, layers=[2])
    xr.testing.assert_allclose(raw, ref, rtol=1e-5, atol=1e-6)


def test_nnsight_trace_sees_the_same_neurons(nnsight_model, stim):
    ids = torch.tensor([[0, 5, 9, 17, 23]])
    with nnsight_model.trace({"input_ids": ids, "attention_mask": torch.ones_like(ids)}):
        traced = nnsight_model.model.layers[1].mlp.down_proj.input.save()
    rec = hftp.models.record_tokens(nnsight_model, ids, layers=[1])
    np.testing.assert_allclose(rec[1].numpy(), traced.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_plain_models_pass_through_and_registration():
    model = tiny_model("gpt2", n_layers=1)
    tok = object()
    assert wrapper_name(model) is None
    assert unwrap_model(model, tok, False) == (model, tok, False)
    assert [p for p, _ in module_paths(model)] == [n for n, _ in model.named_modules()]

    class Box:
        def __init__(self, inner):
            self.inner = inner

    try:
        register_wrapper(
            "box",
            lambda o: isinstance(o, Box),
            lambda o: Unwrapped(o.inner, "tok", True),
            hidden=("inner_hidden",),
        )
        assert unwrap_model(Box(model)) == (model, "tok", True)
        assert unwrap_model(Box(model), "mine", False) == (model, "mine", False)
        site, _ = resolve_site(Box(model))
        assert site == "transformer.h.{i}.mlp.c_proj"
        with pytest.raises(ValueError, match="'name'.*already registered.*overwrite=True"):
            register_wrapper("box", lambda o: False, lambda o: None)
    finally:
        WRAPPERS.pop("box", None)
    with pytest.raises(TypeError, match="'detect'"):
        register_wrapper("x", None, lambda o: None)
    with pytest.raises(TypeError, match="'name'"):
        register_wrapper(3, lambda o: False, lambda o: None)
