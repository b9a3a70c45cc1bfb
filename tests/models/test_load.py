"""load_model: a damaged cached copy of the default model names the cache and how to clear it."""

from __future__ import annotations

import pytest

from hftp._validation import HftpError


def test_damaged_cache_names_folder_and_fix(tmp_path, monkeypatch):
    import hftp.models.load as load

    folder = tmp_path / "models" / "SmolLM2-cache"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"model_type": "llama", "hidden_size": 8')  # truncated
    monkeypatch.setattr(load, "_default_folder", lambda: (folder, "default"))
    with pytest.raises(HftpError, match=r"SmolLM2-cache.*damaged or incomplete.*rm -rf"):
        load.load_model(device="cpu")


def test_site_with_another_width_warns(monkeypatch):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "tx", __file__.replace("test_load.py", "test_extract.py")
    )
    tx = importlib.util.module_from_spec(spec)
    sys.modules["tx"] = tx
    spec.loader.exec_module(tx)
    from hftp.models.extract import _check_inputs

    model = tx.tiny_llama()
    stim = tx.make_stim([["the", "dog"] * 2])
    tok = type("T", (), {"is_fast": True, "bos_token_id": 0})()
    with pytest.warns(UserWarning, match=r"width 32, not the MLP width 48"):
        _check_inputs(model, tok, stim, None, 1, "mean", "model.layers.{i}.self_attn.o_proj", False)
