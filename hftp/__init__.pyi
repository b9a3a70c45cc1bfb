"""The public API of hftp, declared once: read by lazy_loader at run time and by type checkers."""

from . import brain, datasets, io, models, plot, rsa, spectral, stimuli, tagging, testing
from ._validation import HftpError
from .brain.anatomy import assign_regions
from .brain.reading import read_recording
from .brain.simulate import simulate_ieeg
from .brain.spectra import brain_spectra
from .brain.subjects import concat_subjects
from .io import load, save
from .models.extract import extract_activations
from .models.families import register_family
from .models.load import load_model
from .models.probing import probe
from .rsa.alignment import align, alignment_summary
from .rsa.comparison import compare_rdms
from .rsa.dissimilarity import rdms
from .spectral.accumulate import make_spectra
from .spectral.measures import at_freq, evoked_amplitude, itc, snr
from .stimuli.designs import list_designs
from .stimuli.generation import make_stimuli
from .stimuli.stimulus_set import load_stimuli, save_stimuli, StimulusSet
from .tagging.across_models import compare_profiles
from .tagging.fdr import bh_fdr
from .tagging.lexical import lexical_residual
from .tagging.pipeline import find_tagged
from .tagging.profile import effect_curve, effect_profile, layer_profile
from .tagging.sets import overlap
from .tagging.responsive import responsive_channels
from ._version import __version__

__all__ = [
    "HftpError",
    "StimulusSet",
    "__version__",
    "align",
    "alignment_summary",
    "assign_regions",
    "at_freq",
    "bh_fdr",
    "brain",
    "brain_spectra",
    "compare_profiles",
    "compare_rdms",
    "concat_subjects",
    "datasets",
    "effect_curve",
    "effect_profile",
    "evoked_amplitude",
    "extract_activations",
    "find_tagged",
    "io",
    "itc",
    "layer_profile",
    "lexical_residual",
    "list_designs",
    "load",
    "load_model",
    "load_stimuli",
    "make_spectra",
    "make_stimuli",
    "models",
    "overlap",
    "plot",
    "probe",
    "rdms",
    "read_recording",
    "register_family",
    "responsive_channels",
    "rsa",
    "save",
    "save_stimuli",
    "simulate_ieeg",
    "snr",
    "spectral",
    "stimuli",
    "tagging",
    "testing",
]
