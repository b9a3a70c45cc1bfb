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


def _slow_potential_epochs(slow=3.0, *, n_null=200, n_plant=50, n_trials=30, seed=0):
    """250 Hz, 5-s epochs: 1/f noise, per-trial drifts and a trial-locked slow potential (a shift
    from 0.3 s plus a ramp over the epoch, ``slow`` SD each) in every channel; the last
    ``n_plant`` channels add a phase-locked 1-SD 1 Hz response."""
    rng = np.random.default_rng(seed)
    sf, n_ch = 250.0, n_null + n_plant
    t = np.arange(int(5 * sf)) / sf
    pot = slow * (1 / (1 + np.exp(-(t - 0.3) / 0.05)) + t / t[-1])
    f = np.fft.rfftfreq(t.size, 1 / sf)
    shaping = 1 / np.sqrt(np.maximum(f, 0.25))
    shaping /= np.sqrt(np.mean(shaping**2))
    pink = np.fft.irfft(
        np.fft.rfft(rng.standard_normal((n_trials, n_ch, t.size)), axis=-1) * shaping,
        n=t.size,
        axis=-1,
    )
    drift = rng.normal(0, 0.5, (n_trials, n_ch, 1)) * (t / t[-1] - 0.5)
    sig = np.zeros((n_ch, t.size))
    sig[n_null:] = np.cos(2 * np.pi * t + rng.uniform(0, 2 * np.pi, (n_plant, 1)))
    x = (pink + drift + pot + sig) * 1e-6
    info = mne.create_info([f"E{i}" for i in range(n_ch)], sf, "seeg")
    events = np.c_[np.arange(n_trials) * t.size, np.zeros(n_trials, int), np.ones(n_trials, int)]
    return mne.EpochsArray(x, info, events, event_id={"exp": 1}, verbose="error")


def test_detrending_keeps_power_under_sustained_and_ramping_slow_potentials():
    from hftp.tagging import find_tagged

    ep = _slow_potential_epochs()
    kw = dict(drop_onset=1.0, tagged_hz={"sentence": 1.0, "phrase": 2.0}, regions=False)
    rates = {}
    for detrend in ("linear", None):
        s = brain_spectra(ep, detrend=detrend, **kw)
        assert s.attrs["detrend"] == str(detrend).lower()
        sig = find_tagged(s, "exp", levels="sentence")["significant"].values[:, 0]
        rates[detrend] = (sig[:200].mean(), sig[200:].mean())
    null, power = rates["linear"]
    assert power >= 0.8 and null <= 0.05, rates
    assert rates[None][1] < 0.2, rates  # the raw window loses the planted responses


def test_linear_detrend_removes_a_line_and_nothing_else():
    t = np.arange(400.0)
    x = np.stack([3 + 0.01 * t, np.cos(2 * np.pi * 4 * t / 400)])
    out = brain.spectra.linear_detrend(x)
    np.testing.assert_allclose(out[0], 0, atol=1e-9)
    np.testing.assert_allclose(out[1], x[1], atol=0.01)  # a whole-period cosine: almost no trend
    sine = np.sin(2 * np.pi * 4 * t / 400)
    kept = np.abs(np.fft.rfft(brain.spectra.linear_detrend(sine))[4]) / np.abs(np.fft.rfft(sine)[4])
    assert 0.95 < kept < 1.0  # a sine at bin k loses about 0.6/k² of its amplitude
    with pytest.raises(ValueError, match="detrend"):
        brain_spectra(_slow_potential_epochs(n_null=2, n_plant=1, n_trials=2), detrend="cubic")
