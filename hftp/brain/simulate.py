"""A simulator of BIDS iEEG (sEEG) data sets with frequency-tagged responses.

Real intracranial language recordings are rarely public, so hftp can write a complete simulated
BIDS iEEG data set: contacts placed in chosen atlas regions (MNI), each responding at chosen levels
(unit/syllable, phrase, sentence) in chosen conditions, over 1/f noise plus line noise. The trial
design follows a :class:`hftp.stimuli.StimulusSet` (one trial per sequence, its length from the
unit rate). The ground truth is written beside the data (``ground_truth.json``). Everything the
simulator writes says that it is simulated.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hftp._validation import (
    InvalidValueError,
    check_float,
    check_int,
    check_option,
    check_out_path,
    check_type,
)
from hftp.io import atomic_dir

__all__ = ["simulate_ieeg", "SimulatedIEEG", "DEFAULT_RESPONSES", "LEVELS"]

logger = logging.getLogger("hftp")

LEVELS = ("unit", "phrase", "sentence")
#: region → level → amplitude (relative to ``snr``); every level applies in the conditions whose
#: design has that structure. Regions with ``{}`` do not respond (they test false positives).
DEFAULT_RESPONSES: dict[str, dict[str, float]] = {
    "A1_L": {"unit": 1.0},
    "STG_L": {"unit": 1.0, "phrase": 1.0, "sentence": 1.0},
    "MTG_L": {"phrase": 1.0, "sentence": 1.0},
    "IFG_L": {"sentence": 1.0},
    "Sensorimotor_L": {},
    "MFG_R": {},
}
MNI_SPACE = "MNI152NLin2009aSym"
_FORMATS = {"brainvision": "BrainVision", "edf": "EDF"}
_DEFAULT_DESIGN = {
    "unit_rate_hz": 4.0,
    "tagged_hz": {"unit": 4.0, "phrase": 2.0, "sentence": 1.0},
    "conditions": {"sentences": LEVELS, "phrases": ("unit", "phrase"), "random-words": ("unit",)},
    "n_units": 48,
}


@dataclass(frozen=True)
class SimulatedIEEG:
    """Where a simulated data set was written, and its ground truth.

    ``os.fspath(sim)`` is the BIDS root, so it can be passed to :func:`hftp.read_recording`.
    """

    root: Path
    truth_path: Path
    truth: dict[str, Any] = field(repr=False)

    def __fspath__(self) -> str:
        return str(self.root)


def _design(stim, n_trials: int | None) -> dict[str, Any]:
    """Conditions (levels present, trial lengths in units), unit rate and tagged frequencies."""
    if stim is None:
        d = dict(_DEFAULT_DESIGN)
        nt = 20 if n_trials is None else n_trials
        d["trials"] = {c: [d["n_units"]] * nt for c in d["conditions"]}
        return d
    from hftp.stimuli.stimulus_set import StimulusSet

    check_type("stim", stim, StimulusSet, "a StimulusSet (hftp.make_stimuli) or None")
    u = stim.units
    rate = stim.sfreq
    tagged = {"unit": rate, **stim.tagged_hz}
    conds, trials = {}, {}
    # structure_hz records which levels a condition's stream really has (a within-sentence
    # shuffle keeps sentence ids but has no phrase or sentence structure)
    structure = stim.meta.get("structure_hz") or {}
    for c, df in u.groupby("condition", sort=False):
        if str(c) in structure:
            present = structure[str(c)]
            lv = ["unit"] + [lvl for lvl in ("phrase", "sentence") if lvl in present]
        else:
            lv = ["unit"] + [lvl for lvl in ("phrase", "sentence") if (df[lvl] >= 0).any()]
        conds[str(c)] = tuple(lvl for lvl in lv if lvl in tagged)
        lens = df.groupby("sequence").size().tolist()
        trials[str(c)] = lens if n_trials is None else lens[:n_trials]
    return {"unit_rate_hz": rate, "tagged_hz": tagged, "conditions": conds, "trials": trials}


def _profile(resp: Mapping[str, Any], design: dict[str, Any]) -> dict[str, dict[str, float]]:
    """condition → level → amplitude for one region's response spec."""
    conds = design["conditions"]
    if resp and all(k in conds for k in resp):  # explicit per-condition profile
        return {c: {lv: float(resp.get(c, {}).get(lv, 0.0)) for lv in conds[c]} for c in conds}
    bad = [k for k in resp if k not in LEVELS]
    if bad:
        raise InvalidValueError(
            f"Invalid value for 'responses': keys {bad} are neither levels {list(LEVELS)} nor "
            f"conditions {list(conds)}. Give level → amplitude, or condition → level → amplitude."
        )
    return {c: {lv: float(resp.get(lv, 0.0)) for lv in conds[c]} for c in conds}


def _pink(n: int, n_ch: int, sfreq: float, rng: np.random.Generator, exponent: float = 1.0):
    """Unit-variance 1/f^exponent noise, shape (n_ch, n)."""
    spec = rng.standard_normal((n_ch, n // 2 + 1)) + 1j * rng.standard_normal((n_ch, n // 2 + 1))
    f = np.fft.rfftfreq(n, 1 / sfreq)
    f[0] = f[1]
    x = np.fft.irfft(spec / f ** (exponent / 2), n=n, axis=-1)
    return x / x.std(axis=-1, keepdims=True)


def simulate_ieeg(
    out_dir: str | os.PathLike,
    stim=None,
    *,
    subjects: int = 2,
    regions: Sequence[str] | None = None,
    responses: Mapping[str, Mapping[str, Any]] | None = None,
    snr: float = 0.5,
    seed: int = 0,
    sfreq: float = 256.0,
    fmt: str = "brainvision",
    contacts_per_region: int = 2,
    n_trials: int | None = None,
    line_freq: float = 50.0,
    line_amplitude: float = 0.5,
    gap_s: float = 1.0,
    task: str = "listening",
    overwrite: bool = False,
):
    """Write a simulated BIDS iEEG data set with frequency-tagged responses and its ground truth.

    Parameters
    ----------
    out_dir : path
        The BIDS root to create. It must not exist, be empty, or hold an earlier simulation
        (which is replaced).
    stim : StimulusSet, optional
        The design: one trial per sequence, of ``n_units / unit_rate_hz`` s; the levels present in a
        condition are those with phrase/sentence ids. Default: 4 Hz units, conditions
        ``sentences`` (unit, phrase 2 Hz, sentence 1 Hz), ``phrases`` (unit, phrase) and
        ``random-words`` (unit), 20 trials of 48 units each.
    subjects : int
        Number of subjects (same regions, different contact positions). Default 2.
    regions : list of str, optional
        Language regions (``hftp/brain/aal_regions.tsv``) holding contacts. Default: the keys of
        ``responses``.
    responses : dict, optional
        region → level → amplitude (each level responds in every condition whose design has it), or
        region → condition → level → amplitude (a condition profile, e.g. to plant a region whose
        profile matches a model layer). Default :data:`DEFAULT_RESPONSES`.
    snr : float
        Response amplitude (for amplitude 1) relative to the broadband noise standard deviation.
    seed : int
        Seeds contact placement, phases and noise.
    sfreq : float
        Sampling rate (Hz). Default 256.
    fmt : {"brainvision", "edf"}
        The file format of the recordings. Default ``"brainvision"``.
    contacts_per_region : int
        Contacts placed in every region, per subject. Default 2.
    n_trials : int, optional
        Trials per condition (default: all sequences of ``stim``, or 20).
    line_freq, line_amplitude : float
        Line noise frequency (Hz) and amplitude relative to the noise std.
    gap_s : float
        Silence between trials (s).
    task : str
        BIDS task name.
    overwrite : bool
        Replace an earlier simulated data set in ``out_dir`` (refused otherwise). A folder that
        holds anything else is never replaced.

    Returns
    -------
    SimulatedIEEG
        ``root``, ``truth_path`` and ``truth`` (dict). The truth lists, per subject and contact,
        its region, MNI position and amplitude per condition and level, and ``responsive`` flags.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import hftp
    >>> sim = hftp.simulate_ieeg(Path(tempfile.mkdtemp()) / "bids", subjects=1, n_trials=4, seed=0)
    >>> sim.truth["conditions"]
    {'sentences': ['unit', 'phrase', 'sentence'], 'phrases': ['unit', 'phrase'], 'random-words': ['unit']}
    >>> sim.truth["responses"]["IFG_L"]["sentences"]  # IFG follows the sentence rate only
    {'unit': 0.0, 'phrase': 0.0, 'sentence': 1.0}
    >>> sorted(p.name for p in (sim.root / "sub-01").rglob("*.vhdr"))
    ['sub-01_task-listening_ieeg.vhdr']
    """
    from hftp.brain.anatomy import region_table, region_voxels

    fmt = check_option("fmt", fmt, _FORMATS)
    subjects = check_int("subjects", subjects, min_value=1)
    n_per = check_int("contacts_per_region", contacts_per_region, min_value=1)
    snr = check_float("snr", snr, min_value=0.0)
    sfreq = check_float("sfreq", sfreq, min_value=0.0, inclusive=False)
    seed = check_int("seed", seed, min_value=0)
    if n_trials is not None:
        n_trials = check_int("n_trials", n_trials, min_value=1)
    responses = dict(DEFAULT_RESPONSES if responses is None else responses)
    regions = list(responses) if regions is None else list(regions)
    known = sorted(set(region_table().values()))
    for r in regions:
        check_option("regions", r, known)
    design = _design(stim, n_trials)
    for lvl, f in design["tagged_hz"].items():
        if f >= sfreq / 2:
            raise InvalidValueError(
                f"Invalid value for 'sfreq': {sfreq} Hz is too low for the {lvl} rate {f} Hz; use at "
                f"least {4 * f} Hz."
            )
    profiles = {r: _profile(responses.get(r, {}), design) for r in regions}
    out = Path(out_dir)
    _check_target(out, overwrite)
    rng = np.random.default_rng(seed)
    truth: dict[str, Any] = {
        "simulated": True,
        "description": "SIMULATED iEEG written by hftp.simulate_ieeg: not a recording.",
        "seed": seed,
        "snr": snr,
        "sfreq": sfreq,
        "unit_rate_hz": design["unit_rate_hz"],
        "tagged_hz": design["tagged_hz"],
        "conditions": {c: list(v) for c, v in design["conditions"].items()},
        "responses": profiles,
        "subjects": {},
    }
    # _check_target allows replacing only an earlier simulation; atomic_dir only hftp's files
    with atomic_dir(out, name="out_dir", writer="hftp.simulate_ieeg", legacy=_legacy_sim) as tmp:
        for s in range(subjects):
            sub = f"{s + 1:02d}"
            truth["subjects"][sub] = _write_subject(
                tmp,
                sub,
                regions,
                profiles,
                design,
                rng,
                n_per,
                snr,
                sfreq,
                fmt,
                line_freq,
                line_amplitude,
                gap_s,
                task,
                region_voxels,
            )
        _write_sidecars(tmp, design, task, truth)
    logger.info("wrote a SIMULATED BIDS iEEG data set to %s", out)
    return SimulatedIEEG(root=out, truth_path=out / "ground_truth.json", truth=truth)


#: what simulate_ieeg writes at the top of its folder (besides sub-*/)
_SIM_FILES = {
    "README",
    ".bidsignore",
    "dataset_description.json",
    "participants.tsv",
    "participants.json",
    "ground_truth.json",
}


def _legacy_sim(folder: Path) -> list[str]:
    """The files of a folder (without manifest) that are not a simulated data set's own:
    empty for a simulated set an older hftp wrote."""
    odd = []
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder)
        if f.is_dir() and not f.is_symlink():
            continue
        top = rel.parts[0]
        if len(rel.parts) == 1:
            ok = top in _SIM_FILES or (top.startswith("task-") and top.endswith("_events.json"))
        else:
            ok = top.startswith("sub-") and rel.name.startswith(top) and not f.is_symlink()
        if not ok:
            odd.append(rel.as_posix())
    return odd


def _check_target(out: Path, overwrite: bool) -> None:
    check_out_path("out_dir", out)
    if out.exists() and not out.is_dir():
        raise InvalidValueError(
            f"Invalid value for 'out_dir': {str(out)!r} is a file; choose a new or empty folder."
        )
    if out.exists() and any(out.iterdir()):
        gt = out / "ground_truth.json"
        try:
            simulated = json.loads(gt.read_text()).get("simulated") is True
        except (OSError, ValueError, AttributeError):
            simulated = False
        if not simulated:
            raise InvalidValueError(
                f"Invalid value for 'out_dir': {str(out)!r} exists and is not an earlier simulated data "
                "set; choose a new or empty folder."
            )
        if not overwrite:
            raise InvalidValueError(
                f"Invalid value for 'out_dir': {str(out)!r} already holds a simulated data set. Pass "
                "overwrite=True (--overwrite) to replace it, or choose another folder."
            )


def _write_subject(
    root,
    sub,
    regions,
    profiles,
    design,
    rng,
    n_per,
    snr,
    sfreq,
    fmt,
    line_freq,
    line_amp,
    gap_s,
    task,
    region_voxels,
) -> dict[str, Any]:
    import mne
    import mne_bids

    names, pos, reg = [], [], []
    for r in regions:
        vox = region_voxels(r)
        pick = vox[rng.choice(len(vox), size=n_per, replace=False)]
        for p in pick:
            names.append(f"C{len(names) + 1:02d}")
            pos.append(p)
            reg.append(r)
    n_ch = len(names)
    from hftp.stimuli.stimulus_set import item_id

    # (condition, length in units, item): the item is the condition's k-th stream, named as
    # hftp.stimuli.stimulus_set.item_id names it, so the model can be fed the same word list
    trials = [
        (c, n_units, item_id(c, k))
        for c, lens in design["trials"].items()
        for k, n_units in enumerate(lens)
    ]
    order = rng.permutation(len(trials))
    rate = design["unit_rate_hz"]
    gap = int(round(gap_s * sfreq))
    lens = [int(round(trials[i][1] / rate * sfreq)) for i in order]
    total = gap + sum(n + gap for n in lens)
    x = _pink(total, n_ch, sfreq, rng)
    t = np.arange(total) / sfreq
    x += line_amp * np.sin(2 * np.pi * line_freq * t + rng.uniform(0, 2 * np.pi, (n_ch, 1)))
    phases = rng.uniform(0, 2 * np.pi, (n_ch, len(LEVELS)))
    onsets, durs, descs, items = [], [], [], []
    start = gap
    for i, n in zip(order, lens, strict=True):
        cond = trials[i][0]
        tt = np.arange(n) / sfreq
        for ch in range(n_ch):
            for li, lvl in enumerate(LEVELS):
                a = profiles[reg[ch]][cond].get(lvl, 0.0)
                if a:
                    f = design["tagged_hz"][lvl]
                    jitter = rng.normal(0, 0.3)
                    x[ch, start : start + n] += (
                        snr * a * np.cos(2 * np.pi * f * tt + phases[ch, li] + jitter)
                    )
        onsets.append(start / sfreq)
        durs.append(n / sfreq)
        descs.append(cond)
        items.append(trials[i][2])
        start += n + gap
    info = mne.create_info(names, sfreq, "seeg")
    info["line_freq"] = line_freq
    raw = mne.io.RawArray(x * 1e-6, info, verbose="error")
    raw.set_annotations(mne.Annotations(onsets, durs, descs))
    mont = mne.channels.make_dig_montage(
        ch_pos={n: p / 1000.0 for n, p in zip(names, pos, strict=True)}, coord_frame="mni_tal"
    )
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw.set_montage(mont, verbose="error")
        bp = mne_bids.BIDSPath(subject=sub, task=task, datatype="ieeg", root=root)
        event_id = {c: k for k, c in enumerate(design["conditions"], start=1)}
        mne_bids.write_raw_bids(
            raw,
            bp,
            events=None,
            event_id=event_id,
            format=_FORMATS[fmt],
            allow_preload=True,
            montage=mont,
            overwrite=True,
            verbose="error",
        )
    _add_items(bp, items)
    _to_mni152(root / f"sub-{sub}" / "ieeg")
    contacts = {}
    for ch, (n, p, r) in enumerate(zip(names, pos, reg, strict=True)):
        amp = profiles[r]
        contacts[n] = {
            "region": r,
            "mni": [float(v) for v in p],
            "amplitude": amp,
            "phase": {lvl: float(phases[ch, li]) for li, lvl in enumerate(LEVELS)},
            # with snr=0 nothing is written into the data, so no contact is responsive
            "responsive": {
                c: {lv: bool(a > 0 and snr > 0) for lv, a in amp[c].items()} for c in amp
            },
        }
    return {"contacts": contacts, "n_trials": {c: len(v) for c, v in design["trials"].items()}}


def _add_items(bp, items: list[str]) -> None:
    """Add the ``item`` column (which stream each trial played) to the subject's events.tsv."""
    import pandas as pd

    from hftp.io import atomic_path

    path = Path(bp.copy().update(suffix="events", extension=".tsv").fpath)
    df = pd.read_csv(path, sep="\t", keep_default_na=False)
    if len(df) != len(items):  # pragma: no cover - mne_bids writes one row per annotation
        raise RuntimeError(f"{path}: {len(df)} events for {len(items)} trials")
    df["item"] = items
    with atomic_path(path) as tmp:
        df.to_csv(tmp, sep="\t", index=False)


def _to_mni152(folder: Path) -> None:
    """Label the positions as MNI152 (mne-bids names MNE's 'mni_tal' frame 'fsaverage')."""
    from hftp.io import write_json

    for f in sorted(folder.glob("*_space-fsaverage_*")):
        new = folder / f.name.replace("_space-fsaverage_", f"_space-{MNI_SPACE}_")
        os.replace(f, new)
        if new.name.endswith("_coordsystem.json"):
            meta = json.loads(new.read_text())
            meta["iEEGCoordinateSystem"] = MNI_SPACE
            meta["iEEGCoordinateSystemDescription"] = "MNI152 (simulated positions in AAL regions)"
            write_json(new, meta)


def _write_sidecars(root: Path, design, task: str, truth) -> None:
    import mne_bids

    from hftp.io import write_json, write_text

    mne_bids.make_dataset_description(
        path=root,
        name="SIMULATED frequency-tagging iEEG (hftp.simulate_ieeg)",
        authors=["hftp simulator (simulated data)"],
        data_license="CC0",
        generated_by=[{"Name": "hftp.simulate_ieeg", "Description": "simulated data"}],
        overwrite=True,
        verbose="error",
    )
    write_json(
        root / f"task-{task}_events.json",
        {
            "trial_type": {
                "Description": "Condition of the simulated trial (SIMULATED)",
                "Levels": {
                    c: f"levels present: {', '.join(v)}" for c, v in design["conditions"].items()
                },
            },
            "TaggedFrequencies": design["tagged_hz"],
            "Simulated": True,
        },
    )
    write_json(root / "ground_truth.json", truth)
    write_text(root / ".bidsignore", "ground_truth.json\n")
    write_text(
        root / "README",
        (
            "SIMULATED DATA: this BIDS iEEG data set was generated by hftp.simulate_ieeg.\n"
            "It is not a recording of any person. Contacts sit at MNI positions inside atlas regions and\n"
            "respond at frequency-tagged rates over 1/f and line noise; ground_truth.json lists which.\n"
        ),
    )
