"""The Spectra container: building one, its bins, the measures, halves, and the ``.hftp`` accessor.

A Spectra is an ``xarray.Dataset`` with dims ``(condition, *channel_dims, freq)``; the channel dims
are ``layer, neuron`` for a model and ``channel`` for a brain. The modules:

- :mod:`hftp.spectral.accumulate`: the FFT of each trial and the sums over trials
  (:class:`SpectraAccumulator`, :func:`make_spectra`);
- :mod:`hftp.spectral.bins`: frequencies and FFT bins (exact bins, neighbor bins, harmonics,
  the real-valued Nyquist bin);
- :mod:`hftp.spectral.measures`: evoked amplitude, ITC, mean amplitude, power and SNR;
- :mod:`hftp.spectral.splits`: the two independent halves of a split Spectra;
- :mod:`hftp.spectral.accessor`: ``spectra.hftp`` (sampling rate, tagged frequencies, channel
  dims, kind, validation) and :func:`upgrade` of older files.

This subpackage imports neither torch nor MNE.
"""

from hftp._deprecate import module_getattr
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
    harmonic_bins,
    is_real_bin,
    neighbor_bins,
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
    "neighbor_bins",
    "harmonic_bins",
    "is_real_bin",
    "warn_nyquist",
    "MEASURES",
]

# deprecated names (removed in hftp 0.4): each warns once, naming its replacement
__getattr__ = module_getattr(__name__, {"neighbour_bins": ("hftp.spectral", "neighbor_bins")})
