"""hftp: the Hierarchical Frequency Tagging Probe.

Find the neurons of a language model and the electrodes of a brain that follow the rhythm of
syntax (sentences and phrases presented at fixed rates), and measure how alike the two are.

The public API is listed in ``__all__``. Names are imported lazily on first use, so that
``import hftp`` stays fast and the brain side works without torch.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_API: dict[str, str] = {
    # stimuli
    "make_stimuli": "stimuli",
    "StimulusSet": "stimuli",
    "load_stimuli": "stimuli",
    "list_designs": "stimuli",
    "save_stimuli": "stimuli",
    "to_events": "stimuli",
    "load_word_streams": "stimuli",
    # models and extraction
    "load_model": "models",
    "register_family": "models",
    "extract_activations": "extract",
    "probe": "extract",
    # spectra
    "make_spectra": "spectral",
    "evoked_amplitude": "spectral",
    "itc": "spectral",
    "mean_amplitude": "spectral",
    "power": "spectral",
    "snr": "spectral",
    "at_freq": "spectral",
    # statistics
    "find_tagged": "stats",
    "layer_profile": "stats",
    "overlap": "stats",
    "category_fractions": "stats",
    "bh_fdr": "stats",
    # brain
    "read_recording": "brain",
    "brain_spectra": "brain",
    "assign_regions": "brain",
    "simulate_ieeg": "brain",
    "concat_subjects": "brain",
    "responsive_channels": "brain",
    "read_eeg_phrases": "brain",
    "subject_itc": "brain",
    "grand_average_itc": "brain",
    # alignment
    "rdms": "rsa",
    "align": "rsa",
    "alignment_summary": "rsa",
    # io
    "save": "io",
    "load": "io",
    # pipeline
    "run_demo": "demo",
    "untrained_copy": "demo",
}

_SUBMODULES = (
    "plot",
    "io",
    "stimuli",
    "models",
    "extract",
    "spectral",
    "stats",
    "brain",
    "rsa",
    "demo",
)

__all__ = sorted([*_API, *_SUBMODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _API:
        mod = importlib.import_module(f".{_API[name]}", __name__)
        return getattr(mod, name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'hftp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
