"""hftp: the Hierarchical Frequency Tagging Probe.

Find the neurons of a language model and the electrodes of a brain that follow the rhythm of
syntax (sentences and phrases presented at fixed rates), and measure how alike the two are.

The pipeline has one subpackage per stage::

    stimuli → models (extract) ─┐
                                ├→ spectral → tagging → align → plot
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
    "make_stimuli": "stimuli.core",
    "StimulusSet": "stimuli.core",
    "load_stimuli": "stimuli.core",
    "save_stimuli": "stimuli.core",
    "list_designs": "stimuli.core",
    # models
    "load_model": "models.load",
    "register_family": "models.families",
    "extract_activations": "models.extract",
    "probe": "models.extract",
    # spectra
    "make_spectra": "spectral.accumulate",
    "evoked_amplitude": "spectral.measures",
    "itc": "spectral.measures",
    "snr": "spectral.measures",
    "at_freq": "spectral.measures",
    # tagging
    "find_tagged": "tagging.core",
    "layer_profile": "tagging.core",
    "overlap": "tagging.core",
    "compare_profiles": "tagging.compare",
    "bh_fdr": "tagging.base",
    "lexical_residual": "tagging.lexical",
    # brain
    "read_recording": "brain.core",
    "brain_spectra": "brain.core",
    "concat_subjects": "brain.subjects",
    "responsive_channels": "brain.core",
    "assign_regions": "brain.anatomy",
    "simulate_ieeg": "brain.simulate",
    # alignment
    "rdms": "align.rdms",
    "compare_rdms": "align.compare",
    "align": "align.core",
    "alignment_summary": "align.inference",
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
    "align",
    "plot",
    "io",
    "datasets",
    "testing",
)

__all__ = sorted([*_API, *_SUBMODULES, "__version__"])

if TYPE_CHECKING:  # what the lazy loader below returns, spelled out for type checkers and IDEs
    from hftp import brain, datasets, io, models, plot, spectral, stimuli, tagging, testing
    from hftp._validation import HftpError
    from hftp.align.compare import compare_rdms
    from hftp.align.core import align
    from hftp.align.inference import alignment_summary
    from hftp.align.rdms import rdms
    from hftp.brain.anatomy import assign_regions
    from hftp.brain.core import brain_spectra, read_recording, responsive_channels
    from hftp.brain.simulate import simulate_ieeg
    from hftp.brain.subjects import concat_subjects
    from hftp.io import load, save
    from hftp.models.extract import extract_activations, probe
    from hftp.models.families import register_family
    from hftp.models.load import load_model
    from hftp.spectral.accumulate import make_spectra
    from hftp.spectral.measures import at_freq, evoked_amplitude, itc, snr
    from hftp.stimuli.core import (
        StimulusSet,
        list_designs,
        load_stimuli,
        make_stimuli,
        save_stimuli,
    )
    from hftp.tagging.base import bh_fdr
    from hftp.tagging.compare import compare_profiles
    from hftp.tagging.core import find_tagged, layer_profile, overlap
    from hftp.tagging.lexical import lexical_residual


def __getattr__(name: str) -> Any:
    if name in _API:
        mod = importlib.import_module(f".{_API[name]}", __name__)
        return getattr(mod, name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'hftp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
