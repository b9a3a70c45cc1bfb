"""Statistics of the lexical baseline: per-word moments and the variance they leave at each bin.

The lexical baseline models a channel's response to word w at position t as μ_w + residual, with
μ_w its mean response to w in a baseline condition (``"random-words"``). :class:`WordMoments`
accumulates, per word and channel, the count, sum and sum of squares (memory: words × channels);
:func:`word_index` maps units to vocabulary indices; :func:`position_spectra` sums over trials the
Fourier transform of each word's positions; :func:`lexical_variance` turns both into
V(f) = Σ_w (σ_w²/n_w) |c_w(f)|², the estimation variance of the baseline at each bin (METHOD and
:mod:`hftp.tagging.lexical` give the derivation). Pure numpy: the streaming probe
(:mod:`hftp.models.lexical`) and the in-memory residuals (:mod:`hftp.tagging.lexical`) share it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hftp._validation import InvalidValueError, check_type

__all__ = [
    "BASELINES",
    "baseline_condition",
    "WordMoments",
    "word_index",
    "position_spectra",
    "lexical_variance",
]

#: Baseline name → the condition whose sequences estimate the per-word means.
BASELINES = {"random-words": "random-words"}


def baseline_condition(baseline: str, conditions: Sequence[str]) -> str:
    """The condition that estimates the per-word means for ``baseline`` (checked).

    Parameters
    ----------
    baseline : str
        A key of :data:`BASELINES`, or a condition name.
    conditions : list of str
        The conditions of the stimuli.

    Returns
    -------
    condition : str
        One of ``conditions``; an absent one is an error naming the fix.
    """
    check_type("baseline", baseline, str, "a baseline name, e.g. 'random-words'")
    cond = BASELINES.get(baseline, baseline)
    if cond not in conditions:
        raise InvalidValueError(
            f"Invalid value for 'baseline': the lexical baseline {baseline!r} needs the condition "
            f"{cond!r} in the stimuli; got conditions {list(conditions)}. Make the stimuli with "
            "design=[..., 'random-words']."
        )
    return cond


class WordMoments:
    """Streaming per-word mean and variance of every channel's response (memory: words × channels).

    Parameters
    ----------
    n_words : int
        Vocabulary size.
    channel_shape : tuple of int
        E.g. ``(n_layers, n_neurons)``.
    """

    def __init__(self, n_words: int, channel_shape: tuple[int, ...]) -> None:
        self.n_words = int(n_words)
        self.channel_shape = tuple(channel_shape)
        c = int(np.prod(self.channel_shape))
        self.count = np.zeros(self.n_words)
        self.sum = np.zeros((self.n_words, c))
        self.sum2 = np.zeros((self.n_words, c))

    def add(self, idx: np.ndarray, x: np.ndarray) -> None:
        """Add the responses ``x`` to the words ``idx``.

        Parameters
        ----------
        idx : ndarray of int, shape (n,)
            Vocabulary indices; −1 entries are skipped.
        x : ndarray, shape (n, *channel_shape)
            The responses.
        """
        from scipy.sparse import csr_matrix

        idx = np.asarray(idx).ravel()
        x = np.asarray(x, dtype=float).reshape(idx.size, -1)
        ok = idx >= 0
        idx, x = idx[ok], x[ok]
        # a one-hot (words × responses) sparse matrix sums each word's rows in one product:
        # several times faster than np.add.at over (n, channels) rows
        onehot = csr_matrix(
            (np.ones(idx.size), (idx, np.arange(idx.size))), shape=(self.n_words, idx.size)
        )
        self.count += np.bincount(idx, minlength=self.n_words)
        self.sum += onehot @ x
        self.sum2 += onehot @ (x * x)

    def add_totals(self, count: np.ndarray, total: np.ndarray, total2: np.ndarray) -> None:
        """Add per-word totals summed elsewhere (e.g. on the model's device).

        Parameters
        ----------
        count : ndarray, shape (n_words,)
            Responses per word.
        total, total2 : ndarray, shape (n_words, n_channels)
            Their sum and sum of squares, per word and channel.
        """
        c = int(np.prod(self.channel_shape))
        want = {"count": (self.n_words,), "total": (self.n_words, c), "total2": (self.n_words, c)}
        for name, arr in (("count", count), ("total", total), ("total2", total2)):
            if np.shape(arr) != want[name]:
                raise InvalidValueError(
                    f"Invalid shape for '{name}': expected {want[name]} (words, channels); got "
                    f"{np.shape(arr)}."
                )
        self.count += np.asarray(count, dtype=float)
        self.sum += np.asarray(total, dtype=float)
        self.sum2 += np.asarray(total2, dtype=float)

    def mean(self) -> np.ndarray:
        """Per-word means, and the mean over all words.

        Returns
        -------
        means : ndarray, shape (n_words + 1, n_channels)
            An unseen word's row is the mean over all words; so is the last row.
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            m = self.sum / self.count[:, None]
        grand = self.sum.sum(axis=0) / max(self.count.sum(), 1.0)
        m = np.where(self.count[:, None] > 0, m, grand)
        return np.vstack([m, grand])

    def error_var(self) -> np.ndarray:
        """σ_w² / n_w, the variance of each word's mean (0 for unseen words).

        Words seen once take the pooled within-word variance.

        Returns
        -------
        var : ndarray, shape (n_words, n_channels)
        """
        n = self.count[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            m = self.sum / n
            ss = np.maximum(self.sum2 - n * m * m, 0.0)
            var = ss / (n - 1)
        many = self.count > 1
        dof = (self.count[many] - 1).sum()
        pooled = ss[many].sum(axis=0) / dof if dof > 0 else np.zeros(self.sum.shape[1])
        var = np.where(many[:, None], var, pooled)
        return np.where(n > 0, var / np.maximum(n, 1), 0.0)


def word_index(units: Sequence[str], vocab: dict[str, int], *, drop_missing: bool) -> np.ndarray:
    """Vocabulary index of each unit.

    Parameters
    ----------
    units : list of str
        One sequence's units (U).
    vocab : dict of str to int
        The baseline's words → 0 .. len(vocab) - 1.
    drop_missing : bool
        Words absent from ``vocab``: an error naming them (False), or index ``len(vocab)``
        (True: the row of the grand mean in :meth:`WordMoments.mean`).

    Returns
    -------
    idx : ndarray of int64, shape (U,)
    """
    missing = sorted({u for u in units if u not in vocab})
    if missing and not drop_missing:
        shown = ", ".join(repr(m) for m in missing[:10]) + (" …" if len(missing) > 10 else "")
        raise InvalidValueError(
            f"Invalid value for 'stim': {len(missing)} word(s) never occur in the lexical "
            f"baseline: {shown}. Add them to the baseline condition, or pass drop_missing=True "
            "(they then get the baseline's mean over all words)."
        )
    unk = len(vocab)
    return np.array([vocab.get(u, unk) for u in units], dtype=np.int64)


def position_spectra(idx: np.ndarray, n_words: int, n_times: int) -> np.ndarray:
    """Σ over trials of the rfft (no DC) of each word's position indicator.

    Parameters
    ----------
    idx : ndarray, shape (n_trials, n_times)
        Word indices after the dropped leading units (values ≥ n_words are ignored).
    n_words : int
        Vocabulary size.
    n_times : int
        The FFT length.

    Returns
    -------
    C : ndarray, shape (n_words, n_times // 2), complex
    """
    t = np.arange(n_times)
    freqs = np.arange(1, n_times // 2 + 1)
    E = np.exp(-2j * np.pi * np.outer(t, freqs) / n_times)  # (T, F)
    C = np.zeros((n_words, freqs.size), complex)
    for row in np.asarray(idx):
        ok = row < n_words
        np.add.at(C, row[ok], E[ok])
    return C


def lexical_variance(error_var: np.ndarray, C: np.ndarray, n_trials: int) -> np.ndarray:
    """V(f) = Σ_w (σ_w²/n_w) |c_w(f)|², with c_w = C_w / n_trials.

    Parameters
    ----------
    error_var : ndarray, shape (n_words, n_channels)
        From :meth:`WordMoments.error_var`.
    C : ndarray, shape (n_words, n_freq), complex
        From :func:`position_spectra`.
    n_trials : int
        Trials summed into ``C``.

    Returns
    -------
    V : ndarray, shape (n_channels, n_freq)
    """
    c2 = np.abs(C / max(n_trials, 1)) ** 2
    return error_var.T @ c2
