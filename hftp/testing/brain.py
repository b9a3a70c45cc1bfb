"""A simulated BIDS iEEG data set, written and read back (known responsive contacts)."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["simulated_brain"]


def simulated_brain(path: str | os.PathLike, *, seed: int = 0, **simulate_kwargs: Any):
    """Write a simulated BIDS sEEG data set to ``path`` and read it back.

    Parameters
    ----------
    path : path-like
        An empty or new folder.
    seed : int
        Seed of the simulation.
    **simulate_kwargs
        Passed to :func:`hftp.simulate_ieeg` (e.g. ``snr``, ``responses``, ``n_subjects``).

    Returns
    -------
    epochs : mne.Epochs or list of mne.Epochs
        As :func:`hftp.read_recording` returns them.
    truth : SimulatedIEEG
        What :func:`hftp.simulate_ieeg` returned (the ground truth and its path).
    """
    from hftp.brain.reading import read_subjects
    from hftp.brain.simulate import simulate_ieeg

    truth = simulate_ieeg(path, seed=seed, **simulate_kwargs)
    return read_subjects(path), truth
