"""Response figures: grand-average ITPC spectra, and the model's response beside the human one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from hftp import plot


def test_itpc_spectra_grand_average_channels_then_subjects(synth):
    import hftp.spectral as sp

    bs = synth.brain_spectra()
    fig = plot.plot_itpc_spectra(sp.itc(bs), tagged_hz=bs.hftp.tagged_hz)
    ax = fig.axes[0]
    assert ax.get_title() == "EEG (scalp)"
    assert len(ax.get_lines()) == len(synth.conds) + 2  # conditions + two tagged-rate markers
    itc = sp.itc(bs)
    expected = itc.groupby("subject").mean("channel").mean("subject").sel(condition="anan")
    np.testing.assert_allclose(
        ax.get_lines()[synth.conds.index("anan")].get_ydata(), expected.values
    )
    # the planted phrase-rate peak is highest for anan
    phrase = {
        c: sp.at_freq(expected.copy(data=ax.get_lines()[k].get_ydata()), 1.5625)
        for k, c in enumerate(synth.conds)
    }
    assert max(phrase, key=lambda c: float(phrase[c])) == "anan"


def test_itpc_spectra_accepts_dict_and_spectra(synth):
    bs = synth.brain_spectra(n_subjects=1)
    fig = plot.plot_itpc_spectra(bs, conditions=["anan", "avav"], title="simulated sEEG")
    assert len(fig.axes[0].get_lines()) == 4
    freqs = bs["freq"].values
    d = {
        "a": pd.Series(np.ones(freqs.size), index=freqs),
        "b": pd.Series(np.zeros(freqs.size), index=freqs),
    }
    fig = plot.plot_itpc_spectra(d, tagged_hz=[1.5625])
    assert len(fig.axes[0].get_lines()) == 3
    with pytest.raises(ValueError, match="conditions"):
        plot.plot_itpc_spectra(bs, conditions=["ana"])
    fig = plot.plot_itpc_spectra(bs, fmax=4.0)
    assert fig.axes[0].get_lines()[0].get_xdata().max() <= 4.0
    with pytest.raises(ValueError, match="fmax"):
        plot.plot_itpc_spectra(bs, fmax=0.0)
    with pytest.raises(TypeError, match="itc"):
        plot.plot_itpc_spectra(3.0)


def test_condition_response_model_beside_human(synth):
    bs = synth.brain_spectra()
    conds = synth.conds
    ms = synth.model_spectra(n_layers=5, conds=conds)
    # model spectra have no 1.5625 Hz bin: use the phrase rate of the model (2 Hz) on a DataArray
    import hftp.spectral as sp

    mval = sp.at_freq(sp.evoked_amplitude(ms), 2.0)
    hval = sp.at_freq(sp.itc(bs), 1.5625)
    fig = plot.plot_condition_response(mval, hval, freq=1.5625)
    left, right = fig.axes
    assert len(left.get_lines()) == len(conds) + 1  # conditions + the reference line at 1
    # normalised per layer: the mean over conditions is 1 in every layer
    ys = np.array([line.get_ydata() for line in left.get_lines()[: len(conds)]])
    np.testing.assert_allclose(ys.mean(axis=0), 1.0)
    bars = [p.get_height() for p in right.patches]
    assert int(np.argmax(bars)) == conds.index("anan")
    assert "EEG (scalp)" in right.get_title()


def test_condition_response_bad_inputs(synth):
    bs = synth.brain_spectra(n_subjects=1)
    ms = synth.model_spectra(conds=("x", "y", "z"))
    with pytest.raises(ValueError, match="model"):
        plot.plot_condition_response(ms, bs, freq=2.0)
    with pytest.raises(ValueError, match="freq"):
        plot.plot_condition_response(
            ms.assign_attrs(tagged_hz="{}"), bs.assign_attrs(tagged_hz="{}")
        )


def test_condition_response_from_reduced_values():
    mval = xr.DataArray(
        np.arange(12.0).reshape(3, 4),
        dims=("condition", "layer"),
        coords={"condition": ["a", "b", "c"], "layer": range(4), "freq": 1.5625},
    )
    fig = plot.plot_condition_response(mval, {"a": 0.1, "c": 0.3, "b": 0.2}, normalize=False)
    left, right = fig.axes
    assert [t.get_text() for t in right.get_xticklabels()] == ["a", "c", "b"]
    assert [p.get_height() for p in right.patches] == pytest.approx([0.1, 0.3, 0.2])
    assert "1.5625 Hz" in right.get_ylabel()
    np.testing.assert_allclose(left.get_lines()[0].get_ydata(), [0, 1, 2, 3])
    with pytest.raises(TypeError, match="human"):
        plot.plot_condition_response(mval, {"a": "high"})
