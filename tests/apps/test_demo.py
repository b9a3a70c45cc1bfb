"""The demo pipeline on the real default model: tagging, its null check and controls, the report."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from hftp.apps import demo

pytestmark = pytest.mark.slow


def test_real_model_demo_writes_report_figures_and_summary(tmp_path, default_model):
    """The whole demo on the real model (10 shuffles of 25 sentences, 3 layers), real EEG left
    out: its stage is the real-EEG alignment of tests/align/test_real_eeg.py and the EEG tagging
    step below."""
    cfg = demo.DemoConfig(
        quick=True,
        n_sequences=10,
        n_sentences=25,
        layers=[0, 15, 29],
        eeg_dir=tmp_path / "no-eeg-here",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        summary = demo.run_demo(tmp_path / "out", config=cfg, progress=False)
    out = tmp_path / "out"
    html = (out / "report.html").read_text()
    figs = sorted(p.name for p in (out / "figures").glob("*.png"))
    for name in ("layer_profile", "trained_vs_untrained", "tagged_spectra", "alignment_simulated"):
        assert f"{name}.png" in figs
        assert f"figures/{name}.png" in html
    assert (out / "results" / "model_spectra.nc").is_file()
    on_disk = json.loads((out / "summary.json").read_text())
    assert (
        on_disk["numbers"]["untrained_fraction_tagged"]
        == summary["numbers"]["untrained_fraction_tagged"]
    )
    assert "simulated" in html.lower()
    assert summary["params"]["stimuli"]["units_per_sequence"] == 100
    assert "10 sequences of 100 units" in html
    # the checks of what the fractions mean: replication, lexical baseline, contrast, ablation
    nums = summary["numbers"]
    per_layer = nums["beyond_lexical"]["per_layer"]
    assert sorted(per_layer, key=int) == ["0", "15", "29"]
    for row in per_layer.values():
        # the random-words null stays within q in every layer; METHOD's pilot: with a predictable
        # part of speech per position, most neurons pass
        assert row["significant"] > 0.2
        # the conjunction (BH over max(p_tag, p_spec)) rejects a subset of the tagging test alone;
        # replication is its own selection (half 0) and confirmation (half 1), not a subset
        assert row["significant"] <= row["tagged_no_control"]
        assert row["replicated"] > 0
        assert row["random_words_null"] <= 0.05 and row["null_after_residual"] <= 0.05
        assert 0.0 <= row["residual_after_lexical_baseline"] <= 1.0
    # layer 0 is nearly lexical: the lexical baseline removes most of its tagged neurons
    assert per_layer["0"]["residual_after_lexical_baseline"] < 0.5 * per_layer["0"]["significant"]
    assert set(nums["token_sharing"]) == set(summary["params"]["stimuli"]["conditions"])
    abl = nums["ablation"]
    assert abl["n_random"] == 20 and abl["n_neurons"] > 0 and 0 < abl["contrast_p"] <= 1
    assert "ablation.png" in figs
    for words in ("replicated", "lexical baseline", "Causal ablation", "Tokenization"):
        assert words in html, words
    assert "eeg_itpc_spectra.png" not in figs  # real EEG absent: the stage is skipped
    assert not list(out.rglob("*.part")), "a temporary file was left behind"


def test_demo_folder_refused_or_resumed(tmp_path):
    """A folder with other content is refused; a demo folder of the same parameters resumes."""
    import json

    from hftp.apps import demo

    (tmp_path / "thesis.tex").write_text("mine")
    cfg = demo.DemoConfig(n_sequences=4)
    with pytest.raises(ValueError, match="not an hftp demo folder.*--overwrite"):
        demo._prepare_out(tmp_path, cfg, overwrite=False)
    run = tmp_path / "run"
    run.mkdir()
    rec = {"params": demo._marker_params(cfg), "stages": ["model_spectra"], "complete": False}
    (run / demo.MARKER).write_text(json.dumps(rec))
    assert demo._prepare_out(run, cfg, overwrite=False)["stages"] == ["model_spectra"]
    with pytest.raises(ValueError, match="other parameters"):
        demo._prepare_out(run, demo.DemoConfig(n_sequences=5), overwrite=False)
    assert demo._prepare_out(run, demo.DemoConfig(n_sequences=5), overwrite=True)["stages"] == []
    assert not (run / demo.MARKER).exists()


def test_eeg_tagging_figure_and_numbers():
    """The demo's EEG tagging step on a simulated eeg-phrases-like set (2 participants, planted
    phrase-rate channels in anan only): the topomap figure is made, the numbers name them."""
    from hftp.brain import concat_subjects
    from hftp.testing import planted_spectra

    ch = ["Fz", "Cz", "Pz", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "T7", "T8"]
    planted = np.isin(ch, ["Fz", "Cz"])
    parts = []
    for k in range(2):
        s = planted_spectra(
            (len(ch),),
            conditions=("anan", "avav"),
            planted_in=("anan",),
            plant={"phrase": planted},
            amplitude=0.5,
            tagged={"sentence": 0.78125, "phrase": 1.5625},
            rate=6.25,
            n_times=96,  # 15.36 s trials, as in eeg-phrases: 1.171875 Hz is on a bin
            seed=k,
        )
        subj = ("channel", [f"P{k + 1}"] * len(ch))
        parts.append(s.assign_coords(channel=np.array(ch, dtype=object), subject=subj))
    made = {}
    from hftp.apps.demo_eeg import eeg_tagging

    nums = eeg_tagging(
        concat_subjects(parts), demo.DemoConfig(), lambda name, make: made.update({name: make()})
    )
    assert set(made) == {"eeg_tagging_topomap"}
    assert nums["labels_significant"] == ["Cz", "Fz"]
    assert nums["n_tests"] == 2 * len(ch) and nums["n_participants"] == 2
    assert nums["n_significant"] == 4 and nums["control_fraction_significant"] <= 0.1
    from hftp.apps.report.findings import FINDINGS

    f = FINDINGS["eeg_tagging"]({"eeg_scalp": {"tagging": nums}}, {})
    assert "4 of 26 participant × channel tests" in f.text and "Cz, Fz" in f.text
    assert (
        "control frequency 1.171875 Hz" in f.text
        and "1.5625 Hz" in f.text
        and f.figures == ("eeg_tagging_topomap",)
    )
