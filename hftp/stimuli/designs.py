"""Stimulus designs: the registry behind :func:`hftp.make_stimuli`, and reading word streams.

Each design is a function of a generation context returning its conditions (lists of sequences of
``(unit, sentence, phrase, pos)``), the rates it is tested at, and the levels its streams really have.
Every random step draws from ``numpy.random.default_rng([seed, key])`` with a fixed key per purpose,
so a design's output does not depend on which other designs are generated with it.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hftp._validation import InvalidValueError, check_float, check_in_path, check_type
from hftp.spectral.bins import bin_step
from hftp.stimuli.grammar import Grammar, SlotSampler, load_lexicon, read_corpus

__all__ = ["DESIGNS", "EEG_PHRASES_CONDITIONS", "load_word_streams"]

logger = logging.getLogger("hftp")


#: File-name prefix → condition for the word streams of the eeg-phrases data set.
EEG_PHRASES_CONDITIONS = {
    "ADVP_": "advp",
    "rrrV_": "rrrv",
    "rrrr_": "rrrr",
    "AVAV_": "avav",
    "ANAN_": "anan",
    "phrase_mix_": "phmi",
}


# --------------------------------------------------------------------------- generation context

# A generated unit: (unit, sentence id, phrase id, pos); a sequence is a list of them.
_Unit = tuple[str, int, int, str]
_Seq = list[_Unit]

# Stable per-purpose keys for the random streams, so a design's output does not depend on which
# other designs are generated with it.
_POOL, _ORDER, _DERANGE, _WORDS, _ALT, _NATURAL = 0, 1, 2, 3, 30, 40


@dataclass
class _Ctx:
    language: str
    grammar: Grammar
    structure_name: str | None
    n_sequences: int
    n_sentences: int
    seed: int
    unit_rate_hz: float
    corpus: Any
    streams: Any
    tagged_hz: Any
    trim: bool
    lexicon: Any

    def rng(self, key: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, key])

    @cached_property
    def lex(self) -> pd.DataFrame:
        return load_lexicon(self.lexicon, self.grammar)

    @cached_property
    def structure(self) -> dict[str, Any]:
        return self.grammar.structure(self.structure_name)

    @property
    def n_units(self) -> int:
        return self.n_sentences * self.structure["units_per_sentence"]

    def structure_tagged(self) -> dict[str, float]:
        st = self.structure
        return {
            "sentence": self.unit_rate_hz / st["units_per_sentence"],
            "phrase": self.unit_rate_hz / st["units_per_phrase"],
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
        rng = self.rng(_ORDER)
        return [rng.permutation(self.n_sentences) for _ in range(self.n_sequences)]


@dataclass
class _Out:
    conditions: dict[str, list[_Seq]]
    tagged: dict[str, float]
    structure_hz: dict[str, dict[str, float]]


def _shuffled(items: list, n_sequences: int, rng: np.random.Generator) -> list[list]:
    return [[items[i] for i in rng.permutation(len(items))] for _ in range(n_sequences)]


# --------------------------------------------------------------------------------- the designs


def _design_sentences(ctx: _Ctx) -> _Out:
    n_phr = ctx.structure["n_phrases"]
    seqs = [
        [(u, int(s), int(s) * n_phr + k, pos) for s in order for u, k, pos in ctx.pool[s]]
        for order in ctx.sentence_orders()
    ]
    t = ctx.structure_tagged()
    return _Out({"sentences": seqs}, t, {"sentences": t})


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


def _design_within_shuffle(ctx: _Ctx) -> _Out:
    rng = ctx.rng(_DERANGE)
    perms = [_derangement(len(s), rng) for s in ctx.pool]
    seqs = [
        [(ctx.pool[s][j][0], int(s), -1, ctx.pool[s][j][2]) for s in order for j in perms[s]]
        for order in ctx.sentence_orders()
    ]
    return _Out({"within-shuffle": seqs}, ctx.structure_tagged(), {"within-shuffle": {}})


def _design_random_words(ctx: _Ctx) -> _Out:
    words = [(u, -1, -1, pos) for sent in ctx.pool for u, _k, pos in sent]
    seqs = _shuffled(words, ctx.n_sequences, ctx.rng(_WORDS))
    return _Out({"random-words": seqs}, ctx.structure_tagged(), {"random-words": {}})


def _design_phrases(ctx: _Ctx) -> _Out:
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
        struct[cond] = {"phrase": ctx.unit_rate_hz / st["units_per_phrase"]}
    return _Out(conds, ctx.structure_tagged(), struct)


def _design_category_alternation(ctx: _Ctx) -> _Out:
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
    cat = {"category": ctx.unit_rate_hz / len(pattern)}
    return _Out(
        {"category-alternation": seqs}, ctx.structure_tagged(), {"category-alternation": cat}
    )


def _design_natural(ctx: _Ctx) -> _Out:
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
    t = {"sentence": ctx.unit_rate_hz / len(pool[0])}
    return _Out({"natural": seqs}, t, {"natural": t})


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


def _design_custom(ctx: _Ctx) -> _Out:
    tagged = _check_tagged_mapping(ctx.tagged_hz)
    streams = _custom_streams(ctx.streams)
    lengths = sorted({len(s) for lst in streams.values() for s in lst})
    n = lengths[0]
    if ctx.trim:
        step = bin_step(tagged.values(), ctx.unit_rate_hz)
        n = (lengths[0] // step) * step
        if n == 0:
            raise InvalidValueError(
                f"Invalid value for 'streams': the shortest stream has {lengths[0]} units, fewer "
                f"than the {step} units needed to put {tagged} on exact FFT bins at "
                f"{ctx.unit_rate_hz} Hz. Use longer streams."
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
    return _Out(conds, tagged, dict.fromkeys(conds, tagged))


DESIGNS: dict[str, Callable[[_Ctx], _Out]] = {
    "sentences": _design_sentences,
    "within-shuffle": _design_within_shuffle,
    "random-words": _design_random_words,
    "phrases": _design_phrases,
    "category-alternation": _design_category_alternation,
    "natural": _design_natural,
    "custom": _design_custom,
}

# --------------------------------------------------------------------------- reading word streams


def load_word_streams(
    folder: str | os.PathLike, conditions: Mapping[str, str] | None = None
) -> dict[str, list[list[str]]]:
    """Read a folder of word streams, one ``.txt`` file per stream and one unit per line.

    Parameters
    ----------
    folder : path
        The folder (e.g. ``eeg-phrases/stimuli``).
    conditions : dict, optional
        File-name prefix → condition name. Default :data:`EEG_PHRASES_CONDITIONS` (``ADVP_`` →
        ``advp``, ``rrrV_`` → ``rrrv``, ``rrrr_`` → ``rrrr``, ``AVAV_`` → ``avav``, ``ANAN_`` →
        ``anan``, ``phrase_mix_`` → ``phmi``). A file that matches no prefix gets its name without
        the trailing number, lower-cased (``Foo_12.txt`` → ``foo``).

    Returns
    -------
    dict
        condition → list of streams (lists of unit strings), files in numeric order; conditions in
        the order of the mapping. Blank lines are ignored; empty files are skipped with a warning.

    Examples
    --------
    >>> streams = load_word_streams("eeg-phrases/stimuli")  # doctest: +SKIP
    >>> stim = make_stimuli("en", "custom", streams=streams, unit_rate_hz=3.125, trim=True,
    ...                     tagged_hz={"sentence": 0.78125, "phrase": 1.5625})  # doctest: +SKIP
    """
    path = check_in_path("folder", folder, kind="folder of .txt word streams")
    if not path.is_dir():
        raise InvalidValueError(
            f"Invalid value for 'folder': expected a folder; got the file {str(path)!r}."
        )
    mapping = dict(EEG_PHRASES_CONDITIONS if conditions is None else conditions)
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
    if empty:
        warnings.warn(f"Skipped empty stream files: {empty}.", UserWarning, stacklevel=2)
    return {c: s for c, s in out.items() if s}


def _natural_key(p: Path) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name))
