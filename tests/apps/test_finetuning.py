"""FFT vs HFT helper: which matrices train, reproducibility, the comparison table (tiny models)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import hftp
from hftp.apps.finetuning import compare, finetune, freeze_half, hft_groups, task_texts
from hftp.testing import tiny_model, tiny_tokenizer


@pytest.fixture(scope="module")
def tokenizer():
    return tiny_tokenizer()


@pytest.fixture(scope="module")
def model():
    return tiny_model("llama", n_layers=4)


@pytest.fixture(scope="module")
def texts():
    # zh sentences: 2-character phrases at a 4 Hz unit rate put the phrase rate on Nyquist
    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):
        return task_texts("zh", n_texts=8, n_sentences=4, seed=0)


def changed(a, b):
    """Names of the weight matrices that differ between two models."""
    pb = dict(b.named_parameters())
    return {n for n, p in a.named_parameters() if not torch.equal(p, pb[n])}


def test_hft_freezes_half_of_each_layer():
    class L:
        def __init__(self):
            self.attn = [torch.nn.Parameter(torch.zeros(1)) for _ in range(4)]
            self.mlp = [torch.nn.Parameter(torch.zeros(1)) for _ in range(3)]

    groups = [{"attn": L().attn, "mlp": L().mlp} for _ in range(6)]
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(20):
        n = freeze_half(groups, rng)
        assert n == 6 * 2 + 3 * 1 + 3 * 2  # 2 of 4 attention, 1 or 2 of 3 MLP (alternating)
        for i, g in enumerate(groups):
            assert sum(not p.requires_grad for p in g["attn"]) == 2
            assert sum(not p.requires_grad for p in g["mlp"]) == 1 + i % 2
        seen.add(tuple(p.requires_grad for p in groups[0]["attn"]))
    assert len(seen) > 3  # a new random half each round


def test_full_and_half_finetuning(model, tokenizer, texts):
    before = {n: p.clone() for n, p in model.named_parameters()}
    fft, loss_f = finetune(model, tokenizer, texts, method="full", steps=2, lr=1e-3, progress=False)
    hft, loss_h = finetune(
        model, tokenizer, texts, method="half", steps=2, round_steps=2, lr=1e-3, progress=False
    )
    assert all(torch.equal(p, before[n]) for n, p in model.named_parameters())  # start untouched
    mats = {n for n, _ in model.named_parameters() if "layers." in n and n.endswith("proj.weight")}
    assert mats <= changed(model, fft)
    moved = changed(model, hft) & mats
    assert len(moved) == len(mats) - (4 * 2 + 2 * 1 + 2 * 2)  # one round: exactly half frozen
    assert loss_f[0] == pytest.approx(loss_h[0])  # same start, same first batch
    assert all(p.requires_grad for p in hft.parameters()) and not hft.training
    again, loss_h2 = finetune(
        model, tokenizer, texts, method="half", steps=2, round_steps=2, lr=1e-3, progress=False
    )
    np.testing.assert_array_equal(loss_h, loss_h2)
    assert not changed(hft, again)


def test_finetuning_leaves_the_callers_model_and_mode_alone(tokenizer, texts):
    net = tiny_model("llama", n_layers=2)
    net.train()
    net.model.layers[0].eval()  # a mixed state, as the caller left it
    modes = [m.training for m in net.modules()]
    net.model.embed_tokens.weight.requires_grad_(False)
    tuned, _ = finetune(net, tokenizer, texts, method="half", steps=1, lr=1e-3, progress=False)
    assert [m.training for m in net.modules()] == modes
    assert not net.model.embed_tokens.weight.requires_grad  # the caller's flag, untouched
    assert not any(m.training for m in tuned.modules())  # the copy comes back in eval mode


@pytest.mark.slow  # fine-tunes twice and probes three models
def test_compare_table(model, tokenizer, texts):
    fft, _ = finetune(model, tokenizer, texts, steps=1, lr=1e-3, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        probe_stim = hftp.make_stimuli(
            "en", ["sentences", "within-shuffle"], n_sequences=4, n_sentences=4, seed=1
        )
        task_stim = hftp.make_stimuli("zh", "sentences", n_sequences=2, n_sentences=4, seed=9)
    res = compare(
        model, tokenizer, {"FFT": fft}, probe_stim=probe_stim, task_stim=task_stim, progress=False
    )
    assert list(res.summary.index) == ["base", "FFT"]
    assert res.summary.loc["base", "task_loss_change"] == 0
    assert res.summary.loc["FFT", "task_loss_change"] != 0
    assert set(res.retention["model"]) == {"FFT"}
    assert {"retention", "retention_chance", "p", "dice", "chance"} <= set(res.retention.columns)
    assert set(res.tagged) == {"base", "FFT"}


def test_bad_inputs(model, tokenizer, texts):
    with pytest.raises(ValueError, match="'method'.*Did you mean 'half'"):
        finetune(model, tokenizer, texts, method="hlf")
    with pytest.raises(ValueError, match="'steps'"):
        finetune(model, tokenizer, texts, steps=0)
    with pytest.raises(ValueError, match="'texts'.*non-empty"):
        finetune(model, tokenizer, ["a", ""])
    with pytest.raises(TypeError, match="'texts'"):
        finetune(model, tokenizer, "a text")
    with pytest.raises(ValueError, match="'model'.*Llama-style"):
        hft_groups(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="'corpus'"):
        task_texts(corpus="/nonexistent/file.txt")
