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
