"""The format registry: one reader per format, chosen by file ending, and what each reader finds."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.io

from hftp._validation import HftpError
from hftp.brain.formats import FORMATS, Format, Loaded, detect_format, fieldtrip_spectra
from hftp.spectral.measures import at_freq, itc


@pytest.mark.parametrize("fmt", [k for k, f in FORMATS.items() if f.endings])
def test_every_ending_selects_its_format(fmt, tmp_path):
    for ending in FORMATS[fmt].endings:
        assert detect_format(tmp_path / f"rec{ending}") == fmt
        assert detect_format(tmp_path / f"REC{ending.upper()}") == fmt


def test_a_folder_is_bids(tmp_path):
    assert detect_format(tmp_path) == "bids"


def test_registry_entries_are_endings_and_a_reader():
    for name, entry in FORMATS.items():
        assert isinstance(entry, Format) and callable(entry.reader), name
        ends, reader = entry  # still unpacks as the (endings, reader) pair of hftp 0.2
        assert ends == entry.endings and reader is entry.reader


def test_unsupported_file_lists_formats(tmp_path):
    with pytest.raises(ValueError, match=r"'path'.*unsupported.*Supported formats: .*brainvision"):
        detect_format(tmp_path / "x.csv")


@pytest.mark.parametrize("fmt", ["fif", "edf", "brainvision"])
def test_mne_readers_load_raw_lazily(raw_files, fmt):
    got = FORMATS[fmt].reader(raw_files[fmt], None, None)
    assert isinstance(got, Loaded) and got.kind == "raw"
    assert got.obj.ch_names == ["E1", "E2", "E3"] and not got.obj.preload
    assert got.lost_events == 0 and not got.short_of_header
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.kind = "epochs"  # type: ignore[misc]


@pytest.mark.parametrize("fmt", ["brainvision", "edf"])
def test_truncated_file_is_noticed_by_the_reader(write_recording, fmt):
    path = write_recording(fmt, ["a", "b"] * 3, keep_s=20.0)
    with pytest.warns(RuntimeWarning):  # MNE's own note, passed on
        got = FORMATS[fmt].reader(path, "s1", None)
    assert got.subject == "s1"
    assert got.lost_events > 0 or got.short_of_header


def test_fif_epochs_file_is_read_as_epochs(raw_files, tmp_path):
    import mne

    raw = mne.io.read_raw_fif(raw_files["fif"], preload=True, verbose="error")
    ep = mne.make_fixed_length_epochs(raw, duration=2.0, preload=True, verbose="error")
    path = tmp_path / "x-epo.fif"
    ep.save(path, verbose="error")
    got = FORMATS["fif"].reader(path, None, None)
    assert got.kind == "epochs" and len(got.obj) == len(ep)


def test_fieldtrip_reader_finds_the_fourier_struct(ft_freq_file, tmp_path):
    p = tmp_path / "P1_ft.mat"
    ft_freq_file(p)
    got = FORMATS["fieldtrip"].reader(p, None, None)
    assert got.kind == "ft_freq" and got.subject == "P1_ft"
    assert np.asarray(got.obj.fourierspctrm).shape == (20, 4, 40)


def test_fieldtrip_file_without_data_says_what_it_needs(tmp_path):
    p = tmp_path / "x.mat"
    scipy.io.savemat(p, {"x": np.zeros(3)})
    with pytest.raises(HftpError, match="no FieldTrip data structure.*'trial'.*'fourierspctrm'"):
        FORMATS["fieldtrip"].reader(p, None, None)


def test_bids_reader_brings_positions_tagged_frequencies_and_events(tmp_path):
    from hftp.brain.simulate import simulate_ieeg

    sim = simulate_ieeg(tmp_path / "bids", subjects=2, n_trials=2, seed=0, sfreq=64.0)
    got = FORMATS["bids"].reader(Path(sim.root), None, None)
    assert [g.subject for g in got] == ["01", "02"]
    one = got[0]
    assert one.kind == "raw" and one.modality == "iEEG (simulated)"
    assert one.tagged_hz == sim.truth["tagged_hz"]
    assert one.frame.upper().startswith("MNI") and list(one.coords.columns) == ["x", "y", "z"]
    assert one.events_tsv is not None and one.events_tsv.exists()
    only = FORMATS["bids"].reader(Path(sim.root), "sub-02", None)
    assert [g.subject for g in only] == ["02"]
    with pytest.raises(HftpError, match="no iEEG recording.*subject '09'"):
        FORMATS["bids"].reader(Path(sim.root), "09", None)


# ------------------------------------------------------------------------- FieldTrip spectra


def _struct(dimord="rpttap_chan_freq", n_rep=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rep, 2, 10)) + 1j * rng.standard_normal((n_rep, 2, 10))
    X[:, 1, 3] = 2 * np.exp(1j * 0.5)  # channel "B" phase-locked at 0.4 Hz in every trial
    return SimpleNamespace(
        fourierspctrm=X,
        freq=np.arange(1, 11) / 10.0,
        label=np.array(["A", "B"], dtype=object),
        dimord=dimord,
        trialinfo=np.array([1, 2, 1, 2, 1, 2], dtype=float),
        cumsumcnt=np.full(n_rep, 500.0),
    )


def test_fieldtrip_spectra_by_trial_code():
    s = fieldtrip_spectra(_struct(), Path("x.mat"), {"one": 1, "two": [2]}, [], "P9", {"p": 0.4})
    assert s["sum_x"].dims == ("condition", "channel", "freq")
    assert list(s["n_trials"].values) == [3, 3] and s.hftp.sfreq == pytest.approx(50.0)
    assert s.hftp.tagged_hz == {"p": 0.4} and set(s["subject"].values) == {"P9"}
    i = at_freq(itc(s), 0.4)
    assert np.allclose(i.sel(channel="B"), 1.0)
    default = fieldtrip_spectra(_struct(), Path("x.mat"), None, None, "P9", None)
    assert list(default["condition"].values) == ["1", "2"]  # one condition per code
    dropped = fieldtrip_spectra(_struct(), Path("x.mat"), None, [2], "P9", None)
    assert list(dropped["condition"].values) == ["1"]


def test_fieldtrip_spectra_need_single_trials():
    with pytest.raises(ValueError, match="dimord 'chan_freq'.*keeptrials='yes'"):
        fieldtrip_spectra(_struct("chan_freq"), Path("x.mat"), None, (), "P9", None)


# ------------------------------------------------------------------------- clear messages


def test_duplicate_channel_names_in_a_brainvision_header_are_named(raw_files, tmp_path):
    import shutil

    for f in raw_files["brainvision"].parent.glob("rec.*"):
        if f.suffix in (".vhdr", ".vmrk", ".eeg"):
            shutil.copy(f, tmp_path / f.name)
    vhdr = tmp_path / "rec.vhdr"
    vhdr.write_text(vhdr.read_text().replace("Ch2=E2", "Ch2=E1"))
    with pytest.raises(ValueError, match="names channel\\(s\\) 'E1' \\(2 times\\).*unique"):
        FORMATS["brainvision"].reader(vhdr, None, None)


def test_duplicate_channel_names_renamed_by_mne_are_said_plainly(raw_files, tmp_path):
    data = bytearray(raw_files["edf"].read_bytes())
    i = data.find(b"E2")
    data[i : i + 2] = b"E1"
    (tmp_path / "dup.edf").write_bytes(bytes(data))
    with pytest.warns(UserWarning, match="names channel.*more than once.*rename them"):
        got = FORMATS["edf"].reader(tmp_path / "dup.edf", None, None)
    assert len(set(got.obj.ch_names)) == 3


def test_bids_without_electrodes_warns_that_regions_are_unknown(tmp_path):
    from hftp.brain.simulate import simulate_ieeg

    sim = simulate_ieeg(tmp_path / "bids", subjects=1, n_trials=2, seed=0, sfreq=64.0)
    for f in Path(sim.root).rglob("*_electrodes.tsv"):
        f.unlink()
    with pytest.warns(UserWarning, match="no electrodes.tsv.*regions.*unknown"):
        got = FORMATS["bids"].reader(Path(sim.root), None, None)
    assert got[0].coords is None
    assert got[0].dataset


def test_duplicate_names_in_electrodes_tsv_are_refused(tmp_path):
    from hftp.brain.simulate import simulate_ieeg

    sim = simulate_ieeg(tmp_path / "bids", subjects=1, n_trials=2, seed=0, sfreq=64.0)
    tsv = next(Path(sim.root).rglob("*_electrodes.tsv"))
    lines = tsv.read_text().splitlines()
    lines[2] = lines[1].split("\t")[0] + "\t" + "\t".join(lines[2].split("\t")[1:])
    tsv.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match="electrodes|'name' column.*more than once"):
        FORMATS["bids"].reader(Path(sim.root), None, None)
