"""The :class:`StimulusSet` (a unit table plus its metadata), its files, and its items.

:func:`save_stimuli` / :func:`load_stimuli` write and read it as CSV plus a JSON sidecar and
:func:`to_events` as BIDS-style ``events.tsv`` (the formats are in :mod:`hftp.stimuli.files`);
:func:`item_id` and :func:`by_item` name each stream as its own condition for item-level RSA.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hftp._validation import check_type
from hftp.stimuli.files import read_units_csv, write_events_tsv, write_units_csv

__all__ = ["StimulusSet", "save_stimuli", "load_stimuli", "to_events", "item_id", "by_item"]


@dataclass(frozen=True)
class StimulusSet:
    """A set of isochronous unit streams with known structure.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per unit, columns ``sequence, condition, position, unit, sentence, phrase, pos``.
        ``sequence`` is a global integer id; ``position`` counts units from 0 within a sequence;
        ``sentence`` and ``phrase`` are ids (``-1`` where the design has none).
    meta : dict
        ``language``, ``design`` (list of designs), ``unit_rate_hz`` (the unit rate, read as
        :attr:`sfreq`), ``tagged_hz`` (level → Hz), ``seed``, ``hftp_version``, ``separator``
        (how units are joined into text: ``" "`` for English, ``""`` for Chinese) and any design
        parameters.
    """

    units: pd.DataFrame
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sfreq(self) -> float:
        """The unit rate in Hz: units per second, the sampling rate of a model's response."""
        return float(self.meta.get("unit_rate_hz", 4.0))

    @property
    def unit_rate_hz(self) -> float:
        """Deprecated name of :attr:`sfreq` (removed in hftp 0.4)."""
        from hftp._deprecate import warn_renamed

        warn_renamed("StimulusSet.unit_rate_hz", "StimulusSet.sfreq")
        return self.sfreq

    @property
    def tagged_hz(self) -> dict[str, float]:
        """Tagged frequencies by level, e.g. ``{"sentence": 1.0, "phrase": 2.0}``."""
        return {str(k): float(v) for k, v in dict(self.meta.get("tagged_hz", {})).items()}

    @property
    def language(self) -> str:
        """The language code: ``"en"`` (units are words) or ``"zh"`` (characters)."""
        return str(self.meta.get("language", "en"))

    @property
    def separator(self) -> str:
        """The string placed between units to form text."""
        return str(self.meta.get("separator", "" if self.language == "zh" else " "))

    @property
    def conditions(self) -> list[str]:
        """Condition names in order of first appearance."""
        return list(pd.unique(self.units["condition"]))

    @property
    def n_sequences(self) -> int:
        """The number of sequences (streams), all conditions together."""
        return int(self.units["sequence"].nunique())

    def sequences(self) -> Iterator[tuple[int, str, list[str]]]:
        """Yield ``(sequence_id, condition, units)`` for every sequence, in order."""
        u = self.units
        if len(u) == 0:
            return
        seq = u["sequence"].to_numpy()
        order = np.lexsort((u["position"].to_numpy(), seq))  # by sequence, then position
        seq = seq[order]
        cond = u["condition"].to_numpy()[order]
        units = [str(x) for x in u["unit"].to_numpy()[order]]
        starts = np.flatnonzero(np.r_[True, seq[1:] != seq[:-1]])
        ends = np.r_[starts[1:], seq.size]
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            yield int(seq[a]), str(cond[a]), units[a:b]

    def save(self, path: str | os.PathLike) -> Path:
        """Write CSV plus JSON sidecar; see :func:`save_stimuli`."""
        return save_stimuli(self, path)

    def to_events(self, path: str | os.PathLike, *, gap_s: float = 2.0) -> Path:
        """Write a BIDS-style events.tsv; see :func:`to_events`."""
        return to_events(self, path, gap_s=gap_s)

    def __repr__(self) -> str:
        return (
            f"StimulusSet(language={self.language!r}, conditions={self.conditions}, "
            f"n_sequences={self.n_sequences}, sfreq={self.sfreq}, "
            f"tagged_hz={json.dumps(self.tagged_hz)})"
        )


def save_stimuli(stim: StimulusSet, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``stim`` as CSV (one row per unit) plus a JSON sidecar (``.json``, the metadata).

    Parameters
    ----------
    stim : StimulusSet
        The stimuli.
    path : path-like
        Destination ending in ``.csv``; its folder must exist.
    overwrite : bool, default False
        Replace existing files; otherwise an existing CSV or sidecar is refused before anything
        is written.

    Returns
    -------
    Path
        The CSV path. Both files are written atomically, both or neither; :func:`load_stimuli`
        reads them back.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import hftp
    >>> stim = hftp.make_stimuli("en", "sentences", n_sequences=2, n_sentences=5, seed=0)
    >>> path = hftp.save_stimuli(stim, Path(tempfile.mkdtemp()) / "stim.csv")
    >>> sorted(p.name for p in path.parent.iterdir())
    ['stim.csv', 'stim.json']
    >>> hftp.load_stimuli(path).units.equals(stim.units)
    True
    """
    check_type("stim", stim, StimulusSet, "a StimulusSet (from hftp.make_stimuli)")
    return write_units_csv(stim.units, stim.meta, path, overwrite=overwrite)


def load_stimuli(path: str | os.PathLike) -> StimulusSet:
    """Read a StimulusSet written by :func:`save_stimuli` (the CSV and its JSON sidecar).

    Parameters
    ----------
    path : path-like
        The CSV file; its ``.json`` sidecar must lie beside it.

    Returns
    -------
    StimulusSet
        ``.units`` of shape (n_units, 7) with the canonical dtypes, ``.meta`` from the sidecar.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import hftp
    >>> stim = hftp.make_stimuli("en", "sentences", n_sequences=2, n_sentences=5, seed=0)
    >>> path = hftp.save_stimuli(stim, Path(tempfile.mkdtemp()) / "stim.csv")
    >>> again = hftp.load_stimuli(path)
    >>> again.units.equals(stim.units), again.tagged_hz == stim.tagged_hz
    (True, True)
    """
    units, meta = read_units_csv(path)
    return StimulusSet(units=units, meta=meta)


def to_events(
    stim: StimulusSet, path: str | os.PathLike, *, gap_s: float = 2.0, overwrite: bool = False
) -> Path:
    """Write a BIDS-style ``events.tsv`` (plus ``events.json``) to present the streams to people.

    One row per unit, sequences in id order. Unit ``j`` of a sequence starts at
    ``start + j / sfreq`` and lasts ``1 / sfreq``; each sequence starts ``gap_s`` seconds after
    the previous one ends. The columns are described in
    :func:`hftp.stimuli.files.write_events_tsv`.

    Parameters
    ----------
    stim : StimulusSet
        The stimuli.
    path : path-like
        Destination ending in ``.tsv`` (BIDS names it ``*_events.tsv``).
    gap_s : float, default 2.0
        Silence between sequences, in seconds.
    overwrite : bool, default False
        Replace existing ``.tsv``/``.json`` files (refused otherwise, before anything is written).

    Returns
    -------
    Path
        The ``.tsv`` path.
    """
    check_type("stim", stim, StimulusSet, "a StimulusSet (from hftp.make_stimuli)")
    return write_events_tsv(
        stim.units,
        path,
        sfreq=stim.sfreq,
        tagged_hz=stim.tagged_hz,
        language=stim.language,
        conditions=stim.conditions,
        gap_s=gap_s,
        overwrite=overwrite,
    )


def item_id(condition: str, k: int) -> str:
    """The name of an item: the ``k``-th stream (0-based, in sequence order) of ``condition``.

    The simulator writes it in the ``item`` column of events.tsv, and :func:`by_item` names the
    model's conditions with it, so both sides of an item-level RSA match by name.

    Parameters
    ----------
    condition : str
        The condition.
    k : int
        The stream's rank within its condition, from 0.

    Returns
    -------
    str
        ``"<condition>/<k>"`` with ``k`` zero-padded to 3 digits, e.g. ``"sentences/007"``.
    """
    return f"{condition}/{int(k):03d}"


def by_item(stim: StimulusSet) -> StimulusSet:
    """The same streams, each its own condition named by :func:`item_id` (for item-level RSA).

    Probing the result gives one model response per item (the word list the brain heard on a
    trial whose events say ``item``).

    Parameters
    ----------
    stim : StimulusSet
        The stimuli.

    Returns
    -------
    StimulusSet
        The same units, ``condition`` replaced by the item name; ``meta["structure_hz"]`` keyed
        by item.
    """
    check_type("stim", stim, StimulusSet, "a StimulusSet (hftp.make_stimuli)")
    u = stim.units.copy()
    rank = u.groupby("condition", sort=False)["sequence"].rank(method="dense").astype(int) - 1
    u["condition"] = [item_id(c, k) for c, k in zip(u["condition"], rank, strict=True)]
    structure = dict(stim.meta.get("structure_hz") or {})
    meta = dict(stim.meta)
    if structure:
        src = stim.units.drop_duplicates("sequence").set_index("sequence").sort_index()["condition"]
        meta["structure_hz"] = {
            item_id(c, k): structure[c]
            for c, k in zip(src.values, src.groupby(src.values).cumcount().values, strict=True)
            if c in structure
        }
    return StimulusSet(units=u, meta=meta)
