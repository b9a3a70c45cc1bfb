"""Figures. Each function takes ``ax=`` where it draws one panel and returns the Figure; save them
with :func:`save_figure`, which writes PNG and SVG atomically.

:mod:`hftp.plot.model` (layer profiles, tagged spectra, trained vs untrained),
:mod:`hftp.plot.compare` (profiles on relative depth, agreement across models),
:mod:`hftp.plot.align` (RDM panels, the alignment heatmap), :mod:`hftp.plot.align_stats` (S
over its null, the subject-level result), :mod:`hftp.plot.brain` (glass brain,
topomap, ITPC spectra, condition responses), :mod:`hftp.plot.ablation` (ablation against its
random-set null, retention of tagged neurons across checkpoints) and :mod:`hftp.plot.style`
(colours, shared helpers).
"""

from hftp.plot.ablation import ablation, retention
from hftp.plot.align import alignment, rdm_panels
from hftp.plot.align_stats import alignment_null, subject_alignment
from hftp.plot.brain import glass_brain, topomap
from hftp.plot.compare import agreement_by_depth, profiles_by_depth
from hftp.plot.model import layer_profile, snr_curve, tagged_spectra, trained_vs_untrained
from hftp.plot.response import condition_response, itpc_spectra
from hftp.plot.style import CATEGORY_COLORS, LEVEL_COLORS, OKABE_ITO, STYLE, save_figure

__all__ = [
    "STYLE",
    "OKABE_ITO",
    "CATEGORY_COLORS",
    "LEVEL_COLORS",
    "save_figure",
    "layer_profile",
    "snr_curve",
    "tagged_spectra",
    "trained_vs_untrained",
    "profiles_by_depth",
    "agreement_by_depth",
    "rdm_panels",
    "alignment",
    "alignment_null",
    "subject_alignment",
    "glass_brain",
    "topomap",
    "itpc_spectra",
    "condition_response",
    "ablation",
    "retention",
]
