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
    "uniform_orders",
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
_POOL, _ORDER, _DERANGE, _WORDS, _ALT, _NATURAL, _UNIFORM = 0, 1, 2, 3, 30, 40, 50


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
    n_pools : int
        Independent pools of sentences (and of phrases, cycles, corpus sentences): sequence k of
        a condition (counting from 0 within the condition) draws from pool ``k % n_pools``, so
        that with 2 pools the even and odd sequences (the halves of
        ``hftp.probe(..., split=True)``) share no sentence.
    pool_size : int or None
        Sentences per pool; None for ``n_sentences`` (each sequence reorders its whole pool).
        Larger pools let the sentences themselves vary between sequences, not only their order:
        each sequence draws ``n_sentences`` of them.
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
    n_pools: int = 1
    pool_size: int | None = None

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

    def pool_items(self, per_sequence: int) -> int:
        """Items (sentences, phrases, cycles) per pool when a sequence holds ``per_sequence``."""
        m = self.n_sentences if self.pool_size is None else self.pool_size
        return -(-per_sequence * m // self.n_sentences)

    def pool_orders(self, per_sequence: int, rng: np.random.Generator) -> list[np.ndarray]:
        """Per sequence, the ids of its ``per_sequence`` items in order, drawn from its pool.

        Pool ``p`` holds ids ``p * size … (p + 1) * size - 1`` (``size`` =
        :meth:`pool_items`); sequence ``k`` draws from pool ``k % n_pools``: all of it in a
        random order when the pool is no larger than a sequence, else a random subset.
        """
        size = self.pool_items(per_sequence)
        return [
            rng.permutation(size)[:per_sequence] + (k % self.n_pools) * size
            for k in range(self.n_sequences)
        ]

    @cached_property
    def pool(self) -> list[list[tuple[str, int, str]]]:
        """The sentences of every pool (shared by sentences, the shuffles and random-words).

        Sentence id ``i`` is ``pool[i]``; pool ``p`` holds ids ``p * size … (p + 1) * size - 1``.
        """
        n = self.n_pools * self.pool_items(self.n_sentences)
        return self.draw_unique(SlotSampler(self.lex, self.structure), n, self.rng(_POOL))

    def sentence_orders(self) -> list[np.ndarray]:
        """Per sequence, the ids of its sentences in order (from its pool)."""
        return self.pool_orders(self.n_sentences, self.rng(_ORDER))


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


#: sentences up to this many units get every order of their units; longer ones cyclic shifts
_ALL_ORDERS_MAX = 5


def uniform_orders(n_units: int, n_sentences: int, n_sequences: int, rng) -> np.ndarray:
    """Within-sentence orders that leave each position's category mix flat.

    Up to :data:`_ALL_ORDERS_MAX` units, the orders are all n! permutations (24 for 4 units),
    dealt so that every sentence meets each of them in turn over the sequences and every sequence
    holds them in equal numbers (exactly when ``n_sentences`` is a multiple of n!). Longer
    sentences get the n cyclic shifts of a random order per sentence, dealt the same way (each
    unit then stands at each position equally often).

    Parameters
    ----------
    n_units : int
        Units per sentence.
    n_sentences, n_sequences : int
        Sentences per sequence and sequences.
    rng : numpy.random.Generator
        Draws the dealing (and the base orders of long sentences).

    Returns
    -------
    ndarray of int, shape (n_sequences, n_sentences, n_units)
        ``out[k, s]`` is the order of sentence ``s``'s units in sequence ``k``.
    """
    import itertools

    if n_units <= _ALL_ORDERS_MAX:
        orders = np.array(list(itertools.permutations(range(n_units))))
        per_sentence = np.broadcast_to(orders, (n_sentences, *orders.shape))
    else:
        base = np.stack([rng.permutation(n_units) for _ in range(n_sentences)])
        shifts = (np.arange(n_units)[:, None] + np.arange(n_units)[None]) % n_units
        per_sentence = base[:, shifts]  # (S, n, n): the cyclic shifts of each base order
    m = per_sentence.shape[1]
    offset = rng.permutation(np.arange(n_sentences) % m)  # spread over the orders in a sequence
    start = rng.integers(m)
    idx = (offset[None, :] + start + np.arange(n_sequences)[:, None]) % m  # (K, S)
    return per_sentence[np.arange(n_sentences)[None, :], idx]


def _design_uniform_shuffle(ctx: StimulusContext) -> DesignOutput:
    n = ctx.structure["units_per_sentence"]
    orders = uniform_orders(n, len(ctx.pool), ctx.n_sequences, ctx.rng(_UNIFORM))
    seqs = [
        [(ctx.pool[s][j][0], int(s), -1, ctx.pool[s][j][2]) for s in order for j in orders[k, s]]
        for k, order in enumerate(ctx.sentence_orders())
    ]
    return DesignOutput({"uniform-shuffle": seqs}, ctx.structure_rates(), {"uniform-shuffle": {}})


def _design_random_words(ctx: StimulusContext) -> DesignOutput:
    rng = ctx.rng(_WORDS)
    seqs = []
    for order in ctx.sentence_orders():  # the words of the sentences of the same sequence
        words = [(u, -1, -1, pos) for s in sorted(order) for u, _k, pos in ctx.pool[s]]
        seqs.append([words[i] for i in rng.permutation(len(words))])
    return DesignOutput({"random-words": seqs}, ctx.structure_rates(), {"random-words": {}})


def _design_phrases(ctx: StimulusContext) -> DesignOutput:
    st = ctx.structure
    conds, struct = {}, {}
    n_phrases = ctx.n_units // st["units_per_phrase"]
    for k, name in enumerate(st["phrase_names"]):
        slots = [i for i, s in enumerate(st["slots"]) if s["phrase"] == k]
        n_pool = ctx.n_pools * ctx.pool_items(n_phrases)
        pool = ctx.draw_unique(SlotSampler(ctx.lex, st, slots), n_pool, ctx.rng(10 + k))
        cond = f"{name}-phrases"
        conds[cond] = [
            [(u, -1, int(p), pos) for p in order for u, _k, pos in pool[p]]
            for order in ctx.pool_orders(n_phrases, ctx.rng(20 + k))
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
    per_seq = ctx.n_units // len(pattern)
    n_pool = ctx.n_pools * ctx.pool_items(per_seq)
    pool = ctx.draw_unique(SlotSampler(ctx.lex, cyc), n_pool, ctx.rng(_ALT))
    cycles = [[(u, -1, -1, pos) for u, _k, pos in c] for c in pool]
    orders = ctx.pool_orders(per_seq, ctx.rng(_ALT + 1))
    seqs = [sum((cycles[i] for i in order), []) for order in orders]
    cat = {"category": ctx.sfreq / len(pattern)}
    return DesignOutput(
        {"category-alternation": seqs}, ctx.structure_rates(), {"category-alternation": cat}
    )


def _design_natural(ctx: StimulusContext) -> DesignOutput:
    sents = read_corpus(ctx.corpus, ctx.grammar)
    need = ctx.n_pools * ctx.pool_items(ctx.n_sentences)
    if need > len(sents):
        raise InvalidValueError(
            f"Invalid value for 'n_sentences': the corpus {str(ctx.corpus)!r} has {len(sents)} "
            f"sentences; {need} are needed ({ctx.n_pools} pool(s) of "
            f"{ctx.pool_items(ctx.n_sentences)}). Pass fewer sentences, pools or a smaller "
            "pool_size, or add sentences."
        )
    pick = ctx.rng(_NATURAL).choice(len(sents), size=need, replace=False)
    pool = [sents[i] for i in pick]
    orders = ctx.pool_orders(ctx.n_sentences, ctx.rng(_NATURAL + 1))
    seqs = [[(u, int(s), -1, "") for s in order for u in pool[s]] for order in orders]
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
    if not streams:
        raise InvalidValueError(
            "Invalid value for 'streams': expected at least one condition of streams; got an "
            "empty mapping. Pass a list of streams or a dict condition -> list of streams."
        )
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
    if ctx.n_pools > 1 or ctx.pool_size is not None:
        raise InvalidValueError(
            "Invalid value for 'n_pools': the 'custom' design plays the streams given, so it has "
            "no pools to draw from. Pass streams from independent pools as separate sets (or as "
            "conditions), and leave n_pools and pool_size unset."
        )
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
    "uniform-shuffle": _design_uniform_shuffle,
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
    "uniform-shuffle": (
        "the same sentences, units in all orders in turn: each position's category mix is flat"
    ),
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

    Examples
    --------
    >>> import hftp
    >>> designs = hftp.list_designs()
    >>> "sentences" in designs, "custom" in designs
    (True, True)
    >>> designs["within-shuffle"]
    'the same sentences, units reordered so no adjacent pair stays adjacent'
    """
    return {name: _DESCRIPTIONS.get(name, "") for name in DESIGNS}
