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

Summaries: :func:`effect_profile` (per layer or region and level: median and 90th percentile of θ̂
with channel-bootstrap intervals, the estimated share θ̂ > δ with its bootstrap interval, the share
``selective`` with its binomial interval) and :func:`effect_curve` (the shares as a curve over δ).
The 90th percentile is inflated at small n by estimation noise (θ̂ varies around θ).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_float,
    check_fraction_open,
    check_int,
    check_option,
    check_type,
)
from hftp.spectral import bin_index, is_real_bin

__all__ = [
    "MIN_EFFECT",
    "EFFECT_QUANTILES",
    "EFFECT_DELTAS",
    "EFFECT_VARS",
    "AmplitudeMoments",
    "amplitude_moments",
    "effect_scale",
    "interval_null_test",
    "p_interval_null",
    "effect_test",
    "selective_conjunction",
    "effect_share",
    "effect_groups",
    "effect_profile",
    "effect_curve",
]

#: The default δ (``min_effect``): a sinusoid of 0.2 SD explains 2% of the channel's variance.
MIN_EFFECT = 0.2
#: Quantiles of θ̂ reported per layer by :func:`effect_profile` (median, 90th percentile).
EFFECT_QUANTILES = (0.5, 0.9)
#: The δ values of :func:`effect_curve` by default.
EFFECT_DELTAS = (0.1, 0.2, 0.3)
#: The variables :func:`interval_null_test` returns (and find_tagged adds).
EFFECT_VARS = ("effect", "effect_lower", "p_effect", "effect_adjusted", "effect_se", "effect_df")


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


def _check_result(result, name: str = "result"):
    import xarray as xr

    if not isinstance(result, xr.Dataset) or "effect" not in result:
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected a Dataset with an 'effect' variable (from "
            f"hftp.find_tagged or hftp.tagging.effect.effect_test); got {type(result).__name__}."
        )


def _n_trials(spectra, cond: str, template):
    da = spectra["n_trials"].sel(condition=cond)
    return np.asarray(da.broadcast_like(template).transpose(*template.dims).values, dtype=float)


def _check_band(spectra, sfreq: float) -> None:
    """Warn when the frequency axis is not a whole rfft axis (σ is then the SD within the band)."""
    f = spectra["freq"].values
    n_times = int(spectra.attrs.get("n_times", -1) or -1)
    df = f[1] - f[0] if f.size > 1 else f[0]
    whole = np.isclose(f[0], df) and f[-1] >= sfreq / 2 - df * (1 + 1e-9)
    if n_times > 0:
        whole = whole and f.size == n_times // 2
    if not whole:
        warnings.warn(
            f"The spectra's frequency axis ({f[0]:.4g}–{f[-1]:.4g} Hz) is not the whole axis up to "
            f"Nyquist ({sfreq / 2:.4g} Hz): σ (Parseval) is the channel's SD within this band, so "
            "effects are larger than on the whole signal. Keep the full axis to compare effects.",
            UserWarning,
            stacklevel=3,
        )


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

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra, dims ``(condition, *channels, freq)`` (``hftp.probe``, ``hftp.brain_spectra``,
        ``hftp.make_spectra``; residual spectra with ``lexical_var`` add the baseline's
        variance). ``n_trials`` may be per channel. Every condition used needs 2 trials or more.
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
        Dims ``(*channels, level)`` with ``level`` coord ``freq``: the variables
        :data:`EFFECT_VARS`. attrs ``min_effect``, ``effect_alpha``, ``condition``, ``control``.
    """
    import xarray as xr

    from hftp.spectral.accessor import check_spectra

    check_spectra(spectra)
    conds = [str(c) for c in spectra["condition"].values]
    check_type("condition", condition, str, "a condition name (str)")
    check_option("condition", condition, conds)
    if control is not None:
        check_type("control", control, str, "a condition name (str) or None")
        check_option("control", control, conds)
    min_effect = check_float("min_effect", min_effect, min_value=0.0)
    alpha = check_fraction_open("alpha", alpha)
    tagged = dict(spectra.hftp.tagged_hz if tagged_hz is None else tagged_hz)
    if levels is None:
        levels = list(tagged)
    elif isinstance(levels, str):
        levels = [levels]
    for lv in levels:
        check_option("levels", lv, list(tagged))
    if not levels:
        raise InvalidValueError(
            "Invalid value for 'tagged_hz': no levels to test. Pass tagged_hz={'sentence': 1.0}."
        )
    sfreq = spectra.hftp.sfreq
    _check_band(spectra, sfreq)
    ch = spectra.hftp.channel_dims
    freq = spectra["freq"].values
    base = control if control is not None else condition
    tmpl = spectra["sum_x"].isel(condition=0, freq=0, drop=True).transpose(*ch)
    shape = tmpl.shape
    for c in dict.fromkeys([condition, base]):
        n = _n_trials(spectra, c, tmpl)
        if np.nanmin(n) < 2:
            raise InvalidValueError(
                f"Invalid value for 'spectra': condition {c!r} has {int(np.nanmin(n))} trial(s); "
                "the effect test needs at least 2 (for the across-trial variance). Add trials."
            )
    power = spectra["sum_abs2"].sel(condition=base) / spectra["n_trials"].sel(condition=base)
    power = power.transpose(*ch, "freq").values.reshape(-1, freq.size)
    has_lex = "lexical_var" in spectra

    def moments(c, i, real):
        da = spectra.sel(condition=c).isel(freq=i)
        get = lambda v: da[v].transpose(*ch).values.ravel()  # noqa: E731
        n = _n_trials(spectra, c, tmpl).ravel()
        lex = get("lexical_var") if has_lex else None
        return amplitude_moments(get("sum_x"), get("sum_abs2"), n, real=real, lexical_var=lex)

    res = {k: np.empty((int(np.prod(shape)), len(levels))) for k in EFFECT_VARS}
    fr = []
    for j, lv in enumerate(levels):
        f = check_float(f"tagged_hz ({lv})", tagged[lv])
        i = bin_index(freq, f, name=f"tagged_hz ({lv})")
        fr.append(float(freq[i]))
        real = bool(is_real_bin(freq[i], sfreq))
        scale = effect_scale(power, freq, sfreq, real=real)
        ctrl = moments(control, i, real) if control is not None else None
        out = interval_null_test(
            moments(condition, i, real), ctrl, scale, real=real, min_effect=min_effect, alpha=alpha
        )
        for k in EFFECT_VARS:
            res[k][:, j] = out[k]
    dims = (*ch, "level")
    coords = {d: spectra[d].values for d in ch if d in spectra.coords}
    for name, c in spectra.coords.items():
        if name not in coords and c.dims and set(c.dims) <= set(ch):
            coords[name] = (c.dims, c.values)
    coords["level"] = list(levels)
    coords["freq"] = ("level", np.array(fr))
    data = {k: (dims, v.reshape(*shape, len(levels))) for k, v in res.items()}
    attrs = {
        "min_effect": min_effect,
        "effect_alpha": alpha,
        "condition": condition,
        "control": control if control is not None else "none",
        "effect_test": "interval null theta <= min_effect, second-order corrected Welch t",
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


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
    from hftp.tagging.fdr import bh_fdr

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


def effect_groups(da) -> tuple[str, np.ndarray]:
    """The group of each channel for a profile: the layer (model), region (brain) or ``"all"``.

    Parameters
    ----------
    da : xarray.DataArray
        A per-channel variable with dims ``(*channels, level)`` or ``(*channels,)``.

    Returns
    -------
    name : str
        ``"layer"``, ``"region"`` or ``"group"``.
    labels : ndarray, shape (n_channels,)
        The group of each channel, in the order of ``da``'s channel dims flattened (level dropped).
    """
    one = da.isel(level=0, drop=True) if "level" in da.dims else da
    if "layer" in one.dims:
        return "layer", one["layer"].broadcast_like(one).transpose(*one.dims).values.ravel()
    if "region" in one.coords:
        return "region", one["region"].broadcast_like(one).transpose(*one.dims).values.ravel()
    return "group", np.full(one.size, "all", dtype=object)


def _levels_view(result, var: str) -> tuple[np.ndarray, list[str]]:
    """(n_channels, n_levels) values of ``var`` and the level names."""
    da = result[var]
    if "level" not in da.dims:
        return np.asarray(da.values).reshape(-1, 1), ["all"]
    ch = [d for d in da.dims if d != "level"]
    vals = np.asarray(da.transpose(*ch, "level").values)
    return vals.reshape(-1, da.sizes["level"]), [str(v) for v in da["level"].values]


def _clopper_pearson(k: int, n: int, ci: float) -> tuple[float, float]:
    from scipy.stats import beta

    if n == 0:
        return float("nan"), float("nan")
    a = (1.0 - ci) / 2
    lo = float(beta.ppf(a, k, n - k + 1)) if k > 0 else 0.0
    hi = float(beta.ppf(1 - a, k + 1, n - k)) if k < n else 1.0
    return lo, hi


def effect_profile(
    result,
    *,
    min_effect: float | None = None,
    quantiles: Sequence[float] = EFFECT_QUANTILES,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
):
    """Per layer (or region) and level: effect quantiles, the estimated share θ̂ > δ, ``selective``.

    Parameters
    ----------
    result : xarray.Dataset
        With ``effect`` over ``(*channels, level)`` (:func:`effect_test` or ``hftp.find_tagged``);
        when it has ``selective``, the share selective is reported too.
    min_effect : float, optional
        δ. Default ``result.attrs["min_effect"]``, else 0.2.
    quantiles : sequence of float
        Quantiles of θ̂ in (0, 1). Default (0.5, 0.9): columns ``effect_median`` and
        ``effect_p90`` (``effect_p<100 q>`` for others).
    n_boot : int
        Channel-bootstrap resamples for the intervals. Default 1000.
    ci : float
        Coverage of the intervals. Default 0.95.
    seed : int
        Seed of the bootstrap. Default 0.

    Returns
    -------
    pandas.DataFrame
        One row per (group, level). Columns ``<group>`` (``layer``, ``region`` or ``group``),
        ``level``, ``n_channels`` (finite estimates), per quantile ``effect_median`` with
        ``effect_median_low`` / ``effect_median_high`` (percentile bootstrap over channels), the
        same for ``effect_p90``, ``effect_share`` (θ̂ > δ) with ``effect_share_low`` /
        ``effect_share_high``, and with ``selective`` in ``result`` ``selective_share`` with its
        Clopper–Pearson interval ``selective_share_low`` / ``selective_share_high``.
        ``df.attrs`` hold ``group``, ``min_effect``, ``ci`` and ``n_boot``.
    """
    import pandas as pd

    _check_result(result)
    delta = _min_effect(result, min_effect)
    n_boot = check_int("n_boot", n_boot, min_value=1)
    ci = check_fraction_open("ci", ci)
    seed = check_int("seed", seed, min_value=0)
    qs = [check_float("quantiles", q_, min_value=0.0, max_value=1.0) for q_ in quantiles]
    names = [_quantile_name(q_) for q_ in qs]
    col, groups = effect_groups(result["effect"])
    eff, levels = _levels_view(result, "effect")
    sel = _levels_view(result, "selective")[0] if "selective" in result else None
    rng = np.random.default_rng(seed)
    lo_q, hi_q = (1 - ci) / 2, 1 - (1 - ci) / 2
    rows = []
    for g in pd.unique(groups):
        m = groups == g
        for j, lv in enumerate(levels):
            x = eff[m, j]
            ok = np.isfinite(x)
            x = x[ok]
            row = {col: g, "level": lv, "n_channels": int(x.size)}
            if x.size:
                idx = rng.integers(0, x.size, size=(n_boot, x.size))
                xb = x[idx]
                bq = np.quantile(xb, qs, axis=1)  # (n_q, n_boot)
                for name, q_, b in zip(names, qs, bq, strict=True):
                    row[name] = float(np.quantile(x, q_))
                    row[f"{name}_low"], row[f"{name}_high"] = np.quantile(b, [lo_q, hi_q])
                share_b = (xb > delta).mean(axis=1)
                row["effect_share"] = float(np.mean(x > delta))
                row["effect_share_low"], row["effect_share_high"] = np.quantile(
                    share_b, [lo_q, hi_q]
                )
            else:
                for name in names:
                    row[name] = row[f"{name}_low"] = row[f"{name}_high"] = np.nan
                row["effect_share"] = row["effect_share_low"] = row["effect_share_high"] = np.nan
            if sel is not None:
                s = np.asarray(sel[m, j], dtype=bool)[ok]
                k = int(s.sum())
                row["selective_share"] = k / s.size if s.size else np.nan
                row["selective_share_low"], row["selective_share_high"] = _clopper_pearson(
                    k, s.size, ci
                )
            rows.append(row)
    df = pd.DataFrame(rows)
    df.attrs.update(group=col, min_effect=delta, ci=ci, n_boot=n_boot)
    return df


def _quantile_name(q: float) -> str:
    if np.isclose(q, 0.5):
        return "effect_median"
    return f"effect_p{round(100 * q):d}"


def _min_effect(result, min_effect) -> float:
    if min_effect is None:
        return float(result.attrs.get("min_effect", MIN_EFFECT))
    return check_float("min_effect", min_effect, min_value=0.0)


def effect_curve(result, deltas: Sequence[float] = EFFECT_DELTAS, *, q: float | None = None):
    """The estimated share θ̂ > δ, and the share ``selective``, as a curve over δ per group and level.

    Parameters
    ----------
    result : xarray.Dataset
        With ``effect`` (:func:`effect_test` or ``hftp.find_tagged``). With ``effect_adjusted``,
        ``effect_se`` and ``effect_df`` the interval null is re-tested at each δ; with the tagging
        p-values ``p`` too, ``selective`` is recomputed at each δ (BH over all channels × levels
        at ``q``), else ``selective_share`` is NaN.
    deltas : sequence of float
        The δ values (≥ 0). Default (0.1, 0.2, 0.3).
    q : float, optional
        FDR level. Default ``result.attrs["q"]``, else 0.05.

    Returns
    -------
    pandas.DataFrame
        Columns ``(<group>, level, min_effect, effect_share, selective_share)``; ``level``
        includes ``"any"`` (a channel counts when any level passes). ``df.attrs["group"]`` names
        the group column.
    """
    import pandas as pd

    _check_result(result)
    check_type("deltas", deltas, list | tuple | np.ndarray, "a sequence of δ values")
    deltas = [check_float("deltas", d, min_value=0.0) for d in deltas]
    if not deltas:
        raise InvalidValueError("Invalid value for 'deltas': empty; pass e.g. [0.1, 0.2, 0.3].")
    q = check_fraction_open("q", result.attrs.get("q", 0.05) if q is None else q)
    col, groups = effect_groups(result["effect"])
    eff, levels = _levels_view(result, "effect")
    can_test = all(v in result for v in ("effect_adjusted", "effect_se", "effect_df", "p"))
    if can_test:
        adj = _levels_view(result, "effect_adjusted")[0]
        se = _levels_view(result, "effect_se")[0]
        dfv = _levels_view(result, "effect_df")[0]
        p_tag = _levels_view(result, "p")[0]
    rows = []
    for d in deltas:
        above = np.nan_to_num(eff, nan=-np.inf) > d
        finite = np.isfinite(eff)
        if can_test:
            sel = selective_conjunction(p_tag, p_interval_null(adj, se, dfv, d), q)["selective"]
        for g in pd.unique(groups):
            m = groups == g
            cols = {lv: j for j, lv in enumerate(levels)}
            for lv, j in [*cols.items(), ("any", None)]:
                if j is None:
                    ok = finite[m].any(axis=1)
                    a = above[m].any(axis=1)[ok]
                    s = sel[m].any(axis=1)[ok] if can_test else None
                else:
                    ok = finite[m, j]
                    a = above[m, j][ok]
                    s = sel[m, j][ok] if can_test else None
                rows.append(
                    {
                        col: g,
                        "level": lv,
                        "min_effect": d,
                        "effect_share": float(a.mean()) if a.size else np.nan,
                        "selective_share": float(s.mean()) if s is not None and s.size else np.nan,
                    }
                )
    df = pd.DataFrame(rows)
    df.attrs["group"] = col
    return df
