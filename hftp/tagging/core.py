"""Tagging statistics: which channels (model neurons or brain channels) follow the tagged rates.

:func:`find_tagged` runs one of the modes in ``MODES`` on a Spectra (see :mod:`hftp.spectral`) and
returns an ``xarray.Dataset`` over ``(*channels, level)``:

``statistic``, ``p``, ``q``, ``tagged`` (bool)
    The tagging test per channel and level (its q-value from Benjamini–Hochberg over all channels ×
    levels).
``spec_statistic``, ``spec_p``, ``spec_q``, ``specific`` (with a control)
    The specificity test (experiment > control) and its own BH.
``sig_p``, ``sig_q``, ``significant_fdr``, ``significant`` (bool)
    The result: in calibrated mode with a control, the intersection–union test of "tagged AND
    specific" (p = max(p, spec_p), BH once over all channels × levels: one family); without a
    control, the tagging test. ``significant`` = ``significant_fdr`` and ``snr >= min_snr``.
``replicated`` (bool; only for a Spectra with a ``split`` dim)
    Significant (with the floor) on the first half of the trials, and confirmed on the second: BH
    at ``q`` over the second half's p-values of the channels × levels selected on the first.
    Selection and test use independent trials. Everything else comes from all trials pooled.
``snr``, ``amplitude``, ``amplitude_ratio``, ``itc``
    Effect sizes in the experimental condition at the tagged bin: the SNR of the primary measure
    (evoked amplitude, or ITC for the ITC measures) against its neighbour bins (the same harmonic-
    free set as the test; at the real-valued Nyquist bin divided by √2, its amplitude per degree of
    freedom, so that a sinusoid and a period-2 response of the same power have the same SNR), the
    evoked amplitude, its ratio to the control's (NaN without a control) and the ITC.
``category`` (channels only)
    ``"shared"`` (sentence and phrase significant), ``"sentence"``, ``"phrase"`` or ``"none"``.
    Other levels (e.g. ``"unit"``) are tested and reported but do not make categories.

``control_*`` (only with ``control_hz``)
    The same test at untagged control ("fake") frequencies, Benjamini–Hochberg-corrected as its
    own family, over ``(*channels, control_level)`` with coord ``control_freq``: every variable
    above with the prefix ``control_`` (e.g. ``control_q``, ``control_significant``). The main
    family is unchanged by it; see :mod:`hftp.tagging.controls`.

The level coord carries ``freq`` (Hz). attrs hold the mode and its parameters, ``min_snr``,
``conjunction`` and ``excluded_neighbour_hz`` (the bins left out of every neighbour set: the tagged
frequencies and their harmonics). Trial counts may differ between channels (pooled subjects). The same code runs
on model spectra (channels ``layer, neuron``) and brain spectra (channels ``channel``).
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from hftp import spectral as sp
from hftp._validation import (
    InvalidValueError,
    check_float,
    check_fraction_open,
    check_int,
    check_option,
    check_type,
    did_you_mean,
)
from hftp.spectral.accessor import check_spectra
from hftp.spectral.splits import has_splits, pool_splits, split_half
from hftp.tagging.base import TagInputs, bh_fdr
from hftp.tagging.calibrated import DEFAULT_SPECIFICITY, SPECIFICITY, TAG_TESTS, calibrated_mode
from hftp.tagging.controls import CONTROL_PREFIX, check_trial_tests, resolve_control_hz
from hftp.tagging.paper import paper_mode
from hftp.tagging.profile import (  # noqa: F401  (_check_tagged: used by hftp.tagging.compare)
    _check_tagged,
    categories,
    category_fractions,
    layer_profile,
    overlap,
    snr_curve,
)

__all__ = [
    "find_tagged",
    "MODES",
    "MODE_PARAMS",
    "categories",
    "category_fractions",
    "layer_profile",
    "overlap",
    "snr_curve",
    "harmonic_bins",
]

logger = logging.getLogger("hftp")


MODES = {"calibrated": calibrated_mode, "paper": paper_mode}


def _check_condition(name: str, value, conditions: list[str]) -> str:
    check_type(name, value, str, "a condition name (str)")
    return check_option(name, value, conditions, fix="Choose one of the spectra's conditions.")


def _resolve_freqs(spectra, freqs, levels, rate: float):
    if freqs is None:
        freqs = spectra.hftp.tagged_hz
    check_type("freqs", freqs, Mapping, "a dict mapping level to Hz, e.g. {'sentence': 1.0}")
    freqs = {str(k): check_float(f"freqs ({k})", v) for k, v in freqs.items()}
    if not freqs:
        raise InvalidValueError(
            "Invalid value for 'freqs': no tagged frequencies (the spectra's tagged_hz is empty). "
            "Pass freqs={'sentence': 1.0, 'phrase': 2.0} or similar."
        )
    if levels is None:
        levels = list(freqs)
    else:
        if isinstance(levels, str):
            levels = [levels]
        for lv in levels:
            check_option("levels", lv, list(freqs))
        levels = list(dict.fromkeys(levels))
    axis = spectra["freq"].values
    bins = []
    for lv in levels:
        f = freqs[lv]
        name = f"freqs ({lv})"
        if f <= 0 or f > rate / 2 * (1 + 1e-9):
            raise InvalidValueError(
                f"Invalid value for {name!r}: {f} Hz is outside (0, {rate / 2}] Hz, the range up to the "
                f"Nyquist frequency of a {rate} Hz rate. Choose a tagged frequency below Nyquist."
            )
        bins.append(sp.bin_index(axis, f, name=name))
    return levels, np.array([freqs[lv] for lv in levels]), np.array(bins)


#: The parameters each mode accepts in ``mode_params``, with their defaults.
MODE_PARAMS: dict[str, dict[str, Any]] = {
    "calibrated": {
        "measure": None,
        "specificity": None,
        "n_permutations": 1000,
        "n_neighbors": 3,
        "skip": 1,
    },
    "paper": {
        "n_permutations": 1000,
        "n_groups": 10,
        "z_threshold": 2.0,
        "percentile": 95.0,
        "n_neighbors": 3,
        "skip": 1,
    },
}
# what a mode does not use still needs a value in TagInputs
_UNUSED = {
    "measure": "evoked",
    "specificity": None,
    "n_groups": 10,
    "z_threshold": 2.0,
    "percentile": 95.0,
}


def _mode_params(mode: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    if given is None:
        given = {}
    check_type(
        "mode_params",
        given,
        Mapping,
        "a dict of the mode's parameters, e.g. {'n_permutations': 500}",
    )
    allowed = MODE_PARAMS[mode]
    for key in given:
        if key not in allowed:
            others = [m for m, ps in MODE_PARAMS.items() if key in ps]
            where = f" It belongs to mode={others[0]!r}." if others else ""
            listed = ", ".join(repr(k) for k in allowed)
            raise InvalidValueError(
                f"Invalid value for 'mode_params': mode={mode!r} accepts {listed}; got {key!r}."
                f"{did_you_mean(key, allowed)}{where}"
            )
    return {**_UNUSED, **allowed, **dict(given)}


def harmonic_bins(freq_axis: np.ndarray, tagged_hz) -> np.ndarray:
    """Indices of the bins on ``freq_axis`` at a tagged frequency or one of its harmonics.

    Parameters
    ----------
    freq_axis : ndarray, shape (n_freq,)
        The Spectra's frequencies (Hz, no DC).
    tagged_hz : iterable of float

    Returns
    -------
    idx : ndarray of int, sorted
    """
    axis = np.asarray(freq_axis, dtype=float)
    if axis.size == 0:
        return np.zeros(0, int)
    df = axis[1] - axis[0] if axis.size > 1 else axis[0]
    out = set()
    for f in tagged_hz:
        f = float(f)
        if f <= 0:
            continue
        for h in np.arange(f, axis[-1] + df / 2, f):
            i = int(np.argmin(np.abs(axis - h)))
            if abs(axis[i] - h) <= 1e-6 * max(1.0, h):
                out.add(i)
    return np.array(sorted(out), dtype=int)


def find_tagged(
    spectra,
    condition: str,
    control: str | None = None,
    *,
    mode: str = "calibrated",
    q: float = 0.05,
    freqs: Mapping[str, float] | None = None,
    levels=None,
    seed: int = 0,
    min_snr: float = 0.0,
    mode_params: Mapping[str, Any] | None = None,
    control_hz: Mapping[str, float] | None = None,
):
    """Find the channels (neurons or electrodes) tagged at the sentence and phrase rates.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra, dims ``(condition, *channels, freq)`` (from ``hftp.probe``, ``hftp.brain_spectra`` or
        ``hftp.make_spectra``). ``n_trials`` may have dims ``(condition, *channels)`` (pooled
        subjects with different trial counts). With a ``split`` dim (``probe(..., split=True)``)
        the result adds ``replicated``.
    condition : str
        The experimental condition.
    control : str, optional
        The control condition for the specificity test (required in paper mode).
    mode : {"calibrated", "paper"}
        A key of ``MODES``. ``"calibrated"`` (default): tests valid under their nulls, with
        Benjamini–Hochberg at ``q`` over the conjunction (see :mod:`hftp.tagging.calibrated`).
        ``"paper"``: An et al.'s two-stage procedure, for comparison with published numbers only
        (see :mod:`hftp.tagging.paper` for its weaknesses). Its ``q`` is NaN.
    q : float
        FDR level in (0, 1). Default 0.05.
    freqs : dict of str to float, optional
        Level → Hz to test. Default: the spectra's tagged frequencies (``spectra.hftp.tagged_hz``).
        Each must lie on an exact bin, at or below Nyquist.
    levels : str or list of str, optional
        Levels (keys of ``freqs``) to test. Default all. Only sentence and phrase make categories.
    seed : int
        Seed of the permutations. Default 0.
    min_snr : float
        Effect-size floor: ``significant`` also needs ``snr >= min_snr``. Default 0 (no floor;
        ``significant == significant_fdr``). :func:`hftp.tagging.snr_curve` shows the fraction
        over a range of floors.
    mode_params : dict, optional
        The mode's own parameters (``MODE_PARAMS[mode]`` lists them with their defaults; see
        below).
    control_hz : dict of str to float, optional
        Control ("fake") frequencies, name → Hz, e.g. ``{"fake": 1.3}``: untagged bins where the
        same test runs as at the tagged levels, with its own Benjamini–Hochberg family at ``q``
        (all channels × control frequencies). The main family's results are identical with or
        without them. The result adds ``control_*`` variables over ``(*channels,
        control_level)``; report beside the main result the raw rate ``(control_p < q).mean()``
        (about ``q`` when calibrated) and ``control_significant.mean()`` (the false-tag rate
        after BH), e.g. with :func:`hftp.tagging.controls.control_rates`. Each must lie on an exact bin in (0, Nyquist] and must not be a tagged
        frequency or one of their harmonics. With a control condition, the trial-level tests
        (``specificity="permutation"`` or ``"induced"``, paper mode) need per-trial values
        there, which spectra keep only at tagged frequencies: use the analytic
        ``specificity="evoked"`` (the default for ``measure="evoked"``). With a ``split`` dim,
        the control family gets its own ``control_replicated``. Default None (no control
        family). See :mod:`hftp.tagging.controls`.

    The mode's parameters (keys of ``mode_params``):

    measure : {"evoked", "itc-neighbour", "itc"}, optional
        (calibrated) Tagging test: ``"evoked"`` (spectral F-test on the evoked spectrum; the
        default for model and brain spectra), ``"itc-neighbour"`` (phase consistency against the
        neighbour bins) or ``"itc"`` (plain Rayleigh test, no neighbour control; warned against
        for models).
    specificity : {"evoked", "permutation", "induced"}, optional
        (calibrated) Specificity test against ``control``. Default: the one that measures what the
        tagging test measures: ``"evoked"`` (analytic test of the evoked power) for
        ``measure="evoked"``, ``"permutation"`` (ITC difference) for the ITC measures.
        ``"induced"`` (Welch on single-trial amplitudes; alias ``"welch"``) measures induced power.
    n_permutations : int
        Permutations for paper mode's stage 1 and the permutation specificity test. Default 1000.
    n_neighbors, skip : int
        Neighbour bins per side and adjacent bins skipped (F-test and SNR). Defaults 3 and 1.
    n_groups : int
        (paper) Stage 2: trial groups in stage 2. Default 10.
    z_threshold : float
        (paper) Stage-2 z threshold. Default 2.
    percentile : float
        (paper) Stage-1 null percentile. Default 95.

    Returns
    -------
    tagged : xarray.Dataset
        Dims ``(*channels, level)``; see the module docstring for the variables.
    """
    import xarray as xr

    check_spectra(spectra)
    conditions = [str(c) for c in spectra["condition"].values]
    condition = _check_condition("condition", condition, conditions)
    if control is not None:
        control = _check_condition("control", control, conditions)
        if control == condition:
            raise InvalidValueError(
                f"Invalid value for 'control': it equals 'condition' ({condition!r}). "
                "Choose a different control condition."
            )
    check_option("mode", mode, MODES)
    q = check_fraction_open("q", q)
    seed = check_int("seed", seed, min_value=0)
    min_snr = check_float("min_snr", min_snr, min_value=0.0)
    params = _mode_params(mode, mode_params)
    measure, specificity = params["measure"], params["specificity"]
    n_permutations = check_int("n_permutations", params["n_permutations"], min_value=1)
    n_neighbors = check_int("n_neighbors", params["n_neighbors"], min_value=1)
    skip = check_int("skip", params["skip"], min_value=0)
    n_groups = check_int("n_groups", params["n_groups"], min_value=2)
    z_threshold = check_float("z_threshold", params["z_threshold"])
    percentile = check_float("percentile", params["percentile"], min_value=0, max_value=100)
    kind = spectra.hftp.kind
    if measure is None:
        measure = "evoked"
    check_option("measure", measure, TAG_TESTS)
    if specificity is None:
        specificity = DEFAULT_SPECIFICITY[measure]
    check_option("specificity", specificity, SPECIFICITY)
    if mode == "paper" and control is None:
        raise InvalidValueError(
            "Invalid value for 'control': paper mode needs a control condition for its stage 2 "
            "(experiment minus control); got None. Pass control='within-shuffle' (or another "
            "condition), or use mode='calibrated'."
        )
    if measure == "itc" and kind != "brain" and mode == "calibrated":
        warnings.warn(
            "measure='itc' (Rayleigh test) is not valid alone on model responses: deterministic "
            "position effects repeat in every trial and make the phase consistent at every frequency. "
            "Use measure='evoked' (the spectral F-test).",
            UserWarning,
            stacklevel=2,
        )
    rate = spectra.hftp.sfreq
    levels, fr, bins = _resolve_freqs(spectra, freqs, levels, rate)
    channels = spectra.hftp.channel_dims
    all_tagged = set(spectra.hftp.tagged_hz.values()) | set(fr.tolist())
    exclude = harmonic_bins(spectra["freq"].values, sorted(all_tagged))
    ctrl_names, ctrl_hz, ctrl_bins = resolve_control_hz(
        control_hz,
        freq_axis=spectra["freq"].values,
        rate=rate,
        tagged_hz={**spectra.hftp.tagged_hz, **dict(zip(levels, fr.tolist(), strict=True))},
        levels=levels,
        excluded=exclude,
    )
    check_trial_tests(
        spectra, ctrl_names, ctrl_hz, mode=mode, control=control, specificity=specificity
    )

    def inputs(s, levels=levels, fr=fr, bins=bins):
        return TagInputs(
            spectra=s,
            condition=condition,
            control=control,
            levels=levels,
            freqs=fr,
            bins=bins,
            real=sp.is_real_bin(fr, rate),
            rate=rate,
            channel_dims=channels,
            channel_shape=tuple(spectra.sizes[d] for d in channels),
            n_freq=spectra.sizes["freq"],
            measure=measure,
            specificity=specificity,
            q=q,
            seed=seed,
            n_permutations=n_permutations,
            n_neighbors=n_neighbors,
            skip=skip,
            n_groups=n_groups,
            z_threshold=z_threshold,
            percentile=percentile,
            exclude=exclude,
        )

    split = has_splits(spectra)
    inp = inputs(pool_splits(spectra) if split else spectra)
    logger.info("find_tagged: mode=%s, %d channels × %d levels", mode, inp.n_channels, len(levels))
    res = _run(inp, mode, min_snr)
    if split and mode == "calibrated":
        res["replicated"] = _replicated(
            [_run(inputs(split_half(spectra, i)), mode, min_snr) for i in (0, 1)], q
        )
    if np.isnan(res["p"]).all():
        warnings.warn(
            "find_tagged: every p-value is NaN (the spectra hold only NaN or zeros at the tested "
            "bins); nothing can be significant. Check the input activations or recordings.",
            UserWarning,
            stacklevel=2,
        )
    shape = (*inp.channel_shape, len(levels))
    dims = (*channels, "level")
    data = {k: (dims, np.asarray(v).reshape(shape)) for k, v in res.items()}
    if ctrl_names:  # the control family: the same test, its own BH (a separate run)
        cspec = pool_splits(spectra) if split else spectra
        cres = _run(inputs(cspec, ctrl_names, ctrl_hz, ctrl_bins), mode, min_snr)
        if split and mode == "calibrated":
            halves = [
                inputs(split_half(spectra, i), ctrl_names, ctrl_hz, ctrl_bins) for i in (0, 1)
            ]
            cres["replicated"] = _replicated([_run(h, mode, min_snr) for h in halves], q)
        cshape = (*inp.channel_shape, len(ctrl_names))
        cdims = (*channels, "control_level")
        for k, v in cres.items():
            data[CONTROL_PREFIX + k] = (cdims, np.asarray(v).reshape(cshape))
    coords = {d: spectra[d].values for d in channels if d in spectra.coords}
    for name, c in spectra.coords.items():
        if name not in coords and c.dims and set(c.dims) <= set(channels):
            coords[name] = (c.dims, c.values)
    coords["level"] = levels
    coords["freq"] = ("level", fr)
    if ctrl_names:
        coords["control_level"] = ctrl_names
        coords["control_freq"] = ("control_level", ctrl_hz)
    ds = xr.Dataset(data, coords=coords)
    ds["category"] = categories(ds["significant"])
    ds["snr"].attrs = _snr_attrs(measure, n_neighbors, skip)
    if ctrl_names:
        ds[CONTROL_PREFIX + "snr"].attrs = _snr_attrs(measure, n_neighbors, skip)
    attrs = {k: v for k, v in spectra.attrs.items() if isinstance(v, str | int | float)}
    attrs.update(
        mode=mode,
        condition=condition,
        control=control if control is not None else "none",
        q=q,
        seed=seed,
        min_snr=min_snr,
        measure=measure,
        specificity=specificity if control is not None else "none",
        conjunction="intersection-union"
        if control is not None and mode == "calibrated"
        else "none",
        n_permutations=n_permutations,
        n_neighbors=n_neighbors,
        skip=skip,
        excluded_neighbour_hz=json.dumps(
            [round(float(spectra["freq"].values[i]), 9) for i in exclude]
        ),
        replication="split halves: select on 0, confirm on 1" if split else "none",
        control_hz=json.dumps(dict(zip(ctrl_names, ctrl_hz.tolist(), strict=True))),
        control_family="own Benjamini-Hochberg family at q" if ctrl_names else "none",
    )
    if mode == "paper":
        attrs.update(n_groups=n_groups, z_threshold=z_threshold, percentile=percentile)
    ds.attrs = attrs
    return ds


def _snr_attrs(measure: str, n_neighbors: int, skip: int) -> dict[str, str | int]:
    """What the ``snr`` variable is: which quantity, and over which neighbour bins."""
    kind = "itc" if measure == "itc" else "amplitude"
    what = (
        "inter-trial phase coherence |mean unit phase|"
        if kind == "itc"
        else "evoked amplitude |mean complex coefficient|"
    )
    return {
        "snr_kind": kind,
        "long_name": f"{kind} SNR",
        "description": (
            f"{what} at the tagged bin divided by its mean over {n_neighbors} neighbouring bins "
            f"on each side (skipping {skip} adjacent bin(s)), in the tested condition"
        ),
        "n_neighbors": int(n_neighbors),
        "skip": int(skip),
    }


def _run(inp: TagInputs, mode: str, min_snr: float) -> dict[str, np.ndarray]:
    res = MODES[mode](inp)
    res.update(_effect_sizes(inp))
    if "sig_p" not in res:  # paper mode
        res["tagged"] = res["significant"]
    res["significant_fdr"] = res["significant"]
    with np.errstate(invalid="ignore"):
        res["significant"] = res["significant_fdr"] & (np.nan_to_num(res["snr"]) >= min_snr)
    return res


def _replicated(halves: list[dict[str, np.ndarray]], q: float) -> np.ndarray:
    """Selected on half 0 (significant), confirmed on half 1 by BH over the selected only."""
    sel = halves[0]["significant"]
    out = np.zeros_like(sel, dtype=bool)
    if sel.any():
        p1 = halves[1]["sig_p"][sel]
        out[sel] = bh_fdr(p1) <= q
    return out


def _effect_sizes(inp: TagInputs) -> dict[str, np.ndarray]:
    """SNR of the primary measure, evoked amplitude, exp/ctrl amplitude ratio and ITC per level."""
    L = len(inp.levels)
    out = {k: np.full((inp.n_channels, L), np.nan) for k in ("snr", "amplitude", "amplitude_ratio")}
    out["itc"] = np.full((inp.n_channels, L), np.nan)
    var = "sum_x" if inp.measure == "evoked" else "sum_phase"
    n = np.maximum(inp.n_trials(inp.condition), 1)
    for j in range(L):
        i = int(inp.bins[j])
        nb = inp.neighbours(j)
        idx = [i]
        m = np.abs(inp.spectrum(var, inp.condition, np.r_[i, nb]))
        with np.errstate(invalid="ignore", divide="ignore"):
            if nb.size:
                snr = m[:, 0] / m[:, 1:].mean(axis=1)
                # amplitude per degree of freedom at the real-valued Nyquist bin
                out["snr"][:, j] = snr / np.sqrt(2.0) if inp.real[j] else snr
            amp = np.abs(inp.evoked(inp.condition, idx)[:, 0])
            out["amplitude"][:, j] = amp
            if inp.control is not None:
                out["amplitude_ratio"][:, j] = amp / np.abs(inp.evoked(inp.control, idx)[:, 0])
            out["itc"][:, j] = np.abs(inp.spectrum("sum_phase", inp.condition, idx)[:, 0]) / n
    return out
