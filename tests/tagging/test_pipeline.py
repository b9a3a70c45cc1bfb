"""find_tagged, the pipeline over MODES: calibration under the null and power on planted responses
in every mode, the result's variables and attrs, the SNR floor, replication, the mode registry and
its params records, deprecated spellings, and bad input.

Simulation (:func:`hftp.testing.planted_spectra`): responses sampled once per unit at 4 Hz, 200
units per trial (sentence 1 Hz, phrase 2 Hz = Nyquist), 20 trials per condition, unit-variance
noise. Planted responses are sinusoids of amplitude 0.3 noise SDs in every trial (phase-locked);
the control is noise only.
"""

from __future__ import annotations

import inspect
import re
import warnings

import numpy as np
import pytest
import xarray as xr

import hftp
from hftp import _deprecate
from hftp.tagging.calibrated import CalibratedParams
from hftp.tagging.paper import PaperParams
from hftp.tagging.pipeline import MODE_PARAMS, MODES, Mode, find_tagged
from hftp.testing import planted_spectra

OFF_NYQ = {"sentence": 4.0 / 6, "phrase": 4.0 / 3}  # 6-unit sentences, 3-unit phrases


def margin(p, n):
    """Monte-Carlo margin: 3 binomial SDs of a rate p over n units."""
    return 3 * np.sqrt(p * (1 - p) / n)


# ------------------------------------------------------------------------------------------
# calibration under the null


@pytest.fixture(scope="module", params=[0, 1, 2], ids=lambda s: f"seed{s}")
def null_white(request):
    return planted_spectra((10, 1000), seed=request.param)


@pytest.fixture(scope="module")
def null_nuisance():
    return planted_spectra((10, 1000), seed=7, nuisance=True)


def test_calibrated_null_white(null_white):
    n = 10_000
    r = find_tagged(null_white, "exp", "ctrl", seed=1)
    for lv in ("sentence", "phrase"):
        x = r.sel(level=lv)
        # raw tagging p-values are uniform: rate at 0.05 within the Monte-Carlo margin, both
        # sides; the analytic evoked specificity test is valid (at or below α; conservative
        # when neither condition has a response)
        rate = float((x["p"] < 0.05).mean())
        assert abs(rate - 0.05) < margin(0.05, n), (lv, rate)
        assert float((x["spec_p"] < 0.05).mean()) <= 0.05 + margin(0.05, n)
        assert float(x["significant"].mean()) <= 0.05 + margin(0.05, n)
    assert float((r["category"] != "none").mean()) <= 0.05 + margin(0.05, n)
    # without a control, the tagging test alone after BH
    r0 = find_tagged(null_white, "exp")
    for lv in ("sentence", "phrase"):
        assert float(r0["significant"].sel(level=lv).mean()) <= 0.05 + margin(0.05, n)


def test_calibrated_null_nuisance(null_nuisance):
    """Sink + drift repeated in every trial and pink noise: the F-test stays at or below α."""
    n = 10_000
    r = find_tagged(null_nuisance, "exp", "ctrl")
    alone = find_tagged(null_nuisance, "exp")
    for lv in ("sentence", "phrase"):
        x = r.sel(level=lv)
        assert float((x["p"] < 0.05).mean()) <= 0.05 + margin(0.05, n)
        assert float((x["spec_p"] < 0.05).mean()) <= 0.05 + margin(0.05, n)
        assert float(x["significant"].mean()) <= 0.05 + margin(0.05, n)
        assert float(alone["significant"].sel(level=lv).mean()) <= 0.05 + margin(0.05, n)


def test_rayleigh_is_fooled_by_position_effects(null_nuisance):
    """Why the Rayleigh test is never used alone on model data (and warned against)."""
    with pytest.warns(UserWarning, match="not valid alone on model"):
        r = find_tagged(null_nuisance, "exp", levels="sentence", mode_params={"measure": "itc"})
    assert float(r["significant"].mean()) > 0.2  # about 40% here: far above q


# ------------------------------------------------------------------------------------------
# power on planted responses, in every mode


def _plant(units, frac=0.03):
    """Masks of sentence-only, phrase-only and shared units, each ``frac`` of the units, spread
    evenly over the flattened units (so over every layer)."""
    r = np.arange(units) % 100
    k = int(100 * frac)
    s, p, b = r < k, (r >= k) & (r < 2 * k), (r >= 2 * k) & (r < 3 * k)
    return {"sentence": s | b, "phrase": p | b}, {"sentence": s, "phrase": p, "shared": b}


@pytest.fixture(scope="module", params=["nyquist", "off-nyquist"])
def planted(request):
    plant, truth = _plant(4000)
    if request.param == "nyquist":
        s = planted_spectra((2, 2000), plant=plant, seed=11)
    else:
        s = planted_spectra((2, 2000), plant=plant, tagged_hz=OFF_NYQ, n_times=204, seed=12)
    return s, truth


@pytest.mark.parametrize("mode", list(MODES))
def test_power_and_categories(planted, mode):
    s, truth = planted
    r = find_tagged(s, "exp", "ctrl", mode=mode)
    cat = r["category"].values.ravel()
    for c, mask in truth.items():
        assert (cat[mask] == c).mean() >= 0.9, (mode, c, (cat[mask] == c).mean())
    null = ~(truth["sentence"] | truth["phrase"] | truth["shared"])
    assert (cat[null] != "none").mean() <= 0.05 + margin(0.05, null.sum())
    if mode == "calibrated":
        # effect sizes point the right way
        snr = r["snr"].sel(level="sentence").values.ravel()
        assert np.median(snr[truth["sentence"]]) > 3 * np.median(snr[null])
        ratio = r["amplitude_ratio"].sel(level="sentence").values.ravel()
        assert np.median(ratio[truth["sentence"]]) > 3


def test_brain_channels_same_code():
    plant, truth = _plant(600, frac=0.1)
    s = planted_spectra((600,), plant=plant, tagged_hz=OFF_NYQ, n_times=204, seed=5)
    s = s.assign_coords(region=("channel", np.where(np.arange(600) < 300, "STG", "IFG")))
    r = find_tagged(s, "exp", "ctrl", mode_params={"n_permutations": 200})
    assert r.attrs["measure"] == "evoked" and r["category"].dims == ("channel",)
    assert r["region"].dims == ("channel",)  # channel coords are carried over
    cat = r["category"].values
    assert (cat[truth["shared"]] == "shared").mean() >= 0.9
    null = ~(truth["sentence"] | truth["phrase"] | truth["shared"])
    assert (cat[null] != "none").mean() <= 0.05 + margin(0.05, null.sum())
    prof = hftp.layer_profile(r)
    assert prof.attrs["group"] == "region" and set(prof["region"]) == {"STG", "IFG"}


def test_phase_tests_at_nyquist_warn():
    s = planted_spectra((50,), seed=2)
    for measure in ("itc", "itc-neighbor"):
        with pytest.warns(UserWarning, match="Nyquist"):
            find_tagged(s, "exp", levels="phrase", mode_params={"measure": measure})


# ------------------------------------------------------------------------------------------
# the result: variables, dims, attrs, documentation


@pytest.fixture(scope="module")
def small():
    return planted_spectra((2, 5), n_trials=5, seed=0, plant={"sentence": [0, 1]}, amplitude=2.0)


def _returns_section() -> str:
    doc = inspect.getdoc(find_tagged)
    return doc[doc.index("Returns\n-------") :]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"control": "ctrl"},
        {},
        {"control": "ctrl", "mode": "paper", "mode_params": {"n_groups": 2}},
        {"control": "ctrl", "control_hz": {"fake": 1.3}},
    ],
    ids=["calibrated", "no-control", "paper", "control-hz"],
)
def test_every_variable_is_documented_with_its_dims(small, kwargs):
    r = find_tagged(small, "exp", **kwargs)
    returns = _returns_section()
    for v in r.data_vars:
        name = v.removeprefix("control_")
        assert f"``{name}``" in returns, f"{v} is not in find_tagged's Returns section"
        if v.startswith("control_"):
            assert r[v].dims == ("layer", "neuron", "control_level")
        elif v in ("category", "selective_category"):
            assert r[v].dims == ("layer", "neuron")
        else:
            assert r[v].dims == ("layer", "neuron", "level"), v
    for a in r.attrs:
        if a not in small.attrs:
            assert re.search(rf"\b{a}\b", returns), f"attr {a} is not in the Returns section"


def test_above_neighbors_is_the_tagging_test_alone(small):
    r = find_tagged(small, "exp", "ctrl")
    assert "tagged" not in r  # no variable named like the keywords
    np.testing.assert_array_equal(r["above_neighbors"], r["q"] <= 0.05)
    np.testing.assert_array_equal(r["significant"], r["sig_q"] <= 0.05)
    assert r["above_neighbors"].sel(level="sentence").values[0, :2].all()  # planted channels
    paper = find_tagged(small, "exp", "ctrl", mode="paper", mode_params={"n_groups": 2})
    np.testing.assert_array_equal(paper["above_neighbors"], paper["significant_fdr"])


def test_attrs_record_the_call(small):
    r = find_tagged(small, "exp", "ctrl", seed=3, mode_params={"n_neighbors": 2})
    a = r.attrs
    assert (a["mode"], a["condition"], a["control"], a["seed"]) == ("calibrated", "exp", "ctrl", 3)
    assert (a["measure"], a["specificity"], a["n_neighbors"], a["skip"]) == (
        "evoked",
        "evoked",
        2,
        1,
    )
    assert a["conjunction"] == "intersection-union" and a["replication"] == "none"
    assert a["excluded_neighbor_hz"] == "[1.0, 2.0]"
    assert a["sfreq"] == 4.0  # the Spectra's scalar attrs are kept
    assert r["snr"].attrs["n_neighbors"] == 2 and "neighboring" in r["snr"].attrs["description"]
    p = find_tagged(small, "exp", "ctrl", mode="paper", mode_params={"n_groups": 2}).attrs
    assert (p["n_groups"], p["z_threshold"], p["percentile"]) == (2, 2.0, 95.0)
    assert p["conjunction"] == "none"
    nc = find_tagged(small, "exp").attrs
    assert nc["control"] == "none" and nc["specificity"] == "none" and nc["conjunction"] == "none"


def test_same_seed_same_output(planted):
    s, _ = planted
    a = find_tagged(s, "exp", "ctrl", mode="paper", seed=5)
    b = find_tagged(s, "exp", "ctrl", mode="paper", seed=5)
    c = find_tagged(s, "exp", "ctrl", mode="paper", seed=6)
    np.testing.assert_array_equal(a["stage1_threshold"].values, b["stage1_threshold"].values)
    assert not np.array_equal(a["stage1_threshold"].values, c["stage1_threshold"].values)


def test_min_snr_floor_and_all_nan_warning():
    s = planted_spectra((500,), plant={"sentence": np.arange(500) < 100}, amplitude=0.4, seed=2)
    r = find_tagged(s, "exp", levels="sentence")
    hi = find_tagged(s, "exp", levels="sentence", min_snr=8.0)
    assert r.attrs["min_snr"] == 0.0 and (r["significant"] == r["significant_fdr"]).all()
    assert hi["significant"].sum() < r["significant"].sum()
    assert bool((hi["snr"].where(hi["significant"]) >= 8).sum() == hi["significant"].sum())
    np.testing.assert_array_equal(hi["significant_fdr"], r["significant_fdr"])
    with pytest.raises(ValueError, match="'min_snr'"):
        find_tagged(s, "exp", min_snr=-1)
    bad = s.copy()
    for v in ("sum_x", "sum_abs", "sum_abs2", "sum_phase"):
        bad[v] = bad[v] * np.nan
    with pytest.warns(UserWarning, match="every p-value is NaN"):
        out = find_tagged(bad, "exp")
    assert not out["significant"].any()


def test_replicated_from_split_halves():
    plant = {"sentence": np.arange(1000) < 50}
    halves = [planted_spectra((1000,), plant=plant, phase=1.0, seed=3 + i) for i in (0, 1)]
    s = xr.concat(halves, dim="split", coords="minimal", compat="override")
    assert s.hftp.channel_dims == ("channel",)
    r = find_tagged(s, "exp", "ctrl", levels="sentence")
    rep = r["replicated"].values[:, 0]
    assert rep[:50].mean() >= 0.8 and rep[50:].mean() <= 0.01
    assert "split" in r.attrs["replication"]
    # paper mode pools the halves and does not replicate
    paper = find_tagged(s, "exp", "ctrl", levels="sentence", mode="paper")
    assert "replicated" not in paper and paper.attrs["replication"].startswith("split")


# ------------------------------------------------------------------------------------------
# the registry and its params records


def test_modes_register_their_params_records():
    assert set(MODES) == {"calibrated", "paper"}
    assert MODES["calibrated"].params is CalibratedParams and MODES["paper"].params is PaperParams
    assert all(isinstance(m, Mode) for m in MODES.values())
    assert MODE_PARAMS["calibrated"] == {
        "measure": None,
        "specificity": None,
        "n_permutations": 1000,
        "n_neighbors": 3,
        "skip": 1,
    }
    assert list(MODE_PARAMS["paper"]) == [
        "n_permutations",
        "n_groups",
        "z_threshold",
        "percentile",
        "n_neighbors",
        "skip",
    ]


def test_mode_params_belong_to_their_mode(small):
    with pytest.raises(ValueError, match=r"'mode_params'.*'n_groups'.*mode='paper'"):
        find_tagged(small, "exp", mode_params={"n_groups": 3})
    with pytest.raises(ValueError, match=r"'mode_params'.*Did you mean 'n_neighbors'"):
        find_tagged(small, "exp", mode_params={"n_neighbours": 3})
    with pytest.raises(TypeError, match="'mode_params'"):
        find_tagged(small, "exp", mode_params=[("skip", 1)])
    with pytest.raises(ValueError, match="'n_permutations'"):
        find_tagged(small, "exp", mode_params={"n_permutations": 0})


def test_old_itc_neighbour_spelling_warns_and_gives_the_same_result(small, monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())
    params = {"measure": "itc-neighbor", "n_permutations": 50}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the phrase rate is at Nyquist
        new = find_tagged(small, "exp", "ctrl", mode_params=params)
        with pytest.warns(FutureWarning, match="'itc-neighbour'.*'itc-neighbor'"):
            old = find_tagged(
                small, "exp", "ctrl", mode_params={**params, "measure": "itc-neighbour"}
            )
    xr.testing.assert_identical(old, new)
    assert old.attrs["measure"] == "itc-neighbor"


# ------------------------------------------------------------------------------------------
# bad input


def test_bad_condition_and_control(small):
    with pytest.raises(ValueError, match="'condition'.*Did you mean 'exp'"):
        find_tagged(small, "exq")
    with pytest.raises(ValueError, match="'control'.*Did you mean 'ctrl'"):
        find_tagged(small, "exp", "ctr")
    with pytest.raises(ValueError, match="'control'.*equals"):
        find_tagged(small, "exp", "exp")
    with pytest.raises(TypeError, match="'condition'"):
        find_tagged(small, 1)
    with pytest.raises(TypeError, match="'spectra'"):
        find_tagged(small.drop_vars("sum_x"), "exp")


@pytest.mark.parametrize("q", [0, 1, -0.1, 1.5])
def test_bad_q(small, q):
    with pytest.raises(ValueError, match="'q'"):
        find_tagged(small, "exp", q=q)


def test_bad_freqs(small):
    with pytest.raises(ValueError, match="'freqs \\(sentence\\)'.*exact FFT bin"):
        find_tagged(small, "exp", freqs={"sentence": 1.01})
    with pytest.raises(ValueError, match="'freqs \\(phrase\\)'.*Nyquist"):
        find_tagged(small, "exp", freqs={"phrase": 3.0})
    with pytest.raises(ValueError, match="'levels'.*Did you mean 'phrase'"):
        find_tagged(small, "exp", levels=["phrse"])


def test_bad_mode_and_paper_without_control(small):
    with pytest.raises(ValueError, match="'mode'.*Did you mean 'paper'"):
        find_tagged(small, "exp", "ctrl", mode="papr")
    with pytest.raises(ValueError, match="'control'.*paper mode"):
        find_tagged(small, "exp", mode="paper")
    fd = small.assign_attrs(n_times=-1)
    with pytest.raises(ValueError, match="'mode'.*frequency domain"):
        find_tagged(fd, "exp", "ctrl", mode="paper", mode_params={"n_groups": 2})
    with pytest.raises(ValueError, match="'spectra'.*at least 10"):
        find_tagged(small, "exp", "ctrl", mode="paper")


def test_too_few_trials():
    s = planted_spectra((3,), n_trials=5, seed=0)
    one = s.isel(trial=slice(0, 1))
    one["n_trials"] = one["n_trials"] * 0 + 1
    with pytest.raises(ValueError, match="'spectra'.*1 trial.*at least 2"):
        find_tagged(one, "exp", "ctrl")
    with pytest.raises(ValueError, match="'spectra'.*at least 2"):
        find_tagged(one, "exp", mode_params={"measure": "itc"})
    with pytest.raises(ValueError, match="'spectra'.*trial_x"):
        find_tagged(
            s.drop_vars("trial_x"), "exp", "ctrl", mode_params={"specificity": "permutation"}
        )
    # the default (evoked) specificity test needs only the sums
    assert "spec_p" in find_tagged(s.drop_vars("trial_x"), "exp", "ctrl")
