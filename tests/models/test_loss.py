"""Next-unit loss: the cross-entropy of each unit's tokens, pooled per unit, averaged per condition."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from hftp.models.loss import Scorer, next_unit_loss
from hftp.models.pooling import encode
from hftp.testing import make_stim, tiny_model, tiny_tokenizer

EN = "fat rat sensed fear big dog chased cats old cow ate grass".split()


@pytest.fixture(scope="module")
def tokenizer():
    return tiny_tokenizer()


@pytest.fixture(scope="module")
def model():
    return tiny_model("llama")


def reference_unit_loss(model, tokenizer, units):
    """Per-unit loss of one sequence by a plain loop: the mean CE of the unit's predicted tokens."""
    batch = encode(tokenizer, [(0, units)], separator=" ")
    ids = batch.input_ids
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0]
    ce = F.cross_entropy(logits[:-1], ids[0, 1:], reduction="none").numpy()  # token t >= 1
    m = batch.matrix.to_dense().numpy()  # (U, T) mean weights
    out = []
    for u in range(len(units)):
        toks = [t for t in np.flatnonzero(m[u]) if t >= 1]
        out.append(np.mean([ce[t - 1] for t in toks]) if toks else np.nan)
    return np.array(out)


def test_loss_equals_a_plain_loop(model, tokenizer):
    seqs = [EN[:6], EN[6:12], EN[3:9]]
    stim = make_stim(seqs, condition=["a", "a", "b"])
    got = next_unit_loss(model, tokenizer, stim, batch_size=2)
    assert got.dims == ("condition",) and list(got["condition"].values) == ["a", "b"]
    per = {k: reference_unit_loss(model, tokenizer, s) for k, s in enumerate(seqs)}
    a = np.concatenate([per[0], per[1]])
    np.testing.assert_allclose(got.sel(condition="a").item(), np.nanmean(a), rtol=1e-5)
    np.testing.assert_allclose(got.sel(condition="b").item(), np.nanmean(per[2]), rtol=1e-5)
    scored = [int(np.isfinite(a).sum()), int(np.isfinite(per[2]).sum())]
    assert got["n_units"].values.tolist() == scored
    assert np.isnan(reference_unit_loss(model, tokenizer, ["fat", "rat", "big"])[0])  # 1 token
    assert got.name == "loss" and 0 < float(got.min()) < 20


def test_bos_scores_the_first_unit_and_drop_units_leaves_units_out(model, tokenizer):
    stim = make_stim([EN[:6]])
    with_bos = next_unit_loss(model, tokenizer, stim, add_bos=True)
    assert with_bos["n_units"].item() == 6
    dropped = next_unit_loss(model, tokenizer, stim, drop_units=2)
    assert dropped["n_units"].item() == 4
    with pytest.raises(ValueError, match="'drop_units'"):
        next_unit_loss(model, tokenizer, stim, drop_units=-1)
    with pytest.raises(ValueError, match="'pooling'"):
        next_unit_loss(model, tokenizer, stim, pooling="max")


def test_scorer_repeats_a_batch_without_changing_its_loss(model, tokenizer):
    stim = make_stim([EN[:6], EN[6:12]], condition=["a", "b"])
    scorer = Scorer(model, tokenizer, stim, "mean", False, 8, 0)
    assert scorer.conditions == ["a", "b"] and len(scorer.batches) == 2
    once, count = scorer.accumulate(1)
    thrice, count3 = scorer.accumulate(3)
    assert thrice.shape == (3, 2) and count.tolist() == count3.tolist()
    assert 5 <= count.min() and count.max() <= 6  # the first unit is scored if it has 2+ tokens
    np.testing.assert_allclose(thrice, np.repeat(once, 3, axis=0), rtol=1e-5)
    seen = []
    scorer.accumulate(1, lambda ci, batch: seen.append((ci, batch.input_ids.shape[0])))
    assert seen == [(0, 1), (1, 1)]
