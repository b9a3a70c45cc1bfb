"""Effect sizes: how large the structure-specific response is, with a lower bound and an interval null.

Why a share of ``significant`` is not an effect
-----------------------------------------------
``significant`` (tagged AND specific) answers "is the response at f larger in the experiment than in
the control at all?". In a language model nearly every channel's response differs a little between
sentences and their shuffle, so the share that passes grows with the number of trials toward 100%
(simulated, tiny effects everywhere and 5% large ones: 6% → 73% from 8 to 400 trials) and the
layer profile goes flat. It measures power, not size. This module measures size.

The estimand
------------
Per channel and level (tagged frequency f), the structure-specific amplitude in SD units::

    θ = (|μ_e(f)| − |μ_c(f)|) / (σ · a)

- μ_e, μ_c: the evoked (trial-mean) Fourier coefficients at f in the experiment and the control;
- σ: the channel's time-domain SD within a trial, by Parseval from the control's mean single-trial
  power over every bin of the axis (DC excluded): σ² T² = Σ_f w_f P_f, with w = 2 at a complex bin
  and 1 at the real Nyquist bin (so T itself cancels: spectra from the frequency domain work too);
- a = T/2 at a complex bin and T at the real-valued Nyquist bin (T samples per trial), so that θ is
  the amplitude, in SDs, of a sinusoid at f (of a period-2 pattern at Nyquist).

A sinusoid of amplitude θ SD explains θ²/2 of the channel's variance: the default δ = 0.2
(``MIN_EFFECT``) is a structure-specific sinusoid that explains 2% of it. Without a control, θ is
the amplitude |μ_e| / (σ a) of the tagged response itself (σ from the condition).

The estimate: |μ| is estimated without its noise bias, √max(|X̄|² − v, 0), with v = s²/n the
variance of the trial mean X̄ (s² the across-trial variance of the complex coefficient, from
``sum_abs2`` and ``sum_x``), plus the lexical baseline's estimation variance (``lexical_var``) when
the spectra carry it, as the residual tests of :mod:`hftp.tagging.calibrated` do. ``effect`` = θ̂.

The test: H0 θ ≤ δ (an interval null)
--------------------------------------
The amplitude estimate has variance about v/2 per condition at a complex bin (only the radial part
of the complex noise moves |X̄|) and v at the Nyquist bin. The plain normal approximation,
z = (θ̂ − δ) / √(Σ v/2) / (σa), is **not** valid at the boundary θ = δ: simulated at n = 8, 32,
100, 400 trials, with the control's amplitude and the two noise levels varied over the boundary,
its size reaches 0.13 at complex bins and 0.12 at Nyquist (α = 0.05). It fails where the control
has a moderate amplitude (1–3 noise SDs of X̄_c): there √max(|X̄|² − v, 0) is biased low (so θ̂ is
biased high) and varies more than v/2, and at n = 8 the estimated v adds a t-tail. A parametric
bootstrap at the estimate fails worse (size up to 0.36: the nuisance |μ_c| enters the plug-in).

What holds is a second-order corrected Welch t: per condition, with A = √max(|X̄|² − v, 0) and
(k, k₂) = (1/2, 1/4) at a complex bin, (1, 1/2) at Nyquist,

- bias correction b = k₂ v / max(A, √v) (the delta-method bias of A is −k₂ v/|μ|),
- variance w = k v + k₂ v² / max(A², v) (the delta-method variance of A),
- t = ((A_e + b_e) − (A_c + b_c) − δσa) / √(w_e + w_c), referred to Student's t with
  Welch–Satterthwaite degrees of freedom (the estimated part of each v has 2(n − 1) dof at a
  complex bin, n − 1 at Nyquist; the lexical part is known).

Its size at the boundary, over the same grid (complex and Nyquist; n = 8, 32, 100, 400; boundary
effect 0.5–30 standard errors; control amplitude 0–5 δ; noise ratio 1/4–4), was at most
0.050 ± 0.0003 (400,000 draws in the worst cells) and tests/tagging/test_effect.py checks it. It
is conservative where the control has no response at f (size about 0.001–0.01: A_c is then biased
*up*), which costs about one standard error of power there. ``effect_lower`` is the matching
one-sided (1 − α) lower confidence bound (A_e + b_e − A_c − b_c)/(σa) − t_{1−α, ν} · se, so that
``effect_lower > δ`` exactly when ``p_effect < α``; ``effect_adjusted``, ``effect_se`` and
``effect_df`` let the p-value be recomputed at any δ (:func:`p_interval_null`, used by
:func:`effect_curve`).

``selective``: tagged AND θ > δ
-------------------------------
:func:`selective_conjunction` is the intersection–union test of the neighbor test's p (tagged) and
``p_effect``: BH once over max(p_tag, p_effect), at q, so the called set is one FDR-controlled
family. The share ``selective`` names channels with FDR control; it is a lower bound that rises
toward the estimated share (θ̂ > δ) as trials add power, while the share ``significant`` rises
toward 100%.

:func:`hftp.find_tagged` (calibrated mode) adds these variables, ``selective`` and the attr
``min_effect`` to its result; :func:`effect_test` runs the effect test alone. The summaries are in
:mod:`hftp.tagging.profile`: :func:`~hftp.tagging.profile.effect_profile` (per layer or region and
level: median and 90th percentile of θ̂ with channel-bootstrap intervals, the estimated share θ̂ > δ
with its bootstrap interval, the share ``selective`` with its binomial interval) and
:func:`~hftp.tagging.profile.effect_curve` (the shares as a curve over δ). The 90th percentile is
inflated at small n by estimation noise (θ̂ varies around θ).

The module is one idea, the effect size (its estimate, its test and ``selective``), which is why it
runs past 500 lines: most of them are the derivation above and the docstrings.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from hftp._validation import InvalidValueError, check_float, check_fraction_open
from hftp.spectral.accessor import check_spectra
from hftp.spectral.bins import is_real_bin
from hftp.spectral.splits import has_splits, pool_splits
from hftp.tagging.fdr import bh_fdr
from hftp.tagging.inputs import TagData, check_condition, resolve_levels

__all__ = [
    "MIN_EFFECT",
    "EFFECT_QUANTILES",
    "EFFECT_DELTAS",
    "EFFECT_VARS",
    "EFFECT_METHOD",
    "AmplitudeMoments",
    "amplitude_moments",
    "effect_scale",
    "interval_null_test",
    "p_interval_null",
    "band_note",
    "effect_arrays",
    "effect_test",
    "selective_conjunction",
    "effect_share",
]

#: The default δ (``min_effect``): a sinusoid of 0.2 SD explains 2% of the channel's variance.
MIN_EFFECT = 0.2
#: Quantiles of θ̂ reported per layer by :func:`effect_profile` (median, 90th percentile).
EFFECT_QUANTILES = (0.5, 0.9)
#: The δ values of :func:`effect_curve` by default.
EFFECT_DELTAS = (0.1, 0.2, 0.3)
#: The variables :func:`interval_null_test` returns (and find_tagged adds).
EFFECT_VARS = ("effect", "effect_lower", "p_effect", "effect_adjusted", "effect_se", "effect_df")
#: How ``p_effect`` and ``effect_lower`` are computed (recorded in the attrs of a result).
EFFECT_METHOD = "interval null theta <= min_effect: second-order corrected Welch t"


class AmplitudeMoments(NamedTuple):
    """The evoked amplitude of one condition at one bin, with what its test needs.

    All fields are arrays of shape (n_channels,).
    """

    #: √max(|X̄|² − v, 0), the noise-debiased evoked amplitude (Fourier units).
    amplitude: np.ndarray
    #: v = s²/n (+ the lexical baseline's variance): the variance of the trial mean X̄.
    var: np.ndarray
    #: s²/n, the part of ``var`` estimated from the trials (the rest is known).
    var_est: np.ndarray
    #: Degrees of freedom of ``var_est``: 2(n − 1) at a complex bin, n − 1 at Nyquist.
    dof: np.ndarray


def amplitude_moments(sum_x, sum_abs2, n_trials, *, real: bool, lexical_var=None):
    """Debiased evoked amplitude and the variance of the trial mean, from a Spectra's sums.

    Parameters
    ----------
    sum_x : array_like, shape (n_channels,), complex
        Σ_k X_k(f) over the trials of one condition.
    sum_abs2 : array_like, shape (n_channels,)
        Σ_k |X_k(f)|².
    n_trials : int or array_like of shape (n_channels,)
        Trials per channel (at least 2 for a variance).
    real : bool
        True at the real-valued Nyquist bin.
    lexical_var : array_like, shape (n_channels,), optional
        The lexical baseline's estimation variance at f (known, added to v).

    Returns
    -------
    AmplitudeMoments
        Fields of shape (n_channels,); NaN where a channel has fewer than 2 trials.
    """
    sx = np.asarray(sum_x)
    n = np.broadcast_to(np.asarray(n_trials, dtype=float), sx.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = sx / n
        P = np.abs(m) ** 2
        ss = np.maximum(np.asarray(sum_abs2, dtype=float) - n * P, 0.0)
        s2 = np.where(n >= 2, ss / (n - 1), np.nan)
        est = s2 / n
    lex = 0.0 if lexical_var is None else np.maximum(np.asarray(lexical_var, dtype=float), 0.0)
    v = est + lex
    amp = np.sqrt(np.maximum(P - v, 0.0))
    dof = (n - 1) * (1.0 if real else 2.0)
    return AmplitudeMoments(amp, v, est, dof)


def effect_scale(mean_power, freq, sfreq: float, *, real: bool) -> np.ndarray:
    """σ·a: the channel's time-domain SD (Parseval) times the amplitude scale a of the bin.

    Parameters
    ----------
    mean_power : array_like, shape (n_channels, n_freq)
        The mean single-trial power Σ_k |X_k(f)|² / n over every bin of the axis (no DC).
    freq : array_like, shape (n_freq,)
        The frequency axis (Hz).
    sfreq : float
        The sampling rate (Hz); the bin at sfreq/2 is real-valued (weight 1, not 2).
    real : bool
        Whether the tested bin is the Nyquist bin (a = T) or complex (a = T/2).

    Returns
    -------
    scale : ndarray, shape (n_channels,)
        σ a = √(Σ_f w_f P_f) / 2 at a complex bin and √(Σ_f w_f P_f) at Nyquist (T cancels); NaN
        for a flat channel.
    """
    P = np.asarray(mean_power, dtype=float)
    w = np.where(is_real_bin(np.asarray(freq, dtype=float), float(sfreq)), 1.0, 2.0)
    S = P @ w
    out = np.sqrt(S) * (1.0 if real else 0.5)
    return np.where(S > 0, out, np.nan)


def _correction(mom: AmplitudeMoments, real: bool):
    """Second-order bias correction and delta-method variance of the debiased amplitude."""
    k, k2 = (1.0, 0.5) if real else (0.5, 0.25)
    v = mom.var
    with np.errstate(invalid="ignore", divide="ignore"):
        bias = k2 * v / np.maximum(mom.amplitude, np.sqrt(v))
        w = k * v + k2 * v**2 / np.maximum(mom.amplitude**2, v)
        share_est = np.where(v > 0, mom.var_est / v, 0.0)  # the random part of w
    return np.nan_to_num(bias), w, w * share_est


def p_interval_null(adjusted, se, df, min_effect) -> np.ndarray:
    """p-value of H0: θ ≤ δ from the corrected estimate, its standard error and Welch dof.

    Parameters
    ----------
    adjusted, se, df : array_like, same shape
        ``effect_adjusted``, ``effect_se`` and ``effect_df`` of :func:`interval_null_test`.
    min_effect : float or array_like broadcasting with them
        δ.

    Returns
    -------
    p : ndarray, same shape (NaN where the inputs are)
    """
    from scipy.special import stdtr

    adjusted, se, df = (np.asarray(x, dtype=float) for x in (adjusted, se, df))
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (adjusted - min_effect) / se
        p = stdtr(np.minimum(df, 1e7), -t)
    return np.where(np.isfinite(t) & np.isfinite(df), p, np.nan)


def interval_null_test(
    exp: AmplitudeMoments,
    ctrl: AmplitudeMoments | None,
    scale,
    *,
    real: bool,
    min_effect: float = MIN_EFFECT,
    alpha: float = 0.05,
) -> dict[str, np.ndarray]:
    """θ̂, its lower confidence bound and the p-value of H0: θ ≤ δ (the corrected Welch t).

    Parameters
    ----------
    exp, ctrl : AmplitudeMoments
        From :func:`amplitude_moments` for the experiment and the control (``ctrl`` None: θ is the
        experiment's amplitude itself).
    scale : array_like, shape (n_channels,)
        σ·a from :func:`effect_scale`.
    real : bool
        Whether the bin is the real-valued Nyquist bin.
    min_effect : float
        δ, in SD units. Default 0.2.
    alpha : float
        ``effect_lower`` is a one-sided (1 − alpha) lower bound. Default 0.05.

    Returns
    -------
    dict of str to ndarray, each shape (n_channels,)
        ``effect`` (θ̂), ``effect_lower``, ``p_effect``, ``effect_adjusted`` (θ̂ with the
        second-order bias correction: the centre of the test), ``effect_se`` and ``effect_df``
        (Welch–Satterthwaite). NaN where a channel has no variance estimate or is flat.
    """
    from scipy.special import stdtrit

    scale = np.asarray(scale, dtype=float)
    be, we, re = _correction(exp, real)
    if ctrl is None:
        ac, bc, wc, rc = 0.0, 0.0, 0.0, 0.0
        dc = np.inf
    else:
        bc, wc, rc = _correction(ctrl, real)
        ac, dc = ctrl.amplitude, ctrl.dof
    with np.errstate(invalid="ignore", divide="ignore"):
        effect = (exp.amplitude - ac) / scale
        adjusted = (exp.amplitude + be - ac - bc) / scale
        se = np.sqrt(we + wc) / scale
        den = re**2 / exp.dof + (rc**2 / dc if ctrl is not None else 0.0)
        df = np.where(den > 0, (we + wc) ** 2 / den, np.inf)
        df = np.where(np.isnan(se), np.nan, df)
        crit = stdtrit(np.minimum(df, 1e7), 1.0 - alpha)
        lower = adjusted - crit * se
    p = p_interval_null(adjusted, se, df, min_effect)
    bad = ~np.isfinite(se) | (se <= 0)
    out = {
        "effect": effect,
        "effect_lower": lower,
        "p_effect": p,
        "effect_adjusted": adjusted,
        "effect_se": se,
        "effect_df": df,
    }
    return {k: np.where(bad, np.nan, v) for k, v in out.items()}


def band_note(spectra) -> str:
    """Whether σ (Parseval) covers the whole signal: ``""``, or a note naming the band it covers.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra.

    Returns
    -------
    note : str
        Empty when the frequency axis is the whole rfft axis up to Nyquist (σ is the channel's
        SD); else a sentence saying that σ is the SD within the axis' band (spectra that arrived
        in the frequency domain), so that effects are larger than on the whole signal.
    """
    sfreq = spectra.hftp.sfreq
    f = spectra["freq"].values
    n_times = int(spectra.attrs.get("n_times", -1) or -1)
    df = f[1] - f[0] if f.size > 1 else f[0]
    whole = bool(np.isclose(f[0], df) and f[-1] >= sfreq / 2 - df * (1 + 1e-9))
    if n_times > 0:
        whole = whole and f.size == n_times // 2
    if whole:
        return ""
    return (
        f"The spectra's frequency axis ({f[0]:.4g}–{f[-1]:.4g} Hz) is not the whole axis up to "
        f"Nyquist ({sfreq / 2:.4g} Hz): σ (Parseval) is the channel's SD within this band, so "
        "effects are larger than on the whole signal."
    )


def effect_arrays(data, *, min_effect: float = MIN_EFFECT, alpha: float = 0.05):
    """The effect test at every level of one family of tests (the core of :func:`effect_test`).

    Parameters
    ----------
    data : hftp.tagging.inputs.TagData
        The family's channel-first view of a Spectra (condition, control, levels and bins).
        A channel with fewer than 2 trials in the condition or the control gets NaN.
    min_effect : float
        δ in SD units. Default 0.2.
    alpha : float
        Level of the one-sided lower bound ``effect_lower``. Default 0.05.

    Returns
    -------
    dict of str to ndarray, each shape (n_channels, n_levels)
        The variables :data:`EFFECT_VARS` (see :func:`interval_null_test`).
    """
    base = data.control if data.control is not None else data.condition
    freq = data.spectra["freq"].values
    power = data.spectrum("sum_abs2", base) / data.n_trials(base)[:, None]
    has_lex = "lexical_var" in data.spectra

    def moments(cond: str, i: int, real: bool) -> AmplitudeMoments:
        lex = data.lexical_var(cond, [i])[:, 0] if has_lex else None
        return amplitude_moments(
            data.spectrum("sum_x", cond, [i])[:, 0],
            data.spectrum("sum_abs2", cond, [i])[:, 0],
            data.n_trials(cond),
            real=real,
            lexical_var=lex,
        )

    out = {k: np.empty((data.n_channels, len(data.levels))) for k in EFFECT_VARS}
    for j in range(len(data.levels)):
        i, real = int(data.bins[j]), bool(data.real[j])
        scale = effect_scale(power, freq, data.sfreq, real=real)
        ctrl = moments(data.control, i, real) if data.control is not None else None
        res = interval_null_test(
            moments(data.condition, i, real),
            ctrl,
            scale,
            real=real,
            min_effect=min_effect,
            alpha=alpha,
        )
        for k in EFFECT_VARS:
            out[k][:, j] = res[k]
    return out


def effect_test(
    spectra,
    condition: str,
    control: str | None = None,
    *,
    tagged_hz: Mapping[str, float] | None = None,
    levels: str | Sequence[str] | None = None,
    min_effect: float = MIN_EFFECT,
    alpha: float = 0.05,
):
    """The effect θ per channel and level, its lower bound and the interval-null test H0: θ ≤ δ.

    :func:`hftp.find_tagged` (calibrated mode) adds the same variables to its result, with
    ``selective``; this function runs the effect test alone.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra, dims ``(condition, *channels, freq)`` (``hftp.probe``, ``hftp.brain_spectra``,
        ``hftp.make_spectra``; residual spectra with ``lexical_var`` add the baseline's
        variance). ``n_trials`` may be per channel. Every condition used needs 2 trials or more.
        A ``split`` dim is pooled.
    condition : str
        The experimental condition.
    control : str, optional
        The control; θ is the experiment's amplitude minus the control's. Default None: θ is the
        experiment's amplitude, σ from the experiment.
    tagged_hz : dict of str to float, optional
        Level → Hz. Default the spectra's tagged frequencies.
    levels : str or list of str, optional
        Levels (keys of ``tagged_hz``) to test. Default all.
    min_effect : float
        δ in SD units (≥ 0). Default 0.2 (``MIN_EFFECT``).
    alpha : float
        Level of the one-sided lower bound ``effect_lower``. Default 0.05.

    Returns
    -------
    xarray.Dataset
        Dims ``(*channels, level)`` with ``level`` coord ``freq`` and the Spectra's channel
        coords: the variables :data:`EFFECT_VARS`. attrs ``min_effect``, ``effect_alpha``,
        ``condition``, ``control``, ``effect_method``.
    """
    import xarray as xr

    check_spectra(spectra)
    if has_splits(spectra):
        spectra = pool_splits(spectra)
    conds = [str(c) for c in spectra["condition"].values]
    condition = check_condition("condition", condition, conds)
    if control is not None:
        control = check_condition("control", control, conds)
    min_effect = check_float("min_effect", min_effect, min_value=0.0)
    alpha = check_fraction_open("alpha", alpha)
    names, hz, bins = resolve_levels(spectra, tagged_hz, levels)
    data = TagData(spectra, condition, control, tuple(names), hz, bins, np.zeros(0, int))
    why = "the effect test (it needs the across-trial variance)"
    for c in dict.fromkeys([condition, control if control is not None else condition]):
        data.require_trials(c, 2, why)
    note = band_note(spectra)
    if note:
        warnings.warn(note + " Keep the full axis to compare effects.", UserWarning, stacklevel=2)
    res = effect_arrays(data, min_effect=min_effect, alpha=alpha)
    ch = data.channel_dims
    coords = {d: spectra[d].values for d in ch if d in spectra.coords}
    for name, c in spectra.coords.items():
        if name not in coords and c.dims and set(c.dims) <= set(ch):
            coords[name] = (c.dims, c.values)
    coords["level"] = list(names)
    coords["freq"] = ("level", spectra["freq"].values[bins])
    shape = (*data.channel_shape, len(names))
    ds = xr.Dataset({k: ((*ch, "level"), v.reshape(shape)) for k, v in res.items()}, coords=coords)
    ds.attrs = {
        "min_effect": min_effect,
        "effect_alpha": alpha,
        "condition": condition,
        "control": control if control is not None else "none",
        "effect_method": EFFECT_METHOD,
        "effect_sd": note or "the channel's SD (whole axis)",
    }
    return ds


def selective_conjunction(p_tag, p_effect, q: float) -> dict[str, np.ndarray]:
    """Intersection–union test of "tagged AND θ > δ": BH once over max(p_tag, p_effect).

    Parameters
    ----------
    p_tag : array_like, any shape
        p-values of the neighbor (tagging) test.
    p_effect : array_like, same shape
        p-values of the interval null H0: θ ≤ δ.
    q : float
        FDR level in (0, 1).

    Returns
    -------
    dict of str to ndarray, each the shape of ``p_tag``
        ``sel_p`` = max(p_tag, p_effect) (NaN where either is), ``sel_q`` (BH q-values over all
        entries: one family) and ``selective`` (``sel_q <= q``).
    """
    q = check_fraction_open("q", q)
    a, b = np.asarray(p_tag, dtype=float), np.asarray(p_effect, dtype=float)
    if a.shape != b.shape:
        raise InvalidValueError(
            f"Invalid value for 'p_effect': shape {b.shape} differs from p_tag's {a.shape}. Pass "
            "the two tests on the same channels and levels."
        )
    with np.errstate(invalid="ignore"):
        p = np.where(np.isnan(a) | np.isnan(b), np.nan, np.fmax(a, b))
    qv = bh_fdr(p)
    return {"sel_p": p, "sel_q": qv, "selective": np.nan_to_num(qv, nan=1.0) <= q}


def effect_share(effect, min_effect: float = MIN_EFFECT) -> float:
    """The share of channels (and levels) with θ̂ > δ, over the finite estimates.

    Parameters
    ----------
    effect : array_like or xarray.DataArray, any shape
        θ̂ (``effect``).
    min_effect : float
        δ. Default 0.2.

    Returns
    -------
    float
        NaN when no estimate is finite.
    """
    x = np.asarray(effect, dtype=float).ravel()
    x = x[np.isfinite(x)]
    return float(np.mean(x > min_effect)) if x.size else float("nan")
