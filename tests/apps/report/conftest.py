"""A demo-like run (numbers, parameters, figures) for the report tests."""

from __future__ import annotations

import copy

import matplotlib
import matplotlib.pyplot as plt
import pytest

from hftp import plot

matplotlib.use("Agg")

#: the parameters of a demo run, as the demo records them (results' attrs included)
PARAMS = {
    "quick": True,
    "q": 0.05,
    "seed": 0,
    "model": "SmolLM2-135M-Instruct (offline GGUF, dequantised to float32)",
    "stimuli": {
        "language": "en",
        "designs": ["sentences", "within-shuffle", "random-words"],
        "n_sequences": 16,
        "unit_rate_hz": 4.0,
        "tagged_hz": {"sentence": 1.0, "phrase": 2.0},
    },
    "tagging": {
        "kind": "model",
        "tagged_hz": '{"sentence": 1.0, "phrase": 2.0}',
        "site": "model.layers.{i}.mlp.down_proj",
        "mode": "calibrated",
        "condition": "sentences",
        "control": "within-shuffle",
        "q": 0.05,
        "measure": "evoked",
        "specificity": "welch",
        "n_permutations": 1000,
        "n_neighbors": 3,
        "skip": 1,
    },
    "rsa": {
        "kind": "alignment",
        "measure": "evoked",
        "brain_measure": "evoked",
        "metric": "euclidean",
        "comparison": "spearman",
        "top_k": 24,
        "n_random": 100,
        "n_boot": 1000,
        "q_level": 0.05,
        "ci_level": 0.95,
        "n_permutations": 720,
        "permutation": "exact",
        "n_subjects": 2,
    },
}

CONDS = ["anan", "avav", "rrrr", "phmi", "anav", "avan"]

#: the numbers of a demo run with the real-EEG block (shape as in hftp.apps.demo)
NUMBERS = {
    "calibrated_fraction_tagged": {
        "sentence": 0.177,
        "phrase": 0.241,
        "shared": 0.449,
        "none": 0.133,
        "n_channels": 46080,
    },
    "paper_fraction_tagged": {
        "sentence": 0.0105,
        "phrase": 0.0094,
        "shared": 0.0092,
        "none": 0.9709,
        "n_channels": 46080,
    },
    "null_random_words_fraction_significant": {"sentence": 0.0, "phrase": 0.001},
    "untrained_fraction_tagged": {
        "sentence": 0.0016,
        "phrase": 0.0033,
        "shared": 0.0002,
        "none": 0.9949,
        "n_channels": 46080,
    },
    "simulated_planted": {"layer": 20, "region": "IFG_L"},
    "simulated_responsive_contacts": {
        "sentence": 0.0,
        "phrase": 0.0,
        "shared": 0.5,
        "none": 0.5,
        "n_channels": 24,
    },
    "alignment_simulated": {
        "S": 0.1643,
        "S_p": 0.0458,
        "n_permutations": 720,
        "top_k": 24,
        "n_significant": 0,
        "best_layer": 20,
        "best_layer_S": 0.2896,
        "best_layer_p": 0.0347,
        "best_region_layer": 20,
        "best_region": "IFG_L",
        "best_region_rho": 0.8437,
        "best_region_p": 0.0125,
        "best_region_q": 0.1071,
        "S_random_p": 0.0198,
        "S_ci": [0.158, 0.1706],
    },
    "eeg_scalp": {
        "S": 0.052,
        "S_p": 0.31,
        "n_permutations": 720,
        "top_k": 32,
        "n_significant": 0,
        "best_layer": 7,
        "best_layer_S": 0.11,
        "best_layer_p": 0.2,
        "model_phrase_snr_by_layer_condition": {
            c: [round(1.0 + 0.01 * i + 0.1 * j, 3) for i in range(30)] for j, c in enumerate(CONDS)
        },
        "human": {
            "modality": "EEG (scalp)",
            "phrase_itc": dict(zip(CONDS, [0.31, 0.12, 0.1, 0.14, 0.2, 0.18], strict=True)),
            "syllable_peak_ratio": dict(zip(CONDS, [3.1, 3.0, 2.9, 3.2, 3.0, 3.1], strict=True)),
            "paired": {
                o: {
                    "n": 20,
                    "t": 2.5,
                    "p_t": 0.011,
                    "p_t_two_sided": 0.022,
                    "p_wilcoxon": 0.015,
                    "mean_difference": 0.05,
                }
                for o in ("avav", "rrrr", "phmi")
            },
        },
    },
}

FIGURES = (
    "layer_profile",
    "trained_vs_untrained",
    "tagged_spectra",
    "layer_profile_paper_mode",
    "alignment_simulated",
    "rdm_panels_simulated",
    "glass_brain_simulated",
    "eeg_itpc_spectra",
    "eeg_alignment",
    "eeg_condition_response",
)


@pytest.fixture
def params():
    return copy.deepcopy(PARAMS)


@pytest.fixture
def numbers():
    return copy.deepcopy(NUMBERS)


@pytest.fixture
def figures(tmp_path):
    """Tiny saved figures (PNG + SVG) under tmp_path/figures, named as the demo names them."""
    figdir = tmp_path / "figures"
    figdir.mkdir()
    out = {}
    for name in FIGURES:
        fig, ax = plt.subplots(figsize=(2, 1.5))
        ax.plot([0, 1], [0, 1])
        out[name] = plot.save_figure(fig, figdir / name)
        plt.close(fig)
    return out
