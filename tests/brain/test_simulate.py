"""The simulated BIDS iEEG data set: layout, labels, recovery of the planted responses, and the
item (stream) each trial played, kept by the reader."""

from __future__ import annotations

import json

import numpy as np
import pytest

import hftp
import hftp.brain as brain
from hftp.brain.simulate import simulate_ieeg

Q = 0.05


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim") / "bids"
    return simulate_ieeg(out, subjects=2, n_trials=12, seed=1, sfreq=128.0)


def test_bids_layout_and_simulated_labels(sim):
    root = sim.root
    desc = json.loads((root / "dataset_description.json").read_text())
    assert "SIMULATED" in desc["Name"]
    assert "SIMULATED" in (root / "README").read_text()
    truth = json.loads(sim.truth_path.read_text())
    assert truth["simulated"] is True and "SIMULATED" in truth["description"]
    ieeg = root / "sub-01" / "ieeg"
    for pat in (
        "*_ieeg.vhdr",
        "*_events.tsv",
        "*_channels.tsv",
        "*_space-MNI152*_electrodes.tsv",
        "*_space-MNI152*_coordsystem.json",
    ):
        assert list(ieeg.glob(pat)), pat
    cs = json.loads(next(ieeg.glob("*_coordsystem.json")).read_text())
    assert cs["iEEGCoordinateSystem"].startswith("MNI")
    assert json.loads((root / "task-listening_events.json").read_text())["Simulated"] is True


def test_same_seed_same_data(tmp_path):
    a = simulate_ieeg(tmp_path / "a", subjects=1, n_trials=2, seed=5, sfreq=64.0)
    b = simulate_ieeg(tmp_path / "b", subjects=1, n_trials=2, seed=5, sfreq=64.0)
    fa = next((tmp_path / "a").rglob("*.eeg")).read_bytes()
    fb = next((tmp_path / "b").rglob("*.eeg")).read_bytes()
    assert fa == fb and a.truth["subjects"] == b.truth["subjects"]


def _truth_table(sim, spectra, condition):
    rows = []
    for ch in spectra["channel"].values:
        sub, name = str(ch).split("/")
        rows.append(sim.truth["subjects"][sub]["contacts"][name]["responsive"][condition])
    return rows


def test_simulated_brain_round_trip_recovers_planted_contacts(sim):
    eps = brain.read_subjects(sim.root)
    assert isinstance(eps, list) and len(eps) == 2
    s = brain.brain_spectra(eps)
    # regions recovered from the MNI positions match the planted regions
    for ch, reg in zip(s["channel"].values, s["region"].values, strict=True):
        sub, name = str(ch).split("/")
        assert sim.truth["subjects"][sub]["contacts"][name]["region"] == reg
    tp = fn = fp = tn = 0
    for cond in s["condition"].values:
        truth = _truth_table(sim, s, str(cond))
        levels = list(truth[0])
        res = hftp.find_tagged(
            s, condition=str(cond), q=Q, levels=levels, mode_params={"measure": "itc"}
        )
        sig = {lv: res["significant"].sel(level=lv).values for lv in levels}
        for lv in levels:
            want = np.array([t[lv] for t in truth])
            got = np.asarray(sig[lv], bool)
            tp += int((want & got).sum())
            fn += int((want & ~got).sum())
            fp += int((~want & got).sum())
            tn += int((~want & ~got).sum())
    sensitivity = tp / (tp + fn)
    fdp = fp / max(fp + tp, 1)
    print(
        f"round trip: TP={tp} FN={fn} FP={fp} TN={tn} sensitivity={sensitivity:.3f} FDP={fdp:.3f}"
    )
    assert sensitivity >= 0.9, (tp, fn, fp, tn)
    assert fdp <= 2 * Q, (tp, fn, fp, tn)


def test_simulated_brain_condition_profile_is_planted(tmp_path):
    prof = {
        "STG_L": {"sentences": {"phrase": 1.0}, "phrases": {"phrase": 0.0}, "random-words": {}},
        "MFG_R": {},
    }
    sim = simulate_ieeg(
        tmp_path / "p", subjects=1, n_trials=10, seed=2, sfreq=64.0, responses=prof, snr=1.0
    )
    s = brain.brain_spectra(brain.read_subjects(sim.root))
    from hftp.spectral.measures import at_freq, itc

    i = at_freq(itc(s), 2.0)
    stg = s["region"] == "STG_L"
    assert float(i.sel(condition="sentences").where(stg, drop=True).min()) > 0.8
    assert float(i.sel(condition="phrases").where(stg, drop=True).max()) < 0.75
    assert sim.truth["responses"]["STG_L"]["phrases"]["phrase"] == 0.0


def test_bad_simulator_input(tmp_path):
    with pytest.raises(ValueError, match="'regions'.*Did you mean"):
        simulate_ieeg(tmp_path / "x", regions=["STG_l"])
    with pytest.raises(ValueError, match="'responses'"):
        simulate_ieeg(tmp_path / "x", responses={"STG_L": {"syllable": 1.0}})
    with pytest.raises(ValueError, match="'sfreq'.*too low"):
        simulate_ieeg(tmp_path / "x", sfreq=6.0)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    with pytest.raises(ValueError, match="'out_dir'.*not an earlier simulated"):
        simulate_ieeg(tmp_path / "mine")


def _responsive_flags(sim):
    contacts = sim.truth["subjects"]["01"]["contacts"].values()
    return [v for c in contacts for lv in c["responsive"].values() for v in lv.values()]


def test_snr_zero_ground_truth_has_no_responsive_contacts(tmp_path):
    flags = _responsive_flags(simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, snr=0.0))
    assert flags and not any(flags)
    assert any(_responsive_flags(simulate_ieeg(tmp_path / "t", subjects=1, n_trials=2, snr=0.5)))


def test_existing_simulation_refused_unless_overwrite(tmp_path):
    simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, seed=0)
    with pytest.raises(ValueError, match="already holds a simulated.*overwrite=True"):
        simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, seed=0)
    simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, seed=1, overwrite=True)


def test_overwrite_never_deletes_files_the_simulator_did_not_write(tmp_path):
    from hftp._paths import MANIFEST

    sim = simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, seed=0)
    (tmp_path / "s" / "my_notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="'out_dir'.*did not write.*'my_notes.txt'"):
        simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, seed=1, overwrite=True)
    assert (tmp_path / "s" / "my_notes.txt").read_text() == "mine"
    (tmp_path / "s" / MANIFEST).unlink()  # as an older hftp wrote it: recognised by its files
    with pytest.raises(ValueError, match="did not write, e.g. 'my_notes.txt'"):
        simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, seed=1, overwrite=True)
    (tmp_path / "s" / "my_notes.txt").unlink()
    simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, seed=1, overwrite=True)
    assert sim.truth_path.is_file() and (tmp_path / "s" / MANIFEST).is_file()


# ------------------------------------------------------------------------- items


def test_simulator_writes_items_and_the_reader_keeps_them(tmp_path):
    import pandas as pd

    from hftp.brain import item_epochs
    from hftp.brain.reading import read_recording
    from hftp.brain.spectra import brain_spectra
    from hftp.stimuli import by_item, make_stimuli

    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):  # 2-unit phrases at 4 Hz
        stim = make_stimuli("en", design=["sentences", "random-words"], n_sequences=3, seed=0)
    sim = simulate_ieeg(tmp_path / "bids", stim=stim, subjects=1, contacts_per_region=1, seed=0)
    tsv = next((tmp_path / "bids").rglob("*_events.tsv"))
    events = pd.read_csv(tsv, sep="\t")
    assert "item" in events.columns and events["item"].nunique() == len(events) == 6
    ep = read_recording(sim.root)
    assert list(ep.metadata.columns) == ["condition", "item"]
    assert all(
        i.startswith(c + "/")
        for c, i in zip(ep.metadata["condition"], ep.metadata["item"], strict=True)
    )
    spec = brain_spectra(item_epochs(ep))
    items = by_item(stim)
    assert sorted(map(str, spec["condition"].values)) == sorted(items.conditions)
    # the model is fed each item's word list: the same streams, one condition per item
    for (_, c, words), (_, c_item, words_item) in zip(
        stim.sequences(), items.sequences(), strict=True
    ):
        assert words == words_item and c_item.startswith(c + "/")
