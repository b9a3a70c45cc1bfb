"""``hftp simulate-ieeg``: a SIMULATED BIDS iEEG data set with its ground truth."""

from __future__ import annotations

from pathlib import Path

import typer

from hftp.apps.cli_errors import run as _run
from hftp.apps.cli_options import emit as _emit

__all__ = ["simulate_ieeg_cmd"]

_OVERWRITE_HELP = "Replace existing outputs (refused otherwise)."


def simulate_ieeg_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="BIDS folder to create (SIMULATED data)."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    subjects: int = typer.Option(2, "--subjects", help="Number of subjects."),
    n_trials: int = typer.Option(None, "--n-trials", help="Trials per condition (default 20)."),
    snr: float = typer.Option(0.5, "--snr", help="Response amplitude / noise std."),
    sfreq: float = typer.Option(256.0, "--sfreq", help="Sampling rate (Hz)."),
    fmt: str = typer.Option("brainvision", "--format", help="brainvision or edf."),
    stimuli: Path = typer.Option(None, "--stimuli", help="Stimulus CSV giving the trial design."),
    overwrite: bool = typer.Option(False, "--overwrite", help=_OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Write a SIMULATED BIDS iEEG data set with frequency-tagged contacts and its ground truth.

    Examples:

      hftp simulate-ieeg --out sim_bids --seed 0

      hftp simulate-ieeg --out sim_bids --stimuli stim.csv --subjects 3 --snr 0.3 --json
    """
    from hftp.brain.simulate import simulate_ieeg

    stim = None  # simulate_ieeg checks its folder first: only an earlier simulation is replaced
    if stimuli is not None:
        from hftp.stimuli.core import load_stimuli

        stim = _run(load_stimuli, stimuli)
    sim = _run(
        simulate_ieeg,
        out,
        stim,
        subjects=subjects,
        snr=snr,
        seed=seed,
        sfreq=sfreq,
        fmt=fmt,
        n_trials=n_trials,
        overwrite=overwrite,
    )
    t = sim.truth
    _emit(
        {
            "out": str(sim.root),
            "ground_truth": str(sim.truth_path),
            "simulated": True,
            "subjects": list(t["subjects"]),
            "conditions": list(t["conditions"]),
            "tagged_hz": t["tagged_hz"],
            "contacts_per_subject": len(next(iter(t["subjects"].values()))["contacts"]),
        },
        as_json,
    )
