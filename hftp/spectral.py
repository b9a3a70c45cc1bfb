"""Spectra: FFT per trial, accumulated sufficient statistics, and the measures derived from them.

The same code serves model neurons and brain channels. A Spectra is an ``xarray.Dataset`` with dims
``(condition, *units, freq)`` where ``units`` is ``(layer, neuron)`` for a model and ``(channel,)``
for a brain. Data variables:

``sum_x`` (complex)
    Sum over trials of the FFT coefficients X_k(f).
``sum_abs``, ``sum_abs2``
    Sums over trials of |X_k(f)| and |X_k(f)|².
``sum_phase`` (complex)
    Sum over trials of X_k(f)/|X_k(f)| (for inter-trial coherence).
``n_trials`` (condition)
    Trials accumulated per condition.
``trial_x`` (condition, trial, *units, tagged_freq), complex64, optional
    Per-trial coefficients at the tagged bins only (small), for trial-level tests.

attrs: ``unit_rate_hz`` (model) or ``sfreq`` (brain), ``tagged_hz`` (level → Hz), ``n_times`` (the
samples per trial after the onset drop; ``-1`` when spectra arrived already in the frequency
domain), ``kind`` (``"model"`` or ``"brain"``) and provenance.

Memory does not grow with the number of trials: only the sums are kept (plus ``trial_x`` at a
handful of bins).
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._validation import check_int, check_on_bin, check_option, check_type

__all__ = [
    "rfft_trials",
    "freq_axis",
    "SpectraAccumulator",
    "make_spectra",
    "evoked_amplitude",
    "itc",
    "mean_amplitude",
    "power",
    "snr",
    "tagged_hz",
    "sampling_rate",
    "unit_dims",
    "bin_index",
    "at_freq",
    "neighbour_bins",
    "is_real_bin",
    "warn_nyquist",
    "MEASURES",
]

logger = logging.getLogger("hftp")

_SPECTRA_VARS = ("sum_x", "sum_abs", "sum_abs2", "sum_phase", "n_trials")


def freq_axis(n_times: int, rate_hz: float) -> np.ndarray:
    """Frequencies (Hz) of the rfft bins of ``n_times`` samples at ``rate_hz``, without DC.

    Returns
    -------
    freqs : ndarray, shape (n_times // 2,)
    """
    return np.fft.rfftfreq(n_times, d=1.0 / rate_hz)[1:]


def rfft_trials(x: np.ndarray, *, drop: int = 0) -> np.ndarray:
    """FFT along the last axis, without a window, after dropping ``drop`` leading samples.

    Parameters
    ----------
    x : ndarray, shape (..., n_times)
        Real responses, one sample per unit (model) or per time point (brain).
    drop : int
        Leading samples to discard first (e.g. the attention-sink sentence, or the onset response).

    Returns
    -------
    X : ndarray, shape (..., (n_times - drop) // 2), complex
        The rfft coefficients with the DC bin removed.
    """
    x = np.asarray(x)
    if drop:
        x = x[..., drop:]
    return np.fft.rfft(x, axis=-1)[..., 1:]


def unit_phase(X: np.ndarray) -> np.ndarray:
    """X / |X| elementwise, with 0 where X is 0 (the summand of ITC)."""
    mag = np.abs(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        ph = np.where(mag > 0, X / np.where(mag > 0, mag, 1.0), 0.0)
    return ph


class SpectraAccumulator:
    """Accumulate FFT coefficients trial by trial into a Spectra Dataset.

    Parameters
    ----------
    unit_dims : tuple of str
        Names of the unit dims, e.g. ``("layer", "neuron")`` or ``("channel",)``.
    unit_coords : dict
        Coordinates for the unit dims (and any non-dimension coords on them, given as
        ``name: (dim, values)``).
    freqs : ndarray, shape (n_freq,)
        The frequency axis (Hz) of the coefficients that will be added.
    rate_hz : float
        Sampling rate: the unit rate for a model, the recording rate for a brain.
    tagged : dict of str to float
        Tagged frequencies by level, e.g. ``{"sentence": 1.0, "phrase": 2.0}``.
    n_times : int or None
        Samples per trial that produced ``freqs`` (``None`` for frequency-domain input).
    kind : {"model", "brain"}
    keep_trials : bool
        Keep per-trial complex64 coefficients at the tagged bins (``trial_x``).
    attrs : dict, optional
        Extra provenance.
    """

    def __init__(
        self,
        *,
        unit_dims: Sequence[str],
        unit_coords: Mapping[str, Any],
        freqs: np.ndarray,
        rate_hz: float,
        tagged: Mapping[str, float],
        n_times: int | None,
        kind: str = "model",
        keep_trials: bool = True,
        attrs: Mapping[str, Any] | None = None,
    ) -> None:
        check_option("kind", kind, ("model", "brain"))
        self.unit_dims = tuple(unit_dims)
        self.unit_coords = dict(unit_coords)
        self.freqs = np.asarray(freqs, dtype=float)
        self.rate_hz = float(rate_hz)
        self.tagged = {str(k): float(v) for k, v in tagged.items()}
        self.n_times = n_times
        self.kind = kind
        self.keep_trials = keep_trials
        self.attrs = dict(attrs or {})
        self._sums: dict[str, dict[str, np.ndarray]] = {}
        self._trials: dict[str, list[np.ndarray]] = {}
        self.tagged_bins = self._tagged_bins()
        self._unit_shape: tuple[int, ...] | None = None

    def _tagged_bins(self) -> dict[float, int]:
        bins: dict[float, int] = {}
        for level, f in self.tagged.items():
            idx = bin_index(self.freqs, f, name=f"tagged ({level})")
            bins[f] = idx
        return dict(sorted(bins.items()))

    def add(self, condition: str, X: np.ndarray) -> None:
        """Add trials of one condition.

        Parameters
        ----------
        condition : str
        X : ndarray, shape (n_trials, *unit_shape, n_freq), complex
        """
        X = np.asarray(X)
        if X.ndim != len(self.unit_dims) + 2:
            raise ValueError(
                f"Invalid shape for 'X': expected (n_trials, {', '.join(self.unit_dims)}, freq) with "
                f"{len(self.unit_dims) + 2} dims; got {X.shape}."
            )
        if X.shape[-1] != self.freqs.size:
            raise ValueError(
                f"Invalid shape for 'X': expected {self.freqs.size} frequencies on the last axis; got {X.shape[-1]}."
            )
        if self._unit_shape is None:
            self._unit_shape = X.shape[1:-1]
        elif X.shape[1:-1] != self._unit_shape:
            raise ValueError(
                f"Invalid shape for 'X': units {X.shape[1:-1]} differ from earlier trials {self._unit_shape}."
            )
        s = self._sums.get(condition)
        if s is None:
            shape = X.shape[1:]
            s = {
                "sum_x": np.zeros(shape, np.complex128),
                "sum_abs": np.zeros(shape, np.float64),
                "sum_abs2": np.zeros(shape, np.float64),
                "sum_phase": np.zeros(shape, np.complex128),
                "n": np.zeros((), np.int64),
            }
            self._sums[condition] = s
            self._trials[condition] = []
        mag = np.abs(X)
        s["sum_x"] += X.sum(axis=0)
        s["sum_abs"] += mag.sum(axis=0)
        s["sum_abs2"] += (mag * mag).sum(axis=0)
        s["sum_phase"] += unit_phase(X).sum(axis=0)
        s["n"] += X.shape[0]
        if self.keep_trials and self.tagged_bins:
            idx = list(self.tagged_bins.values())
            self._trials[condition].append(X[..., idx].astype(np.complex64))

    def to_dataset(self):
        """Return the Spectra as an ``xarray.Dataset`` (see the module docstring)."""
        import xarray as xr

        if not self._sums:
            raise ValueError(
                "No trials were added: the Spectra would be empty. Add at least one trial per condition."
            )
        conds = list(self._sums)
        dims = ("condition", *self.unit_dims, "freq")
        data = {}
        for var in ("sum_x", "sum_abs", "sum_abs2", "sum_phase"):
            data[var] = (dims, np.stack([self._sums[c][var] for c in conds]))
        data["n_trials"] = (("condition",), np.array([int(self._sums[c]["n"]) for c in conds]))
        if self.keep_trials and self.tagged_bins:
            n_max = max(int(self._sums[c]["n"]) for c in conds)
            shape = (len(conds), n_max, *self._unit_shape, len(self.tagged_bins))
            tx = np.full(shape, np.nan + 1j * np.nan, dtype=np.complex64)
            for i, c in enumerate(conds):
                arr = np.concatenate(self._trials[c], axis=0)
                tx[i, : arr.shape[0]] = arr
            data["trial_x"] = (("condition", "trial", *self.unit_dims, "tagged_freq"), tx)
        coords: dict[str, Any] = {"condition": conds, "freq": self.freqs}
        coords.update(self.unit_coords)
        if self.keep_trials and self.tagged_bins:
            coords["tagged_freq"] = np.array(list(self.tagged_bins), dtype=float)
        rate_key = "unit_rate_hz" if self.kind == "model" else "sfreq"
        attrs = {
            "kind": self.kind,
            rate_key: self.rate_hz,
            "tagged_hz": json.dumps(self.tagged),
            "n_times": -1 if self.n_times is None else int(self.n_times),
        }
        attrs.update(self.attrs)
        return xr.Dataset(data, coords=coords, attrs=attrs)


def make_spectra(
    trials: Mapping[str, np.ndarray],
    *,
    rate_hz: float,
    tagged: Mapping[str, float],
    unit_dims: Sequence[str] = ("channel",),
    unit_coords: Mapping[str, Any] | None = None,
    drop: int = 0,
    kind: str = "brain",
    keep_trials: bool = True,
    attrs: Mapping[str, Any] | None = None,
):
    """Build a Spectra from time-domain trials held in memory.

    Parameters
    ----------
    trials : dict of str to ndarray, each shape (n_trials, *unit_shape, n_times)
        Real responses per condition. All conditions share ``n_times``.
    rate_hz : float
        Samples per second (the unit rate for a model).
    tagged : dict of str to float
        Tagged frequencies by level.
    unit_dims : tuple of str
        Names of the unit dims, matching ``unit_shape``.
    unit_coords : dict, optional
        Coordinates for the unit dims; defaults to integer ranges.
    drop : int
        Leading samples dropped before the FFT.
    kind : {"brain", "model"}
    keep_trials : bool
        Keep per-trial coefficients at the tagged bins.
    attrs : dict, optional

    Returns
    -------
    spectra : xarray.Dataset
        Dims ``(condition, *unit_dims, freq)``.
    """
    check_type(
        "trials",
        trials,
        Mapping,
        "a dict mapping condition name to an array (n_trials, ..., n_times)",
    )
    if not trials:
        raise ValueError(
            "Invalid value for 'trials': expected at least one condition; got an empty dict."
        )
    drop = check_int("drop", drop, min_value=0)
    arrays = {str(c): np.asarray(a, dtype=float) for c, a in trials.items()}
    n_times = {a.shape[-1] for a in arrays.values()}
    if len(n_times) != 1:
        raise ValueError(
            f"Invalid value for 'trials': every condition must have the same number of samples; got {sorted(n_times)}."
        )
    n = n_times.pop() - drop
    if n < 4:
        raise ValueError(
            f"Invalid value for 'drop': leaves {n} samples per trial; at least 4 are needed."
        )
    freqs = freq_axis(n, rate_hz)
    first = next(iter(arrays.values()))
    coords = dict(
        unit_coords or {d: np.arange(s) for d, s in zip(unit_dims, first.shape[1:-1], strict=True)}
    )
    acc = SpectraAccumulator(
        unit_dims=unit_dims,
        unit_coords=coords,
        freqs=freqs,
        rate_hz=rate_hz,
        tagged=tagged,
        n_times=n,
        kind=kind,
        keep_trials=keep_trials,
        attrs=attrs,
    )
    for c, a in arrays.items():
        acc.add(c, rfft_trials(a, drop=drop))
    return acc.to_dataset()


# ---------------------------------------------------------------------------------------------
# accessors


def _check_spectra(s, name: str = "spectra") -> None:
    import xarray as xr

    if not isinstance(s, xr.Dataset) or any(v not in s for v in _SPECTRA_VARS):
        got = (
            type(s).__name__
            if not isinstance(s, xr.Dataset)
            else f"a Dataset with {sorted(s.data_vars)}"
        )
        raise TypeError(
            f"Invalid type for {name!r}: expected a Spectra (xarray.Dataset with {', '.join(_SPECTRA_VARS)}) "
            f"from hftp.probe or hftp.brain_spectra; got {got}."
        )


def tagged_hz(s) -> dict[str, float]:
    """The tagged frequencies of a Spectra, level → Hz."""
    t = s.attrs.get("tagged_hz", "{}")
    return {k: float(v) for k, v in (json.loads(t) if isinstance(t, str) else dict(t)).items()}


def sampling_rate(s) -> float:
    """The unit rate (model) or sampling rate (brain) of a Spectra, in Hz."""
    for k in ("unit_rate_hz", "sfreq"):
        if k in s.attrs:
            return float(s.attrs[k])
    raise ValueError("The Spectra has neither 'unit_rate_hz' nor 'sfreq' in its attrs.")


def unit_dims(s) -> tuple[str, ...]:
    """The unit dims of a Spectra or derived DataArray (all dims but condition, trial and freq)."""
    skip = {"condition", "freq", "trial", "tagged_freq", "level"}
    dims = s["sum_x"].dims if hasattr(s, "data_vars") and "sum_x" in s else s.dims
    return tuple(d for d in dims if d not in skip)


def bin_index(freqs: np.ndarray, f: float, *, name: str = "freqs", tol: float = 1e-6) -> int:
    """Index of the exact bin at ``f`` on the frequency axis ``freqs`` (no DC).

    Raises ``ValueError`` if ``f`` is off-bin or outside the axis. For an evenly spaced axis that
    starts at one bin spacing, the message lists sequence lengths that would put ``f`` on a bin.
    """
    freqs = np.asarray(freqs, dtype=float)
    if freqs.size == 0:
        raise ValueError(f"Invalid value for {name!r}: the frequency axis is empty.")
    i = int(np.argmin(np.abs(freqs - f)))
    df = freqs[1] - freqs[0] if freqs.size > 1 else freqs[0]
    if abs(freqs[i] - f) <= tol * max(1.0, abs(f)):
        return i
    if np.isclose(freqs[0], df):  # a plain rfft axis (df, 2df, ..., Nyquist)
        if f > freqs[-1] + tol:
            raise ValueError(
                f"Invalid value for {name!r}: {f} Hz is above the highest frequency available ({freqs[-1]:.6g} Hz, "
                "the Nyquist frequency). Choose a lower frequency or a higher sampling rate."
            )
        n = int(round(2 * freqs[-1] / df))  # n_times (even) for the hint
        check_on_bin(name, f, n * df, n)  # raises, naming the lengths that would put f on a bin
    raise ValueError(
        f"Invalid value for {name!r}: {f} Hz is not on a bin of the frequency axis "
        f"({freqs[0]:.6g}–{freqs[-1]:.6g} Hz in steps of {df:.6g} Hz). Choose a frequency on the axis."
    )


def _n(s):
    n = s["n_trials"]
    return n.where(n > 0)


def evoked_amplitude(s):
    """Amplitude of the trial-averaged response, |Σ_k X_k(f)| / n.

    Returns
    -------
    DataArray, dims (condition, *units, freq)
    """
    _check_spectra(s)
    out = np.abs(s["sum_x"]) / _n(s)
    out.name = "evoked_amplitude"
    return out


def itc(s):
    """Inter-trial phase coherence, |Σ_k X_k/|X_k|| / n, in [0, 1].

    Returns
    -------
    DataArray, dims (condition, *units, freq)
    """
    _check_spectra(s)
    out = np.abs(s["sum_phase"]) / _n(s)
    out.name = "itc"
    return out


def mean_amplitude(s):
    """Mean single-trial amplitude, Σ_k |X_k(f)| / n.

    Returns
    -------
    DataArray, dims (condition, *units, freq)
    """
    _check_spectra(s)
    out = s["sum_abs"] / _n(s)
    out.name = "mean_amplitude"
    return out


def power(s):
    """Mean single-trial power, Σ_k |X_k(f)|² / n."""
    _check_spectra(s)
    out = s["sum_abs2"] / _n(s)
    out.name = "power"
    return out


MEASURES = {
    "evoked": evoked_amplitude,
    "itc": itc,
    "amplitude": mean_amplitude,
    "power": power,
}


def snr(measure, n_neighbors: int = 3, skip: int = 1):
    """Signal-to-noise ratio: the value at f over the mean of neighbouring bins.

    Parameters
    ----------
    measure : DataArray, dims (..., freq)
        E.g. ``evoked_amplitude(s)`` or ``itc(s)``.
    n_neighbors : int
        Neighbour bins per side. Default 3.
    skip : int
        Adjacent bins ignored on each side before the neighbours start. Default 1.

    Returns
    -------
    DataArray, same dims as ``measure``
        Neighbours outside the frequency axis (below the first bin or above Nyquist) are dropped,
        not wrapped; a bin with no neighbours gets NaN.
    """
    import xarray as xr

    check_type(
        "measure",
        measure,
        xr.DataArray,
        "an xarray.DataArray with a 'freq' dim (e.g. hftp.itc(spectra))",
    )
    if "freq" not in measure.dims:
        raise ValueError(
            f"Invalid value for 'measure': expected a 'freq' dim; got dims {measure.dims}."
        )
    n_neighbors = check_int("n_neighbors", n_neighbors, min_value=1)
    skip = check_int("skip", skip, min_value=0)
    m = measure.transpose(..., "freq")
    v = np.asarray(m.values, dtype=float)
    nf = v.shape[-1]
    pad = skip + n_neighbors
    padded = np.concatenate(
        [np.full(v.shape[:-1] + (pad,), np.nan), v, np.full(v.shape[:-1] + (pad,), np.nan)], axis=-1
    )
    total = np.zeros_like(v)
    count = np.zeros_like(v)
    for off in range(skip + 1, skip + n_neighbors + 1):
        for sign in (-1, 1):
            sl = padded[..., pad + sign * off : pad + sign * off + nf]
            ok = ~np.isnan(sl)
            total += np.where(ok, sl, 0.0)
            count += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        out = v / (total / np.where(count > 0, count, np.nan))
    res = m.copy(data=out)
    res.name = f"snr_{measure.name}" if measure.name else "snr"
    res.attrs = {**measure.attrs, "n_neighbors": n_neighbors, "skip": skip}
    return res.transpose(*measure.dims)


def neighbour_bins(n_freq: int, index: int, n_neighbors: int = 3, skip: int = 1) -> np.ndarray:
    """Indices of the neighbour bins of bin ``index`` on a frequency axis of ``n_freq`` bins.

    The neighbours are ``skip + 1 … skip + n_neighbors`` bins away on each side. Those outside
    ``[0, n_freq)`` (below the first bin or above Nyquist) are dropped, not wrapped, so a bin at the
    edge of the axis has one-sided neighbours.

    Returns
    -------
    idx : ndarray of int, shape (<= 2 * n_neighbors,)
    """
    offs = np.arange(skip + 1, skip + n_neighbors + 1)
    idx = np.concatenate([index - offs[::-1], index + offs])
    return idx[(idx >= 0) & (idx < n_freq)]


def is_real_bin(freq_hz, rate_hz: float) -> np.ndarray:
    """True where a bin is real-valued for a real signal: the Nyquist bin (``rate_hz / 2``).

    Such a bin has 1 degree of freedom instead of 2 and no meaningful phase.
    """
    return np.isclose(np.asarray(freq_hz, dtype=float), rate_hz / 2.0)


def at_freq(measure, f: float):
    """Select the exact bin ``f`` (Hz) of a measure; an off-bin ``f`` is an error."""
    i = bin_index(measure["freq"].values, f, name="f")
    return measure.isel(freq=i)


def warn_nyquist(freq_hz: float, rate_hz: float, level: str) -> None:
    """Warn that phase statistics at the Nyquist bin are meaningless (the bin is real-valued)."""
    if np.isclose(freq_hz, rate_hz / 2):
        warnings.warn(
            f"The {level} rate ({freq_hz} Hz) is exactly the Nyquist frequency of a {rate_hz} Hz unit "
            "rate: its amplitude is valid but its phase is not (the bin is real-valued), so ITC and "
            "Rayleigh statistics there are meaningless. Use a design with longer structures "
            "(e.g. 3-unit phrases) to move the rate below Nyquist.",
            UserWarning,
            stacklevel=3,
        )
