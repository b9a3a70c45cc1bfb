"""Stage 3: which channels (model neurons or brain electrodes) follow the tagged rates.

:mod:`hftp.tagging.core` holds :func:`find_tagged`; :mod:`hftp.tagging.profile` the summaries
(layer profile, SNR curve, overlap); :mod:`hftp.tagging.base` the validated inputs and the FDR,
shared by the modes; :mod:`hftp.tagging.calibrated` and :mod:`hftp.tagging.paper` are the two modes;
:mod:`hftp.tagging.lexical` the lexical baseline (syntax beyond word identity);
:mod:`hftp.tagging.contrasts` the named condition contrasts (e.g. phrases vs category alternation);
:mod:`hftp.tagging.controls` the control ("fake") frequencies, tested as their own FDR family;
:mod:`hftp.tagging.compare` compares results across models and languages (relative depth,
per-layer agreement).
"""

from hftp.tagging.base import CATEGORIES, TagInputs, bh_fdr
from hftp.tagging.compare import agreement, compare_profiles, relative_depth
from hftp.tagging.core import MODES, find_tagged
from hftp.tagging.profile import category_fractions, layer_profile, overlap, snr_curve

__all__ = [
    "find_tagged",
    "bh_fdr",
    "layer_profile",
    "snr_curve",
    "overlap",
    "compare_profiles",
    "agreement",
    "relative_depth",
    "category_fractions",
    "MODES",
    "CATEGORIES",
    "TagInputs",
]
