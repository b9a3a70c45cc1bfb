"""calibrated mode of :func:`hftp.find_tagged`: tests valid under their nulls, one FDR for the result.

This module holds the mode's parameters (:class:`CalibratedParams`, the ``mode_params`` of
``find_tagged``), its tagging tests (``TAG_TESTS``), its specificity tests (``SPECIFICITY``), the
intersection–union conjunction and :func:`calibrated_mode`, which runs them on a
:class:`~hftp.tagging.inputs.TagData`. It is one idea, one mode: the tests it chooses between
share their neighbor F ratio and their evoked moments, and the choice between them (and why each
default was chosen) is documented here once; it stays whole above 500 lines.

Tagging tests (``TAG_TESTS``, chosen by ``measure``), one p-value per channel and tagged frequency:

``"evoked"`` (default, for model and brain spectra)
    The spectral F-test on the evoked spectrum X̄(f) = Σ_k X_k(f) / n. The power at the tagged bin
    is compared with the power of its neighbor bins (``n_neighbors`` per side, skipping ``skip``
    adjacent bins; bins outside the axis dropped, and every other tagged frequency and its
    harmonics left out: with short trials the 2 Hz bin is a neighbor of 1 Hz). Each bin's power is
    scaled by its degrees of freedom: a complex bin has 2, the real-valued Nyquist bin 1. With
    complex neighbors only, F = |X̄(f)|² / mean_j |X̄(f_j)|², F(2, 2m) under noise with a smooth
    spectrum for a complex target and F(1, 2m) at the Nyquist bin (m = number of neighbors).
    Deterministic position effects that repeat in every trial (attention sink, drift, slow
    potentials) and coloured noise have smooth spectra, so the ratio stays calibrated. With a
    lexical baseline (``lexical_var`` in the spectra, see :mod:`hftp.tagging.lexical`), the
    variance of the baseline's estimation error at f, Σ_w σ_w²/n_w |c_w(f)|², is added to the
    denominator: that error repeats in every trial at the same positions, so it is periodic and
    the neighbors do not see it.
``"itc-neighbor"`` (``"itc-neighbour"`` is accepted, with a FutureWarning)
    The same neighbor-relative F-test on the phase-only evoked spectrum Σ_k X_k/|X_k|: n·ITC² at
    the tagged bin over its mean at the neighbors, F(2, 2m). Neighbor-controlled, so a
    trial-locked slow potential (phase-locked at every low frequency) does not make it fire.
``"itc"``
    The plain Rayleigh test of the per-trial phases at f (Zar 1999). Available by name only:
    deterministic position effects (models) and slow potentials (brains) make the phase consistent
    at every frequency, and this test has no neighbor control.

Brain default, decided by simulation (``benchmarks/tagging_brain_default.py``: 250 Hz, 4-s trials,
30 trials, 400 null and 100 planted channels, 3 seeds; every channel has a trial-locked 1-SD slow
potential, 1/f noise and a per-trial drift; planted channels add a phase-locked 1 Hz response of
1 SD). Fraction of channels significant after BH at q = 0.05, at 1 Hz:

==================  ===================  ==============  =============================
test                null (slow pot.)     planted found   null, 5-SD slow potential
==================  ===================  ==============  =============================
``"itc"``           0.73–0.74            1.00            1.00
``"itc-neighbor"``  0.00                 0.00            0.00
``"evoked"``        0.00                 1.00            0.00
==================  ===================  ==============  =============================

The slow potential makes plain Rayleigh useless; comparing ITC with its neighbors removes the
false positives but also the power (the potential saturates the phase consistency of every
low-frequency bin, so the tagged bin cannot stand out). The evoked F-test is calibrated and keeps
its power, so it is the default for brain spectra as for models (``measure="evoked"``).

A sustained or ramping slow potential (a DC shift plus a ramp, unlike the bump above) has a 1/f
evoked amplitude that swamps the neighbors of 1 Hz in 4-s windows: the F-test then finds 0% of
planted 1-SD responses at 3 SD of potential. ``hftp.brain_spectra`` therefore removes each trial's
linear trend before the FFT by default (``detrend="linear"``): 100% found, null 0.8% after BH. A
log-linear fit of the neighbor spectrum was worse (0–80% power on the raw FFT; anti-conservative
with the bump). See :mod:`hftp.brain.spectra` and ``benchmarks/brain_slow_potentials.py``.

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
channels × levels, at ``q``. ``above_neighbors`` (BH over p_tag) and ``specific`` (BH over p_spec)
are reported for description; their AND is *not* FDR-controlled (a mixture of tagged-but-unspecific
and louder-but-untagged channels makes it call only false positives).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from hftp._deprecate import deprecated_alias, warn_renamed
from hftp._validation import InvalidValueError, check_int, check_option
from hftp.spectral.accumulate import unit_phase
from hftp.spectral.bins import warn_nyquist
from hftp.tagging.fdr import bh_fdr
from hftp.tagging.inputs import TagData

__all__ = [
    "CalibratedParams",
    "f_test",
    "itc_neighbor_test",
    "rayleigh_test",
    "evoked_specificity",
    "welch_test",
    "permutation_test",
    "label_permutations",
    "rayleigh_p",
    "conjunction",
    "TAG_TESTS",
    "SPECIFICITY",
    "DEFAULT_SPECIFICITY",
    "calibrated_mode",
]

#: Spellings of ``measure`` renamed in hftp 0.3: old → new (the old one warns once).
RENAMED_MEASURES = {"itc-neighbour": "itc-neighbor"}


def _target_and_neighbors(data: TagData, params: CalibratedParams, level: int) -> np.ndarray:
    i = int(data.bins[level])
    nb = data.neighbors(level, params.n_neighbors, params.skip)
    if nb.size == 0:
        raise InvalidValueError(
            f"Invalid value for 'n_neighbors': the {data.levels[level]} bin has no neighbor bins on a "
            f"{data.n_freq}-bin axis (after leaving out the other tagged frequencies and their "
            "harmonics). Use a longer sequence or more neighbors."
        )
    return np.concatenate([[i], nb])


def _neighbor_f(P: np.ndarray, real: np.ndarray, extra=None):
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


def f_test(data: TagData, params: CalibratedParams, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Spectral F-test on the evoked spectrum at one level, against the neighbor bins.

    Parameters
    ----------
    data : TagData
        The tested family.
    params : CalibratedParams
        Its ``n_neighbors`` and ``skip`` choose the neighbor bins.
    level : int
        Index into ``data.levels``.

    Returns
    -------
    F, p : ndarray, shape (n_channels,)
    """
    idx = _target_and_neighbors(data, params, level)
    P = np.abs(data.evoked(data.condition, idx)) ** 2
    # the lexical error at the target, beyond what the neighbors carry (they see it too, less)
    lv = data.lexical_var(data.condition, idx)
    extra = (
        np.maximum(lv[:, 0] - lv[:, 1:].mean(axis=1), 0.0)
        if "lexical_var" in data.spectra
        else None
    )
    return _neighbor_f(P, data.real_bin(idx), extra)


def itc_neighbor_test(
    data: TagData, params: CalibratedParams, level: int
) -> tuple[np.ndarray, np.ndarray]:
    """Phase consistency at the tagged bin against its neighbor bins (n·ITC² ratio, F(2, 2m)).

    Parameters
    ----------
    data : TagData
        The tested family (at least 2 trials of the condition).
    params : CalibratedParams
        Its ``n_neighbors`` and ``skip`` choose the neighbor bins.
    level : int
        Index into ``data.levels``.

    Returns
    -------
    F, p : ndarray, shape (n_channels,)
    """
    data.require_trials(data.condition, 2, "the ITC test")
    if data.real[level]:
        warn_nyquist(float(data.freqs[level]), data.sfreq, data.levels[level])
    idx = _target_and_neighbors(data, params, level)
    n = np.maximum(data.n_trials(data.condition), 1)[:, None]
    P = np.abs(data.spectrum("sum_phase", data.condition, idx)) ** 2 / n
    return _neighbor_f(P, data.real_bin(idx))


def rayleigh_p(R: np.ndarray, n) -> np.ndarray:
    """Rayleigh test p-value for mean resultant length ``R`` (= ITC) of ``n`` phases (Zar 1999).

    Parameters
    ----------
    R : ndarray, any shape
        Mean resultant lengths in [0, 1].
    n : int or ndarray, broadcastable to ``R``
        Phases per value.

    Returns
    -------
    p : ndarray, shape of ``R``
        In [0, 1].
    """
    n = np.asarray(n, dtype=float)
    Rn = n * np.asarray(R, dtype=float)
    p = np.exp(np.sqrt(1.0 + 4.0 * n + 4.0 * (n * n - Rn * Rn)) - (1.0 + 2.0 * n))
    return np.clip(p, 0.0, 1.0)


def rayleigh_test(
    data: TagData, params: CalibratedParams, level: int
) -> tuple[np.ndarray, np.ndarray]:
    """Plain Rayleigh test of inter-trial phase coherence at one level (no neighbor control).

    Parameters
    ----------
    data : TagData
        The tested family (at least 2 trials of the condition).
    params : CalibratedParams
        Unused (the same signature as the other ``TAG_TESTS``).
    level : int
        Index into ``data.levels``.

    Returns
    -------
    Z, p : ndarray, shape (n_channels,)
        Z = n · ITC².
    """
    n = data.require_trials(data.condition, 2, "the Rayleigh test").astype(float)
    if data.real[level]:
        warn_nyquist(float(data.freqs[level]), data.sfreq, data.levels[level])
    R = np.abs(data.spectrum("sum_phase", data.condition, [int(data.bins[level])])[:, 0]) / n
    return n * R * R, rayleigh_p(R, n)


def _evoked_moments(data: TagData, cond: str, i: int):
    """|X̄|² and v = Var(X̄) (per-trial complex variance / n, plus the lexical variance)."""
    n = data.require_trials(cond, 2, "the evoked specificity test (it needs a variance)").astype(
        float
    )
    sx = data.spectrum("sum_x", cond, [i])[:, 0]
    s2 = data.spectrum("sum_abs2", cond, [i])[:, 0]
    m = sx / n
    P = np.abs(m) ** 2
    var = np.maximum(s2 - n * P, 0.0) / (n - 1)
    v = var / n + data.lexical_var(cond, [i])[:, 0]
    return P, v


def evoked_specificity(
    data: TagData, params: CalibratedParams, level: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Analytic one-sided test that the evoked power is larger in the experiment than the control.

    Parameters
    ----------
    data : TagData
        The tested family, with a control (at least 2 trials of each condition).
    params : CalibratedParams
        Unused (the same signature as the other ``SPECIFICITY`` tests).
    level : int
        Index into ``data.levels``.
    seed : int
        Unused (the test is analytic).

    Returns
    -------
    z, p : ndarray, shape (n_channels,)
    """
    from scipy.special import ndtr

    i = int(data.bins[level])
    Pe, ve = _evoked_moments(data, data.condition, i)
    Pc, vc = _evoked_moments(data, data.control, i)
    if data.real[level]:  # a real bin: |X̄|² of a real normal has variance 4|μ|²v + 2v²
        k1, k2 = 4.0, 2.0
    else:
        k1, k2 = 2.0, 1.0
    me, mc = np.maximum(Pe - ve, 0.0), np.maximum(Pc - vc, 0.0)
    D = (Pe - ve) - (Pc - vc)
    sd = np.sqrt(k1 * me * ve + k2 * ve**2 + k1 * mc * vc + k2 * vc**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = D / sd
    return z, np.where(np.isfinite(z), ndtr(-z), np.nan)


def welch_test(
    data: TagData, params: CalibratedParams, level: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided Welch t-test, per-trial amplitude |X_k(f)| exp > control (induced power).

    Parameters
    ----------
    data : TagData
        The tested family, with a control and ``trial_x`` at the level's frequency.
    params : CalibratedParams
        Unused (the same signature as the other ``SPECIFICITY`` tests).
    level : int
        Index into ``data.levels``.
    seed : int
        Unused (the test is analytic).

    Returns
    -------
    t, p : ndarray, shape (n_channels,)
    """
    from scipy import stats

    for c in (data.condition, data.control):
        data.require_trials(c, 2, "the Welch t-test (it needs a variance)")
    a = np.abs(data.trials(data.condition, level))
    b = np.abs(data.trials(data.control, level))
    policy = "omit" if np.isnan(a).any() or np.isnan(b).any() else "propagate"
    with np.errstate(invalid="ignore", divide="ignore"):
        res = stats.ttest_ind(
            a, b, axis=0, equal_var=False, alternative="greater", nan_policy=policy
        )
    return np.asarray(res.statistic, float), np.asarray(res.pvalue, float)


def label_permutations(n1: int, n2: int, n_permutations: int, rng) -> np.ndarray:
    """Random relabellings of ``n1 + n2`` pooled trials into groups of ``n1`` and ``n2``.

    Parameters
    ----------
    n1, n2 : int
        Trials of the experiment and of the control.
    n_permutations : int
        Relabellings.
    rng : numpy.random.Generator
        The source of randomness.

    Returns
    -------
    P : ndarray of float32, shape (n_permutations, n1 + n2)
        1 marks the trials relabelled as the experiment (``n1`` per row).
    """
    keys = rng.random((n_permutations, n1 + n2))
    return (keys.argsort(axis=1) < n1).astype(np.float32)


def permutation_test(
    data: TagData, params: CalibratedParams, level: int, seed: int = 0, chunk: int = 4096
) -> tuple[np.ndarray, np.ndarray]:
    """Permutation of condition labels across trials, statistic |X̄_exp| − |X̄_ctrl| (or ITC).

    Parameters
    ----------
    data : TagData
        The tested family, with a control and ``trial_x`` at the level's frequency (the same
        trials in every channel).
    params : CalibratedParams
        ``n_permutations``, and ``measure`` (the ITC difference for the ITC measures).
    level : int
        Index into ``data.levels``.
    seed : int
        Seed of the permutations (with ``level``). Default 0.
    chunk : int
        Channels per matrix product. Default 4096.

    Returns
    -------
    d, p : ndarray, shape (n_channels,)
        The observed difference and p = (1 + #{null ≥ d}) / (1 + n_permutations).
    """
    data.require_trials(data.condition, 2, "the permutation test")
    data.require_trials(data.control, 2, "the permutation test")
    a, b = data.trials(data.condition, level), data.trials(data.control, level)
    if np.isnan(a).any() or np.isnan(b).any():
        raise InvalidValueError(
            "Invalid value for 'specificity': the permutation test needs the same trials in every "
            "channel, but the trial counts differ between channels (pooled subjects). Use "
            "specificity='evoked' (analytic, accepts per-channel counts)."
        )
    n1, n2 = a.shape[0], b.shape[0]
    Z = np.concatenate([a, b])
    if params.measure != "evoked":
        if data.real[level]:
            warn_nyquist(float(data.freqs[level]), data.sfreq, data.levels[level])
        Z = unit_phase(Z)
    Z = Z.astype(np.complex64)
    rng = np.random.default_rng([seed, level])
    P = label_permutations(n1, n2, params.n_permutations, rng)
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
    p = (1.0 + count) / (1.0 + params.n_permutations)
    return d, np.where(np.isfinite(d), p, np.nan)


#: Tagging tests by ``measure``: ``(data, params, level) -> (statistic, p)``.
TAG_TESTS = {"evoked": f_test, "itc-neighbor": itc_neighbor_test, "itc": rayleigh_test}
#: Specificity tests by name: ``(data, params, level, seed) -> (statistic, p)``.
SPECIFICITY = {
    "evoked": evoked_specificity,
    "permutation": permutation_test,
    "induced": welch_test,
    "welch": welch_test,
}
#: The matched specificity test of each tagging measure.
DEFAULT_SPECIFICITY = {"evoked": "evoked", "itc-neighbor": "permutation", "itc": "permutation"}


def _check_measure(measure: str | None) -> str:
    if measure is None:
        return "evoked"
    if isinstance(measure, str) and measure in RENAMED_MEASURES:
        new = RENAMED_MEASURES[measure]
        # the caller of find_tagged (through _check_call, the record's __init__ and __post_init__)
        warn_renamed(f"measure={measure!r}", f"measure={new!r}", stacklevel=7)
        measure = new
    return check_option("measure", measure, TAG_TESTS)


@dataclass(frozen=True)
class CalibratedParams:
    """The parameters of calibrated mode (``mode_params`` of :func:`hftp.find_tagged`), checked.

    Parameters
    ----------
    measure : {"evoked", "itc-neighbor", "itc"}, optional
        The tagging test (a key of ``TAG_TESTS``). Default (None) ``"evoked"``.
    specificity : {"evoked", "permutation", "induced", "welch"}, optional
        The specificity test (a key of ``SPECIFICITY``). Default (None) the one matched to the
        measure (``DEFAULT_SPECIFICITY``).
    n_permutations : int
        Permutations of the permutation specificity test. Default 1000.
    n_neighbors, skip : int
        Neighbor bins per side and adjacent bins skipped (F-tests and SNR). Defaults 3 and 1.

    After construction ``measure`` and ``specificity`` hold the resolved names (never None).
    """

    measure: str | None = None
    specificity: str | None = None
    n_permutations: int = 1000
    n_neighbors: int = 3
    skip: int = 1

    def __post_init__(self) -> None:
        put = object.__setattr__  # a frozen record: the checked values replace the given ones
        put(self, "n_permutations", check_int("n_permutations", self.n_permutations, min_value=1))
        put(self, "n_neighbors", check_int("n_neighbors", self.n_neighbors, min_value=1))
        put(self, "skip", check_int("skip", self.skip, min_value=0))
        measure = _check_measure(self.measure)
        put(self, "measure", measure)
        spec = DEFAULT_SPECIFICITY[measure] if self.specificity is None else self.specificity
        put(self, "specificity", check_option("specificity", spec, SPECIFICITY))


def check_calibrated(spectra, control: str | None, params: CalibratedParams) -> None:
    """Warn before calibrated mode runs a test that is not valid alone on these spectra.

    Parameters
    ----------
    spectra : xarray.Dataset
        The Spectra.
    control : str or None
        The control condition (unused: calibrated mode runs without one).
    params : CalibratedParams
        The checked parameters.
    """
    if params.measure == "itc" and spectra.hftp.kind != "brain":
        warnings.warn(
            "measure='itc' (Rayleigh test) is not valid alone on model responses: deterministic "
            "position effects repeat in every trial and make the phase consistent at every frequency. "
            "Use measure='evoked' (the spectral F-test).",
            UserWarning,
            stacklevel=3,
        )


def conjunction(p_tag: np.ndarray, p_spec: np.ndarray, q: float) -> dict[str, np.ndarray]:
    """Intersection–union test of "tagged and specific": BH once over max(p_tag, p_spec).

    Parameters
    ----------
    p_tag, p_spec : ndarray, shape (n_channels, n_levels)
        The tagging and specificity p-values.
    q : float
        The FDR level.

    Returns
    -------
    dict of str to ndarray, each shape (n_channels, n_levels)
        ``sig_p`` (NaN where either p is), ``sig_q`` and ``significant`` (``sig_q <= q``).
    """
    with np.errstate(invalid="ignore"):
        p = np.fmax(p_tag, p_spec)
    p = np.where(np.isnan(p_tag) | np.isnan(p_spec), np.nan, p)
    qv = bh_fdr(p)
    return {"sig_p": p, "sig_q": qv, "significant": qv <= q}


def calibrated_mode(
    data: TagData, params: CalibratedParams, *, q: float, seed: int
) -> dict[str, np.ndarray]:
    """Run the calibrated tests at every level of one family.

    Parameters
    ----------
    data : TagData
        The tested family.
    params : CalibratedParams
        The mode's parameters.
    q : float
        The FDR level of every Benjamini–Hochberg family.
    seed : int
        Seed of the permutation specificity test.

    Returns
    -------
    dict of str to ndarray, each shape (n_channels, n_levels)
        ``statistic, p, q, above_neighbors`` (the tagging test, BH at ``q``); with a control also
        ``spec_statistic, spec_p, spec_q, specific`` and the conjunction ``sig_p, sig_q``;
        ``significant`` (the conjunction, or the tagging test without a control).
    """
    L = len(data.levels)
    stat = np.empty((data.n_channels, L))
    p = np.empty((data.n_channels, L))
    for j in range(L):
        stat[:, j], p[:, j] = TAG_TESTS[params.measure](data, params, j)
    qv = bh_fdr(p)
    above = qv <= q
    out = {"statistic": stat, "p": p, "q": qv, "above_neighbors": above}
    if data.control is None:
        out.update(sig_p=p, sig_q=qv, significant=above)
        return out
    sstat = np.empty_like(stat)
    spv = np.empty_like(p)
    for j in range(L):
        sstat[:, j], spv[:, j] = SPECIFICITY[params.specificity](data, params, j, seed)
    sq = bh_fdr(spv)
    out.update(spec_statistic=sstat, spec_p=spv, spec_q=sq, specific=sq <= q)
    out.update(conjunction(p, spv, q))
    return out


itc_neighbour_test = deprecated_alias(
    itc_neighbor_test,
    "hftp.tagging.calibrated.itc_neighbour_test",
    "hftp.tagging.calibrated.itc_neighbor_test",
)
