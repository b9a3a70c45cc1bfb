"""random_words_from: a random-words control of any conditions' words; with it as the lexical
baseline, word identity no longer drives the ANAN vs AVAV contrast while a phrase channel keeps it."""

from __future__ import annotations

import warnings
from collections import Counter

import numpy as np
import pytest
import xarray as xr

import hftp
from hftp.stimuli.word_control import random_words_from
from hftp.tagging.lexical import residual_spectra
from hftp.tagging.pipeline import find_tagged

CAT = ["np-phrases", "category-alternation"]


def _stim(n_sequences=2, n_sentences=4):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the phrase rate sits at Nyquist here
        return hftp.make_stimuli(
            "en",
            ["phrases", "category-alternation"],
            n_sequences=n_sequences,
            n_sentences=n_sentences,
            seed=0,
        )


def test_each_stream_gives_one_control_stream_with_its_words_reordered():
    stim = _stim()
    out = random_words_from(stim, CAT, name="phrase-words", seed=3)
    assert out.conditions == [*stim.conditions, "phrase-words"]
    # the original units are untouched
    assert out.units.iloc[: len(stim.units)].equals(stim.units)
    ctrl = out.units[out.units["condition"] == "phrase-words"]
    src = stim.units[stim.units["condition"].isin(CAT)]
    assert ctrl["sequence"].nunique() == src["sequence"].nunique() == 4
    assert ctrl["sequence"].min() > stim.units["sequence"].max()
    assert (ctrl["sentence"] == -1).all() and (ctrl["phrase"] == -1).all()
    # stream by stream (conditions in the order given): the same words, in another order
    src_streams = [
        g.sort_values("position")["unit"].tolist()
        for c in CAT
        for _, g in src[src["condition"] == c].groupby("sequence")
    ]
    new_streams = [g.sort_values("position")["unit"].tolist() for _, g in ctrl.groupby("sequence")]
    for a, b in zip(src_streams, new_streams, strict=True):
        assert Counter(a) == Counter(b) and a != b
    for _, g in ctrl.groupby("sequence"):
        assert g["position"].tolist() == list(range(len(g)))
    assert out.meta["structure_hz"]["phrase-words"] == {}
    assert out.meta["random_words_from"]["phrase-words"] == {"conditions": CAT, "seed": 3}
    # the seed decides the orders
    again = random_words_from(stim, CAT, name="phrase-words", seed=3)
    other = random_words_from(stim, CAT, name="phrase-words", seed=4)
    assert again.units.equals(out.units) and not other.units.equals(out.units)


def test_bad_input_names_the_parameter():
    stim = _stim()
    with pytest.raises(ValueError, match="'conditions'.*\\['nope'\\] are not among them"):
        random_words_from(stim, ["nope"])
    with pytest.raises(ValueError, match="'conditions'"):
        random_words_from(stim, [])
    with pytest.raises(ValueError, match="'name'.*new condition"):
        random_words_from(stim, CAT, name="np-phrases")
    with pytest.raises(ValueError, match="'seed'"):
        random_words_from(stim, CAT, seed=-1)
    with pytest.raises(TypeError, match="'stim'"):
        random_words_from(stim.units, CAT)


@pytest.fixture(scope="module")
def planted():
    """ANAN, AVAV and their words' control, 40 sequences each; 80 channels.

    Every channel responds to each word: to its part of speech (N(0, 1) per category) and to
    the word itself (N(0, 0.25)), plus noise of variance 1. Channel 0 adds +0.8 at the first
    word of every phrase of np-phrases (context, not word identity); the others are lexical +
    noise.
    """
    stim = random_words_from(_stim(n_sequences=40, n_sentences=25), CAT, name="ctrl", seed=1)
    stim = hftp.stimuli.StimulusSet(
        units=stim.units[stim.units["condition"].isin([*CAT, "ctrl"])].reset_index(drop=True),
        meta=stim.meta,
    )
    u = stim.units.sort_values(["sequence", "position"])
    S = u["sequence"].nunique()
    U = int(u.groupby("sequence").size().iloc[0])
    N = 80
    rng = np.random.default_rng(0)
    words = {w: i for i, w in enumerate(sorted(u["unit"].unique()))}
    widx = np.array([words[w] for w in u["unit"]]).reshape(S, U)
    cats = {c: i for i, c in enumerate(sorted(u["pos"].unique()))}
    cidx = np.array([cats[c] for c in u["pos"]]).reshape(S, U)
    lexical = rng.normal(0, 1, (len(cats), N))[cidx] + rng.normal(0, 0.5, (len(words), N))[widx]
    x = rng.normal(0, 1, (S, 1, U, N)) + lexical[:, None]
    onset = ((u["condition"].values == "np-phrases") & (u["position"].values % 2 == 0)).reshape(
        S, U
    )
    x[:, 0, :, 0] += 0.8 * onset
    acts = xr.DataArray(
        x.astype(np.float32),
        dims=("sequence", "layer", "unit", "neuron"),
        coords={
            "sequence": np.sort(u["sequence"].unique()),
            "condition": (
                "sequence",
                np.asarray(u.groupby("sequence")["condition"].first(), dtype=str),
            ),
            "layer": [0],
            "unit": np.arange(U),
            "neuron": np.arange(N),
        },
        attrs={"unit_rate_hz": 4.0},
    )
    return stim, acts


def _sel(r):
    return r["selective"].sel(level="phrase", layer=0).values


def test_word_identity_stops_driving_anan_vs_avav_after_this_baseline(planted):
    stim, acts = planted
    conds = {
        c: acts.where(acts.condition == c, drop=True).transpose(..., "unit").values for c in CAT
    }
    raw = hftp.make_spectra(
        conds,
        sfreq=4.0,
        tagged_hz=stim.tagged_hz,
        channel_dims=("layer", "neuron"),
        kind="model",
        keep_trials=True,
    )
    kw = dict(levels="phrase", seed=0)
    before = _sel(find_tagged(raw, *CAT, **kw))
    # nouns and verbs differ per channel, so word identity alone makes lexical channels selective
    assert before[1:].mean() > 0.2
    res = residual_spectra(acts, stim, baseline="ctrl")
    after = _sel(find_tagged(res, *CAT, **kw))
    assert after[0]  # the phrase-onset channel keeps its effect
    assert after[1:].mean() <= 0.05  # word identity no longer makes channels selective


def test_the_probe_fits_its_lexical_baseline_on_the_control():
    from hftp.testing import tiny_model, tiny_tokenizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the phrase rate at Nyquist
        stim = hftp.make_stimuli(
            "en",
            ["phrases", "category-alternation", "random-words"],
            n_sequences=3,
            n_sentences=4,
            seed=0,
        )
    stim = random_words_from(stim, CAT, name="ctrl", seed=2)
    net, tok = tiny_model("llama", n_layers=2, seed=0), tiny_tokenizer()
    keep = lambda conds: hftp.stimuli.StimulusSet(  # noqa: E731
        units=stim.units[stim.units["condition"].isin(conds)], meta=stim.meta
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = hftp.probe(net, tok, keep([*CAT, "ctrl"]), lexical_baseline="ctrl", progress=False)
        # the sentences' random words do not hold the two designs' words
        with pytest.raises(ValueError, match="never occur in the lexical baseline"):
            hftp.probe(
                net,
                tok,
                keep([*CAT, "random-words"]),
                lexical_baseline="random-words",
                progress=False,
            )
    assert res.attrs["lexical_baseline"] == "ctrl"
    assert set(map(str, res["condition"].values)) == {*CAT, "ctrl"}
    assert np.isfinite(res["lexical_var"].sel(condition=CAT).values).all()
