"""Stage 3: which channels (model neurons or brain electrodes) follow the tagged rates.

:mod:`hftp.tagging.core` holds :func:`find_tagged` and the summaries (layer profile, overlap);
:mod:`hftp.tagging.base` the validated inputs and the FDR, shared by the modes;
:mod:`hftp.tagging.calibrated` and :mod:`hftp.tagging.paper` are the two modes, one module each;
:mod:`hftp.tagging.compare` compares results across models and languages (relative depth,
per-layer agreement).
"""

from hftp.tagging.base import CATEGORIES, TagInputs, bh_fdr
from hftp.tagging.compare import agreement, compare_profiles, relative_depth
from hftp.tagging.core import MODES, category_fractions, find_tagged, layer_profile, overlap

__all__ = [
    "find_tagged",
    "bh_fdr",
    "layer_profile",
    "overlap",
    "compare_profiles",
    "agreement",
    "relative_depth",
    "category_fractions",
    "MODES",
    "CATEGORIES",
    "TagInputs",
]
