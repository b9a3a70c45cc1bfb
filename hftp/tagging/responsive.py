"""Responsive channels: :func:`hftp.find_tagged` per condition, as one tidy table.

The brain side reads recordings into a Spectra; which of its channels respond is decided here, by
the same tagging statistics as for model neurons, with each channel's anatomy beside its verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hftp._validation import check_option
from hftp.spectral.accessor import check_spectra
from hftp.tagging.pipeline import find_tagged

__all__ = ["responsive_channels"]

#: Channel coords copied into the table when the Spectra has them.
_ANATOMY = ("subject", "region", "atlas_label", "hemisphere", "x", "y", "z")


def responsive_channels(
    spectra,
    conditions: Sequence[str] | None = None,
    control: str | None = None,
    *,
    q: float = 0.05,
    **kwargs: Any,
):
    """Responsive-channel table: :func:`hftp.find_tagged` (ITC, FDR across channels) per condition.

    Parameters
    ----------
    spectra : xarray.Dataset
        A brain Spectra, dims ``(condition, channel, freq)`` (from :func:`hftp.brain_spectra`).
    conditions : list of str, optional
        Conditions to test (default all but ``control``).
    control : str, optional
        Control condition for the specificity test.
    q : float
        FDR level. Default 0.05.
    **kwargs
        Passed to :func:`hftp.find_tagged`.

    Returns
    -------
    table : pandas.DataFrame
        One row per condition × channel × level (n_conditions · n_channels · n_levels rows):
        ``condition, channel, level, freq`` (Hz), the per-level tagging variables (``statistic,
        p, q, significant``, ...), ``category``, then ``subject, region, atlas_label,
        hemisphere, x, y, z`` where the Spectra has them.

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra((6,), conditions=("sentences", "random-words"),
    ...                           planted_in=("sentences",), plant={"sentence": [0, 1]},
    ...                           amplitude=0.6, seed=1)
    >>> table = hftp.responsive_channels(spectra)
    >>> table[table["significant"]][["condition", "channel", "level"]]
       condition  channel     level
    0  sentences        0  sentence
    2  sentences        1  sentence
    """
    import pandas as pd

    check_spectra(spectra)
    allc = [str(c) for c in spectra["condition"].values]
    conds = [c for c in allc if c != control] if conditions is None else list(conditions)
    for c in conds:
        check_option("conditions", c, allc)
    frames = []
    for c in conds:
        res = find_tagged(spectra, condition=c, control=control, q=q, **kwargs)
        per_level = [v for v in res.data_vars if res[v].dims == ("channel", "level")]
        df = res[per_level].to_dataframe().reset_index()
        df["freq"] = df["level"].map(
            dict(zip(res["level"].values, res["freq"].values, strict=True))
        )
        df = df[["channel", "level", "freq", *per_level]]
        if "category" in res:
            df["category"] = df["channel"].map(
                dict(zip(res["channel"].values, res["category"].values, strict=True))
            )
        info = pd.DataFrame(
            {k: spectra[k].values for k in _ANATOMY if k in spectra.coords},
            index=spectra["channel"].values,
        )
        df = df.join(info, on="channel")
        df.insert(0, "condition", c)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)
