"""One reader per recording format, and the registry :data:`FORMATS` that
:func:`hftp.read_recording` picks from (by file ending, or ``fmt=``).

Every reader takes ``(path, subject, task)`` and returns a :class:`Loaded` record (a list of them
for a BIDS root with several subjects): the MNE object, what kind it is, and what the file says
beside the data (positions, tagged frequencies, events, signs of truncation). BIDS iEEG goes
through mne-bids; EDF/BDF, BrainVision and FIF through MNE; FieldTrip ``.mat`` files hold time
series (read by MNE) or single-trial Fourier spectra, which :func:`fieldtrip_spectra` turns into a
brain Spectra.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np

from hftp._validation import InvalidValueError
from hftp.brain.epochs import Conditions, match_conditions
from hftp.brain.montage import channel_coords
from hftp.spectral.accumulate import SpectraAccumulator

__all__ = ["FORMATS", "Format", "Loaded", "detect_format", "fieldtrip_spectra"]


@dataclass(frozen=True)
class Loaded:
    """What a reader found in a file.

    Attributes
    ----------
    kind : {"raw", "epochs", "ft_freq"}
        A continuous recording (``mne.io.Raw``), epochs (``mne.Epochs``) or a FieldTrip
        frequency-domain struct.
    obj : object
        The MNE object, or the FieldTrip struct.
    subject : str or None
        Subject id, when the file says (else the caller's or the file name).
    coords : pandas.DataFrame, optional
        Contact positions in mm (columns ``x, y, z``, indexed by channel name).
    frame : str, optional
        Their coordinate frame.
    tagged_hz : dict, optional
        Tagged frequencies by level, when the data set declares them.
    modality : str, optional
        E.g. ``"iEEG"`` or ``"iEEG (simulated)"``.
    dataset : str, optional
        The data set's name (a BIDS ``dataset_description.json`` ``Name``).
    events_tsv : Path, optional
        A BIDS events.tsv beside the recording.
    lost_events : int
        Event markers past the end of the data (a truncated file).
    short_of_header : bool
        The file holds fewer data than its header declares.
    """

    kind: Literal["raw", "epochs", "ft_freq"]
    obj: Any
    subject: str | None = None
    coords: Any = None
    frame: str | None = None
    tagged_hz: Mapping[str, float] | None = None
    modality: str | None = None
    dataset: str | None = None
    events_tsv: Path | None = None
    lost_events: int = 0
    short_of_header: bool = False


Reader = Callable[[Path, "str | None", "str | None"], "Loaded | list[Loaded]"]


class Format(NamedTuple):
    """A registered format: the file endings that select it and its reader."""

    endings: tuple[str, ...]
    reader: Reader


# ------------------------------------------------------------------------------------ BIDS


def _read_bids(path: Path, subject: str | None, task: str | None) -> list[Loaded]:
    import mne_bids

    root = path
    while root != root.parent and not (root / "dataset_description.json").exists():
        root = root.parent
    if not (root / "dataset_description.json").exists():
        root = path
    kw: dict[str, Any] = {"datatypes": "ieeg"}
    if subject:
        kw["subjects"] = subject.removeprefix("sub-")
    if task:
        kw["tasks"] = task
    exts = [".vhdr", ".edf", ".bdf", ".fif", ".set", ".nwb"]
    paths = [
        p
        for p in mne_bids.find_matching_paths(root, extensions=exts, suffixes="ieeg", **kw)
        if path == root or str(p.fpath).startswith(str(path))
    ]
    if not paths:
        raise InvalidValueError(
            f"Invalid value for 'path': no iEEG recording found in the BIDS folder {str(path)!r}"
            + (f" for subject {subject!r}" if subject else "")
            + ". Expected sub-*/[ses-*/]ieeg/*_ieeg.(vhdr|edf|fif)."
        )
    by_subject: dict[str, Any] = {}
    for bp in paths:
        by_subject.setdefault(bp.subject, bp)
    return [_read_bids_one(root, bp) for bp in by_subject.values()]


def _read_bids_one(root: Path, bp) -> Loaded:
    import mne_bids

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = mne_bids.read_raw_bids(bp, verbose="error")
    coords, frame = _bids_electrodes(bp)
    ev = bp.copy().update(suffix="events", extension=".tsv", space=None).fpath
    return Loaded(
        kind="raw",
        obj=raw,
        subject=bp.subject,
        coords=coords,
        frame=frame,
        tagged_hz=_bids_tagged(root, bp),
        modality=_bids_modality(root),
        dataset=_bids_name(root),
        events_tsv=Path(ev) if Path(ev).exists() else None,
    )


def _bids_modality(root: Path) -> str:
    """ "iEEG", or "iEEG (simulated)" when the data set describes itself as simulated."""
    try:
        desc = json.loads((root / "dataset_description.json").read_text())
    except (OSError, ValueError):
        return "iEEG"
    text = " ".join(str(desc.get(k, "")) for k in ("Name", "DatasetType", "GeneratedBy")).lower()
    return "iEEG (simulated)" if "simulated" in text else "iEEG"


def _bids_name(root: Path) -> str | None:
    """The data set's ``Name`` from ``dataset_description.json`` (None when absent)."""
    try:
        name = json.loads((root / "dataset_description.json").read_text()).get("Name")
    except (OSError, ValueError, AttributeError):
        return None
    return str(name) if name else None


def _bids_electrodes(bp) -> tuple[Any, str | None]:
    """electrodes.tsv (x, y, z → mm) and the frame from coordsystem.json / the space entity."""
    import pandas as pd

    folder = Path(bp.fpath).parent
    stem = f"sub-{bp.subject}" + (f"_ses-{bp.session}" if bp.session else "")
    tsvs = sorted(folder.glob(f"{stem}*_electrodes.tsv"))
    if not tsvs:
        warnings.warn(
            f"The BIDS recording of subject {bp.subject!r} has no electrodes.tsv in "
            f"{str(folder)!r}: contact positions, hence regions and hemispheres, are unknown "
            "(every region 'unknown'). Add sub-*_electrodes.tsv (name, x, y, z) with its "
            "coordsystem.json to get regions.",
            UserWarning,
            stacklevel=2,
        )
        return None, None
    tsv = tsvs[0]
    cs = Path(str(tsv).replace("_electrodes.tsv", "_coordsystem.json"))
    meta = json.loads(cs.read_text()) if cs.exists() else {}
    system = str(meta.get("iEEGCoordinateSystem", "unknown"))
    space = re.search(r"_space-([A-Za-z0-9]+)_", tsv.name)
    frame = system
    if system.lower() == "other" and space:
        frame = space.group(1)
    scale = {"m": 1000.0, "cm": 10.0, "mm": 1.0}.get(str(meta.get("iEEGCoordinateUnits", "m")), 1.0)
    df = pd.read_csv(tsv, sep="\t", na_values=["n/a"], index_col="name")
    _refuse_duplicates([str(n) for n in df.index], tsv, "the 'name' column of")
    return df[["x", "y", "z"]].astype(float) * scale, frame


def _bids_tagged(root: Path, bp) -> dict[str, float] | None:
    for cand in (root / f"task-{bp.task}_events.json", root / "events.json"):
        if cand.exists():
            t = json.loads(cand.read_text()).get("TaggedFrequencies")
            if t:
                return {str(k): float(v) for k, v in t.items()}
    return None


# ------------------------------------------------------------------------------------ MNE files


def _refuse_duplicates(names: list[str], path: Path, where: str = "") -> None:
    """Refuse channel names given more than once (hftp tells channels apart by name)."""
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    dup = [n for n, k in seen.items() if k > 1]
    if dup:
        shown = ", ".join(f"{n!r} ({seen[n]} times)" for n in dup[:5])
        raise InvalidValueError(
            f"Invalid value for 'path': {where + ' ' if where else ''}{str(path)!r} names "
            f"channel(s) {shown} more than once; channel names must be unique, since hftp tells "
            "channels (and their positions) apart by name. Rename the duplicates in the file "
            "(e.g. 'E1' and 'E1b')."
        )


def _vhdr_channel_names(path: Path) -> list[str]:
    """The channel names of a BrainVision header's ``[Channel Infos]`` section."""
    names, inside = [], False
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    for line in lines:
        s = line.strip()
        if s.startswith("["):
            inside = s.lower() == "[channel infos]"
        elif inside and re.match(r"Ch\d+=", s):
            names.append(s.split("=", 1)[1].split(",", 1)[0].replace("\\1", ","))
    return names


def _mne_raw(fn_name: str) -> Reader:
    """A reader for the ``mne.io`` function ``fn_name`` (EDF, BDF, BrainVision)."""

    def read(path: Path, subject: str | None, task: str | None) -> Loaded:
        import mne

        if fn_name == "read_raw_brainvision":  # MNE fails on duplicates with a message on units
            _refuse_duplicates(_vhdr_channel_names(path), path, "the header")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            raw = getattr(mne.io, fn_name)(path, preload=False, verbose="warning")
        lost, short = 0, False
        for w in caught:  # MNE's own warnings are passed on; those that mean "truncated" are kept
            msg = str(w.message)
            if "Channel names are not unique" in msg:
                dup = re.search(r"duplicates for: (\{.*?\})", msg)
                warnings.warn(
                    f"{str(path)!r} names channel(s) {dup.group(1) if dup else ''} more than once; "
                    "MNE numbered them (e.g. 'E1-0', 'E1-1'). Check which contact is which, and "
                    "rename them in the file so that names are unique.",
                    UserWarning,
                    stacklevel=2,
                )
                continue
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            m = re.search(r"Omitted (\d+) annotation", msg)
            if m:
                lost += int(m.group(1))
            elif "header does not match the file size" in msg:
                short = True
        return Loaded(
            kind="raw",
            obj=raw,
            subject=subject or path.stem,
            lost_events=lost,
            short_of_header=short,
        )

    return read


def _read_fif(path: Path, subject: str | None, task: str | None) -> Loaded:
    import mne

    if re.search(r"[-_]epo\.fif(\.gz)?$", path.name):
        return Loaded("epochs", mne.read_epochs(path, verbose="warning"), subject)
    try:
        return Loaded("raw", mne.io.read_raw_fif(path, verbose="warning"), subject)
    except ValueError:
        return Loaded("epochs", mne.read_epochs(path, verbose="warning"), subject)


# ------------------------------------------------------------------------------------ FieldTrip


def _read_fieldtrip(path: Path, subject: str | None, task: str | None) -> Loaded:
    import mne
    import scipy.io

    mat = scipy.io.loadmat(path, squeeze_me=True, struct_as_record=False)
    names = [k for k in mat if not k.startswith("__")]
    for name in names:
        st = mat[name]
        if hasattr(st, "_fieldnames") and "fourierspctrm" in st._fieldnames:
            return Loaded("ft_freq", st, subject or path.stem)
    for name in names:
        st = mat[name]
        if hasattr(st, "_fieldnames") and "trial" in st._fieldnames:
            if "trialinfo" in st._fieldnames and np.ndim(st.trial) == 1 and len(st.trial) > 1:
                ep = mne.read_epochs_fieldtrip(path, info=None, data_name=name, trialinfo_column=0)
                return Loaded("epochs", ep, subject or path.stem)
            raw = mne.io.read_raw_fieldtrip(path, info=None, data_name=name)
            return Loaded("raw", raw, subject or path.stem)
    raise InvalidValueError(
        f"Invalid value for 'path': {str(path)!r} holds no FieldTrip data structure (a struct with "
        "'trial' for time-domain data or 'fourierspctrm' for Fourier spectra)."
    )


def fieldtrip_spectra(
    struct,
    path: Path,
    conditions: Conditions | None,
    drop_codes: Iterable[int] | None,
    subject: str,
    tagged_hz: Mapping[str, float] | None,
):
    """A FieldTrip single-trial Fourier struct (``fourierspctrm``) as a brain Spectra.

    Parameters
    ----------
    struct : scipy.io matlab struct
        With ``fourierspctrm`` (n_trials, n_channels, n_freqs), ``freq``, ``label``, and
        optionally ``trialinfo`` (trial codes; first column) and ``cumsumcnt`` (for the sampling
        rate). ``dimord`` must start with ``rpt`` (single trials).
    path : Path
        The file, named in messages and stored as the ``source``.
    conditions : dict, optional
        Condition name → trial code(s). Default: one condition per code.
    drop_codes : iterable of int, optional
        Trial codes to leave out.
    subject : str
        Subject id of every channel.
    tagged_hz : dict, optional
        Tagged frequencies by level.

    Returns
    -------
    spectra : xarray.Dataset
        Dims ``(condition, channel, freq)``; ``sfreq`` NaN when ``cumsumcnt`` is missing.
    """
    dimord = str(getattr(struct, "dimord", "rpttap_chan_freq"))
    if not dimord.startswith("rpt"):
        raise InvalidValueError(
            f"Invalid value for 'path': the FieldTrip spectra in {str(path)!r} have dimord {dimord!r}; "
            "hftp needs single trials ('rpttap_chan_freq': compute them with cfg.keeptrials='yes')."
        )
    X = np.asarray(struct.fourierspctrm)
    freqs = np.atleast_1d(np.asarray(struct.freq, dtype=float))
    labels = [str(x) for x in np.atleast_1d(struct.label)]
    info = np.asarray(getattr(struct, "trialinfo", np.zeros(X.shape[0])))
    codes = (info[:, 0] if info.ndim == 2 else info).astype(int)
    keep = ~np.isin(codes, list(drop_codes or ()))
    events = [(0.0, str(c), int(c), 0.0) for c in codes]
    idx = match_conditions(conditions, events, where=str(path), group=False)
    sfreq = np.nan
    if hasattr(struct, "cumsumcnt") and freqs.size > 1:
        sfreq = float(np.atleast_1d(struct.cumsumcnt)[0] * (freqs[1] - freqs[0]))
    coords = channel_coords(labels, subject, None, None, regions=False)
    acc = SpectraAccumulator(
        channel_dims=("channel",),
        channel_coords=coords,
        freqs=freqs,
        sfreq=sfreq,
        tagged_hz=tagged_hz or {},
        n_times=None,
        kind="brain",
        attrs={"subject": subject, "source": str(path), "format": "fieldtrip"},
    )
    for name, ii in idx.items():
        ii = [i for i in ii if keep[i]]
        if ii:
            acc.add(name, X[ii])
    return acc.to_dataset()


# ------------------------------------------------------------------------------------ registry

#: format name → :class:`Format` (file endings, reader). A folder is read as BIDS.
FORMATS: dict[str, Format] = {
    "bids": Format((), _read_bids),
    "edf": Format((".edf",), _mne_raw("read_raw_edf")),
    "bdf": Format((".bdf",), _mne_raw("read_raw_bdf")),
    "brainvision": Format((".vhdr",), _mne_raw("read_raw_brainvision")),
    "fif": Format((".fif", ".fif.gz"), _read_fif),
    "fieldtrip": Format((".mat",), _read_fieldtrip),
}


def detect_format(path: Path) -> str:
    """The :data:`FORMATS` name for ``path``: a folder is BIDS, a file goes by its ending.

    Parameters
    ----------
    path : Path
        A recording file or a BIDS folder.

    Returns
    -------
    str
        A key of :data:`FORMATS`.

    Raises
    ------
    InvalidValueError
        For an ending no format has; the message lists the formats.
    """
    if path.is_dir():
        return "bids"
    name = path.name.lower()
    for fmt, (ends, _) in FORMATS.items():
        if any(name.endswith(e) for e in ends):
            return fmt
    listed = ", ".join(f"{k} ({'/'.join(e) or 'folder'})" for k, (e, _) in FORMATS.items())
    raise InvalidValueError(
        f"Invalid value for 'path': unsupported file {path.name!r}. Supported formats: {listed}. "
        "Convert the recording to one of these (e.g. with MNE) or pass fmt=... if the ending is unusual."
    )
