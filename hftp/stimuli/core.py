"""Frequency-tagged syntactic stimuli: lexicons and grammars → StimulusSet.

Units (English words, Chinese characters) are presented at a fixed unit rate (default 4 Hz). A
sentence of ``L`` units recurs at ``unit_rate / L`` Hz and a phrase of ``P`` units at
``unit_rate / P`` Hz, while no unit marks a boundary. The lexicons and grammars are data files in
``stimuli/<language>/`` (see :mod:`hftp.stimuli.grammar` for their format).

Designs (``list_designs()``; each becomes one or more conditions of one set):

``sentences``
    A pool of ``n_sentences`` sentences (default 50 [Adj N][V N], so 200 units) is drawn once;
    every sequence is an independent shuffle of the pool. ``sentence`` ids index the pool.
``within-shuffle``
    The same pool (same seed → same sentences, same ids, same sentence order per sequence), each
    sentence's units reordered once so that no originally adjacent pair stays adjacent. Needs
    sentences of at least 4 units.
``random-words``
    All the pool's units, freely shuffled in each sequence.
``phrases``
    Phrase-only sequences, one condition per phrase type: ``np-phrases`` (NP NP NP...) and
    ``vp-phrases`` (VP VP VP...), as many units per sequence as ``sentences``.
``category-alternation``
    The grammar's category pattern (English: Adj V Adj V...) with no phrase: the part of speech
    repeats at the phrase rate but no two units form a phrase.
``natural``
    Fixed-length sentences from a user's ``corpus`` file (one per line); tags only the sentence rate.
``custom``
    User ``streams`` with declared ``tagged_hz``; ``n_sequences`` is ignored (every stream given is
    one sequence). ``trim=True`` trims streams of unequal length to the longest common length that
    keeps every declared rate on an exact FFT bin.

``tagged_hz`` lists the frequencies a probe tests. Controls are tested at the rates of the
structure they control for, so all lexicon designs of one set share ``{"sentence": unit_rate/L,
"phrase": unit_rate/P}``. ``meta["structure_hz"]`` gives, per condition, the levels its stream
really has (e.g. none for ``random-words``; ``category`` for ``category-alternation``).

``structure="3x2"`` (English) gives [Adj Adj N][V Adj N]: 3-unit phrases and 6-unit sentences, so
that the phrase rate (unit_rate/3) lies below the Nyquist frequency and its phase is usable.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hftp._validation import (
    InvalidValueError,
    check_float,
    check_in_path,
    check_int,
    check_option,
    check_out_path,
    check_type,
)
from hftp.spectral.bins import check_on_bin
from hftp.stimuli.designs import DESIGNS, EEG_PHRASES_CONDITIONS, _Ctx, _Seq, load_word_streams
from hftp.stimuli.grammar import load_grammar

__all__ = [
    "StimulusSet",
    "UNIT_COLUMNS",
    "DESIGNS",
    "EEG_PHRASES_CONDITIONS",
    "make_stimuli",
    "list_designs",
    "save_stimuli",
    "load_stimuli",
    "to_events",
    "load_word_streams",
    "item_id",
    "by_item",
]

logger = logging.getLogger("hftp")

UNIT_COLUMNS = ("sequence", "condition", "position", "unit", "sentence", "phrase", "pos")
_INT_COLUMNS = ("sequence", "position", "sentence", "phrase")


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
            f"n_sequences={self.n_sequences}, unit_rate_hz={self.unit_rate_hz}, "
            f"tagged_hz={json.dumps(self.tagged_hz)})"
        )


def item_id(condition: str, k: int) -> str:
    """The name of an item: the ``k``-th stream (0-based, in sequence order) of ``condition``.

    The simulator writes it in the ``item`` column of events.tsv, and :func:`by_item` names the
    model's conditions with it, so both sides of an item-level RSA match by name.
    """
    return f"{condition}/{int(k):03d}"


def by_item(stim: StimulusSet) -> StimulusSet:
    """The same streams, each its own condition named by :func:`item_id` (for item-level RSA).

    Probing the result gives one model response per item (the word list the brain heard on a
    trial whose events say ``item``).
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


def list_designs() -> dict[str, str]:
    """The stimulus designs: name → one-line description, in registry order."""
    described = {
        "sentences": "shuffled concatenations of a fixed pool of sentences ([Adj N][V N], [NP][VP])",
        "within-shuffle": "the same sentences, units reordered so no adjacent pair stays adjacent",
        "random-words": "the same units in random order",
        "phrases": "phrase-only sequences: conditions np-phrases and vp-phrases",
        "category-alternation": "a repeating part-of-speech pattern (Adj V Adj V ...), no phrases",
        "natural": "fixed-length sentences from a corpus file (one per line)",
        "custom": "user streams (lists of units) with declared tagged rates",
    }
    return {name: described.get(name, "") for name in DESIGNS}


# ------------------------------------------------------------------------------- make_stimuli


def make_stimuli(
    language: str,
    design: str | Sequence[str] = "sentences",
    n_sequences: int = 100,
    seed: int = 0,
    *,
    n_sentences: int = 50,
    unit_rate_hz: float = 4.0,
    structure: str | None = None,
    corpus: str | os.PathLike | None = None,
    streams: Any = None,
    tagged_hz: Mapping[str, float] | None = None,
    trim: bool = False,
    lexicon: str | os.PathLike | pd.DataFrame | None = None,
) -> StimulusSet:
    """Generate frequency-tagged stimulus sequences.

    Parameters
    ----------
    language : {"en", "zh"}
        English (units are words) or Chinese (units are characters).
    design : str or list of str, default "sentences"
        One design or several (one set, one condition per design; ``phrases`` gives the two
        conditions ``np-phrases`` and ``vp-phrases``). See :func:`list_designs` and the module
        docstring.
    n_sequences : int, default 100
        Sequences (independent shuffles) per condition. Ignored by ``custom``.
    seed : int, default 0
        Seed of every random step (numpy Generator). Same seed → identical output.
    n_sentences : int, default 50
        Sentences per sequence (50 × 4 units = 200 units, as in the paper). The phrase and
        alternation designs use the same number of units per sequence.
    unit_rate_hz : float, default 4.0
        Units per second.
    structure : str, optional
        Grammar structure; default the language's ``"2x2"``. English also has ``"3x2"``
        ([Adj Adj N][V Adj N]), whose phrase rate lies below Nyquist.
    corpus : path, optional
        For ``natural``: a TXT (one sentence per line) or CSV (a ``sentence`` column, else the
        first) file of sentences that all have the same number of units.
    streams : list or dict, optional
        For ``custom``: a list of streams (each a list of unit strings), or a dict
        condition → list of streams. See :func:`load_word_streams`.
    tagged_hz : dict, optional
        For ``custom``: the declared tagged rates, level → Hz.
    trim : bool, default False
        For ``custom``: trim all streams to the longest common length that keeps every declared
        rate on an exact FFT bin (e.g. 48–52-word streams at 3.125 Hz with 0.78125 Hz sentences →
        48 words). Without it, unequal lengths are an error.
    lexicon : path or DataFrame, optional
        A lexicon replacing the language's default (TSV with columns ``unit, pos`` and optional
        ``class, fits, tense``).

    Returns
    -------
    StimulusSet
        ``.units`` has one row per unit; ``.tagged_hz`` the tested rates; ``.meta`` the provenance.

    Raises
    ------
    ValueError
        Unknown language/design, ``n_sequences < 1``, a bad corpus, lexicon or stream, or a tagged
        rate off an exact FFT bin (the message lists lengths that work).

    Examples
    --------
    >>> stim = make_stimuli("en", ["sentences", "within-shuffle"], n_sequences=10, seed=1)
    >>> stim.tagged_hz
    {'sentence': 1.0, 'phrase': 2.0}
    """
    from hftp import __version__

    check_option("language", language, ("en", "zh"))
    designs = [design] if isinstance(design, str) else list(design)
    if not designs:
        raise InvalidValueError(
            f"Invalid value for 'design': expected at least one of {list(DESIGNS)}."
        )
    for d in designs:
        check_option("design", d, DESIGNS)
    if len(set(designs)) < len(designs):
        raise InvalidValueError(
            f"Invalid value for 'design': each design may appear once; got {designs}."
        )
    n_sequences = check_int("n_sequences", n_sequences, min_value=1)
    seed = check_int("seed", seed, min_value=0)
    n_sentences = check_int("n_sentences", n_sentences, min_value=1)
    unit_rate_hz = check_float("unit_rate_hz", unit_rate_hz, min_value=0, inclusive=False)
    check_stimulus_size(len(designs), n_sequences, n_sentences)
    grammar = load_grammar(language)
    if structure is not None:
        check_option("structure", structure, grammar.structures)
    ctx = _Ctx(language, grammar, structure, n_sequences, n_sentences, seed, unit_rate_hz, corpus,
               streams, tagged_hz, bool(trim), lexicon)  # fmt: skip

    conds: dict[str, list[_Seq]] = {}
    tagged: dict[str, float] = {}
    structure_hz: dict[str, dict[str, float]] = {}
    for d in designs:
        out = DESIGNS[d](ctx)
        for level, hz in out.tagged.items():
            if level in tagged and not np.isclose(tagged[level], hz):
                raise InvalidValueError(
                    f"Invalid value for 'design': the designs {designs} tag {level!r} at different "
                    f"rates ({tagged[level]} and {hz} Hz). Generate them as separate sets."
                )
            tagged.setdefault(level, hz)
        for c in out.conditions:
            if c in conds:
                raise InvalidValueError(
                    f"Invalid value for 'streams': condition {c!r} appears twice."
                )
        conds.update(out.conditions)
        structure_hz.update(out.structure_hz)

    units = _frame(conds)
    lengths = units.groupby("sequence").size()
    if lengths.nunique() > 1:
        per = {
            c: sorted(set(lengths[units.groupby("sequence")["condition"].first() == c]))
            for c in conds
        }
        raise InvalidValueError(
            f"Invalid value for 'design': all sequences of a set must have the same number of units "
            f"(they share one frequency axis); got {per}. Generate them as separate sets."
        )
    n_units = int(lengths.iloc[0])
    from hftp.spectral.bins import warn_nyquist

    for level, hz in tagged.items():
        check_on_bin(f"tagged_hz[{level}]", hz, unit_rate_hz, n_units)
    for level, hz in tagged.items():
        warn_nyquist(hz, unit_rate_hz, level)  # attributed to the caller of make_stimuli

    uses_grammar = any(d not in ("custom", "natural") for d in designs)
    meta = {
        "language": language,
        "design": designs,
        "conditions": list(conds),
        "unit_rate_hz": unit_rate_hz,
        "tagged_hz": tagged,
        "structure_hz": structure_hz,
        "seed": seed,
        "n_sequences_per_condition": {c: len(s) for c, s in conds.items()},
        "n_units": n_units,
        "n_sentences": n_sentences,
        "structure": ctx.structure["name"] if uses_grammar else None,
        "separator": grammar.separator,
        "lexicon": "default" if lexicon is None or not uses_grammar else _describe(lexicon),
        "corpus": str(corpus) if "natural" in designs else None,
        "trim": bool(trim) if "custom" in designs else None,
        "hftp_version": __version__,
    }
    return StimulusSet(units=units, meta=meta)


def _describe(obj: Any) -> str:
    return "DataFrame" if isinstance(obj, pd.DataFrame) else str(obj)


def _frame(conds: Mapping[str, list[_Seq]]) -> pd.DataFrame:
    cols: dict[str, list] = {c: [] for c in UNIT_COLUMNS}
    seq_id = 0
    for cond, seqs in conds.items():
        for seq in seqs:
            n = len(seq)
            cols["sequence"] += [seq_id] * n
            cols["condition"] += [cond] * n
            cols["position"] += list(range(n))
            for name, vals in zip(
                ("unit", "sentence", "phrase", "pos"), zip(*seq, strict=True), strict=True
            ):
                cols[name] += list(vals)
            seq_id += 1
    return _typed(pd.DataFrame(cols))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """The canonical dtypes of ``.units`` (int64 ids, string text)."""
    df = df[list(UNIT_COLUMNS)].copy()
    for c in UNIT_COLUMNS:
        df[c] = df[c].astype("int64") if c in _INT_COLUMNS else df[c].astype(str)
    return df.reset_index(drop=True)


# ------------------------------------------------------------------------------ export / import


def _check_suffix(name: str, path: Any, suffix: str) -> Path:
    p = check_out_path(name, path)
    check_option(
        f"{name} (file extension)",
        p.suffix.lower(),
        (suffix,),
        fix=f"Use a name ending in {suffix!r}.",
    )
    return p


#: Bytes per unit row of a StimulusSet (the pandas table with its strings), measured generously.
_BYTES_PER_UNIT = 400
#: Units per sentence assumed by the estimate (the longest built-in structure).
_UNITS_PER_SENTENCE = 8


def _available_memory() -> int:
    """Physical memory in bytes (a large number when the platform does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX
        return 1 << 40


def check_stimulus_size(n_designs: int, n_sequences: int, n_sentences: int) -> int:
    """Estimate the memory a stimulus set needs; refuse one larger than half the machine's memory.

    Returns the estimate in bytes. The message gives the estimate and the limit, so that absurd
    sizes (``n_sequences=10**20``) fail at once instead of growing until the process is killed.
    """
    need = n_designs * n_sequences * n_sentences * _UNITS_PER_SENTENCE * _BYTES_PER_UNIT
    limit = _available_memory() // 2
    if need > limit:
        raise InvalidValueError(
            f"Invalid value for 'n_sequences': {n_designs} design(s) x {n_sequences} sequences x "
            f"{n_sentences} sentences would need about {_gib(need)} of memory, more than half of "
            f"this machine's {_gib(2 * limit)}. Use fewer sequences (the paper uses 100)."
        )
    return need


def _gib(n: int) -> str:
    return f"{n / 2**30:,.1f} GiB" if n < 2**70 else f"{n:.2e} bytes"


def save_stimuli(stim: StimulusSet, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write ``stim`` as CSV (one row per unit) plus a JSON sidecar (``.json``, the metadata).

    Both files are written atomically, and both or neither: existing files are refused unless
    ``overwrite=True`` (checked before anything is written). Returns the CSV path;
    :func:`load_stimuli` reads it back.
    """
    from hftp.io import atomic_path, write_json

    check_type("stim", stim, StimulusSet, "a StimulusSet (from hftp.make_stimuli)")
    p = _check_suffix("path", path, ".csv")
    side = p.with_suffix(".json")
    for q in (p, side):
        check_out_path("path", q, overwrite=overwrite)
    with atomic_path(p, name="path", overwrite=overwrite) as tmp:
        stim.units.to_csv(tmp, index=False, encoding="utf-8")
        write_json(side, dict(stim.meta), name="path", overwrite=overwrite)
    return p


def load_stimuli(path: str | os.PathLike) -> StimulusSet:
    """Read a StimulusSet written by :func:`save_stimuli` (the CSV and its JSON sidecar)."""
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
        units = _typed(df)
    except ValueError as exc:
        raise InvalidValueError(
            f"Invalid value for 'path': the columns {list(_INT_COLUMNS)} of {str(p)!r} must hold "
            f"integers ({exc})."
        ) from None
    return StimulusSet(units=units, meta=meta)


def to_events(
    stim: StimulusSet, path: str | os.PathLike, *, gap_s: float = 2.0, overwrite: bool = False
) -> Path:
    """Write a BIDS-style ``events.tsv`` (plus ``events.json``) to present the streams to people.

    One row per unit, sequences in id order. Unit ``j`` of a sequence starts at
    ``start + j / unit_rate_hz`` and lasts ``1 / unit_rate_hz``; each sequence starts ``gap_s``
    seconds after the previous one ends.

    Columns: ``onset`` and ``duration`` (s), ``trial_type`` (the condition), ``value`` (an integer
    trigger code, 1 + the condition's index), then ``sequence``, ``position``, ``unit``,
    ``sentence``, ``phrase``, ``pos`` (``n/a`` where a design has none). The JSON sidecar describes
    the columns and the trigger codes.

    Parameters
    ----------
    stim : StimulusSet
    path : path
        Destination ending in ``.tsv`` (BIDS names it ``*_events.tsv``).
    gap_s : float, default 2.0
        Silence between sequences, in seconds.
    overwrite : bool, default False
        Replace existing ``.tsv``/``.json`` files (refused otherwise, before anything is written).
    """
    from hftp.io import atomic_path, write_json

    check_type("stim", stim, StimulusSet, "a StimulusSet (from hftp.make_stimuli)")
    p = _check_suffix("path", path, ".tsv")
    for q in (p, p.with_suffix(".json")):
        check_out_path("path", q, overwrite=overwrite)
    gap_s = check_float("gap_s", gap_s, min_value=0)
    u = stim.units.sort_values(["sequence", "position"], kind="stable")
    dur = 1.0 / stim.unit_rate_hz
    n_per = u.groupby("sequence", sort=True).size()
    starts = np.concatenate([[0.0], np.cumsum(n_per.to_numpy() * dur + gap_s)[:-1]])
    start_of = dict(zip(n_per.index, starts, strict=True))
    codes = {c: i + 1 for i, c in enumerate(stim.conditions)}
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
    side = _events_sidecar(stim, codes, gap_s)
    with atomic_path(p, name="path", overwrite=overwrite) as tmp:
        ev.to_csv(tmp, sep="\t", index=False, na_rep="n/a", encoding="utf-8", lineterminator="\n")
        write_json(p.with_suffix(".json"), side, name="path", overwrite=overwrite)
    return p


def _events_sidecar(stim: StimulusSet, codes: dict[str, int], gap_s: float) -> dict[str, Any]:
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
            "UnitRateHz": stim.unit_rate_hz,
            "GapBetweenSequencesS": gap_s,
            "TaggedHz": stim.tagged_hz,
            "Language": stim.language,
        },
    }
