"""Brain Spectra as MNE spectrum objects: :func:`to_mne_spectrum`.

One condition's measure (evoked power, ITC, SNR, ...) becomes an
``mne.time_frequency.SpectrumArray`` with an ``mne.Info`` that knows each channel's type and
position, so that MNE's ``plot``, ``plot_topomap`` and the SSVEP SNR recipes run on hftp's
data. A brain Spectra keeps no ``Info``, only what it needs of one: the channel names, the
``ch_type`` coord, the positions ``x, y, z`` (mm) and the ``coord_frame`` attr. The ``Info`` is
rebuilt from them, or taken from the recording when the caller passes it (``info=epochs.info``).

The values are hftp's, unchanged: :data:`MNE_MEASURES` names what can be handed over.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from hftp._validation import InvalidTypeError, InvalidValueError, check_option
from hftp.spectral.accessor import check_spectra
from hftp.spectral.measures import MEASURES, evoked_amplitude, snr

__all__ = ["MNE_MEASURES", "to_mne_spectrum"]


def _evoked_power(s):
    out = evoked_amplitude(s) ** 2
    out.name = "evoked_power"
    out.attrs = {"sfreq": s.hftp.sfreq, "dof_kind": "power"}
    return out


def _snr(s):
    return snr(evoked_amplitude(s))


#: name → function of a Spectra giving a measure with dims (condition, channel, freq):
#: ``"evoked-power"`` (|Σ X| / n)², ``"snr"`` (``hftp.snr(hftp.evoked_amplitude(s))``, 3 neighbor
#: bins a side after skipping 1) and every measure of :data:`hftp.spectral.MEASURES`
#: (``"evoked"``, ``"itc"``, ``"amplitude"``, ``"power"``).
MNE_MEASURES: dict[str, Callable[[Any], Any]] = {
    "evoked-power": _evoked_power,
    "snr": _snr,
    **MEASURES,
}

#: MNE channel type when a Spectra has no ``ch_type`` coord, by its ``modality`` attr.
_TYPE_BY_MODALITY = {"eeg": "eeg", "ieeg": "seeg", "seeg": "seeg", "ecog": "ecog", "meg": "mag"}


def _check_brain(spectra):
    check_spectra(spectra, "spectra")
    dims = spectra.hftp.channel_dims
    if dims != ("channel",):
        raise InvalidValueError(
            f"Invalid value for 'spectra': expected a brain Spectra with channel dims "
            f"('channel',); got {dims}. Pass the Spectra of hftp.brain_spectra (a model's "
            "neurons have no positions for MNE)."
        )
    # trial and tagged_freq belong to the per-trial values at the tagged bins (trial_x)
    extra = [
        d for d in spectra.dims if d not in ("condition", "channel", "freq", "trial", "tagged_freq")
    ]
    if extra:
        raise InvalidValueError(
            f"Invalid value for 'spectra': it has the dims {extra} besides (condition, channel, "
            f"freq). Select one first, e.g. spectra.isel({extra[0]}=0)."
        )


def _select_condition(values, spectra, condition):
    conds = [str(c) for c in spectra["condition"].values]
    if condition is None:
        if len(conds) != 1:
            raise InvalidValueError(
                f"Invalid value for 'condition': the Spectra has {len(conds)} conditions "
                f"{conds}; name one, e.g. condition={conds[0]!r}."
            )
        condition = conds[0]
    check_option("condition", condition, conds)
    return values.sel(condition=condition), str(condition)


def _measure(spectra, measure):
    import xarray as xr

    if isinstance(measure, xr.DataArray):
        missing = [d for d in ("channel", "freq") if d not in measure.dims]
        if missing:
            raise InvalidValueError(
                f"Invalid value for 'measure': a measure DataArray needs the dims (condition, "
                f"channel, freq); got {measure.dims}, without {missing}. Compute it from this "
                "Spectra, e.g. hftp.snr(hftp.itc(spectra))."
            )
        return measure, str(measure.name or "measure")
    if not isinstance(measure, str):
        raise InvalidTypeError(
            f"Invalid type for 'measure': expected one of {sorted(MNE_MEASURES)} or an "
            f"xarray.DataArray with dims (condition, channel, freq); got {type(measure).__name__}."
        )
    check_option("measure", measure, MNE_MEASURES)
    return MNE_MEASURES[measure](spectra), measure


def _channel_types(spectra, n: int) -> list[str]:
    if "ch_type" in spectra.coords:
        return [str(t) for t in spectra["ch_type"].values]
    modality = str(spectra.attrs.get("modality", "")).lower()
    return [_TYPE_BY_MODALITY.get(modality, "misc")] * n


def _rebuilt_info(spectra, names: list[str]):
    """An Info from the Spectra's coords: names, types, positions (mm → m) and their frame."""
    import mne

    info = mne.create_info(names, float(spectra.hftp.sfreq), _channel_types(spectra, len(names)))
    if not all(c in spectra.coords for c in ("x", "y", "z")):
        return info
    xyz = np.stack([np.asarray(spectra[c].values, dtype=float) for c in ("x", "y", "z")], axis=1)
    placed = np.all(np.isfinite(xyz), axis=1)
    if not placed.any():
        return info
    frame = str(spectra.attrs.get("coord_frame", "unknown"))
    valid_frames = {"head", "mri", "mni_tal", "ras", "fs_tal", "unknown"}
    frame = frame if frame in valid_frames else "unknown"
    pos = {n: xyz[i] / 1000.0 for i, n in enumerate(names) if placed[i]}
    montage = mne.channels.make_dig_montage(ch_pos=pos, coord_frame=frame)
    with warnings.catch_warnings():  # MNI or unknown frames have no fiducials; MNE says so
        warnings.simplefilter("ignore", RuntimeWarning)
        info.set_montage(montage, on_missing="ignore", verbose="error")
    return info


def _picked_info(spectra, names: list[str], info):
    """The recording's own Info, reduced to the Spectra's channels in its order."""
    import mne

    if not isinstance(info, mne.Info):
        raise InvalidTypeError(
            f"Invalid type for 'info': expected an mne.Info (e.g. epochs.info of the recording); "
            f"got {type(info).__name__}."
        )
    plain = [str(c) for c in spectra["label"].values] if "label" in spectra.coords else list(names)
    use = names if all(n in info["ch_names"] for n in names) else plain
    missing = [n for n in use if n not in info["ch_names"]]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'info': {len(missing)} channel(s) of the Spectra are not in it, "
            f"e.g. {missing[:3]}. Pass the Info of the recording these spectra came from (for "
            "several subjects, select one: spectra.sel(channel=spectra.subject == 'S01'))."
        )
    if len(set(use)) != len(use):
        raise InvalidValueError(
            "Invalid value for 'info': the Spectra holds several channels of the same name (pooled "
            "subjects); select one subject first, or leave info=None."
        )
    picked = mne.pick_info(info, [info["ch_names"].index(n) for n in use], verbose="error")
    if not np.isclose(float(picked["sfreq"]), float(spectra.hftp.sfreq)):
        raise InvalidValueError(
            f"Invalid value for 'info': its sampling rate is {picked['sfreq']} Hz but the "
            f"Spectra's is {spectra.hftp.sfreq} Hz. Pass the Info of the recording the Spectra "
            "came from (after any resampling)."
        )
    return picked


def to_mne_spectrum(spectra, condition: str | None = None, *, measure="evoked-power", info=None):
    """One condition's measure of a brain Spectra as an ``mne.time_frequency.SpectrumArray``.

    Parameters
    ----------
    spectra : xarray.Dataset
        A brain Spectra from :func:`hftp.brain_spectra`, dims ``(condition, channel, freq)``.
    condition : str, optional
        The condition to export. Default: the only one (an error when there are several).
    measure : str or xarray.DataArray
        A key of :data:`MNE_MEASURES`: ``"evoked-power"`` (default; the power of the
        trial-averaged response), ``"itc"``, ``"snr"`` (of the evoked amplitude), ``"evoked"``,
        ``"amplitude"`` or ``"power"``; or a measure already computed from ``spectra``, dims
        ``(condition, channel, freq)`` (e.g. ``hftp.snr(hftp.itc(spectra))``).
    info : mne.Info, optional
        The recording's Info (e.g. ``epochs.info``), reduced to the Spectra's channels, in its
        order (names or, for pooled subjects, the ``label`` coord). Default: rebuilt from the
        Spectra, with channel types from the ``ch_type`` coord and positions from ``x, y, z``
        (mm) in the ``coord_frame`` attr; unplaced channels stay unplaced.

    Returns
    -------
    spectrum : mne.time_frequency.SpectrumArray
        Data shape (n_channels, n_freqs), the values of the measure unchanged; ``freqs`` the
        Spectra's ``freq`` (Hz; no 0 Hz bin). MNE takes the data for a power spectrum in SI
        units: its ``plot`` and ``plot_topomap`` scale them by channel type (V² → µV², a factor
        1e12 for EEG), which suits ``"evoked-power"`` and ``"power"``. Draw a unitless measure
        (ITC, SNR) with ``mne.viz.plot_topomap(spectrum.get_data()[:, k], spectrum.info)`` at
        bin ``k``, as MNE's SSVEP tutorial does, and with ``dB=False`` in ``spectrum.plot``.

    Examples
    --------
    >>> spec = hftp.brain.to_mne_spectrum(bspec, "sentences")                # doctest: +SKIP
    >>> spec.plot_topomap(bands={"sentence": (0.95, 1.05)})                  # doctest: +SKIP
    >>> itc = hftp.brain.to_mne_spectrum(bspec, "sentences", measure="itc")  # doctest: +SKIP
    >>> k = int(np.argmin(abs(itc.freqs - 1.0)))                             # doctest: +SKIP
    >>> mne.viz.plot_topomap(itc.get_data()[:, k], itc.info, vlim=(0, 1))    # doctest: +SKIP
    """
    _check_brain(spectra)
    values, name = _measure(spectra, measure)
    values, condition = _select_condition(values, spectra, condition)
    rest = [d for d in values.dims if d not in ("channel", "freq")]
    if rest:
        raise InvalidValueError(
            f"Invalid value for 'measure': after selecting the condition it still has the dims "
            f"{rest}; expected (channel, freq). Select them first."
        )
    values = values.transpose("channel", "freq")
    names = [str(c) for c in values["channel"].values]
    if [str(c) for c in spectra["channel"].values] != names:
        spectra = spectra.sel(channel=values["channel"].values)
    if len(set(names)) != len(names):
        raise InvalidValueError(
            "Invalid value for 'spectra': channel names repeat; MNE needs unique names. Pool "
            "subjects with hftp.concat_subjects (it makes them unique)."
        )
    from mne.time_frequency import SpectrumArray

    mne_info = _rebuilt_info(spectra, names) if info is None else _picked_info(spectra, names, info)
    with mne_info._unlock():
        mne_info["description"] = f"hftp {name} of condition {condition!r}"
    data = np.asarray(values.values, dtype=float)
    freqs = np.asarray(values["freq"].values, dtype=float)
    return SpectrumArray(data, mne_info, freqs, verbose="error")
