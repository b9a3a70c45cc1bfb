"""The demo's parameters: sequences by mode, the stimulus keywords, and their checks."""

from __future__ import annotations

import pytest

from hftp.apps.demo.config import DemoConfig


def test_sequences_follow_quick_unless_given():
    assert DemoConfig().resolved_n_sequences() == 100
    assert DemoConfig(quick=True).resolved_n_sequences() == 16
    assert DemoConfig(quick=True, n_sequences=7).resolved_n_sequences() == 7
    with pytest.raises(ValueError, match="'n_sequences'"):
        DemoConfig(n_sequences=1).resolved_n_sequences()


def test_stimulus_keywords_only_when_set():
    assert DemoConfig().stimulus_kwargs() == {}
    assert DemoConfig(n_sentences=12).stimulus_kwargs() == {"n_sentences": 12}
    with pytest.raises(ValueError, match="'n_sentences'"):
        DemoConfig(n_sentences=2).stimulus_kwargs()
