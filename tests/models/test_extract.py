"""Capture, token → unit alignment, batching, raw activations and streamed spectra."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import hftp
from hftp.models.extract import record_tokens
from hftp.models.families import resolve_site
from hftp.models.pooling import encode
from hftp.spectral.accumulate import make_spectra
from hftp.testing import make_stim, tiny_model, tiny_tokenizer

EN = "fat rat sensed fear big dog chased cats old cow ate grass quizzically unbelievable".split()
ZH = list("老牛耕地小猫吃鱼黑狗追鸡")
CORPUS = ["fat rat sensed fear", "big dog chased cats", "old cow ate grass", "老牛耕地"] * 20


@pytest.fixture(scope="module")
def tokenizer():
    """A tiny byte-level BPE fast tokenizer trained in memory (no download)."""
    return tiny_tokenizer(CORPUS)


@pytest.fixture(scope="module")
def model():
    return tiny_model("llama")


def reference(model, tok, units, sep, *, pooling="mean", layers=(0, 1, 2)):
    """Unit values by an independent character loop over one unpadded sequence."""
    text = sep.join(units)
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    acts = record_tokens(model, torch.tensor([enc["input_ids"]]), layers=list(layers))
    out, pos, n_tokens = [], 0, []
    for u in units:
        start, end = pos, pos + len(u)
        pos = end + len(sep)
        toks = [
            t
            for t, (a, b) in enumerate(enc["offset_mapping"])
            if any(not text[c].isspace() for c in range(max(a, start), min(b, end)))
        ]
        n_tokens.append(len(toks))
        if pooling == "last":
            toks = toks[-1:]
        out.append(torch.stack([acts[i][0, toks].mean(0) for i in layers]))
    return torch.stack(out, 1).numpy(), n_tokens  # (L, U, N)


@pytest.mark.parametrize(
    ("units", "lang"),
    [
        (["quizzically", "unbelievable", "fat", "rat", "sensed", "fear"], "en"),
        (["fat,", "rat", "sensed", "fear.", "(big)", "dog!"], "en"),
        (ZH[:8], "zh"),
    ],
    ids=["multi-token-words", "punctuation", "chinese"],
)
@pytest.mark.parametrize("pooling", ["mean", "last"])
def test_alignment_matches_character_loop(model, tokenizer, units, lang, pooling):
    sep = "" if lang == "zh" else " "
    stim = make_stim([units, units[::-1]], language=lang)
    got = hftp.extract_activations(
        model, tokenizer, stim, pooling=pooling, batch_size=2, tokenization="joint"
    )
    for k, seq in enumerate([units, units[::-1]]):
        ref, n_tokens = reference(model, tokenizer, seq, sep, pooling=pooling)
        assert max(n_tokens) >= 2  # the case really has units split over several tokens
        np.testing.assert_allclose(got.values[k], ref, atol=1e-5)
    assert list(got.token_text.values[0]) == units


@pytest.mark.slow
def test_real_model_tokenizer_alignment(default_model):
    """The default model's tokenizer: multi-token words, byte-split Chinese, punctuation."""
    _, tok = default_model
    small = tiny_model("llama", vocab_size=len(tok))
    cases = [
        (["quizzically", "flabbergasted", "fat", "rat", "sensed", "fear"], " "),
        (["fat,", "rat", "sensed", "fear.", "(big)", "dog!"], " "),
        (list("老牛耕地小猫吃鱼"), ""),
    ]
    for units, sep in cases:
        stim = make_stim([units], language="zh" if sep == "" else "en")
        got = hftp.extract_activations(small, tok, stim)
        ref, n_tokens = reference(small, tok, units, sep)
        assert max(n_tokens) >= 2
        np.testing.assert_allclose(got.values[0], ref, atol=1e-5)
    enc = tok("老牛耕地", add_special_tokens=False)
    assert len(enc["input_ids"]) > 4  # byte-level BPE splits the characters


def test_batched_equals_unbatched(model, tokenizer):
    rng = np.random.default_rng(0)
    seqs = [list(rng.permutation(EN))[:10] for _ in range(5)]
    stim = make_stim(seqs)
    lengths = {len(tokenizer(" ".join(s))["input_ids"]) for s in seqs}
    assert len(lengths) > 1  # padding really happens
    a = hftp.extract_activations(model, tokenizer, stim, batch_size=3)
    b = hftp.extract_activations(model, tokenizer, stim, batch_size=1)
    assert np.max(np.abs(a.values - b.values)) <= 1e-5


def test_activation_schema(model, tokenizer):
    stim = make_stim([EN[:8], EN[4:12], EN[:8]], condition=["a", "b", "a"])
    da = hftp.extract_activations(model, tokenizer, stim, layers=[2, -3])
    assert da.name == "activation"
    assert da.dims == ("sequence", "layer", "unit", "neuron")
    assert da.shape == (3, 2, 8, 48) and da.dtype == np.float32
    assert list(da.layer.values) == [0, 2]
    assert sorted(da.sequence.values) == [0, 1, 2]
    assert dict(zip(da.sequence.values, da.condition.values, strict=True)) == {
        0: "a",
        1: "b",
        2: "a",
    }
    assert da.token_text.dims == ("sequence", "unit")
    assert da.attrs["unit_rate_hz"] == 4.0
    assert da.attrs["site"] == "model.layers.{i}.mlp.down_proj"
    assert np.isfinite(da.values).all()


def test_add_bos_keeps_bos_out_of_units(tokenizer):
    batch = encode(tokenizer, [(0, ["fat", "rat"]), (1, ["big", "dog"])], separator=" ")
    with_bos = encode(
        tokenizer, [(0, ["fat", "rat"]), (1, ["big", "dog"])], separator=" ", add_bos=True
    )
    n_tok = with_bos.input_ids.shape[1]
    assert (with_bos.input_ids[:, 0] == tokenizer.bos_token_id).all()
    assert not np.isin(with_bos.cols.numpy(), [0, n_tok]).any()  # BOS column of each sequence
    assert with_bos.rows.numel() == batch.rows.numel()
    assert (
        with_bos.cols.numpy() % n_tok == batch.cols.numpy() % batch.input_ids.shape[1] + 1
    ).all()


def test_add_bos_changes_context_not_alignment(model, tokenizer):
    stim = make_stim([EN[:6]])
    a = hftp.extract_activations(model, tokenizer, stim, add_bos=True)
    b = hftp.extract_activations(model, tokenizer, stim)
    assert a.shape == b.shape and not np.allclose(a.values, b.values)


def test_forward_stops_after_last_needed_layer(model, tokenizer):
    _, modules = resolve_site(model)
    calls = []
    handles = [
        modules[2].register_forward_pre_hook(lambda *_: calls.append("layer2")),
        model.lm_head.register_forward_pre_hook(lambda *_: calls.append("head")),
    ]
    try:
        da = hftp.extract_activations(model, tokenizer, make_stim([EN[:6]]), layers=[0, 1])
    finally:
        for h in handles:
            h.remove()
    assert calls == [] and list(da.layer.values) == [0, 1]
    assert all(len(m._forward_pre_hooks) == 0 for m in modules.values())


def spectra_of_raw(raw, conditions, drop):
    """The reference Spectra: make_spectra of extract_activations' values, per condition."""
    trials = {
        c: raw.where(raw.condition == c, drop=True).transpose("sequence", "layer", "neuron", "unit")
        for c in conditions
    }
    return make_spectra(
        {c: t.values for c, t in trials.items()},
        rate_hz=4.0,
        tagged={"sentence": 1.0, "phrase": 2.0},
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


def test_layer_out_of_range(model, tokenizer):
    with pytest.raises(ValueError, match=r"'layers'.*3 layers \(0 to 2\); got 3"):
        hftp.extract_activations(model, tokenizer, make_stim([EN[:4]]), layers=[0, 3])
    with pytest.raises(ValueError, match="'layers'.*got -4"):
        hftp.probe(model, tokenizer, make_stim([EN[:8]]), layers=-4, progress=False)


def test_slow_tokenizer_is_rejected(model):
    class SlowTokenizer:
        is_fast = False

    with pytest.raises(TypeError, match="'tokenizer'.*fast tokenizer"):
        hftp.extract_activations(model, SlowTokenizer(), make_stim([EN[:4]]))


def test_empty_stimulus_set(model, tokenizer):
    with pytest.raises(ValueError, match="'stim'.*empty"):
        hftp.probe(model, tokenizer, make_stim([]), progress=False)
    with pytest.raises(TypeError, match="'stim'.*StimulusSet"):
        hftp.extract_activations(model, tokenizer, [["fat", "rat"]])


def test_unit_without_token_names_unit_and_sequence(model, tokenizer):
    with pytest.raises(ValueError, match=r"Unit 1 \(''\) of sequence 0 is covered by no token"):
        hftp.extract_activations(model, tokenizer, make_stim([["fat", "", "rat"]]))


def test_unequal_lengths(model, tokenizer):
    with pytest.raises(ValueError, match="'stim'.*condition 'sentences'.*different lengths"):
        hftp.extract_activations(model, tokenizer, make_stim([EN[:4], EN[:5]]))
    stim = make_stim([EN[:8], EN[:12]], condition=["a", "b"])
    assert hftp.extract_activations(model, tokenizer, stim).isnull().any()  # NaN-padded
    with pytest.raises(ValueError, match="'stim'.*separately"):
        hftp.probe(model, tokenizer, stim, progress=False)


def test_bad_options(model, tokenizer):
    stim = make_stim([EN[:8]])
    with pytest.raises(ValueError, match="'pooling'.*Did you mean 'mean'"):
        hftp.extract_activations(model, tokenizer, stim, pooling="men")
    with pytest.raises(ValueError, match="'batch_size'"):
        hftp.extract_activations(model, tokenizer, stim, batch_size=0)
    with pytest.raises(ValueError, match="'drop_units'.*leaves 2"):
        hftp.probe(model, tokenizer, stim, drop_units=6, progress=False)
    with pytest.raises(ValueError, match="'site'.*Did you mean"):
        hftp.extract_activations(model, tokenizer, stim, site="layers.{i}.mlp.down")
    with pytest.raises(ValueError, match="'stim'.*at most 256"):
        hftp.extract_activations(model, tokenizer, make_stim([EN * 20]))


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


def test_cli_probe(model, tokenizer, tmp_path):
    import json

    from typer.testing import CliRunner

    from hftp.apps.cli import app
    from hftp.stimuli.core import save_stimuli

    folder = tmp_path / "tiny"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    rng = np.random.default_rng(2)
    stim_path = save_stimuli(
        make_stim([list(rng.choice(EN, 8)) for _ in range(3)]), tmp_path / "s.csv"
    )
    out = tmp_path / "spectra.nc"
    args = ["probe", "--model", str(folder), "--stimuli", str(stim_path), "--out", str(out)]
    res = CliRunner().invoke(app, [*args, "--layers", "0,-1", "--batch-size", "2", "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["layers"] == 2 and summary["neurons"] == 48 and summary["n_trials"] == [3]
    spectra = hftp.load(out)
    assert list(spectra.layer.values) == [0, 2] and spectra.attrs["site"].endswith("down_proj")
    bad = CliRunner().invoke(app, [*args, "--layers", "zero"])
    assert bad.exit_code == 2 and "--layers" in bad.output
    bad = CliRunner().invoke(app, [*args, "--overwrite", "--layers", "7"])
    assert bad.exit_code == 2 and "'--layers'" in bad.output


def test_hooks_removed_when_streaming_fails(model, tokenizer, monkeypatch, tmp_path):
    import hftp.models.extract as extract

    def fail(*_a, **_k):
        raise RuntimeError("accumulator failed")

    monkeypatch.setattr(extract, "add_pooled", fail)
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
