"""find_tagged: which channels (model neurons or brain electrodes) follow the tagged rates.

:func:`find_tagged` is a short pipeline over the ``MODES`` registry. It checks the call, builds the
mode's frozen params record (:class:`~hftp.tagging.calibrated.CalibratedParams` or
:class:`~hftp.tagging.paper.PaperParams`) from ``mode_params``, resolves the tested levels and the
control ("fake") frequencies to exact bins, runs the mode on each family of tests (the levels; the
control frequencies as their own FDR family; the replication data, :mod:`hftp.tagging.replication`),
adds the effect sizes
and the SNR floor, and assembles one ``xarray.Dataset``. The same code runs on model spectra
(channels ``layer, neuron``) and brain spectra (channels ``channel``); trial counts may differ
between channels (pooled subjects).

The module is one idea, the pipeline of :func:`find_tagged`; it runs past 500 lines because the
function's docstring lists every result variable and attr.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, NamedTuple

import numpy as np

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
from hftp.spectral.bins import harmonic_bins
from hftp.spectral.splits import pool_splits, split_half
from hftp.tagging.calibrated import CalibratedParams, calibrated_mode, check_calibrated
from hftp.tagging.controls import CONTROL_PREFIX, check_trial_tests, resolve_control_hz
from hftp.tagging.effect import (
    EFFECT_METHOD,
    MIN_EFFECT,
    band_note,
    effect_arrays,
    selective_conjunction,
)
from hftp.tagging.inputs import TagData, check_condition, resolve_levels, warn_tokenization
from hftp.tagging.paper import PaperParams, check_paper, paper_mode
from hftp.tagging.profile import categories
from hftp.tagging.replication import confirm, describe_replication, resolve_replication

__all__ = ["find_tagged", "Mode", "MODES", "MODE_PARAMS"]

logger = logging.getLogger("hftp")


@dataclass(frozen=True)
class Mode:
    """A tagging mode: its params record, a check before any work, and the run of one family.

    Parameters
    ----------
    params : type
        A frozen dataclass built from ``mode_params`` (it checks the values); it has ``measure``,
        ``specificity``, ``n_permutations``, ``n_neighbors`` and ``skip``.
    check : callable
        ``check(spectra, control, params)``: raises or warns before any work.
    run : callable
        ``run(data, params, *, q, seed) -> dict`` of arrays (n_channels, n_levels), with at least
        ``statistic, p, q, above_neighbors, significant``.
    replicates : bool
        Whether a split Spectra gets ``replicated`` (select on one half, confirm on the other).
    conjunction : str
        How ``significant`` combines the tagging and specificity tests when there is a control
        (recorded in the result's attrs).
    """

    params: type
    check: Callable[[Any, str | None, Any], None]
    run: Callable[..., dict[str, np.ndarray]]
    replicates: bool
    conjunction: str


#: Mode name → :class:`Mode`. ``"calibrated"`` is the default.
MODES: dict[str, Mode] = {
    "calibrated": Mode(
        CalibratedParams,
        check_calibrated,
        calibrated_mode,
        replicates=True,
        conjunction="intersection-union",
    ),
    "paper": Mode(PaperParams, check_paper, paper_mode, replicates=False, conjunction="none"),
}

#: The parameters each mode accepts in ``mode_params``, with their defaults.
MODE_PARAMS: dict[str, dict[str, Any]] = {
    name: {f.name: f.default for f in fields(m.params)} for name, m in MODES.items()
}

#: What every params record has (recorded in the attrs in this order, before the mode's own).
_COMMON_PARAMS = ("measure", "specificity", "n_permutations", "n_neighbors", "skip")


@dataclass(frozen=True)
class _Call:
    """One call's checked settings: what every family of tests runs with."""

    mode: str
    params: Any
    condition: str
    control: str | None
    q: float
    seed: int
    min_snr: float
    min_effect: float
    replication: str = "none"
    replication_spectra: Any = None


class _Family(NamedTuple):
    """One family of tests' outcome: its names (levels or control frequencies), Hz and arrays."""

    names: list[str]
    hz: np.ndarray
    res: dict[str, np.ndarray]


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
    min_effect: float = MIN_EFFECT,
    replication=None,
):
    """Find the channels (neurons or electrodes) tagged at the sentence and phrase rates.

    Two verdicts answer two questions. ``significant`` (tagged AND specific) asks whether the
    response at the tagged rate differs from the control's at all: with many trials nearly every
    category-sensitive channel passes, so its share measures power, not size. ``selective``
    (tagged AND θ > δ, calibrated mode) asks whether the structure-specific amplitude θ exceeds
    ``min_effect`` SD: its share stays put as trials are added (see
    :mod:`hftp.tagging.effect`), and ``effect`` / ``effect_lower`` say how large θ is.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra, dims ``(condition, *channels, freq)`` (from ``hftp.probe``,
        ``hftp.brain_spectra`` or ``hftp.make_spectra``). ``n_trials`` may have dims
        ``(condition, *channels)`` (pooled subjects with different trial counts). With a
        ``split`` dim (``probe(..., split=True)``) the result adds ``replicated`` (see
        ``replication``).
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
        The mode's own parameters: the fields of its params record,
        :class:`~hftp.tagging.calibrated.CalibratedParams` or
        :class:`~hftp.tagging.paper.PaperParams` (``MODE_PARAMS[mode]`` lists them with their
        defaults; each is described under Other Parameters).
    control_hz : dict of str to float, optional
        Control ("fake") frequencies, name → Hz, e.g. ``{"fake": 1.3}``: untagged bins where the
        same test runs as at the tagged levels, with its own Benjamini–Hochberg family at ``q``
        (all channels × control frequencies). The main family's results are identical with or
        without them. The result adds ``control_*`` variables over ``(*channels,
        control_level)``; report beside the main result the raw rate ``(control_p < q).mean()``
        (about ``q`` when calibrated) and ``control_significant.mean()`` (the false-tag rate
        after BH), e.g. with :func:`hftp.tagging.controls.control_rates`. Each must lie on an
        exact bin in (0, Nyquist] and must not be a tagged frequency or one of their harmonics.
        With a control condition, the trial-level tests (``specificity="permutation"`` or
        ``"induced"``, paper mode) need per-trial values there, which spectra keep only at
        tagged frequencies: use the analytic ``specificity="evoked"`` (the default for
        ``measure="evoked"``). With a ``split`` dim, the control family gets its own
        ``control_replicated``. Default None (no control family). See
        :mod:`hftp.tagging.controls`.
    min_effect : float
        δ, the smallest structure-specific amplitude that counts, in SD units of the channel
        (calibrated mode; ≥ 0). Default 0.2: a sinusoid of 0.2 SD explains 2% of the channel's
        variance. ``p_effect`` tests H0: θ ≤ δ and ``selective`` needs θ > δ; recorded in the
        attrs. :func:`hftp.tagging.profile.effect_curve` shows the shares over several δ.
    replication : {"pools", "split-halves"} or xarray.Dataset, optional
        Where ``replicated`` confirms the channels (calibrated mode;
        :mod:`hftp.tagging.replication`). By default over **independent stimulus pools**
        wherever the data allow: a Spectra here (the same designs probed on stimuli of another
        seed, so other sentences) confirms what is selected on all trials of ``spectra``; a
        ``split`` dim holding two pools (``make_stimuli(..., n_pools=2)`` then
        ``probe(..., split=True)``) confirms half 1 on half 0. A ``split`` dim over the sequences
        of one pool gives ``"split-halves"`` (word orders, not items), named in the attrs;
        ``"pools"`` refuses it, ``"split-halves"`` asks for it by name. Default None.

    Other Parameters
    ----------------
    measure : {"evoked", "itc-neighbor", "itc"}, optional
        (calibrated) Tagging test: ``"evoked"`` (spectral F-test on the evoked spectrum; the
        default for model and brain spectra), ``"itc-neighbor"`` (phase consistency against the
        neighbor bins; the old spelling ``"itc-neighbour"`` warns) or ``"itc"`` (plain Rayleigh
        test, no neighbor control; warned against for models).
    specificity : {"evoked", "permutation", "induced"}, optional
        (calibrated) Specificity test against ``control``. Default: the one that measures what the
        tagging test measures: ``"evoked"`` (analytic test of the evoked power) for
        ``measure="evoked"``, ``"permutation"`` (ITC difference) for the ITC measures.
        ``"induced"`` (Welch on single-trial amplitudes; alias ``"welch"``) measures induced power.
    n_permutations : int
        Permutations for paper mode's stage 1 and the permutation specificity test. Default 1000.
    n_neighbors, skip : int
        Neighbor bins per side and adjacent bins skipped (F-test and SNR). Defaults 3 and 1.
    n_groups : int
        (paper) Stage 2: trial groups in stage 2. Default 10.
    z_threshold : float
        (paper) Stage-2 z threshold. Default 2.
    percentile : float
        (paper) Stage-1 null percentile. Default 95.

    Returns
    -------
    tagged : xarray.Dataset
        Dims ``(*channels, level)`` (``channels`` = ``layer, neuron`` or ``channel``), with coords
        ``level`` (str) and ``freq`` (Hz, on ``level``) and the Spectra's channel coords. Every
        variable below has dims ``(*channels, level)`` unless stated otherwise.

        ``statistic``, ``p`` : float
            The tagging test (calibrated: the F or Rayleigh statistic of ``measure``; paper: the
            stage-2 z and stage 1's permutation p).
        ``q`` : float
            Benjamini–Hochberg q-values of ``p`` over all channels × levels (NaN in paper mode).
        ``above_neighbors`` : bool
            The tagging test alone, ``q <= q`` (paper mode: its verdict, as ``significant``).
            hftp 0.2 called it ``tagged``; ``hftp.load`` renames it in old files.
        ``spec_statistic``, ``spec_p``, ``spec_q`` : float; ``specific`` : bool
            (calibrated, with a control) The specificity test (experiment > control), its own BH.
        ``sig_p``, ``sig_q`` : float
            (calibrated) The conjunction "above neighbors AND specific" by the
            intersection–union test: p = max(p, spec_p), BH once over all channels × levels;
            without a control, ``p`` and ``q``.
        ``significant_fdr`` : bool
            The verdict before the SNR floor: ``sig_q <= q`` (paper mode: stage 1 passed and
            z > ``z_threshold``).
        ``significant`` : bool
            ``significant_fdr`` and ``snr >= min_snr``.
        ``replicated`` : bool
            (calibrated, with replication data: see ``replication``; the attr ``replication``
            says which) Significant on the selection data (all trials of ``spectra``, or the
            first split half) and confirmed on the independent data (the other pool's Spectra,
            or the second half) by BH at ``q`` over its ``sig_p`` of the channels × levels
            selected. Everything else uses all trials of ``spectra`` pooled.
        ``stage1_amplitude``, ``stage1_threshold``, ``difference`` : float; ``stage1_pass`` : bool
            (paper) Stage 1's amplitude, its null percentile and the pass; stage 2's experiment −
            control group amplitude.
        ``snr`` : float
            The SNR of the primary measure (evoked amplitude, or ITC for ``measure="itc"``) in
            the tested condition against the same harmonic-free neighbor bins as the test; at the
            real-valued Nyquist bin divided by √2 (its amplitude per degree of freedom). Its
            attrs say which quantity and which neighbors.
        ``amplitude``, ``amplitude_ratio``, ``itc`` : float
            The evoked amplitude in the tested condition, its ratio to the control's (NaN
            without a control), and the ITC.
        ``effect`` : float
            (calibrated) θ̂, the structure-specific amplitude in SD units of the channel:
            (|μ_e| − |μ_c|) / (σ a), each |μ| the noise-debiased evoked amplitude, σ the
            channel's SD (Parseval, control), a = T/2 (T at the Nyquist bin); without a control
            |μ_e| / (σ a). See :mod:`hftp.tagging.effect`.
        ``effect_lower`` : float
            (calibrated) Its one-sided lower confidence bound at 1 − ``q``.
        ``p_effect`` : float
            (calibrated) The p-value of the interval null H0: θ ≤ ``min_effect``.
        ``effect_adjusted``, ``effect_se``, ``effect_df`` : float
            (calibrated) The test's bias-corrected centre, standard error and Welch degrees of
            freedom (``p_effect`` at any δ: :func:`hftp.tagging.effect.p_interval_null`).
        ``sel_p``, ``sel_q`` : float; ``selective`` : bool
            (calibrated) "Above neighbors AND θ > δ" by the intersection–union test:
            p = max(p, p_effect), BH once over all channels × levels at ``q``.
        ``category`` : str, dims ``(*channels,)``
            ``"shared"`` (sentence and phrase significant), ``"sentence"``, ``"phrase"`` or
            ``"none"``. Other levels (e.g. ``"unit"``) are tested but make no category.
        ``selective_category`` : str, dims ``(*channels,)``
            (calibrated) The same categories from ``selective``: the sets the ablation
            (``verdict="selective"``), :func:`~hftp.tagging.sets.overlap` and
            ``hftp.align(..., verdict="selective")`` use.
        ``control_<name>``, dims ``(*channels, control_level)``
            (with ``control_hz``) Every variable above but ``category``, at the control
            frequencies, BH-corrected as their own family; coords ``control_level`` and
            ``control_freq`` (Hz).

        attrs: the Spectra's scalar attrs, then ``mode, condition, control, q, seed, min_snr,
        measure, specificity, conjunction, n_permutations, n_neighbors, skip,
        excluded_neighbor_hz`` (the bins left out of every neighbor set: the tagged frequencies
        and their harmonics, JSON), ``replication, control_hz`` (JSON), ``control_family``, in
        calibrated mode ``min_effect, effect_alpha, effect_method, effect_sd`` (what σ covers),
        and in paper mode
        ``n_groups, z_threshold, percentile``.

    Examples
    --------
    Five channels of a 2-layer model carry a sentence-rate response, only in the sentences:

    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra(
    ...     (2, 20), conditions=("sentences", "within-shuffle"), planted_in=("sentences",),
    ...     plant={"sentence": [0, 1, 2, 20, 21]}, amplitude=0.6, seed=0)
    >>> tagged = hftp.find_tagged(spectra, condition="sentences", control="within-shuffle")
    >>> tagged["category"].dims
    ('layer', 'neuron')
    >>> tagged["category"].sel(layer=0).values[:4].tolist()
    ['sentence', 'sentence', 'sentence', 'none']
    >>> int((tagged["category"] != "none").sum())
    5
    >>> tagged["q"].dims, tagged["level"].values.tolist()
    (('layer', 'neuron', 'level'), ['sentence', 'phrase'])

    Control frequencies (untagged bins, their own FDR family) check the false-positive rate:

    >>> checked = hftp.find_tagged(spectra, "sentences", control="within-shuffle",
    ...                            control_hz={"fake": 1.4})
    >>> float(checked["control_significant"].mean())
    0.0
    """
    call = _check_call(spectra, condition, control, mode, q, seed, min_snr, mode_params, min_effect)
    kind, other = resolve_replication(
        spectra, replication, condition=call.condition, control=call.control
    )
    if other is not None:
        check_spectra(other)
    call = dataclasses.replace(call, replication=kind, replication_spectra=other)
    warn_tokenization(spectra, call.condition, call.control)
    axis = spectra["freq"].values
    names, hz, bins = resolve_levels(spectra, freqs, levels)
    exclude = harmonic_bins(axis, sorted(set(spectra.hftp.tagged_hz.values()) | set(hz.tolist())))
    ctrl_names, ctrl_hz, ctrl_bins = resolve_control_hz(
        control_hz,
        freq_axis=axis,
        sfreq=spectra.hftp.sfreq,
        tagged_hz={**spectra.hftp.tagged_hz, **dict(zip(names, hz.tolist(), strict=True))},
        levels=names,
        excluded=exclude,
    )
    check_trial_tests(
        spectra,
        ctrl_names,
        ctrl_hz,
        mode=mode,
        control=call.control,
        specificity=call.params.specificity,
    )
    logger.info(
        "find_tagged: mode=%s, %d channels × %d levels",
        mode,
        int(np.prod([spectra.sizes[d] for d in spectra.hftp.channel_dims])),
        len(names),
    )
    main = _Family(names, hz, _test_family(spectra, call, names, hz, bins, exclude))
    if np.isnan(main.res["p"]).all():
        warnings.warn(
            "find_tagged: every p-value is NaN (the spectra hold only NaN or zeros at the tested "
            "bins); nothing can be significant. Check the input activations or recordings.",
            UserWarning,
            stacklevel=2,
        )
    families = {"level": main}
    if ctrl_names:  # the control family: the same test, its own BH (a separate run)
        res = _test_family(spectra, call, ctrl_names, ctrl_hz, ctrl_bins, exclude)
        families["control_level"] = _Family(ctrl_names, ctrl_hz, res)
    return _result(spectra, call, families, exclude)


def _check_call(
    spectra, condition, control, mode, q, seed, min_snr, mode_params, min_effect
) -> _Call:
    """Check the arguments that do not name frequencies, and build the mode's params record."""
    check_spectra(spectra)
    conditions = [str(c) for c in spectra["condition"].values]
    condition = check_condition("condition", condition, conditions)
    if control is not None:
        control = check_condition("control", control, conditions)
        if control == condition:
            raise InvalidValueError(
                f"Invalid value for 'control': it equals 'condition' ({condition!r}). "
                "Choose a different control condition."
            )
    check_option("mode", mode, MODES)
    q = check_fraction_open("q", q)
    seed = check_int("seed", seed, min_value=0)
    min_snr = check_float("min_snr", min_snr, min_value=0.0)
    min_effect = check_float("min_effect", min_effect, min_value=0.0)
    params = MODES[mode].params(**_check_mode_params(mode, mode_params))
    MODES[mode].check(spectra, control, params)
    return _Call(mode, params, condition, control, q, seed, min_snr, min_effect)


def _check_mode_params(mode: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """``mode_params`` as a dict of the mode's own keys (an unknown key names its mode)."""
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
    return dict(given)


def _test_family(spectra, call: _Call, names, hz, bins, exclude) -> dict[str, np.ndarray]:
    """One family of tests on all trials, and its replication (another pool, or the halves)."""

    def data(s) -> TagData:
        return TagData(s, call.condition, call.control, tuple(names), hz, bins, exclude)

    res = _run(data(pool_splits(spectra)), call)
    if not MODES[call.mode].replicates or call.replication == "none":
        return res
    if call.replication_spectra is not None:  # select on all trials, confirm on the other pool
        res["replicated"] = confirm(
            res, _run(data(pool_splits(call.replication_spectra)), call), call.q
        )
    else:  # the split halves (two pools, or two halves of one pool): select on 0, confirm on 1
        halves = [_run(data(split_half(spectra, i)), call) for i in (0, 1)]
        res["replicated"] = confirm(halves[0], halves[1], call.q)
    return res


def _run(data: TagData, call: _Call) -> dict[str, np.ndarray]:
    """The mode's tests, the effect sizes and the SNR floor; arrays (n_channels, n_levels)."""
    res = MODES[call.mode].run(data, call.params, q=call.q, seed=call.seed)
    res.update(_effect_sizes(data, call.params))
    res["significant_fdr"] = res["significant"]
    with np.errstate(invalid="ignore"):
        res["significant"] = res["significant_fdr"] & (np.nan_to_num(res["snr"]) >= call.min_snr)
    if call.mode == "calibrated":  # how large: the interval null θ ≤ δ, and `selective`
        res.update(effect_arrays(data, min_effect=call.min_effect, alpha=call.q))
        res.update(selective_conjunction(res["p"], res["p_effect"], call.q))
    return res


def _effect_sizes(data: TagData, params) -> dict[str, np.ndarray]:
    """SNR of the primary measure, evoked amplitude, exp/ctrl amplitude ratio and ITC per level."""
    L = len(data.levels)
    shape = (data.n_channels, L)
    out = {k: np.full(shape, np.nan) for k in ("snr", "amplitude", "amplitude_ratio", "itc")}
    var = "sum_x" if params.measure == "evoked" else "sum_phase"
    n = np.maximum(data.n_trials(data.condition), 1)
    for j in range(L):
        i = int(data.bins[j])
        nb = data.neighbors(j, params.n_neighbors, params.skip)
        idx = [i]
        m = np.abs(data.spectrum(var, data.condition, np.r_[i, nb]))
        with np.errstate(invalid="ignore", divide="ignore"):
            if nb.size:
                snr = m[:, 0] / m[:, 1:].mean(axis=1)
                # amplitude per degree of freedom at the real-valued Nyquist bin
                out["snr"][:, j] = snr / np.sqrt(2.0) if data.real[j] else snr
            amp = np.abs(data.evoked(data.condition, idx)[:, 0])
            out["amplitude"][:, j] = amp
            if data.control is not None:
                out["amplitude_ratio"][:, j] = amp / np.abs(data.evoked(data.control, idx)[:, 0])
            out["itc"][:, j] = np.abs(data.spectrum("sum_phase", data.condition, idx)[:, 0]) / n
    return out


def _snr_attrs(measure: str, n_neighbors: int, skip: int) -> dict[str, str | int]:
    """What the ``snr`` variable is: which quantity, and over which neighbor bins."""
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
            f"{what} at the tagged bin divided by its mean over {n_neighbors} neighboring bins "
            f"on each side (skipping {skip} adjacent bin(s)), in the tested condition"
        ),
        "n_neighbors": int(n_neighbors),
        "skip": int(skip),
    }


def _result(spectra, call: _Call, families: dict[str, _Family], exclude: np.ndarray):
    """The families' arrays as one Dataset over ``(*channels, level)`` (and ``control_level``)."""
    import xarray as xr

    channels = spectra.hftp.channel_dims
    shape = tuple(spectra.sizes[d] for d in channels)
    data, coords = {}, {d: spectra[d].values for d in channels if d in spectra.coords}
    for name, c in spectra.coords.items():
        if name not in coords and c.dims and set(c.dims) <= set(channels):
            coords[name] = (c.dims, c.values)
    for dim, (names, hz, res) in families.items():
        prefix = "" if dim == "level" else CONTROL_PREFIX
        for k, v in res.items():
            data[prefix + k] = ((*channels, dim), np.asarray(v).reshape(*shape, len(names)))
        coords[dim] = names
        coords["freq" if dim == "level" else "control_freq"] = (dim, hz)
    ds = xr.Dataset(data, coords=coords)
    ds["category"] = categories(ds["significant"])
    if "selective" in ds:  # the categories of the channels whose effect exceeds δ
        ds["selective_category"] = categories(ds["selective"]).rename("selective_category")
    p = call.params
    for dim in families:
        prefix = "" if dim == "level" else CONTROL_PREFIX
        ds[prefix + "snr"].attrs = _snr_attrs(p.measure, p.n_neighbors, p.skip)
    attrs = {k: v for k, v in spectra.attrs.items() if isinstance(v, str | int | float)}
    has_control = call.control is not None
    ctrl = families.get("control_level", _Family([], np.zeros(0), {}))
    attrs.update(
        mode=call.mode,
        condition=call.condition,
        control=call.control if has_control else "none",
        q=call.q,
        seed=call.seed,
        min_snr=call.min_snr,
        measure=p.measure,
        specificity=p.specificity if has_control else "none",
        conjunction=MODES[call.mode].conjunction if has_control else "none",
        n_permutations=p.n_permutations,
        n_neighbors=p.n_neighbors,
        skip=p.skip,
        excluded_neighbor_hz=json.dumps(
            [round(float(spectra["freq"].values[i]), 9) for i in exclude]
        ),
        replication=describe_replication(call.replication, spectra, call.replication_spectra),
        control_hz=json.dumps(dict(zip(ctrl.names, ctrl.hz.tolist(), strict=True))),
        control_family="own Benjamini-Hochberg family at q" if ctrl.names else "none",
    )
    attrs.update({f.name: getattr(p, f.name) for f in fields(p) if f.name not in _COMMON_PARAMS})
    if call.mode == "calibrated":
        attrs.update(
            min_effect=call.min_effect,
            effect_alpha=call.q,
            effect_method=EFFECT_METHOD,
            effect_sd=band_note(spectra) or "the channel's SD (whole axis)",
        )
    ds.attrs = attrs
    return ds
