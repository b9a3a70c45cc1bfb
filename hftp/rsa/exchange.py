"""RDMs in and out of hftp: rsatoolbox's ``RDMs``, and published matrices read from CSV.

hftp's RDMs (:func:`hftp.rdms`) are ``xarray.DataArray`` s with dims ``(group, pair)``: one
condensed upper triangle per layer, channel or region, in the order of
``scipy.spatial.distance.pdist``, with ``cond_i``, ``cond_j`` naming the two conditions of each
pair. rsatoolbox stores the same vectors in the same order, so the exchange is lossless:

- :func:`to_rsatoolbox` gives ``rsatoolbox.rdm.RDMs``; the group dim and its coords (``layer``,
  ``channel``, ``region``, ``hemisphere``, ``subject``, ``n_channels``) become
  ``rdm_descriptors``, the conditions the pattern descriptor ``condition``, the attrs
  ``descriptors`` and the metric the ``dissimilarity_measure``;
- :func:`from_rsatoolbox` is its inverse;
- :func:`read_rdm_csv` reads a square matrix, such as a published brain RDM.

An RDM from outside can be the brain side of :func:`hftp.align` (its permutation inference
included): :func:`as_brain_rdms` and :func:`rdms_in_order` turn it into the brain channels and
the condensed vectors that ``align`` compares. rsatoolbox is imported only by the two functions
that need it (``pip install hftp[interop]``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError, check_in_path
from hftp.rsa.dissimilarity import condensed, pair_coords

__all__ = [
    "to_rsatoolbox",
    "from_rsatoolbox",
    "read_rdm_csv",
    "check_rdms",
    "rdm_conditions",
    "is_rdms",
    "as_brain_rdms",
    "rdms_in_order",
]

#: rdm descriptors taken, in this order, as the group dim of an rsatoolbox RDMs
GROUP_DESCRIPTORS = ("layer", "channel", "region", "hemisphere", "subject")


def _is_rsatoolbox(obj: Any) -> bool:
    return type(obj).__module__.startswith("rsatoolbox") and hasattr(obj, "get_vectors")


def is_rdms(obj: Any) -> bool:
    """Whether ``obj`` is a set of RDMs (hftp's DataArray or rsatoolbox's ``RDMs``), not a Spectra.

    Parameters
    ----------
    obj : object
        What the caller passed.

    Returns
    -------
    bool
        True for a DataArray with a ``pair`` dim, or an ``rsatoolbox.rdm.RDMs``.
    """
    import xarray as xr

    return _is_rsatoolbox(obj) or (isinstance(obj, xr.DataArray) and "pair" in obj.dims)


def check_rdms(rdms, name: str = "rdms"):
    """Check that ``rdms`` are hftp RDMs: a DataArray with dims (group, pair), ``cond_i``/``cond_j``.

    Parameters
    ----------
    rdms : object
        What the caller passed.
    name : str
        The parameter's name, for the messages. Default ``"rdms"``.

    Returns
    -------
    rdms : xarray.DataArray, dims (group, pair)
        ``rdms`` itself.
    """
    import xarray as xr

    if not isinstance(rdms, xr.DataArray) or rdms.ndim != 2 or rdms.dims[1] != "pair":
        raise InvalidTypeError(
            f"Invalid type for {name!r}: expected RDMs from hftp.rdms (a DataArray with dims "
            f"(group, pair)); got {type(rdms).__name__} with dims {getattr(rdms, 'dims', None)}. "
            "Build them with hftp.rdms(spectra), or convert with hftp.rsa.exchange.from_rsatoolbox."
        )
    missing = [c for c in ("cond_i", "cond_j") if c not in rdms.coords]
    if missing:
        raise InvalidValueError(
            f"Invalid value for {name!r}: the RDMs lack the pair coords {missing} that name the "
            "conditions of each pair. Build them with hftp.rdms or hftp.rsa.exchange."
        )
    rdm_conditions(rdms, name)
    return rdms


def rdm_conditions(rdms, name: str = "rdms") -> list[str]:
    """The conditions of condensed RDMs, in the order of their square matrix.

    Parameters
    ----------
    rdms : xarray.DataArray, dims (group, pair)
        With ``cond_i`` and ``cond_j`` on ``pair`` (P = C(C - 1)/2 pairs).
    name : str
        The parameter's name, for the messages. Default ``"rdms"``.

    Returns
    -------
    conditions : list of str, length C
    """
    ci = [str(c) for c in rdms["cond_i"].values]
    cj = [str(c) for c in rdms["cond_j"].values]
    n = int(round((1 + np.sqrt(1 + 8 * len(ci))) / 2)) if ci else 0
    conds = [ci[0], *cj[: n - 1]] if ci else []
    expected = pair_coords(conds) if conds else None
    if (
        n < 3
        or expected is None
        or list(expected["cond_i"][1]) != ci
        or list(expected["cond_j"][1]) != cj
    ):
        raise InvalidValueError(
            f"Invalid value for {name!r}: its pairs (cond_i, cond_j) are not the upper triangle of "
            f"3 or more conditions in pdist order; got {len(ci)} pairs. Build RDMs with hftp.rdms, "
            "hftp.rsa.exchange.from_rsatoolbox or read_rdm_csv."
        )
    return conds


def _as_list(values) -> list:
    return [v.item() if isinstance(v, np.generic) else v for v in np.asarray(values).tolist()]


def to_rsatoolbox(rdms):
    """hftp RDMs as ``rsatoolbox.rdm.RDMs``, keeping the descriptors.

    Parameters
    ----------
    rdms : xarray.DataArray, dims (group, pair)
        From :func:`hftp.rdms` (one RDM per layer, channel or region), or the ``model_rdm`` /
        ``brain_rdm`` of an :func:`hftp.align` result.

    Returns
    -------
    rsatoolbox.rdm.RDMs
        ``n_rdm`` = the number of groups, ``n_cond`` = C. ``rdm_descriptors``: the group dim
        under its own name (e.g. ``layer``) and every coord on it (``region``, ``hemisphere``,
        ``subject``, ``n_channels``, ...); ``pattern_descriptors["condition"]``: the conditions;
        ``descriptors``: the attrs plus ``by`` (the group dim); ``dissimilarity_measure``: the
        metric (attrs ``metric``). NaN RDMs (empty groups) stay NaN.
    """
    import rsatoolbox

    rdms = check_rdms(rdms)
    group = str(rdms.dims[0])
    rdm_desc: dict[str, list] = {group: _as_list(rdms[group].values)}
    for c, v in rdms.coords.items():
        if c != group and v.dims == (group,):
            rdm_desc[str(c)] = _as_list(v.values)
    descriptors = {**dict(rdms.attrs), "by": group}
    return rsatoolbox.rdm.RDMs(
        np.asarray(rdms.values, dtype=float),
        dissimilarity_measure=rdms.attrs.get("metric"),
        descriptors=descriptors,
        rdm_descriptors=rdm_desc,
        pattern_descriptors={"condition": rdm_conditions(rdms)},
    )


def _group_descriptor(rdms, by: str | None) -> str | None:
    desc = rdms.rdm_descriptors
    if by is not None:
        if by not in desc:
            raise InvalidValueError(
                f"Invalid value for 'by': {by!r} is not an rdm descriptor of these RDMs; they have "
                f"{sorted(desc)}. Pass one of them, or by=None."
            )
        return by
    own = rdms.descriptors.get("by")
    if own in desc:
        return str(own)
    unique = [
        d for d in GROUP_DESCRIPTORS if d in desc and len(set(map(str, desc[d]))) == rdms.n_rdm
    ]
    return unique[0] if unique else None


def from_rsatoolbox(rdms, *, by: str | None = None, condition_descriptor: str = "condition"):
    """``rsatoolbox.rdm.RDMs`` as hftp RDMs, keeping the descriptors.

    Parameters
    ----------
    rdms : rsatoolbox.rdm.RDMs
        n_rdm RDMs over n_cond conditions.
    by : str, optional
        The rdm descriptor that names the RDMs, which becomes the group dim. Default: the one
        :func:`to_rsatoolbox` recorded (``descriptors["by"]``), else the first of ``layer``,
        ``channel``, ``region``, ``hemisphere``, ``subject`` whose values name each RDM once,
        else ``channel`` numbered from rsatoolbox's ``index``.
    condition_descriptor : str
        The pattern descriptor holding the condition names, which :func:`hftp.align` matches
        with the model's. Default ``"condition"``.

    Returns
    -------
    rdm : xarray.DataArray, dims (by, pair)
        Condensed RDMs (pdist order), coords ``cond_i``, ``cond_j`` on ``pair``, every other
        rdm descriptor (but ``index``) as a coord on the group dim, attrs from ``descriptors``
        and ``metric`` from ``dissimilarity_measure``.
    """
    import xarray as xr

    if not _is_rsatoolbox(rdms):
        raise InvalidTypeError(
            f"Invalid type for 'rdms': expected an rsatoolbox.rdm.RDMs; got {type(rdms).__name__}. "
            "Build one with rsatoolbox.rdm.RDMs(dissimilarities, pattern_descriptors="
            "{'condition': names})."
        )
    pdesc = rdms.pattern_descriptors
    if condition_descriptor not in pdesc:
        raise InvalidValueError(
            f"Invalid value for 'condition_descriptor': {condition_descriptor!r} is not a pattern "
            f"descriptor of these RDMs; they have {sorted(pdesc)}. Name the conditions, e.g. "
            "rdms.pattern_descriptors['condition'] = ['sentences', 'phrases', ...], or pass "
            "condition_descriptor=."
        )
    conds = [str(c) for c in pdesc[condition_descriptor]]
    if len(set(conds)) != len(conds):
        raise InvalidValueError(
            f"Invalid value for 'rdms': the condition names {conds} repeat; each pattern needs its "
            "own name."
        )
    group = _group_descriptor(rdms, by)
    desc = rdms.rdm_descriptors
    names = _as_list(desc[group]) if group else [str(i) for i in desc["index"]]
    group = group or "channel"
    if len(set(map(str, names))) != len(names):
        raise InvalidValueError(
            f"Invalid value for 'by': the values of {group!r} repeat ({names}), so they cannot name "
            "the RDMs. Pass another rdm descriptor as by=."
        )
    coords: dict[str, Any] = {group: np.asarray(names)}
    for k, v in desc.items():
        if k not in (group, "index"):
            coords[k] = (group, np.asarray(_as_list(v)))
    coords.update(pair_coords(conds))
    attrs = {k: v for k, v in rdms.descriptors.items() if k != "by"}
    attrs["by"] = group
    if rdms.dissimilarity_measure is not None:
        attrs["metric"] = str(rdms.dissimilarity_measure)
    return xr.DataArray(
        np.asarray(rdms.get_vectors(), dtype=float),
        dims=(group, "pair"),
        coords=coords,
        name="rdm",
        attrs=attrs,
    )


def read_rdm_csv(
    path: str | os.PathLike,
    *,
    name: str | None = None,
    by: str = "channel",
    conditions=None,
    metric: str | None = None,
):
    """Read one RDM from a CSV file of a square matrix, such as a published brain RDM.

    Parameters
    ----------
    path : path-like
        A CSV file. With ``conditions=None``, its first row and first column name the conditions
        (the same names in the same order); otherwise it holds only the C × C numbers.
    name : str, optional
        The RDM's name, the value of its group coord (e.g. a region, ``"IFG"``). Default: the
        file's stem.
    by : str
        The group dim. Default ``"channel"``, the brain side of :func:`hftp.align`.
    conditions : list of str, optional
        The condition names, in the matrix's order, for a CSV without them.
    metric : str, optional
        What the numbers are (e.g. ``"correlation"``), recorded in attrs ``metric``.

    Returns
    -------
    rdm : xarray.DataArray, dims (by, pair), shape (1, C(C - 1)/2)
        The upper triangle, in pdist order, with ``cond_i``, ``cond_j`` on ``pair``; attrs
        ``source`` (the file) and ``metric``.
    """
    import pandas as pd
    import xarray as xr

    path = check_in_path("path", path, kind="file")
    if conditions is None:
        table = pd.read_csv(path, index_col=0)
        rows = [str(r).strip() for r in table.index]
        cols = [str(c).strip() for c in table.columns]
        if rows != cols:
            raise InvalidValueError(
                f"Invalid value for 'path': {path.name} needs the same condition names on its first "
                f"row and its first column, in the same order; got rows {rows} and columns {cols}. "
                "For a CSV of numbers only, pass conditions=[...]."
            )
        conds = cols
    else:
        table = pd.read_csv(path, header=None)
        conds = [str(c) for c in conditions]
    try:
        m = table.to_numpy(dtype=float)
    except ValueError as exc:
        raise InvalidValueError(
            f"Invalid value for 'path': {path.name} holds values that are not numbers ({exc}). "
            "With a header row and an index column, leave conditions=None."
        ) from None
    n = len(conds)
    if m.shape != (n, n) or n < 3:
        raise InvalidValueError(
            f"Invalid value for 'path': expected a square matrix over {n} conditions (3 or more); "
            f"got shape {m.shape}. Check the file, or the number of names in conditions=."
        )
    if len(set(conds)) != n:
        raise InvalidValueError(
            f"Invalid value for 'conditions': the names {conds} repeat; each needs its own name."
        )
    finite = np.isfinite(m)
    scale = np.nanmax(np.abs(m)) if finite.any() else 1.0
    if not np.allclose(m, m.T, atol=1e-6 * scale, equal_nan=True):
        raise InvalidValueError(
            f"Invalid value for 'path': the matrix in {path.name} is not symmetric, so it is not an "
            "RDM. Check that rows and columns hold the same conditions in the same order."
        )
    diag = np.diag(m)
    if np.any(np.abs(diag[np.isfinite(diag)]) > 1e-6 * scale):
        raise InvalidValueError(
            f"Invalid value for 'path': the diagonal of {path.name} is not zero (e.g. "
            f"{diag[0]:.3g}), so it holds similarities, not dissimilarities. Convert it first, "
            "e.g. 1 - r for correlations."
        )
    label = path.stem if name is None else str(name)
    coords: dict[str, Any] = {by: np.asarray([label], dtype=object)}
    coords.update(pair_coords(conds))
    attrs = {"source": str(path), "by": by}
    if metric is not None:
        attrs["metric"] = str(metric)
    return xr.DataArray(
        condensed(m)[None, :], dims=(by, "pair"), coords=coords, name="rdm", attrs=attrs
    )


def as_brain_rdms(rdms, name: str = "brain_spectra"):
    """Outside RDMs as the brain side of :func:`hftp.align`: hftp RDMs with the group dim ``channel``.

    Parameters
    ----------
    rdms : xarray.DataArray or rsatoolbox.rdm.RDMs
        hftp RDMs (dims (group, pair)) or rsatoolbox's (converted by :func:`from_rsatoolbox`).
    name : str
        The parameter's name, for the messages. Default ``"brain_spectra"``.

    Returns
    -------
    rdm : xarray.DataArray, dims (channel, pair)
        The group dim renamed ``channel`` (its values name the brain "channels" of the result);
        attrs ``by`` keep the group's own name.
    """
    if _is_rsatoolbox(rdms):
        rdms = from_rsatoolbox(rdms)
    rdms = check_rdms(rdms, name)
    group = str(rdms.dims[0])
    if group == "channel":
        return rdms
    if "channel" in rdms.coords:
        rdms = rdms.drop_vars("channel")
    return rdms.rename({group: "channel"}).assign_attrs(by=group)


def rdms_in_order(rdms, conditions, name: str = "brain_spectra") -> np.ndarray:
    """The condensed vectors of ``rdms`` over ``conditions`` in their order (pairs re-gathered).

    Parameters
    ----------
    rdms : xarray.DataArray, dims (group, pair)
        hftp RDMs.
    conditions : sequence of str
        The wanted order (e.g. the model's conditions); the same set as the RDMs'.
    name : str
        The parameter's name, for the messages. Default ``"brain_spectra"``.

    Returns
    -------
    ndarray, shape (n_groups, C(C - 1)/2)
        Pairs in the pdist order of ``conditions``.
    """
    have = rdm_conditions(rdms, name)
    want = [str(c) for c in conditions]
    if set(have) != set(want) or len(have) != len(want):
        raise InvalidValueError(
            f"Invalid value for {name!r}: its RDMs are over the conditions {sorted(have)}, but the "
            f"model has {sorted(want)}. Only in the model: {sorted(set(want) - set(have))}; only in "
            f"the RDMs: {sorted(set(have) - set(want))}. Rename the conditions so both sets are "
            "equal."
        )
    pos = {
        frozenset((str(i), str(j))): k
        for k, (i, j) in enumerate(zip(rdms["cond_i"].values, rdms["cond_j"].values, strict=True))
    }
    i, j = np.triu_indices(len(want), 1)
    idx = np.array([pos[frozenset((want[a], want[b]))] for a, b in zip(i, j, strict=True)])
    return np.asarray(rdms.values, dtype=float)[:, idx]
