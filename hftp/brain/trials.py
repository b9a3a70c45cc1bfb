"""Which trials a recording holds: default conditions from event names, complete trials of a
truncated file, and a standard montage for scalp EEG."""

from __future__ import annotations

import logging
import re
import warnings

from hftp._validation import HftpError, InvalidValueError, check_option

logger = logging.getLogger("hftp")

__all__: list[str] = []


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


def _check_montage(montage) -> None:
    if montage is not None:
        import mne

        check_option("montage", montage, mne.channels.get_builtin_montages())


def _attach_montage(obj, montage) -> None:
    """Attach a standard montage (scalp EEG); MNE warns about channels it does not place."""
    if montage is not None:
        obj.set_montage(montage, on_missing="warn", verbose="warning")


def _check_complete(idx, events, tmin, tmax, end_s, sf, path, drop_incomplete, truncated=None):
    """Refuse (or, with ``drop_incomplete``, drop with a warning) trials the data do not cover.

    ``truncated`` holds what the reader saw: ``lost_events`` (markers past the end of the data,
    which MNE omits) and ``short_of_header`` (fewer data than the header declares).
    """
    truncated = truncated or {}
    lost = int(truncated.get("lost_events", 0))
    short_header = bool(truncated.get("short_of_header"))
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
