"""Tagging statistics: which channels (model neurons or brain channels) follow the tagged rates.

:func:`find_tagged` runs one of the modes in ``MODES`` on a Spectra (see :mod:`hftp.spectral`) and
returns an ``xarray.Dataset`` over ``(*channels, level)``:

``statistic``, ``p``, ``q``, ``significant`` (bool)
    The tagging test per channel and level (its q-value from Benjamini–Hochberg over all channels ×
    levels). In calibrated mode with a control, ``significant`` = tagged AND specific, and the
    specificity test adds ``spec_statistic``, ``spec_p``, ``spec_q``, ``tagged``, ``specific``.
``snr``, ``amplitude``, ``amplitude_ratio``, ``itc``
    Effect sizes in the experimental condition at the tagged bin: the SNR of the primary measure
    (evoked amplitude, or ITC for ``measure="itc"``) against its neighbour bins, the evoked
    amplitude, its ratio to the control's (NaN without a control) and the ITC.
``category`` (channels only)
    ``"shared"`` (sentence and phrase significant), ``"sentence"``, ``"phrase"`` or ``"none"``.
    Other levels (e.g. ``"unit"``) are tested and reported but do not make categories.

The level coord carries ``freq`` (Hz). attrs hold the mode and its parameters. The same code runs
on model spectra (channels ``layer, neuron``) and brain spectra (channels ``channel``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from hftp import spectral as sp
from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    check_float,
    check_fraction_open,
    check_int,
    check_option,
    check_type,
    did_you_mean,
)
from hftp.spectral.accessor import check_spectra
from hftp.tagging.base import CATEGORIES, TagInputs
from hftp.tagging.calibrated import SPECIFICITY, TAG_TESTS, calibrated_mode
from hftp.tagging.paper import paper_mode

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
    mode_params: Mapping[str, Any] | None = None,
):
    """Find the channels (neurons or channels) tagged at the sentence and phrase rates.

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra, dims ``(condition, *channels, freq)`` (from ``hftp.probe``, ``hftp.brain_spectra`` or
        ``hftp.make_spectra``).
    condition : str
        The experimental condition.
    control : str, optional
        The control condition for the specificity test (required in paper mode).
    mode : {"calibrated", "paper"}
        A key of ``MODES``. ``"calibrated"`` (default): tests valid under their nulls, with
        Benjamini–Hochberg at ``q`` (see :mod:`hftp.tagging.calibrated`). ``"paper"``: An et al.'s
        two-stage procedure, for comparison with published numbers only (see :mod:`hftp.tagging.paper`
        for its weaknesses: no multiple-comparison correction, a null that ignores between-shuffle
        variance, a z threshold whose meaning depends on the stage-1 pass rate, phrase candidates
        that include sentence harmonics). Its ``q`` is NaN.
    q : float
        FDR level in (0, 1). Default 0.05.
    freqs : dict of str to float, optional
        Level → Hz to test. Default: the spectra's tagged frequencies (``hftp.spectral.tagged_hz``).
        Each must lie on an exact bin, at or below Nyquist.
    levels : str or list of str, optional
        Levels (keys of ``freqs``) to test. Default all. Only sentence and phrase make categories.
    seed : int
        Seed of the permutations. Default 0.
    mode_params : dict, optional
        The mode's own parameters (``MODE_PARAMS[mode]`` lists them with their defaults):

    measure : {"evoked", "itc"}, optional
        (calibrated) Tagging test: ``"evoked"`` (spectral F-test on the evoked spectrum; default
        for model spectra) or ``"itc"`` (Rayleigh test; default for brain spectra, warned against
        for models).
    n_permutations : int
        Permutations for paper mode's stage 1 and the permutation specificity test. Default 1000.
    specificity : {"welch", "permutation"}, optional
        Specificity test against ``control``. Default ``"welch"`` for ``measure="evoked"`` and
        ``"permutation"`` (ITC difference) for ``measure="itc"``.
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
    params = _mode_params(mode, mode_params)
    measure, specificity = params["measure"], params["specificity"]
    n_permutations, n_neighbors, skip = (
        params["n_permutations"],
        params["n_neighbors"],
        params["skip"],
    )
    n_groups, z_threshold, percentile = (
        params["n_groups"],
        params["z_threshold"],
        params["percentile"],
    )
    n_permutations = check_int("n_permutations", n_permutations, min_value=1)
    n_neighbors = check_int("n_neighbors", n_neighbors, min_value=1)
    skip = check_int("skip", skip, min_value=0)
    n_groups = check_int("n_groups", n_groups, min_value=2)
    z_threshold = check_float("z_threshold", z_threshold)
    percentile = check_float("percentile", percentile, min_value=0, max_value=100)
    kind = str(spectra.attrs.get("kind", "model"))
    if measure is None:
        measure = "itc" if kind == "brain" else "evoked"
    check_option("measure", measure, TAG_TESTS)
    if specificity is None:
        specificity = "permutation" if measure == "itc" else "welch"
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
    inp = TagInputs(
        spectra=spectra,
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
    )
    logger.info("find_tagged: mode=%s, %d channels × %d levels", mode, inp.n_channels, len(levels))
    res = MODES[mode](inp)
    res.update(_effect_sizes(inp))
    shape = (*inp.channel_shape, len(levels))
    dims = (*channels, "level")
    data = {k: (dims, np.asarray(v).reshape(shape)) for k, v in res.items()}
    coords = {d: spectra[d].values for d in channels if d in spectra.coords}
    for name, c in spectra.coords.items():
        if name not in coords and c.dims and set(c.dims) <= set(channels):
            coords[name] = (c.dims, c.values)
    coords["level"] = levels
    coords["freq"] = ("level", fr)
    ds = xr.Dataset(data, coords=coords)
    ds["category"] = categories(ds["significant"])
    attrs = {k: v for k, v in spectra.attrs.items() if isinstance(v, str | int | float)}
    attrs.update(
        mode=mode,
        condition=condition,
        control=control if control is not None else "none",
        q=q,
        seed=seed,
        measure=measure,
        specificity=specificity if control is not None else "none",
        n_permutations=n_permutations,
        n_neighbors=n_neighbors,
        skip=skip,
    )
    if mode == "paper":
        attrs.update(n_groups=n_groups, z_threshold=z_threshold, percentile=percentile)
    ds.attrs = attrs
    return ds


def _effect_sizes(inp: TagInputs) -> dict[str, np.ndarray]:
    """SNR of the primary measure, evoked amplitude, exp/ctrl amplitude ratio and ITC per level."""
    L = len(inp.levels)
    out = {k: np.full((inp.n_channels, L), np.nan) for k in ("snr", "amplitude", "amplitude_ratio")}
    out["itc"] = np.full((inp.n_channels, L), np.nan)
    var = "sum_phase" if inp.measure == "itc" else "sum_x"
    n = max(inp.n_trials(inp.condition), 1)
    for j in range(L):
        i = int(inp.bins[j])
        nb = sp.neighbour_bins(inp.n_freq, i, inp.n_neighbors, inp.skip)
        idx = [i]
        m = np.abs(inp.spectrum(var, inp.condition, np.r_[i, nb]))
        with np.errstate(invalid="ignore", divide="ignore"):
            out["snr"][:, j] = m[:, 0] / m[:, 1:].mean(axis=1) if nb.size else np.nan
            amp = np.abs(inp.evoked(inp.condition, idx)[:, 0])
            out["amplitude"][:, j] = amp
            if inp.control is not None:
                out["amplitude_ratio"][:, j] = amp / np.abs(inp.evoked(inp.control, idx)[:, 0])
        out["itc"][:, j] = np.abs(inp.spectrum("sum_phase", inp.condition, idx)[:, 0]) / n
    return out


def categories(significant):
    """Category per channel from ``significant`` (…channels…, level): shared, sentence, phrase or none.

    Levels other than sentence and phrase are ignored; a missing level counts as not significant.
    """
    sig = significant.transpose(..., "level")
    levels = [str(v) for v in sig["level"].values]
    vals = sig.values.astype(bool)
    absent = np.zeros(vals.shape[:-1], bool)
    s = vals[..., levels.index("sentence")] if "sentence" in levels else absent
    p = vals[..., levels.index("phrase")] if "phrase" in levels else absent
    cat = np.full(s.shape, "none", dtype="<U8")
    cat[s & ~p] = "sentence"
    cat[p & ~s] = "phrase"
    cat[s & p] = "shared"
    out = sig.isel(level=0, drop=True).copy(data=cat)
    out = out.drop_vars([c for c in ("freq",) if c in out.coords])
    out.name = "category"
    return out


def _groups(tagged):
    """(column name, group labels per channel as a flat array) for a layer profile."""
    cat = tagged["category"]
    if "layer" in cat.dims:
        g = cat["layer"].broadcast_like(cat)
        return "layer", g.transpose(*cat.dims).values.ravel()
    if "region" in cat.coords:
        return "region", cat["region"].broadcast_like(cat).transpose(*cat.dims).values.ravel()
    return "group", np.full(cat.size, "all", dtype=object)


def _check_tagged(tagged, name: str = "tagged") -> None:
    import xarray as xr

    if not isinstance(tagged, xr.Dataset) or "category" not in tagged:
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected the Dataset returned by hftp.find_tagged "
            f"(with a 'category' variable); got {type(tagged).__name__}."
        )


def category_fractions(tagged) -> dict[str, float | int]:
    """The share of channels in each category over all channels, plus their count.

    Parameters
    ----------
    tagged : xarray.Dataset
        A result of :func:`find_tagged`.

    Returns
    -------
    dict
        ``{"sentence": f, "phrase": f, "shared": f, "none": f, "n_channels": n}``.
    """
    cats = np.asarray(tagged["category"].values).ravel()
    out: dict[str, float | int] = {c: float(np.mean(cats == c)) for c in CATEGORIES}
    out["n_channels"] = int(cats.size)
    return out


def layer_profile(tagged):
    """Count and proportion of channels per layer (or region) and category.

    Parameters
    ----------
    tagged : xarray.Dataset
        From :func:`find_tagged`.

    Returns
    -------
    pandas.DataFrame
        Columns ``(<group>, category, count, proportion)``, one row per group and category (all
        four categories, zeros included). ``<group>`` is ``layer`` for model results, ``region``
        for brain results with a region coord, else ``group`` with the single value ``"all"``.
        ``df.attrs["group"]`` names that column.
    """
    import pandas as pd

    _check_tagged(tagged)
    col, g = _groups(tagged)
    cat = tagged["category"].transpose(*tagged["category"].dims).values.ravel()
    df = pd.DataFrame({col: g, "category": pd.Categorical(cat, categories=list(CATEGORIES))})
    counts = df.groupby([col, "category"], observed=False).size().rename("count").reset_index()
    totals = counts.groupby(col)["count"].transform("sum")
    counts["proportion"] = counts["count"] / totals
    counts["category"] = counts["category"].astype(str)
    counts.attrs["group"] = col
    return counts


def overlap(a, b):
    """Overlap of the tagged channels of two results, per layer and category, with its chance level.

    Use it for two checkpoints of one architecture (base vs fine-tuned: is a neuron still tagged
    after training?) or two languages in one model (the same neurons for English and Chinese?).

    Parameters
    ----------
    a, b : xarray.Dataset
        From :func:`find_tagged` on the same channels (same dims and coords).

    Returns
    -------
    pandas.DataFrame
        One row per group (``layer`` for model results; see :func:`layer_profile`) and category
        (sentence, phrase, shared, and ``"tagged"``: any category but none). Columns:

        - ``n``: channels in the group; ``n_a``, ``n_b``, ``n_both``: channels in the category in a, in b,
          in both;
        - ``dice`` = 2|A∩B| / (|A| + |B|) (NaN when both sets are empty);
        - ``chance``: the Dice expected if b's channels were drawn at random with the same counts,
          2 n_a n_b / (n (n_a + n_b));
        - ``p``: hypergeometric P(|A∩B| >= n_both) under that independent selection (one-sided:
          more overlap than chance). It is discrete, hence conservative for small sets;
        - ``retention`` = n_both / n_a, the share of a's channels still in the category in b (NaN when
          a has none), and ``retention_chance`` = n_b / n, its expectation under independence.

        ``df.attrs["group"]`` names the group column.

    Notes
    -----
    For an ablation on both checkpoints, ``hftp.models.ablate({"a": model_a, "b": model_b},
    tok, stim, tagged_a)`` ablates a's tagged neurons in each; ``ablation_table`` of it has one row
    per (model, category) and merges with this table on the category
    (``ov.merge(table.rename(columns={"set": "category"}), on="category")``).
    """
    import pandas as pd
    from scipy.stats import hypergeom

    _check_tagged(a, "a")
    _check_tagged(b, "b")
    ca, cb = a["category"], b["category"]
    if ca.dims != cb.dims or ca.shape != cb.shape:
        raise InvalidValueError(
            f"Invalid value for 'b': its channels {dict(cb.sizes)} differ from those of 'a' "
            f"{dict(ca.sizes)}. Compare results on the same channels (same model architecture or channels)."
        )
    for d in ca.dims:
        if d in ca.coords and d in cb.coords and not np.array_equal(ca[d].values, cb[d].values):
            raise InvalidValueError(
                f"Invalid value for 'b': its {d!r} coordinates differ from those of 'a'. "
                "Compare results on the same channels."
            )
    col, g = _groups(a)
    va, vb = ca.values.ravel(), cb.values.ravel()
    rows = []
    for grp in pd.unique(g):
        m = g == grp
        n = int(m.sum())
        for c in ("sentence", "phrase", "shared", "tagged"):
            sa = (va[m] != "none") if c == "tagged" else (va[m] == c)
            sb = (vb[m] != "none") if c == "tagged" else (vb[m] == c)
            na, nb, nab = int(sa.sum()), int(sb.sum()), int((sa & sb).sum())
            rows.append(
                {
                    col: grp,
                    "category": c,
                    "n": n,
                    "n_a": na,
                    "n_b": nb,
                    "n_both": nab,
                    "dice": 2 * nab / (na + nb) if na + nb else np.nan,
                    "chance": 2 * na * nb / (n * (na + nb)) if na + nb else np.nan,
                    "p": float(hypergeom.sf(nab - 1, n, na, nb)),
                    "retention": nab / na if na else np.nan,
                    "retention_chance": nb / n,
                }
            )
    df = pd.DataFrame(rows)
    df.attrs["group"] = col
    return df
