"""Small recordings with known answers, shared by the brain tests.

- ``make_raw``: a 3-channel sEEG recording at 100 Hz whose channels E1 and E2 follow 2 Hz in
  condition ``a`` (code 1) and condition ``b`` (code 2) is noise;
- ``raw_files``: that recording written as FIF, EDF and BrainVision;
- ``write_recording``: a scalp-EEG BrainVision or EDF file of given trials, optionally truncated;
- ``ft_freq_file``: a FieldTrip single-trial Fourier file, channel Fz phase-locked at 2 Hz in the
  trials coded 100 and above.
"""

from __future__ import annotations

import warnings

import mne
import numpy as np
import pytest
import scipy.io

SF = 100.0
TAGGED = {"phrase": 2.0, "unit": 4.0}


def _make_raw(n_trials=6, trial_s=5.0, gap_s=1.0, seed=0, codes=True):
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


@pytest.fixture(scope="session")
def make_raw():
    """Builds the 2 Hz recording: ``make_raw(n_trials=6, trial_s=5.0, gap_s=1.0, seed=0, codes=True)``."""
    return _make_raw


@pytest.fixture(scope="session")
def raw_files(tmp_path_factory):
    """The 2 Hz recording as ``{"fif": path, "edf": path, "brainvision": path}``."""
    d = tmp_path_factory.mktemp("rec")
    raw = _make_raw()
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


@pytest.fixture
def write_recording(tmp_path):
    """``write_recording(fmt, descs, trial_s=5.0, gap_s=1.0, keep_s=None)`` → path of a file of
    len(descs) trials (channels Fz, Cz, Pz); ``keep_s`` cuts the data (not the events)."""

    def write(fmt, descs, trial_s=5.0, gap_s=1.0, keep_s=None):
        n = int((len(descs) * (trial_s + gap_s) + gap_s) * SF)
        rng = np.random.default_rng(0)
        info = mne.create_info(["Fz", "Cz", "Pz"], SF, "eeg")
        raw = mne.io.RawArray(rng.standard_normal((3, n)) * 1e-6, info, verbose="error")
        onsets = [gap_s + i * (trial_s + gap_s) for i in range(len(descs))]
        raw.set_annotations(mne.Annotations(onsets, [trial_s] * len(descs), descs))
        path = tmp_path / ("rec.vhdr" if fmt == "brainvision" else "rec.edf")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw.export(path, verbose="error")
        if keep_s is not None:
            data = path.with_suffix(".eeg") if fmt == "brainvision" else path
            header = 0 if fmt == "brainvision" else 256 * 4  # EDF: 256 bytes + 256 per signal
            bytes_per_s = (data.stat().st_size - header) / (n / SF)
            with open(data, "r+b") as fh:
                fh.truncate(int(header + keep_s * bytes_per_s))
        return path

    return write


@pytest.fixture(scope="session")
def ft_freq_file():
    """``ft_freq_file(path, n_rep=20, seed=0)`` writes a FieldTrip Fourier file, returns its codes.

    Trial i has code ``i % 2 * 100 + i``; channel Fz is phase-locked at 2.0 Hz in the codes ≥ 100.
    """

    def write(path, n_rep=20, seed=0):
        rng = np.random.default_rng(seed)
        freqs = np.arange(1, 41) / 10.0
        X = rng.standard_normal((n_rep, 4, 40)) + 1j * rng.standard_normal((n_rep, 4, 40))
        codes = np.array([i % 2 * 100 + i for i in range(n_rep)])
        X[codes >= 100, 0, 19] = 5 * np.exp(1j * 0.3)
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

    return write
