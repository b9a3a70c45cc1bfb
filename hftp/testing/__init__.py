"""Shared test fixtures with known answers: tiny random models, planted spectra, simulated brains.

Tests, notebooks and benchmarks use these instead of rebuilding their own:

- :func:`tiny_model` and :func:`tiny_tokenizer`: a random model of any registered family, built
  from a config (no weights, no download), and a byte-level BPE tokenizer trained in memory;
- :func:`make_stim`: a :class:`~hftp.StimulusSet` from plain lists of units;
- :func:`planted_spectra`: a Spectra whose chosen channels carry a phase-locked response at chosen
  levels (noise elsewhere), optionally with the nuisances of real models (attention sink, drift,
  1/f noise);
- :func:`simulated_brain`: a simulated BIDS iEEG data set read back as epochs.

torch and transformers are imported only by the model helpers.
"""

from hftp.testing.brain import simulated_brain
from hftp.testing.models import TINY_CONFIGS, TINY_WIDTH, tiny_model, tiny_tokenizer
from hftp.testing.spectra import make_stim, planted_spectra

__all__ = [
    "TINY_CONFIGS",
    "TINY_WIDTH",
    "tiny_model",
    "tiny_tokenizer",
    "make_stim",
    "planted_spectra",
    "simulated_brain",
]
