"""Absurd stimulus sizes are refused at once, with a memory estimate."""

from __future__ import annotations

import pytest

import hftp
from hftp.stimuli.core import check_stimulus_size


def test_absurd_n_sequences_refused_with_estimate():
    with pytest.raises(ValueError, match=r"'n_sequences'.*about .*(GiB|bytes).*fewer sequences"):
        hftp.make_stimuli("en", n_sequences=99999999999999999999)


def test_estimate_grows_with_size():
    assert check_stimulus_size(2, 100, 50) < check_stimulus_size(2, 1000, 50)
