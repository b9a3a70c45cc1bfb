"""Stage 2 for brains: recordings through MNE, anatomy, and the BIDS simulator.

:mod:`hftp.brain.core` reads recordings and builds brain Spectra; :mod:`hftp.brain.readers` holds
one reader per format; :mod:`hftp.brain.anatomy` maps MNI positions to atlas regions;
:mod:`hftp.brain.simulate` writes a simulated BIDS iEEG data set with known ground truth.
mne is imported only when a function needs it.
"""

from hftp.brain.anatomy import assign_regions
from hftp.brain.core import (
    FORMATS,
    brain_spectra,
    read_recording,
    read_spectra,
    read_subjects,
    responsive_channels,
)
from hftp.brain.readers import item_epochs
from hftp.brain.simulate import simulate_ieeg
from hftp.brain.subjects import concat_subjects

__all__ = [
    "read_recording",
    "read_subjects",
    "read_spectra",
    "brain_spectra",
    "concat_subjects",
    "item_epochs",
    "responsive_channels",
    "assign_regions",
    "simulate_ieeg",
    "FORMATS",
]
