"""Brain recordings → the same Spectra as model activations.

:func:`read_recording` loads a recording through MNE (BIDS iEEG via mne-bids, EDF/BDF, BrainVision,
FIF raw or epochs, FieldTrip) and returns ``mne.Epochs`` with one epoch per trial and the condition
as the event name. A FieldTrip frequency-domain structure (``fourierspctrm``) comes back directly as
a brain Spectra. :func:`brain_spectra` turns epochs into a Spectra with dims
``(condition, channel, freq)`` and channel coords ``subject, region, hemisphere, x, y, z`` (MNI mm),
so :func:`hftp.itc`, :func:`hftp.evoked_amplitude`, :func:`hftp.snr` and :func:`hftp.find_tagged`
work unchanged. :func:`concat_subjects` pools subjects along ``channel``.

The real scalp-EEG data set of Burroughs, Kazanina & Houghton (2021) is supported by
:func:`read_eeg_phrases` and :func:`grand_average_itc` (see :data:`EEG_PHRASES_CONDITIONS`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ._validation import check_float, check_in_path, check_option, check_type
from .anatomy import assign_regions, hemisphere, is_mni
from .simulate import simulate_ieeg
from .spectral import SpectraAccumulator, _check_spectra, itc, rfft_trials
from .spectral import tagged_hz as _tagged

__all__ = [
    "read_recording",
    "brain_spectra",
    "concat_subjects",
    "assign_regions",
    "simulate_ieeg",
    "read_eeg_phrases",
    "subject_itc",
    "grand_average_itc",
    "FORMATS",
    "EEG_PHRASES_CONDITIONS",
    "EEG_PHRASES_TAGGED_HZ",
    "EEG_PHRASES_BAD_CODES",
]

logger = logging.getLogger("hftp")

#: Trial codes of the six conditions of the eeg-phrases data set (``trialinfo``).
EEG_PHRASES_CONDITIONS: dict[str, range] = {
    "advp": range(0, 25),
    "rrrv": range(30, 55),
    "rrrr": range(60, 85),
    "avav": range(90, 115),
    "anan": range(120, 145),
    "phmi": range(150, 175),
}
#: Tagged frequencies of eeg-phrases (320 ms per word).
EEG_PHRASES_TAGGED_HZ = {"sentence": 0.78125, "phrase": 1.5625, "unit": 3.125}
#: Trial index 8 of every condition: unusable for P1–P4 and dropped for everyone by the authors.
EEG_PHRASES_BAD_CODES = (8, 38, 68, 98, 128, 158)
#: P1–P4 have usable trials only for these conditions.
EEG_PHRASES_PARTIAL = {"P1", "P2", "P3", "P4"}
EEG_PHRASES_PARTIAL_CONDITIONS = ("avav", "anan", "phmi")
EEG_LABEL = "EEG (scalp)"

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
        raise ValueError(
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
        "events_tsv": Path(ev) if Path(ev).exists() else None,
    }


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
    raise ValueError(
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
    raise ValueError(
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
            raise ValueError(
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
        raise ValueError(
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
            raise ValueError(
                "Invalid value for 'tmax': the events have no duration, so the trial length is "
                "unknown. Pass tmax=SECONDS (the end of each trial after its onset)."
            )
        tmax = tmin + min(durs) - 1.0 / sf
    tmax = check_float("tmax", tmax, min_value=tmin, inclusive=False)
    rows, event_id = [], {}
    for k, (name, ii) in enumerate(idx.items(), start=1):
        event_id[name] = k
        rows += [[int(round(events[i][0] * sf)) + raw.first_samp, 0, k] for i in ii]
    arr = np.array(sorted(rows), dtype=int)
    return mne.Epochs(
        raw,
        arr,
        event_id=event_id,
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
        raise ValueError(
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
        unit_dims=("channel",),
        unit_coords=coords,
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


def read_recording(
    path: str | os.PathLike,
    conditions: Conditions | None = None,
    tmin: float | None = None,
    tmax: float | None = None,
    subject: str | None = None,
    *,
    tagged_hz: Mapping[str, float] | None = None,
    events: str | os.PathLike | None = None,
    epoch_length: float | None = None,
    drop_codes: Iterable[int] = (),
    task: str | None = None,
    fmt: str | None = None,
):
    """Load a recording as ``mne.Epochs`` (one per trial, condition = event name), or a Spectra.

    Parameters
    ----------
    path : path
        A BIDS root or subject folder (iEEG, through mne-bids), an EDF/BDF, BrainVision (``.vhdr``)
        or FIF file (raw or ``-epo.fif`` epochs), or a FieldTrip ``.mat`` file (time-domain
        ``trial`` data, or Fourier spectra ``fourierspctrm`` with ``dimord`` ``rpttap_chan_freq``).
    conditions : dict, optional
        Condition name → event code(s) (int), event description(s) (str) or FieldTrip trial codes,
        e.g. :data:`EEG_PHRASES_CONDITIONS`. Default: every event description is a condition.
    tmin, tmax : float, optional
        Epoch window around each event onset, in s. Default: 0 to the event's duration.
    subject : str, optional
        Subject id (default: from BIDS, else the file name). In a BIDS root with several subjects,
        select one (default: all, returned as a list).
    tagged_hz : dict, optional
        Tagged frequencies by level, carried to :func:`brain_spectra`. A simulated BIDS set brings
        its own (``task-*_events.json``: ``TaggedFrequencies``).
    events : path, optional
        A BIDS-style events.tsv (onset, duration, trial_type, value) to use instead of annotations.
    epoch_length : float, optional
        For a continuous recording without events: cut fixed-length epochs of this many seconds,
        all in the condition ``"fixed"``.
    drop_codes : iterable of int
        Trial codes to leave out (FieldTrip spectra), e.g. :data:`EEG_PHRASES_BAD_CODES`.
    task : str, optional
        BIDS task to read when a subject has several.
    fmt : str, optional
        Force a format from :data:`FORMATS` instead of guessing from the file name.

    Returns
    -------
    epochs : mne.Epochs
        With a DigMontage in ``mni_tal`` when MNI positions are known, ``info["subject_info"]``
        and hftp metadata (subject, tagged frequencies, coordinate frame) in ``info["description"]``.
        A FieldTrip frequency-domain file returns a brain Spectra (``xarray.Dataset``) instead.
        A BIDS root with several subjects returns a list (one item per subject);
        :func:`brain_spectra` accepts the list and pools the subjects.
    """
    p = check_in_path("path", path, kind="recording file or BIDS folder")
    fmt = _detect_format(p) if fmt is None else check_option("fmt", fmt, FORMATS)
    ev = check_in_path("events", events, kind="events.tsv file") if events is not None else None
    tagged = dict(tagged_hz) if tagged_hz is not None else None
    try:
        loaded = FORMATS[fmt][1](p, subject, task)
    except (ValueError, TypeError, ImportError):
        raise
    except Exception as exc:  # readers raise many types on a corrupt file
        listed = ", ".join(FORMATS)
        raise ValueError(
            f"Invalid value for 'path': could not read {str(p)!r} as {fmt} ({type(exc).__name__}: "
            f"{exc}). Supported formats: {listed}."
        ) from None
    if isinstance(loaded, list):
        out = [
            _finish(
                x, p, fmt, conditions, tmin, tmax, subject, tagged, ev, epoch_length, drop_codes
            )
            for x in loaded
        ]
        return out[0] if len(out) == 1 else out
    return _finish(
        loaded, p, fmt, conditions, tmin, tmax, subject, tagged, ev, epoch_length, drop_codes
    )


def _finish(loaded, p, fmt, conditions, tmin, tmax, subject, tagged, ev, epoch_length, drop_codes):
    subj = str(loaded.get("subject") or subject or p.stem).removeprefix("sub-")
    if loaded["kind"] == "ft_freq":
        return _ft_spectra(loaded["obj"], p, conditions, drop_codes, subj, tagged)
    tagged = tagged or loaded.get("tagged")
    if loaded["kind"] == "raw":
        raw = loaded["obj"]
        raw.load_data(verbose="error")
        _set_positions(raw, loaded.get("coords"), loaded.get("frame"))
        ev = ev or loaded.get("events_tsv")
        ep = _epochs_from_raw(raw, p, conditions, tmin, tmax, ev, epoch_length, "fixed")
    else:
        ep = _select_epochs(loaded["obj"], conditions, p)
    if len(ep) == 0:
        raise _no_events(p)
    ep.info["subject_info"] = {**(ep.info.get("subject_info") or {}), "his_id": subj}
    meta = {"subject": subj, "tagged_hz": tagged, "format": fmt, "source": str(p)}
    ep.info["description"] = _META_KEY + json.dumps(meta)
    logger.info("read %s (subject %s): %d epochs in %s", p.name, subj, len(ep), dict(_counts(ep)))
    return ep


def _counts(ep):
    return {k: int((ep.events[:, 2] == v).sum()) for k, v in ep.event_id.items()}


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


# ------------------------------------------------------------------------------------ spectra


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
            raise ValueError(
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


def _on_bin_length(n: int, sfreq: float, freqs: Iterable[float]) -> int:
    """The largest length ≤ n samples that puts every tagged frequency on an exact FFT bin."""
    step = 1
    for f in freqs:
        fr = Fraction(f / sfreq).limit_denominator(1_000_000)
        step = step * fr.denominator // np.gcd(step, fr.denominator)
    return (n // step) * step


def _bad_channels(data: np.ndarray, names: Sequence[str]) -> list[int]:
    """Indices of channels with NaN/inf or no variance; warns naming them."""
    finite = np.all(np.isfinite(data), axis=(0, 2))
    flat = np.zeros(len(names), bool)
    flat[finite] = np.ptp(data[:, finite], axis=(0, 2)) <= 1e-20
    bad = np.flatnonzero(~finite | flat)
    if bad.size:
        desc = [f"{names[i]} ({'NaN' if not finite[i] else 'flat'})" for i in bad]
        warnings.warn(
            f"Excluding {bad.size} channel(s) with NaN or flat signals: {', '.join(desc)}. "
            "Check the recording or mark them bad before loading.",
            UserWarning,
            stacklevel=3,
        )
    return bad.tolist()


def brain_spectra(
    epochs_or_spectra,
    drop_onset: float = 1.0,
    tagged_hz: Mapping[str, float] | None = None,
    *,
    conditions: Sequence[str] | None = None,
    regions: bool = True,
    atlas: str | os.PathLike | None = None,
    labels: str | os.PathLike | None = None,
    max_distance_mm: float = 2.0,
    keep_trials: bool = True,
):
    """FFT per trial after the onset drop, accumulated into a brain Spectra.

    Parameters
    ----------
    epochs_or_spectra : mne.Epochs, Spectra, or a list of them
        From :func:`read_recording`. A Spectra passes through (its ``tagged_hz`` may be set); a list
        is processed item by item and pooled with :func:`concat_subjects`.
    drop_onset : float
        Seconds dropped at the start of every epoch (the onset response). Default 1.0.
    tagged_hz : dict, optional
        Level → Hz. Default: what :func:`read_recording` carried. Required otherwise.
    conditions : list of str, optional
        Conditions to keep (default all). A missing one is an error.
    regions : bool
        Assign atlas regions from MNI positions (default True). Positions in another frame are an
        error unless ``regions=False``.
    atlas, labels : path, optional
        Atlas volume and label table (default AAL), see :func:`hftp.anatomy.assign_regions`.
    max_distance_mm : float
        Snap contacts just off a labelled voxel (e.g. surface ECoG) to the nearest label within
        this distance. Default 2 mm.
    keep_trials : bool
        Keep per-trial coefficients at the tagged bins (``trial_x``) for trial-level tests.

    Returns
    -------
    spectra : xarray.Dataset
        Dims ``(condition, channel, freq)``; channel coords ``subject, region, hemisphere, x, y, z``
        (MNI mm, NaN when unknown), ``atlas_label``, ``label`` (channel name), ``ch_type``. The
        epoch length is trimmed to the longest stretch that puts every tagged frequency on a bin.
    """
    import xarray as xr

    if isinstance(epochs_or_spectra, list | tuple):
        return concat_subjects(
            [
                brain_spectra(
                    e,
                    drop_onset,
                    tagged_hz,
                    conditions=conditions,
                    regions=regions,
                    atlas=atlas,
                    labels=labels,
                    max_distance_mm=max_distance_mm,
                    keep_trials=keep_trials,
                )
                for e in epochs_or_spectra
            ]
        )
    if isinstance(epochs_or_spectra, xr.Dataset):
        return _pass_spectra(epochs_or_spectra, tagged_hz, conditions)
    import mne

    check_type(
        "epochs_or_spectra",
        epochs_or_spectra,
        mne.BaseEpochs,
        "mne.Epochs (from hftp.read_recording) or a brain Spectra",
    )
    ep = epochs_or_spectra
    meta = _meta(ep.info)
    tagged = dict(tagged_hz or meta.get("tagged_hz") or {})
    if not tagged:
        raise ValueError(
            "Invalid value for 'tagged_hz': the epochs carry no tagged frequencies; pass e.g. "
            "tagged_hz={'unit': 4.0, 'phrase': 2.0, 'sentence': 1.0}."
        )
    sfreq = float(ep.info["sfreq"])
    for lvl, f in tagged.items():
        check_float(f"tagged_hz[{lvl!r}]", f, min_value=0.0, inclusive=False)
        if f >= sfreq / 2:
            raise ValueError(
                f"Invalid value for 'tagged_hz': the {lvl} rate {f} Hz is at or above the Nyquist "
                f"frequency ({sfreq / 2} Hz) of the {sfreq} Hz sampling rate. The sampling rate is too "
                "low for this frequency: use the original recording (do not decimate)."
            )
    drop = int(round(check_float("drop_onset", drop_onset, min_value=0.0) * sfreq))
    n_avail = len(ep.times) - drop
    period = 1.0 / min(tagged.values())
    if n_avail / sfreq < period:
        raise ValueError(
            f"Invalid value for 'tmax': epochs of {len(ep.times) / sfreq:.3g} s minus drop_onset="
            f"{drop_onset} s leave {max(n_avail, 0) / sfreq:.3g} s, shorter than the tagged period "
            f"{period:.3g} s (1/{min(tagged.values())} Hz). Use longer epochs or a smaller drop_onset."
        )
    n = _on_bin_length(n_avail, sfreq, tagged.values())
    if n < period * sfreq:
        raise ValueError(
            f"Invalid value for 'tagged_hz': no epoch length up to {n_avail} samples at {sfreq} Hz puts "
            f"all of {tagged} on exact FFT bins. Use epochs lasting a whole number of tagged periods."
        )
    if n < n_avail:
        logger.info("trimming epochs to %d samples so all tagged frequencies fall on bins", n)
    names = list(ep.info["ch_names"])
    picks = mne.pick_types(ep.info, exclude=[], **_DATA_TYPES)
    if picks.size == 0:
        raise ValueError(
            "Invalid value for 'epochs_or_spectra': the epochs hold no EEG/iEEG channels."
        )
    conds = list(ep.event_id) if conditions is None else list(conditions)
    missing = [c for c in conds if c not in ep.event_id]
    if missing:
        raise ValueError(
            f"Invalid value for 'conditions': {missing} not in the recording; it has "
            f"{sorted(ep.event_id)}."
        )
    data = {c: ep[c].get_data(picks=picks)[..., drop : drop + n] for c in conds}
    bad = set(_bad_channels(np.concatenate(list(data.values())), [names[i] for i in picks]))
    good = [j for j in range(picks.size) if j not in bad]
    if not good:
        raise ValueError("Invalid value for 'epochs_or_spectra': every channel is NaN or flat.")
    chs = [names[picks[j]] for j in good]
    xyz, frame = _positions(ep, chs)
    types = ep.get_channel_types(picks=[picks[j] for j in good])
    subj = str(meta.get("subject") or (ep.info.get("subject_info") or {}).get("his_id") or "sub")
    coords = _channel_coords(
        chs,
        subj,
        xyz,
        frame,
        regions=regions,
        atlas=atlas,
        labels=labels,
        ch_types=types,
        max_distance_mm=max_distance_mm,
    )
    from .io import provenance

    acc = SpectraAccumulator(
        unit_dims=("channel",),
        unit_coords=coords,
        freqs=np.fft.rfftfreq(n, 1 / sfreq)[1:],
        rate_hz=sfreq,
        tagged=tagged,
        n_times=n,
        kind="brain",
        keep_trials=keep_trials,
        attrs=provenance(
            subject=subj,
            drop_onset=float(drop_onset),
            coord_frame=str(frame),
            source=str(meta.get("source", "")),
        ),
    )
    for c in conds:
        acc.add(c, rfft_trials(data[c][:, good]))
    return acc.to_dataset()


def _positions(ep, chs):
    mont = ep.get_montage()
    if mont is None:
        return None, None
    pos = mont.get_positions()
    xyz = np.array([pos["ch_pos"].get(c, [np.nan] * 3) for c in chs], dtype=float) * 1000.0
    frame = pos["coord_frame"]
    return xyz, ("mni_tal" if frame == "mni_tal" else frame)


def _pass_spectra(s, tagged_hz, conditions):
    _check_spectra(s, "epochs_or_spectra")
    if conditions is not None:
        missing = [c for c in conditions if c not in s["condition"].values]
        if missing:
            raise ValueError(
                f"Invalid value for 'conditions': {missing} not in the Spectra; it has "
                f"{list(s['condition'].values)}."
            )
        s = s.sel(condition=list(conditions))
    if tagged_hz:
        from .spectral import bin_index

        for lvl, f in tagged_hz.items():
            bin_index(s["freq"].values, float(f), name=f"tagged_hz[{lvl!r}]")
        s = s.assign_attrs(tagged_hz=json.dumps({k: float(v) for k, v in tagged_hz.items()}))
    return s


def concat_subjects(spectra: Sequence[Any]):
    """Pool several subjects' brain Spectra along ``channel``.

    Channels are renamed ``"<subject>/<name>"`` so they stay unique (the plain name stays in the
    ``label`` coord). Conditions are the union; a subject without a condition contributes no trials
    there. When trial counts differ between subjects, ``n_trials`` gets dims ``(condition, channel)``
    (the derived measures broadcast over it unchanged).

    Returns
    -------
    spectra : xarray.Dataset, dims (condition, channel, freq)
    """
    import xarray as xr

    check_type("spectra", spectra, list | tuple, "a list of brain Spectra")
    if not spectra:
        raise ValueError("Invalid value for 'spectra': expected at least one Spectra; got none.")
    for s in spectra:
        _check_spectra(s, "spectra")
    first = spectra[0]
    for s in spectra[1:]:
        if s.sizes["freq"] != first.sizes["freq"] or not np.allclose(s["freq"], first["freq"]):
            raise ValueError(
                "Invalid value for 'spectra': the subjects have different frequency axes."
            )
        if _tagged(s) != _tagged(first):
            raise ValueError(
                f"Invalid value for 'spectra': tagged frequencies differ ({_tagged(s)} vs {_tagged(first)})."
            )
    conds = list(dict.fromkeys(c for s in spectra for c in s["condition"].values.tolist()))
    n_tr = max(s.sizes.get("trial", 0) for s in spectra)
    parts = []
    for s in spectra:
        s = s.copy()
        subj = (
            s["subject"].values if "subject" in s.coords else np.array(["sub"] * s.sizes["channel"])
        )
        names = [
            c if str(c).startswith(f"{sj}/") else f"{sj}/{c}"
            for sj, c in zip(subj, s["channel"].values, strict=True)
        ]
        if "label" not in s.coords:
            s = s.assign_coords(label=("channel", s["channel"].values))
        s = s.assign_coords(channel=np.array(names, dtype=object))
        n = s["n_trials"]
        if "channel" not in n.dims:
            n = n.broadcast_like(s["channel"])
        s["n_trials"] = n.reindex(condition=conds, fill_value=0)
        s = s.reindex(condition=conds, fill_value=0)
        if "trial_x" in s and s.sizes["trial"] < n_tr:
            s = s.pad(trial=(0, n_tr - s.sizes["trial"]), constant_values={"trial_x": np.nan})
            s["trial_x"] = s["trial_x"].fillna(np.nan + 1j * np.nan).astype(np.complex64)
        parts.append(s)
    out = xr.concat(
        parts, dim="channel", coords="minimal", compat="override", combine_attrs="override"
    )
    n = out["n_trials"]
    if bool((n == n.isel(channel=0)).all()):
        out["n_trials"] = n.isel(channel=0, drop=True)
    out.attrs["subjects"] = json.dumps(list(dict.fromkeys(out["subject"].values.tolist())))
    out.attrs.pop("subject", None)
    return out


# ------------------------------------------------------------------------------------ eeg-phrases


def read_eeg_phrases(folder: str | os.PathLike, *, drop_bad: bool = True, progress: bool = False):
    """Load every participant of the eeg-phrases scalp-EEG set as a brain Spectra.

    Parameters
    ----------
    folder : path
        The data set folder (with ``ft/P*_ft.mat``) or its ``ft`` subfolder.
    drop_bad : bool
        Leave out trial index 8 of every condition (:data:`EEG_PHRASES_BAD_CODES`), as the
        authors do when pooling all 20 participants. Default True.
    progress : bool
        Show a progress bar.

    Returns
    -------
    spectra : list of xarray.Dataset
        One per participant in P1..P20 order, dims (condition, channel, freq), attrs ``modality``
        = ``"EEG (scalp)"``. P1–P4 hold only avav, anan and phmi.
    """
    from tqdm.auto import tqdm

    d = check_in_path("folder", folder, kind="eeg-phrases folder")
    ft = d / "ft" if (d / "ft").is_dir() else d
    files = sorted(ft.glob("P*_ft.mat"), key=lambda p: int(re.match(r"P(\d+)", p.name).group(1)))
    if not files:
        raise ValueError(f"Invalid value for 'folder': no P*_ft.mat files in {str(ft)!r}.")
    out = []
    for f in tqdm(files, disable=not progress, desc="eeg-phrases"):
        subj = re.match(r"(P\d+)", f.name).group(1)
        conds = EEG_PHRASES_CONDITIONS
        if subj in EEG_PHRASES_PARTIAL:
            conds = {c: EEG_PHRASES_CONDITIONS[c] for c in EEG_PHRASES_PARTIAL_CONDITIONS}
        s = read_recording(
            f,
            conds,
            subject=subj,
            tagged_hz=EEG_PHRASES_TAGGED_HZ,
            drop_codes=EEG_PHRASES_BAD_CODES if drop_bad else (),
        )
        out.append(s.assign_attrs(modality=EEG_LABEL))
    return out


def subject_itc(spectra_list: Sequence[Any]):
    """ITC averaged over channels, per subject: DataArray (subject, condition, freq), NaN where a
    subject lacks a condition."""
    import xarray as xr

    rows = []
    for s in spectra_list:
        subj = str(s.attrs.get("subject") or s["subject"].values[0])
        rows.append(itc(s).mean("channel").expand_dims(subject=[subj]))
    out = xr.concat(rows, dim="subject", join="outer")
    out.name = "itc"
    return out


def grand_average_itc(spectra_list: Sequence[Any]):
    """ITC averaged over channels, then over subjects (as the published analysis).

    Returns
    -------
    DataArray, dims (condition, freq), with coord ``n_subjects`` on condition.
    """
    per = subject_itc(spectra_list)
    ga = per.mean("subject", skipna=True)
    ga = ga.assign_coords(n_subjects=("condition", per.notnull().any("freq").sum("subject").values))
    ga.name = "itc"
    ga.attrs["modality"] = spectra_list[0].attrs.get("modality", "")
    return ga
