"""brain_spectra: epochs → the same Spectra as model activations (bins, bad channels, checks)."""

from __future__ import annotations

import json
import warnings

import mne
import numpy as np
import pytest

import hftp.brain as brain
from hftp.brain.spectra import brain_spectra
from hftp.spectral.measures import at_freq, itc

SF = 100.0
TAGGED = {"phrase": 2.0, "unit": 4.0}


def _epochs(raw):
    ev, eid = mne.events_from_annotations(raw, verbose="error")
    return mne.Epochs(
        raw, ev, eid, tmin=0, tmax=5 - 1 / SF, baseline=None, preload=True, verbose="error"
    )


def test_epochs_trimmed_so_tagged_frequencies_fall_on_bins(raw_files):
    ep = brain.read_recording(raw_files["fif"], {"a": 1, "b": 2}, tagged_hz={"sentence": 0.75})
    s = brain_spectra(ep, drop_onset=0.5)
    # 4.5 s left; 0.75 Hz needs a multiple of 4/3 s: 4.0 s = 400 samples
    assert s.attrs["n_times"] == 400 and np.isclose(s["freq"].values, 0.75).any()
    assert s.hftp.sfreq == SF and s.hftp.tagged_hz == {"sentence": 0.75}
    assert list(s["n_trials"].values) == [6, 6]
    assert s.attrs["subject"] == "rec_raw" and s.attrs["source"] == str(raw_files["fif"])


def test_conditions_and_trials_are_chosen(raw_files):
    ep = brain.read_recording(raw_files["fif"], {"a": 1, "b": 2}, tagged_hz=TAGGED)
    s = brain_spectra(ep, conditions=["b"], keep_trials=False)
    assert list(s["condition"].values) == ["b"] and "trial_x" not in s
    with pytest.raises(ValueError, match="'conditions'.*'c'"):
        brain_spectra(ep, conditions=["a", "c"])


def test_a_list_of_epochs_is_pooled_by_subject(raw_files):
    eps = [
        brain.read_recording(raw_files[f], {"a": 1}, subject=f"s{i}", tagged_hz=TAGGED)
        for i, f in enumerate(("fif", "edf"))
    ]
    s = brain_spectra(eps)
    assert list(s["channel"].values[:2]) == ["s0/E1", "s0/E2"] and s.sizes["channel"] == 6
    assert json.loads(s.attrs["subjects"]) == ["s0", "s1"]


def test_a_spectra_passes_through_with_new_tagged_hz(ft_freq_file, tmp_path):
    p = tmp_path / "P1_ft.mat"
    ft_freq_file(p)
    s = brain.read_spectra(p, {"lo": range(0, 100), "hi": range(100, 200)})
    out = brain_spectra(s, tagged_hz={"phrase": 2.0}, conditions=["hi"])
    assert out.hftp.tagged_hz == {"phrase": 2.0} and list(out["condition"].values) == ["hi"]
    with pytest.raises(ValueError, match="tagged_hz\\['phrase'\\]"):
        brain_spectra(s, tagged_hz={"phrase": 2.05})
    with pytest.raises(ValueError, match="'conditions'.*'x'.*not in the Spectra"):
        brain_spectra(s, conditions=["x"])


def test_nan_and_flat_channels_excluded_with_warning(make_raw):
    raw = make_raw()
    raw._data[1] = 0.0
    raw._data[2, 500] = np.nan
    with pytest.warns(UserWarning, match=r"E2 \(flat\).*E3 \(NaN\)"):
        s = brain_spectra(_epochs(raw), tagged_hz=TAGGED)
    assert list(s["channel"].values) == ["E1"]


def test_every_channel_bad_or_none_of_the_right_type(make_raw):
    raw = make_raw()
    raw._data[:] = 0.0
    with pytest.warns(UserWarning, match="flat"):
        with pytest.raises(ValueError, match="every channel is NaN or flat"):
            brain_spectra(_epochs(raw), tagged_hz=TAGGED)
    raw = make_raw()
    raw.set_channel_types(dict.fromkeys(raw.ch_names, "misc"), verbose="error")
    with pytest.raises(ValueError, match="no EEG/iEEG channels"):
        brain_spectra(_epochs(raw), tagged_hz=TAGGED)


def test_not_epochs_is_a_type_error():
    with pytest.raises(TypeError, match="'epochs_or_spectra'.*mne.Epochs"):
        brain_spectra(np.zeros((2, 3, 100)))


def test_epochs_shorter_than_tagged_period(raw_files):
    ep = brain.read_recording(raw_files["fif"], {"a": 1}, tmax=1.5, tagged_hz={"sentence": 0.5})
    with pytest.raises(ValueError, match="'tmax'.*shorter than the tagged period"):
        brain_spectra(ep)


def test_sampling_rate_too_low(raw_files):
    ep = brain.read_recording(raw_files["fif"], {"a": 1}, tagged_hz={"unit": 60.0})
    with pytest.raises(ValueError, match="'tagged_hz'.*Nyquist.*too low"):
        brain_spectra(ep)


def test_missing_tagged_hz(raw_files):
    ep = brain.read_recording(raw_files["fif"], {"a": 1})
    with pytest.raises(ValueError, match="'tagged_hz'"):
        brain_spectra(ep)
    s = brain_spectra(ep, tagged_hz=TAGGED)  # given here instead
    assert float(at_freq(itc(s), 2.0).sel(condition="a", channel="E1")) > 0.9


def test_non_mni_positions_skip_regions_with_a_note(raw_files):
    ep = brain.read_recording(raw_files["fif"], {"a": 1}, tagged_hz=TAGGED)
    mont = mne.channels.make_dig_montage(
        ch_pos={"E1": np.array([0.01, 0.0, 0.05])}, coord_frame="head"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ep.set_montage(mont, on_missing="ignore")
    with pytest.warns(UserWarning, match="regions skipped.*'head', not MNI.*--no-regions"):
        s = brain_spectra(ep)
    assert (s["region"].values == "unknown").all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = brain_spectra(ep, regions=False)
    assert s["region"].values[0] == "unknown"
    assert s["x"].values[0] == pytest.approx(10.0)  # mm


def test_channels_marked_bad_are_left_out_unless_asked(make_raw, caplog):
    raw = make_raw()
    raw.info["bads"] = ["E2"]
    with caplog.at_level("INFO", logger="hftp"):
        s = brain_spectra(_epochs(raw), tagged_hz=TAGGED)
    assert list(s["channel"].values) == ["E1", "E3"]
    assert json.loads(s.attrs["bads"]) == ["E2"] and "include_bads=True" in caplog.text
    kept = brain_spectra(_epochs(raw), tagged_hz=TAGGED, include_bads=True)
    assert list(kept["channel"].values) == ["E1", "E2", "E3"]
    raw.info["bads"] = ["E1", "E2", "E3"]
    with pytest.raises(
        ValueError, match="no EEG/iEEG channels once the 3 marked bad.*include_bads"
    ):
        brain_spectra(_epochs(raw), tagged_hz=TAGGED)


def test_the_source_of_the_data_is_recorded(raw_files, tmp_path):
    from hftp.brain.simulate import simulate_ieeg

    real = brain_spectra(brain.read_recording(raw_files["fif"], {"a": 1, "b": 2}, tagged_hz=TAGGED))
    assert real.attrs["source_kind"] == "real"
    assert real.attrs["dataset"].endswith("rec_raw.fif")
    sim = simulate_ieeg(tmp_path / "bids", subjects=1, n_trials=2, seed=0, sfreq=64.0)
    s = brain_spectra(brain.read_recording(sim.root), drop_onset=0.0)
    assert s.attrs["source_kind"] == "simulated" and "simulated" in s.attrs["modality"]
    assert s.attrs["dataset"]
    assert (
        brain_spectra(_epochs(raw_files_raw(raw_files)), tagged_hz=TAGGED).attrs["source_kind"]
        == "unknown"
    )


def raw_files_raw(raw_files):
    return mne.io.read_raw_fif(raw_files["fif"], preload=True, verbose="error")
