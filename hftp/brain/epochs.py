"""Events → conditions → trials: which epochs a recording holds.

The events of a continuous recording (its annotations, or a BIDS ``events.tsv``) are matched to
conditions (:func:`match_conditions`; trial-unique event codes are grouped by name), checked against
the end of the data (a truncated file loses trials: an error, or a warning with
``drop_incomplete``), and cut into ``mne.Epochs`` (:func:`epochs_from_raw`). Epochs read as such
are renamed by condition with :func:`select_epochs`.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from hftp._validation import HftpError, InvalidValueError, check_float, check_type

__all__ = [
    "Conditions",
    "FIXED_CONDITION",
    "ITEM_COLUMNS",
    "epochs_from_raw",
    "match_conditions",
    "no_events_error",
    "select_epochs",
]

logger = logging.getLogger("hftp")

#: condition name → event code(s) (int) or event description(s) (str).
Conditions = Mapping[str, int | str | Iterable[int | str]]

#: The condition of the fixed-length epochs cut from a recording without events.
FIXED_CONDITION = "fixed"

ITEM_COLUMNS = ("item", "stim_file")
"""BIDS events.tsv columns that say which stimulus stream a trial played (first found wins)."""

_IGNORED_EVENTS = ("bad", "edge", "boundary")

#: One event: (onset in s, description, code or None, duration in s).
Event = tuple[float, str, int | None, float]


# ------------------------------------------------------------------------------------ events


def _event_code(desc: str) -> int | None:
    m = re.search(r"(-?\d+)\s*$", desc)
    return int(m.group(1)) if m else None


def _raw_events(raw, events_tsv: Path | None) -> list[Event]:
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


# ------------------------------------------------------------------------------------ conditions


def _prefix(description: str) -> str:
    """``"advp_07"`` → ``"advp"``, ``"Stimulus/S 12"`` → ``"Stimulus/S"``: the name without its number."""
    return re.sub(r"[\s_\-/.:#]*\d+$", "", description.strip()) or description


def _default_conditions(events, where: str, group: bool = True) -> dict[str, list[int]]:
    """One condition per event description; trial-unique codes are grouped by prefix."""
    names = list(dict.fromkeys(e[1] for e in events))
    codes = {e[1]: e[2] for e in events}
    if all(codes[n] is not None for n in names):
        names.sort(key=lambda n: codes[n])
    out = {n: [i for i, e in enumerate(events) if e[1] == n] for n in names}
    if not group or len(out) < 2 or any(len(ii) > 1 for ii in out.values()):
        return out
    # every trial has its own event code: group them by the description without its number
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(events):
        groups.setdefault(_prefix(e[1]), []).append(i)
    if len(groups) < len(out) and all(len(ii) > 1 for ii in groups.values()):
        logger.info(
            "every trial of %s has its own event code; grouped them by name into %s",
            where,
            {k: len(v) for k, v in groups.items()},
        )
        return groups
    shown = ", ".join(repr(n) for n in names[:4]) + (", ..." if len(names) > 4 else "")
    raise InvalidValueError(
        f"Invalid value for 'conditions': every one of the {len(names)} trials of {where} has its "
        f"own event ({shown}), so each condition would hold one trial. Say which events form each "
        "condition, e.g. conditions={'sentences': range(1, 26), 'shuffled': range(31, 56)} "
        "(on the command line: --conditions conds.json with "
        '{"sentences": {"start": 1, "stop": 26}, "shuffled": [31, 32, 33]}).'
    )


def match_conditions(
    conditions: Conditions | None, events: list[Event], *, where: str, group: bool = True
) -> dict[str, list[int]]:
    """Which events belong to which condition.

    Parameters
    ----------
    conditions : dict, optional
        Condition name → event code(s) (int) or description(s) (str). Default: one condition per
        event description, in code order; when every trial has its own code, the descriptions
        are grouped by their name without the number (``"sent_01"`` → ``"sent"``).
    events : list of tuple
        ``(onset_s, description, code, duration_s)`` per event; ``code`` may be None.
    where : str
        The recording, named in messages.
    group : bool
        Group trial-unique codes by name when ``conditions`` is None (default True).

    Returns
    -------
    dict of str to list of int
        Condition name → indices into ``events``, in the order of ``conditions``.

    Raises
    ------
    InvalidValueError
        When a condition matches no event, or every trial has its own event and no grouping
        by name works.
    """
    if conditions is None:
        return _default_conditions(events, where, group)
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


def no_events_error(path: Path) -> InvalidValueError:
    """The error for a recording without events to epoch (it says how to give them).

    Parameters
    ----------
    path : Path
        The recording.

    Returns
    -------
    InvalidValueError
        To raise; the message names ``events=`` and ``epoch_length=``.
    """
    return InvalidValueError(
        f"Invalid value for 'path': {str(path)!r} has no events to epoch. Pass events=PATH (a BIDS "
        "events.tsv with onset, duration, trial_type/value) or epoch_length=SECONDS for fixed-length "
        "epochs of a continuous recording."
    )


# ------------------------------------------------------------------------------------ complete trials


def _check_complete(idx, events, tmin, tmax, end_s, sf, path, drop_incomplete, lost, short_header):
    """Refuse (or, with ``drop_incomplete``, drop with a warning) trials the data do not cover.

    ``lost`` counts the markers past the end of the data (which MNE omits) and ``short_header``
    says the file holds fewer data than its header declares: what the reader saw.
    """
    need = tmax - tmin + 1.0 / sf
    short = {
        name: [
            i
            for i in ii
            if events[i][0] + tmin < 0 or events[i][0] + tmax + 1.0 / sf > end_s + 1e-9
        ]
        for name, ii in idx.items()
    }
    bad = [(name, i) for name, ii in short.items() for i in ii]
    if not bad and not lost and not short_header:
        return idx
    if not bad:
        why = (
            f"{lost} event marker(s) lie past the end of its data ({end_s:.3f} s)"
            if lost
            else f"its data ({end_s:.3f} s) are shorter than its header declares"
        )
        if not drop_incomplete:
            raise HftpError(
                f"The recording {str(path)!r} is truncated: {why}, so trials of {tmax - tmin + 1 / sf:.3f} "
                "s are missing. Copy the file again, or pass drop_incomplete=True "
                "(--drop-incomplete) to analyse the complete trials only."
            )
        warnings.warn(
            f"Dropped the trials that {str(path)!r} lost: {why}.", UserWarning, stacklevel=4
        )
        return idx
    name, i = bad[0]
    found = max(0.0, end_s - events[i][0] - tmin)
    lost_note = f" ({lost} more event marker(s) lie past the end)" if lost else ""
    if not drop_incomplete:
        raise HftpError(
            f"The recording {str(path)!r} ends at {end_s:.3f} s, but {len(bad)} trial(s) run past "
            f"it{lost_note}: e.g. trial {name!r} at {events[i][0]:.3f} s expects {need:.3f} s of data and finds "
            f"{found:.3f} s. The file may be truncated (an interrupted copy or recording); copy it "
            "again, or pass drop_incomplete=True (--drop-incomplete) to drop these trials."
        )
    warnings.warn(
        f"Dropped {len(bad) + lost} trial(s) of {str(path)!r} that run past the end of its data "
        f"({end_s:.3f} s; each trial needs {need:.3f} s): "
        + ", ".join(f"{n}: {len(ii)}" for n, ii in short.items() if ii)
        + lost_note
        + ".",
        UserWarning,
        stacklevel=4,
    )
    kept = {name: [i for i in ii if i not in set(short[name])] for name, ii in idx.items()}
    empty = [n for n, ii in kept.items() if not ii]
    if empty:
        raise HftpError(
            f"The recording {str(path)!r} is truncated: no complete trial is left for {empty}."
        )
    return kept


# ------------------------------------------------------------------------------------ epochs


def epochs_from_raw(
    raw,
    path: Path,
    conditions: Conditions | None = None,
    *,
    tmin: float | None = None,
    tmax: float | None = None,
    events_tsv: Path | None = None,
    epoch_length: float | None = None,
    drop_incomplete: bool = False,
    lost_events: int = 0,
    short_of_header: bool = False,
):
    """Cut a continuous recording into one epoch per trial, the condition as the event name.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording, loaded.
    path : Path
        Its file, named in messages.
    conditions : dict, optional
        Condition name → event code(s) or description(s) (see :func:`match_conditions`).
    tmin, tmax : float, optional
        Epoch window around each onset, in s. Default: 0 to the shortest trial's duration (the
        trials a truncated file cuts do not count).
    events_tsv : Path, optional
        A BIDS events.tsv to read the events from instead of the annotations. Its ``item`` (or
        ``stim_file``) column goes to ``epochs.metadata``.
    epoch_length : float, optional
        Without events: fixed-length epochs of this many seconds, in the condition
        :data:`FIXED_CONDITION`.
    drop_incomplete : bool
        Drop, with a warning, the trials that run past the end of the data (default: an error).
    lost_events : int
        How many event markers the reader saw past the end of the data.
    short_of_header : bool
        Whether the file holds fewer data than its header declares.

    Returns
    -------
    epochs : mne.Epochs
        Preloaded, one epoch per trial (n_epochs, n_channels, n_times); ``event_id`` maps each
        condition to a code 1, 2, ... in the order of ``conditions``.

    Raises
    ------
    InvalidValueError
        No events and no ``epoch_length``; events without duration and no ``tmax``.
    HftpError
        A truncated recording, unless ``drop_incomplete``.
    """
    import mne

    events = _raw_events(raw, events_tsv)
    if not events:
        if epoch_length is None:
            raise no_events_error(path)
        length = check_float("epoch_length", epoch_length, min_value=0.0, inclusive=False)
        ep = mne.make_fixed_length_epochs(raw, duration=length, preload=True, verbose="error")
        ep.event_id = {FIXED_CONDITION: 1}
        return ep
    idx = match_conditions(conditions, events, where=str(path))
    sf = raw.info["sfreq"]
    end_s = raw.n_times / sf  # where the data end, from the first sample
    tmin = 0.0 if tmin is None else check_float("tmin", tmin)
    if tmax is None:
        durs = [events[i][3] for ii in idx.values() for i in ii]
        # MNE crops an annotation at the end of the data: a trial cut by a truncated file must
        # not shorten every trial, so the length comes from the trials that end inside the data
        inside = [
            events[i][3]
            for ii in idx.values()
            for i in ii
            if events[i][0] + events[i][3] < end_s - 1.5 / sf
        ]
        durs = inside or durs
        if min(durs) <= 0:
            zero = sum(1 for ii in idx.values() for i in ii if events[i][3] <= 0)
            raise InvalidValueError(
                f"Invalid value for 'events': {zero} of the {sum(map(len, idx.values()))} trial "
                f"markers of {str(path)!r} have zero duration (onset markers), so the trial "
                "length is unknown. Say how long a trial lasts: pass tmax=SECONDS (--tmax, the "
                "end of each trial after its onset), or give the events a duration (the "
                "'duration' column of a BIDS events.tsv)."
            )
        tmax = tmin + min(durs) - 1.0 / sf
    tmax = check_float("tmax", tmax, min_value=tmin, inclusive=False)
    src = next((f for f in (getattr(raw, "filenames", None) or ()) if f), path)
    idx = _check_complete(
        idx, events, tmin, tmax, end_s, sf, src, drop_incomplete, int(lost_events), short_of_header
    )
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
    ep = mne.Epochs(
        raw,
        arr,
        event_id=event_id,
        metadata=metadata,
        tmin=tmin,
        tmax=tmax,
        baseline=None,
        preload=True,
        reject_by_annotation=True,  # MNE's convention: a trial overlapping a BAD span is dropped
        on_missing="ignore",
        event_repeated="drop",
        verbose="error",
    )
    _note_bad_spans(ep, path)
    return ep


def _note_bad_spans(ep, path: Path) -> None:
    """Say how many trials BAD annotations dropped; refuse when a condition lost them all."""
    dropped = [log for log in ep.drop_log if any(str(r).lower().startswith("bad") for r in log)]
    if not dropped:
        return
    reasons = sorted({str(r) for log in dropped for r in log})
    left = {name: int((ep.events[:, 2] == k).sum()) for name, k in ep.event_id.items()}
    empty = [name for name, n in left.items() if n == 0]
    if empty:
        raise InvalidValueError(
            f"Invalid value for 'path': every trial of condition(s) {empty} in {str(path)!r} "
            f"overlaps an annotation marked bad ({', '.join(reasons)}), so none is left. Check "
            "the BAD annotations (or remove those that are not bad)."
        )
    logger.info(
        "dropped %d trial(s) of %s that overlap annotations marked bad (%s); left: %s",
        len(dropped),
        path.name if hasattr(path, "name") else path,
        ", ".join(reasons),
        left,
    )


def select_epochs(epochs, conditions: Conditions | None, path: Path):
    """Rename and select the events of epochs read as such (``-epo.fif``, FieldTrip trials).

    Parameters
    ----------
    epochs : mne.Epochs
        As read from the file.
    conditions : dict, optional
        Condition name → event code(s) or event name(s). None keeps the epochs as they are.
    path : Path
        The file, named in messages.

    Returns
    -------
    epochs : mne.Epochs or mne.EpochsArray
        The matching epochs (n_epochs, n_channels, n_times), with ``event_id`` the condition
        names (codes 1, 2, ...); ``epochs`` itself when ``conditions`` is None.
    """
    import mne

    if conditions is None:
        return epochs
    inv = {v: k for k, v in epochs.event_id.items()}
    events = [(0.0, inv.get(c, str(c)), int(c), 0.0) for c in epochs.events[:, 2]]
    idx = match_conditions(conditions, events, where=str(path))
    keep = sorted(i for ii in idx.values() for i in ii)
    new = epochs.events.copy()
    for k, ii in enumerate(idx.values(), start=1):
        new[ii, 2] = k
    return mne.EpochsArray(
        epochs.get_data()[keep],
        epochs.info,
        events=new[keep],
        tmin=epochs.tmin,
        event_id={n: k for k, n in enumerate(idx, start=1)},
        verbose="error",
    )
