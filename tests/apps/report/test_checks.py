"""The findings of the demo's checks: replication and the lexical baseline, the category-matched
contrast, tokenization and causal ablation."""

from __future__ import annotations

from hftp.apps.report import findings as F


def test_token_sharing_finding_names_the_contrasts_that_differ():
    same = {"sentences": 0.0, "within-shuffle": 0.0, "random-words": 0.0}
    text = F.FINDINGS["token_sharing"]({"token_sharing": same}, {}).text
    assert "no contrast differs in token sharing" in text
    differ = {**same, "sentences": 0.36, "within-shuffle": 0.014}
    text = F.FINDINGS["token_sharing"]({"token_sharing": differ}, {}).text
    assert "sentences vs within-shuffle (34.6%)" in text and "unit-wise" in text
    assert F.FINDINGS["token_sharing"]({"token_sharing": {}}, {}) is None


def _per_layer(**cols):
    return {str(layer): {k: v[i] for k, v in cols.items()} for i, layer in enumerate((0, 5, 10))}


def test_beyond_lexical_finding_gives_ranges_over_layers():
    g = {
        "per_layer": _per_layer(
            significant=[0.6, 0.8, 0.7],
            replicated=[0.3, 0.5, 0.4],
            residual_after_lexical_baseline=[0.1, 0.4, 0.2],
            untrained=[0.5, 0.4, 0.3],
            random_words_null=[0.0, 0.01, 0.0],
            null_after_residual=[0.0, 0.0, 0.0],
        ),
        "overall": {"significant": 0.7, "residual_after_lexical_baseline": 0.25},
        "setup": {"q": 0.05, "lexical_baseline": "random-words"},
    }
    found = F.FINDINGS["beyond_lexical"]({"beyond_lexical": g}, {"q": 0.05})
    text = found.text if isinstance(found, F.Finding) else " ".join(f.text for f in found)
    assert text.startswith("Against the within-sentence shuffle, 70.0% of the recorded neurons")
    # the residual's share overall, then its range over layers with the layers named
    assert "25.0% were significant, from 10.0% (layer 0) to 40.0% (layer 5)" in text
    assert F.FINDINGS["beyond_lexical"]({}, {}) is None


def test_ablation_finding_states_the_contrast_against_random_sets():
    numbers = {
        "ablation": {
            "layers": [10, 12],
            "n_neurons": 40,
            "n_random": 20,
            "method": "mean",
            "stimuli": "seed 2: 2 sequences of 8 sentences per condition",
            "per_condition": {},
            "contrast": 0.05,
            "contrast_null_mean": 0.01,
            "contrast_null_sd": 0.02,
            "contrast_z": 2.0,
            "contrast_p": 0.048,
        }
    }
    found = F.FINDINGS["ablation"](numbers, {})
    text = found.text if isinstance(found, F.Finding) else " ".join(f.text for f in found)
    assert "40" in text and "p = 0.048" in text
    assert F.FINDINGS["ablation"]({}, {}) is None
