"""``hftp demo``: the whole pipeline on the defaults, written as a report.

- :mod:`~hftp.apps.demo.pipeline`: :func:`run_demo`, the stages in order (stimuli → probe →
  tagging → checks → simulated sEEG → alignment → real EEG → report);
- :mod:`~hftp.apps.demo.config`: :class:`DemoConfig`, the run's parameters;
- :mod:`~hftp.apps.demo.folder`: the output folder, checked, resumed and marked complete;
- :mod:`~hftp.apps.demo.effects`: the headline: the effect profile per layer (raw, after the
  lexical baseline, untrained) with intervals, the curve over δ, the category-matched contrast's
  effect, the ablation of the top neurons by ``effect_lower``;
- :mod:`~hftp.apps.demo.checks`: what the tagged fractions mean (replication, lexical baseline,
  contrasts, tokenization, causal ablation);
- :mod:`~hftp.apps.demo.eeg`: the real scalp-EEG stage (eeg-phrases).
"""

from hftp.apps.demo.config import DemoConfig
from hftp.apps.demo.folder import MARKER, MARKER_SCHEMA
from hftp.apps.demo.pipeline import (
    DEMO_DESIGNS,
    PLANTED_REGION,
    SIMULATED_ALIGN,
    planted_profile,
    run_demo,
)

__all__ = [
    "run_demo",
    "DemoConfig",
    "planted_profile",
    "DEMO_DESIGNS",
    "PLANTED_REGION",
    "SIMULATED_ALIGN",
    "MARKER",
    "MARKER_SCHEMA",
]
