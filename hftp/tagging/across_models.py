"""Across models and languages: layer profiles on relative depth, and per-layer agreement.

:func:`relative_depth` places a model's layers on [0, 1], :func:`compare_profiles` stacks the layer
profiles of several models on that axis, and :func:`agreement` compares two results on the same
neurons, layer by layer.

Models differ in depth, so their layer profiles are compared on relative depth
``layer / (n_layers - 1)`` (0 = first layer, 1 = last). Within one architecture (two languages,
two checkpoints), the same neuron can be compared directly, per layer, in two ways:

- the Dice overlap of the two tagged sets, against its chance level: two independent sets of
  sizes ``n_a`` and ``n_b`` among ``N`` neurons share ``n_a n_b / N`` neurons on average, so chance
  Dice is ``2 n_a n_b / (N (n_a + n_b))``. When most neurons are tagged, chance Dice is close to 1
  and a high Dice says nothing;
- the Spearman rank correlation of per-neuron effect sizes (the SNR at the tagged rate), which
  keeps the information that thresholding throws away. The same correlation in the untrained
  model (same architecture, random weights) is its reference: whatever the stimuli's lexical
  statistics and the architecture impose on both results shows up there too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError
from hftp.tagging.profile import check_result, layer_profile

__all__ = ["compare_profiles", "agreement", "relative_depth"]


def relative_depth(tagged) -> np.ndarray:
    """Relative depth of each recorded layer: ``layer / (n_layers - 1)``, in [0, 1].

    ``n_layers`` is the model's layer count from the provenance (``attrs["n_layers"]``, written
    by :func:`hftp.probe`), else the highest recorded layer + 1.

    Parameters
    ----------
    tagged : xarray.Dataset
        A model result (or Spectra) with a ``layer`` coord.

    Returns
    -------
    depth : ndarray of float, shape (n_layers_recorded,)
    """
    layers = np.asarray(tagged["layer"].values, dtype=float)
    n = int(tagged.attrs.get("n_layers", layers.max() + 1))
    return layers / max(n - 1, 1)


def _named(tagged, names) -> list[tuple[str, object]]:
    import xarray as xr

    if isinstance(tagged, xr.Dataset):
        tagged = [tagged]
    if isinstance(tagged, Mapping):
        items = [(str(k), v) for k, v in tagged.items()]
    elif isinstance(tagged, Sequence) and not isinstance(tagged, str):
        items = list(tagged)
        if names is None:
            names = [str(t.attrs.get("model", f"model {i}")) for i, t in enumerate(items)]
        if len(names) != len(items):
            raise InvalidValueError(
                f"Invalid value for 'names': expected one name per result ({len(items)}); got "
                f"{len(names)}."
            )
        items = list(zip(map(str, names), items, strict=True))
    else:
        raise InvalidTypeError(
            "Invalid type for 'tagged': expected a list of hftp.find_tagged results or a dict "
            f"name -> result; got {type(tagged).__name__}."
        )
    if not items:
        raise InvalidValueError(
            "Invalid value for 'tagged': expected at least one result; got none."
        )
    seen = [n for n, _ in items]
    dup = sorted({n for n in seen if seen.count(n) > 1})
    if dup:
        raise InvalidValueError(
            f"Invalid value for 'names': several results are named {dup}. Pass a dict or "
            "names=[...] with distinct names."
        )
    return items


def compare_profiles(
    tagged,
    names: Sequence[str] | None = None,
    *,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
):
    """Layer profiles of several models on relative depth, in one long table.

    Parameters
    ----------
    tagged : list or dict of xarray.Dataset
        Results of :func:`hftp.find_tagged` on model Spectra (a ``layer`` dim).
    names : list of str, optional
        One per result when ``tagged`` is a list. Default: each result's ``attrs["model"]``.
    n_boot, ci, seed : int, float, int
        The channel bootstrap of the effect intervals (see :func:`hftp.layer_profile`).
        Defaults 1000, 0.95 and 0.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, layer, depth, n_layers, category, count, proportion``; ``depth`` is
        ``layer / (n_layers - 1)``. One row per model, layer and category. Results with effect
        sizes (calibrated mode, hftp 0.3) add the effect columns of :func:`hftp.layer_profile`
        (``selective`` with its interval; per level ``effect_median``, ``effect_p90``,
        ``effect_share`` with theirs), so that models compare on effect size, not only on the
        share ``significant`` (which grows with the number of trials).

    Examples
    --------
    >>> import hftp
    >>> from hftp.testing import planted_spectra
    >>> spectra = planted_spectra(
    ...     (2, 20), conditions=("sentences", "within-shuffle"), planted_in=("sentences",),
    ...     plant={"sentence": [0, 1, 2, 20, 21]}, amplitude=0.6, seed=0)
    >>> tagged = hftp.find_tagged(spectra, condition="sentences", control="within-shuffle")
    >>> profiles = hftp.compare_profiles({"model A": tagged, "model B": tagged.sel(layer=[0])})
    >>> profiles.columns.tolist()[:7]
    ['model', 'layer', 'depth', 'n_layers', 'category', 'count', 'proportion']
    >>> profiles.query("category == 'sentence'")[["model", "layer", "depth", "count"]]
         model  layer  depth  count
    0  model A      0    0.0      3
    4  model A      1    1.0      2
    8  model B      0    0.0      3
    """
    import pandas as pd

    frames = []
    for name, t in _named(tagged, names):
        check_result(t, f"tagged[{name!r}]")
        if "layer" not in t["category"].dims:
            raise InvalidValueError(
                f"Invalid value for 'tagged[{name!r}]': expected a model result with a 'layer' "
                f"dimension; got dims {t['category'].dims}."
            )
        prof = layer_profile(t, n_boot=n_boot, ci=ci, seed=seed)
        depth = dict(zip(t["layer"].values.tolist(), relative_depth(t), strict=True))
        prof.insert(0, "model", name)
        prof.insert(2, "depth", prof["layer"].map(depth))
        n = int(t.attrs.get("n_layers", int(t["layer"].max()) + 1))
        prof.insert(3, "n_layers", n)
        frames.append(prof)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["group"] = "layer"
    return out


def _spearman_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman correlation of each row of x with the same row of y (NaNs dropped pairwise)."""
    from scipy.stats import spearmanr

    out = np.full(x.shape[0], np.nan)
    for i in range(x.shape[0]):
        ok = np.isfinite(x[i]) & np.isfinite(y[i])
        if ok.sum() > 2 and np.ptp(x[i, ok]) > 0 and np.ptp(y[i, ok]) > 0:
            out[i] = spearmanr(x[i, ok], y[i, ok]).statistic
    return out


def _per_layer(ds, var: str, level: str) -> np.ndarray:
    da = ds[var].sel(level=level) if "level" in ds[var].dims else ds[var]
    return np.asarray(da.transpose("layer", ...).values, dtype=float).reshape(ds.sizes["layer"], -1)


def _check_pair(a, b, names=("a", "b")) -> None:
    check_result(a, names[0])
    check_result(b, names[1])
    for name, t in zip(names, (a, b), strict=True):
        if "layer" not in t["category"].dims:
            raise InvalidValueError(
                f"Invalid value for {name!r}: expected a model result with a 'layer' dimension; "
                f"got dims {t['category'].dims}."
            )
    if dict(a["category"].sizes) != dict(b["category"].sizes) or not np.array_equal(
        a["layer"].values, b["layer"].values
    ):
        raise InvalidValueError(
            f"Invalid value for {names[1]!r}: its neurons {dict(b['category'].sizes)} differ from "
            f"those of {names[0]!r} {dict(a['category'].sizes)}. Agreement needs the same neurons: "
            "two results of one architecture (two languages, or trained and untrained)."
        )


def agreement(
    a,
    b,
    *,
    baseline=None,
    level: str = "sentence",
    effect: str = "snr",
    members: str = "significant",
):
    """Per-layer agreement of two results on the same neurons (two languages, two checkpoints).

    Parameters
    ----------
    a, b : xarray.Dataset
        :func:`hftp.find_tagged` results of one architecture (same layers and neurons).
    baseline : tuple of two xarray.Dataset, optional
        The same two results from the untrained model: adds their Dice and rank correlation as
        the reference (``dice_untrained``, ``rho_untrained``).
    level : str
        The tagged level compared. Default ``"sentence"``.
    effect : str
        The per-neuron effect size that is rank-correlated (a variable of the results with a
        ``level`` dim): ``"effect"`` (θ̂, the structure-specific amplitude in SD units) or
        ``"snr"`` (the default, the SNR against neighbor bins, which needs no control).
    members : str
        The boolean variable whose sets are overlapped: ``"significant"`` (the default) or
        ``"selective"`` (tagged with an effect above δ).

    Returns
    -------
    pandas.DataFrame
        One row per layer: ``layer, depth, n_channels`` (the neurons of the layer), ``n_a, n_b,
        n_both, dice, dice_chance`` (the sets of ``members``), ``p_overlap`` (the one-sided
        hypergeometric p-value of an overlap at least as large when the two sets are
        independent), ``rho`` (Spearman of ``effect`` across neurons), and with ``baseline``
        also ``dice_untrained`` and ``rho_untrained``. Dice is NaN when both sets are empty.

        .. deprecated:: 0.3
            The column ``n_units`` (the same count as ``n_channels``, under its 0.2 name: it
            counts neurons, not stimulus units) is kept for one release and will be removed in
            0.4. Read ``n_channels``.
    """
    import pandas as pd
    from scipy.stats import hypergeom

    _check_pair(a, b)
    for name, t in (("a", a), ("b", b)):
        for what, var in (("effect", effect), ("members", members)):
            if var not in t or level not in [str(v) for v in t["level"].values]:
                raise InvalidValueError(
                    f"Invalid value for '{what}'/'level': {name!r} has no {var!r} at level "
                    f"{level!r}; its variables are {sorted(t.data_vars)} and levels "
                    f"{[str(v) for v in t['level'].values]}. Variables with effect sizes "
                    "('effect', 'selective') come from hftp.find_tagged with a control."
                )
    sa = _per_layer(a, members, level).astype(bool)
    sb = _per_layer(b, members, level).astype(bool)
    n = sa.shape[1]
    na, nb, nab = sa.sum(1), sb.sum(1), (sa & sb).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = np.where(na + nb > 0, 2 * nab / (na + nb), np.nan)
        chance = np.where(na + nb > 0, 2 * na * nb / (n * (na + nb)), np.nan)
    p_overlap = hypergeom.sf(nab - 1, n, na, nb)
    df = pd.DataFrame(
        {
            "layer": a["layer"].values,
            "depth": relative_depth(a),
            "n_channels": n,
            "n_units": n,  # deprecated 0.2 name of n_channels, kept for one release
            "n_a": na,
            "n_b": nb,
            "n_both": nab,
            "dice": dice,
            "dice_chance": chance,
            "p_overlap": p_overlap,
            "rho": _spearman_rows(_per_layer(a, effect, level), _per_layer(b, effect, level)),
        }
    )
    if baseline is not None:
        if not isinstance(baseline, tuple | list) or len(baseline) != 2:
            raise InvalidTypeError(
                "Invalid type for 'baseline': expected a pair (a_untrained, b_untrained) of "
                f"find_tagged results; got {type(baseline).__name__}."
            )
        _check_pair(a, baseline[0], ("a", "baseline[0]"))
        ref = agreement(baseline[0], baseline[1], level=level, effect=effect, members=members)
        df["dice_untrained"] = ref["dice"].values
        df["rho_untrained"] = ref["rho"].values
    df.attrs.update(level=level, effect=effect, members=members)
    return df
