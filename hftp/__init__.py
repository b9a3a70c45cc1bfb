"""hftp: the Hierarchical Frequency Tagging Probe.

Find the neurons of a language model and the electrodes of a brain that follow the rhythm of
syntax (sentences and phrases presented at fixed rates), and measure how alike the two are.

The pipeline has one subpackage per stage::

    stimuli → models (extract) ─┐
                                ├→ spectral → tagging → rsa → plot
    brain (read, simulate) ─────┘

The names below are the public API. They are imported lazily on first use, so that
``import hftp`` stays fast and the brain side works without torch; type checkers and IDEs see
them through the ``TYPE_CHECKING`` block.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

# public name -> module that defines it
_API: dict[str, str] = {
    # stimuli
    "make_stimuli": "stimuli.generation",
    "StimulusSet": "stimuli.stimulus_set",
    "load_stimuli": "stimuli.stimulus_set",
    "save_stimuli": "stimuli.stimulus_set",
    "list_designs": "stimuli.designs",
    # models
    "load_model": "models.load",
    "register_family": "models.families",
    "extract_activations": "models.extract",
    "probe": "models.probing",
    # spectra
    "make_spectra": "spectral.accumulate",
    "evoked_amplitude": "spectral.measures",
    "itc": "spectral.measures",
    "snr": "spectral.measures",
    "at_freq": "spectral.measures",
    # tagging
    "find_tagged": "tagging.pipeline",
    "layer_profile": "tagging.profile",
    "overlap": "tagging.profile",
    "compare_profiles": "tagging.across_models",
    "bh_fdr": "tagging.fdr",
    "lexical_residual": "tagging.lexical",
    # brain
    "read_recording": "brain.reading",
    "brain_spectra": "brain.spectra",
    "concat_subjects": "brain.subjects",
    "responsive_channels": "tagging.responsive",
    "assign_regions": "brain.anatomy",
    "simulate_ieeg": "brain.simulate",
    # alignment
    "rdms": "rsa.dissimilarity",
    "compare_rdms": "rsa.comparison",
    "align": "rsa.alignment",
    "alignment_summary": "rsa.alignment",
    # files and errors
    "save": "io",
    "load": "io",
    "HftpError": "_validation",
}

_SUBMODULES = (
    "stimuli",
    "models",
    "spectral",
    "tagging",
    "brain",
    "rsa",
    "plot",
    "io",
    "datasets",
    "testing",
)

__all__ = sorted([*_API, *_SUBMODULES, "__version__"])

if TYPE_CHECKING:  # what the lazy loader below returns, spelled out for type checkers and IDEs
    from hftp import brain, datasets, io, models, plot, rsa, spectral, stimuli, tagging, testing
    from hftp._validation import HftpError
    from hftp.brain.anatomy import assign_regions
    from hftp.brain.reading import read_recording
    from hftp.brain.simulate import simulate_ieeg
    from hftp.brain.spectra import brain_spectra
    from hftp.brain.subjects import concat_subjects
    from hftp.io import load, save
    from hftp.models.extract import extract_activations
    from hftp.models.families import register_family
    from hftp.models.load import load_model
    from hftp.models.probing import probe
    from hftp.rsa.alignment import align, alignment_summary
    from hftp.rsa.comparison import compare_rdms
    from hftp.rsa.dissimilarity import rdms
    from hftp.spectral.accumulate import make_spectra
    from hftp.spectral.measures import at_freq, evoked_amplitude, itc, snr
    from hftp.stimuli.designs import list_designs
    from hftp.stimuli.generation import make_stimuli
    from hftp.stimuli.stimulus_set import StimulusSet, load_stimuli, save_stimuli
    from hftp.tagging.across_models import compare_profiles
    from hftp.tagging.fdr import bh_fdr
    from hftp.tagging.lexical import lexical_residual
    from hftp.tagging.pipeline import find_tagged
    from hftp.tagging.profile import layer_profile, overlap
    from hftp.tagging.responsive import responsive_channels


def __getattr__(name: str) -> Any:
    if name in _API:
        mod = importlib.import_module(f".{_API[name]}", __name__)
        return getattr(mod, name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'hftp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
