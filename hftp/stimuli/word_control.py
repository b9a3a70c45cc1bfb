"""A random-words control made of the words of chosen conditions: the lexical baseline for any design.

The lexical baseline of :func:`hftp.probe` takes each neuron's mean response to each word from a
condition without structure and subtracts it before the FFT. The ``random-words`` design draws its
words from the sentences, so designs with other words (``np-phrases`` and
``category-alternation``, the ANAN vs AVAV contrast) cannot use it. :func:`random_words_from`
builds the same kind of control for any conditions: every stream of each named condition, its
words in a random order, so that each word keeps its frequency and loses its neighbors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hftp._validation import InvalidValueError, check_int, check_type
from hftp.stimuli.stimulus_set import StimulusSet

__all__ = ["random_words_from"]


def random_words_from(
    stim: StimulusSet,
    conditions: Sequence[str],
    *,
    name: str = "matched-random-words",
    seed: int = 0,
) -> StimulusSet:
    """The stimuli plus a random-words condition built from the words of ``conditions``.

    Parameters
    ----------
    stim : StimulusSet
        The stimuli (from :func:`hftp.make_stimuli`).
    conditions : sequence of str
        The conditions whose words the control reuses. Each of their streams gives one stream of
        the control: the same words (one token each, as many as the stream has) in a uniformly
        random order, so the control has ``len(conditions)`` times as many streams as each.
    name : str
        The new condition's name; it must not be a condition of ``stim``. Pass it to
        :func:`hftp.probe` as ``lexical_baseline=name``. Default ``"matched-random-words"``.
    seed : int
        Seed of the random orders. Default 0.

    Returns
    -------
    StimulusSet
        ``stim`` with the new condition appended (units with ``sentence`` and ``phrase`` -1, the
        parts of speech kept; new ``sequence`` ids after the last one) and no tagged structure
        (``meta["structure_hz"][name] = {}``); ``meta["random_words_from"]`` records the source
        conditions and the seed.

    Examples
    --------
    >>> import hftp
    >>> from hftp.stimuli.word_control import random_words_from
    >>> stim = hftp.make_stimuli(
    ...     "en", ["phrases", "category-alternation"], n_sequences=2, n_sentences=4, seed=0)
    >>> both = random_words_from(stim, ["np-phrases", "category-alternation"], name="phrase-words")
    >>> both.conditions[-1], both.units.query("condition == 'phrase-words'")["sequence"].nunique()
    ('phrase-words', 4)
    """
    check_type("stim", stim, StimulusSet, "a StimulusSet (hftp.make_stimuli)")
    if isinstance(conditions, str):
        conditions = [conditions]
    conditions = [str(c) for c in conditions]
    have = stim.conditions
    missing = [c for c in conditions if c not in have]
    if not conditions or missing:
        raise InvalidValueError(
            f"Invalid value for 'conditions': expected one or more conditions of the stimuli "
            f"{have}; got {conditions}" + (f" ({missing} are not among them)." if missing else ".")
        )
    check_type("name", name, str, "a condition name (str)")
    if not name or name in have:
        raise InvalidValueError(
            f"Invalid value for 'name': expected a new condition name, not one of {have}; got "
            f"{name!r}. Choose another name."
        )
    seed = check_int("seed", seed, min_value=0)
    rng = np.random.default_rng(seed)
    u = stim.units
    src = u[u["condition"].isin(conditions)].sort_values(["sequence", "position"])
    # the streams in the order of `conditions`, then of their sequence ids
    rank = {c: i for i, c in enumerate(conditions)}
    first = src.drop_duplicates("sequence").set_index("sequence")["condition"]
    keys = sorted(first.index, key=lambda s: (rank[str(first[s])], s))
    streams = {seq: g.reset_index(drop=True) for seq, g in src.groupby("sequence")}
    next_id = int(u["sequence"].max()) + 1
    frames = []
    for k, seq in enumerate(keys):
        part = streams[seq]
        order = rng.permutation(len(part))
        new = part.iloc[order].reset_index(drop=True)
        new["sequence"] = next_id + k
        new["condition"] = name
        new["position"] = np.arange(len(new))
        new["sentence"] = -1
        new["phrase"] = -1
        frames.append(new)
    units = pd.concat([u, *frames], ignore_index=True)
    meta = dict(stim.meta)
    meta["structure_hz"] = {**dict(meta.get("structure_hz") or {}), name: {}}
    meta["random_words_from"] = {
        **dict(meta.get("random_words_from") or {}),
        name: {"conditions": conditions, "seed": seed},
    }
    return StimulusSet(units=units, meta=meta)
