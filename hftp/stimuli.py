"""Frequency-tagged syntactic stimuli: lexicons and grammars → StimulusSet.

(Generation is being filled in; the container below is the stable contract.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["StimulusSet", "UNIT_COLUMNS"]

UNIT_COLUMNS = ("sequence", "condition", "position", "unit", "sentence", "phrase", "pos")


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
        ``language``, ``design`` (list of designs), ``unit_rate_hz``, ``tagged_hz`` (level → Hz),
        ``seed``, ``hftp_version``, ``separator`` (how units are joined into text: ``" "`` for
        English, ``""`` for Chinese) and any design parameters.
    """

    units: pd.DataFrame
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def unit_rate_hz(self) -> float:
        """Units per second (the sampling rate of a model's response)."""
        return float(self.meta.get("unit_rate_hz", 4.0))

    @property
    def tagged_hz(self) -> dict[str, float]:
        """Tagged frequencies by level, e.g. ``{"sentence": 1.0, "phrase": 2.0}``."""
        return {str(k): float(v) for k, v in dict(self.meta.get("tagged_hz", {})).items()}

    @property
    def language(self) -> str:
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
        return int(self.units["sequence"].nunique())

    def sequences(self) -> Iterator[tuple[int, str, list[str]]]:
        """Yield ``(sequence_id, condition, units)`` for every sequence, in order."""
        for seq, df in self.units.groupby("sequence", sort=True):
            df = df.sort_values("position")
            yield int(seq), str(df["condition"].iloc[0]), [str(u) for u in df["unit"]]

    def __repr__(self) -> str:
        return (
            f"StimulusSet(language={self.language!r}, conditions={self.conditions}, "
            f"n_sequences={self.n_sequences}, unit_rate_hz={self.unit_rate_hz}, "
            f"tagged_hz={json.dumps(self.tagged_hz)})"
        )
