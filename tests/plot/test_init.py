"""The face of hftp.plot: every figure is ``plot_*``; the names before 0.3 warn and still draw."""

from __future__ import annotations

import inspect
import warnings

import pytest

import hftp
from hftp import _deprecate, plot

OLD_NAMES = [
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
#: Figures new in 0.3 (no old name).
NEW_NAMES = ["plot_effect_profile", "plot_effect_curve", "plot_effects_by_depth"]


@pytest.fixture(autouse=True)
def _fresh_registry(monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())


def test_every_figure_function_is_named_plot():
    figures = [n for n in plot.__all__ if inspect.isfunction(getattr(plot, n))]
    assert sorted(n for n in figures if n != "save_figure") == sorted(
        [f"plot_{n}" for n in OLD_NAMES] + NEW_NAMES
    )


@pytest.mark.parametrize("old", OLD_NAMES)
def test_old_names_warn_once_and_are_the_new_functions(old):
    with pytest.warns(
        FutureWarning, match=rf"hftp\.plot\.{old} was renamed to hftp\.plot\.plot_{old}"
    ):
        func = getattr(plot, old)
    assert func is getattr(plot, f"plot_{old}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert getattr(plot, old) is func  # the second lookup is quiet


def test_the_old_layer_profile_still_draws(synth):
    with pytest.warns(FutureWarning):
        fig = hftp.plot.layer_profile(synth.tagging())
    assert fig.axes[0].get_xlabel() == "Layer"
    assert callable(hftp.layer_profile) and hftp.layer_profile is not plot.plot_layer_profile


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="'hftp.plot' has no attribute 'heatmap'"):
        plot.heatmap  # noqa: B018
