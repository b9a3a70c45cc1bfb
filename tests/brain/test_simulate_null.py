"""simulate_ieeg(snr=0): nothing is planted, so the ground truth has no responsive contact."""

from __future__ import annotations

import pytest

from hftp.brain.simulate import simulate_ieeg


def test_snr_zero_ground_truth_has_no_responsive_contacts(tmp_path):
    sim = simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, snr=0.0, seed=0)
    flags = [v for c in sim.truth["subjects"]["01"]["contacts"].values()
             for lv in c["responsive"].values() for v in lv.values()]  # fmt: skip
    assert flags and not any(flags)
    sim = simulate_ieeg(tmp_path / "t", subjects=1, n_trials=2, snr=0.5, seed=0)
    flags = [v for c in sim.truth["subjects"]["01"]["contacts"].values()
             for lv in c["responsive"].values() for v in lv.values()]  # fmt: skip
    assert any(flags)


def test_existing_simulation_refused_unless_overwrite(tmp_path):
    simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, seed=0)
    with pytest.raises(ValueError, match="already holds a simulated.*overwrite=True"):
        simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, seed=0)
    simulate_ieeg(tmp_path / "s", subjects=1, n_trials=2, seed=1, overwrite=True)
