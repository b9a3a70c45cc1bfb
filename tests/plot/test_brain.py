"""Brain maps: values on a glass brain and a scalp topomap; a find_tagged result on the scalp
(planted responsive channels are the marked ones, pooled participants are reduced per 10–20
label, and each bad input gets a clear error)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from matplotlib.figure import Figure

from hftp import plot
from hftp._validation import HftpError
from hftp.brain import concat_subjects
from hftp.tagging import find_tagged
from hftp.testing import planted_spectra


def test_glass_brain_draws_every_contact(synth):
    res = synth.alignment_result()
    fig = plot.plot_glass_brain(res)
    assert isinstance(fig, Figure)
    assert "layer 3" in fig._suptitle.get_text()  # the planted layer is the best one
    with pytest.raises(ValueError, match="coords"):
        plot.plot_glass_brain(np.ones(4))
    with pytest.raises(ValueError, match="coords"):
        plot.plot_glass_brain(np.ones(4), coords=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="layer"):
        plot.plot_glass_brain(res, layer=99)


def test_topomap_on_eeg_names(synth):
    vals = xr.DataArray(
        np.linspace(-1, 1, len(synth.eeg_ch)), dims="channel", coords={"channel": synth.eeg_ch}
    )
    fig = plot.plot_topomap(vals, mask=np.arange(len(synth.eeg_ch)) < 2)
    assert fig.axes[0].get_title() == "EEG (scalp)"
    assert len(fig.axes) == 2  # map + colour bar
    with pytest.raises(ValueError, match="ch_names"):
        plot.plot_topomap(vals.values, ["Fz", "Cz", "XYZ"] + synth.eeg_ch[3:])
    with pytest.raises(ValueError, match="ch_names"):
        plot.plot_topomap(vals.values)
    with pytest.raises(ValueError, match="mask"):
        plot.plot_topomap(vals, mask=[True])


# ---------------------------------------------------------------------------------------------
# a find_tagged result on the scalp

CH = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "FC5", "FC1", "FC2", "FC6", "T7", "C3", "Cz"]
CH += ["C4", "T8", "CP5", "CP1", "CP2", "CP6", "P7", "P3", "Pz", "P4", "P8", "O1", "Oz", "O2"]
PLANTED = ["Fz", "FC1", "FC2", "Cz"]


def eeg_like(seed, n_subjects=3, amplitude=0.4, planted=PLANTED):
    """Participants P1..Pn on a 28-channel 10–20 cap; ``planted`` follow the 1 Hz phrase rate in
    'exp' (0.4 noise SDs, phase-locked), pooled with concat_subjects (channels 'P1/Fz')."""
    parts = []
    for k in range(n_subjects):
        s = planted_spectra(
            (len(CH),),
            plant={"phrase": np.isin(CH, planted)},
            amplitude=amplitude,
            tagged_hz={"sentence": 0.5, "phrase": 1.0},
            n_times=200,
            sfreq=4.0,
            seed=100 * seed + k,
        )
        subj = [f"P{k + 1}"] * len(CH)
        parts.append(s.assign_coords(channel=np.array(CH, dtype=object), subject=("channel", subj)))
    return concat_subjects(parts)


def drawn(monkeypatch):
    """Spy on mne.viz.plot_topomap: the channel names and mask it is given."""
    import mne

    calls = []
    original = mne.viz.plot_topomap

    def spy(data, pos, *args, **kwargs):
        calls.append({"names": list(pos.ch_names), "data": data, "mask": kwargs.get("mask")})
        return original(data, pos, *args, **kwargs)

    monkeypatch.setattr(mne.viz, "plot_topomap", spy)
    return calls


def white_markers(fig):
    """Number of mask markers (white circles) drawn on the map."""
    return sum(
        len(ln.get_xdata())
        for ln in fig.axes[0].get_lines()
        if ln.get_marker() == "o" and ln.get_markerfacecolor() in ("white", (1.0, 1.0, 1.0, 1.0))
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mask_marks_the_planted_channels(monkeypatch, seed):
    res = find_tagged(eeg_like(seed), "exp", "ctrl")
    calls = drawn(monkeypatch)
    fig = plot.plot_topomap(res, level="phrase")
    (call,) = calls
    assert call["names"] == CH  # one value per 10–20 label, pooled over the 3 participants
    marked = {n for n, m in zip(call["names"], call["mask"], strict=True) if m}
    assert set(PLANTED) <= marked
    assert len(marked - set(PLANTED)) <= 1  # BH at 0.05: at most a stray discovery
    assert white_markers(fig) == len(marked)
    # colour: the mean SNR over participants; the planted labels are the loudest
    snr = dict(zip(call["names"], call["data"], strict=True))
    assert min(snr[c] for c in PLANTED) > max(v for c, v in snr.items() if c not in PLANTED)
    expected = res["snr"].sel(level="phrase").groupby("label").mean()
    assert snr["Cz"] == pytest.approx(float(expected.sel(label="Cz")))
    cbar = fig.axes[1].get_ylabel()
    assert cbar.startswith("amplitude SNR at 1 Hz (phrase)") and "mean of 3" in cbar
    note = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "q < 0.05" in note and "of 3 participants" in note


def test_fraction_of_participants_and_no_planted_level(monkeypatch):
    res = find_tagged(eeg_like(0), "exp", "ctrl")
    calls = drawn(monkeypatch)
    fig = plot.plot_topomap(res, level="phrase", variable="significant")
    frac = dict(zip(calls[0]["names"], calls[0]["data"], strict=True))
    assert all(frac[c] == 1.0 for c in PLANTED)  # 3 of 3 participants
    assert fig.axes[1].get_ylabel().startswith("fraction of participants significant")
    # nothing planted at the sentence rate: (almost) nothing marked, and the note says so
    plot.plot_topomap(res, level="sentence")
    assert calls[1]["mask"].sum() <= 1


def test_one_participant_and_untested_participants(monkeypatch):
    """Unpooled channel names work; a participant without the condition does not count."""
    single = find_tagged(eeg_like(1, n_subjects=1).assign_coords(channel=CH), "exp")
    calls = drawn(monkeypatch)
    plot.plot_topomap(single, level="phrase")
    assert set(PLANTED) <= {
        n for n, m in zip(calls[0]["names"], calls[0]["mask"], strict=True) if m
    }
    res = find_tagged(eeg_like(2), "exp", "ctrl")
    res["p"][dict(channel=slice(0, len(CH)))] = np.nan  # P1 untested
    res["sig_p"][dict(channel=slice(0, len(CH)))] = np.nan
    plot.plot_topomap(res, level="phrase", variable="significant")
    assert np.nanmax(calls[1]["data"]) <= 1.0
    assert "mean of 2" in plot.plot_topomap(res, level="phrase").axes[1].get_ylabel()


def test_tagging_topomap_bad_inputs():
    res = find_tagged(eeg_like(0, n_subjects=1), "exp", "ctrl")
    with pytest.raises(HftpError, match=r"'values'.*find_tagged result.*missing \['significant'\]"):
        plot.plot_topomap(res.drop_vars("significant"), level="phrase")
    with pytest.raises(
        HftpError, match=r"'level'.*\['sentence', 'phrase'\].*'phrases'.*Did you mean"
    ):
        plot.plot_topomap(res, level="phrases")
    with pytest.raises(HftpError, match=r"'level'.*got None.*level='phrase'"):
        plot.plot_topomap(res)
    with pytest.raises(HftpError, match=r"'variable'.*'snr'.*got 'snrr'.*Did you mean 'snr'"):
        plot.plot_topomap(res, level="phrase", variable="snrr")
    with pytest.raises(HftpError, match=r"'variable'.*got 'category'"):
        plot.plot_topomap(res, level="phrase", variable="category")
    with pytest.raises(TypeError, match=r"'variable'"):
        plot.plot_topomap(res, level="phrase", variable=3)
    bad = res.assign_coords(label=("channel", ["XYZ", "ABC", *CH[2:]]))
    with pytest.raises(
        HftpError, match=r"'values'.*\['XYZ', 'ABC'\] are not in the 'standard_1020'"
    ):
        plot.plot_topomap(bad, level="phrase")
    model = find_tagged(planted_spectra((2, 5), n_times=40, seed=0), "exp")
    with pytest.raises(HftpError, match=r"one channel dim.*\('layer', 'neuron'\)"):
        plot.plot_topomap(model, level="phrase")
    with pytest.raises(HftpError, match="'mask'"):
        plot.plot_topomap(res, level="phrase", mask=[True])


def test_simulated_tagging_topomap_png(tmp_path):
    """The PNG a user saves: map, labelled colour bar, marks."""
    res = find_tagged(eeg_like(0), "exp", "ctrl")
    fig = plot.plot_topomap(res, level="phrase", title="Simulated EEG: phrase rate")
    (png, svg) = plot.save_figure(fig, tmp_path / "sim_tagging_topomap")
    assert png.stat().st_size > 10_000 and svg.is_file()
    assert fig.axes[1].get_ylabel() and white_markers(fig) >= len(PLANTED)


@pytest.fixture(scope="module")
def real_eeg(eeg_phrases_dir):
    from hftp.datasets.eeg_phrases import read_eeg_phrases

    return concat_subjects(read_eeg_phrases(eeg_phrases_dir))


@pytest.mark.slow
@pytest.mark.parametrize("control", ["avav", None])
def test_real_eeg_tagging_topomap(real_eeg, monkeypatch, tmp_path, control):
    """eeg-phrases, 20 participants: ANAN (adjective-noun phrases) at the phrase rate, against
    AVAV (the same category alternation without phrases) or alone."""
    res = find_tagged(real_eeg, "anan", control, levels=["phrase"])
    calls = drawn(monkeypatch)
    fig = plot.plot_topomap(res, title="EEG (scalp): ANAN, phrase rate")
    (call,) = calls
    assert len(call["names"]) == 32 and "Cz" in call["names"]
    by_label = res["significant"].sel(level="phrase").groupby("label").sum()
    expected = {str(k) for k, v in zip(by_label["label"].values, by_label.values, strict=True) if v}
    marked = {n for n, m in zip(call["names"], call["mask"], strict=True) if m}
    assert marked == expected
    snr = res["snr"].sel(level="phrase").groupby("label").mean()
    np.testing.assert_allclose(call["data"], snr.sel(label=call["names"]).values)
    assert "mean of 20" in fig.axes[1].get_ylabel()
    png, _ = plot.save_figure(fig, tmp_path / "eeg_tagging_topomap")
    assert png.stat().st_size > 10_000
