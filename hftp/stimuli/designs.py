"""Stimulus designs: the registry behind :func:`hftp.make_stimuli` (:data:`DESIGNS`,
:func:`list_designs`) and the generation context every design reads (:class:`StimulusContext`).

Each design is a function of the context returning a :class:`DesignOutput`: its conditions (lists
of sequences of ``(unit, sentence, phrase, pos)``), the rates it is tested at, and the levels its
streams really have. Every random step draws from ``numpy.random.default_rng([seed, key])`` with a
fixed key per purpose, so a design's output does not depend on which other designs are generated
with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from hftp._validation import InvalidValueError, check_float, check_type
from hftp.spectral.bins import bin_step
from hftp.stimuli.grammar import Grammar, SlotSampler, load_lexicon, read_corpus

__all__ = [
    "DESIGNS",
    "list_designs",
    "StimulusContext",
    "DesignOutput",
    "UnitRow",
    "UnitSequence",
]

logger = logging.getLogger("hftp")


# --------------------------------------------------------------------------- generation context

#: A generated unit: (unit, sentence id, phrase id, pos).
UnitRow = tuple[str, int, int, str]
#: A generated sequence: its units in order.
UnitSequence = list[UnitRow]

# Stable per-purpose keys for the random streams, so a design's output does not depend on which
# other designs are generated with it.
_POOL, _ORDER, _DERANGE, _WORDS, _ALT, _NATURAL = 0, 1, 2, 3, 30, 40


@dataclass(frozen=True)
class StimulusContext:
    """What a design reads: the checked arguments of :func:`hftp.make_stimuli` and the grammar.

    The lexicon, the structure and the shared sentence pool are computed once, on first use.

    Attributes
    ----------
    language : str
        ``"en"`` or ``"zh"``.
    grammar : Grammar
        The language's grammar (:func:`hftp.stimuli.grammar.load_grammar`).
    structure_name : str or None
        The grammar structure; None for the language's default.
    n_sequences, n_sentences : int
        Sequences per condition and sentences per sequence.
    seed : int
        Seed of every random step.
    sfreq : float
        The unit rate in Hz.
    corpus : path or None
        The ``natural`` design's sentences file.
    streams : list or dict or None
        The ``custom`` design's streams.
    tagged_hz : dict or None
        The ``custom`` design's declared level → Hz.
    trim : bool
        Trim ``custom`` streams to an on-bin length.
    lexicon : path, DataFrame or None
        A lexicon replacing the language's default.
    """

    language: str
    grammar: Grammar
    structure_name: str | None = None
    n_sequences: int = 100
    n_sentences: int = 50
    seed: int = 0
    sfreq: float = 4.0
    corpus: Any = None
    streams: Any = None
    tagged_hz: Any = None
    trim: bool = False
    lexicon: Any = None

    def rng(self, key: int) -> np.random.Generator:
        """The random generator of one purpose (a fixed ``key``), seeded by ``seed``."""
        return np.random.default_rng([self.seed, key])

    @cached_property
    def lex(self) -> pd.DataFrame:
        return load_lexicon(self.lexicon, self.grammar)

    @cached_property
    def structure(self) -> dict[str, Any]:
        return self.grammar.structure(self.structure_name)

    @property
    def n_units(self) -> int:
        """Units per sequence of the lexicon designs."""
        return self.n_sentences * self.structure["units_per_sentence"]

    def structure_rates(self) -> dict[str, float]:
        """The sentence and phrase rates (Hz) of the structure: what every lexicon design tests."""
        st = self.structure
        return {
            "sentence": self.sfreq / st["units_per_sentence"],
            "phrase": self.sfreq / st["units_per_phrase"],
        }

    def entry_units(self, rows: list[int], phrase_of: list[int]) -> list[tuple[str, int, str]]:
        """(unit, phrase index, pos) for lexicon rows filling slots with the given phrases."""
        out = []
        for r, k in zip(rows, phrase_of, strict=True):
            pos = self.lex["pos"].iat[r]
            out += [(u, k, pos) for u in self.grammar.units_of(self.lex["unit"].iat[r])]
        return out

    def draw_unique(self, sampler: SlotSampler, n: int, rng: np.random.Generator) -> list:
        """``n`` filled structures, distinct as long as the lexicon allows (then repeats)."""
        phrase_of = [sampler.structure["slots"][s]["phrase"] for s in sampler.slots]
        seen: set[tuple[int, ...]] = set()
        out = []
        for _ in range(n):
            for _try in range(50):
                rows = tuple(sampler.sample(rng))
                if rows not in seen:
                    break
            seen.add(rows)
            out.append(self.entry_units(list(rows), phrase_of))
        return out

    @cached_property
    def pool(self) -> list[list[tuple[str, int, str]]]:
        """The sentence pool shared by sentences, within-shuffle and random-words."""
        return self.draw_unique(
            SlotSampler(self.lex, self.structure), self.n_sentences, self.rng(_POOL)
        )

    def sentence_orders(self) -> list[np.ndarray]:
        """One random order of the pool's sentences per sequence."""
        rng = self.rng(_ORDER)
        return [rng.permutation(self.n_sentences) for _ in range(self.n_sequences)]


@dataclass(frozen=True)
class DesignOutput:
    """What a design returns.

    Attributes
    ----------
    conditions : dict of str to list of UnitSequence
        Condition → its sequences.
    tagged_hz : dict of str to float
        The levels the condition is tested at → Hz (the structure's rates, for controls too).
    structure_hz : dict of str to dict
        Condition → the levels its streams really have → Hz.
    """

    conditions: dict[str, list[UnitSequence]]
    tagged_hz: dict[str, float]
    structure_hz: dict[str, dict[str, float]]


def _shuffled(items: list, n_sequences: int, rng: np.random.Generator) -> list[list]:
    return [[items[i] for i in rng.permutation(len(items))] for _ in range(n_sequences)]


# --------------------------------------------------------------------------------- the designs


def _design_sentences(ctx: StimulusContext) -> DesignOutput:
    n_phr = ctx.structure["n_phrases"]
    seqs = [
        [(u, int(s), int(s) * n_phr + k, pos) for s in order for u, k, pos in ctx.pool[s]]
        for order in ctx.sentence_orders()
    ]
    t = ctx.structure_rates()
    return DesignOutput({"sentences": seqs}, t, {"sentences": t})


def _derangement(n: int, rng: np.random.Generator) -> list[int]:
    """A random order of range(n) in which no two originally adjacent items are adjacent."""
    if n < 4:
        raise InvalidValueError(
            f"Invalid value for 'design': 'within-shuffle' needs sentences of at least 4 units "
            f"(no reordering of {n} units separates every adjacent pair); got {n}."
        )
    for _ in range(100_000):
        p = rng.permutation(n)
        if np.all(np.abs(np.diff(p)) != 1):
            return [int(i) for i in p]
    raise RuntimeError("no within-sentence shuffle found")  # pragma: no cover


def _design_within_shuffle(ctx: StimulusContext) -> DesignOutput:
    rng = ctx.rng(_DERANGE)
    perms = [_derangement(len(s), rng) for s in ctx.pool]
    seqs = [
        [(ctx.pool[s][j][0], int(s), -1, ctx.pool[s][j][2]) for s in order for j in perms[s]]
        for order in ctx.sentence_orders()
    ]
    return DesignOutput({"within-shuffle": seqs}, ctx.structure_rates(), {"within-shuffle": {}})


def _design_random_words(ctx: StimulusContext) -> DesignOutput:
    words = [(u, -1, -1, pos) for sent in ctx.pool for u, _k, pos in sent]
    seqs = _shuffled(words, ctx.n_sequences, ctx.rng(_WORDS))
    return DesignOutput({"random-words": seqs}, ctx.structure_rates(), {"random-words": {}})


def _design_phrases(ctx: StimulusContext) -> DesignOutput:
    st = ctx.structure
    conds, struct = {}, {}
    n_phrases = ctx.n_units // st["units_per_phrase"]
    for k, name in enumerate(st["phrase_names"]):
        slots = [i for i, s in enumerate(st["slots"]) if s["phrase"] == k]
        pool = ctx.draw_unique(SlotSampler(ctx.lex, st, slots), n_phrases, ctx.rng(10 + k))
        rng = ctx.rng(20 + k)
        cond = f"{name}-phrases"
        conds[cond] = [
            [(u, -1, int(p), pos) for p in rng.permutation(n_phrases) for u, _k, pos in pool[p]]
            for _ in range(ctx.n_sequences)
        ]
        struct[cond] = {"phrase": ctx.sfreq / st["units_per_phrase"]}
    return DesignOutput(conds, ctx.structure_rates(), struct)


def _design_category_alternation(ctx: StimulusContext) -> DesignOutput:
    st = ctx.structure
    pattern = st.get("alternation")
    if not pattern:
        raise InvalidValueError(
            f"Invalid value for 'design': 'category-alternation' needs a category pattern in the "
            f"{ctx.language!r} grammar (structure {st['name']!r}), which has none. Use "
            f"language='en', or add an 'alternation' list of parts of speech to its grammar.json."
        )
    if ctx.n_units % len(pattern):
        raise InvalidValueError(
            f"Invalid value for 'n_sentences': the alternation pattern {pattern} must tile "
            f"{ctx.n_units} units; choose n_sentences so that it does."
        )
    cyc = {**st, "slots": [{"pos": p, "phrase": 0} for p in pattern], "agree": []}
    pool = ctx.draw_unique(SlotSampler(ctx.lex, cyc), ctx.n_units // len(pattern), ctx.rng(_ALT))
    cycles = [[(u, -1, -1, pos) for u, _k, pos in c] for c in pool]
    seqs = [sum(c, []) for c in _shuffled(cycles, ctx.n_sequences, ctx.rng(_ALT + 1))]
    cat = {"category": ctx.sfreq / len(pattern)}
    return DesignOutput(
        {"category-alternation": seqs}, ctx.structure_rates(), {"category-alternation": cat}
    )


def _design_natural(ctx: StimulusContext) -> DesignOutput:
    sents = read_corpus(ctx.corpus, ctx.grammar)
    if ctx.n_sentences > len(sents):
        raise InvalidValueError(
            f"Invalid value for 'n_sentences': the corpus {str(ctx.corpus)!r} has {len(sents)} "
            f"sentences; got n_sentences={ctx.n_sentences}. Pass n_sentences <= {len(sents)} or "
            "add sentences."
        )
    pick = ctx.rng(_NATURAL).choice(len(sents), size=ctx.n_sentences, replace=False)
    pool = [sents[i] for i in pick]
    rng = ctx.rng(_NATURAL + 1)
    seqs = [
        [(u, int(s), -1, "") for s in rng.permutation(ctx.n_sentences) for u in pool[s]]
        for _ in range(ctx.n_sequences)
    ]
    t = {"sentence": ctx.sfreq / len(pool[0])}
    return DesignOutput({"natural": seqs}, t, {"natural": t})


def _check_tagged_mapping(tagged_hz: Any) -> dict[str, float]:
    if tagged_hz is None:
        raise InvalidValueError(
            "Invalid value for 'tagged_hz': the 'custom' design needs the declared tagged rates; got "
            "None. Pass e.g. tagged_hz={'sentence': 1.0, 'phrase': 2.0}."
        )
    check_type("tagged_hz", tagged_hz, Mapping, "a mapping level -> Hz")
    if not tagged_hz:
        raise InvalidValueError(
            "Invalid value for 'tagged_hz': expected at least one level; got {}."
        )
    return {
        str(k): check_float(f"tagged_hz[{k}]", v, min_value=0, inclusive=False)
        for k, v in tagged_hz.items()
    }


def _custom_streams(streams: Any) -> dict[str, list[list[str]]]:
    if streams is None:
        raise InvalidValueError(
            "Invalid value for 'streams': the 'custom' design needs streams; got None. Pass a list "
            "of streams (each a list of units) or a dict condition -> list of streams."
        )
    if not isinstance(streams, Mapping):
        streams = {"custom": streams}
    out = {}
    for cond, lst in streams.items():
        check_type(f"streams[{cond}]", lst, list | tuple, "a list of streams")
        if not lst:
            raise InvalidValueError(
                f"Invalid value for 'streams[{cond}]': expected streams; got none."
            )
        out[str(cond)] = []
        for i, s in enumerate(lst):
            name = f"streams[{cond}][{i}]"
            check_type(
                name, s, list | tuple, "a list of unit strings (split text into units first)"
            )
            if not s:
                raise InvalidValueError(f"Invalid value for {name!r}: the stream is empty.")
            for j, u in enumerate(s):
                check_type(f"{name}[{j}]", u, str, "a unit string")
                if not u.strip():
                    raise InvalidValueError(
                        f"Invalid value for '{name}[{j}]': units must be non-empty text; got "
                        f"{u!r}. Remove empty or whitespace-only units from the stream."
                    )
            out[str(cond)].append([str(u) for u in s])
    return out


def _design_custom(ctx: StimulusContext) -> DesignOutput:
    tagged_hz = _check_tagged_mapping(ctx.tagged_hz)
    streams = _custom_streams(ctx.streams)
    lengths = sorted({len(s) for lst in streams.values() for s in lst})
    n = lengths[0]
    if ctx.trim:
        step = bin_step(tagged_hz.values(), ctx.sfreq)
        n = (lengths[0] // step) * step
        if n == 0:
            raise InvalidValueError(
                f"Invalid value for 'streams': the shortest stream has {lengths[0]} units, fewer "
                f"than the {step} units needed to put {tagged_hz} on exact FFT bins at "
                f"{ctx.sfreq} Hz. Use longer streams."
            )
        if n < lengths[-1]:
            logger.info("Trimmed custom streams of %s units to %d units.", lengths, n)
    elif len(lengths) > 1:
        raise InvalidValueError(
            f"Invalid value for 'streams': all streams must have the same length; got lengths "
            f"{lengths}. Pass trim=True to trim every stream to the longest common length that "
            "keeps the tagged rates on exact FFT bins, or equalise them yourself."
        )
    conds = {c: [[(u, -1, -1, "") for u in s[:n]] for s in lst] for c, lst in streams.items()}
    return DesignOutput(conds, tagged_hz, dict.fromkeys(conds, tagged_hz))


DESIGNS: dict[str, Callable[[StimulusContext], DesignOutput]] = {
    "sentences": _design_sentences,
    "within-shuffle": _design_within_shuffle,
    "random-words": _design_random_words,
    "phrases": _design_phrases,
    "category-alternation": _design_category_alternation,
    "natural": _design_natural,
    "custom": _design_custom,
}


#: One line per design, for :func:`list_designs` and ``hftp stimuli --help``.
_DESCRIPTIONS = {
    "sentences": "shuffled concatenations of a fixed pool of sentences ([Adj N][V N], [NP][VP])",
    "within-shuffle": "the same sentences, units reordered so no adjacent pair stays adjacent",
    "random-words": "the same units in random order",
    "phrases": "phrase-only sequences: conditions np-phrases and vp-phrases",
    "category-alternation": "a repeating part-of-speech pattern (Adj V Adj V ...), no phrases",
    "natural": "fixed-length sentences from a corpus file (one per line)",
    "custom": "user streams (lists of units) with declared tagged rates",
}


def list_designs() -> dict[str, str]:
    """The stimulus designs and what each generates.

    Returns
    -------
    dict of str to str
        Design name → one-line description, in registry order (a design registered without a
        description maps to ``""``).
    """
    return {name: _DESCRIPTIONS.get(name, "") for name in DESIGNS}
