"""The probe's streaming lexical baseline: per-word means from the baseline condition, residuals,
the position bookkeeping and ``lexical_var`` (fed by a stand-in batch iterator)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hftp.models.lexical import LexicalBaseline
from hftp.spectral.lexical_stats import WordMoments, lexical_variance, position_spectra
from hftp.testing import make_stim

L, N = 2, 3
WORDS = ["a", "b", "c"]


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(0)
    base = [list(rng.choice(WORDS, 8)) for _ in range(4)]
    exp = [["a", "b", "c", "a", "b", "c", "a", "b"]] * 2
    stim = make_stim(base + exp, condition=["random-words"] * 4 + ["exp"] * 2)
    values = {s: rng.normal(size=(L, 8, N)).astype("f4") for s in range(6)}  # (L, U, N)
    return stim, values


def batches_of(values, calls=None):
    """The probe's batch iterator, stood in for: one sequence per batch, (L, 1, U, N)."""

    def batches(sub):
        for seq, cond, _ in sub.sequences():
            if calls is not None:
                calls.append(cond)
            yield cond, [seq], torch.from_numpy(values[seq][:, None])

    return batches


def test_pass_one_reads_only_the_baseline_and_keeps_per_word_means(case):
    stim, values = case
    calls = []
    lex = LexicalBaseline(batches_of(values, calls), stim, "random-words", drop_missing=False)
    assert set(calls) == {"random-words"} and len(calls) == 4
    assert lex.vocab == {"a": 0, "b": 1, "c": 2}
    assert lex.means.shape == (len(WORDS) + 1, L, N)
    for w, i in lex.vocab.items():
        xs = [
            values[s][:, k] for s, _, u in stim.sequences() if s < 4 for k in range(8) if u[k] == w
        ]
        np.testing.assert_allclose(lex.means[i], np.mean(xs, axis=0), rtol=1e-5)


def test_subtract_removes_each_units_word_mean_and_counts_positions(case):
    stim, values = case
    lex = LexicalBaseline(batches_of(values), stim, "random-words", drop_missing=False)
    pooled = torch.from_numpy(np.stack([values[4], values[5]], axis=1))  # (L, 2, U, N)
    res = lex.subtract((0, "exp"), [4, 5], pooled, drop=2)
    units = next(u for s, _, u in stim.sequences() if s == 4)
    mu = np.stack([lex.means[lex.vocab[w]] for w in units], axis=1)  # (L, U, N)
    np.testing.assert_allclose(res.numpy(), pooled.numpy() - mu[:, None], rtol=1e-5, atol=1e-6)
    assert lex.K[(0, "exp")] == 2 and lex.C[(0, "exp")].shape == (3, 3)  # (words, (8 - 2) // 2)
    idx = np.array([[lex.vocab[w] for w in units]] * 2)
    np.testing.assert_allclose(lex.C[(0, "exp")], position_spectra(idx[:, 2:], 3, 6))
    var = lex.variance((0, "exp"))
    assert var.shape == (L, N, 3) and (var >= 0).all()
    ev = lex.moments.error_var()
    np.testing.assert_allclose(var.reshape(L * N, 3), lexical_variance(ev, lex.C[(0, "exp")], 2))


def test_create_records_the_baseline_or_returns_none(case):
    stim, values = case
    prov: dict = {}
    assert LexicalBaseline.create(batches_of(values), stim, None, False, prov) is None
    assert prov == {}
    lex = LexicalBaseline.create(batches_of(values), stim, "random-words", False, prov)
    assert isinstance(lex, LexicalBaseline) and prov == {"lexical_baseline": "random-words"}
    assert isinstance(lex.moments, WordMoments)


def test_words_absent_from_the_baseline(case):
    stim, values = case
    odd = make_stim([["a", "b"] * 4, ["zebra"] * 8], condition=["random-words", "exp"])
    vals = {0: values[0], 1: values[1]}
    with pytest.raises(ValueError, match="never occur in the lexical baseline: 'zebra'"):
        LexicalBaseline(batches_of(vals), odd, "random-words", drop_missing=False)
    lex = LexicalBaseline(batches_of(vals), odd, "random-words", drop_missing=True)
    assert (lex.index[1] == len(lex.vocab)).all()  # the grand-mean row
    with pytest.raises(ValueError, match="'baseline'.*'nope'"):
        LexicalBaseline(batches_of(vals), odd, "nope", drop_missing=False)
