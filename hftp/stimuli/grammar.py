"""Lexicons, grammars and corpora for the stimulus generator (data files in ``stimuli/<lang>/``).

A lexicon is a TSV file with one entry per row and the columns

``unit`` (required)
    The entry's text: an English word, or a Chinese two-character phrase.
``pos`` (required)
    Its part of speech (``adj``, ``noun``, ``verb`` in English; ``np``, ``vp`` in Chinese).
``class`` (optional)
    A semantic class for nouns/NPs (e.g. ``animate``, ``food``).
``fits`` (optional)
    ``|``-separated classes an adjective, verb or VP combines with (the noun an adjective modifies,
    a verb's object, a VP's subject). Empty means "combines with anything".
``tense`` (optional)
    ``past`` or ``present`` for verbs (informative only).

A grammar is a JSON file (``grammar.json``) naming the structures a language supports. Each
structure lists its slots (part of speech, phrase index, optional ``class_in``) and agreement pairs
``[a, b]``: the ``fits`` of slot ``a`` must list the ``class`` of slot ``b``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hftp._validation import HftpError, InvalidValueError, check_in_path, check_option

__all__ = ["stimuli_dir", "LANGUAGES", "Grammar", "load_grammar", "load_lexicon", "read_corpus"]

LANGUAGES = ("en", "zh")
_LEX_COLUMNS = ("unit", "pos", "class", "fits", "tense")


def stimuli_dir() -> Path:
    """The folder holding ``en/`` and ``zh/`` lexicons and grammars.

    ``$HFTP_STIMULI_DIR`` wins when set; otherwise the ``stimuli/`` folder beside the package (a
    source checkout), then the package data ``hftp/_languages`` (an installed wheel, built from
    that same folder).

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    HftpError
        ``$HFTP_STIMULI_DIR`` holds no ``en/`` folder, or no lexicons were found.
    """
    env = os.environ.get("HFTP_STIMULI_DIR")
    here = Path(__file__).resolve().parent
    if env:
        if not (Path(env) / "en").is_dir():
            raise HftpError(
                f"HFTP_STIMULI_DIR={env!r} does not hold an 'en/' folder. Point it at the folder "
                "that holds 'en/' and 'zh/', or unset it to use the lexicons shipped with hftp."
            )
        return Path(env)
    for d in (here.parents[1] / "stimuli", here.parent / "_languages"):
        if (d / "en").is_dir():
            return d
    raise HftpError(
        "The stimulus lexicons were not found (looked beside the package in 'stimuli/' and in "
        "the package data 'hftp/_languages'). Reinstall hftp, or set HFTP_STIMULI_DIR to the "
        "folder that holds 'en/' and 'zh/'."
    )


@dataclass(frozen=True)
class Grammar:
    """A language's grammar: separator, how entries split into units, and its structures."""

    language: str
    separator: str
    split: str  # "none": one entry = one unit; "chars": one character = one unit
    units_per_entry: int
    default_structure: str
    structures: dict[str, dict[str, Any]]

    def units_of(self, entry: str) -> list[str]:
        """The units an entry splits into."""
        return list(entry) if self.split == "chars" else [entry]

    def structure(self, name: str | None) -> dict[str, Any]:
        """The structure ``name`` (default: the grammar's default), with derived lengths."""
        name = self.default_structure if name is None else name
        check_option(
            "structure",
            name,
            self.structures,
            fix=f"The {self.language!r} grammar defines these structures.",
        )
        st = dict(self.structures[name])
        phrases = [s["phrase"] for s in st["slots"]]
        n_phr = max(phrases) + 1
        counts = [phrases.count(k) * self.units_per_entry for k in range(n_phr)]
        if len(set(counts)) != 1:
            raise InvalidValueError(
                f"Invalid grammar structure {name!r}: every phrase must have the same number of "
                f"units; got {counts}."
            )
        st.update(
            name=name,
            n_phrases=n_phr,
            units_per_phrase=counts[0],
            units_per_sentence=counts[0] * n_phr,
        )
        return st


def load_grammar(language: str) -> Grammar:
    """Read a language's grammar (``stimuli/<language>/grammar.json``).

    Parameters
    ----------
    language : {"en", "zh"}
        The language.

    Returns
    -------
    Grammar
        Its separator, how entries split into units, and its structures.
    """
    check_option("language", language, LANGUAGES)
    path = stimuli_dir() / language / "grammar.json"
    g = json.loads(path.read_text(encoding="utf-8"))
    return Grammar(
        language=language,
        separator=g["separator"],
        split=g.get("split", "none"),
        units_per_entry=int(g.get("units_per_entry", 1)),
        default_structure=g["default_structure"],
        structures=g["structures"],
    )


def load_lexicon(lexicon: Any, grammar: Grammar) -> pd.DataFrame:
    """Read and validate a lexicon (a TSV path, a DataFrame, or ``None`` for the default).

    Parameters
    ----------
    lexicon : path, pandas.DataFrame or None
        A TSV file or table with the columns ``unit, pos`` and optional ``class, fits, tense``;
        ``None`` reads the language's default lexicon.
    grammar : Grammar
        The language's grammar (how entries split into units, which parts of speech it needs).

    Returns
    -------
    lex : pandas.DataFrame
        Columns ``unit, pos, class, fits, tense`` (strings; empty where not given).

    Raises
    ------
    ValueError
        Missing columns, an empty unit or part of speech, duplicate units, whitespace inside a unit,
        or (Chinese) an entry with the wrong number of characters.
    """
    if lexicon is None:
        lexicon = stimuli_dir() / grammar.language / "lexicon.tsv"
    if isinstance(lexicon, pd.DataFrame):
        df, source = lexicon.copy(), "the DataFrame"
    else:
        path = check_in_path("lexicon", lexicon, kind="lexicon TSV file")
        source = repr(str(path))
        try:
            df = pd.read_csv(
                path, sep="\t", dtype=str, keep_default_na=False, na_filter=False, comment=None
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise InvalidValueError(
                f"Invalid value for 'lexicon': {source} is not a readable tab-separated file with "
                f"columns 'unit' and 'pos' ({type(exc).__name__}: {exc})."
            ) from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in ("unit", "pos") if c not in df.columns]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'lexicon': expected columns 'unit' and 'pos'; {source} lacks "
            f"{missing} (it has {list(df.columns)}). Add a header line 'unit<TAB>pos'."
        )
    for c in _LEX_COLUMNS:
        df[c] = df[c].fillna("").astype(str).str.strip() if c in df.columns else ""
    df = df[list(_LEX_COLUMNS)]
    rows = lambda mask: [int(i) + 2 for i in np.flatnonzero(mask)][:10]  # noqa: E731 (file lines)
    if len(df) == 0:
        raise InvalidValueError(f"Invalid value for 'lexicon': {source} has no entries.")
    bad = df["unit"].eq("").to_numpy()
    if bad.any():
        raise InvalidValueError(
            f"Invalid value for 'lexicon': every entry needs a unit; {source} has empty units on "
            f"lines {rows(bad)}."
        )
    bad = df["pos"].eq("").to_numpy()
    if bad.any():
        raise InvalidValueError(
            f"Invalid value for 'lexicon': every entry needs a part of speech ('pos'); {source} "
            f"misses it for {df['unit'][bad].tolist()[:10]} (lines {rows(bad)}). Fill in the pos column."
        )
    dup = df["unit"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise InvalidValueError(
            f"Invalid value for 'lexicon': entries must be unique; {source} repeats "
            f"{sorted(set(df['unit'][dup]))[:10]} (lines {rows(dup)}). Keep one row per entry."
        )
    bad = df["unit"].str.contains(r"\s", regex=True).to_numpy()
    if bad.any():
        raise InvalidValueError(
            f"Invalid value for 'lexicon': units must not contain whitespace; {source} has "
            f"{df['unit'][bad].tolist()[:10]}."
        )
    if grammar.split == "chars":
        bad = (df["unit"].str.len() != grammar.units_per_entry).to_numpy()
        if bad.any():
            raise InvalidValueError(
                f"Invalid value for 'lexicon': {grammar.language!r} entries must have exactly "
                f"{grammar.units_per_entry} characters; {source} has {df['unit'][bad].tolist()[:10]}."
            )
    return df.reset_index(drop=True)


class SlotSampler:
    """Fill a structure's slots from a lexicon, honouring agreement and class restrictions."""

    def __init__(
        self, lex: pd.DataFrame, structure: dict[str, Any], slots: list[int] | None = None
    ):
        self.structure = structure
        all_slots = structure["slots"]
        self.slots = list(range(len(all_slots))) if slots is None else list(slots)
        self.agree = [
            (a, b) for a, b in structure.get("agree", []) if a in self.slots and b in self.slots
        ]
        self.units = lex["unit"].to_numpy(dtype=object)
        self.pos = lex["pos"].to_numpy(dtype=object)
        self.cls = lex["class"].to_numpy(dtype=object)
        self.fits = [frozenset(f.split("|")) if f else None for f in lex["fits"]]
        self.cand: dict[int, np.ndarray] = {}
        for i in self.slots:
            slot = all_slots[i]
            ok = self.pos == slot["pos"]
            if "class_in" in slot:
                ok &= np.isin(self.cls, slot["class_in"]) | (self.cls == "")
            if not ok.any():
                raise InvalidValueError(
                    f"Invalid value for 'lexicon': structure {structure['name']!r} needs entries "
                    f"with pos {slot['pos']!r}"
                    + (f" and class in {slot['class_in']}" if "class_in" in slot else "")
                    + "; the lexicon has none. Add such entries."
                )
            self.cand[i] = np.flatnonzero(ok)
        # fill slots that others depend on first (nouns before their adjectives and verbs)
        self.order = sorted(self.slots, key=lambda i: -sum(b == i for _, b in self.agree))

    def _compatible(self, slot: int, idx: np.ndarray, chosen: dict[int, int]) -> np.ndarray:
        for a, b in self.agree:
            if a == slot and b in chosen and self.cls[chosen[b]]:
                c = self.cls[chosen[b]]
                idx = idx[[self.fits[j] is None or c in self.fits[j] for j in idx]]
            elif b == slot and a in chosen and self.fits[chosen[a]] is not None:
                f = self.fits[chosen[a]]
                idx = idx[[not self.cls[j] or self.cls[j] in f for j in idx]]
        return idx[[j not in chosen.values() for j in idx]]

    def sample(self, rng: np.random.Generator, max_tries: int = 200) -> list[int]:
        """Lexicon row indices for the slots, in slot order."""
        for _ in range(max_tries):
            chosen: dict[int, int] = {}
            for s in self.order:
                idx = self._compatible(s, self.cand[s], chosen)
                if idx.size == 0:
                    break
                chosen[s] = int(idx[rng.integers(idx.size)])
            else:
                return [chosen[s] for s in self.slots]
        raise InvalidValueError(
            f"Invalid value for 'lexicon': no combination of entries satisfies structure "
            f"{self.structure['name']!r} (its agreement between 'fits' and 'class'). Add entries "
            "whose 'fits' lists the classes of the nouns."
        )


def read_corpus(corpus: Any, grammar: Grammar) -> list[list[str]]:
    """Read a corpus of natural sentences, one per line, split into units.

    A ``.txt`` file gives one sentence per non-empty line. A ``.csv``/``.tsv`` file gives one per row,
    from its ``sentence`` column if present, else its first column. English units are separated by
    whitespace; Chinese units are the characters (whitespace is ignored; punctuation counts as a
    unit, so remove it first).

    Parameters
    ----------
    corpus : path
        The corpus file (``.txt``, ``.csv`` or ``.tsv``).
    grammar : Grammar
        The language's grammar (how a sentence splits into units).

    Returns
    -------
    list of list of str
        One list of units per sentence, all of the same length.

    Raises
    ------
    ValueError
        The file is missing, unreadable, empty, or its sentences differ in length (the message lists
        the lengths and the lines).
    """
    if corpus is None:
        raise InvalidValueError(
            "Invalid value for 'corpus': the 'natural' design needs a corpus file (CSV or TXT, one "
            "sentence per line); got None. Pass corpus='sentences.txt'."
        )
    path = check_in_path("corpus", corpus, kind="corpus file")
    if not path.is_file():
        raise InvalidValueError(
            f"Invalid value for 'corpus': expected a CSV or TXT file; got the folder {str(path)!r}."
        )
    try:
        if path.suffix.lower() in (".csv", ".tsv"):
            sep = "\t" if path.suffix.lower() == ".tsv" else ","
            df = pd.read_csv(
                path, sep=sep, dtype=str, header=0, keep_default_na=False, na_filter=False
            )
            col = "sentence" if "sentence" in df.columns else df.columns[0]
            lines = list(df[col])
            first_line = 2
        else:
            lines = path.read_text(encoding="utf-8").splitlines()
            first_line = 1
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidValueError(
            f"Invalid value for 'corpus': could not read {str(path)!r} as UTF-8 text "
            f"({type(exc).__name__}: {exc}). Save it as a UTF-8 CSV or TXT file."
        ) from None
    split = (lambda s: [c for c in s if not c.isspace()]) if grammar.split == "chars" else str.split
    sents = [(i + first_line, split(str(s))) for i, s in enumerate(lines)]
    sents = [(ln, u) for ln, u in sents if u]
    if not sents:
        raise InvalidValueError(
            f"Invalid value for 'corpus': {str(path)!r} has no sentences. Put one sentence per line."
        )
    lengths = {len(u) for _, u in sents}
    if len(lengths) > 1:
        common = max(lengths, key=lambda n: sum(len(u) == n for _, u in sents))
        odd = [(ln, len(u)) for ln, u in sents if len(u) != common][:10]
        raise InvalidValueError(
            f"Invalid value for 'corpus': natural sentences must all have the same number of units "
            f"(so that the sentence rate is fixed); {str(path)!r} has lengths {sorted(lengths)}; "
            f"most have {common}, but these (line, length) differ: {odd}. Keep sentences of one length."
        )
    return [u for _, u in sents]
