"""Where the channels are: contact positions and montages, and the channel coords they give.

A reader attaches what it knows of the positions: a BIDS ``electrodes.tsv`` becomes a DigMontage
(:func:`set_positions`, MNI frames as MNE's ``mni_tal``); a standard montage for scalp EEG is
checked and attached by name (:func:`check_montage`, :func:`attach_montage`). A brain Spectra reads
them back (:func:`channel_positions`) into its channel coords ``subject, region, atlas_label,
hemisphere, x, y, z`` (:func:`channel_coords`; regions only from MNI positions).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from hftp._validation import check_option
from hftp.brain.anatomy import assign_regions, hemisphere, is_mni

__all__ = [
    "attach_montage",
    "channel_coords",
    "channel_positions",
    "check_montage",
    "set_positions",
]


def check_montage(montage: str | None) -> None:
    """Check that ``montage`` names one of MNE's standard montages (None passes).

    Parameters
    ----------
    montage : str or None
        E.g. ``"spherical_1020"`` or ``"biosemi64"`` (``mne.channels.get_builtin_montages()``).

    Raises
    ------
    InvalidValueError
        For an unknown name, with the closest one.
    """
    if montage is not None:
        import mne

        check_option("montage", montage, mne.channels.get_builtin_montages())


def attach_montage(obj, montage: str | None) -> None:
    """Attach a standard montage (scalp EEG) in place; MNE warns about channels it does not place.

    Parameters
    ----------
    obj : mne.io.Raw or mne.Epochs
        The recording.
    montage : str or None
        A name checked by :func:`check_montage`; None does nothing.
    """
    if montage is not None:
        obj.set_montage(montage, on_missing="warn", verbose="warning")


def set_positions(raw, coords, frame: str | None) -> None:
    """Attach contact positions as a DigMontage, in place; MNI frames become MNE's ``mni_tal``.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording.
    coords : pandas.DataFrame or None
        Columns ``x, y, z`` in mm, indexed by channel name (n_contacts, 3). Contacts that the
        recording lacks, or with a non-finite position, are left out; None does nothing.
    frame : str or None
        The coordinate frame (MNE or BIDS spelling); any other than MNI becomes ``"unknown"``.
    """
    if coords is None:
        return
    import mne

    pos = {
        n: r.to_numpy() / 1000.0
        for n, r in coords.iterrows()
        if n in raw.ch_names and np.all(np.isfinite(r.to_numpy()))
    }
    if not pos:
        return
    cf = "mni_tal" if is_mni(frame) else "unknown"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw.set_montage(
            mne.channels.make_dig_montage(ch_pos=pos, coord_frame=cf),
            on_missing="ignore",
            verbose="error",
        )


def channel_positions(epochs, channels: Sequence[str]) -> tuple[np.ndarray | None, str | None]:
    """The positions of ``channels`` from the montage of ``epochs``.

    Parameters
    ----------
    epochs : mne.Epochs
        With or without a montage.
    channels : list of str
        Channel names.

    Returns
    -------
    xyz : numpy.ndarray or None
        Positions in mm, shape (n_channels, 3), NaN for a channel the montage does not place;
        None without a montage.
    frame : str or None
        The montage's coordinate frame (``"mni_tal"`` for MNI); None without a montage.
    """
    mont = epochs.get_montage()
    if mont is None:
        return None, None
    pos = mont.get_positions()
    xyz = np.array([pos["ch_pos"].get(c, [np.nan] * 3) for c in channels], dtype=float) * 1000.0
    frame = pos["coord_frame"]
    return xyz, ("mni_tal" if frame == "mni_tal" else frame)


def channel_coords(
    names: Sequence[str],
    subject: str,
    xyz: Any,
    frame: str | None,
    *,
    regions: bool = True,
    atlas=None,
    labels=None,
    ch_types: Sequence[str] | None = None,
    max_distance_mm: float = 2.0,
) -> dict[str, Any]:
    """The ``channel`` coords of a brain Spectra: positions, atlas regions and hemisphere.

    Parameters
    ----------
    names : list of str
        Channel names (n_channels,).
    subject : str
        Subject id, the same for every channel.
    xyz : array-like or None
        Positions in mm, shape (n_channels, 3); NaN or None where unknown.
    frame : str or None
        Their coordinate frame. Regions come only from MNI positions: another frame skips them
        with a warning (silenced by ``regions=False``).
    regions : bool
        Assign atlas regions (default True).
    atlas, labels : path, optional
        Atlas volume and label table (default AAL), see :func:`hftp.brain.anatomy.assign_regions`.
    ch_types : list of str, optional
        MNE channel types, stored as the ``ch_type`` coord.
    max_distance_mm : float
        Snap contacts just off a labelled voxel to the nearest label within this distance.

    Returns
    -------
    dict
        ``channel`` (n_channels,) and, on it, ``label, subject, region, atlas_label, hemisphere,
        x, y, z`` (and ``ch_type``), as ``xarray`` coords (``"unknown"`` regions where no
        position or atlas label is known).
    """
    n = len(names)
    xyz = np.full((n, 3), np.nan) if xyz is None else np.asarray(xyz, dtype=float)
    region = np.full(n, "unknown", dtype=object)
    label = np.full(n, "unknown", dtype=object)
    hemi = hemisphere(xyz[:, 0]) if n else np.array([], dtype=object)
    has = np.all(np.isfinite(xyz), axis=1)
    if regions and has.any() and not is_mni(frame):
        # scalp EEG with a standard (head-frame) montage: regions need MNI positions
        warnings.warn(
            f"Atlas regions skipped: the positions of {subject!r} are in {frame!r}, not MNI "
            "(e.g. a standard scalp montage). Regions stay 'unknown'; pass regions=False "
            "(--no-regions) to silence this note, or give MNI positions (montage coord_frame "
            "'mni_tal' or BIDS space-MNI*).",
            UserWarning,
            stacklevel=4,
        )
    elif regions and has.any():
        tab = assign_regions(xyz[has], atlas, labels, max_distance_mm=max_distance_mm)
        region[has] = tab["region"].to_numpy()
        label[has] = tab["atlas_label"].to_numpy()
    coords = {
        "channel": np.array(names, dtype=object),
        "label": ("channel", np.array(names, dtype=object)),
        "subject": ("channel", np.array([subject] * n, dtype=object)),
        "region": ("channel", region),
        "atlas_label": ("channel", label),
        "hemisphere": ("channel", hemi),
        "x": ("channel", xyz[:, 0]),
        "y": ("channel", xyz[:, 1]),
        "z": ("channel", xyz[:, 2]),
    }
    if ch_types is not None:
        coords["ch_type"] = ("channel", np.array(ch_types, dtype=object))
    return coords
