"""The demo's headline numbers: the effect profile per layer (raw, after the lexical baseline,
untrained), the peak layers and the category-matched contrast with the effect test."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hftp.apps.demo.effects import (
    EFFECT_COLUMNS,
    category_effect,
    effect_numbers,
    peak_layers,
)
from hftp.tagging.pipeline import find_tagged
from hftp.testing import planted_spectra

#: selective is a lower bound of the estimated share, up to sampling error of θ̂ near δ
TOLERANCE = 0.05


def sane(per_layer) -> int:
    """Check every variant's row (intervals ordered, shares in [0, 1], selective ≲ share)."""
    n = 0
    for levels in per_layer.values():
        for variants in levels.values():
            rows = variants.values() if "raw" in variants else [variants]
            for row in rows:
                for c in EFFECT_COLUMNS:
                    v, lo, hi = row[c], row[c + "_low"], row[c + "_high"]
                    assert lo <= v + 1e-9 and v <= hi + 1e-9, (c, lo, v, hi)
                for c in ("effect_share", "selective_share", "significant_share"):
                    assert 0.0 <= row[c] <= 1.0
                for c in ("effect_share", "selective_share"):
                    assert 0.0 <= row[c + "_low"] <= row[c + "_high"] <= 1.0
                assert row["effect_median"] <= row["effect_p90"] + 1e-9
                assert row["selective_share"] <= row["effect_share"] + TOLERANCE
                n += 1
    return n


@pytest.fixture(scope="module")
def results():
    """Three layers of 60 neurons: layer 2 carries a large structure effect at the sentence rate
    in half its neurons, layer 1 in a fifth, layer 0 none; the control has none."""
    plant = np.zeros((3, 60), bool)
    plant[2, :30], plant[1, :12] = True, True
    kw = dict(conditions=("sentences", "within-shuffle"), n_trials=32, seed=3)
    plant_in = dict(planted_in=("sentences",))
    s = planted_spectra((3, 60), plant={"sentence": plant.ravel()}, amplitude=0.8, **plant_in, **kw)
    null = planted_spectra((3, 60), **kw)
    tagged = find_tagged(s, "sentences", "within-shuffle")
    return tagged, find_tagged(null, "sentences", "within-shuffle")


def test_effect_numbers_are_sane_and_find_the_planted_layers(results):
    tagged, null = results
    nums = effect_numbers(tagged, tagged, null, n_boot=200)
    assert nums["setup"]["variants"] == ["raw", "residual", "untrained"]
    assert nums["setup"]["min_effect"] == 0.2 and nums["setup"]["deltas"] == [0.1, 0.2, 0.3]
    assert sorted(nums["per_layer"], key=int) == ["0", "1", "2"]
    assert sane(nums["per_layer"]) == 3 * 2 * 3  # layers × levels × variants
    sent = {k: v["sentence"]["raw"] for k, v in nums["per_layer"].items()}
    # the planted share is found (θ = 0.8/√(1 + 0.8²/2) ≈ 0.65 SD ≫ δ) and the null has none
    assert sent["2"]["effect_share"] == pytest.approx(0.5, abs=0.1)
    assert sent["1"]["effect_share"] == pytest.approx(0.2, abs=0.1)
    assert sent["2"]["selective_share"] >= 0.4 and sent["0"]["selective_share"] <= 0.05
    assert sent["2"]["effect_p90"] > 0.4 > sent["0"]["effect_p90"]
    unt = nums["per_layer"]["2"]["sentence"]["untrained"]
    assert unt["selective_share"] <= 0.05 and unt["effect_share"] < 0.2
    # the curve over δ: the estimated share falls as δ rises
    cur = nums["curve"]["raw"]["2"]
    shares = [cur[d]["effect_share"] for d in ("0.1", "0.2", "0.3")]
    assert shares == sorted(shares, reverse=True)
    span = nums["summary"]["raw"]["sentence"]["effect_share"]
    assert span["max_layer"] == 2 and span["min_layer"] == 0
    assert peak_layers(nums, 2) == [2, 1]
    json.dumps(nums, allow_nan=False)  # JSON-ready: no NaN, numpy scalars


def test_effect_numbers_without_baselines_and_peaks_from_the_raw_profile(results):
    tagged, _ = results
    nums = effect_numbers(tagged, n_boot=0)
    assert nums["setup"]["variants"] == ["raw"]
    row = nums["per_layer"]["2"]["sentence"]["raw"]
    assert row["effect_median_low"] is None  # no bootstrap, no interval (NaN → None)
    assert peak_layers(nums, 1) == [2]


def test_category_effect_on_the_phrase_rate():
    plant = np.zeros((2, 40), bool)
    plant[1, :20] = True
    kw = dict(conditions=("np-phrases", "category-alternation"), n_trials=24, seed=5)
    kw["planted_in"] = ("np-phrases",)
    s = planted_spectra((2, 40), plant={"phrase": plant.ravel()}, amplitude=0.8, **kw)
    got = category_effect(s, q=0.05, seed=0, n_boot=100)
    assert got["setup"]["level"] == "phrase" and "ANAN vs AVAV" in got["setup"]["contrast"]
    assert got["per_layer"]["1"]["effect_share"] == pytest.approx(0.5, abs=0.15)
    assert got["per_layer"]["0"]["selective_share"] <= 0.05
    assert sane({k: {"phrase": v} for k, v in got["per_layer"].items()}) == 2
    assert category_effect(planted_spectra((2, 5)), q=0.05, seed=0) is None
    assert "per_layer_residual" not in got and got["setup"]["responses"] == "raw"
    # with residual Spectra: both, the residual under its own keys
    kw["seed"] = 6
    plant[1, :] = False
    plant[1, :5] = True
    res = planted_spectra((2, 40), plant={"phrase": plant.ravel()}, amplitude=0.8, **kw)
    both = category_effect(s, residual=res, q=0.05, seed=0, n_boot=100)
    assert both["per_layer"] == got["per_layer"]
    assert both["per_layer_residual"]["1"]["effect_share"] == pytest.approx(0.125, abs=0.1)
    assert both["summary_residual"]["effect_share"]["max_layer"] == 1
    assert "lexical baseline" in both["setup"]["responses"]
