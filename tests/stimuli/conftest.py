"""Shared fixtures of the stimulus tests: small stimulus sets, their sequences, the lexicons."""

from __future__ import annotations

import pytest

from hftp.stimuli.generation import make_stimuli
from hftp.stimuli.grammar import load_grammar, load_lexicon


@pytest.fixture(scope="session")
def en_lexicon():
    """The English lexicon, as the generator reads it."""
    return load_lexicon(None, load_grammar("en"))


@pytest.fixture(scope="session")
def zh_lexicon():
    """The Chinese lexicon, as the generator reads it."""
    return load_lexicon(None, load_grammar("zh"))


@pytest.fixture()
def small():
    """``make_stimuli`` with 4 sequences per condition unless told otherwise."""

    def make(language="en", design="sentences", **kw):
        kw.setdefault("n_sequences", 4)
        return make_stimuli(language, design, **kw)

    return make


@pytest.fixture()
def seq_frames():
    """The unit rows of each sequence of one condition, in sequence order."""

    def frames(stim, condition):
        u = stim.units[stim.units["condition"] == condition]
        return [df.reset_index(drop=True) for _, df in u.groupby("sequence", sort=True)]

    return frames


@pytest.fixture()
def corpus(tmp_path):
    """Write sentences (one per line) to a file in ``tmp_path``; returns its path."""

    def write(lines, name="corpus.txt"):
        p = tmp_path / name
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return p

    return write
