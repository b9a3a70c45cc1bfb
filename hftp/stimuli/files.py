"""Stimulus files: the unit table as CSV with a JSON sidecar, BIDS-style ``events.tsv`` to present
the streams to people, and folders of word streams (one ``.txt`` file per stream).

These functions work on the unit table and its metadata; :mod:`hftp.stimuli.stimulus_set` wraps
them as :func:`~hftp.stimuli.stimulus_set.save_stimuli`, :func:`~hftp.stimuli.stimulus_set.load_stimuli`
and :func:`~hftp.stimuli.stimulus_set.to_events` for a :class:`~hftp.StimulusSet`. Every file is
written atomically, and a file with its sidecar both or neither.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hftp._validation import (
    InvalidValueError,
    check_float,
    check_in_path,
    check_option,
    check_out_path,
)

__all__ = [
    "UNIT_COLUMNS",
    "EEG_PHRASES_STREAM_PREFIXES",
    "typed_units",
    "write_units_csv",
    "read_units_csv",
    "check_unit_table",
    "write_events_tsv",
    "load_word_streams",
]

#: The columns of a StimulusSet's unit table, in file order.
UNIT_COLUMNS = ("sequence", "condition", "position", "unit", "sentence", "phrase", "pos")
_INT_COLUMNS = ("sequence", "position", "sentence", "phrase")

#: File-name prefix → condition for the word-stream files of the eeg-phrases data set (the
#: conditions' event codes are :data:`hftp.datasets.eeg_phrases.EEG_PHRASES_CONDITIONS`).
EEG_PHRASES_STREAM_PREFIXES = {
    "ADVP_": "advp",
    "rrrV_": "rrrv",
    "rrrr_": "rrrr",
    "AVAV_": "avav",
    "ANAN_": "anan",
    "phrase_mix_": "phmi",
}


def typed_units(df: pd.DataFrame) -> pd.DataFrame:
    """The unit table in its canonical column order and dtypes.

    Parameters
    ----------
    df : pandas.DataFrame
        A table with (at least) the columns of :data:`UNIT_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        Shape (n_units, 7): the :data:`UNIT_COLUMNS` only, ``sequence``, ``position``,
        ``sentence`` and ``phrase`` as int64, the others as str, on a fresh 0..n-1 index.

    Raises
    ------
    ValueError
        An id column holds something that is not an integer.
    """
    df = df[list(UNIT_COLUMNS)].copy()
    for c in UNIT_COLUMNS:
        df[c] = df[c].astype("int64") if c in _INT_COLUMNS else df[c].astype(str)
    return df.reset_index(drop=True)


def _check_suffix(name: str, path: Any, suffix: str) -> Path:
    p = check_out_path(name, path)
    check_option(
        f"{name} (file extension)",
        p.suffix.lower(),
        (suffix,),
        fix=f"Use a name ending in {suffix!r}.",
    )
    return p


def write_units_csv(
    units: pd.DataFrame, meta: Mapping[str, Any], path: str | os.PathLike, *, overwrite: bool
) -> Path:
    """Write a unit table as CSV (one row per unit) and its metadata as a JSON sidecar.

    Parameters
    ----------
    units : pandas.DataFrame
        The unit table, shape (n_units, 7), columns :data:`UNIT_COLUMNS`.
    meta : dict
        The metadata, written to ``path`` with the suffix ``.json``.
    path : path-like
        Destination ending in ``.csv``; its folder must exist.
    overwrite : bool
        Replace existing files; otherwise an existing CSV or sidecar is refused before anything
        is written.

    Returns
    -------
    Path
        The CSV path. Both files are written atomically, both or neither.
    """
    from hftp.io import atomic_path, write_json

    p = _check_suffix("path", path, ".csv")
    side = p.with_suffix(".json")
    for q in (p, side):
        check_out_path("path", q, overwrite=overwrite)
    with atomic_path(p, name="path", overwrite=overwrite) as tmp:
        units.to_csv(tmp, index=False, encoding="utf-8")
        write_json(side, dict(meta), name="path", overwrite=overwrite)
    return p


def read_units_csv(path: str | os.PathLike) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a unit table and its metadata written by :func:`write_units_csv`.

    Parameters
    ----------
    path : path-like
        The CSV file; its JSON sidecar (same name, ``.json``) must lie beside it.

    Returns
    -------
    units : pandas.DataFrame
        Shape (n_units, 7), columns :data:`UNIT_COLUMNS` with their canonical dtypes.
    meta : dict
        The sidecar's metadata.

    Raises
    ------
    ValueError
        The sidecar is missing, a file cannot be read, a column is missing, or an id column
        holds something other than integers.
    """
    p = check_in_path("path", path, kind="stimulus CSV file")
    side = p.with_suffix(".json")
    if not side.is_file():
        raise InvalidValueError(
            f"Invalid value for 'path': the JSON sidecar {str(side)!r} (unit rate, tagged "
            "frequencies) is missing. Keep the .json file that save_stimuli wrote beside the CSV."
        )
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError) as exc:
        raise InvalidValueError(
            f"Invalid value for 'path': could not read {str(p)!r} and its sidecar "
            f"({type(exc).__name__}: {exc})."
        ) from None
    missing = [c for c in UNIT_COLUMNS if c not in df.columns]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'path': expected columns {list(UNIT_COLUMNS)}; {str(p)!r} lacks "
            f"{missing}. Write it with hftp.save_stimuli."
        )
    try:
        units = typed_units(df)
    except ValueError as exc:
        raise InvalidValueError(
            f"Invalid value for 'path': the columns {list(_INT_COLUMNS)} of {str(p)!r} must hold "
            f"integers ({exc})."
        ) from None
    check_unit_table(units, str(p))
    return units, meta


def check_unit_table(units: pd.DataFrame, where: str) -> None:
    """Refuse a unit table whose sequences are not well formed (checked in one pass).

    Every sequence must hold positions 0, 1, ..., n-1 once each (a duplicated or missing
    position would silently reorder or shorten the stream) and one condition (rows that
    disagree would silently relabel it).

    Parameters
    ----------
    units : pandas.DataFrame
        The unit table, columns :data:`UNIT_COLUMNS` (typed by :func:`typed_units`).
    where : str
        The file, named in messages.

    Raises
    ------
    InvalidValueError
        Naming the first bad sequence, what is wrong, and the fix.
    """
    if units.empty:
        raise InvalidValueError(
            f"Invalid value for 'path': {where!r} holds no units. Write it with hftp.save_stimuli."
        )
    g = units.groupby("sequence", sort=True)
    conds = g["condition"].nunique()
    mixed = conds[conds > 1]
    if len(mixed):
        seq = int(mixed.index[0])
        names = sorted(units.loc[units["sequence"] == seq, "condition"].unique().tolist())
        raise InvalidValueError(
            f"Invalid value for 'path': sequence {seq} of {where!r} has rows with the conditions "
            f"{names}; a sequence has one condition. Fix its 'condition' column (or give the "
            "rows of each condition their own sequence id)."
        )
    n = g.size()
    dup = units.duplicated(["sequence", "position"], keep=False)
    if dup.any():
        row = units[dup].iloc[0]
        raise InvalidValueError(
            f"Invalid value for 'path': sequence {int(row['sequence'])} of {where!r} has the "
            f"position {int(row['position'])} more than once; positions must be 0, 1, ..., n-1, "
            "once each. Fix the 'position' column."
        )
    bad = (g["position"].min() != 0) | (g["position"].max() != n - 1)
    if bad.any():
        seq = int(bad[bad].index[0])
        pos = units.loc[units["sequence"] == seq, "position"]
        have = set(pos.tolist())
        gaps = [i for i in range(max(int(pos.max()) + 1, 0)) if i not in have][:5]
        what = f"misses {gaps}" if gaps else f"starts at {int(pos.min())}"
        raise InvalidValueError(
            f"Invalid value for 'path': the positions of sequence {seq} of {where!r} {what}; "
            f"they must be 0, 1, ..., n-1 with none missing ({len(pos)} units). Fix the "
            "'position' column."
        )


def write_events_tsv(
    units: pd.DataFrame,
    path: str | os.PathLike,
    *,
    sfreq: float,
    tagged_hz: Mapping[str, float],
    language: str,
    conditions: Sequence[str],
    gap_s: float = 2.0,
    overwrite: bool = False,
) -> Path:
    """Write a BIDS-style ``events.tsv`` (plus ``events.json``) to present the streams to people.

    One row per unit, sequences in id order. Unit ``j`` of a sequence starts at
    ``start + j / sfreq`` and lasts ``1 / sfreq``; each sequence starts ``gap_s`` seconds after
    the previous one ends.

    Columns: ``onset`` and ``duration`` (s), ``trial_type`` (the condition), ``value`` (an integer
    trigger code, 1 + the condition's index), then ``sequence``, ``position``, ``unit``,
    ``sentence``, ``phrase``, ``pos`` (``n/a`` where a design has none). The JSON sidecar describes
    the columns and the trigger codes.

    Parameters
    ----------
    units : pandas.DataFrame
        The unit table, shape (n_units, 7), columns :data:`UNIT_COLUMNS`.
    path : path-like
        Destination ending in ``.tsv`` (BIDS names it ``*_events.tsv``).
    sfreq : float
        The unit rate in Hz (units per second).
    tagged_hz : dict of str to float
        Level → tagged frequency (Hz), recorded in the sidecar.
    language : str
        Recorded in the sidecar.
    conditions : sequence of str
        The conditions in order; the trigger code of the ``k``-th is ``k + 1``.
    gap_s : float, default 2.0
        Silence between sequences, in seconds.
    overwrite : bool, default False
        Replace existing ``.tsv``/``.json`` files (refused otherwise, before anything is written).

    Returns
    -------
    Path
        The ``.tsv`` path.
    """
    from hftp.io import atomic_path, write_json

    p = _check_suffix("path", path, ".tsv")
    for q in (p, p.with_suffix(".json")):
        check_out_path("path", q, overwrite=overwrite)
    gap_s = check_float("gap_s", gap_s, min_value=0)
    u = units.sort_values(["sequence", "position"], kind="stable")
    dur = 1.0 / sfreq
    n_per = u.groupby("sequence", sort=True).size()
    starts = np.concatenate([[0.0], np.cumsum(n_per.to_numpy() * dur + gap_s)[:-1]])
    start_of = dict(zip(n_per.index, starts, strict=True))
    codes = {c: i + 1 for i, c in enumerate(conditions)}
    ev = pd.DataFrame(
        {
            "onset": (u["sequence"].map(start_of) + u["position"] * dur).round(6),
            "duration": round(dur, 6),
            "trial_type": u["condition"],
            "value": u["condition"].map(codes).astype("int64"),
            "sequence": u["sequence"],
            "position": u["position"],
            "unit": u["unit"],
            "sentence": u["sentence"].astype(object).where(u["sentence"] >= 0, "n/a"),
            "phrase": u["phrase"].astype(object).where(u["phrase"] >= 0, "n/a"),
            "pos": u["pos"].where(u["pos"] != "", "n/a"),
        }
    )
    side = _events_sidecar(sfreq, dict(tagged_hz), language, codes, gap_s)
    with atomic_path(p, name="path", overwrite=overwrite) as tmp:
        ev.to_csv(tmp, sep="\t", index=False, na_rep="n/a", encoding="utf-8", lineterminator="\n")
        write_json(p.with_suffix(".json"), side, name="path", overwrite=overwrite)
    return p


def _events_sidecar(
    sfreq: float, tagged_hz: dict[str, float], language: str, codes: dict[str, int], gap_s: float
) -> dict[str, Any]:
    return {
        "onset": {"Description": "Unit onset from the start of the run", "Units": "s"},
        "duration": {"Description": "Unit duration (1 / unit rate)", "Units": "s"},
        "trial_type": {"Description": "Condition (stimulus design) of the sequence"},
        "value": {
            "Description": "Trigger code of the condition",
            "Levels": {str(v): k for k, v in codes.items()},
        },
        "sequence": {"Description": "Sequence id (sequences are separated by a silent gap)"},
        "position": {"Description": "Unit index within its sequence, from 0"},
        "unit": {"Description": "The unit to present (a word or a character)"},
        "sentence": {"Description": "Sentence id (same id = same sentence); n/a where none"},
        "phrase": {"Description": "Phrase id; n/a where none"},
        "pos": {"Description": "Part of speech of the unit; n/a where unknown"},
        "StimulusPresentation": {
            "UnitRateHz": sfreq,
            "GapBetweenSequencesS": gap_s,
            "TaggedHz": tagged_hz,
            "Language": language,
        },
    }


def load_word_streams(
    folder: str | os.PathLike, conditions: Mapping[str, str] | None = None
) -> dict[str, list[list[str]]]:
    """Read a folder of word streams, one ``.txt`` file per stream and one unit per line.

    Parameters
    ----------
    folder : path
        The folder (e.g. ``eeg-phrases/stimuli``).
    conditions : dict, optional
        File-name prefix → condition name. Default :data:`EEG_PHRASES_STREAM_PREFIXES`
        (``ADVP_`` → ``advp``, ``rrrV_`` → ``rrrv``, ``rrrr_`` → ``rrrr``, ``AVAV_`` → ``avav``,
        ``ANAN_`` → ``anan``, ``phrase_mix_`` → ``phmi``). A file that matches no prefix gets its
        name without the trailing number, lower-cased (``Foo_12.txt`` → ``foo``).

    Returns
    -------
    dict of str to list of list of str
        condition → list of streams (lists of unit strings), files in numeric order; conditions in
        the order of the mapping. Blank lines are ignored; empty files are skipped with a warning.

    Examples
    --------
    >>> streams = load_word_streams("eeg-phrases/stimuli")  # doctest: +SKIP
    >>> stim = make_stimuli("en", "custom", streams=streams, sfreq=3.125, trim=True,
    ...                     tagged_hz={"sentence": 0.78125, "phrase": 1.5625})  # doctest: +SKIP
    """
    path = check_in_path("folder", folder, kind="folder of .txt word streams")
    if not path.is_dir():
        raise InvalidValueError(
            f"Invalid value for 'folder': expected a folder; got the file {str(path)!r}."
        )
    mapping = dict(EEG_PHRASES_STREAM_PREFIXES if conditions is None else conditions)
    files = sorted(path.glob("*.txt"), key=_natural_key)
    if not files:
        raise InvalidValueError(
            f"Invalid value for 'folder': {str(path)!r} has no .txt files. Put one stream per "
            ".txt file, one unit per line."
        )
    out: dict[str, list[list[str]]] = {c: [] for c in mapping.values()}
    empty = []
    for f in files:
        prefix = max((p for p in mapping if f.stem.startswith(p)), key=len, default=None)
        cond = mapping[prefix] if prefix else re.sub(r"[_\-]?\d+$", "", f.stem).lower()
        try:
            words = [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines()]
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidValueError(
                f"Invalid value for 'folder': could not read {str(f)!r} as UTF-8 text ({exc})."
            ) from None
        words = [w for w in words if w]
        if not words:
            empty.append(f.name)
            continue
        out.setdefault(cond, []).append(words)
    found = {c: s for c, s in out.items() if s}
    if not found:
        raise InvalidValueError(
            f"Invalid value for 'folder': every .txt file in {str(path)!r} is empty "
            f"({', '.join(empty[:5])}{', ...' if len(empty) > 5 else ''}). Put one stream per "
            ".txt file, one unit per line."
        )
    if empty:
        warnings.warn(
            f"Skipped empty stream files in {str(path)!r}: {empty}.", UserWarning, stacklevel=2
        )
    return found


def _natural_key(p: Path) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name))
