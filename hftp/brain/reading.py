"""The read functions: a recording on disk → ``mne.Epochs`` (or a brain Spectra).

:func:`read_recording` reads one recording (BIDS iEEG via mne-bids, EDF/BDF, BrainVision, FIF raw
or epochs, FieldTrip time series) as ``mne.Epochs`` with one epoch per trial and the condition as
the event name; :func:`read_subjects` reads every subject of a BIDS root; :func:`read_spectra`
reads a FieldTrip frequency-domain file (``fourierspctrm``) as a brain Spectra; :func:`read_any`
gives whichever of these a file holds (for applications); :func:`item_epochs` relabels epochs by
stimulus item. Their options travel as one :class:`ReadOptions` record through the format's reader
(:mod:`hftp.brain.formats`) and the epoching (:mod:`hftp.brain.epochs`); what a read learned
(subject, tagged frequencies, source) is stored in ``info["description"]`` and read back by
:func:`recording_meta`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hftp._validation import HftpError, InvalidValueError, check_in_path, check_option
from hftp.brain.epochs import (
    Conditions,
    epochs_from_raw,
    no_events_error,
    select_epochs,
)
from hftp.brain.formats import FORMATS, Loaded, detect_format, fieldtrip_spectra
from hftp.brain.montage import attach_montage, check_montage, set_positions

__all__ = [
    "META_KEY",
    "ReadOptions",
    "item_epochs",
    "read_any",
    "read_recording",
    "read_spectra",
    "read_subjects",
    "recording_meta",
]

logger = logging.getLogger("hftp")

META_KEY = "hftp:"
"""Prefix of the JSON that the read functions store in ``info["description"]``."""


@dataclass(frozen=True)
class ReadOptions:
    """How to read a recording: the options of :func:`read_recording`, as one record.

    Attributes
    ----------
    conditions : dict, optional
        Condition name → event code(s), event description(s) or FieldTrip trial code(s).
    tmin, tmax : float, optional
        Epoch window around each event onset, in s.
    subject : str, optional
        Subject id, or the subject of a BIDS root to read.
    tagged_hz : dict, optional
        Tagged frequencies by level.
    events : path, optional
        A BIDS-style events.tsv to use instead of annotations.
    epoch_length : float, optional
        Fixed-length epochs (s) for a continuous recording without events.
    drop_codes : iterable of int
        Trial codes to leave out (FieldTrip spectra).
    task : str, optional
        BIDS task.
    fmt : str, optional
        A key of :data:`hftp.brain.formats.FORMATS`; default: from the file name.
    montage : str, optional
        A standard montage to attach (scalp EEG).
    drop_incomplete : bool
        Drop the trials a truncated file cuts, with a warning (default: an error).
    """

    conditions: Conditions | None = None
    tmin: float | None = None
    tmax: float | None = None
    subject: str | None = None
    tagged_hz: Mapping[str, float] | None = None
    events: str | os.PathLike | None = None
    epoch_length: float | None = None
    drop_codes: Iterable[int] = ()
    task: str | None = None
    fmt: str | None = None
    montage: str | None = None
    drop_incomplete: bool = False


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
    montage: str | None = None,
    drop_incomplete: bool = False,
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
        e.g. the conditions of :mod:`hftp.datasets.eeg_phrases`. Default: every event description
        is a condition.
    tmin, tmax : float, optional
        Epoch window around each event onset, in s. Default: 0 to the event's duration.
    subject : str, optional
        Subject id (default: from BIDS, else the file name). In a BIDS root with several subjects,
        the one to read (see :func:`read_subjects` for all of them).
    tagged_hz : dict, optional
        Tagged frequencies by level, carried to :func:`hftp.brain_spectra`. A simulated BIDS set
        brings its own (``task-*_events.json``: ``TaggedFrequencies``).
    events : path, optional
        A BIDS-style events.tsv (onset, duration, trial_type, value) to use instead of annotations.
    epoch_length : float, optional
        For a continuous recording without events: cut fixed-length epochs of this many seconds,
        all in the condition ``"fixed"``.
    drop_codes : iterable of int
        Trial codes to leave out (FieldTrip spectra), e.g. the bad codes of
        :mod:`hftp.datasets.eeg_phrases`.
    task : str, optional
        BIDS task to read when a subject has several.
    fmt : str, optional
        Force a format from :data:`hftp.brain.formats.FORMATS` instead of guessing from the file
        name.
    montage : str, optional
        A standard montage to attach (scalp EEG), e.g. ``"spherical_1020"`` or ``"biosemi64"`` (see
        ``mne.channels.get_builtin_montages()``). Its positions are not MNI: regions are then
        skipped by :func:`hftp.brain_spectra` with a note.
    drop_incomplete : bool
        Drop, with a warning counting them, the trials a truncated file cuts (default False: an
        error naming the file, the expected and the found duration).

    Returns
    -------
    epochs : mne.Epochs
        Shape (n_trials, n_channels, n_times), with a DigMontage in ``mni_tal`` when MNI positions
        are known, ``info["subject_info"]`` and hftp metadata (subject, tagged frequencies,
        format, source, data set) in ``info["description"]`` (see :func:`recording_meta`). Trials
        overlapping a ``BAD`` annotation are dropped; ``info["bads"]`` go to brain_spectra.

    Raises
    ------
    InvalidValueError
        For a BIDS root with several subjects (use ``subject=`` or :func:`read_subjects`) and for a
        FieldTrip frequency-domain file (use :func:`read_spectra`).

    See Also
    --------
    read_subjects : every subject of a BIDS root, as a list of ``mne.Epochs``.
    read_spectra : a FieldTrip Fourier-spectra file, as a brain Spectra.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import hftp
    >>> sim = hftp.simulate_ieeg(Path(tempfile.mkdtemp()) / "bids", subjects=1, n_trials=4, seed=0)
    >>> epochs = hftp.read_recording(sim.root)  # a BIDS root, a subject folder or a file
    >>> len(epochs), len(epochs.ch_names), sorted(epochs.event_id)
    (12, 12, ['phrases', 'random-words', 'sentences'])
    """
    opts = ReadOptions(
        conditions=conditions,
        tmin=tmin,
        tmax=tmax,
        subject=subject,
        tagged_hz=tagged_hz,
        events=events,
        epoch_length=epoch_length,
        drop_codes=drop_codes,
        task=task,
        fmt=fmt,
        montage=montage,
        drop_incomplete=drop_incomplete,
    )
    out = _read(path, opts)
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
    montage: str | None = None,
    drop_incomplete: bool = False,
) -> list:
    """Load every subject of a BIDS root (or one file) as a list of ``mne.Epochs``.

    :func:`hftp.brain_spectra` accepts the list and pools the subjects along ``channel``.

    Parameters
    ----------
    path : path
        A BIDS root (every subject), a subject folder or one recording file.
    conditions : dict, optional
        Condition name → event code(s) or description(s), as in :func:`read_recording`.
    tmin, tmax : float, optional
        Epoch window around each event onset, in s. Default: 0 to the event's duration.
    tagged_hz : dict, optional
        Tagged frequencies by level (a simulated BIDS set brings its own).
    events : path, optional
        A BIDS-style events.tsv to use instead of annotations.
    epoch_length : float, optional
        Fixed-length epochs (s) for a continuous recording without events.
    task : str, optional
        BIDS task to read when a subject has several.
    fmt : str, optional
        Force a format from :data:`hftp.brain.formats.FORMATS`.
    montage : str, optional
        A standard montage to attach (scalp EEG).
    drop_incomplete : bool
        Drop, with a warning, the trials a truncated file cuts (default: an error).

    Returns
    -------
    list of mne.Epochs
        One per subject, in BIDS order (one item for a single file), each shaped
        (n_trials, n_channels, n_times).
    """
    opts = ReadOptions(
        conditions=conditions,
        tmin=tmin,
        tmax=tmax,
        tagged_hz=tagged_hz,
        events=events,
        epoch_length=epoch_length,
        task=task,
        fmt=fmt,
        montage=montage,
        drop_incomplete=drop_incomplete,
    )
    out = _read(path, opts)
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
    """Load a FieldTrip frequency-domain file as a brain Spectra.

    The file holds single-trial Fourier spectra (``fourierspctrm``, ``dimord``
    ``rpttap_chan_freq``).

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
    opts = ReadOptions(
        conditions=conditions,
        subject=subject,
        tagged_hz=tagged_hz,
        drop_codes=drop_codes,
        fmt="fieldtrip",
    )
    out = _read(path, opts)
    if len(out) != 1 or hasattr(out[0], "get_data"):
        raise InvalidValueError(
            f"Invalid value for 'path': {str(path)!r} holds a time series, not FieldTrip spectra. "
            "Read it with hftp.read_recording(path)."
        )
    return out[0]


_READ_ANY_KEYWORDS = tuple(
    f.name for f in dataclasses.fields(ReadOptions) if f.name != "conditions"
)


def read_any(path: str | os.PathLike, conditions: Conditions | None = None, **kwargs: Any):
    """What :func:`hftp.brain_spectra` accepts, whatever ``path`` holds.

    That is the list of every subject's ``mne.Epochs`` (:func:`read_subjects`) for time series, or
    a brain Spectra (:func:`read_spectra`) for a FieldTrip frequency-domain file. For applications
    (the CLI) that take any recording; code that knows its data calls the specific reader.

    Parameters
    ----------
    path : path
        A recording file or BIDS folder, as in :func:`read_recording`.
    conditions : dict, optional
        Condition name → event code(s), description(s) or FieldTrip trial code(s).
    **kwargs
        The other fields of :class:`ReadOptions`: ``tmin``, ``tmax``, ``subject``,
        ``tagged_hz``, ``events``, ``epoch_length``, ``drop_codes``, ``task``, ``fmt``,
        ``montage``, ``drop_incomplete``.

    Returns
    -------
    list of mne.Epochs or xarray.Dataset
        One ``mne.Epochs`` (n_trials, n_channels, n_times) per subject, or a brain Spectra with
        dims ``(condition, channel, freq)``.
    """
    for k in kwargs:
        check_option("read_any keyword", k, _READ_ANY_KEYWORDS)
    items = _read(path, ReadOptions(conditions=conditions, **kwargs))
    if len(items) == 1 and not hasattr(items[0], "get_data"):
        return items[0]
    return items


def _read(path: str | os.PathLike, opts: ReadOptions) -> list:
    """Check the options, read the file with its format's reader, and finish every item."""
    p = check_in_path("path", path, kind="recording file or BIDS folder")
    fmt = detect_format(p) if opts.fmt is None else check_option("fmt", opts.fmt, FORMATS)
    check_montage(opts.montage)
    events = opts.events
    if events is not None:
        events = check_in_path("events", events, kind="events.tsv file")
    opts = dataclasses.replace(
        opts,
        fmt=fmt,
        events=events,
        tagged_hz=dict(opts.tagged_hz) if opts.tagged_hz is not None else None,
        drop_codes=() if opts.drop_codes is None else opts.drop_codes,
        drop_incomplete=bool(opts.drop_incomplete),
    )
    try:
        loaded = FORMATS[fmt].reader(p, opts.subject, opts.task)
    except (ImportError, HftpError):  # a missing package, or hftp's own message naming the fix
        raise
    except Exception as exc:  # readers raise many types on a corrupt file
        listed = ", ".join(FORMATS)
        raise InvalidValueError(
            f"Invalid value for 'path': could not read {str(p)!r} as {fmt} ({type(exc).__name__}: "
            f"{exc}). Supported formats: {listed}."
        ) from None
    return [_finish(x, p, opts) for x in (loaded if isinstance(loaded, list) else [loaded])]


def _finish(loaded: Loaded, p: Path, opts: ReadOptions):
    """One reader's item → ``mne.Epochs`` (or a brain Spectra for FieldTrip Fourier spectra)."""
    subj = str(loaded.subject or opts.subject or p.stem).removeprefix("sub-")
    if loaded.kind == "ft_freq":
        return fieldtrip_spectra(
            loaded.obj, p, opts.conditions, opts.drop_codes, subj, opts.tagged_hz
        )
    tagged_hz = opts.tagged_hz or loaded.tagged_hz
    if loaded.kind == "raw":
        raw = loaded.obj
        raw.load_data(verbose="warning")
        set_positions(raw, loaded.coords, loaded.frame)
        attach_montage(raw, opts.montage)
        ep = epochs_from_raw(
            raw,
            p,
            opts.conditions,
            tmin=opts.tmin,
            tmax=opts.tmax,
            events_tsv=opts.events or loaded.events_tsv,
            epoch_length=opts.epoch_length,
            drop_incomplete=opts.drop_incomplete,
            lost_events=loaded.lost_events,
            short_of_header=loaded.short_of_header,
        )
    else:
        ep = select_epochs(loaded.obj, opts.conditions, p)
        attach_montage(ep, opts.montage)
    if len(ep) == 0:
        raise no_events_error(p)
    ep.info["subject_info"] = {**(ep.info.get("subject_info") or {}), "his_id": subj}
    meta = {"subject": subj, "tagged_hz": tagged_hz, "format": opts.fmt, "source": str(p)}
    if loaded.modality:
        meta["modality"] = loaded.modality
    if loaded.dataset:
        meta["dataset"] = loaded.dataset
    ep.info["description"] = META_KEY + json.dumps(meta)
    logger.info("read %s (subject %s): %d epochs in %s", p.name, subj, len(ep), _counts(ep))
    return ep


def _counts(ep) -> dict[str, int]:
    return {k: int((ep.events[:, 2] == v).sum()) for k, v in ep.event_id.items()}


def recording_meta(info) -> dict[str, Any]:
    """What a read function stored in ``info["description"]``.

    Parameters
    ----------
    info : mne.Info
        Of epochs from :func:`read_recording` (or any other).

    Returns
    -------
    dict
        ``subject``, ``tagged_hz``, ``format``, ``source`` and, when known, ``modality`` and
        ``dataset``; empty for epochs that hftp did not read.
    """
    d = info.get("description") or ""
    return json.loads(d[len(META_KEY) :]) if d.startswith(META_KEY) else {}


def item_epochs(epochs, column: str = "item"):
    """Epochs relabelled by item: each stimulus stream becomes its own condition.

    For item-level RSA (:func:`hftp.align` over items): :func:`read_recording` stores the
    ``item`` (or ``stim_file``) column of a BIDS events.tsv in ``epochs.metadata``; the result's
    event ids are the item names, so :func:`hftp.brain_spectra` gives one spectrum per item (use
    an amplitude measure, e.g. ``brain_measure="evoked"``: ITC over one trial is 1).

    Parameters
    ----------
    epochs : mne.Epochs
        From :func:`read_recording`, with ``metadata[column]``.
    column : str
        The metadata column naming the item. Default ``"item"``.

    Returns
    -------
    mne.EpochsArray
        The same data (n_trials, n_channels, n_times), with one event id per item, numbered in
        order of first appearance.
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
    return mne.EpochsArray(
        epochs.get_data(),
        epochs.info,
        events=events,
        tmin=epochs.tmin,
        event_id=ids,
        verbose="error",
    )
