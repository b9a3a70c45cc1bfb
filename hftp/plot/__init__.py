"""Figures, one module per figure family; every figure function is named ``plot_*``.

Each function takes ``ax=`` (or ``axes=``) where it draws into given axes, never calls
``plt.show()``, and returns the matplotlib Figure; save it with :func:`save_figure`, which writes
PNG and SVG atomically. All share one style (:data:`STYLE`) and the colour-blind-safe Okabe–Ito
palette, so figures from the model and from the brain look alike.

- :mod:`hftp.plot.model`: per-layer tagging profiles (:func:`plot_layer_profile`,
  :func:`plot_trained_vs_untrained`), spectra of the most tagged channels
  (:func:`plot_tagged_spectra`), the SNR-floor curve (:func:`plot_snr_curve`);
- :mod:`hftp.plot.effect`: per-layer effect sizes θ̂ with intervals, the share above δ and
  ``selective`` (:func:`plot_effect_profile`), and the shares as a curve over δ
  (:func:`plot_effect_curve`);
- :mod:`hftp.plot.depth`: several models on relative depth (:func:`plot_effects_by_depth`,
  :func:`plot_profiles_by_depth`, :func:`plot_agreement_by_depth`);
- :mod:`hftp.plot.align`: RDM heatmaps (:func:`plot_rdm_panels`) and the layer × region
  similarity heatmap (:func:`plot_alignment`);
- :mod:`hftp.plot.align_stats`: S(m,b) over its null (:func:`plot_alignment_null`) and the
  subject-level result (:func:`plot_subject_alignment`);
- :mod:`hftp.plot.brain`: values per channel on a glass brain (:func:`plot_glass_brain`, iEEG)
  or a scalp topomap (:func:`plot_topomap`, EEG), with :mod:`hftp.plot.tagging_scalp` reducing
  a tagging result to one value per 10–20 label;
- :mod:`hftp.plot.response`: grand-average ITPC spectra (:func:`plot_itpc_spectra`) and the
  model's response per condition beside the human one (:func:`plot_condition_response`);
- :mod:`hftp.plot.neuron_sets`: ablating tagged neuron sets against random sets
  (:func:`plot_ablation`) and their retention across checkpoints (:func:`plot_retention`);
- :mod:`hftp.plot.style`: the style, the palettes and the helpers the figures share.

The names without ``plot_`` (``hftp.plot.layer_profile``, ``hftp.plot.alignment``, ...) are
deprecated aliases: they warn once and will be removed in hftp 0.4. ``hftp.layer_profile`` (the
table) is an analysis and keeps its name.

Example
-------
>>> fig = hftp.plot.plot_layer_profile(tagged, baseline=tagged_untrained)  # doctest: +SKIP
>>> hftp.plot.save_figure(fig, "figures/layer_profile")                    # doctest: +SKIP
"""

from hftp._deprecate import module_getattr
from hftp.plot.align import plot_alignment, plot_rdm_panels
from hftp.plot.align_stats import plot_alignment_null, plot_subject_alignment
from hftp.plot.brain import plot_glass_brain, plot_topomap
from hftp.plot.depth import plot_agreement_by_depth, plot_effects_by_depth, plot_profiles_by_depth
from hftp.plot.effect import plot_effect_curve, plot_effect_profile
from hftp.plot.model import (
    plot_layer_profile,
    plot_snr_curve,
    plot_tagged_spectra,
    plot_trained_vs_untrained,
)
from hftp.plot.neuron_sets import plot_ablation, plot_retention
from hftp.plot.response import plot_condition_response, plot_itpc_spectra
from hftp.plot.style import CATEGORY_COLORS, LEVEL_COLORS, OKABE_ITO, STYLE, save_figure

__all__ = [
    "STYLE",
    "OKABE_ITO",
    "CATEGORY_COLORS",
    "LEVEL_COLORS",
    "save_figure",
    "plot_layer_profile",
    "plot_snr_curve",
    "plot_effect_profile",
    "plot_effect_curve",
    "plot_tagged_spectra",
    "plot_trained_vs_untrained",
    "plot_effects_by_depth",
    "plot_profiles_by_depth",
    "plot_agreement_by_depth",
    "plot_rdm_panels",
    "plot_alignment",
    "plot_alignment_null",
    "plot_subject_alignment",
    "plot_glass_brain",
    "plot_topomap",
    "plot_itpc_spectra",
    "plot_condition_response",
    "plot_ablation",
    "plot_retention",
]

#: Names before hftp 0.3 → their ``plot_`` names (served, with a FutureWarning, by ``__getattr__``).
_RENAMED = {
    old: ("hftp.plot", f"plot_{old}")
    for old in (
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
    )
}

__getattr__ = module_getattr(__name__, _RENAMED)
