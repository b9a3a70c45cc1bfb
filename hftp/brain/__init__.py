"""Stage 2 for brains: recordings through MNE into the same Spectra as model activations.

- :mod:`hftp.brain.reading`: the read functions (:func:`read_recording`, :func:`read_subjects`,
  :func:`read_spectra`, :func:`item_epochs`, ``read_any``) and their options record
  :class:`~hftp.brain.reading.ReadOptions`.
- :mod:`hftp.brain.formats`: one reader per file format and the registry :data:`FORMATS`
  (BIDS iEEG, EDF/BDF, BrainVision, FIF, FieldTrip).
- :mod:`hftp.brain.epochs`: events → conditions → ``mne.Epochs``, truncated files.
- :mod:`hftp.brain.montage`: contact positions and standard montages, and the channel coords
  (regions, hemisphere, MNI x, y, z) they give.
- :mod:`hftp.brain.spectra`: :func:`brain_spectra`, epochs → brain Spectra.
- :mod:`hftp.brain.subjects`: :func:`concat_subjects`, pooling subjects along ``channel``.
- :mod:`hftp.brain.exchange`: :func:`to_mne_spectrum`, a brain Spectra's measure as an MNE
  ``SpectrumArray`` (for MNE's plots and topomaps).
- :mod:`hftp.brain.anatomy`: MNI positions → atlas labels → language regions.
- :mod:`hftp.brain.simulate`: :func:`simulate_ieeg`, a simulated BIDS iEEG data set with known
  ground truth.

Which channels respond is decided by tagging: :func:`hftp.tagging.responsive.responsive_channels`.
mne is imported only when a function needs it.
"""

from hftp._deprecate import module_getattr
from hftp.brain.anatomy import assign_regions
from hftp.brain.exchange import to_mne_spectrum
from hftp.brain.formats import FORMATS
from hftp.brain.reading import item_epochs, read_recording, read_spectra, read_subjects
from hftp.brain.simulate import simulate_ieeg
from hftp.brain.spectra import brain_spectra
from hftp.brain.subjects import concat_subjects

__all__ = [
    "read_recording",
    "read_subjects",
    "read_spectra",
    "brain_spectra",
    "concat_subjects",
    "to_mne_spectrum",
    "item_epochs",
    "assign_regions",
    "simulate_ieeg",
    "FORMATS",
]

# brain reads, tagging decides: the old name stays for one release, imported only when used
__getattr__ = module_getattr(
    __name__, {"responsive_channels": ("hftp.tagging.responsive", "responsive_channels")}
)
