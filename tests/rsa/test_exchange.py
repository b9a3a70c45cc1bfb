"""hftp.rsa.exchange: RDMs to and from rsatoolbox, from CSV, and as the brain side of align."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import squareform

from hftp.rsa.alignment import align
from hftp.rsa.comparison import compare_rdms
from hftp.rsa.dissimilarity import rdms
from hftp.rsa.exchange import (
    as_brain_rdms,
    check_rdms,
    from_rsatoolbox,
    is_rdms,
    rdm_conditions,
    rdms_in_order,
    read_rdm_csv,
    to_rsatoolbox,
)


@pytest.fixture(scope="module")
def rsatoolbox():
    """The optional package (``hftp[interop]``); the tests that need it skip without it."""
    return pytest.importorskip("rsatoolbox")


@pytest.fixture(scope="module")
def pair_rdms(planted_pair):
    m, b = planted_pair
    return rdms(m), rdms(b, measure="itc"), rdms(b, measure="itc", by="region")


def _same(a, b):
    assert a.dims == b.dims
    np.testing.assert_array_equal(a.values, b.values)
    for c in a.coords:
        np.testing.assert_array_equal(np.asarray(a[c].values), np.asarray(b[c].values))
    assert set(a.coords) == set(b.coords)


def test_round_trip_keeps_descriptors(pair_rdms, rsatoolbox):
    for r in pair_rdms:
        rt = to_rsatoolbox(r)
        assert rt.n_rdm == r.shape[0] and rt.n_cond == 6
        group = r.dims[0]
        assert list(rt.rdm_descriptors[group]) == list(r[group].values)
        assert rt.pattern_descriptors["condition"] == rdm_conditions(r)
        assert rt.dissimilarity_measure == r.attrs["metric"] == "cosine"
        assert rt.descriptors["by"] == group and rt.descriptors["measure"] == r.attrs["measure"]
        back = from_rsatoolbox(rt)
        _same(back, r)
        assert back.attrs["metric"] == "cosine" and back.attrs["by"] == group
    brain = to_rsatoolbox(pair_rdms[1])
    for d in ("channel", "region", "hemisphere", "subject", "n_channels"):
        assert d in brain.rdm_descriptors
    # rsatoolbox's square matrices are hftp's condensed vectors, unfolded
    np.testing.assert_array_equal(brain.get_matrices()[0], squareform(pair_rdms[1].values[0]))


@pytest.mark.parametrize(("ours", "theirs"), [("spearman", "spearman"), ("kendall", "tau-a")])
def test_comparisons_equal_rsatoolbox(pair_rdms, ours, theirs, rsatoolbox):
    model, brain, regions = pair_rdms
    for a, b in ((model, brain), (model, regions), (brain, brain)):
        hftp_rho = compare_rdms(a, b, comparison=ours).values
        rsa_rho = rsatoolbox.rdm.compare(to_rsatoolbox(a), to_rsatoolbox(b), method=theirs)
        np.testing.assert_allclose(hftp_rho, rsa_rho, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("ours", "theirs"), [("spearman", "spearman"), ("kendall", "tau-a")])
def test_comparisons_equal_rsatoolbox_with_ties(ours, theirs, rsatoolbox):
    rng = np.random.default_rng(1)
    a = rsatoolbox.rdm.RDMs(
        rng.integers(0, 4, (3, 28)).astype(float),
        pattern_descriptors={"condition": [f"c{i}" for i in range(8)]},
    )
    b = rsatoolbox.rdm.RDMs(
        rng.random((4, 28)), pattern_descriptors={"condition": [f"c{i}" for i in range(8)]}
    )
    hftp_rho = compare_rdms(from_rsatoolbox(a), from_rsatoolbox(b), comparison=ours).values
    np.testing.assert_allclose(hftp_rho, rsatoolbox.rdm.compare(a, b, method=theirs), atol=1e-12)


def test_from_rsatoolbox_defaults_and_by(rsatoolbox):
    rng = np.random.default_rng(0)
    r = rsatoolbox.rdm.RDMs(
        rng.random((2, 6)),
        dissimilarity_measure="correlation",
        rdm_descriptors={"roi": ["V1", "IFG"], "subject": ["s1", "s1"]},
        pattern_descriptors={"condition": ["a", "b", "c", "d"]},
    )
    got = from_rsatoolbox(r)  # "subject" repeats, so it cannot name the RDMs: numbered channels
    assert got.dims == ("channel", "pair") and list(got["channel"].values) == ["0", "1"]
    assert list(got["roi"].values) == ["V1", "IFG"]
    with pytest.raises(ValueError, match="'by'.*repeat"):
        from_rsatoolbox(r, by="subject")
    by_roi = from_rsatoolbox(r, by="roi")
    assert by_roi.dims == ("roi", "pair")
    assert list(by_roi["roi"].values) == ["V1", "IFG"]
    assert list(by_roi["subject"].values) == ["s1", "s1"]
    assert by_roi.attrs["metric"] == "correlation"
    assert rdm_conditions(by_roi) == ["a", "b", "c", "d"]


def test_outside_rdms_as_the_brain_side_of_align(planted_pair, pair_rdms, rsatoolbox):
    m, b = planted_pair
    ref = align(m, b, top_k=6, n_boot=0, subjects="pooled")
    brain = pair_rdms[1]
    # rows in another condition order: the pairs are gathered back to the model's order
    reordered = to_rsatoolbox(brain)
    reordered.reorder(np.array([3, 0, 5, 1, 4, 2]))
    shuffled = from_rsatoolbox(reordered)
    assert rdm_conditions(shuffled) != rdm_conditions(brain)
    for given in (brain, to_rsatoolbox(brain), shuffled):
        res = align(m, given, top_k=6, n_boot=0, subjects="pooled")
        for v in ("rho", "p", "p_fwe", "q", "S", "S_p", "region_rho", "region_p"):
            np.testing.assert_allclose(res[v].values, ref[v].values, atol=1e-12, err_msg=v)
        assert res.attrs["brain_rdm_source"] == "given RDMs"
        assert list(res["region"].values) == list(ref["region"].values)
    assert ref.attrs["brain_rdm_source"] == "brain_spectra"


def test_published_csv_as_the_brain_side(planted_pair, tmp_path):
    m, _ = planted_pair
    conds = [str(c) for c in m["condition"].values]
    model = rdms(m)
    mat = squareform(model.sel(layer=2).values)  # a "published" matrix equal to layer 2's RDM
    path = tmp_path / "ifg_rdm.csv"
    pd.DataFrame(mat, index=conds, columns=conds).to_csv(path)
    rdm = read_rdm_csv(path, metric="cosine")
    assert rdm.dims == ("channel", "pair") and list(rdm["channel"].values) == ["ifg_rdm"]
    np.testing.assert_allclose(rdm.values[0], model.sel(layer=2).values)
    assert rdm_conditions(rdm) == conds and rdm.attrs["metric"] == "cosine"
    res = align(m, rdm, top_k=1, n_boot=0)
    assert res["rho"].sizes == {"layer": 5, "channel": 1}
    best = int(res["rho"].isel(channel=0).argmax("layer"))
    assert best == 2 and float(res["rho"].sel(layer=2).item()) == pytest.approx(1.0)
    assert float(res["p"].sel(layer=2).item()) <= 2 / 720  # the exact permutation test
    # numbers only, names given
    bare = tmp_path / "bare.csv"
    pd.DataFrame(mat).to_csv(bare, header=False, index=False)
    named = read_rdm_csv(bare, conditions=conds, name="IFG", by="region")
    assert named.dims == ("region", "pair") and list(named["region"].values) == ["IFG"]
    np.testing.assert_allclose(named.values, rdm.values)


def test_csv_errors_name_the_fix(tmp_path):
    conds = ["a", "b", "c"]
    good = np.array([[0, 1, 2], [1, 0, 3], [2, 3, 0]], float)

    def write(mat, index=conds, columns=conds):
        p = tmp_path / "m.csv"
        pd.DataFrame(mat, index=index, columns=columns).to_csv(p)
        return p

    with pytest.raises(ValueError, match="not symmetric"):
        read_rdm_csv(write(good + np.triu(np.ones((3, 3)), 1)))
    with pytest.raises(ValueError, match="similarities.*1 - r"):
        read_rdm_csv(write(good + np.eye(3)))
    with pytest.raises(ValueError, match="same condition names"):
        read_rdm_csv(write(good, index=["a", "c", "b"]))
    with pytest.raises(ValueError, match="same condition names"):
        read_rdm_csv(write(good[:2], index=conds[:2]))
    short = tmp_path / "short.csv"
    pd.DataFrame(good[:2]).to_csv(short, header=False, index=False)
    with pytest.raises(ValueError, match="square matrix over 3 conditions"):
        read_rdm_csv(short, conditions=conds)
    with pytest.raises(ValueError, match="'path'"):
        read_rdm_csv(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="repeat"):
        bare = tmp_path / "bare.csv"
        pd.DataFrame(good).to_csv(bare, header=False, index=False)
        read_rdm_csv(bare, conditions=["a", "a", "b"])


def test_checks_and_errors(planted_pair, pair_rdms, rsatoolbox):
    m, b = planted_pair
    model = pair_rdms[0]
    assert is_rdms(model) and is_rdms(to_rsatoolbox(model)) and not is_rdms(b)
    assert check_rdms(model) is model
    with pytest.raises(TypeError, match="'rdms'.*hftp.rdms"):
        to_rsatoolbox(b)
    with pytest.raises(ValueError, match="pair coords"):
        check_rdms(model.drop_vars("cond_j"))
    with pytest.raises(TypeError, match="rsatoolbox.rdm.RDMs"):
        from_rsatoolbox(model)
    bare = rsatoolbox.rdm.RDMs(np.ones((1, 3)))
    with pytest.raises(ValueError, match="'condition_descriptor'.*index"):
        from_rsatoolbox(bare)
    with pytest.raises(ValueError, match="'by'"):
        from_rsatoolbox(to_rsatoolbox(model), by="area")
    other = model.assign_coords(
        cond_i=("pair", [c.replace("c5", "x5") for c in model["cond_i"].values]),
        cond_j=("pair", [c.replace("c5", "x5") for c in model["cond_j"].values]),
    )
    with pytest.raises(ValueError, match="'brain_spectra'.*Only in the model: \\['c5'\\]"):
        align(m, other, n_boot=0)
    with pytest.raises(ValueError, match="'brain_spectra'"):
        rdms_in_order(model, ["c0", "c1"], "brain_spectra")
    assert as_brain_rdms(pair_rdms[2]).dims == ("channel", "pair")
    assert as_brain_rdms(pair_rdms[2]).attrs["by"] == "region"
