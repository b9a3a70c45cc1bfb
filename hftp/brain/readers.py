"""Readers behind :func:`hftp.read_recording`: a registry of formats, events → conditions, and
FieldTrip Fourier spectra → brain Spectra."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from hftp._validation import InvalidValueError, check_float, check_type
from hftp.brain.anatomy import assign_regions, hemisphere, is_mni
from hftp.spectral.accumulate import SpectraAccumulator

_META_KEY = "hftp:"  # prefix of the JSON that read_recording stores in info["description"]
_IGNORED_EVENTS = ("bad", "edge", "boundary")
_DATA_TYPES = {"eeg": True, "seeg": True, "ecog": True, "dbs": True, "meg": True}

Conditions = Mapping[str, int | str | Iterable[int | str]]


# ------------------------------------------------------------------------------------ readers


def _read_bids(path: Path, subject: str | None, task: str | None) -> dict[str, Any]:
    import mne_bids

    root = path
    while root != root.parent and not (root / "dataset_description.json").exists():
        root = root.parent
    if not (root / "dataset_description.json").exists():
        root = path
    kw: dict[str, Any] = {"datatypes": "ieeg"}
    if subject:
        kw["subjects"] = subject.removeprefix("sub-")
    if task:
        kw["tasks"] = task
    exts = [".vhdr", ".edf", ".bdf", ".fif", ".set", ".nwb"]
    paths = [
        p
        for p in mne_bids.find_matching_paths(root, extensions=exts, suffixes="ieeg", **kw)
        if path == root or str(p.fpath).startswith(str(path))
    ]
    if not paths:
        raise InvalidValueError(
            f"Invalid value for 'path': no iEEG recording found in the BIDS folder {str(path)!r}"
            + (f" for subject {subject!r}" if subject else "")
            + ". Expected sub-*/[ses-*/]ieeg/*_ieeg.(vhdr|edf|fif)."
        )
    by_subject: dict[str, Any] = {}
    for bp in paths:
        by_subject.setdefault(bp.subject, bp)
    return [_read_bids_one(root, bp) for bp in by_subject.values()]


def _read_bids_one(root: Path, bp) -> dict[str, Any]:
    import mne_bids

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = mne_bids.read_raw_bids(bp, verbose="error")
    coords, frame = _bids_electrodes(bp)
    ev = bp.copy().update(suffix="events", extension=".tsv", space=None).fpath
    return {
        "kind": "raw",
        "obj": raw,
        "subject": bp.subject,
        "coords": coords,
        "frame": frame,
        "tagged": _bids_tagged(root, bp),
        "modality": _bids_modality(root),
        "events_tsv": Path(ev) if Path(ev).exists() else None,
    }


def _bids_modality(root: Path) -> str:
    """ "iEEG", or "iEEG (simulated)" when the data set describes itself as simulated."""
    try:
        desc = json.loads((root / "dataset_description.json").read_text())
    except (OSError, ValueError):
        return "iEEG"
    text = " ".join(str(desc.get(k, "")) for k in ("Name", "DatasetType", "GeneratedBy")).lower()
    return "iEEG (simulated)" if "simulated" in text else "iEEG"


def _bids_electrodes(bp) -> tuple[Any, str | None]:
    """electrodes.tsv (x, y, z → mm) and the frame from coordsystem.json / the space entity."""
    import pandas as pd

    folder = Path(bp.fpath).parent
    stem = f"sub-{bp.subject}" + (f"_ses-{bp.session}" if bp.session else "")
    tsvs = sorted(folder.glob(f"{stem}*_electrodes.tsv"))
    if not tsvs:
        return None, None
    tsv = tsvs[0]
    cs = Path(str(tsv).replace("_electrodes.tsv", "_coordsystem.json"))
    meta = json.loads(cs.read_text()) if cs.exists() else {}
    system = str(meta.get("iEEGCoordinateSystem", "unknown"))
    space = re.search(r"_space-([A-Za-z0-9]+)_", tsv.name)
    frame = system
    if system.lower() == "other" and space:
        frame = space.group(1)
    scale = {"m": 1000.0, "cm": 10.0, "mm": 1.0}.get(str(meta.get("iEEGCoordinateUnits", "m")), 1.0)
    df = pd.read_csv(tsv, sep="\t", na_values=["n/a"], index_col="name")
    return df[["x", "y", "z"]].astype(float) * scale, frame


def _bids_tagged(root: Path, bp) -> dict[str, float] | None:
    for cand in (root / f"task-{bp.task}_events.json", root / "events.json"):
        if cand.exists():
            t = json.loads(cand.read_text()).get("TaggedFrequencies")
            if t:
                return {str(k): float(v) for k, v in t.items()}
    return None


def _mne_raw(fn_name: str):
    def read(path: Path, subject, task) -> dict[str, Any]:
        import mne

        raw = getattr(mne.io, fn_name)(path, preload=False, verbose="error")
        return {"kind": "raw", "obj": raw, "subject": subject or path.stem}

    return read


def _read_fif(path: Path, subject, task) -> dict[str, Any]:
    import mne

    if re.search(r"[-_]epo\.fif(\.gz)?$", path.name):
        return {"kind": "epochs", "obj": mne.read_epochs(path, verbose="error"), "subject": subject}
    try:
        return {
            "kind": "raw",
            "obj": mne.io.read_raw_fif(path, verbose="error"),
            "subject": subject,
        }
    except ValueError:
        return {"kind": "epochs", "obj": mne.read_epochs(path, verbose="error"), "subject": subject}


def _read_fieldtrip(path: Path, subject, task) -> dict[str, Any]:
    import mne
    import scipy.io

    mat = scipy.io.loadmat(path, squeeze_me=True, struct_as_record=False)
    names = [k for k in mat if not k.startswith("__")]
    for name in names:
        st = mat[name]
        if hasattr(st, "_fieldnames") and "fourierspctrm" in st._fieldnames:
            return {"kind": "ft_freq", "obj": st, "subject": subject or path.stem}
    for name in names:
        st = mat[name]
        if hasattr(st, "_fieldnames") and "trial" in st._fieldnames:
            reader = mne.read_epochs_fieldtrip if "trialinfo" in st._fieldnames else None
            if reader is not None and np.ndim(st.trial) == 1 and len(st.trial) > 1:
                ep = mne.read_epochs_fieldtrip(path, info=None, data_name=name, trialinfo_column=0)
                return {"kind": "epochs", "obj": ep, "subject": subject or path.stem}
            raw = mne.io.read_raw_fieldtrip(path, info=None, data_name=name)
            return {"kind": "raw", "obj": raw, "subject": subject or path.stem}
    raise InvalidValueError(
        f"Invalid value for 'path': {str(path)!r} holds no FieldTrip data structure (a struct with "
        "'trial' for time-domain data or 'fourierspctrm' for Fourier spectra)."
    )


#: format name → (file endings, reader). A folder is read as BIDS.
FORMATS: dict[str, tuple[tuple[str, ...], Any]] = {
    "bids": ((), _read_bids),
    "edf": ((".edf",), _mne_raw("read_raw_edf")),
    "bdf": ((".bdf",), _mne_raw("read_raw_bdf")),
    "brainvision": ((".vhdr",), _mne_raw("read_raw_brainvision")),
    "fif": ((".fif", ".fif.gz"), _read_fif),
    "fieldtrip": ((".mat",), _read_fieldtrip),
}


def _detect_format(path: Path) -> str:
    if path.is_dir():
        return "bids"
    name = path.name.lower()
    for fmt, (ends, _) in FORMATS.items():
        if any(name.endswith(e) for e in ends):
            return fmt
    listed = ", ".join(f"{k} ({'/'.join(e) or 'folder'})" for k, (e, _) in FORMATS.items())
    raise InvalidValueError(
        f"Invalid value for 'path': unsupported file {path.name!r}. Supported formats: {listed}. "
        "Convert the recording to one of these (e.g. with MNE) or pass fmt=... if the ending is unusual."
    )


# ------------------------------------------------------------------------------------ events


def _event_code(desc: str) -> int | None:
    m = re.search(r"(-?\d+)\s*$", desc)
    return int(m.group(1)) if m else None


def _raw_events(raw, events_tsv: Path | None) -> list[tuple[float, str, int | None, float]]:
    """(onset_s, description, code, duration_s) of every event, from events.tsv or annotations."""
    if events_tsv is not None:
        import pandas as pd

        df = pd.read_csv(events_tsv, sep="\t", na_values=["n/a"])
        if "onset" not in df.columns:
            raise InvalidValueError(
                f"Invalid value for 'events': {str(events_tsv)!r} needs an 'onset' column (BIDS events.tsv)."
            )
        desc = df["trial_type"] if "trial_type" in df else df.get("value", df["onset"] * 0)
        vals = df["value"] if "value" in df else [None] * len(df)
        durs = df["duration"] if "duration" in df else [0.0] * len(df)
        out = []
        for on, d, v, du in zip(df["onset"], desc, vals, durs, strict=True):
            code = int(v) if v is not None and np.isfinite(v) else _event_code(str(d))
            out.append((float(on), str(d), code, float(du) if np.isfinite(du) else 0.0))
        return out
    ann = raw.annotations
    if not len(ann):
        return []
    idx = raw.time_as_index(ann.onset, use_rounding=True, origin=ann.orig_time)
    return [
        (int(i) / raw.info["sfreq"], d, _event_code(d), float(du))
        for i, d, du in zip(idx, ann.description, ann.duration, strict=True)
        if not d.lower().startswith(_IGNORED_EVENTS)
    ]


ITEM_COLUMNS = ("item", "stim_file")
"""BIDS events.tsv columns that say which stimulus stream a trial played (first found wins)."""


def _event_items(events_tsv: Path | None, n_events: int) -> list[str] | None:
    """The item of every event row (``ITEM_COLUMNS``), or None when the events do not say."""
    if events_tsv is None:
        return None
    import pandas as pd

    df = pd.read_csv(events_tsv, sep="\t", dtype=str, keep_default_na=False)
    col = next((c for c in ITEM_COLUMNS if c in df.columns), None)
    if col is None or len(df) != n_events:
        return None
    return [str(v) for v in df[col]]


def item_epochs(epochs, column: str = "item"):
    """Epochs relabelled by item: each stimulus stream becomes its own condition.

    For item-level RSA (:func:`hftp.align` over items): :func:`read_recording` stores the
    ``item`` (or ``stim_file``) column of a BIDS events.tsv in ``epochs.metadata``; the result's
    event ids are the item names, so :func:`brain_spectra` gives one spectrum per item (use an
    amplitude measure, e.g. ``brain_measure="evoked"``: ITC over one trial is 1).

    Parameters
    ----------
    epochs : mne.Epochs
        From :func:`read_recording`, with ``metadata[column]``.
    column : str
        The metadata column naming the item. Default ``"item"``.

    Returns
    -------
    mne.EpochsArray
    """
    import mne

    md = getattr(epochs, "metadata", None)
    if md is None or column not in md.columns:
        have = [] if md is None else list(md.columns)
        raise InvalidValueError(
            f"Invalid value for 'epochs': expected metadata with an item column {column!r} (from a "
            f"BIDS events.tsv column 'item' or 'stim_file'); got metadata columns {have}. The "
            "recording does not say which stream each trial played, so align over conditions."
        )
    names = [str(v) for v in md[column]]
    ids = {n: k for k, n in enumerate(dict.fromkeys(names), start=1)}
    events = epochs.events.copy()
    events[:, 2] = [ids[n] for n in names]
    out = mne.EpochsArray(
        epochs.get_data(),
        epochs.info,
        events=events,
        tmin=epochs.tmin,
        event_id=ids,
        verbose="error",
    )
    return out


def _match(conditions: Conditions | None, events, *, where: str) -> dict[str, list[int]]:
    """condition name → indices of the matching events."""
    if conditions is None:
        names = list(dict.fromkeys(e[1] for e in events))
        codes = {e[1]: e[2] for e in events}
        if all(codes[n] is not None for n in names):
            names.sort(key=lambda n: codes[n])
        return {n: [i for i, e in enumerate(events) if e[1] == n] for n in names}
    check_type("conditions", conditions, Mapping, "a dict mapping condition name to event codes")
    out: dict[str, list[int]] = {}
    for name, spec in conditions.items():
        items = [spec] if isinstance(spec, int | str) else list(spec)
        ints = {int(x) for x in items if not isinstance(x, str)}
        strs = {x for x in items if isinstance(x, str)}
        out[str(name)] = [i for i, e in enumerate(events) if e[1] in strs or e[2] in ints]
    missing = [n for n, idx in out.items() if not idx]
    if missing:
        seen = sorted({e[1] for e in events})[:20]
        raise InvalidValueError(
            f"Invalid value for 'conditions': {missing} match no event in {where}. Events present: "
            f"{seen}. Check the condition → code mapping."
        )
    return out


def _no_events(path: Path) -> ValueError:
    return ValueError(
        f"Invalid value for 'path': {str(path)!r} has no events to epoch. Pass events=PATH (a BIDS "
        "events.tsv with onset, duration, trial_type/value) or epoch_length=SECONDS for fixed-length "
        "epochs of a continuous recording."
    )


def _epochs_from_raw(raw, path, conditions, tmin, tmax, events_tsv, epoch_length, fixed_name):
    import mne

    events = _raw_events(raw, events_tsv)
    if not events:
        if epoch_length is None:
            raise _no_events(path)
        length = check_float("epoch_length", epoch_length, min_value=0.0, inclusive=False)
        ep = mne.make_fixed_length_epochs(raw, duration=length, preload=True, verbose="error")
        ep.event_id = {fixed_name: 1}
        return ep
    idx = _match(conditions, events, where=str(path))
    sf = raw.info["sfreq"]
    tmin = 0.0 if tmin is None else check_float("tmin", tmin)
    if tmax is None:
        durs = [events[i][3] for ii in idx.values() for i in ii]
        if min(durs) <= 0:
            raise InvalidValueError(
                "Invalid value for 'tmax': the events have no duration, so the trial length is "
                "unknown. Pass tmax=SECONDS (the end of each trial after its onset)."
            )
        tmax = tmin + min(durs) - 1.0 / sf
    tmax = check_float("tmax", tmax, min_value=tmin, inclusive=False)
    rows, event_id = [], {}
    items = _event_items(events_tsv, len(events))
    for k, (name, ii) in enumerate(idx.items(), start=1):
        event_id[name] = k
        rows += [[int(round(events[i][0] * sf)) + raw.first_samp, 0, k, i] for i in ii]
    rows.sort()
    arr = np.array([r[:3] for r in rows], dtype=int).reshape(-1, 3)
    metadata = None
    if items is not None:  # which stimulus stream each trial played (item-level RSA)
        import pandas as pd

        inv = {k: n for n, k in event_id.items()}
        metadata = pd.DataFrame(
            {"condition": [inv[r[2]] for r in rows], "item": [items[r[3]] for r in rows]}
        )
    return mne.Epochs(
        raw,
        arr,
        event_id=event_id,
        metadata=metadata,
        tmin=tmin,
        tmax=tmax,
        baseline=None,
        preload=True,
        reject_by_annotation=False,
        on_missing="ignore",
        event_repeated="drop",
        verbose="error",
    )


def _select_epochs(ep, conditions: Conditions | None, path):
    """Rename/select the event ids of loaded epochs by ``conditions``."""
    import mne

    if conditions is None:
        return ep
    inv = {v: k for k, v in ep.event_id.items()}
    events = [(0.0, inv.get(c, str(c)), int(c), 0.0) for c in ep.events[:, 2]]
    idx = _match(conditions, events, where=str(path))
    keep = sorted(i for ii in idx.values() for i in ii)
    new = ep.events.copy()
    for k, ii in enumerate(idx.values(), start=1):
        new[ii, 2] = k
    return mne.EpochsArray(
        ep.get_data()[keep],
        ep.info,
        events=new[keep],
        tmin=ep.tmin,
        event_id={n: k for k, n in enumerate(idx, start=1)},
        verbose="error",
    )


def _ft_spectra(st, path, conditions, drop_codes, subject, tagged):
    dimord = str(getattr(st, "dimord", "rpttap_chan_freq"))
    if not dimord.startswith("rpt"):
        raise InvalidValueError(
            f"Invalid value for 'path': the FieldTrip spectra in {str(path)!r} have dimord {dimord!r}; "
            "hftp needs single trials ('rpttap_chan_freq': compute them with cfg.keeptrials='yes')."
        )
    X = np.asarray(st.fourierspctrm)
    freqs = np.atleast_1d(np.asarray(st.freq, dtype=float))
    labels = [str(x) for x in np.atleast_1d(st.label)]
    info = np.asarray(getattr(st, "trialinfo", np.zeros(X.shape[0])))
    codes = (info[:, 0] if info.ndim == 2 else info).astype(int)
    keep = ~np.isin(codes, list(drop_codes or ()))
    events = [(0.0, str(c), int(c), 0.0) for c in codes]
    idx = _match(conditions, events, where=str(path))
    sfreq = np.nan
    if hasattr(st, "cumsumcnt") and freqs.size > 1:
        sfreq = float(np.atleast_1d(st.cumsumcnt)[0] * (freqs[1] - freqs[0]))
    coords = _channel_coords(labels, subject, None, None, regions=False)
    acc = SpectraAccumulator(
        channel_dims=("channel",),
        channel_coords=coords,
        freqs=freqs,
        rate_hz=sfreq,
        tagged=tagged or {},
        n_times=None,
        kind="brain",
        attrs={"subject": subject, "source": str(path), "format": "fieldtrip"},
    )
    for name, ii in idx.items():
        ii = [i for i in ii if keep[i]]
        if ii:
            acc.add(name, X[ii])
    return acc.to_dataset()


def _set_positions(raw, coords, frame) -> None:
    """Attach contact positions (mm) as a DigMontage; MNI frames become MNE's ``mni_tal``."""
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
            mne.channels.make_dig_montage(ch_pos=pos, coord_frame=cf), on_missing="ignore"
        )
    raw.info["description"] = _META_KEY + json.dumps({"coord_frame": str(frame)})


def _meta(info) -> dict[str, Any]:
    d = info.get("description") or ""
    return json.loads(d[len(_META_KEY) :]) if d.startswith(_META_KEY) else {}


def _channel_coords(
    names,
    subject,
    xyz,
    frame,
    *,
    regions=True,
    atlas=None,
    labels=None,
    ch_types=None,
    max_distance_mm=2.0,
) -> dict[str, Any]:
    n = len(names)
    xyz = np.full((n, 3), np.nan) if xyz is None else np.asarray(xyz, dtype=float)
    region = np.full(n, "unknown", dtype=object)
    label = np.full(n, "unknown", dtype=object)
    hemi = hemisphere(xyz[:, 0]) if n else np.array([], dtype=object)
    has = np.all(np.isfinite(xyz), axis=1)
    if regions and has.any():
        if not is_mni(frame):
            raise InvalidValueError(
                f"Invalid value for 'coord_frame': contact positions are in {frame!r}, not MNI, so atlas "
                "regions cannot be assigned. Give MNI positions (montage coord_frame 'mni_tal' or "
                "BIDS space-MNI*) or pass regions=False."
            )
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
