"""Recordings → epochs → brain Spectra: formats, validation, pooling."""

from __future__ import annotations

import warnings

import mne
import numpy as np
import pytest
import scipy.io

import hftp.brain as brain
from hftp.spectral.measures import at_freq, evoked_amplitude, itc, snr

SF = 100.0
TAGGED = {"phrase": 2.0, "unit": 4.0}


def _raw(n_trials=6, trial_s=5.0, gap_s=1.0, seed=0, codes=True):
    """Two channels respond at 2 Hz in condition 'a' (code 1); condition 'b' (code 2) is noise."""
    rng = np.random.default_rng(seed)
    n = int((n_trials * 2 * (trial_s + gap_s) + gap_s) * SF)
    x = rng.standard_normal((3, n)) * 1e-6
    onsets, descs = [], []
    t = gap_s
    tt = np.arange(int(trial_s * SF)) / SF
    for i in range(2 * n_trials):
        cond = "a" if i % 2 == 0 else "b"
        if cond == "a":
            s = int(t * SF)
            x[:2, s : s + tt.size] += 2e-6 * np.cos(2 * np.pi * 2.0 * tt)
        onsets.append(t)
        descs.append(("Stimulus/S  1" if cond == "a" else "Stimulus/S  2") if codes else cond)
        t += trial_s + gap_s
    raw = mne.io.RawArray(x, mne.create_info(["E1", "E2", "E3"], SF, "seeg"), verbose="error")
    raw.set_annotations(mne.Annotations(onsets, [trial_s] * len(onsets), descs))
    return raw


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("rec")
    raw = _raw()
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["fif"] = d / "rec_raw.fif"
        raw.save(out["fif"], verbose="error")
        out["edf"] = d / "rec.edf"
        raw.export(out["edf"], verbose="error")
        out["brainvision"] = d / "rec.vhdr"
        raw.export(out["brainvision"], verbose="error")
    return out


@pytest.mark.parametrize("fmt", ["fif", "edf", "brainvision"])
def test_raw_formats_round_trip(files, fmt):
    ep = brain.read_recording(files[fmt], {"a": 1, "b": [2]}, tagged_hz=TAGGED)
    assert set(ep.event_id) == {"a", "b"} and len(ep["a"]) == 6
    s = brain.brain_spectra(ep, drop_onset=1.0)
    assert s["sum_x"].dims == ("condition", "channel", "freq")
    for c in ("subject", "region", "hemisphere", "x", "y", "z"):
        assert c in s.coords
    assert s.attrs["n_times"] == 400 and s.attrs["kind"] == "brain"
    i = at_freq(itc(s), 2.0)
    assert (i.sel(condition="a", channel=["E1", "E2"]) > 0.9).all()
    assert float(i.sel(condition="a", channel="E3")) < 0.8
    assert float(at_freq(snr(evoked_amplitude(s)), 2.0).sel(condition="a", channel="E1")) > 3


def test_events_tsv_and_default_conditions(files, tmp_path):
    tsv = tmp_path / "events.tsv"
    tsv.write_text(
        "onset\tduration\ttrial_type\tvalue\n1.0\t5.0\tx\t7\n13.0\t5.0\tx\t7\n7.0\t5.0\ty\t3\n"
    )
    ep = brain.read_recording(files["fif"], events=tsv)
    assert list(ep.event_id) == ["y", "x"]  # ordered by code
    assert len(ep["x"]) == 2 and len(ep.times) == 500


def test_fif_epochs(tmp_path):
    raw = _raw(codes=False)
    ev, eid = mne.events_from_annotations(raw, verbose="error")
    ep = mne.Epochs(
        raw, ev, eid, tmin=0, tmax=5 - 1 / SF, baseline=None, preload=True, verbose="error"
    )
    path = tmp_path / "x-epo.fif"
    ep.save(path, verbose="error")
    back = brain.read_recording(path, {"A": "a", "B": "b"}, tagged_hz=TAGGED)
    assert set(back.event_id) == {"A", "B"} and len(back["A"]) == 6
    s = brain.brain_spectra(back)
    assert float(at_freq(itc(s), 2.0).sel(condition="A", channel="E1")) > 0.9


def _ft_freq(path, n_rep=20, seed=0):
    rng = np.random.default_rng(seed)
    freqs = np.arange(1, 41) / 10.0
    X = rng.standard_normal((n_rep, 4, 40)) + 1j * rng.standard_normal((n_rep, 4, 40))
    codes = np.array([i % 2 * 100 + i for i in range(n_rep)])
    X[codes >= 100, 0, 19] = 5 * np.exp(1j * 0.3)  # channel 0 phase-locked at 2.0 Hz in 'hi'
    st = {
        "label": np.array(["Fz", "Cz", "Pz", "Oz"], dtype=object),
        "freq": freqs,
        "fourierspctrm": X,
        "dimord": "rpttap_chan_freq",
        "trialinfo": codes.astype(float),
        "cumsumcnt": np.full(n_rep, 1000.0),
    }
    scipy.io.savemat(path, {"freq": st})
    return codes


def test_fieldtrip_freq_returns_spectra(tmp_path):
    p = tmp_path / "P1_ft.mat"
    codes = _ft_freq(p)
    with pytest.raises(ValueError, match=r"frequency-domain.*read_spectra"):
        brain.read_recording(p)
    s = brain.read_spectra(
        p,
        {"lo": range(0, 100), "hi": range(100, 200)},
        subject="P1",
        tagged_hz={"phrase": 2.0},
        drop_codes=[codes[1]],
    )
    assert s.attrs["n_times"] == -1 and s.attrs["kind"] == "brain"
    assert dict(zip(s["condition"].values, s["n_trials"].values, strict=True)) == {
        "lo": 10,
        "hi": 9,
    }
    i = at_freq(itc(s), 2.0)
    assert float(i.sel(condition="hi", channel="Fz")) > 0.99
    assert float(i.sel(condition="lo", channel="Fz")) < 0.7
    assert set(s["subject"].values) == {"P1"} and "trial_x" in s
    assert brain.brain_spectra(s) is not None  # a Spectra passes through


def test_concat_subjects_unequal_trials(tmp_path):
    a, b = tmp_path / "P1_ft.mat", tmp_path / "P2_ft.mat"
    _ft_freq(a, 20)
    _ft_freq(b, 12, seed=1)
    cond = {"lo": range(0, 100), "hi": range(100, 200)}
    sa = brain.read_spectra(a, cond, subject="P1", tagged_hz={"phrase": 2.0})
    sb = brain.read_spectra(b, {"hi": range(100, 200)}, subject="P2", tagged_hz={"phrase": 2.0})
    s = brain.concat_subjects([sa, sb])
    assert s.sizes["channel"] == 8 and s["channel"].values[0] == "P1/Fz"
    assert s["n_trials"].dims == ("condition", "channel")
    i = itc(s)
    assert np.isnan(i.sel(condition="lo", channel="P2/Fz")).all()
    assert np.allclose(i.sel(channel="P1/Fz"), itc(sa).sel(channel="Fz"))
    assert np.allclose(i.sel(channel="P2/Fz", condition="hi"), itc(sb).sel(channel="Fz")[0])


# ------------------------------------------------------------------------- bad input


def test_unsupported_file_lists_formats(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a,b\n")
    with pytest.raises(ValueError, match="path.*Supported formats: .*brainvision"):
        brain.read_recording(p)


def test_unreadable_file(tmp_path):
    p = tmp_path / "x.edf"
    p.write_bytes(b"not an edf")
    with pytest.raises(ValueError, match="'path'.*could not read.*Supported formats"):
        brain.read_recording(p)


def test_no_events(tmp_path):
    raw = mne.io.RawArray(
        np.random.default_rng(0).standard_normal((2, 1000)),
        mne.create_info(2, SF, "eeg"),
        verbose="error",
    )
    p = tmp_path / "n_raw.fif"
    raw.save(p, verbose="error")
    with pytest.raises(ValueError, match="'path'.*no events.*epoch_length"):
        brain.read_recording(p)
    assert len(brain.read_recording(p, epoch_length=2.0)) == 5


def test_missing_condition(files):
    with pytest.raises(ValueError, match="'conditions'.*'c'"):
        brain.read_recording(files["fif"], {"a": 1, "c": 99})
    ep = brain.read_recording(files["fif"], {"a": 1}, tagged_hz=TAGGED)
    with pytest.raises(ValueError, match="'conditions'.*'b'"):
        brain.brain_spectra(ep, conditions=["a", "b"])


def test_nan_and_flat_channels_excluded_with_warning():
    raw = _raw()
    raw._data[1] = 0.0
    raw._data[2, 500] = np.nan
    ev, eid = mne.events_from_annotations(raw, verbose="error")
    ep = mne.Epochs(
        raw, ev, eid, tmin=0, tmax=5 - 1 / SF, baseline=None, preload=True, verbose="error"
    )
    with pytest.warns(UserWarning, match=r"E2 \(flat\).*E3 \(NaN\)"):
        s = brain.brain_spectra(ep, tagged_hz=TAGGED)
    assert list(s["channel"].values) == ["E1"]


def test_epochs_shorter_than_tagged_period(files):
    ep = brain.read_recording(files["fif"], {"a": 1}, tmax=1.5, tagged_hz={"sentence": 0.5})
    with pytest.raises(ValueError, match="'tmax'.*shorter than the tagged period"):
        brain.brain_spectra(ep)


def test_sampling_rate_too_low(files):
    ep = brain.read_recording(files["fif"], {"a": 1}, tagged_hz={"unit": 60.0})
    with pytest.raises(ValueError, match="'tagged_hz'.*Nyquist.*too low"):
        brain.brain_spectra(ep)


def test_missing_tagged_hz(files):
    ep = brain.read_recording(files["fif"], {"a": 1})
    with pytest.raises(ValueError, match="'tagged_hz'"):
        brain.brain_spectra(ep)


def test_non_mni_positions_are_an_error(files):
    ep = brain.read_recording(files["fif"], {"a": 1}, tagged_hz=TAGGED)
    mont = mne.channels.make_dig_montage(
        ch_pos={"E1": np.array([0.01, 0.0, 0.05])}, coord_frame="head"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ep.set_montage(mont, on_missing="ignore")
    with pytest.raises(ValueError, match="'coord_frame'.*not MNI"):
        brain.brain_spectra(ep)
    s = brain.brain_spectra(ep, regions=False)
    assert s["region"].values[0] == "unknown"
