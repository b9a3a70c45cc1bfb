"""The architecture registry: every family's site captures exactly its MLP neurons; user sites."""

from __future__ import annotations

import pytest
import torch

from hftp.models.extract import record_tokens
from hftp.models.families import FAMILIES, register_family, resolve_site
from hftp.testing import TINY_WIDTH, tiny_model

WIDTH = TINY_WIDTH


def _gated(layer, x):
    return layer.mlp.act_fn(layer.mlp.gate_proj(x)) * layer.mlp.up_proj(x)


def _fused(layer, x):
    gate, up = layer.mlp.gate_up_proj(x).chunk(2, dim=-1)
    return layer.mlp.activation_fn(gate) * up


# family -> (child of the layer module whose input is hooked, neurons recomputed from weights)
RECOMPUTE = {
    "gpt2": ("mlp", lambda layer, x: layer.mlp.act(layer.mlp.c_fc(x))),
    "gpt_neox": ("mlp", lambda layer, x: layer.mlp.act(layer.mlp.dense_h_to_4h(x))),
    "opt": ("fc1", lambda layer, x: layer.activation_fn(layer.fc1(x))),
    "bert": (
        "intermediate",
        lambda layer, x: layer.intermediate.intermediate_act_fn(layer.intermediate.dense(x)),
    ),
    "phi3": ("mlp", _fused),
    "glm": ("mlp", _fused),
    "glm4": ("mlp", _fused),
}


def test_registry_covers_the_documented_families():
    need = {"gpt2", "llama", "mistral", "qwen2", "gemma", "gemma2", "gemma3_text", "phi3"}
    need |= {"olmo", "gpt_neox", "opt", "bert", "glm", "glm4"}
    assert need <= set(FAMILIES)
    assert all(p.count("{i}") == 1 for p in FAMILIES.values())


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_capture_equals_recomputation_from_weights(family):
    model = tiny_model(family)
    site, modules = resolve_site(model)
    assert len(modules) == 3
    child, recompute = RECOMPUTE.get(family, ("mlp", _gated))
    layer_path = site[: site.index("{i}")] + "{i}"
    named = dict(model.named_modules())
    ids = torch.randint(0, 128, (2, 7), generator=torch.Generator().manual_seed(1))
    inputs: dict[int, torch.Tensor] = {}
    handles = []
    for i in range(3):
        sub = named[f"{layer_path.format(i=i)}.{child}"]
        handles.append(
            sub.register_forward_pre_hook(lambda _m, a, i=i: inputs.__setitem__(i, a[0].detach()))
        )
    try:
        got = record_tokens(model, ids, layers=[0, 2])
    finally:
        for h in handles:
            h.remove()
    assert sorted(got) == [0, 2]
    for i in (0, 2):
        layer = named[layer_path.format(i=i)]
        with torch.no_grad():
            expected = recompute(layer, inputs[i]).reshape(2, 7, WIDTH)  # OPT flattens (B, T)
        assert got[i].shape == (2, 7, WIDTH)
        assert torch.max(torch.abs(got[i] - expected)).item() <= 1e-5
    # the pass stopped after layer 2's capture: nothing is left hooked
    assert all(not m._forward_pre_hooks for m in modules.values())


def test_user_site_pattern_and_register_family():
    model = tiny_model("llama")
    site, modules = resolve_site(model, "model.layers.{i}.mlp.down_proj")
    assert site == "model.layers.{i}.mlp.down_proj" and len(modules) == 3
    model.config.model_type = "my_llama_like"
    with pytest.raises(ValueError, match="site=.*register_family"):
        resolve_site(model)
    register_family("my_llama_like", "layers.{i}.mlp.down_proj")
    try:
        assert resolve_site(model)[0] == "model.layers.{i}.mlp.down_proj"
        with pytest.raises(ValueError, match="model_type.*already registered"):
            register_family("my_llama_like", "layers.{i}.mlp.up_proj")
    finally:
        del FAMILIES["my_llama_like"]


def test_site_matching_nothing_suggests_real_names():
    model = tiny_model("llama")
    with pytest.raises(ValueError, match=r"'site'.*Did you mean .*layers\.\{i\}\.mlp\.down_proj"):
        resolve_site(model, "model.layers.{i}.mlp.down_prj")
    with pytest.raises(ValueError, match="'site'.*exactly one"):
        resolve_site(model, "model.layers.0.mlp.down_proj")


def test_bert_site_is_the_mlp_not_attention_output():
    site, modules = resolve_site(tiny_model("bert"))
    assert site.endswith("layer.{i}.output.dense") and "attention" not in site
    assert modules[0].in_features == WIDTH


def test_site_with_another_width_warns():
    model = tiny_model("llama")
    width = model.config.intermediate_size
    hidden = model.config.hidden_size
    with pytest.warns(UserWarning, match=rf"width {hidden}, not the MLP width {width}"):
        resolve_site(model, "model.layers.{i}.self_attn.o_proj")
