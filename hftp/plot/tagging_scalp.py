"""A ``find_tagged`` result on the scalp: one value and one mark per 10–20 label.

:func:`tagging_by_label` reduces a brain tagging result at one level to what
:func:`hftp.plot.plot_topomap` draws. Participants pooled with :func:`hftp.concat_subjects` have
channels ``"<subject>/<name>"`` and a ``label`` coord (the plain 10–20 name); each label then
gets the mean of the coloured variable over the participants tested there, and the number of
participants in which it is significant. Without pooling, each channel is its own label.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError, did_you_mean

__all__ = ["ScalpTagging", "tagging_by_label", "is_tagging_result"]

#: What a find_tagged result needs to be drawn on the scalp.
_REQUIRED = ("significant",)


class ScalpTagging(NamedTuple):
    """One entry per 10–20 label, in order of first appearance."""

    names: list[str]
    values: np.ndarray  # the coloured variable, mean over tested participants
    n_significant: np.ndarray  # participants significant at the label
    n_tested: np.ndarray  # participants with a finite p-value at the label
    level: str
    freq: float
    colour_label: str
    n_participants: int


def is_tagging_result(values) -> bool:
    """Whether ``values`` looks like a ``find_tagged`` result (a Dataset with a ``level`` dim).

    Parameters
    ----------
    values : object
        What :func:`hftp.plot.plot_topomap` was given.

    Returns
    -------
    bool
        True for an ``xarray.Dataset`` with a ``level`` dim and no ``rho`` (an alignment result
        has ``rho``).
    """
    import xarray as xr

    return isinstance(values, xr.Dataset) and "rho" not in values and "level" in values.dims


def _labels(da, dim: str) -> list[str]:
    if "label" in da.coords and da["label"].dims == (dim,):
        return [str(v) for v in da["label"].values]
    return [str(c).rsplit("/", 1)[-1] for c in da[dim].values]


def tagging_by_label(result, level: str | None, variable: str) -> ScalpTagging:
    """Reduce a brain ``find_tagged`` result at one level to one value per scalp label.

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`hftp.find_tagged` on brain spectra: dims ``(channel, level)`` with
        ``significant`` and the coloured variable.
    level : str or None
        The level to draw. None: the only level (an error when there are several).
    variable : str
        A numeric variable over ``(channel, level)`` (``"snr"``, ``"itc"``, ``"amplitude"``,
        ...), averaged over the participants tested at each label; or ``"significant"``: the
        fraction of the tested participants in which the label is significant.

    Returns
    -------
    scalp : ScalpTagging
        One entry per label (n_labels = the distinct 10–20 names): ``names``, ``values``
        (n_labels,), ``n_significant`` and ``n_tested`` (n_labels,), the level, its frequency,
        the colour-bar label and the number of participants.
    """
    import pandas as pd

    missing = [v for v in _REQUIRED if v not in result]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'values': expected a find_tagged result with {list(_REQUIRED)} "
            f"or an alignment result with 'rho'; missing {missing} (it has "
            f"{sorted(map(str, result.data_vars))}). Pass the Dataset hftp.find_tagged returns."
        )
    levels = [str(v) for v in result["level"].values]
    if level is None:
        if len(levels) != 1:
            raise InvalidValueError(
                f"Invalid value for 'level': the tagging result has levels {levels}; expected "
                f"one of them, got None. Pass e.g. level={levels[-1]!r}."
            )
        level = levels[0]
    if not isinstance(level, str) or level not in levels:
        raise InvalidValueError(
            f"Invalid value for 'level': expected one of the result's levels {levels}; got "
            f"{level!r}.{did_you_mean(level, levels)} Choose a tested level."
        )
    if not isinstance(variable, str):
        raise InvalidTypeError(
            f"Invalid type for 'variable': expected a variable name (str), e.g. 'snr'; got "
            f"{type(variable).__name__}."
        )
    drawable = [
        str(v)
        for v, da in result.data_vars.items()
        if "level" in da.dims and (da.dtype.kind in "fiu" or str(v) == "significant")
    ]
    if variable not in drawable:
        raise InvalidValueError(
            f"Invalid value for 'variable': expected a numeric variable over level, one of "
            f"{drawable}; got {variable!r}.{did_you_mean(variable, drawable)}"
        )
    sig = result["significant"].sel(level=level)
    dims = [d for d in sig.dims]
    if len(dims) != 1:
        raise InvalidValueError(
            f"Invalid value for 'values': a topomap needs one channel dim (a brain result, dims "
            f"(channel, level)); got channel dims {tuple(dims)}. Model results have no scalp: "
            "use hftp.plot.plot_layer_profile."
        )
    dim = dims[0]
    pname = "sig_p" if "sig_p" in result else "p" if "p" in result else variable
    tested = np.isfinite(np.asarray(result[pname].sel(level=level).values, dtype=float))
    raw = np.asarray(result[variable].sel(level=level).values, dtype=float)
    df = pd.DataFrame(
        {
            "label": _labels(sig, dim),
            "value": np.where(tested, raw, np.nan),
            "sig": np.asarray(sig.values, bool) & tested,
            "tested": tested,
        }
    )
    g = df.groupby("label", sort=False)
    counts = g["tested"].sum()
    n_tested = counts.to_numpy(int)
    n_sig = g["sig"].sum().to_numpy(int)
    if variable == "significant":
        with np.errstate(invalid="ignore", divide="ignore"):
            vals = np.where(n_tested > 0, n_sig / np.maximum(n_tested, 1), np.nan)
    else:
        vals = g["value"].mean().to_numpy(float)  # NaNs (untested) skipped
    n_part = int(n_tested.max()) if n_tested.size else 0
    freq = float(result["freq"].sel(level=level)) if "freq" in result.coords else float("nan")
    at = f" at {freq:g} Hz ({level})" if np.isfinite(freq) else f" ({level})"
    if variable == "significant":
        what = ("fraction of participants significant" if n_part > 1 else "significant") + at
    else:
        what = str(result[variable].attrs.get("long_name", variable)) + at
        if n_part > 1:
            what += f", mean of {n_part}"
    return ScalpTagging(
        names=[str(k) for k in counts.index],
        values=vals,
        n_significant=n_sig,
        n_tested=n_tested,
        level=level,
        freq=freq,
        colour_label=what,
        n_participants=n_part,
    )
