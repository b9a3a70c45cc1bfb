"""The probe: streamed Spectra equal those of the raw activations; split halves; the lexical
baseline; raw files; hooks removed on failure; the split-half assembly on its own."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import hftp
from hftp.models import probing
from hftp.models.families import resolve_site
from hftp.models.fft import add_pooled
from hftp.models.probing import add_batch, finish_spectra, make_accumulators
from hftp.spectral.accumulate import make_spectra
from hftp.testing import make_stim, tiny_model, tiny_tokenizer

EN = "fat rat sensed fear big dog chased cats old cow ate grass quizzically unbelievable".split()


@pytest.fixture(scope="module")
def tokenizer():
    return tiny_tokenizer()


@pytest.fixture(scope="module")
def model():
    return tiny_model("llama")


def spectra_of_raw(raw, conditions, drop):
    """The reference Spectra: make_spectra of extract_activations' values, per condition."""
    trials = {
        c: raw.where(raw.condition == c, drop=True).transpose("sequence", "layer", "neuron", "unit")
        for c in conditions
    }
    return make_spectra(
        {c: t.values for c, t in trials.items()},
        sfreq=4.0,
        tagged_hz={"sentence": 1.0, "phrase": 2.0},
        channel_dims=("layer", "neuron"),
        drop=drop,
        kind="model",
    )


def test_probe_equals_spectra_of_raw_activations(model, tokenizer, tmp_path):
    rng = np.random.default_rng(1)
    seqs = [list(rng.choice(EN, 16)) for _ in range(6)]
    stim = make_stim(seqs, condition=["exp"] * 3 + ["ctrl"] * 3)
    raw_path = tmp_path / "raw.nc"
    spectra = hftp.probe(
        model, tokenizer, stim, batch_size=2, drop_units=4, progress=False, save_raw=raw_path
    )
    raw = hftp.extract_activations(model, tokenizer, stim)
    expected = spectra_of_raw(raw, ("exp", "ctrl"), drop=4)
    assert spectra["sum_x"].dims == ("condition", "layer", "neuron", "freq")
    assert spectra.sizes["freq"] == 6 and spectra.attrs["n_times"] == 12
    for var in ("sum_x", "sum_abs", "sum_abs2", "sum_phase"):
        np.testing.assert_allclose(
            spectra[var].sel(condition=["exp", "ctrl"]).values,
            expected[var].sel(condition=["exp", "ctrl"]).values,
            atol=1e-4,
        )
    assert list(spectra["n_trials"].values) == [3, 3]
    assert spectra.attrs["kind"] == "model" and spectra.attrs["stimulus_seed"] == 7
    assert spectra.attrs["site"] == "model.layers.{i}.mlp.down_proj"
    assert "hftp_version" in spectra.attrs and spectra.attrs["drop_units"] == 4
    back = hftp.load(raw_path)
    assert back.dims == raw.dims
    np.testing.assert_allclose(back.sel(sequence=raw.sequence).values, raw.values, atol=1e-6)
    assert list(back.sel(sequence=2).token_text.values) == seqs[2]
    assert back.sel(sequence=4).condition.item() == "ctrl"


def test_probe_block_grows_when_a_later_batch_is_larger(model, tokenizer):
    """One reused (L, B, U, N) block: a first batch of 1 sequence, then batches of 3 and 1."""
    rng = np.random.default_rng(3)
    stim = make_stim([list(rng.choice(EN, 12)) for _ in range(5)], condition=["a"] + ["b"] * 4)
    spectra = hftp.probe(model, tokenizer, stim, batch_size=3, drop_units=4, progress=False)
    raw = hftp.extract_activations(model, tokenizer, stim, batch_size=1)
    expected = spectra_of_raw(raw, ("a", "b"), drop=4)
    for var in ("sum_x", "sum_abs", "sum_abs2", "sum_phase"):
        np.testing.assert_allclose(
            spectra[var].sel(condition=["a", "b"]).values,
            expected[var].sel(condition=["a", "b"]).values,
            atol=1e-4,
        )
    assert list(spectra["n_trials"].sel(condition=["a", "b"]).values) == [1, 4]


def test_layers_of_different_widths_are_refused(tokenizer):
    import copy

    from transformers.models.llama.modeling_llama import LlamaMLP

    m = tiny_model("llama")
    cfg = copy.deepcopy(m.config)
    cfg.intermediate_size = m.config.intermediate_size + 8
    m.model.layers[1].mlp = LlamaMLP(cfg)
    stim = make_stim([list(EN[:8])] * 2)
    with pytest.raises(ValueError, match=r"'layers'.*layer 0 has \d+ neurons and layer 1 has"):
        hftp.probe(m, tokenizer, stim, layers=[0, 1], progress=False)
    assert not any(mod._forward_pre_hooks for mod in m.modules())  # hooks removed
    assert hftp.probe(m, tokenizer, stim, layers=[0, 2], progress=False).sizes["layer"] == 2


# ------------------------------------------------------------------------------- bad input


def test_save_raw_bad_suffix(model, tokenizer, tmp_path):
    stim = make_stim([EN[:8]])
    with pytest.raises(ValueError, match="'save_raw"):
        hftp.probe(model, tokenizer, stim, save_raw=tmp_path / "raw.csv", progress=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_real_model_spectra(default_model):
    model, tok = default_model
    rng = np.random.default_rng(0)
    sentences = [["fat", "rat", "sensed", "fear"], ["big", "dog", "chased", "cats"]]
    seqs = [[w for k in rng.integers(0, 2, 4) for w in sentences[k]] for _ in range(2)]
    spectra = hftp.probe(model, tok, make_stim(seqs), progress=False)
    assert spectra.sizes["layer"] == 30 and spectra.sizes["neuron"] == 1536
    assert spectra.sizes["freq"] == 8
    assert not spectra["sum_abs"].isnull().any()
    assert np.isfinite(spectra["sum_x"].values).all()
    assert "SmolLM2-135M-Instruct" in spectra.attrs["model"]


def test_hooks_removed_when_streaming_fails(model, tokenizer, monkeypatch, tmp_path):
    def fail(*_a, **_k):
        raise RuntimeError("accumulator failed")

    monkeypatch.setattr(probing, "add_batch", fail)
    with pytest.raises(RuntimeError, match="accumulator failed"):
        hftp.probe(
            model, tokenizer, make_stim([EN[:8]]), progress=False, save_raw=tmp_path / "r.nc"
        )
    _, modules = resolve_site(model)
    assert all(len(m._forward_pre_hooks) == 0 for m in modules.values())
    assert list(tmp_path.iterdir()) == []  # no partial raw file left behind


def test_probe_split_halves_pool_to_the_whole(model, tokenizer):
    from hftp.spectral.splits import pool_splits, split_half

    rng = np.random.default_rng(2)
    seqs = [list(rng.choice(EN, 16)) for _ in range(10)]
    stim = make_stim(seqs, condition=["exp"] * 5 + ["ctrl"] * 5)
    whole = hftp.probe(model, tokenizer, stim, batch_size=3, progress=False)
    halves = hftp.probe(model, tokenizer, stim, batch_size=3, progress=False, split=True)
    assert halves["sum_x"].dims[0] == "split" and halves.sizes["split"] == 2
    assert halves["n_trials"].sel(condition="exp").values.tolist() == [3, 2]  # even, odd
    assert halves.hftp.channel_dims == ("layer", "neuron")
    pooled = pool_splits(halves)
    for var in ("sum_x", "sum_abs2"):
        np.testing.assert_allclose(pooled[var].values, whole[var].values, rtol=1e-5, atol=1e-5)
    assert split_half(halves, 1)["n_trials"].values.tolist() == [2, 2]


def test_probe_lexical_baseline_equals_in_memory_residuals(model, tokenizer):
    from hftp.tagging.lexical import residual_spectra

    rng = np.random.default_rng(3)
    seqs = [list(rng.choice(EN[:8], 16)) for _ in range(9)]
    stim = make_stim(seqs, condition=["exp"] * 4 + ["random-words"] * 5)
    streamed = hftp.probe(
        model, tokenizer, stim, batch_size=2, progress=False, lexical_baseline="random-words"
    )
    raw = hftp.extract_activations(model, tokenizer, stim)
    ref = residual_spectra(raw, stim, baseline="random-words")
    for var in ("sum_x", "sum_abs2", "lexical_var"):
        a = streamed[var].sel(condition=["exp", "random-words"]).values
        b = ref[var].sel(condition=["exp", "random-words"]).values
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)
    assert streamed.attrs["lexical_baseline"] == "random-words"
    bad = make_stim([list(rng.choice(EN, 16)) for _ in range(2)], condition=["exp", "random-words"])
    with pytest.raises(ValueError, match="never occur in the lexical baseline"):
        hftp.probe(model, tokenizer, bad, progress=False, lexical_baseline="random-words")


def test_lexical_totals_on_the_host_when_large_give_the_same_spectra(model, tokenizer, monkeypatch):
    import hftp.models.lexical as lexical

    rng = np.random.default_rng(5)
    seqs = [list(rng.choice(EN[:8], 16)) for _ in range(6)]
    stim = make_stim(seqs, condition=["exp"] * 3 + ["random-words"] * 3)
    kw = dict(batch_size=2, progress=False, lexical_baseline="random-words")
    small = hftp.probe(model, tokenizer, stim, **kw)
    monkeypatch.setattr(lexical, "_DEVICE_TOTALS_BYTES", 0)  # every total counts as large
    large = hftp.probe(model, tokenizer, stim, **kw)
    for var in ("sum_x", "sum_abs2", "lexical_var"):
        np.testing.assert_allclose(large[var].values, small[var].values, rtol=1e-12, atol=0)


def test_probe_refuses_sequences_of_different_lengths(model, tokenizer):
    stim = make_stim([EN[:8], EN[:12]], condition=["a", "b"])
    with pytest.raises(ValueError, match="'stim'.*different lengths.*separately"):
        hftp.probe(model, tokenizer, stim, progress=False)


def test_probe_drop_units_must_leave_four(model, tokenizer):
    with pytest.raises(ValueError, match="'drop_units'.*leaves 2"):
        hftp.probe(model, tokenizer, make_stim([EN[:8]]), drop_units=6, progress=False)


@pytest.mark.slow  # streams to zarr
def test_probe_streams_raw_activations_to_zarr_and_reloads(model, tokenizer, tmp_path):
    pytest.importorskip("zarr")
    tok = tokenizer
    rng = np.random.default_rng(4)
    stim = make_stim([list(rng.choice(EN, 12)) for _ in range(5)], condition=["a"] * 3 + ["b"] * 2)
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


# ------------------------------------------------------------------ the split-half assembly

L, N, U = 2, 5, 12


def _pooled(n_seq, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(L, n_seq, U, N, generator=g)


def _stim():
    return make_stim([["w"] * U], sfreq=4.0, tagged_hz={"sentence": 1.0, "phrase": 2.0})


def test_make_accumulators_gives_one_empty_accumulator_per_half():
    accs = make_accumulators(2, [0, 3], N, U - 4, _stim(), True, {"model": "m"})
    assert len(accs) == 2 and accs[0] is not accs[1]
    assert accs[0].channel_dims == ("layer", "neuron") and accs[0].freqs.size == (U - 4) // 2
    assert list(accs[0].channel_coords["layer"]) == [0, 3]


def test_add_batch_sends_even_and_odd_sequences_to_their_half():
    accs = make_accumulators(2, [0, 1], N, U, _stim(), True, {})
    whole = make_accumulators(1, [0, 1], N, U, _stim(), True, {})
    seen: dict = {}
    a, b = _pooled(3, 0), _pooled(2, 1)  # sequences 0-2, then 3-4 of condition "c"
    for ids, x in (([10, 11, 12], a), ([13, 14], b)):
        add_batch(accs, None, seen, "c", ids, x, 0, add_pooled)
        add_batch(whole, None, {}, "c", ids, x, 0, add_pooled)
    assert seen == {"c": 5}
    halves = finish_spectra(accs, None)
    assert halves["n_trials"].dims == ("split", "condition")
    assert halves["n_trials"].values.tolist() == [[3], [2]]  # 0, 2, 4 | 1, 3
    even = make_accumulators(1, [0, 1], N, U, _stim(), True, {})
    add_pooled(even[0], "c", torch.cat([a[:, [0, 2]], b[:, [1]]], dim=1), 0)
    np.testing.assert_allclose(
        halves["sum_x"].sel(split=0).values, even[0].to_dataset()["sum_x"].values, atol=1e-4
    )
    total = halves["sum_x"].sum("split").values
    np.testing.assert_allclose(total, finish_spectra(whole, None)["sum_x"].values, atol=1e-4)


def test_finish_spectra_pads_the_trials_of_the_smaller_half():
    accs = make_accumulators(2, [0, 1], N, U, _stim(), True, {})
    add_batch(accs, None, {}, "c", [0, 1, 2], _pooled(3, 2), 0, add_pooled)
    out = finish_spectra(accs, None)
    assert list(out["split"].values) == [0, 1] and out.sizes["trial"] == 2
    assert np.isnan(out["trial_x"].sel(split=1).isel(trial=1).values).all()
    single = make_accumulators(1, [0, 1], N, U, _stim(), False, {})
    add_batch(single, None, {}, "c", [0], _pooled(1, 3), 0, add_pooled)
    assert "split" not in finish_spectra(single, None).dims


def test_the_assembly_moved_out_of_lexical_with_warnings(monkeypatch):
    from hftp import _deprecate
    from hftp.models import lexical

    monkeypatch.setattr(_deprecate, "_WARNED", set())
    with pytest.warns(FutureWarning, match=r"lexical\.add_batch was renamed to .*probing"):
        assert lexical.add_batch is add_batch


def test_probe_runs_in_eval_mode_and_leaves_the_callers_mode(tokenizer):
    net = tiny_model("llama", seed=3)
    for m in net.modules():  # dropout that a train-mode forward pass would apply
        if hasattr(m, "attention_dropout"):
            m.attention_dropout = 0.5
    rng = np.random.default_rng(2)
    stim = make_stim([list(rng.choice(EN, 16)) for _ in range(4)], condition=["a", "b"] * 2)
    ref = hftp.probe(net.eval(), tokenizer, stim, progress=False)
    net.train()
    got = hftp.probe(net, tokenizer, stim, progress=False)
    again = hftp.probe(net, tokenizer, stim, progress=False)
    np.testing.assert_array_equal(got["sum_abs"].values, ref["sum_abs"].values)
    np.testing.assert_array_equal(again["sum_abs"].values, ref["sum_abs"].values)
    assert net.training and all(m.training for m in net.modules())
    raw = hftp.extract_activations(net, tokenizer, stim)
    assert raw.notnull().any() and net.training
