"""The lexical baseline on planted data: a noun detector loses its phrase-rate tag, a phrase-onset
channel keeps it, noise stays untagged; naive subtraction (without the baseline's estimation
variance) is the trap; bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

import hftp
from hftp.tagging.lexical import lexical_residual, residual_spectra
from hftp.tagging.pipeline import find_tagged


@pytest.fixture(scope="module")
def planted():
    """[Adj N][V N] sentences and random words, 40 sequences each of 100 units; 60 channels.

    Every channel has its own response to each word (lexical identity, N(0, 1)) plus noise of
    variance 1. Channel 0 adds +3 on nouns (a pure noun detector); channel 1 adds +0.5 at every
    phrase onset in the sentences (context, not word identity); the others are lexical + noise.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stim = hftp.make_stimuli(
            "en", design=["sentences", "random-words"], n_sequences=40, seed=0, n_sentences=25
        )
    u = stim.units.sort_values(["sequence", "position"])
    S, U, N = u["sequence"].nunique(), 100, 60
    rng = np.random.default_rng(0)
    noun = (u["pos"].values == "noun").reshape(S, U)
    onset = ((u["condition"].values == "sentences") & (u["position"].values % 2 == 0)).reshape(S, U)
    words = {w: i for i, w in enumerate(sorted(u["unit"].unique()))}
    widx = np.array([words[w] for w in u["unit"]]).reshape(S, U)
    x = rng.normal(0, 1, (S, 1, U, N)) + rng.normal(0, 1, (len(words), N))[widx][:, None]
    x[:, 0, :, 0] += 3 * noun
    x[:, 0, :, 1] += 0.5 * onset
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


def _phrase(r, var):
    return r[var].sel(level="phrase", layer=0).values


def test_noun_detector_loses_tag_phrase_unit_keeps_it(planted):
    stim, acts = planted
    raw = hftp.make_spectra(
        {
            c: acts.where(acts.condition == c, drop=True).transpose(..., "unit").values
            for c in ("sentences", "random-words")
        },
        sfreq=4.0,
        tagged_hz=stim.tagged_hz,
        channel_dims=("layer", "neuron"),
        kind="model",
    )
    before = find_tagged(raw, "sentences", "random-words")
    sig0 = _phrase(before, "significant")
    assert sig0[0] and sig0[1]  # both tagged before the baseline
    assert sig0[2:].mean() > 0.3  # word identity alone makes lexical channels "tagged"
    rs = residual_spectra(acts, stim)
    assert rs["lexical_var"].dims == ("condition", "layer", "neuron", "freq")
    after = find_tagged(rs, "sentences", "random-words")
    sig = _phrase(after, "significant")
    assert not sig[0]  # the noun detector loses its tag
    assert sig[1]  # the phrase-onset channel keeps it
    assert sig[2:].mean() <= 0.05  # lexical + noise channels stay untagged
    snr0 = _phrase(before, "snr")[0]
    assert _phrase(after, "snr")[0] < snr0 / 5
    # the trap: the estimation variance is what makes the noun detector's test honest
    naive = find_tagged(rs.drop_vars("lexical_var"), "sentences", levels="phrase")
    fair = find_tagged(rs, "sentences", levels="phrase")
    assert _phrase(fair, "p")[0] > _phrase(naive, "p")[0]


def test_residual_same_shape_and_means_removed(planted):
    stim, acts = planted
    res = lexical_residual(acts, stim)
    assert res.dims == acts.dims and res.shape == acts.shape
    assert res.attrs["lexical_baseline"] == "random-words"
    base = res.where(res.condition == "random-words", drop=True).values
    assert abs(float(np.nanmean(base))) < 1e-5  # in-sample means subtracted


def test_bad_input(planted):
    stim, acts = planted
    with pytest.raises(TypeError, match="'activations'"):
        lexical_residual(acts.values, stim)
    with pytest.raises(ValueError, match="'activations'.*dims"):
        lexical_residual(acts.transpose("layer", ...), stim)
    with pytest.raises(ValueError, match="'baseline'.*'nope'"):
        lexical_residual(acts, stim, baseline="nope")
    only = acts.where(acts.condition == "sentences", drop=True)
    with pytest.raises(ValueError, match="no sequence of the baseline"):
        lexical_residual(only, stim)
    u = stim.units.copy()
    u.loc[(u["condition"] == "sentences") & (u["position"] == 5), "unit"] = "zebra"
    stim2 = hftp.StimulusSet(units=u, meta=stim.meta)
    with pytest.raises(ValueError, match="never occur in the lexical baseline: 'zebra'"):
        lexical_residual(acts, stim2)
    out = lexical_residual(acts, stim2, drop_missing=True)
    assert np.isfinite(out.values).all()
