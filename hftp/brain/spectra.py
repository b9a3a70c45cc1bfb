"""Brain epochs → the same Spectra as model activations.

:func:`brain_spectra` drops the onset response of every epoch, trims the epochs so that every
tagged frequency falls on an FFT bin, leaves out NaN and flat channels (with a warning naming
them), removes each trial's linear trend (``detrend="linear"``, the default; see below), and
accumulates the FFT of every trial into a Spectra with dims
``(condition, channel, freq)`` and channel coords ``subject, region, hemisphere, x, y, z`` (MNI mm).
:func:`hftp.itc`, :func:`hftp.evoked_amplitude`, :func:`hftp.snr` and :func:`hftp.find_tagged`
then work unchanged. A list of epochs (several subjects) is pooled along ``channel``.

Why detrend. A sustained or ramping trial-locked slow potential (a DC shift after stimulus onset, a
slow drift toward it) is the same in every trial, so it stays in the evoked spectrum, where a ramp
has an amplitude falling as 1/f. With 4-s windows its power swamps the neighbor bins of 1 Hz
(0.25 and 0.5 Hz), and the neighbor F-test of :func:`hftp.find_tagged` loses all power there.
Decided by simulation (``benchmarks/brain_slow_potentials.py``: 250 Hz, 4-s windows after a 1-s
onset drop, 30 trials, 1/f noise and per-trial drifts, 300 null and 100 channels with a planted
1-SD 1 Hz response, BH at q = 0.05): with a 3-SD shift plus ramp, the F-test on the raw FFT found
0% of the planted channels; per-trial linear detrending before the FFT found 100% (null 0.8% after
BH; raw null rate 0.042 at α = 0.05), and 89–100% for an exponential approach to the shift of up
to 10 SD. A log-linear fit of the neighbor spectrum (6 neighbors per side, on the raw FFT) found
0–80%: the spectrum of a slow potential plus 1/f noise bends, and a line over the neighbors
overestimates the middle. Detrending removes a linear trend exactly and keeps the F-test's null
(F(2, 2m)). What it cannot remove is a step inside the analysed window: drop the onset stretch
(``drop_onset``) so that the window starts after it. Detrending also takes from a response at the
lowest bins the part that correlates with a line: at most about 0.6/k² of the amplitude at bin k
(4% at 1 Hz in a 4-s window, for the sine phase; the cosine phase loses almost nothing).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from hftp._validation import InvalidValueError, check_float, check_option, check_type
from hftp.brain.montage import channel_coords, channel_positions
from hftp.brain.reading import recording_meta
from hftp.brain.subjects import concat_subjects
from hftp.spectral.accessor import check_spectra
from hftp.spectral.accumulate import SpectraAccumulator, rfft_trials
from hftp.spectral.bins import bin_step

__all__ = ["brain_spectra", "DETRENDS", "linear_detrend"]

logger = logging.getLogger("hftp")

#: The MNE channel types a brain Spectra keeps.
_DATA_TYPES = {"eeg": True, "seeg": True, "ecog": True, "dbs": True, "meg": True}


def linear_detrend(x: np.ndarray) -> np.ndarray:
    """Each trial minus its least-squares line along the last axis (time).

    Parameters
    ----------
    x : ndarray, shape (..., n_times)
        Real trials.

    Returns
    -------
    ndarray, shape (..., n_times)
        The residuals of a straight-line fit per trial and channel (float64).
    """
    x = np.asarray(x, dtype=float)
    t = np.arange(x.shape[-1], dtype=float)
    t -= t.mean()
    mean = x.mean(axis=-1, keepdims=True)
    slope = (x @ t)[..., None] / (t @ t) if t.size > 1 else 0.0
    return x - mean - slope * t


#: The per-trial detrending applied before the FFT: name → function of (..., n_times) trials.
DETRENDS = {"linear": linear_detrend, None: np.asarray}


def _bad_channels(data: np.ndarray, names: Sequence[str]) -> list[int]:
    """Indices of channels with NaN/inf or no variance; warns naming them."""
    finite = np.all(np.isfinite(data), axis=(0, 2))
    flat = np.zeros(len(names), bool)
    flat[finite] = np.ptp(data[:, finite], axis=(0, 2)) <= 1e-20
    bad = np.flatnonzero(~finite | flat)
    if bad.size:
        desc = [f"{names[i]} ({'NaN' if not finite[i] else 'flat'})" for i in bad]
        warnings.warn(
            f"Excluding {bad.size} channel(s) with NaN or flat signals: {', '.join(desc)}. "
            "Check the recording or mark them bad before loading.",
            UserWarning,
            stacklevel=3,
        )
    return bad.tolist()


def brain_spectra(
    epochs_or_spectra,
    drop_onset: float = 1.0,
    tagged_hz: Mapping[str, float] | None = None,
    *,
    conditions: Sequence[str] | None = None,
    regions: bool = True,
    atlas: str | os.PathLike | None = None,
    labels: str | os.PathLike | None = None,
    max_distance_mm: float = 2.0,
    keep_trials: bool = True,
    include_bads: bool = False,
    detrend: str | None = "linear",
):
    """FFT per trial after the onset drop, accumulated into a brain Spectra.

    Parameters
    ----------
    epochs_or_spectra : mne.Epochs, Spectra, or a list of them
        From :func:`hftp.read_recording` (n_trials, n_channels, n_times). A Spectra passes
        through (its ``tagged_hz`` may be set); a list is processed item by item and pooled with
        :func:`hftp.concat_subjects`.
    drop_onset : float
        Seconds dropped at the start of every epoch (the onset response). Default 1.0.
    tagged_hz : dict, optional
        Level → Hz. Default: what :func:`hftp.read_recording` carried. Required otherwise.
    conditions : list of str, optional
        Conditions to keep (default all). A missing one is an error.
    regions : bool
        Assign atlas regions from MNI positions (default True). Positions in another frame are
        skipped with a warning unless ``regions=False``.
    atlas, labels : path, optional
        Atlas volume and label table (default AAL), see :func:`hftp.brain.anatomy.assign_regions`.
    max_distance_mm : float
        Snap contacts just off a labelled voxel (e.g. surface ECoG) to the nearest label within
        this distance. Default 2 mm.
    keep_trials : bool
        Keep per-trial coefficients at the tagged bins (``trial_x``) for trial-level tests.
    include_bads : bool
        Keep the channels marked bad in ``epochs.info["bads"]`` (default False: they are left
        out, as MNE does, with a note naming them).
    detrend : {"linear", None}
        Remove each trial's least-squares line (over the analysed window, after the onset drop)
        before the FFT. Default ``"linear"``: it keeps the neighbor F-test's power under
        sustained and ramping slow potentials (see the module docstring); ``None`` keeps the
        raw window. Recorded in ``attrs["detrend"]``. Spectra passed through are not changed.

    Returns
    -------
    spectra : xarray.Dataset
        Dims ``(condition, channel, freq)``; channel coords ``subject, region, hemisphere, x, y, z``
        (MNI mm, NaN when unknown), ``atlas_label``, ``label`` (channel name), ``ch_type``. The
        epoch length is trimmed to the longest stretch that puts every tagged frequency on a bin.
        attrs carry the provenance of the data: ``source`` (the file), ``dataset``,
        ``modality`` and ``source_kind`` (``"simulated"``, ``"real"`` or ``"unknown"``), and
        ``bads`` (the channels left out as marked bad).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import hftp
    >>> sim = hftp.simulate_ieeg(Path(tempfile.mkdtemp()) / "bids", subjects=1, n_trials=4, seed=0)
    >>> spectra = hftp.brain_spectra(hftp.read_recording(sim.root))
    >>> dict(spectra.sizes)  # 12 s trials at 256 Hz, 1 s onset dropped
    {'condition': 3, 'channel': 12, 'freq': 1408, 'trial': 4, 'tagged_freq': 3}
    >>> spectra.hftp.tagged_hz
    {'unit': 4.0, 'phrase': 2.0, 'sentence': 1.0}
    """
    import xarray as xr

    if isinstance(epochs_or_spectra, list | tuple):
        return concat_subjects(
            [
                brain_spectra(
                    e,
                    drop_onset,
                    tagged_hz,
                    conditions=conditions,
                    regions=regions,
                    atlas=atlas,
                    labels=labels,
                    max_distance_mm=max_distance_mm,
                    keep_trials=keep_trials,
                    include_bads=include_bads,
                    detrend=detrend,
                )
                for e in epochs_or_spectra
            ]
        )
    check_option("detrend", detrend, DETRENDS)
    if isinstance(epochs_or_spectra, xr.Dataset):
        return _pass_spectra(epochs_or_spectra, tagged_hz, conditions)
    import mne

    check_type(
        "epochs_or_spectra",
        epochs_or_spectra,
        mne.BaseEpochs,
        "mne.Epochs (from hftp.read_recording) or a brain Spectra",
    )
    ep = epochs_or_spectra
    meta = recording_meta(ep.info)
    tagged = dict(tagged_hz or meta.get("tagged_hz") or {})
    if not tagged:
        raise InvalidValueError(
            "Invalid value for 'tagged_hz': the epochs carry no tagged frequencies (the recording "
            "does not declare them); pass e.g. tagged_hz={'unit': 4.0, 'phrase': 2.0} (on the "
            "command line: --tagged-hz unit=4 --tagged-hz phrase=2)."
        )
    sfreq = float(ep.info["sfreq"])
    for lvl, f in tagged.items():
        check_float(f"tagged_hz[{lvl!r}]", f, min_value=0.0, inclusive=False)
        if f >= sfreq / 2:
            raise InvalidValueError(
                f"Invalid value for 'tagged_hz': the {lvl} rate {f} Hz is at or above the Nyquist "
                f"frequency ({sfreq / 2} Hz) of the {sfreq} Hz sampling rate. The sampling rate is too "
                "low for this frequency: use the original recording (do not decimate)."
            )
    drop = int(round(check_float("drop_onset", drop_onset, min_value=0.0) * sfreq))
    n_avail = len(ep.times) - drop
    period = 1.0 / min(tagged.values())
    if n_avail / sfreq < period:
        raise InvalidValueError(
            f"Invalid value for 'tmax': epochs of {len(ep.times) / sfreq:.3g} s minus drop_onset="
            f"{drop_onset} s leave {max(n_avail, 0) / sfreq:.3g} s, shorter than the tagged period "
            f"{period:.3g} s (1/{min(tagged.values())} Hz). Use longer epochs or a smaller drop_onset."
        )
    step = bin_step(tagged.values(), sfreq)
    n = (n_avail // step) * step
    if n < period * sfreq:
        raise InvalidValueError(
            f"Invalid value for 'tagged_hz': no epoch length up to {n_avail} samples at {sfreq} Hz puts "
            f"all of {tagged} on exact FFT bins. Use epochs lasting a whole number of tagged periods."
        )
    if n < n_avail:
        logger.info("trimming epochs to %d samples so all tagged frequencies fall on bins", n)
    names = list(ep.info["ch_names"])
    marked = [] if include_bads else [b for b in ep.info["bads"] if b in names]
    picks = mne.pick_types(ep.info, exclude=marked, **_DATA_TYPES)
    if marked:
        logger.info(
            "leaving out %d channel(s) marked bad in info['bads']: %s (include_bads=True keeps "
            "them)",
            len(marked),
            ", ".join(marked),
        )
    if picks.size == 0:
        why = f" once the {len(marked)} marked bad are left out" if marked else ""
        raise InvalidValueError(
            f"Invalid value for 'epochs_or_spectra': the epochs hold no EEG/iEEG channels{why}."
            + (" Pass include_bads=True to keep the bad channels." if marked else "")
        )
    conds = list(ep.event_id) if conditions is None else list(conditions)
    missing = [c for c in conds if c not in ep.event_id]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'conditions': {missing} not in the recording; it has "
            f"{sorted(ep.event_id)}."
        )
    data = {c: ep[c].get_data(picks=picks)[..., drop : drop + n] for c in conds}
    bad = set(_bad_channels(np.concatenate(list(data.values())), [names[i] for i in picks]))
    good = [j for j in range(picks.size) if j not in bad]
    if not good:
        raise InvalidValueError(
            "Invalid value for 'epochs_or_spectra': every channel is NaN or flat."
        )
    chs = [names[picks[j]] for j in good]
    xyz, frame = channel_positions(ep, chs)
    types = ep.get_channel_types(picks=[picks[j] for j in good])
    subj = str(meta.get("subject") or (ep.info.get("subject_info") or {}).get("his_id") or "sub")
    coords = channel_coords(
        chs,
        subj,
        xyz,
        frame,
        regions=regions,
        atlas=atlas,
        labels=labels,
        ch_types=types,
        max_distance_mm=max_distance_mm,
    )
    from hftp.io import provenance

    acc = SpectraAccumulator(
        channel_dims=("channel",),
        channel_coords=coords,
        freqs=np.fft.rfftfreq(n, 1 / sfreq)[1:],
        sfreq=sfreq,
        tagged_hz=tagged,
        n_times=n,
        kind="brain",
        keep_trials=keep_trials,
        attrs=provenance(
            subject=subj,
            drop_onset=float(drop_onset),
            coord_frame=str(frame),
            source=str(meta.get("source", "")),
            dataset=str(meta.get("dataset") or meta.get("source", "")),
            source_kind=_source_kind(meta),
            bads=json.dumps(marked),
            detrend=str(detrend).lower(),
            **({"modality": meta["modality"]} if meta.get("modality") else {}),
        ),
    )
    for c in conds:
        acc.add(c, rfft_trials(DETRENDS[detrend](data[c][:, good])))
    return acc.to_dataset()


def _source_kind(meta: Mapping) -> str:
    """ "simulated" or "real" for a recording hftp read (from what the file says), else "unknown"."""
    if not meta:
        return "unknown"
    text = f"{meta.get('modality', '')} {meta.get('dataset', '')}".lower()
    return "simulated" if "simulated" in text else "real"


def _pass_spectra(s, tagged_hz, conditions):
    """A Spectra given to :func:`brain_spectra`: select conditions, set ``tagged_hz``."""
    check_spectra(s, "epochs_or_spectra")
    if conditions is not None:
        missing = [c for c in conditions if c not in s["condition"].values]
        if missing:
            raise InvalidValueError(
                f"Invalid value for 'conditions': {missing} not in the Spectra; it has "
                f"{list(s['condition'].values)}."
            )
        s = s.sel(condition=list(conditions))
    if tagged_hz:
        from hftp.spectral.bins import bin_index

        for lvl, f in tagged_hz.items():
            bin_index(s["freq"].values, float(f), name=f"tagged_hz[{lvl!r}]")
        s = s.assign_attrs(tagged_hz=json.dumps({k: float(v) for k, v in tagged_hz.items()}))
    return s
