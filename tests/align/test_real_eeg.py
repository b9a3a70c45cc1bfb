"""Subjects as a random effect on the real scalp EEG (eeg-phrases, 20 participants), with
SmolLM2 fed the same word lists per condition. Skipped without the data or the model.

The stream each trial played is not recorded in eeg-phrases (the stimulus file numbers do not
match the trial codes), so the RDMs are over the six conditions, not over items.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.slow

# the lower 13 of 30 layers: the forward stops at layer 12 (these tests check the analysis of
# the real EEG, not the depth profile)
LAYERS = [0, 4, 8, 12]


@pytest.fixture(scope="module")
def eeg_and_model(eeg_phrases_dir, default_model):
    """The pooled EEG spectra and SmolLM2's spectra of the same word lists."""
    from hftp.brain.core import concat_subjects
    from hftp.datasets.eeg_phrases import read_eeg_phrases
    from hftp.models.extract import probe
    from hftp.stimuli.core import load_word_streams, make_stimuli

    eeg = concat_subjects(read_eeg_phrases(eeg_phrases_dir))
    with pytest.warns(UserWarning, match="phrase rate.*Nyquist"):  # 2-word phrases at 3.125 Hz
        stim = make_stimuli(
            "en",
            design="custom",
            streams=load_word_streams(eeg_phrases_dir / "stimuli"),
            unit_rate_hz=3.125,
            tagged_hz={"sentence": 0.78125, "phrase": 1.5625},
            trim=True,
            seed=0,
        )
    model, tok = default_model
    return eeg, probe(model, tok, stim, layers=LAYERS, batch_size=16, progress=False)


@pytest.fixture(scope="module")
def eeg_result(eeg_and_model):
    from hftp.align.core import align

    eeg, mspec = eeg_and_model
    # participants P1–P4 lack some conditions: their channels are left out of those RDMs, with a warning
    with pytest.warns(UserWarning, match="non-finite values of the measure"):
        return align(mspec, eeg, seed=0, n_random=0)


def test_subject_level_analysis_runs_on_the_real_eeg(eeg_result):
    from hftp.align.inference import alignment_summary

    r = eeg_result
    assert r.attrs["subjects"] == "random-effect" and r.attrs["cell_by"] == "label"
    assert r.sizes["subjects"] == 20 and r.sizes["cell"] == 32
    assert r["subject_rho"].shape == (20, len(LAYERS), 32)
    assert np.isfinite(r["group_rho"]).all() and np.isfinite(r["group_p_fwe"]).all()
    lo, hi = r["group_ci"].sel(bound="lower"), r["group_ci"].sel(bound="upper")
    assert (lo <= r["group_rho"]).all() and (r["group_rho"] <= hi).all()
    nc = r["noise_ceiling"]
    assert (nc.sel(ceiling="lower") <= nc.sel(ceiling="upper") + 1e-12).all()
    # sampled sign flips (2^20 > 10000), identity included: p >= 1/10000
    assert r.attrs["flips"] == "sampled" and float(r["group_p"].min()) >= 1e-4
    s = alignment_summary(r)
    print({k: v for k, v in s.items() if k.startswith(("group_", "S"))})
    assert s["group_best_layer"] in LAYERS and s["n_subjects"] == 20


def test_the_demo_real_eeg_stage_end_to_end(
    eeg_phrases_dir, default_model, eeg_and_model, tmp_path
):
    """The demo's real-EEG stage (hftp.apps.demo_eeg.real_eeg) on the real data: every figure is
    drawn and the numbers are complete (the model probe of the word lists is the fixture's)."""
    import matplotlib.pyplot as plt

    from hftp.apps.demo import DemoConfig
    from hftp.apps.demo_eeg import real_eeg

    _, mspec = eeg_and_model
    made = {}

    def fig(name, make):
        made[name] = make()
        plt.close(made[name])

    def cached(name, make):
        return mspec if name == "model_spectra_eeg_streams" else make()

    model, tok = default_model
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nums = real_eeg(
            eeg_phrases_dir, model, tok, DemoConfig(layers=LAYERS), tmp_path, fig, False, cached
        )
    said = [str(w.message) for w in caught]
    # the expected notices: 2-word phrases at 3.125 Hz sit on the Nyquist bin, and participants
    # P1–P4 lack some conditions (their channels are left out of those RDMs)
    assert any("phrase rate (1.5625 Hz) is exactly the Nyquist" in m for m in said), said
    assert any("non-finite values of the measure" in m for m in said), said
    assert {"eeg_itpc_spectra", "eeg_alignment", "eeg_topomap", "eeg_tagging_topomap"} <= set(made)
    assert nums["best_layer"] in LAYERS and nums["subject_level"]["n_subjects"] == 20
    assert nums["tagging"]["n_participants"] == 20
    assert set(nums["human"]["phrase_itc"]) >= {"anan", "avav"}
    assert (tmp_path / "alignment_eeg_scalp.nc").is_file()
