"""RDM comparisons: Spearman and Kendall tau-a against scipy, the permuted embeddings, compare_rdms."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import kendalltau, spearmanr

from hftp.rsa.comparison import COMPARISONS, compare_rdms, score_embeddings, score_rdms
from hftp.rsa.dissimilarity import rdms
from hftp.rsa.inference import pair_permutations


def _rdms(rng, n_rows, n_pairs=15):
    return rng.normal(size=(n_rows, n_pairs))


def test_the_registry():
    assert set(COMPARISONS) == {"spearman", "kendall"}


def test_spearman_embedding_scores_are_spearman_rho():
    rng = np.random.default_rng(0)
    a, b = _rdms(rng, 3), _rdms(rng, 4)
    a[0, :3] = a[0, 3]  # ties are averaged, as scipy does
    comp = COMPARISONS["spearman"]
    got = score_embeddings(comp.embed(a), comp.embed(b))
    assert got.shape == (3, 4)
    for i, j in itertools.product(range(3), range(4)):
        assert got[i, j] == pytest.approx(spearmanr(a[i], b[j])[0], abs=1e-12)


def test_kendall_embedding_scores_are_tau_a():
    rng = np.random.default_rng(1)
    a, b = _rdms(rng, 2), _rdms(rng, 3)
    comp = COMPARISONS["kendall"]
    got = score_embeddings(comp.embed(a), comp.embed(b))
    i, j = np.triu_indices(15, 1)
    for r, c in itertools.product(range(2), range(3)):
        tau_a = np.mean(np.sign(a[r, i] - a[r, j]) * np.sign(b[c, i] - b[c, j]))
        assert got[r, c] == pytest.approx(tau_a, abs=1e-12)
        assert tau_a == pytest.approx(kendalltau(a[r], b[c])[0], abs=1e-12)  # no ties: a == b


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_permuted_embeddings_equal_the_embeddings_of_permuted_rdms(name):
    """The permutation loop never re-ranks: comp.permute gathers the embedding instead."""
    rng = np.random.default_rng(2)
    brain = _rdms(rng, 3)  # 6 conditions: 15 pairs
    perms = np.array([rng.permutation(6) for _ in range(5)])
    gathers = pair_permutations(perms)
    comp = COMPARISONS[name]
    permuted = comp.permute(comp.embed(brain), gathers)
    assert permuted.shape[:2] == (5, 3)
    for k in range(5):
        np.testing.assert_allclose(permuted[k], comp.embed(brain[:, gathers[k]]), atol=1e-12)


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_score_rdms_embeds_the_model_side(name):
    rng = np.random.default_rng(3)
    model, brain = rng.normal(size=(2, 4, 15)), _rdms(rng, 5)  # leading dim: e.g. random draws
    comp = COMPARISONS[name]
    got = score_rdms(model, comp.embed(brain), comp)
    assert got.shape == (2, 4, 5)
    np.testing.assert_allclose(got[1], score_embeddings(comp.embed(model[1]), comp.embed(brain)))


def test_flat_or_nan_rdms_score_nan():
    rng = np.random.default_rng(4)
    a = _rdms(rng, 2)
    a[0] = 1.0  # flat: no order
    a[1, 3] = np.nan
    for comp in COMPARISONS.values():
        assert np.isnan(score_embeddings(comp.embed(a), comp.embed(_rdms(rng, 1)))).all()


def test_compare_rdms_matches_scipy_and_names_the_dims(planted_pair):
    m, b = planted_pair
    mr = rdms(m)
    br = rdms(b, measure="itc", by="region")
    rho = compare_rdms(mr, br)
    assert rho.dims == ("layer", "region") and rho.shape == (5, 3)
    assert rho.attrs["comparison"] == "spearman"
    expected = spearmanr(mr.sel(layer=2).values, br.sel(region="A").values)[0]
    assert float(rho.sel(layer=2, region="A")) == pytest.approx(expected, abs=1e-12)
    same = compare_rdms(mr, mr, comparison="kendall")
    assert same.dims == ("layer_a", "layer_b")
    np.testing.assert_allclose(np.diag(same.values), 1.0)


def test_compare_rdms_matches_conditions_by_name(planted_pair):
    m, b = planted_pair
    mr = rdms(m)
    br = rdms(b, measure="itc")
    reordered = rdms(b.isel(condition=[5, 3, 1, 0, 2, 4]), measure="itc")
    np.testing.assert_allclose(compare_rdms(mr, reordered).values, compare_rdms(mr, br).values)


def test_compare_rdms_bad_input(planted_pair):
    m, _ = planted_pair
    mr = rdms(m)
    with pytest.raises(ValueError, match="'comparison'.*Did you mean 'spearman'"):
        compare_rdms(mr, mr, comparison="spearmen")
    with pytest.raises(TypeError, match=r"'b'.*hftp.rdms"):
        compare_rdms(mr, np.zeros((3, 15)))
    other = rdms(m.isel(condition=[0, 1, 2]))
    with pytest.raises(ValueError, match="same conditions"):
        compare_rdms(mr, other)
