"""The category rhythm of each condition: per-position shares and tagged-rate components."""

from __future__ import annotations

import numpy as np
import pytest

from hftp.stimuli.generation import make_stimuli
from hftp.stimuli.rhythm import category_rhythm

pytestmark = pytest.mark.filterwarnings("ignore:The phrase rate")

DESIGNS = ["sentences", "within-shuffle", "uniform-shuffle", "random-words"]


@pytest.fixture(scope="module")
def rhythm():
    stim = make_stimuli("en", DESIGNS, n_sequences=24, n_sentences=24, seed=7)
    return category_rhythm(stim)


def amp(df, cond, pos, level):
    a = df[(df["quantity"] == "amplitude") & (df["condition"] == cond) & (df["pos"] == pos)]
    return a.set_index("level").loc[level, ["value", "relative"]]


def test_sentences_have_the_full_category_rhythm(rhythm):
    shares = rhythm[(rhythm["quantity"] == "share") & (rhythm["condition"] == "sentences")]
    table = shares.pivot(index="pos", columns="position", values="value")
    np.testing.assert_array_equal(table.loc["adj"], [1, 0, 0, 0])
    np.testing.assert_array_equal(table.loc["noun"], [0, 1, 0, 1])
    assert amp(rhythm, "sentences", "adj", "sentence")["value"] == pytest.approx(0.5)
    assert amp(rhythm, "sentences", "noun", "phrase")["value"] == pytest.approx(0.5)  # Nyquist
    assert amp(rhythm, "sentences", "noun", "sentence")["value"] == pytest.approx(0, abs=1e-12)
    assert rhythm.attrs == {"cycle": 4, "reference": "sentences"}


def test_within_shuffle_keeps_a_sentence_rate_category_component(rhythm):
    """Two orders of A N V N keep adjectives and verbs at predictable positions."""
    for pos in ("adj", "verb"):
        a = amp(rhythm, "within-shuffle", pos, "sentence")
        assert a["value"] > 0.2 and a["relative"] > 0.4


def test_uniform_shuffle_has_no_category_component(rhythm):
    sub = rhythm[rhythm["condition"] == "uniform-shuffle"]
    a = sub[sub["quantity"] == "amplitude"]["value"]
    np.testing.assert_allclose(a, 0, atol=1e-12)
    shares = sub[sub["quantity"] == "share"].pivot(index="pos", columns="position", values="value")
    np.testing.assert_allclose(shares.loc["noun"], 0.5)
    np.testing.assert_allclose(shares.loc["adj"], 0.25)
    # random words: small components (sampling), far below the sentences'
    rw = rhythm[(rhythm["condition"] == "random-words") & (rhythm["quantity"] == "amplitude")]
    assert rw["value"].max() < 0.1


def test_columns_and_bad_input(rhythm):
    assert list(rhythm.columns) == [
        "condition",
        "pos",
        "quantity",
        "position",
        "level",
        "hz",
        "value",
        "relative",
    ]
    assert set(rhythm["quantity"]) == {"share", "amplitude"}
    with pytest.raises(TypeError, match="'stim'.*StimulusSet"):
        category_rhythm("stim.csv")
    stim = make_stimuli("en", "within-shuffle", n_sequences=2, n_sentences=8, seed=1)
    assert category_rhythm(stim, reference=None)["relative"].isna().all()
