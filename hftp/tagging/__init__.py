"""Stage 3: which channels (model neurons or brain electrodes) follow the tagged rates.

The modules:

- :mod:`hftp.tagging.pipeline`: :func:`find_tagged`, a short pipeline over the ``MODES``
  registry (one :class:`~hftp.tagging.pipeline.Mode` per mode, with its params record);
- :mod:`hftp.tagging.calibrated` and :mod:`hftp.tagging.paper`: the two modes, each with its
  frozen params record (:class:`CalibratedParams`, :class:`PaperParams`) and its tests;
- :mod:`hftp.tagging.inputs`: the checked arguments and :class:`TagData`, the channel-first view
  of a Spectra that the tests read;
- :mod:`hftp.tagging.fdr`: the Benjamini–Hochberg FDR (:func:`bh_fdr`);
- :mod:`hftp.tagging.controls`: control ("fake") frequencies, tested as their own FDR family;
- :mod:`hftp.tagging.effect`: the effect size θ (how large the structure-specific response is),
  its lower bound, the interval-null test H0: θ ≤ δ and ``selective``;
- :mod:`hftp.tagging.profile`: categories and the summaries (layer profile, effect profile and
  its curve over δ, SNR curve);
- :mod:`hftp.tagging.sets`: channel sets from any verdict (``selective_category``) and the
  overlap of two results' sets with its chance level;
- :mod:`hftp.tagging.across_models`: profiles on relative depth and per-layer agreement across
  models and languages;
- :mod:`hftp.tagging.lexical`: the lexical baseline (syntax beyond word identity);
- :mod:`hftp.tagging.replication`: ``replicated`` over independent stimulus pools (or, by name,
  split halves of one pool);
- :mod:`hftp.tagging.contrasts`: the named condition contrasts (e.g. phrases vs category
  alternation);
- :mod:`hftp.tagging.responsive`: the responsive-channel table of a brain Spectra.
"""

from hftp._deprecate import module_getattr
from hftp.tagging.across_models import agreement, compare_profiles, relative_depth
from hftp.tagging.calibrated import CalibratedParams
from hftp.tagging.effect import MIN_EFFECT, effect_test
from hftp.tagging.fdr import bh_fdr
from hftp.tagging.inputs import TagData
from hftp.tagging.paper import PaperParams
from hftp.tagging.pipeline import MODE_PARAMS, MODES, find_tagged
from hftp.tagging.profile import (
    CATEGORIES,
    category_fractions,
    effect_curve,
    effect_profile,
    layer_profile,
    snr_curve,
)
from hftp.tagging.responsive import responsive_channels
from hftp.tagging.sets import add_categories, overlap

__all__ = [
    "find_tagged",
    "bh_fdr",
    "layer_profile",
    "effect_profile",
    "effect_curve",
    "effect_test",
    "MIN_EFFECT",
    "snr_curve",
    "overlap",
    "add_categories",
    "compare_profiles",
    "agreement",
    "relative_depth",
    "category_fractions",
    "responsive_channels",
    "MODES",
    "MODE_PARAMS",
    "CATEGORIES",
    "CalibratedParams",
    "PaperParams",
    "TagData",
]

# deprecated names (removed in hftp 0.4): each warns once, naming its replacement
__getattr__ = module_getattr(__name__, {"TagInputs": ("hftp.tagging", "TagData")})
