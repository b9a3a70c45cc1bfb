"""Building a Spectra: the FFT of each trial, and the sufficient statistics accumulated over trials.

:func:`rfft_trials` and :func:`freq_axis` give the coefficients and their frequencies,
:func:`trial_sums` the sums over a batch of trials, :class:`SpectraAccumulator` adds batches (whole,
or one block of channels at a time) and returns the Dataset, and :func:`make_spectra` does it all for
trials held in memory. The same code serves model neurons and brain channels. A Spectra is an
``xarray.Dataset`` with dims ``(condition, *channel_dims, freq)`` where ``channel_dims`` is
``(layer, neuron)`` for a model and ``(channel,)`` for a brain. Data variables:

``sum_x`` (complex)
    Sum over trials of the FFT coefficients X_k(f).
``sum_abs``, ``sum_abs2``
    Sums over trials of |X_k(f)| and |X_k(f)|².
``sum_phase`` (complex)
    Sum over trials of X_k(f)/|X_k(f)| (for inter-trial coherence).
``n_trials`` (condition)
    Trials accumulated per condition.
``trial_x`` (condition, trial, *channel_dims, tagged_freq), complex64, optional
    Per-trial coefficients at the tagged bins only (small), for trial-level tests.

attrs: ``sfreq`` (the unit rate for a model, the recording rate for a brain), ``tagged_hz`` (level → Hz), ``n_times`` (the
samples per trial after the onset drop; ``-1`` when spectra arrived already in the frequency
domain), ``kind`` (``"model"`` or ``"brain"``) and provenance.

Memory does not grow with the number of trials: only the sums are kept (plus ``trial_x`` at a
handful of bins).

This module is one idea, trials to a Spectra's sufficient statistics and on to its Dataset,
with their storage laid out so that nothing is copied twice (totals and kept trials written in
place, handed over to the Dataset); it is longer than most for that reason. A device's sums
(:mod:`hftp.models.fft`) arrive once, through :meth:`SpectraAccumulator.receive`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hftp._deprecate import renamed_kwarg, warn_renamed
from hftp._validation import InvalidValueError, check_int, check_option, check_type
from hftp.spectral.accessor import SCHEMA_VERSION
from hftp.spectral.bins import bin_index

__all__ = [
    "SUM_VARS",
    "freq_axis",
    "rfft_trials",
    "trial_sums",
    "unit_phase",
    "SpectraAccumulator",
    "make_spectra",
]

logger = logging.getLogger("hftp")


@renamed_kwarg(rate_hz="sfreq")
def freq_axis(n_times: int, sfreq: float) -> np.ndarray:
    """Frequencies (Hz) of the rfft bins of ``n_times`` samples at ``sfreq``, without DC.

    Parameters
    ----------
    n_times : int
        Samples per trial.
    sfreq : float
        The sampling rate (Hz).

    Returns
    -------
    freqs : ndarray, shape (n_times // 2,)
    """
    return np.fft.rfftfreq(n_times, d=1.0 / sfreq)[1:]


def rfft_trials(x: np.ndarray, *, drop: int = 0) -> np.ndarray:
    """FFT along the last axis, without a window, after dropping ``drop`` leading samples.

    Parameters
    ----------
    x : ndarray, shape (..., n_times)
        Real responses, one sample per stimulus unit (model) or per time point (brain).
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


#: the summed variables of a Spectra, each over trials
SUM_VARS = ("sum_x", "sum_abs", "sum_abs2", "sum_phase")


def trial_sums(X: np.ndarray) -> dict[str, np.ndarray]:
    """Sums over trials (axis 0) of X, |X|, |X|² and X/|X| (0 where X is 0).

    Parameters
    ----------
    X : ndarray, shape (n_trials, ...), complex
        The coefficients of the trials.

    Returns
    -------
    sums : dict of str to ndarray, each shape ``X.shape[1:]``
        Keys :data:`SUM_VARS`, in X's precision.
    """
    mag = np.abs(X)
    with np.errstate(divide="ignore"):
        inv = np.reciprocal(mag)
    inv[mag == 0] = 0
    flat = mag.reshape(mag.shape[0], -1)
    abs2 = np.einsum("ij,ij->j", flat, flat).reshape(mag.shape[1:])
    return {
        "sum_x": X.sum(axis=0),
        "sum_abs": mag.sum(axis=0),
        "sum_abs2": abs2,
        "sum_phase": (X * inv).sum(axis=0),
    }


def unit_phase(X: np.ndarray) -> np.ndarray:
    """X / |X| elementwise, with 0 where X is 0 (the summand of ITC).

    Parameters
    ----------
    X : ndarray, any shape, complex
        FFT coefficients.

    Returns
    -------
    phase : ndarray, shape of ``X``, complex
        Unit-modulus values (0 where X is 0).
    """
    mag = np.abs(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        ph = np.where(mag > 0, X / np.where(mag > 0, mag, 1.0), 0.0)
    return ph


class SpectraAccumulator:
    """Accumulate FFT coefficients trial by trial into a Spectra Dataset.

    Parameters
    ----------
    channel_dims : tuple of str
        Names of the channel dims, e.g. ``("layer", "neuron")`` or ``("channel",)``.
    channel_coords : dict
        Coordinates for the channel dims (and any non-dimension coords on them, given as
        ``name: (dim, values)``).
    freqs : ndarray, shape (n_freq,)
        The frequency axis (Hz) of the coefficients that will be added.
    sfreq : float
        Sampling rate: the unit rate for a model, the recording rate for a brain (the old
        keyword ``rate_hz`` still works, with a FutureWarning).
    tagged_hz : dict of str to float
        Tagged frequencies by level, e.g. ``{"sentence": 1.0, "phrase": 2.0}`` (old keyword
        ``tagged``).
    n_times : int or None
        Samples per trial that produced ``freqs`` (``None`` for frequency-domain input).
    kind : {"model", "brain"}
    keep_trials : bool
        Keep per-trial complex64 coefficients at the tagged bins (``trial_x``).
    attrs : dict, optional
        Extra provenance.
    n_trials : dict of str to int, optional
        The trials each condition will get, when known ahead (the probe knows them). The
        totals and the kept trial coefficients are then written straight into arrays of the
        final Spectra's shapes (all conditions, in this order), which :meth:`to_dataset` hands
        over (``release=True``) instead of copying, so that memory holds them once. More trials
        than announced, or other conditions, are kept apart, as without it.
    """

    @renamed_kwarg(rate_hz="sfreq", tagged="tagged_hz")
    def __init__(
        self,
        *,
        channel_dims: Sequence[str],
        channel_coords: Mapping[str, Any],
        freqs: np.ndarray,
        sfreq: float,
        tagged_hz: Mapping[str, float],
        n_times: int | None,
        kind: str = "model",
        keep_trials: bool = True,
        attrs: Mapping[str, Any] | None = None,
        n_trials: Mapping[str, int] | None = None,
    ) -> None:
        check_option("kind", kind, ("model", "brain"))
        self.channel_dims = tuple(channel_dims)
        self.channel_coords = dict(channel_coords)
        self.freqs = np.asarray(freqs, dtype=float)
        self.sfreq = float(sfreq)
        self.tagged_hz = {str(k): float(v) for k, v in tagged_hz.items()}
        self.n_times = n_times
        self.kind = kind
        self.keep_trials = keep_trials
        self.attrs = dict(attrs or {})
        self._sums: dict[str, dict[str, np.ndarray]] = {}
        self._trials: dict[str, list[np.ndarray]] = {}
        self.tagged_bins = self._tagged_bins()
        self._channel_shape: tuple[int, ...] | None = None
        # the final arrays, filled in place (see n_trials): the totals of every announced
        # condition, its kept trials, and condition -> [row, trials written there]
        self._expected = {str(c): int(n) for c, n in (n_trials or {}).items()}
        self._sum_store: dict[str, np.ndarray] | None = None
        self._store = None
        self._store_fill: dict[str, list[int]] = {}

    @property
    def conditions(self) -> list[str]:
        """The conditions with trials so far, in the order they came."""
        return list(self._sums)

    @property
    def rate_hz(self) -> float:
        """Deprecated name of :attr:`sfreq` (removed in hftp 0.4)."""
        warn_renamed("SpectraAccumulator.rate_hz", "SpectraAccumulator.sfreq")
        return self.sfreq

    @property
    def tagged(self) -> dict[str, float]:
        """Deprecated name of :attr:`tagged_hz` (removed in hftp 0.4)."""
        warn_renamed("SpectraAccumulator.tagged", "SpectraAccumulator.tagged_hz")
        return self.tagged_hz

    def _tagged_bins(self) -> dict[float, int]:
        bins: dict[float, int] = {}
        for level, f in self.tagged_hz.items():
            idx = bin_index(self.freqs, f, name=f"tagged_hz ({level})")
            bins[f] = idx
        return dict(sorted(bins.items()))

    def add(self, condition: str, X: np.ndarray) -> None:
        """Add trials of one condition.

        Parameters
        ----------
        condition : str
        X : ndarray, shape (n_trials, *channel_shape, n_freq), complex
            The rfft of each trial (DC removed), as from :func:`rfft_trials`.
        """
        X = np.asarray(X)
        if X.ndim != len(self.channel_dims) + 2:
            raise InvalidValueError(
                f"Invalid shape for 'X': expected (n_trials, {', '.join(self.channel_dims)}, freq) "
                f"with {len(self.channel_dims) + 2} dims; got {X.shape}."
            )
        self._check_channel_shape(X.shape[1:-1], "X")
        self.start_trials(condition, X.shape[0])
        self.add_fft(condition, X)

    def start_trials(self, condition: str, n_trials: int) -> None:
        """Count ``n_trials`` new trials of ``condition``; their values follow through
        :meth:`add_fft` (or their sums through :meth:`add_sums`), whole or one block of channels
        at a time.

        The channel shape must be known: from ``channel_coords`` or an earlier :meth:`add`.

        Parameters
        ----------
        condition : str
            The condition (a new one starts its sums at zero).
        n_trials : int
            The number of trials that follow.
        """
        shape = self._known_channel_shape()
        s = self._sums.get(condition)
        if s is None:
            s = self._new_totals(condition, shape)
            s["n"] = np.zeros((), np.int64)
            self._sums[condition] = s
            self._trials[condition] = []
        s["n"] += int(n_trials)
        if self.keep_trials and self.tagged_bins:
            self._trials[condition].append(self._trial_buffer(condition, int(n_trials), shape))

    def _new_totals(self, condition: str, shape: tuple[int, ...]) -> dict:
        """Zero totals (pages untouched until written): views of the final arrays if announced."""
        full = (*shape, self.freqs.size)
        if condition not in self._expected:
            return {var: np.zeros(full, _SUM_DTYPES[var]) for var in SUM_VARS}
        if self._sum_store is None:
            n = len(self._expected)
            self._sum_store = {v: np.zeros((n, *full), _SUM_DTYPES[v]) for v in SUM_VARS}
        row = list(self._expected).index(condition)
        return {var: self._sum_store[var][row] for var in SUM_VARS}

    def _trial_buffer(self, condition: str, n: int, shape: tuple[int, ...], fill: bool = True):
        """Room for ``n`` trials (NaN unless ``fill=False``): a view of the final trial_x when
        announced."""
        n_tag = len(self.tagged_bins)
        if condition in self._expected:
            if self._store is None:  # pages are touched only as trials arrive
                rows = max(self._expected.values())
                self._store = np.empty((len(self._expected), rows, *shape, n_tag), np.complex64)
                self._store_fill = {c: [i, 0] for i, c in enumerate(self._expected)}
            row, done = self._store_fill[condition]
            if 0 <= done and done + n <= self._expected[condition]:
                view = self._store[row, done : done + n]
                if fill:
                    view[...] = np.nan
                self._store_fill[condition][1] = done + n
                return view
            self._store_fill[condition][1] = -1  # more than announced: kept apart from here
        shape = (n, *shape, n_tag)
        return np.full(shape, np.nan, np.complex64) if fill else np.empty(shape, np.complex64)

    def receive(self, condition: str, n_trials: int) -> tuple[dict, np.ndarray | None]:
        """Count ``n_trials`` trials of a new condition whose sums were computed elsewhere, and
        return the arrays to write them into.

        For sums kept on a device until the end (:class:`hftp.models.fft.DeviceSummarizer`):
        the caller copies its totals and kept trials straight into these arrays (views of the
        final Spectra's when the trials were announced), so they are written once.

        Parameters
        ----------
        condition : str
            A condition with no trials yet.
        n_trials : int
            Its trials.

        Returns
        -------
        totals : dict of str to ndarray, each shape (*channel_shape, n_freq)
            :data:`SUM_VARS`, zero: the caller writes (or adds to) every value.
        trials : ndarray, shape (n_trials, *channel_shape, n_tagged), complex64, or None
            Uninitialised room for the coefficients at :attr:`tagged_bins`, which the caller
            fills whole; None unless ``keep_trials``.
        """
        condition = str(condition)
        if condition in self._sums:
            raise InvalidValueError(
                f"Invalid value for 'condition': {condition!r} already has trials; receive() "
                "takes a new condition. Add to it with start_trials() and add_sums()."
            )
        shape = self._known_channel_shape()
        s = self._new_totals(condition, shape)
        s["n"] = np.zeros((), np.int64) + int(n_trials)
        self._sums[condition] = s
        self._trials[condition] = []
        if not (self.keep_trials and self.tagged_bins):
            return {v: s[v] for v in SUM_VARS}, None
        room = self._trial_buffer(condition, int(n_trials), shape, fill=False)
        self._trials[condition].append(room)
        return {v: s[v] for v in SUM_VARS}, room

    def add_fft(self, condition: str, X: np.ndarray, *, block: tuple[int, ...] = ()) -> None:
        """Add the FFT coefficients of the trials last counted by :meth:`start_trials`.

        Parameters
        ----------
        condition : str
            A condition already started with :meth:`start_trials`.
        X : ndarray, shape (n_trials, *channel_shape[len(block):], n_freq), complex
            The coefficients of those trials for the channels at ``block``.
        block : tuple of int
            Indices into the leading channel dims, e.g. ``(layer_index,)`` to add one layer of a
            model at a time. Default ``()``: all channels.
        """
        self._check_block_shape(X.shape[1:], block, "X", "(n_trials, ")
        tagged_x = X[..., list(self.tagged_bins.values())] if self.tagged_bins else None
        self._add(condition, trial_sums(X), tagged_x, block, name="X")

    def add_sums(
        self,
        condition: str,
        sums: Mapping[str, np.ndarray],
        tagged_x: np.ndarray | None,
        *,
        block: tuple[int, ...] = (),
    ) -> None:
        """Add trial sums computed elsewhere (e.g. on a GPU) for the trials of :meth:`start_trials`.

        Parameters
        ----------
        condition : str
            A condition already started with :meth:`start_trials`.
        sums : dict of str to ndarray, each shape (*channel_shape[len(block):], n_freq)
            ``sum_x``, ``sum_abs``, ``sum_abs2``, ``sum_phase`` over those trials, as from
            :func:`trial_sums`.
        tagged_x : ndarray, shape (n_trials, *channel_shape[len(block):], n_tagged), or None
            The coefficients at :attr:`tagged_bins` (in their order); ignored unless
            ``keep_trials``.
        block : tuple of int
            As in :meth:`add_fft`. Blocks are disjoint, so different blocks may be added from
            different threads.
        """
        missing = [v for v in SUM_VARS if v not in sums]
        if missing:
            raise InvalidValueError(
                f"Invalid value for 'sums': {missing} missing. Pass the four sums {list(SUM_VARS)}, "
                "e.g. trial_sums(X)."
            )
        for var in SUM_VARS:
            self._check_block_shape(np.shape(sums[var]), block, f"sums[{var!r}]", "(")
        self._add(condition, sums, tagged_x, block, name="tagged_x")

    def _add(self, condition: str, sums, tagged_x, block: tuple[int, ...], *, name: str) -> None:
        """Check the condition and the kept coefficients, then add: a refused call adds nothing.

        ``name`` is the caller's argument the coefficients came from (``X`` or ``tagged_x``).
        """
        s = self._sums.get(condition)
        if s is None:
            raise InvalidValueError(
                f"Invalid value for 'condition': {condition!r} has no trials started. Call "
                "start_trials(condition, n_trials) first (add() does both)."
            )
        keep = self.keep_trials and bool(self.tagged_bins)
        if keep:
            buf = self._trials[condition][-1]
            want = (buf.shape[0], *self._known_channel_shape()[len(block) :], len(self.tagged_bins))
            got = None if tagged_x is None else tuple(np.shape(tagged_x))
            if got != want:
                raise InvalidValueError(
                    f"Invalid shape for {name!r}: expected {want} for the coefficients at "
                    f"tagged_bins ({want[0]} trials, as start_trials counted; block {block}; "
                    f"keep_trials=True); got {got}. Pass the same trials to every block."
                )
        for var in SUM_VARS:
            s[var][block] += sums[var]
        if keep:
            buf[(slice(None), *block)] = tagged_x

    def _store_complete(self, conds: list[str], n_trials: np.ndarray) -> bool:
        """Whether every kept trial sits in the announced store, conditions in its order."""
        if self._store is None or conds != list(self._expected):
            return False
        done = [self._store_fill[c][1] for c in conds]
        return done == [int(n) for n in n_trials]

    def _check_block_shape(self, shape, block, name: str, lead: str) -> None:
        want = (*self._known_channel_shape()[len(block) :], self.freqs.size)
        if tuple(shape) != want:
            raise InvalidValueError(
                f"Invalid shape for {name!r}: expected {lead}{', '.join(map(str, want))}) for "
                f"block {block}; got {tuple(shape)}."
            )

    def _known_channel_shape(self) -> tuple[int, ...]:
        if self._channel_shape is None:
            if all(d in self.channel_coords for d in self.channel_dims):
                self._channel_shape = tuple(len(self.channel_coords[d]) for d in self.channel_dims)
            else:
                raise InvalidValueError(
                    "The channel shape is not known yet: give channel_coords for every channel dim "
                    f"{self.channel_dims}, or start with add(condition, X)."
                )
        return self._channel_shape

    def _check_channel_shape(self, shape: tuple[int, ...], name: str) -> None:
        if self._channel_shape is None and not all(
            d in self.channel_coords for d in self.channel_dims
        ):
            self._channel_shape = tuple(shape)
        if tuple(shape) != self._known_channel_shape():
            raise InvalidValueError(
                f"Invalid shape for {name!r}: channels {tuple(shape)} differ from the accumulator's "
                f"{self._channel_shape}."
            )

    def to_dataset(self, *, release: bool = False):
        """The Spectra accumulated so far, as an ``xarray.Dataset`` (a copy).

        Parameters
        ----------
        release : bool
            Hand the accumulator's arrays over to the result instead of copying them where they
            already have the result's layout (trials announced with ``n_trials``), and free the
            others as they are copied, so that memory holds the Spectra once, not twice. The
            accumulator is empty afterwards and cannot be added to. Default False.

        Returns
        -------
        spectra : xarray.Dataset
            Dims ``(condition, *channel_dims, freq)``; ``n_trials`` dims ``(condition,)``;
            ``trial_x`` dims ``(condition, trial, *channel_dims, tagged_freq)`` when trials are
            kept (padded with NaN to the condition with most trials). See the module docstring.
        """
        import xarray as xr

        if not self._sums:
            raise InvalidValueError(
                "No trials were added: the Spectra would be empty. Add at least one trial per condition."
            )
        conds = list(self._sums)
        dims = ("condition", *self.channel_dims, "freq")
        data = {}
        n_trials = np.array([int(self._sums[c]["n"]) for c in conds])
        in_place = self._sum_store is not None and conds == list(self._expected)
        for var in SUM_VARS:  # a copy: adding to the accumulator later leaves the result alone
            if in_place:
                data[var] = (dims, self._sum_store[var] if release else self._sum_store[var].copy())
                continue
            parts = [self._sums[c].pop(var) if release else self._sums[c][var] for c in conds]
            stacked = np.empty((len(parts), *parts[0].shape), parts[0].dtype)
            for i in range(len(parts)):
                stacked[i] = parts[i]
                if release:
                    parts[i] = None
            data[var] = (dims, stacked)
        data["n_trials"] = (("condition",), n_trials)
        if self.keep_trials and self.tagged_bins:
            data["trial_x"] = (
                ("condition", "trial", *self.channel_dims, "tagged_freq"),
                self._trial_x(conds, n_trials, release),
            )
        if release:
            self._sums.clear()
            self._trials.clear()
            self._store = self._sum_store = None
        coords: dict[str, Any] = {"condition": conds, "freq": self.freqs}
        coords.update(self.channel_coords)
        if self.keep_trials and self.tagged_bins:
            coords["tagged_freq"] = np.array(list(self.tagged_bins), dtype=float)
        attrs = {
            "hftp_schema": SCHEMA_VERSION,
            "kind": self.kind,
            "sfreq": self.sfreq,
            "tagged_hz": json.dumps(self.tagged_hz),
            "n_times": -1 if self.n_times is None else int(self.n_times),
        }
        attrs.update({k: v for k, v in self.attrs.items() if k != "unit_rate_hz"})
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def _trial_x(self, conds: list[str], n_trials: np.ndarray, release: bool) -> np.ndarray:
        """The kept trials as (condition, trial, *channels, tagged_freq), NaN-padded."""
        if self._store_complete(conds, n_trials):  # already in place
            tx = self._store[:, : int(n_trials.max())]
            for row, done in self._store_fill.values():
                tx[row, done:] = np.nan + 1j * np.nan
            return tx if release else tx.copy()
        shape = (len(conds), int(n_trials.max()), *self._channel_shape, len(self.tagged_bins))
        tx = np.empty(shape, dtype=np.complex64)
        for i, c in enumerate(conds):
            bufs, k = self._trials[c], 0
            for j in range(len(bufs)):  # batch by batch: no concatenated copy
                n = len(bufs[j])
                tx[i, k : k + n] = bufs[j]
                k += n
                if release:  # freed as soon as it is copied
                    bufs[j] = None
            tx[i, k:] = np.nan + 1j * np.nan
        return tx


#: the dtype of each total
_SUM_DTYPES = {
    "sum_x": np.complex128,
    "sum_abs": np.float64,
    "sum_abs2": np.float64,
    "sum_phase": np.complex128,
}


@renamed_kwarg(rate_hz="sfreq", tagged="tagged_hz")
def make_spectra(
    trials: Mapping[str, np.ndarray],
    *,
    sfreq: float,
    tagged_hz: Mapping[str, float],
    channel_dims: Sequence[str] = ("channel",),
    channel_coords: Mapping[str, Any] | None = None,
    drop: int = 0,
    kind: str = "brain",
    keep_trials: bool = True,
    attrs: Mapping[str, Any] | None = None,
):
    """Build a Spectra from time-domain trials held in memory.

    Parameters
    ----------
    trials : dict of str to ndarray, each shape (n_trials, *channel_shape, n_times)
        Real responses per condition. All conditions share ``n_times``.
    sfreq : float
        Samples per second (the unit rate for a model). The old keyword ``rate_hz`` still works,
        with a FutureWarning.
    tagged_hz : dict of str to float
        Tagged frequencies by level, e.g. ``{"sentence": 1.0, "phrase": 2.0}`` (old keyword
        ``tagged``).
    channel_dims : tuple of str
        Names of the channel dims, matching ``channel_shape``. Default ``("channel",)``.
    channel_coords : dict, optional
        Coordinates for the channel dims; defaults to integer ranges.
    drop : int
        Leading samples dropped before the FFT. Default 0.
    kind : {"brain", "model"}
        Default ``"brain"``.
    keep_trials : bool
        Keep per-trial coefficients at the tagged bins (``trial_x``). Default True.
    attrs : dict, optional
        Extra provenance, copied to the Dataset's attrs.

    Returns
    -------
    spectra : xarray.Dataset
        Dims ``(condition, *channel_dims, freq)`` with ``freq`` of size ``(n_times - drop) // 2``;
        ``trial_x`` dims ``(condition, trial, *channel_dims, tagged_freq)`` when kept.

    Examples
    --------
    >>> import numpy as np
    >>> import hftp
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(100) / 4.0  # 100 samples at 4 Hz
    >>> exp = rng.standard_normal((20, 3, 100)) + np.cos(2 * np.pi * 1.0 * t)  # 1 Hz in 3 channels
    >>> ctrl = rng.standard_normal((20, 3, 100))
    >>> spectra = hftp.make_spectra({"exp": exp, "ctrl": ctrl}, sfreq=4.0,
    ...                             tagged_hz={"sentence": 1.0})
    >>> dict(spectra.sizes)
    {'condition': 2, 'channel': 3, 'freq': 50, 'trial': 20, 'tagged_freq': 1}
    >>> spectra.hftp.kind, spectra["n_trials"].values.tolist()
    ('brain', [20, 20])
    """
    check_type(
        "trials",
        trials,
        Mapping,
        "a dict mapping condition name to an array (n_trials, ..., n_times)",
    )
    if not trials:
        raise InvalidValueError(
            "Invalid value for 'trials': expected at least one condition; got an empty dict."
        )
    drop = check_int("drop", drop, min_value=0)
    arrays = {str(c): np.asarray(a, dtype=float) for c, a in trials.items()}
    n_times = {a.shape[-1] for a in arrays.values()}
    if len(n_times) != 1:
        raise InvalidValueError(
            f"Invalid value for 'trials': every condition must have the same number of samples; got {sorted(n_times)}."
        )
    n = n_times.pop() - drop
    if n < 4:
        raise InvalidValueError(
            f"Invalid value for 'drop': leaves {n} samples per trial; at least 4 are needed."
        )
    freqs = freq_axis(n, sfreq)
    first = next(iter(arrays.values()))
    coords = dict(
        channel_coords
        or {d: np.arange(s) for d, s in zip(channel_dims, first.shape[1:-1], strict=True)}
    )
    acc = SpectraAccumulator(
        channel_dims=channel_dims,
        channel_coords=coords,
        freqs=freqs,
        sfreq=sfreq,
        tagged_hz=tagged_hz,
        n_times=n,
        kind=kind,
        keep_trials=keep_trials,
        attrs=attrs,
    )
    for c, a in arrays.items():
        acc.add(c, rfft_trials(a, drop=drop))
    return acc.to_dataset()
