"""calibrated mode of :func:`hftp.find_tagged`: tests valid under their nulls, one FDR for the result.

Tagging tests (``TAG_TESTS``, chosen by ``measure``), one p-value per channel and tagged frequency:

``"evoked"`` (default, for model and brain spectra)
    The spectral F-test on the evoked spectrum X̄(f) = Σ_k X_k(f) / n. The power at the tagged bin
    is compared with the power of its neighbour bins (``n_neighbors`` per side, skipping ``skip``
    adjacent bins; bins outside the axis dropped, and every other tagged frequency and its
    harmonics left out: with short trials the 2 Hz bin is a neighbour of 1 Hz). Each bin's power is
    scaled by its degrees of freedom: a complex bin has 2, the real-valued Nyquist bin 1. With
    complex neighbours only, F = |X̄(f)|² / mean_j |X̄(f_j)|², F(2, 2m) under noise with a smooth
    spectrum for a complex target and F(1, 2m) at the Nyquist bin (m = number of neighbours).
    Deterministic position effects that repeat in every trial (attention sink, drift, slow
    potentials) and coloured noise have smooth spectra, so the ratio stays calibrated. With a
    lexical baseline (``lexical_var`` in the spectra, see :mod:`hftp.tagging.lexical`), the
    variance of the baseline's estimation error at f, Σ_w σ_w²/n_w |c_w(f)|², is added to the
    denominator: that error repeats in every trial at the same positions, so it is periodic and
    the neighbours do not see it.
``"itc-neighbour"``
    The same neighbour-relative F-test on the phase-only evoked spectrum Σ_k X_k/|X_k|: n·ITC² at
    the tagged bin over its mean at the neighbours, F(2, 2m). Neighbour-controlled, so a
    trial-locked slow potential (phase-locked at every low frequency) does not make it fire.
``"itc"``
    The plain Rayleigh test of the per-trial phases at f (Zar 1999). Available by name only:
    deterministic position effects (models) and slow potentials (brains) make the phase consistent
    at every frequency, and this test has no neighbour control.

Brain default, decided by simulation (``benchmarks/tagging_brain_default.py``: 250 Hz, 4-s trials,
30 trials, 400 null and 100 planted channels, 3 seeds; every channel has a trial-locked 1-SD slow
potential, 1/f noise and a per-trial drift; planted channels add a phase-locked 1 Hz response of
1 SD). Fraction of channels significant after BH at q = 0.05, at 1 Hz:

=================  ===================  ==============  =============================
test               null (slow pot.)     planted found   null, 5-SD slow potential
=================  ===================  ==============  =============================
``"itc"``          0.73–0.74            1.00            1.00
``"itc-neighbour"``  0.00               0.00            0.00
``"evoked"``       0.00                 1.00            0.00
=================  ===================  ==============  =============================

The slow potential makes plain Rayleigh useless; comparing ITC with its neighbours removes the
false positives but also the power (the potential saturates the phase consistency of every
low-frequency bin, so the tagged bin cannot stand out). The evoked F-test is calibrated and keeps
its power, so it is the default for brain spectra as for models (``measure="evoked"``).

Specificity tests (``SPECIFICITY``), experiment > control, on the quantity the tagging test measures:

``"evoked"`` (default for ``measure="evoked"``)
    Analytic test of the evoked power: D = (|X̄_e|² − v_e) − (|X̄_c|² − v_c), with v = s²/n the
    variance of the mean coefficient (s² the per-trial complex variance from the sums, plus the
    lexical-baseline variance when present). D is unbiased for |μ_e|² − |μ_c|²; its variance
    Σ 2|μ|²v + v² is estimated by plug-in and z = D / sd gives a one-sided normal p. Unlike a test on
    single-trial amplitudes, noisier trials with the same evoked response do not make it fire.
    Needs no per-trial values and accepts per-channel trial counts.
``"permutation"`` (default for the ITC measures)
    Condition labels permuted across the pooled trials; statistic |X̄_exp(f)| − |X̄_ctrl(f)|, or
    ITC_exp − ITC_ctrl for ITC measures. p = (1 + #{null ≥ observed}) / (1 + n_permutations).
``"induced"`` (alias ``"welch"``)
    One-sided Welch t-test on the single-trial amplitudes |X_k(f)|. It measures induced power, not
    the evoked response: identical evoked responses in a noisier condition come out "specific".
    Never the default.

The conjunction. ``significant`` means tagged AND specific, and it is controlled as one family by
the intersection–union test: p_sig = max(p_tag, p_spec) is a valid p-value for "tagged and
specific" (reject only if both reject), and Benjamini–Hochberg runs once over p_sig for all
channels × levels, at ``q``. ``tagged`` (BH over p_tag) and ``specific`` (BH over p_spec) are
reported for description; their AND is *not* FDR-controlled (a mixture of tagged-but-unspecific
and louder-but-untagged channels makes it call only false positives).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hftp._validation import InvalidValueError
from hftp.spectral.accumulate import unit_phase
from hftp.spectral.bins import warn_nyquist
from hftp.tagging.base import bh_fdr

if TYPE_CHECKING:  # pragma: no cover
    from hftp.tagging.base import TagInputs

__all__ = [
    "f_test",
    "itc_neighbour_test",
    "rayleigh_test",
    "evoked_specificity",
    "welch_test",
    "permutation_test",
    "rayleigh_p",
    "TAG_TESTS",
    "SPECIFICITY",
    "DEFAULT_SPECIFICITY",
    "calibrated_mode",
]


def _target_and_neighbours(inp: TagInputs, level: int) -> np.ndarray:
    i = int(inp.bins[level])
    nb = inp.neighbours(level)
    if nb.size == 0:
        raise InvalidValueError(
            f"Invalid value for 'n_neighbors': the {inp.levels[level]} bin has no neighbour bins on a "
            f"{inp.n_freq}-bin axis (after leaving out the other tagged frequencies and their "
            "harmonics). Use a longer sequence or more neighbours."
        )
    return np.concatenate([[i], nb])


def _neighbour_f(P: np.ndarray, real: np.ndarray, extra=None):
    """F ratio of column 0 of ``P`` (power per bin, (n_channels, 1 + m)) over the others."""
    from scipy.special import fdtrc  # F survival function (no array-API dispatch)

    dof = np.where(real, 1.0, 2.0)
    scale = np.where(real, 2.0, 1.0)  # per-dof variance of a real bin is twice a complex bin's
    Ps = P / scale
    d1, d2 = dof[0], dof[1:].sum()
    den = Ps[:, 1:].sum(axis=1) / d2
    if extra is not None:
        den = den + extra / scale[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        F = (Ps[:, 0] / d1) / den
    return F, fdtrc(d1, d2, F)


def f_test(inp: TagInputs, level: int):
    """Spectral F-test on the evoked spectrum at one level.

    Returns
    -------
    F, p : ndarray, shape (n_channels,)
    """
    idx = _target_and_neighbours(inp, level)
    P = np.abs(inp.evoked(inp.condition, idx)) ** 2
    # the lexical error at the target, beyond what the neighbours carry (they see it too, less)
    lv = inp.lexical_var(inp.condition, idx)
    extra = (
        np.maximum(lv[:, 0] - lv[:, 1:].mean(axis=1), 0.0) if "lexical_var" in inp.spectra else None
    )
    return _neighbour_f(P, inp.real_bin(idx), extra)


def itc_neighbour_test(inp: TagInputs, level: int):
    """Phase consistency at the tagged bin against its neighbour bins (n·ITC² ratio, F(2, 2m)).

    Returns
    -------
    F, p : ndarray, shape (n_channels,)
    """
    inp.require_trials(inp.condition, 2, "the ITC test")
    if inp.real[level]:
        warn_nyquist(float(inp.freqs[level]), inp.rate, inp.levels[level])
    idx = _target_and_neighbours(inp, level)
    n = np.maximum(inp.n_trials(inp.condition), 1)[:, None]
    P = np.abs(inp.spectrum("sum_phase", inp.condition, idx)) ** 2 / n
    return _neighbour_f(P, inp.real_bin(idx))


def rayleigh_p(R: np.ndarray, n) -> np.ndarray:
    """Rayleigh test p-value for mean resultant length ``R`` (= ITC) of ``n`` phases (Zar 1999)."""
    n = np.asarray(n, dtype=float)
    Rn = n * np.asarray(R, dtype=float)
    p = np.exp(np.sqrt(1.0 + 4.0 * n + 4.0 * (n * n - Rn * Rn)) - (1.0 + 2.0 * n))
    return np.clip(p, 0.0, 1.0)


def rayleigh_test(inp: TagInputs, level: int):
    """Plain Rayleigh test of inter-trial phase coherence at one level (no neighbour control).

    Returns
    -------
    Z, p : ndarray, shape (n_channels,)
        Z = n · ITC².
    """
    n = inp.require_trials(inp.condition, 2, "the Rayleigh test").astype(float)
    if inp.real[level]:
        warn_nyquist(float(inp.freqs[level]), inp.rate, inp.levels[level])
    R = np.abs(inp.spectrum("sum_phase", inp.condition, [int(inp.bins[level])])[:, 0]) / n
    return n * R * R, rayleigh_p(R, n)


def _evoked_moments(inp: TagInputs, cond: str, i: int):
    """|X̄|² and v = Var(X̄) (per-trial complex variance / n, plus the lexical variance)."""
    n = inp.require_trials(cond, 2, "the evoked specificity test (it needs a variance)").astype(
        float
    )
    sx = inp.spectrum("sum_x", cond, [i])[:, 0]
    s2 = inp.spectrum("sum_abs2", cond, [i])[:, 0]
    m = sx / n
    P = np.abs(m) ** 2
    var = np.maximum(s2 - n * P, 0.0) / (n - 1)
    v = var / n + inp.lexical_var(cond, [i])[:, 0]
    return P, v


def evoked_specificity(inp: TagInputs, level: int):
    """Analytic one-sided test that the evoked power is larger in the experiment than the control.

    Returns
    -------
    z, p : ndarray, shape (n_channels,)
    """
    from scipy.special import ndtr

    i = int(inp.bins[level])
    Pe, ve = _evoked_moments(inp, inp.condition, i)
    Pc, vc = _evoked_moments(inp, inp.control, i)
    if inp.real[level]:  # a real bin: |X̄|² of a real normal has variance 4|μ|²v + 2v²
        k1, k2 = 4.0, 2.0
    else:
        k1, k2 = 2.0, 1.0
    me, mc = np.maximum(Pe - ve, 0.0), np.maximum(Pc - vc, 0.0)
    D = (Pe - ve) - (Pc - vc)
    sd = np.sqrt(k1 * me * ve + k2 * ve**2 + k1 * mc * vc + k2 * vc**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = D / sd
    return z, np.where(np.isfinite(z), ndtr(-z), np.nan)


def welch_test(inp: TagInputs, level: int):
    """One-sided Welch t-test, per-trial amplitude |X_k(f)| exp > control (induced power).

    Returns
    -------
    t, p : ndarray, shape (n_channels,)
    """
    from scipy import stats

    for c in (inp.condition, inp.control):
        inp.require_trials(c, 2, "the Welch t-test (it needs a variance)")
    a = np.abs(inp.trials(inp.condition, level))
    b = np.abs(inp.trials(inp.control, level))
    policy = "omit" if np.isnan(a).any() or np.isnan(b).any() else "propagate"
    with np.errstate(invalid="ignore", divide="ignore"):
        res = stats.ttest_ind(
            a, b, axis=0, equal_var=False, alternative="greater", nan_policy=policy
        )
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
    inp.require_trials(inp.condition, 2, "the permutation test")
    inp.require_trials(inp.control, 2, "the permutation test")
    a, b = inp.trials(inp.condition, level), inp.trials(inp.control, level)
    if np.isnan(a).any() or np.isnan(b).any():
        raise InvalidValueError(
            "Invalid value for 'specificity': the permutation test needs the same trials in every "
            "channel, but the trial counts differ between channels (pooled subjects). Use "
            "specificity='evoked' (analytic, accepts per-channel counts)."
        )
    n1, n2 = a.shape[0], b.shape[0]
    Z = np.concatenate([a, b])
    if inp.measure != "evoked":
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


TAG_TESTS = {"evoked": f_test, "itc-neighbour": itc_neighbour_test, "itc": rayleigh_test}
SPECIFICITY = {
    "evoked": evoked_specificity,
    "permutation": permutation_test,
    "induced": welch_test,
    "welch": welch_test,
}
#: The matched specificity test of each tagging measure.
DEFAULT_SPECIFICITY = {"evoked": "evoked", "itc-neighbour": "permutation", "itc": "permutation"}


def conjunction(p_tag: np.ndarray, p_spec: np.ndarray, q: float) -> dict[str, np.ndarray]:
    """Intersection–union test of "tagged and specific": BH once over max(p_tag, p_spec).

    Returns
    -------
    dict with ``sig_p``, ``sig_q`` and ``significant`` (arrays like ``p_tag``).
    """
    with np.errstate(invalid="ignore"):
        p = np.fmax(p_tag, p_spec)
    p = np.where(np.isnan(p_tag) | np.isnan(p_spec), np.nan, p)
    qv = bh_fdr(p)
    return {"sig_p": p, "sig_q": qv, "significant": qv <= q}


def calibrated_mode(inp: TagInputs) -> dict[str, np.ndarray]:
    """Run the calibrated tests at every level; arrays of shape (n_channels, n_levels)."""
    L = len(inp.levels)
    stat = np.empty((inp.n_channels, L))
    p = np.empty((inp.n_channels, L))
    for j in range(L):
        stat[:, j], p[:, j] = TAG_TESTS[inp.measure](inp, j)
    qv = bh_fdr(p)
    tagged = qv <= inp.q
    out = {"statistic": stat, "p": p, "q": qv, "tagged": tagged}
    if inp.control is None:
        out.update(sig_p=p, sig_q=qv, significant=tagged)
        return out
    sstat = np.empty_like(stat)
    spv = np.empty_like(p)
    for j in range(L):
        sstat[:, j], spv[:, j] = SPECIFICITY[inp.specificity](inp, j)
    sq = bh_fdr(spv)
    out.update(spec_statistic=sstat, spec_p=spv, spec_q=sq, specific=sq <= inp.q)
    out.update(conjunction(p, spv, inp.q))
    return out
