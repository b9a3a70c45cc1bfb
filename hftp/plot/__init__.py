"""Figures. Each function takes ``ax=`` where it draws one panel and returns the Figure; save them
with :func:`save_figure`, which writes PNG and SVG atomically.

:mod:`hftp.plot.model` (layer profiles, tagged spectra, trained vs untrained),
:mod:`hftp.plot.align` (RDM panels, the alignment heatmap), :mod:`hftp.plot.brain` (glass brain,
topomap, ITPC spectra, condition responses) and :mod:`hftp.plot.style` (colours, shared helpers).
"""

from hftp.plot.align import alignment, rdm_panels
from hftp.plot.brain import condition_response, glass_brain, itpc_spectra, topomap
from hftp.plot.model import layer_profile, snr_curve, tagged_spectra, trained_vs_untrained
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
    "rdm_panels",
    "alignment",
    "glass_brain",
    "topomap",
    "itpc_spectra",
    "condition_response",
]
