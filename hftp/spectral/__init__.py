"""The Spectra container: accumulation of per-trial FFTs, the measures, and the ``.hftp`` accessor.

A Spectra is an ``xarray.Dataset`` with dims ``(condition, *channel_dims, freq)``; the channel dims
are ``layer, neuron`` for a model and ``channel`` for a brain. See :mod:`hftp.spectral.accumulate`
(building one), :mod:`hftp.spectral.measures` (evoked amplitude, ITC, SNR, bins) and
:mod:`hftp.spectral.accessor` (attributes and validation).
"""

from hftp.spectral.accessor import _check_spectra, sampling_rate, tagged_hz, unit_dims
from hftp.spectral.accumulate import (
    SpectraAccumulator,
    freq_axis,
    make_spectra,
    rfft_trials,
    unit_phase,
)
from hftp.spectral.measures import (
    MEASURES,
    at_freq,
    bin_index,
    evoked_amplitude,
    is_real_bin,
    itc,
    mean_amplitude,
    neighbour_bins,
    power,
    snr,
    warn_nyquist,
)

__all__ = [
    "rfft_trials",
    "freq_axis",
    "unit_phase",
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
    "_check_spectra",
]
