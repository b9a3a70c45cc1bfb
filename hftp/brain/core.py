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
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from hftp._validation import InvalidValueError, check_float, check_in_path, check_option, check_type
from hftp.brain.anatomy import assign_regions
from hftp.brain.readers import (
    _META_KEY,
    FORMATS,
    Conditions,
    _channel_coords,
    _detect_format,
    _epochs_from_raw,
    _ft_spectra,
    _meta,
    _no_events,
    _select_epochs,
    _set_positions,
)
from hftp.brain.simulate import simulate_ieeg
from hftp.brain.subjects import concat_subjects
from hftp.spectral.accessor import check_spectra
from hftp.spectral.accumulate import SpectraAccumulator, rfft_trials
from hftp.spectral.bins import bin_step

__all__ = [
    "read_recording",
    "read_subjects",
    "read_spectra",
    "read_any",
    "brain_spectra",
    "responsive_channels",
    "assign_regions",
    "simulate_ieeg",
    "FORMATS",
]

logger = logging.getLogger("hftp")

_DATA_TYPES = {"eeg": True, "seeg": True, "ecog": True, "dbs": True, "meg": True}


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
    """Load one recording as ``mne.Epochs`` (one epoch per trial, condition = event name).

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
        the one to read (see :func:`read_subjects` for all of them).
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

    Raises
    ------
    InvalidValueError
        For a BIDS root with several subjects (use ``subject=`` or :func:`read_subjects`) and for a
        FieldTrip frequency-domain file (use :func:`read_spectra`).

    See Also
    --------
    read_subjects : every subject of a BIDS root, as a list of ``mne.Epochs``.
    read_spectra : a FieldTrip Fourier-spectra file, as a brain Spectra.
    """
    out = _read(
        path,
        conditions,
        tmin,
        tmax,
        subject,
        tagged_hz,
        events,
        epoch_length,
        drop_codes,
        task,
        fmt,
    )
    if any(not hasattr(x, "get_data") for x in out):
        raise InvalidValueError(
            f"Invalid value for 'path': {str(path)!r} holds frequency-domain spectra (FieldTrip "
            "fourierspctrm), not a time series. Read it with hftp.brain.read_spectra(path, ...)."
        )
    if len(out) > 1:
        subs = [x.info["subject_info"]["his_id"] for x in out]
        raise InvalidValueError(
            f"Invalid value for 'path': the BIDS root {str(path)!r} holds {len(out)} subjects "
            f"{subs}. Read one with subject={subs[0]!r}, or all with hftp.brain.read_subjects(path) "
            "(hftp.brain_spectra pools the list)."
        )
    return out[0]


def read_subjects(
    path: str | os.PathLike,
    conditions: Conditions | None = None,
    tmin: float | None = None,
    tmax: float | None = None,
    *,
    tagged_hz: Mapping[str, float] | None = None,
    events: str | os.PathLike | None = None,
    epoch_length: float | None = None,
    task: str | None = None,
    fmt: str | None = None,
) -> list:
    """Load every subject of a BIDS root (or one file) as a list of ``mne.Epochs``.

    Parameters are those of :func:`read_recording`. :func:`brain_spectra` accepts the list and
    pools the subjects along ``channel``.

    Returns
    -------
    list of mne.Epochs
        One per subject, in BIDS order (one item for a single file).
    """
    out = _read(path, conditions, tmin, tmax, None, tagged_hz, events, epoch_length, (), task, fmt)
    if any(not hasattr(x, "get_data") for x in out):
        raise InvalidValueError(
            f"Invalid value for 'path': {str(path)!r} holds frequency-domain spectra. Read it with "
            "hftp.brain.read_spectra(path, ...)."
        )
    return out


def read_spectra(
    path: str | os.PathLike,
    conditions: Conditions | None = None,
    *,
    subject: str | None = None,
    tagged_hz: Mapping[str, float] | None = None,
    drop_codes: Iterable[int] = (),
):
    """Load a FieldTrip frequency-domain file (``fourierspctrm``, ``dimord`` ``rpttap_chan_freq``)
    as a brain Spectra.

    Parameters
    ----------
    path : path
        The ``.mat`` file.
    conditions : dict, optional
        Condition name → FieldTrip trial code(s).
    subject : str, optional
        Subject id. Default: the file name.
    tagged_hz : dict, optional
        Tagged frequencies by level.
    drop_codes : iterable of int
        Trial codes to leave out.

    Returns
    -------
    xarray.Dataset
        A brain Spectra, dims ``(condition, channel, freq)``.
    """
    out = _read(
        path, conditions, None, None, subject, tagged_hz, None, None, drop_codes, None, "fieldtrip"
    )
    if len(out) != 1 or hasattr(out[0], "get_data"):
        raise InvalidValueError(
            f"Invalid value for 'path': {str(path)!r} holds a time series, not FieldTrip spectra. "
            "Read it with hftp.read_recording(path)."
        )
    return out[0]


def read_any(path: str | os.PathLike, conditions: Conditions | None = None, **kwargs: Any):
    """What :func:`brain_spectra` accepts, whatever ``path`` holds: the list of every subject's
    ``mne.Epochs`` (:func:`read_subjects`) for time series, or a brain Spectra
    (:func:`read_spectra`) for a FieldTrip frequency-domain file. For applications (the CLI) that
    take any recording; code that knows its data calls the specific reader.

    ``kwargs`` go to the reader: ``tmin``, ``tmax``, ``subject``, ``tagged_hz``, ``events``,
    ``epoch_length``, ``drop_codes``, ``task``, ``fmt``.
    """
    keys = ("tmin", "tmax", "subject", "tagged_hz", "events", "epoch_length", "drop_codes", "task")
    for k in kwargs:
        check_option("read_any keyword", k, (*keys, "fmt"))
    args = [kwargs.get(k) for k in keys]
    args[6] = args[6] or ()
    items = _read(path, conditions, *args, kwargs.get("fmt"))
    if len(items) == 1 and not hasattr(items[0], "get_data"):
        return items[0]
    return items


def _read(
    path, conditions, tmin, tmax, subject, tagged_hz, events, epoch_length, drop_codes, task, fmt
):
    p = check_in_path("path", path, kind="recording file or BIDS folder")
    fmt = _detect_format(p) if fmt is None else check_option("fmt", fmt, FORMATS)
    ev = check_in_path("events", events, kind="events.tsv file") if events is not None else None
    tagged = dict(tagged_hz) if tagged_hz is not None else None
    try:
        loaded = FORMATS[fmt][1](p, subject, task)
    except ImportError:
        raise
    except Exception as exc:  # readers raise many types on a corrupt file
        if str(exc).startswith("Invalid "):  # hftp's own message already names the fix
            raise
        listed = ", ".join(FORMATS)
        raise InvalidValueError(
            f"Invalid value for 'path': could not read {str(p)!r} as {fmt} ({type(exc).__name__}: "
            f"{exc}). Supported formats: {listed}."
        ) from None
    items = loaded if isinstance(loaded, list) else [loaded]
    return [
        _finish(x, p, fmt, conditions, tmin, tmax, subject, tagged, ev, epoch_length, drop_codes)
        for x in items
    ]


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
    if loaded.get("modality"):
        meta["modality"] = loaded["modality"]
    ep.info["description"] = _META_KEY + json.dumps(meta)
    logger.info("read %s (subject %s): %d epochs in %s", p.name, subj, len(ep), dict(_counts(ep)))
    return ep


def _counts(ep):
    return {k: int((ep.events[:, 2] == v).sum()) for k, v in ep.event_id.items()}


# ------------------------------------------------------------------------------------ spectra


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
        Atlas volume and label table (default AAL), see :func:`hftp.brain.anatomy.assign_regions`.
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
        raise InvalidValueError(
            "Invalid value for 'tagged_hz': the epochs carry no tagged frequencies; pass e.g. "
            "tagged_hz={'unit': 4.0, 'phrase': 2.0, 'sentence': 1.0}."
        )
    sfreq = float(ep.info["sfreq"])
    for lvl, f in tagged.items():
        check_float(f"tagged_hz[{lvl!r}]", f, min_value=0.0, inclusive=False)
        if f >= sfreq / 2:
            raise InvalidValueError(
                f"Invalid value for 'tagged_hz': the {lvl} rate {f} Hz is at or above the Nyquist "
                f"frequency ({sfreq / 2} Hz) of the {sfreq} Hz sampling rate. The sampling rate is too "
                "low for this frequency: use the original recording (do not decimate)."
            )
    drop = int(round(check_float("drop_onset", drop_onset, min_value=0.0) * sfreq))
    n_avail = len(ep.times) - drop
    period = 1.0 / min(tagged.values())
    if n_avail / sfreq < period:
        raise InvalidValueError(
            f"Invalid value for 'tmax': epochs of {len(ep.times) / sfreq:.3g} s minus drop_onset="
            f"{drop_onset} s leave {max(n_avail, 0) / sfreq:.3g} s, shorter than the tagged period "
            f"{period:.3g} s (1/{min(tagged.values())} Hz). Use longer epochs or a smaller drop_onset."
        )
    step = bin_step(tagged.values(), sfreq)
    n = (n_avail // step) * step
    if n < period * sfreq:
        raise InvalidValueError(
            f"Invalid value for 'tagged_hz': no epoch length up to {n_avail} samples at {sfreq} Hz puts "
            f"all of {tagged} on exact FFT bins. Use epochs lasting a whole number of tagged periods."
        )
    if n < n_avail:
        logger.info("trimming epochs to %d samples so all tagged frequencies fall on bins", n)
    names = list(ep.info["ch_names"])
    picks = mne.pick_types(ep.info, exclude=[], **_DATA_TYPES)
    if picks.size == 0:
        raise InvalidValueError(
            "Invalid value for 'epochs_or_spectra': the epochs hold no EEG/iEEG channels."
        )
    conds = list(ep.event_id) if conditions is None else list(conditions)
    missing = [c for c in conds if c not in ep.event_id]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'conditions': {missing} not in the recording; it has "
            f"{sorted(ep.event_id)}."
        )
    data = {c: ep[c].get_data(picks=picks)[..., drop : drop + n] for c in conds}
    bad = set(_bad_channels(np.concatenate(list(data.values())), [names[i] for i in picks]))
    good = [j for j in range(picks.size) if j not in bad]
    if not good:
        raise InvalidValueError(
            "Invalid value for 'epochs_or_spectra': every channel is NaN or flat."
        )
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
    from hftp.io import provenance

    acc = SpectraAccumulator(
        channel_dims=("channel",),
        channel_coords=coords,
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
            **({"modality": meta["modality"]} if meta.get("modality") else {}),
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
    check_spectra(s, "epochs_or_spectra")
    if conditions is not None:
        missing = [c for c in conditions if c not in s["condition"].values]
        if missing:
            raise InvalidValueError(
                f"Invalid value for 'conditions': {missing} not in the Spectra; it has "
                f"{list(s['condition'].values)}."
            )
        s = s.sel(condition=list(conditions))
    if tagged_hz:
        from hftp.spectral.bins import bin_index

        for lvl, f in tagged_hz.items():
            bin_index(s["freq"].values, float(f), name=f"tagged_hz[{lvl!r}]")
        s = s.assign_attrs(tagged_hz=json.dumps({k: float(v) for k, v in tagged_hz.items()}))
    return s


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
    spectra : brain Spectra
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
        One row per condition × channel × level: ``condition, channel, subject, region,
        hemisphere, x, y, z, level`` and the tagging variables (``statistic, p, q, significant``,
        ``category``).
    """
    import pandas as pd

    from hftp.tagging.core import find_tagged

    check_spectra(spectra)
    allc = [str(c) for c in spectra["condition"].values]
    conds = [c for c in allc if c != control] if conditions is None else list(conditions)
    for c in conds:
        check_option("conditions", c, allc)
    keep = ["subject", "region", "hemisphere", "x", "y", "z"]
    frames = []
    for c in conds:
        res = find_tagged(spectra, condition=c, control=control, q=q, **kwargs)
        per_level = [v for v in res.data_vars if res[v].dims == ("channel", "level")]
        df = res[per_level].to_dataframe().reset_index()
        df = df[["channel", "level", *per_level]]
        if "category" in res:
            df["category"] = df["channel"].map(
                dict(zip(res["channel"].values, res["category"].values, strict=True))
            )
        info = pd.DataFrame(
            {k: spectra[k].values for k in keep if k in spectra.coords},
            index=spectra["channel"].values,
        )
        df = df.join(info, on="channel")
        df.insert(0, "condition", c)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)
