"""The eeg-phrases scalp-EEG data set (Burroughs, Kazanina & Houghton, 2021, Sci. Rep. 11):
its conditions and event codes, loading every participant, channel- then participant-averaged
ITC, the published phrase-rate check, and fetching the public deposit.

This is scalp EEG, not intracranial: every result says "EEG (scalp)". The word streams the
participants heard are read by :func:`hftp.stimuli.load_word_streams` (their file-name prefixes
are :data:`hftp.stimuli.files.EEG_PHRASES_STREAM_PREFIXES`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Any

from hftp._validation import InvalidValueError, check_in_path
from hftp.spectral.measures import itc

__all__ = [
    "EEG_PHRASES_CONDITIONS",
    "EEG_PHRASES_TAGGED_HZ",
    "EEG_PHRASES_BAD_CODES",
    "EEG_PHRASES_PARTIAL",
    "EEG_PHRASES_PARTIAL_CONDITIONS",
    "EEG_PHRASES_URL",
    "EEG_LABEL",
    "EEG_DATASET",
    "read_eeg_phrases",
    "subject_itc",
    "grand_average_itc",
    "eeg_phrases_summary",
    "fetch",
]

#: Condition → the event codes of its trials in the FieldTrip files (25 trials per condition).
EEG_PHRASES_CONDITIONS: dict[str, range] = {
    "advp": range(0, 25),
    "rrrv": range(30, 55),
    "rrrr": range(60, 85),
    "avav": range(90, 115),
    "anan": range(120, 145),
    "phmi": range(150, 175),
}
#: Tagged frequencies of eeg-phrases (320 ms per word).
EEG_PHRASES_TAGGED_HZ = {"sentence": 0.78125, "phrase": 1.5625, "unit": 3.125}
#: Trial index 8 of every condition: unusable for P1–P4 and dropped for everyone by the authors.
EEG_PHRASES_BAD_CODES = (8, 38, 68, 98, 128, 158)
#: P1–P4 have usable trials only for these conditions.
EEG_PHRASES_PARTIAL = {"P1", "P2", "P3", "P4"}
#: The conditions P1–P4 have.
EEG_PHRASES_PARTIAL_CONDITIONS = ("avav", "anan", "phmi")
#: The modality every eeg-phrases result carries.
EEG_LABEL = "EEG (scalp)"
#: The data set's name every eeg-phrases result carries (its provenance travels into alignments).
EEG_DATASET = "eeg-phrases (Burroughs, Kazanina & Houghton 2021)"


def read_eeg_phrases(folder: str | os.PathLike, *, drop_bad: bool = True, progress: bool = False):
    """Load every participant of the eeg-phrases scalp-EEG set as a brain Spectra.

    Parameters
    ----------
    folder : path
        The data set folder (with ``ft/P*_ft.mat``) or its ``ft`` subfolder.
    drop_bad : bool
        Leave out trial index 8 of every condition (:data:`EEG_PHRASES_BAD_CODES`), as the
        authors do when pooling all 20 participants. Default True.
    progress : bool
        Show a progress bar.

    Returns
    -------
    spectra : list of xarray.Dataset
        One per participant in P1..P20 order, dims (condition, channel, freq), attrs ``modality``
        = ``"EEG (scalp)"``. P1–P4 hold only avav, anan and phmi.
    """
    from tqdm.auto import tqdm

    d = check_in_path("folder", folder, kind="eeg-phrases folder")
    ft = d / "ft" if (d / "ft").is_dir() else d
    files = sorted(ft.glob("P*_ft.mat"), key=lambda p: int(re.match(r"P(\d+)", p.name).group(1)))
    if not files:
        raise InvalidValueError(f"Invalid value for 'folder': no P*_ft.mat files in {str(ft)!r}.")
    out = []
    for f in tqdm(files, disable=not progress, desc="eeg-phrases"):
        subj = re.match(r"(P\d+)", f.name).group(1)
        conds = EEG_PHRASES_CONDITIONS
        if subj in EEG_PHRASES_PARTIAL:
            conds = {c: EEG_PHRASES_CONDITIONS[c] for c in EEG_PHRASES_PARTIAL_CONDITIONS}
        from hftp.brain.reading import read_spectra

        s = read_spectra(
            f,
            conds,
            subject=subj,
            tagged_hz=EEG_PHRASES_TAGGED_HZ,
            drop_codes=EEG_PHRASES_BAD_CODES if drop_bad else (),
        )
        out.append(s.assign_attrs(modality=EEG_LABEL, dataset=EEG_DATASET, source_kind="real"))
    return out


def subject_itc(spectra_list: Sequence[Any]):
    """ITC averaged over channels, per participant.

    Parameters
    ----------
    spectra_list : list of xarray.Dataset
        Brain Spectra, one per participant, dims (condition, channel, freq), from
        :func:`read_eeg_phrases`.

    Returns
    -------
    xarray.DataArray
        Named ``itc``, dims (subject, condition, freq); NaN where a participant lacks a
        condition.
    """
    import xarray as xr

    rows = []
    for s in spectra_list:
        subj = str(s.attrs.get("subject") or s["subject"].values[0])
        rows.append(itc(s).mean("channel").expand_dims(subject=[subj]))
    order = list(dict.fromkeys(c for s in spectra_list for c in s["condition"].values.tolist()))
    out = xr.concat(rows, dim="subject", join="outer").reindex(condition=order)
    out.name = "itc"
    return out


def grand_average_itc(spectra_list: Sequence[Any]):
    """ITC averaged over channels, then over participants (as the published analysis).

    Parameters
    ----------
    spectra_list : list of xarray.Dataset
        Brain Spectra, one per participant, from :func:`read_eeg_phrases`.

    Returns
    -------
    xarray.DataArray
        Named ``itc``, dims (condition, freq), with coord ``n_subjects`` on condition (the
        participants that have it) and attr ``modality``.
    """
    per = subject_itc(spectra_list)
    ga = per.mean("subject", skipna=True)
    ga = ga.assign_coords(n_subjects=("condition", per.notnull().any("freq").sum("subject").values))
    ga.name = "itc"
    ga.attrs["modality"] = spectra_list[0].attrs.get("modality", "")
    return ga


def eeg_phrases_summary(spectra_list: Sequence[Any] | str | os.PathLike) -> dict[str, Any]:
    """The published check on eeg-phrases: phrase-rate ITC per condition and paired tests.

    ITC is averaged over channels per participant, then over participants (P1–P4 only in avav,
    anan, phmi). anan is compared with avav, rrrr and phmi across the participants that have both
    (paired t-test and Wilcoxon signed-rank, one-sided anan > other, plus the two-sided t p-value).
    The syllable-rate peak is the ITC at 3.125 Hz over the mean of its neighbors (3 bins per side,
    1 skipped), per condition.

    Parameters
    ----------
    spectra_list : list of Spectra, or the data folder
        From :func:`read_eeg_phrases`.

    Returns
    -------
    summary : dict
        ``modality`` ("EEG (scalp)"), ``phrase_itc`` and ``syllable_itc`` (condition → grand
        average), ``syllable_peak_ratio`` (condition → ratio), ``n_subjects`` (condition → n),
        ``paired`` (other condition → n, t, p_t, p_t_two_sided, p_wilcoxon, mean_difference).
    """
    import numpy as np
    from scipy import stats

    from hftp.spectral.measures import at_freq, snr

    if isinstance(spectra_list, str | os.PathLike):
        spectra_list = read_eeg_phrases(spectra_list)
    per = subject_itc(spectra_list)
    ga = grand_average_itc(spectra_list)
    conds = [str(c) for c in ga["condition"].values]
    ph, sy = EEG_PHRASES_TAGGED_HZ["phrase"], EEG_PHRASES_TAGGED_HZ["unit"]
    peak = at_freq(snr(ga, n_neighbors=3, skip=1), sy)
    per_ph = at_freq(per, ph)
    paired = {}
    for other in ("avav", "rrrr", "phmi"):
        a, o = per_ph.sel(condition="anan").values, per_ph.sel(condition=other).values
        ok = np.isfinite(a) & np.isfinite(o)
        t = stats.ttest_rel(a[ok], o[ok], alternative="greater")
        paired[other] = {
            "n": int(ok.sum()),
            "t": float(t.statistic),
            "p_t": float(t.pvalue),
            "p_t_two_sided": float(stats.ttest_rel(a[ok], o[ok]).pvalue),
            "p_wilcoxon": float(stats.wilcoxon(a[ok], o[ok], alternative="greater").pvalue),
            "mean_difference": float(np.mean(a[ok] - o[ok])),
        }
    return {
        "modality": EEG_LABEL,
        "phrase_hz": ph,
        "syllable_hz": sy,
        "phrase_itc": dict(zip(conds, map(float, at_freq(ga, ph).values), strict=True)),
        "syllable_itc": dict(zip(conds, map(float, at_freq(ga, sy).values), strict=True)),
        "syllable_peak_ratio": dict(zip(conds, map(float, peak.values), strict=True)),
        "n_subjects": dict(zip(conds, map(int, ga["n_subjects"].values), strict=True)),
        "paired": paired,
    }


#: The public deposit of the data set (Zenodo, doi 10.5281/zenodo.4019709).
EEG_PHRASES_URL = "https://zenodo.org/records/4019709/files"
_REGISTRY = "eeg_phrases_registry.txt"


def fetch(
    path: str | os.PathLike | None = None,
    *,
    base_url: str = EEG_PHRASES_URL,
    download: bool = True,
    progress: bool = True,
):
    """The eeg-phrases data set folder, downloaded with checksums when it is not there yet.

    Looked for, in order: ``path`` (an existing folder with ``ft/`` is used as it is),
    ``$HFTP_EEG_PHRASES``, then hftp's data cache (``$HFTP_DATA`` or the user data folder,
    subfolder ``eeg-phrases``), where the files are downloaded from ``base_url`` with pooch and
    checked against the sha256 registry shipped with hftp.

    Parameters
    ----------
    path : path, optional
        A folder holding the data set (``ft/P*_ft.mat``), or where to download it.
    base_url : str
        Where the files lie (default: the Zenodo deposit). A ``file://`` URL works too.
    download : bool
        Download missing files (default True). With False a missing data set is an error.
    progress : bool
        Show download progress bars.

    Returns
    -------
    folder : Path
        The data set folder, ready for :func:`read_eeg_phrases`.

    Raises
    ------
    HftpError
        Offline or a failed download: the message says what to download, from where, and where
        to put it.
    """
    from pathlib import Path

    from hftp._validation import HftpError
    from hftp.datasets.fetch import data_home, fetch_files, read_registry

    for cand in (path, os.environ.get("HFTP_EEG_PHRASES")):
        if cand and (Path(cand) / "ft").is_dir():
            return Path(cand)
    dest = Path(path) if path is not None else data_home() / "eeg-phrases"
    registry = read_registry(_REGISTRY)
    if not download:
        missing = [r for r in registry if not (dest / r).is_file()]
        if missing:
            raise HftpError(
                f"The eeg-phrases data set is not in {str(dest)!r} ({len(missing)} files missing, "
                f"e.g. {missing[0]!r}). Download it from {base_url} (doi 10.5281/zenodo.4019709) "
                "into that folder, or call fetch() with download=True."
            )
        return dest
    return fetch_files(dest, base_url, registry, what="the eeg-phrases data set", progress=progress)
