"""calibrated mode of :func:`hftp.find_tagged`: tests that are valid under their nulls, plus FDR.

Tagging tests (``TAG_TESTS``, chosen by ``measure``), one p-value per channel and tagged frequency:

``"evoked"`` (default for model spectra)
    The spectral F-test on the evoked spectrum X̄(f) = Σ_k X_k(f) / n. The power at the tagged bin
    is compared with the power of its neighbour bins (``n_neighbors`` per side, skipping ``skip``
    adjacent bins; bins outside the axis dropped). Each bin's power is scaled by its degrees of
    freedom: a complex bin has 2, the real-valued Nyquist bin 1 (its |X|² has twice the variance
    of a complex bin per dof). With complex neighbours only, F = |X̄(f)|² / mean_j |X̄(f_j)|², which
    is F(2, 2m) under white noise for a complex target and F(1, 2m) at the Nyquist bin (m = number
    of neighbours, one-sided there). Deterministic position effects that repeat in every trial
    (attention sink, drift) and coloured noise have smooth spectra, so the ratio stays calibrated
    (or becomes conservative where the spectrum is convex or falls towards the target).
``"itc"`` (default for brain spectra)
    The Rayleigh test of the per-trial phases at f, R = ITC, n trials, with Zar's (1999)
    approximation p = exp(√(1 + 4n + 4(n² − (nR)²)) − (1 + 2n)). Never valid alone on model
    responses: deterministic position effects make the phase consistent at every frequency.

Specificity tests (``SPECIFICITY``), exp > control, on the per-trial values ``trial_x``:

``"welch"``
    One-sided Welch t-test on the per-trial amplitudes |X_k(f)|.
``"permutation"``
    Condition labels permuted across the pooled trials (one 0/1 matrix for all channels, applied by
    matrix products); statistic |X̄_exp(f)| − |X̄_ctrl(f)|, or ITC_exp − ITC_ctrl for ``measure="itc"``.
    p = (1 + #{null ≥ observed}) / (1 + n_permutations). The p-values are floored at
    1 / (1 + n_permutations): for BH over m tests with k true effects, n_permutations must exceed
    about m / (q·k), so prefer ``"welch"`` over many channels with few effects.

Benjamini–Hochberg runs over all channels × levels for each family (tagging, specificity).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hftp._validation import InvalidValueError
from hftp.spectral.accumulate import unit_phase
from hftp.spectral.bins import neighbour_bins, warn_nyquist

if TYPE_CHECKING:  # pragma: no cover
    from hftp.tagging.base import TagInputs

__all__ = [
    "f_test",
    "rayleigh_test",
    "welch_test",
    "permutation_test",
    "rayleigh_p",
    "TAG_TESTS",
    "SPECIFICITY",
    "calibrated_mode",
]


def _neighbour_power(inp: TagInputs, cond: str, level: int):
    """|X̄|² at the target bin and its neighbours, with their dof scale and dof."""
    i = int(inp.bins[level])
    nb = neighbour_bins(inp.n_freq, i, inp.n_neighbors, inp.skip)
    if nb.size == 0:
        raise InvalidValueError(
            f"Invalid value for 'n_neighbors': the {inp.levels[level]} bin has no neighbour bins on a "
            f"{inp.n_freq}-bin axis. Use a longer sequence or fewer/closer neighbours."
        )
    idx = np.concatenate([[i], nb])
    P = np.abs(inp.evoked(cond, idx)) ** 2
    real = inp.real_bin(idx)
    dof = np.where(real, 1.0, 2.0)
    scale = np.where(real, 2.0, 1.0)  # per-dof variance of a real bin is twice a complex bin's
    return P / scale, dof


def f_test(inp: TagInputs, level: int):
    """Spectral F-test on the evoked spectrum at one level.

    Returns
    -------
    F, p : ndarray, shape (n_channels,)
    """
    from scipy import stats

    Ps, dof = _neighbour_power(inp, inp.condition, level)
    d1, d2 = dof[0], dof[1:].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        F = (Ps[:, 0] / d1) / (Ps[:, 1:].sum(axis=1) / d2)
    return F, stats.f.sf(F, d1, d2)


def rayleigh_p(R: np.ndarray, n: int) -> np.ndarray:
    """Rayleigh test p-value for mean resultant length ``R`` (= ITC) of ``n`` phases (Zar 1999)."""
    Rn = n * np.asarray(R, dtype=float)
    p = np.exp(np.sqrt(1.0 + 4.0 * n + 4.0 * (n * n - Rn * Rn)) - (1.0 + 2.0 * n))
    return np.clip(p, 0.0, 1.0)


def rayleigh_test(inp: TagInputs, level: int):
    """Rayleigh test of inter-trial phase coherence at one level.

    Returns
    -------
    Z, p : ndarray, shape (n_channels,)
        Z = n · ITC².
    """
    n = inp.require_trials(inp.condition, 2, "the Rayleigh test")
    if inp.real[level]:
        warn_nyquist(float(inp.freqs[level]), inp.rate, inp.levels[level])
    R = np.abs(inp.spectrum("sum_phase", inp.condition, [int(inp.bins[level])])[:, 0]) / n
    return n * R * R, rayleigh_p(R, n)


def welch_test(inp: TagInputs, level: int):
    """One-sided Welch t-test, per-trial amplitude |X_k(f)| exp > control.

    Returns
    -------
    t, p : ndarray, shape (n_channels,)
    """
    from scipy import stats

    for c in (inp.condition, inp.control):
        inp.require_trials(c, 2, "the Welch t-test (it needs a variance)")
    a = np.abs(inp.trials(inp.condition, level))
    b = np.abs(inp.trials(inp.control, level))
    with np.errstate(invalid="ignore", divide="ignore"):
        res = stats.ttest_ind(a, b, axis=0, equal_var=False, alternative="greater")
    return np.asarray(res.statistic, float), np.asarray(res.pvalue, float)


def label_permutations(n1: int, n2: int, n_permutations: int, rng) -> np.ndarray:
    """0/1 matrix (n_permutations, n1 + n2): 1 marks the trials relabelled as the experiment."""
    keys = rng.random((n_permutations, n1 + n2))
    return (keys.argsort(axis=1) < n1).astype(np.float32)


def permutation_test(inp: TagInputs, level: int, chunk: int = 4096):
    """Permutation of condition labels across trials, statistic |X̄_exp| − |X̄_ctrl| (or ITC).

    Returns
    -------
    d, p : ndarray, shape (n_channels,)
    """
    n1 = inp.require_trials(inp.condition, 2, "the permutation test")
    n2 = inp.require_trials(inp.control, 2, "the permutation test")
    Z = np.concatenate([inp.trials(inp.condition, level), inp.trials(inp.control, level)])
    if inp.measure == "itc":
        if inp.real[level]:
            warn_nyquist(float(inp.freqs[level]), inp.rate, inp.levels[level])
        Z = unit_phase(Z)
    Z = Z.astype(np.complex64)
    rng = np.random.default_rng([inp.seed, level])
    P = label_permutations(n1, n2, inp.n_permutations, rng)
    obs_mask = np.r_[np.ones(n1, np.float32), np.zeros(n2, np.float32)]
    d = np.empty(Z.shape[1])
    count = np.zeros(Z.shape[1])
    for s in range(0, Z.shape[1], chunk):
        z = Z[:, s : s + chunk]
        re, im = np.ascontiguousarray(z.real), np.ascontiguousarray(z.imag)
        tot = z.sum(axis=0)

        def stat(M, re=re, im=im, tot=tot):
            e = (M @ re) + 1j * (M @ im)
            return np.abs(e / n1) - np.abs((tot - e) / n2)

        obs = stat(obs_mask[None])[0]
        null = stat(P)
        tol = 1e-5 * (np.abs(obs) + 1e-30)
        d[s : s + chunk] = obs
        count[s : s + chunk] = (null >= (obs - tol)).sum(axis=0)
    p = (1.0 + count) / (1.0 + inp.n_permutations)
    return d, np.where(np.isfinite(d), p, np.nan)


TAG_TESTS = {"evoked": f_test, "itc": rayleigh_test}
SPECIFICITY = {"welch": welch_test, "permutation": permutation_test}


def calibrated_mode(inp: TagInputs) -> dict[str, np.ndarray]:
    """Run the calibrated tests at every level; arrays of shape (n_channels, n_levels)."""
    from hftp.tagging.base import bh_fdr

    L = len(inp.levels)
    stat = np.empty((inp.n_channels, L))
    p = np.empty((inp.n_channels, L))
    for j in range(L):
        stat[:, j], p[:, j] = TAG_TESTS[inp.measure](inp, j)
    qv = bh_fdr(p)
    tagged = qv <= inp.q
    out = {"statistic": stat, "p": p, "q": qv, "tagged": tagged}
    if inp.control is None:
        out["significant"] = tagged
        return out
    sstat = np.empty_like(stat)
    sp = np.empty_like(p)
    for j in range(L):
        sstat[:, j], sp[:, j] = SPECIFICITY[inp.specificity](inp, j)
    sq = bh_fdr(sp)
    specific = sq <= inp.q
    out.update(
        spec_statistic=sstat,
        spec_p=sp,
        spec_q=sq,
        specific=specific,
        significant=tagged & specific,
    )
    return out
