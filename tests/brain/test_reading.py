"""The read functions: recordings → epochs (or FieldTrip spectra), their options and metadata."""

from __future__ import annotations

import dataclasses

import mne
import numpy as np
import pytest
import scipy.io
import xarray as xr

import hftp.brain as brain
from hftp._validation import HftpError
from hftp.brain import formats, reading
from hftp.brain.reading import ReadOptions, read_any, recording_meta
from hftp.spectral.measures import at_freq, evoked_amplitude, itc, snr

SF = 100.0
TAGGED = {"phrase": 2.0, "unit": 4.0}


@pytest.mark.parametrize("fmt", ["fif", "edf", "brainvision"])
def test_raw_formats_round_trip(raw_files, fmt):
    ep = brain.read_recording(raw_files[fmt], {"a": 1, "b": [2]}, tagged_hz=TAGGED)
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


def test_events_tsv_and_default_conditions(raw_files, tmp_path):
    tsv = tmp_path / "events.tsv"
    tsv.write_text(
        "onset\tduration\ttrial_type\tvalue\n1.0\t5.0\tx\t7\n13.0\t5.0\tx\t7\n7.0\t5.0\ty\t3\n"
    )
    ep = brain.read_recording(raw_files["fif"], events=tsv)
    assert list(ep.event_id) == ["y", "x"]  # ordered by code
    assert len(ep["x"]) == 2 and len(ep.times) == 500


def test_fif_epochs(make_raw, tmp_path):
    raw = make_raw(codes=False)
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


def test_metadata_travels_in_the_description(raw_files):
    ep = brain.read_recording(raw_files["fif"], {"a": 1}, subject="sub-07", tagged_hz=TAGGED)
    meta = recording_meta(ep.info)
    assert meta["subject"] == "07" and meta["tagged_hz"] == TAGGED
    assert meta["format"] == "fif" and meta["source"] == str(raw_files["fif"])
    assert ep.info["subject_info"]["his_id"] == "07"
    assert recording_meta(mne.create_info(2, SF, "eeg")) == {}  # not read by hftp


def test_fieldtrip_freq_returns_spectra(ft_freq_file, tmp_path):
    p = tmp_path / "P1_ft.mat"
    codes = ft_freq_file(p)
    with pytest.raises(ValueError, match=r"frequency-domain.*read_spectra"):
        brain.read_recording(p)
    with pytest.raises(ValueError, match=r"frequency-domain.*read_spectra"):
        brain.read_subjects(p)
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


def test_read_any_gives_what_brain_spectra_takes(raw_files, ft_freq_file, tmp_path):
    eps = read_any(raw_files["fif"], {"a": 1}, tagged_hz=TAGGED, drop_codes=None)
    assert isinstance(eps, list) and len(eps) == 1 and set(eps[0].event_id) == {"a"}
    p = tmp_path / "P1_ft.mat"
    ft_freq_file(p)
    s = read_any(p, {"hi": range(100, 200)}, tagged_hz={"phrase": 2.0})
    assert isinstance(s, xr.Dataset) and list(s["condition"].values) == ["hi"]
    with pytest.raises(ValueError, match="'read_any keyword'.*Did you mean 'tmax'"):
        read_any(raw_files["fif"], tmaxx=2.0)


def test_read_options_is_a_frozen_record_of_every_keyword():
    opts = ReadOptions(tmin=0.5, montage="biosemi64")
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.tmin = 1.0  # type: ignore[misc]
    fields = {f.name for f in dataclasses.fields(ReadOptions)}
    import inspect

    assert set(inspect.signature(brain.read_recording).parameters) - {"path"} == fields


def test_several_subjects_need_a_choice(tmp_path):
    sim = brain.simulate_ieeg(tmp_path / "bids", subjects=2, n_trials=2, seed=0, sfreq=64.0)
    with pytest.raises(ValueError, match=r"holds 2 subjects.*subject='01'.*read_subjects"):
        brain.read_recording(sim.root)
    ep = brain.read_recording(sim.root, subject="02")
    assert recording_meta(ep.info)["subject"] == "02"
    assert recording_meta(ep.info)["modality"] == "iEEG (simulated)"
    assert [e.info["subject_info"]["his_id"] for e in brain.read_subjects(sim.root)] == [
        "01",
        "02",
    ]


# ------------------------------------------------------------------------- errors


def test_unreadable_file_is_wrapped_naming_the_formats(tmp_path):
    p = tmp_path / "x.edf"
    p.write_bytes(b"not an edf")
    with pytest.raises(ValueError, match="'path'.*could not read.*Supported formats"):
        brain.read_recording(p)


def test_hftp_errors_of_a_reader_pass_unwrapped(tmp_path):
    p = tmp_path / "empty.mat"
    scipy.io.savemat(p, {"x": np.zeros(3)})
    with pytest.raises(HftpError, match="holds no FieldTrip data structure") as err:
        brain.read_recording(p)
    assert "could not read" not in str(err.value)


def test_a_foreign_error_is_wrapped_whatever_its_message(raw_files, monkeypatch):
    """hftp's own errors are told by their class, not by a message starting with 'Invalid '."""

    def reader(path, subject, task):
        raise ValueError("Invalid header (a message from another library)")

    monkeypatch.setitem(formats.FORMATS, "edf", formats.Format((".edf",), reader))
    with pytest.raises(HftpError, match=r"could not read .* as edf \(ValueError: Invalid header"):
        brain.read_recording(raw_files["edf"])


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
    ep = brain.read_recording(p, epoch_length=2.0)
    assert len(ep) == 5 and list(ep.event_id) == ["fixed"]


def test_missing_condition(raw_files):
    with pytest.raises(ValueError, match="'conditions'.*'c'"):
        brain.read_recording(raw_files["fif"], {"a": 1, "c": 99})


def test_bad_options_are_refused_before_reading(raw_files, tmp_path):
    with pytest.raises(ValueError, match="'fmt'.*Did you mean 'edf'"):
        brain.read_recording(raw_files["fif"], fmt="edff")
    with pytest.raises(ValueError, match="'events'"):
        brain.read_recording(raw_files["fif"], events=tmp_path / "missing.tsv")
    with pytest.raises(ValueError, match="'path'"):
        brain.read_recording(tmp_path / "missing.edf")


# ------------------------------------------------------------------------- items


def test_item_epochs_relabels_by_the_events_item_column(raw_files, tmp_path):
    tsv = tmp_path / "events.tsv"
    tsv.write_text(
        "onset\tduration\ttrial_type\titem\n1.0\t5.0\tx\ts1\n7.0\t5.0\tx\ts2\n13.0\t5.0\tx\ts1\n"
    )
    ep = brain.read_recording(raw_files["fif"], events=tsv)
    assert list(ep.metadata["item"]) == ["s1", "s2", "s1"]
    items = brain.item_epochs(ep)
    assert items.event_id == {"s1": 1, "s2": 2} and len(items["s1"]) == 2
    np.testing.assert_array_equal(items.get_data(), ep.get_data())


def test_item_epochs_without_items_says_so(raw_files):
    ep = brain.read_recording(raw_files["fif"], {"a": 1})
    with pytest.raises(ValueError, match="'epochs'.*item column 'item'.*align over conditions"):
        reading.item_epochs(ep)


def test_epochs_without_items_are_refused():
    info = mne.create_info(["a"], 100.0, "eeg")
    ep = mne.EpochsArray(np.zeros((2, 1, 10)), info, verbose="error")
    with pytest.raises(ValueError, match="'epochs'.*item.*align over conditions"):
        reading.item_epochs(ep)
