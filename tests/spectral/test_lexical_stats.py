"""Statistics of the lexical baseline: word moments, word indices, position spectra, V(f)."""

from __future__ import annotations

import numpy as np
import pytest

from hftp.spectral.lexical_stats import (
    BASELINES,
    WordMoments,
    baseline_condition,
    lexical_variance,
    position_spectra,
    word_index,
)


def test_baseline_condition_names_the_missing_condition():
    assert BASELINES["random-words"] == "random-words"
    assert baseline_condition("random-words", ["sentences", "random-words"]) == "random-words"
    assert baseline_condition("ctrl", ["ctrl"]) == "ctrl"  # a condition name works too
    with pytest.raises(ValueError, match="'baseline'.*'random-words'.*design="):
        baseline_condition("random-words", ["sentences"])
    with pytest.raises(TypeError, match="'baseline'"):
        baseline_condition(3, ["sentences"])


def test_word_moments_skip_negative_indices_and_pool_single_words():
    rng = np.random.default_rng(1)
    idx = np.array([0, 0, 0, 1, -1, 2, 2])
    x = rng.normal(size=(7, 2, 3))  # channel shape (2, 3)
    m = WordMoments(4, (2, 3))
    m.add(idx, x)
    assert m.count.tolist() == [3, 1, 2, 0]
    mean = m.mean()
    assert mean.shape == (5, 6)
    np.testing.assert_allclose(mean[0], x[:3].reshape(3, 6).mean(0))
    grand = x[idx >= 0].reshape(-1, 6).mean(0)
    np.testing.assert_allclose(mean[3], grand)  # an unseen word takes the grand mean
    np.testing.assert_allclose(mean[4], grand)
    ev = m.error_var()
    pooled = (x[:3].reshape(3, 6).var(0, ddof=1) * 2 + x[5:].reshape(2, 6).var(0, ddof=1) * 1) / 3
    np.testing.assert_allclose(ev[1], pooled / 1)  # seen once: the pooled variance
    np.testing.assert_allclose(ev[0], x[:3].reshape(3, 6).var(0, ddof=1) / 3)
    assert (ev[3] == 0).all()


def test_word_moments_from_totals_equal_those_from_rows():
    rng = np.random.default_rng(2)
    idx = rng.integers(0, 5, 60)
    x = rng.normal(size=(60, 2, 3))
    rows = WordMoments(5, (2, 3))
    rows.add(idx[:30], x[:30])
    rows.add(idx[30:], x[30:])
    totals = WordMoments(5, (2, 3))
    flat = x.reshape(60, 6)
    for part in (slice(0, 30), slice(30, 60)):
        i, v = idx[part], flat[part]
        total = np.stack([v[i == w].sum(0) for w in range(5)])
        total2 = np.stack([(v[i == w] ** 2).sum(0) for w in range(5)])
        totals.add_totals(np.bincount(i, minlength=5), total, total2)
    np.testing.assert_allclose(totals.mean(), rows.mean())
    np.testing.assert_allclose(totals.error_var(), rows.error_var())
    with pytest.raises(ValueError, match="'total'.*expected \\(5, 6\\)"):
        totals.add_totals(np.ones(5), np.zeros((5, 5)), np.zeros((5, 6)))


def test_word_index_and_missing_words():
    vocab = {"a": 0, "b": 1}
    assert word_index(["b", "a", "b"], vocab, drop_missing=False).tolist() == [1, 0, 1]
    assert word_index(["a", "z"], vocab, drop_missing=True).tolist() == [0, 2]
    with pytest.raises(ValueError, match="1 word.*never occur.*'z'.*drop_missing=True"):
        word_index(["a", "z"], vocab, drop_missing=False)


def test_position_spectra_is_the_summed_fft_of_each_words_indicator():
    idx = np.array([[0, 1, 0, 1, 2, 5, 0, 1], [1, 1, 0, 0, 2, 2, 0, 1]])
    C = position_spectra(idx, 3, 8)
    assert C.shape == (3, 4)
    for w in range(3):
        ind = (idx == w).astype(float)
        expected = np.fft.rfft(ind, axis=1)[:, 1:].sum(0)
        np.testing.assert_allclose(C[w], expected, atol=1e-12)


def test_lexical_variance_weights_each_word_by_its_position_spectrum():
    ev = np.array([[1.0, 0.0], [0.5, 2.0]])  # (words, channels)
    C = np.array([[2.0 + 0j, 4j], [1.0, 0.0]])  # (words, freq)
    V = lexical_variance(ev, C, n_trials=2)
    expected = np.array(
        [[1.0 * 1 + 0.5 * 0.25, 1.0 * 4 + 0.5 * 0], [0.0 * 1 + 2.0 * 0.25, 0.0 * 4 + 2.0 * 0]]
    )
    np.testing.assert_allclose(V, expected)
