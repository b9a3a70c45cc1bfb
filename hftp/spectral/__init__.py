"""The Spectra container: accumulation of per-trial FFTs, the measures, and the ``.hftp`` accessor.

A Spectra is an ``xarray.Dataset`` with dims ``(condition, *channel_dims, freq)``; the channel dims
are ``layer, neuron`` for a model and ``channel`` for a brain. See :mod:`hftp.spectral.accumulate`
(building one), :mod:`hftp.spectral.measures` (evoked amplitude, ITC, SNR, bins) and
:mod:`hftp.spectral.accessor` (attributes and validation).
"""

from hftp.spectral.accessor import (
    SCHEMA_VERSION,
    SpectraAccessor,
    channel_dims,
    check_spectra,
    upgrade,
)
from hftp.spectral.accumulate import (
    SpectraAccumulator,
    freq_axis,
    make_spectra,
    rfft_trials,
    unit_phase,
)
from hftp.spectral.bins import (
    bin_index,
    bin_step,
    check_on_bin,
    is_real_bin,
    neighbour_bins,
    warn_nyquist,
)
from hftp.spectral.measures import (
    MEASURES,
    at_freq,
    evoked_amplitude,
    itc,
    mean_amplitude,
    power,
    snr,
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
    "SpectraAccessor",
    "SCHEMA_VERSION",
    "check_spectra",
    "upgrade",
    "channel_dims",
    "bin_index",
    "bin_step",
    "check_on_bin",
    "at_freq",
    "neighbour_bins",
    "is_real_bin",
    "warn_nyquist",
    "MEASURES",
]
