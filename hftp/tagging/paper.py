"""paper mode of :func:`hftp.find_tagged`: An et al.'s (NeurIPS 2025) two-stage procedure.

This module holds the mode's parameters (:class:`PaperParams`), its two stages
(:func:`mean_series` and :func:`permutation_threshold` for stage 1, :func:`group_amplitude` for
stage 2) and :func:`paper_mode`, which runs them on a :class:`~hftp.tagging.inputs.TagData`.

Stage 1, per channel and level: the evoked amplitude of the mean response (over all trials of the
condition) at the tagged bin is compared with a null built from ``n_permutations`` (1000) random
permutations of the time samples of that mean response; the channel passes if its amplitude exceeds
the null's 95th percentile. The mean time series is rebuilt from ``sum_x / n`` by an inverse FFT
(DC set to zero, which no permutation changes). The same permutations (seeded) serve every channel:
permuting the samples of x̄ equals permuting the rows of the DFT matrix, so the null amplitudes
of all channels are two matrix products per chunk of channels.

Stage 2: for stage-1 passers, the experiment-minus-control difference of the mean over
``n_groups`` (10) groups of trials (in order) of |FFT(group mean)| at the bin. The differences
are z-scored over all channels (layers × neurons), with zeros for the channels that failed stage 1,
and channels with z > ``z_threshold`` (2) are selected. The mode has one verdict: ``significant``
(``above_neighbors`` repeats it, so that every mode's result has the same variables) and its ``q``
is NaN.

Weaknesses (keep this mode for comparison with published numbers only):

- no multiple-comparison correction over ~10^5–10^6 neurons;
- the permutation null of the averaged series ignores the between-trial variance;
- the meaning of the z > 2 threshold depends on the stage-1 pass rate (zeros for non-passers
  enter the mean and the standard deviation);
- phrase candidates include harmonics of the sentence rate (2 Hz is the 2nd harmonic of 1 Hz).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hftp._validation import InvalidValueError, check_float, check_int
from hftp.tagging.inputs import TagData

__all__ = [
    "PaperParams",
    "check_paper",
    "paper_mode",
    "mean_series",
    "permutation_threshold",
    "group_amplitude",
]

_BLOCK = 512  # longest row that numpy selects in with a sorting network (x86-simd-sort)


def mean_series(X_mean: np.ndarray, n_times: int, dtype=np.float32) -> np.ndarray:
    """Mean time series from the evoked spectrum without DC.

    Parameters
    ----------
    X_mean : ndarray, shape (n_channels, n_freq), complex
        Σ_k X_k / n for the rfft bins 1 … n_times // 2.
    n_times : int
        Samples of the series.
    dtype : numpy float dtype
        Precision of the inverse FFT and the result. Default float32, the precision of
        :func:`permutation_threshold`'s matrix products.

    Returns
    -------
    x : ndarray, shape (n_channels, n_times), ``dtype``
    """
    full = np.zeros((X_mean.shape[0], X_mean.shape[1] + 1), np.result_type(dtype, np.complex64))
    full[:, 1:] = X_mean
    return np.fft.irfft(full, n=n_times, axis=1)


def permutation_threshold(
    x: np.ndarray,
    bins: list[int],
    perms: np.ndarray,
    percentile: float = 95.0,
    chunk: int = 256,
):
    """Stage 1: amplitude at ``bins`` and the null from permuting the samples of each row of ``x``.

    Only the DFT at the tagged bins is needed: the amplitude of the permuted series
    ``x[:, perms[p]]`` at bin b is |x · e_b[inv_p]| with ``inv_p`` the inverse permutation, so the
    whole null of a chunk of channels is one float32 matrix product with the permuted DFT weights
    (built once). The percentile is read from two order statistics of the squared null (same order
    as the amplitude), found by selection rather than sorting.

    Parameters
    ----------
    x : ndarray, shape (n_channels, n_times)
        The mean series of each channel.
    bins : list of int
        rfft bin numbers (1 = the first non-DC bin).
    perms : ndarray of int, shape (n_permutations, n_times)
        Permutation ``perms[p]`` gives the permuted series ``x[:, perms[p]]``.
    percentile : float
        The threshold percentile of the null (linear interpolation, as :func:`numpy.percentile`).
        Default 95.
    chunk : int
        Channels per matrix product (the product, chunk × n_parts × n_permutations float32, should
        stay in cache). Default 256.

    Returns
    -------
    amp, threshold, p : ndarray, shape (n_channels, len(bins))
        Observed amplitude, the null percentile, and the permutation p-value
        (1 + #{null ≥ amp}) / (1 + n_permutations).
    """
    n_channels, n_times = x.shape
    n_perm = perms.shape[0]
    inv = np.argsort(perms, axis=1)  # x[perms[p]] · e_b = x · e_b[inv[p]]
    t = np.arange(n_times)
    # one DFT column block per bin part (cos, and sin unless the bin is real-valued)
    parts, cols = [], []
    for b in bins:
        ang = -2.0 * np.pi * b * t / n_times
        fns = (np.cos,) if 2 * b == n_times else (np.cos, np.sin)
        cols.append(list(range(len(parts), len(parts) + len(fns))))
        parts.extend(fn(ang) for fn in fns)
    E = np.stack(parts, axis=1).astype(np.float32)  # (n_times, n_parts)
    W = np.concatenate([e[inv].T for e in E.T], axis=1)  # (n_times, n_parts * n_perm)
    # linear interpolation between the order statistics k0 and k0 + 1 of the null
    h = (n_perm - 1) * percentile / 100.0
    k0 = int(np.floor(h))
    frac = h - k0
    amp = np.empty((n_channels, len(bins)))
    thr = np.empty_like(amp)
    p = np.empty_like(amp)
    for s in range(0, n_channels, chunk):
        xs = np.asarray(x[s : s + chunk], dtype=np.float32)
        o = xs @ E
        o *= o
        Y = xs @ W
        np.square(Y, out=Y)
        for j, cj in enumerate(cols):
            obs2 = o[:, cj].sum(axis=1)
            null2 = Y[:, cj[0] * n_perm : (cj[0] + 1) * n_perm]  # |.|² summed in place
            for c in cj[1:]:
                np.add(null2, Y[:, c * n_perm : (c + 1) * n_perm], out=null2)
            ge = np.count_nonzero(null2 >= (obs2 * (1 - 2e-6))[:, None], axis=1)
            lo, hi = (np.sqrt(v) for v in _order_stats(null2, k0))
            amp[s : s + chunk, j] = np.sqrt(obs2)
            thr[s : s + chunk, j] = lo + frac * (hi - lo)
            p[s : s + chunk, j] = (1.0 + ge) / (1.0 + n_perm)
    return amp, thr, p


def _order_stats(a: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Values of ascending rank ``k`` and ``k + 1`` (capped) in each row of ``a`` (≥ 0, float32).

    ``a`` may be a strided view whose rows are contiguous; it is reordered in place. Non-negative
    float32 values order like their int32 bit patterns, which select faster. A row longer than
    :data:`_BLOCK` is cut into equal blocks: the row's top ``n - k`` values lie among the top
    ``n - k`` of its blocks, and short blocks select much faster (a sorting network) than one long
    row, so the second selection runs on the few candidates only.
    """
    r, n = a.shape
    v = a.view(np.int32)
    top = n - k
    nb = -(-n // _BLOCK)
    if nb > 1 and n % nb == 0 and top <= n // nb:
        blocks = v.reshape(r, nb, n // nb)
        blocks.partition(n // nb - top, axis=2)
        v = blocks[:, :, n // nb - top :].reshape(r, nb * top)
        k = v.shape[1] - top
    v.partition(k, axis=1)
    lo = v[:, k].view(np.float32)
    hi = v[:, k + 1 :].min(axis=1).view(np.float32) if top > 1 else lo
    return lo, hi


def group_amplitude(X: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean over ``n_groups`` consecutive trial groups of |mean of the group's X_k|.

    Parameters
    ----------
    X : ndarray, shape (n_trials, n_channels), complex
        Per-trial coefficients at one bin.
    n_groups : int
        Groups of consecutive trials (``numpy.array_split`` sizes).

    Returns
    -------
    amplitude : ndarray, shape (n_channels,)
    """
    groups = np.array_split(np.arange(X.shape[0]), n_groups)
    G = np.zeros((n_groups, X.shape[0]))
    for g, idx in enumerate(groups):
        G[g, idx] = 1.0 / len(idx)
    return np.abs(G @ X).mean(axis=0)


@dataclass(frozen=True)
class PaperParams:
    """The parameters of paper mode (``mode_params`` of :func:`hftp.find_tagged`), checked.

    Parameters
    ----------
    n_permutations : int
        Permutations of the time samples in stage 1. Default 1000.
    n_groups : int
        Trial groups in stage 2. Default 10.
    z_threshold : float
        Stage-2 z threshold. Default 2.
    percentile : float
        Stage-1 null percentile, in [0, 100]. Default 95.
    n_neighbors, skip : int
        Neighbor bins per side and adjacent bins skipped, for the SNR. Defaults 3 and 1.
    """

    #: paper mode measures the evoked amplitude (its SNR too); recorded in the result's attrs
    measure: ClassVar[str] = "evoked"
    #: what the result's attrs record as the specificity test (stage 2 has none by name)
    specificity: ClassVar[str] = "evoked"

    n_permutations: int = 1000
    n_groups: int = 10
    z_threshold: float = 2.0
    percentile: float = 95.0
    n_neighbors: int = 3
    skip: int = 1

    def __post_init__(self) -> None:
        put = object.__setattr__  # a frozen record: the checked values replace the given ones
        put(self, "n_permutations", check_int("n_permutations", self.n_permutations, min_value=1))
        put(self, "n_neighbors", check_int("n_neighbors", self.n_neighbors, min_value=1))
        put(self, "skip", check_int("skip", self.skip, min_value=0))
        put(self, "n_groups", check_int("n_groups", self.n_groups, min_value=2))
        put(self, "z_threshold", check_float("z_threshold", self.z_threshold))
        put(
            self,
            "percentile",
            check_float("percentile", self.percentile, min_value=0, max_value=100),
        )


def check_paper(spectra, control: str | None, params: PaperParams) -> None:
    """Refuse a paper-mode call without a control condition, before any work.

    Parameters
    ----------
    spectra : xarray.Dataset
        The Spectra (unused: every Spectra with a control is accepted here).
    control : str or None
        The control condition; stage 2 needs one.
    params : PaperParams
        The checked parameters.
    """
    if control is None:
        raise InvalidValueError(
            "Invalid value for 'control': paper mode needs a control condition for its stage 2 "
            "(experiment minus control); got None. Pass control='within-shuffle' (or another "
            "condition), or use mode='calibrated'."
        )


def paper_mode(data: TagData, params: PaperParams, *, q: float, seed: int) -> dict[str, np.ndarray]:
    """Run both stages at every level of one family.

    Parameters
    ----------
    data : TagData
        The tested family, with a control, ``trial_x`` at its frequencies and ``n_times`` in the
        Spectra's attrs (time-domain input).
    params : PaperParams
        The mode's parameters.
    q : float
        Unused: paper mode has no FDR (its ``q`` is NaN).
    seed : int
        Seed of the stage-1 permutations.

    Returns
    -------
    dict of str to ndarray, each shape (n_channels, n_levels)
        ``statistic`` (the stage-2 z), ``p`` (stage 1's permutation p), ``q`` (NaN),
        ``significant`` and ``above_neighbors`` (the verdict: stage 1 passed and z >
        ``z_threshold``), ``stage1_amplitude``, ``stage1_threshold``, ``stage1_pass`` and
        ``difference`` (stage 2's experiment − control).
    """
    n_times = int(data.spectra.attrs.get("n_times", -1))
    if n_times <= 0:
        raise InvalidValueError(
            "Invalid value for 'mode': paper mode permutes the time samples of the mean response, but "
            "these spectra arrived in the frequency domain (attrs n_times = -1). Use mode='calibrated'."
        )
    for c in (data.condition, data.control):
        data.require_trials(
            c, params.n_groups, f"paper mode's stage 2 ({params.n_groups} trial groups)"
        )
    rng = np.random.default_rng(seed)
    perms = np.argsort(rng.random((params.n_permutations, n_times)), axis=1)
    x = mean_series(data.evoked(data.condition), n_times)
    amp, thr, p = permutation_threshold(
        x, [int(b) + 1 for b in data.bins], perms, percentile=params.percentile
    )
    pass1 = amp > thr
    L = len(data.levels)
    diff = np.empty((data.n_channels, L))
    for j in range(L):
        diff[:, j] = group_amplitude(
            data.trials(data.condition, j), params.n_groups
        ) - group_amplitude(data.trials(data.control, j), params.n_groups)
    d = np.where(pass1, diff, 0.0)
    sd = d.std(axis=0)
    z = np.where(sd > 0, (d - d.mean(axis=0)) / np.where(sd > 0, sd, 1.0), 0.0)
    significant = pass1 & (z > params.z_threshold)
    return {
        "statistic": z,
        "p": p,
        "q": np.full_like(p, np.nan),
        "significant": significant,
        "above_neighbors": significant.copy(),
        "stage1_amplitude": amp,
        "stage1_threshold": thr,
        "stage1_pass": pass1,
        "difference": diff,
    }
