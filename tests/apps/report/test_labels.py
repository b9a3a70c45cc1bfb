"""Labels and number formatting of the report."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hftp.apps.report.labels import LABELS, as_number, fmt, fmt_p, label, pct


def test_as_number_keeps_finite_numbers_only():
    assert as_number(3) == 3.0 and as_number("0.25") == 0.25 and as_number(np.float32(2)) == 2.0
    for bad in (None, "n/a", math.nan, math.inf, [1]):
        assert as_number(bad) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.12345, "0.123"),
        (12345, "12,345"),
        (True, "yes"),
        (None, "—"),
        (math.nan, "—"),
        (0.0001234, "1.23e-04"),
        (np.float64(2.5), "2.5"),
        (1234.6, "1,235"),
    ],
)
def test_fmt(value, text):
    assert fmt(value) == text


def test_fmt_p_and_pct():
    assert fmt_p(0.0461) == "p = 0.046" and fmt_p(1e-5) == "p < 0.001" and fmt_p(None) == "p = —"
    assert pct(0.1769) == "17.7%" and pct(0.004) == "0.40%" and pct("x") == "—"


def test_labels_from_the_table_the_parent_or_the_key():
    key = next(iter(LABELS))
    assert label(key) == LABELS[key]
    assert label("mean_snr") == "Mean SNR"
    assert label("anan") == "anan"  # a data name is shown as it is
    assert label("x_y", {"x_y": "Mine"}) == "Mine"
    assert label("b", {"a.b": "Nested"}, parent="a") == "Nested"
