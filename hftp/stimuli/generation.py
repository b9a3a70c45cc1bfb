"""Generating frequency-tagged syntactic stimuli: lexicons and grammars → :class:`StimulusSet`.

Units (English words, Chinese characters) are presented at a fixed unit rate (default 4 Hz). A
sentence of ``L`` units recurs at ``sfreq / L`` Hz and a phrase of ``P`` units at
``sfreq / P`` Hz, while no unit marks a boundary. The lexicons and grammars are data files in
``stimuli/<language>/`` (see :mod:`hftp.stimuli.grammar` for their format).

Designs (:func:`~hftp.stimuli.designs.list_designs`; each becomes one or more conditions of one
set):

``sentences``
    A pool of ``n_sentences`` sentences (default 50 [Adj N][V N], so 200 units) is drawn once;
    every sequence is an independent random order of the pool. ``sentence`` ids index the pool.
``within-shuffle``
    The same pool (same seed → same sentences, same ids, same sentence order per sequence), each
    sentence's units reordered once so that no originally adjacent pair stays adjacent. Needs
    sentences of at least 4 units. With 4-unit sentences only two such orders exist (for
    [Adj N][V N]: V Adj N N and N N Adj V), so each position keeps a predictable part of speech:
    the control keeps part of the category rhythm (see :func:`hftp.stimuli.category_rhythm`).
``uniform-shuffle``
    The same pool and sentence order, each sentence's units in all orders in turn (all 24 for 4
    units; the cyclic shifts of a random order for sentences over 5 units), dealt so that each
    position's part-of-speech mix is flat: no category rhythm at the sentence or phrase rate.
    Against it every category-sensitive channel differs, so it measures the category part of an
    effect, not syntax alone.
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
structure they control for, so all lexicon designs of one set share ``{"sentence": sfreq/L,
"phrase": sfreq/P}``. ``meta["structure_hz"]`` gives, per condition, the levels its stream
really has (e.g. none for ``random-words``; ``category`` for ``category-alternation``).

``structure="3x2"`` (English) gives [Adj Adj N][V Adj N]: 3-unit phrases and 6-unit sentences, so
that the phrase rate (sfreq/3) lies below the Nyquist frequency and its phase is usable.

:func:`check_stimulus_size` refuses absurd sizes before anything is generated.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hftp._deprecate import renamed_kwarg
from hftp._validation import (
    InvalidValueError,
    check_float,
    check_int,
    check_option,
)
from hftp.spectral.bins import check_on_bin, warn_nyquist
from hftp.stimuli.designs import DESIGNS, StimulusContext, UnitSequence
from hftp.stimuli.files import UNIT_COLUMNS, typed_units
from hftp.stimuli.grammar import load_grammar
from hftp.stimuli.stimulus_set import StimulusSet

__all__ = ["make_stimuli", "check_stimulus_size"]


@renamed_kwarg(unit_rate_hz="sfreq")
def make_stimuli(
    language: str,
    design: str | Sequence[str] = "sentences",
    n_sequences: int = 100,
    seed: int = 0,
    *,
    n_sentences: int = 50,
    n_pools: int = 1,
    pool_size: int | None = None,
    sfreq: float = 4.0,
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
        Sequences per condition (each an independent random order). Ignored by ``custom``.
    seed : int, default 0
        Seed of every random step (numpy Generator). Same seed → identical output.
    n_sentences : int, default 50
        Sentences per sequence (50 × 4 units = 200 units, as in the paper). The phrase and
        alternation designs use the same number of units per sequence.
    n_pools : int, default 1
        Independent pools of sentences (phrases, alternation cycles, corpus sentences). Sequence
        k of each condition (counting within the condition) draws from pool ``k % n_pools``. With
        2 pools, the even and odd sequences, the two halves of ``hftp.probe(..., split=True)``,
        share no sentence, so that ``replicated`` replicates over items, not only over word
        orders of the same items. ``sentence`` ids are unique across pools.
    pool_size : int, optional
        Sentences per pool (at least ``n_sentences``). Default ``n_sentences``: every sequence
        reorders its whole pool. A larger pool lets the sentences vary between sequences too
        (each draws ``n_sentences`` of them); within-shuffle, uniform-shuffle and random-words
        use the sentences (words) of the same sequence of ``sentences``.
    sfreq : float, default 4.0
        The unit rate in Hz (units per second; the sampling rate of a model's response). Formerly
        ``unit_rate_hz``, still accepted with a FutureWarning.
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
        ``.units`` has one row per unit, shape (n_conditions * n_sequences * n_units, 7);
        ``.tagged_hz`` the tested rates; ``.meta`` the provenance.

    Raises
    ------
    ValueError
        Unknown language/design, ``n_sequences < 1``, a bad corpus, lexicon or stream, or a tagged
        rate off an exact FFT bin (the message lists lengths that work).

    Examples
    --------
    >>> import hftp
    >>> stim = hftp.make_stimuli("en", ["sentences", "within-shuffle"], n_sequences=4,
    ...                          n_sentences=10, seed=0)
    >>> stim.conditions
    ['sentences', 'within-shuffle']
    >>> stim.tagged_hz  # 4 words/s: 4-word sentences at 1 Hz, 2-word phrases at 2 Hz
    {'sentence': 1.0, 'phrase': 2.0}
    >>> len(stim.units)  # 2 conditions x 4 sequences x 40 words
    320
    >>> stim.units.columns.tolist()
    ['sequence', 'condition', 'position', 'unit', 'sentence', 'phrase', 'pos']

    Chinese characters, and [Adj Adj N][V Adj N] sentences whose phrase rate is below Nyquist:

    >>> zh = hftp.make_stimuli("zh", n_sequences=2, n_sentences=10)
    >>> "".join(zh.units["unit"][:4]), int(zh.units["unit"].str.len().max())  # one character per unit
    (..., 1)
    >>> hftp.make_stimuli("en", n_sequences=2, n_sentences=10, structure="3x2").tagged_hz
    {'sentence': 0.666..., 'phrase': 1.333...}
    """
    from hftp._version import __version__

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
    n_pools = check_int("n_pools", n_pools, min_value=1)
    if pool_size is not None:
        pool_size = check_int("pool_size", pool_size, min_value=n_sentences)
    sfreq = check_float("sfreq", sfreq, min_value=0, inclusive=False)
    check_stimulus_size(len(designs), n_sequences, n_sentences)
    grammar = load_grammar(language)
    if structure is not None:
        check_option("structure", structure, grammar.structures)
    ctx = StimulusContext(
        language=language,
        grammar=grammar,
        structure_name=structure,
        n_sequences=n_sequences,
        n_sentences=n_sentences,
        seed=seed,
        sfreq=sfreq,
        corpus=corpus,
        streams=streams,
        tagged_hz=tagged_hz,
        trim=bool(trim),
        lexicon=lexicon,
        n_pools=n_pools,
        pool_size=pool_size,
    )

    conds: dict[str, list[UnitSequence]] = {}
    tested_hz: dict[str, float] = {}
    structure_hz: dict[str, dict[str, float]] = {}
    for d in designs:
        out = DESIGNS[d](ctx)
        for level, hz in out.tagged_hz.items():
            if level in tested_hz and not np.isclose(tested_hz[level], hz):
                raise InvalidValueError(
                    f"Invalid value for 'design': the designs {designs} tag {level!r} at different "
                    f"rates ({tested_hz[level]} and {hz} Hz). Generate them as separate sets."
                )
            tested_hz.setdefault(level, hz)
        for c in out.conditions:
            if c in conds:
                raise InvalidValueError(
                    f"Invalid value for 'streams': condition {c!r} appears twice."
                )
        conds.update(out.conditions)
        structure_hz.update(out.structure_hz)

    units = _unit_table(conds)
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
    for level, hz in tested_hz.items():
        check_on_bin(f"tagged_hz[{level}]", hz, sfreq, n_units)
    for level, hz in tested_hz.items():
        warn_nyquist(hz, sfreq, level)  # attributed to the caller of make_stimuli

    uses_grammar = any(d not in ("custom", "natural") for d in designs)
    meta = {
        "language": language,
        "design": designs,
        "conditions": list(conds),
        "unit_rate_hz": sfreq,  # the file schema's key (read as StimulusSet.sfreq)
        "tagged_hz": tested_hz,
        "structure_hz": structure_hz,
        "seed": seed,
        "n_sequences_per_condition": {c: len(s) for c, s in conds.items()},
        "n_units": n_units,
        "n_sentences": n_sentences,
        "n_pools": n_pools,
        "pool_size": n_sentences if pool_size is None else pool_size,
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


def _unit_table(conds: Mapping[str, list[UnitSequence]]) -> pd.DataFrame:
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
    return typed_units(pd.DataFrame(cols))


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

    Absurd sizes (``n_sequences=10**20``) fail at once instead of growing until the process is
    killed.

    Parameters
    ----------
    n_designs : int
        Designs in the set.
    n_sequences : int
        Sequences per condition.
    n_sentences : int
        Sentences per sequence.

    Returns
    -------
    int
        The estimate in bytes (generous: the longest built-in structure, strings included).

    Raises
    ------
    ValueError
        The estimate exceeds half the physical memory; the message gives both numbers.
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
