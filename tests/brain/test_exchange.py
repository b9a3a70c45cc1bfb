"""hftp.brain.exchange: brain Spectra → mne.time_frequency.SpectrumArray."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mne  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import hftp  # noqa: E402
from hftp.brain.exchange import MNE_MEASURES, to_mne_spectrum  # noqa: E402
from hftp.brain.spectra import brain_spectra  # noqa: E402

SF = 100.0
NAMES = ["Fz", "Cz", "Pz", "Oz", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "T7", "T8"]
POSTERIOR = ["Pz", "Oz", "P3", "P4", "O1", "O2"]


@pytest.fixture(scope="module")
def scalp():
    """Scalp EEG (easycap-M1 positions): posterior channels follow 2 Hz in condition 'a'."""
    info = mne.create_info(NAMES, SF, "eeg")
    info.set_montage("easycap-M1")
    rng = np.random.default_rng(0)
    n_ep, n_t = 12, int(6 * SF)
    t = np.arange(n_t) / SF
    x = rng.standard_normal((n_ep, len(NAMES), n_t)) * 1e-6
    x[:6, [NAMES.index(c) for c in POSTERIOR]] += 3e-6 * np.cos(2 * np.pi * 2.0 * t)
    events = np.c_[np.arange(n_ep) * n_t, np.zeros(n_ep, int), np.repeat([1, 2], 6)]
    epochs = mne.EpochsArray(x, info, events=events, event_id={"a": 1, "b": 2}, verbose="error")
    spectra = brain_spectra(epochs, 1.0, {"phrase": 2.0, "unit": 4.0}, regions=False)
    return epochs, spectra


@pytest.mark.parametrize("measure", sorted(MNE_MEASURES))
def test_values_equal_hftp_measure(scalp, measure):
    _, s = scalp
    spec = to_mne_spectrum(s, "a", measure=measure)
    assert isinstance(spec, mne.time_frequency.SpectrumArray)
    expected = MNE_MEASURES[measure](s).sel(condition="a").transpose("channel", "freq")
    np.testing.assert_array_equal(spec.get_data(), expected.values)
    np.testing.assert_array_equal(spec.freqs, s["freq"].values)
    assert spec.ch_names == list(s["channel"].values)
    assert spec.info["sfreq"] == SF


def test_named_measures_are_hftp_measures(scalp):
    _, s = scalp
    a = dict(condition="a")
    ep = to_mne_spectrum(s, "a").get_data()
    np.testing.assert_allclose(ep, (hftp.evoked_amplitude(s).sel(**a) ** 2).values)
    itc = to_mne_spectrum(s, "a", measure="itc").get_data()
    np.testing.assert_array_equal(itc, hftp.itc(s).sel(**a).values)
    snr = to_mne_spectrum(s, "a", measure="snr").get_data()
    np.testing.assert_array_equal(snr, hftp.snr(hftp.evoked_amplitude(s)).sel(**a).values)
    # a measure computed by the caller passes through
    own = hftp.snr(hftp.itc(s))
    np.testing.assert_array_equal(
        to_mne_spectrum(s, "a", measure=own).get_data(), own.sel(**a).values
    )


def test_info_keeps_types_and_positions(scalp):
    epochs, s = scalp
    spec = to_mne_spectrum(s, "a")
    assert set(spec.get_channel_types()) == {"eeg"}
    got = spec.info.get_montage().get_positions()
    want = epochs.info.get_montage().get_positions()
    assert got["coord_frame"] == want["coord_frame"] == "head"
    for name in NAMES:
        np.testing.assert_allclose(got["ch_pos"][name], want["ch_pos"][name], atol=1e-9)
    # the recording's own Info, picked to the Spectra's channels
    own = to_mne_spectrum(s, "a", info=epochs.info)
    assert own.ch_names == spec.ch_names
    np.testing.assert_array_equal(own.get_data(), spec.get_data())


def test_response_lies_where_it_was_put(scalp):
    _, s = scalp
    spec = to_mne_spectrum(s, "a", measure="itc")
    k = int(np.argmin(np.abs(spec.freqs - 2.0)))
    itc = dict(zip(spec.ch_names, spec.get_data()[:, k], strict=True))
    assert min(itc[c] for c in POSTERIOR) > 0.9
    assert max(v for c, v in itc.items() if c not in POSTERIOR) < 0.9


def test_topomaps_draw(scalp, tmp_path):
    _, s = scalp
    fig = to_mne_spectrum(s, "a").plot_topomap(bands={"2 Hz": (1.9, 2.1)}, show=False)
    fig.savefig(tmp_path / "evoked_power.png")
    spec = to_mne_spectrum(s, "a", measure="itc")
    fig2, ax = plt.subplots()
    k = int(np.argmin(np.abs(spec.freqs - 2.0)))
    im, _ = mne.viz.plot_topomap(spec.get_data()[:, k], spec.info, axes=ax, show=False)
    fig2.savefig(tmp_path / "itc.png")
    assert (tmp_path / "evoked_power.png").stat().st_size > 1000
    assert (tmp_path / "itc.png").stat().st_size > 1000
    plt.close("all")


def test_seeg_positions_in_mni(make_raw):
    raw = make_raw()
    pos = {"E1": [0.01, 0.02, 0.03], "E2": [-0.02, 0.01, 0.0], "E3": [0.03, -0.01, 0.02]}
    with warnings.catch_warnings():  # MNI positions have no fiducials
        warnings.simplefilter("ignore", RuntimeWarning)
        raw.set_montage(mne.channels.make_dig_montage(ch_pos=pos, coord_frame="mni_tal"))
    events, _ = mne.events_from_annotations(raw, verbose="error")
    ep = mne.Epochs(raw, events, {"a": 1, "b": 2}, 0, 5.0 - 1 / SF, baseline=None, verbose="error")
    s = brain_spectra(ep, 1.0, {"phrase": 2.0}, regions=False)
    spec = to_mne_spectrum(s, "a", measure="itc")
    assert set(spec.get_channel_types()) == {"seeg"}
    got = spec.info.get_montage().get_positions()
    assert got["coord_frame"] == "mni_tal"
    np.testing.assert_allclose(got["ch_pos"]["E1"], pos["E1"], atol=1e-9)


def test_unplaced_channels_and_modality(scalp):
    _, s = scalp
    bare = s.drop_vars(["x", "y", "z", "ch_type"]).assign_attrs(modality="ieeg")
    spec = to_mne_spectrum(bare, "a")
    assert set(spec.get_channel_types()) == {"seeg"}
    assert spec.info.get_montage() is None


def test_errors_name_the_fix(scalp):
    epochs, s = scalp
    with pytest.raises(ValueError, match="'condition'.*name one"):
        to_mne_spectrum(s)
    with pytest.raises(ValueError, match="'condition'"):
        to_mne_spectrum(s, "c")
    with pytest.raises(ValueError, match="'measure'"):
        to_mne_spectrum(s, "a", measure="evokd")
    with pytest.raises(TypeError, match="'measure'"):
        to_mne_spectrum(s, "a", measure=3)
    with pytest.raises(ValueError, match="'measure'.*without"):
        to_mne_spectrum(s, "a", measure=hftp.itc(s).isel(freq=0))
    with pytest.raises(TypeError, match="'info'"):
        to_mne_spectrum(s, "a", info={"sfreq": SF})
    other = mne.create_info(["X1", "X2"], SF, "eeg")
    with pytest.raises(ValueError, match="'info'.*not in it"):
        to_mne_spectrum(s, "a", info=other)
    resampled = epochs.copy().resample(50.0, verbose="error").info
    with pytest.raises(ValueError, match="'info'.*sampling rate"):
        to_mne_spectrum(s, "a", info=resampled)
    with pytest.raises(TypeError, match="'spectra'"):
        to_mne_spectrum(hftp.itc(s), "a")
    one = to_mne_spectrum(s.sel(condition=["b"]))
    assert one.info["description"].endswith("'b'")
