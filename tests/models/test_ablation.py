"""Causal ablation: exactness, the random-set null, hooks, and bad input (tiny random models)."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch
import xarray as xr

import hftp
from hftp.models.ablation import _null_stats, ablate, ablation_table
from hftp.models.families import resolve_site
from hftp.testing import TINY_WIDTH, tiny_model, tiny_tokenizer

pytestmark = pytest.mark.slow  # hundreds of ablated forward passes (still in make test)

N_NEUR = TINY_WIDTH


@pytest.fixture(scope="module")
def tokenizer():
    return tiny_tokenizer()


def tiny_llama(seed=0, n_layers=3):
    return tiny_model("llama", n_layers=n_layers, seed=seed)


@pytest.fixture(scope="module")
def model():
    return tiny_llama()


@pytest.fixture(scope="module")
def stim():
    with warnings.catch_warnings():  # the phrase rate at Nyquist: irrelevant to the loss
        warnings.simplefilter("ignore", UserWarning)
        return hftp.make_stimuli(
            "en",
            ["sentences", "random-words", "within-shuffle"],
            n_sequences=2,
            n_sentences=5,
            seed=1,
        )


def mask(layers=(), n=N_NEUR, n_layers=3, name=None):
    m = np.zeros((n_layers, n), bool)
    for layer, idx in layers:
        m[layer, idx] = True
    return xr.DataArray(
        m, dims=("layer", "neuron"), coords={"layer": np.arange(n_layers)}, name=name
    )


def run(model, tokenizer, stim, neurons, **kw):
    kw.setdefault("n_random", 4)
    kw.setdefault("progress", False)
    kw.setdefault("n_candidates", 10)
    return ablate(model, tokenizer, stim, neurons, **kw)


# ------------------------------------------------------------------------------ exactness


def test_an_empty_neuron_set_is_refused(model, tokenizer, stim):
    with pytest.raises(ValueError, match=r"'neurons'.*\['selected'\] hold no neuron"):
        run(model, tokenizer, stim, mask())
    with pytest.raises(ValueError, match="hold no neuron.*or other layers"):
        run(model, tokenizer, stim, mask([(0, 3)]), layers=[1, 2])
    cat = np.full((3, N_NEUR), "none", dtype="<U8")
    cat[0, :2] = "sentence"
    tagged = xr.Dataset({"category": (("layer", "neuron"), cat)}, coords={"layer": [0, 1, 2]})
    with pytest.raises(ValueError, match=r"\['phrase'\] hold no neuron"):
        run(model, tokenizer, stim, tagged, categories=["sentence", "phrase"])
    with pytest.warns(UserWarning, match="Skipping the empty neuron set.*'phrase', 'shared'"):
        r = run(model, tokenizer, stim, tagged, n_random=2)
    assert list(r["set"].values) == ["sentence"]


@pytest.mark.parametrize("method", ["mean", "zero"])
def test_a_set_outside_the_touched_neurons_is_an_exact_no_op(model, tokenizer, stim, method):
    r = run(model, tokenizer, stim, mask([(1, 3)]), method=method, n_random=0)
    r0 = run(model, tokenizer, stim, mask([(1, 3)]), method=method, n_random=0)
    np.testing.assert_array_equal(r["intact"].values, r0["intact"].values)


def test_ablation_runs_in_eval_mode_and_restores_the_callers_mode(tokenizer, stim):
    net = tiny_llama()
    net.config.attention_dropout = 0.5
    for m in net.modules():
        if hasattr(m, "attention_dropout"):
            m.attention_dropout = 0.5
    net.train()
    a = run(net, tokenizer, stim, mask([(1, 3)]), n_random=1)
    b = run(net, tokenizer, stim, mask([(1, 3)]), n_random=1)
    np.testing.assert_array_equal(a["intact"].values, b["intact"].values)
    assert net.training and all(m.training for m in net.modules())


def test_whole_layer_changes_the_loss(model, tokenizer, stim):
    with pytest.warns(UserWarning, match="random sets of \\['selected'\\] hold.*more n_candidates"):
        r = run(model, tokenizer, stim, mask([(1, slice(None))]), method="zero", n_random=2)
    assert float(r["null_overlap"][0]) == 1.0
    assert (np.abs(r["change"].values) > 1e-4).all()
    # every random set of a whole layer is the layer itself
    for null in r["null_change"].values[0]:
        np.testing.assert_allclose(null, r["change"].values[0], atol=1e-6)
    assert r["n_neurons"].values.tolist() == [[0, N_NEUR, 0]]


def test_zero_ablation_equals_removing_the_weights(model, tokenizer, stim):
    """Zeroing neurons at the down-projection input == zeroing their columns of the weight."""
    idx = [3, 7, 20]
    r = run(model, tokenizer, stim, mask([(0, idx), (2, idx)]), method="zero", n_random=0)
    pruned = copy.deepcopy(model)
    _, mods = resolve_site(pruned)
    with torch.no_grad():
        for layer in (0, 2):
            mods[layer].weight[:, idx] = 0
    ref = run(pruned, tokenizer, stim, mask([(0, [0])]), n_random=0)  # its intact loss
    np.testing.assert_allclose(r["ablated"].values[0], ref["intact"].values, rtol=1e-5)
    assert not np.allclose(r["ablated"].values[0], r["intact"].values)


def test_mean_ablation_equals_a_constant_contribution(model, tokenizer, stim):
    """Mean ablation == dropping the neurons' weights and adding W[:, S] @ (their reference mean)."""
    from hftp.models.extract import record_tokens
    from hftp.models.pooling import encode

    idx = [0, 1, 2, 3]
    seqs = [(s, u) for s, c, u in stim.sequences() if c == "sentences"]
    b = encode(tokenizer, seqs, separator=" ", pad_id=tokenizer.pad_token_id)
    acts = record_tokens(model, b.input_ids, b.attention_mask, layers=[1])[1]
    mu = acts[b.attention_mask.bool()].mean(0)[idx]
    r = run(model, tokenizer, stim, mask([(1, idx)]), reference="sentences", n_random=0)
    other = run(model, tokenizer, stim, mask([(1, idx)]), reference="random-words", n_random=0)

    pruned = copy.deepcopy(model)
    _, mods = resolve_site(pruned)
    with torch.no_grad():
        const = mods[1].weight[:, idx] @ mu
        mods[1].weight[:, idx] = 0
    mods[1].register_forward_hook(lambda _m, _a, out: out + const)
    ref = run(pruned, tokenizer, stim, mask([(0, [0])]), n_random=0)  # its intact loss
    np.testing.assert_allclose(r["ablated"].values[0], ref["intact"].values, rtol=1e-6)
    assert not np.array_equal(r["ablated"].values, other["ablated"].values)
    assert r.attrs["reference"] == "sentences" and r.attrs["method"] == "mean"


def test_planted_strong_neurons_stand_out_from_the_null(tokenizer, stim):
    """Neurons with 40x output weights dominate a random model's noise: removing them moves the
    loss far more than removing any random set of the same size (here it lowers it)."""
    net = tiny_llama(seed=3)
    _, mods = resolve_site(net)
    idx = [5, 9, 30]
    with torch.no_grad():
        mods[1].weight[:, idx] *= 40
    # the count-only null: output weights, not activation variance, make these neurons strong
    r = run(net, tokenizer, stim, mask([(1, idx)]), method="zero", n_random=9, null="count")
    assert (np.abs(r["change"]) > np.abs(r["null_change"]).max("random")).all()
    assert (np.abs(r["z"]) > 3).all()
    np.testing.assert_allclose(r["p"].values, np.where(r["change"].values > 0, 0.1, 1.0))


def test_null_p_is_the_share_of_random_sets_at_least_as_large():
    null = np.array([[[0.1], [0.2], [0.3], [0.4]]])  # (set, random, condition)
    for obs, p in [(0.5, 1 / 5), (0.35, 2 / 5), (0.3, 3 / 5), (0.0, 1.0)]:
        mean, sd, z, got = _null_stats(np.array([[obs]]), null)
        assert got[0, 0] == pytest.approx(p)
    assert mean[0, 0] == pytest.approx(0.25) and sd[0, 0] == pytest.approx(
        np.std([1, 2, 3, 4], ddof=1) / 10
    )
    assert z[0, 0] == pytest.approx(-0.25 / sd[0, 0])
    assert np.isnan(_null_stats(np.array([[0.0]]), null[:, :0])[3]).all()


def test_contrast_is_structured_minus_mean_of_controls(model, tokenizer, stim):
    r = run(model, tokenizer, stim, mask([(0, [1, 2]), (1, [4])]), n_random=3)
    ch = r["change"].sel(set="selected")
    expect = (
        ch.sel(condition="sentences") - ch.sel(condition=["random-words", "within-shuffle"]).mean()
    )
    assert float(r["contrast"].sel(set="selected")) == pytest.approx(float(expect))
    nc = r["null_change"].isel(set=0)
    expect_null = nc.sel(condition="sentences") - nc.sel(
        condition=["random-words", "within-shuffle"]
    ).mean("condition")
    np.testing.assert_allclose(r["null_contrast"].values[0], expect_null.values)
    r2 = run(model, tokenizer, stim, mask([(0, [1, 2])]), controls="random-words", n_random=0)
    ch2 = r2["change"].isel(set=0)
    assert float(r2["contrast"][0]) == pytest.approx(
        float(ch2.sel(condition="sentences") - ch2.sel(condition="random-words"))
    )


# ------------------------------------------------------------------------------ the null


def test_null_shape_seed_and_counts(model, tokenizer, stim):
    m = mask([(0, [1, 2, 3]), (2, [5])])
    a = run(model, tokenizer, stim, m, n_random=6, seed=4)
    b = run(model, tokenizer, stim, m, n_random=6, seed=4, sets_per_pass=1)
    c = run(model, tokenizer, stim, m, n_random=6, seed=5)
    assert a["null_change"].dims == ("set", "random", "condition")
    assert a["null_change"].shape == (1, 6, 3)
    assert a["null_contrast"].shape == (1, 6)
    np.testing.assert_allclose(a["null_change"], b["null_change"], atol=1e-6)
    assert not np.allclose(a["null_change"], c["null_change"])
    assert a["n_neurons"].values.tolist() == [[3, 0, 1]]


def test_categories_and_table(model, tokenizer, stim):
    cat = np.full((3, N_NEUR), "none", dtype="<U8")
    cat[0, :4] = "sentence"
    cat[1, 10:12] = "phrase"
    cat[2, 20] = "shared"
    tagged = xr.Dataset({"category": (("layer", "neuron"), cat)}, coords={"layer": [0, 1, 2]})
    r = run(model, tokenizer, stim, tagged, n_random=3)
    assert list(r["set"].values) == ["sentence", "phrase", "shared"]
    assert r["n_neurons"].sum("layer").values.tolist() == [4, 2, 1]
    t = run(model, tokenizer, stim, tagged, categories="tagged", n_random=2)
    assert int(t["n_neurons"].sum()) == 7
    table = ablation_table(r)
    assert list(table["set"]) == ["sentence", "phrase", "shared"]
    assert {"change", "null_mean", "p", "contrast", "contrast_p"} <= set(table.columns)
    # a layer subset of the mask (tagging on some layers only) maps onto model layers
    sub = run(model, tokenizer, stim, tagged.isel(layer=[2]), categories="shared", n_random=0)
    assert sub["n_neurons"].values.tolist() == [[0, 0, 1]]


def test_two_checkpoints(tokenizer, stim):
    a, b = tiny_llama(seed=0), tiny_llama(seed=1)
    m = mask([(1, [0, 5])])
    r = run({"base": a, "tuned": b}, tokenizer, stim, m, n_random=3)
    assert r["change"].dims == ("model", "set", "condition")
    assert list(r["model"].values) == ["base", "tuned"]
    single = run(a, tokenizer, stim, m, n_random=3)
    np.testing.assert_allclose(r["change"].sel(model="base"), single["change"], atol=1e-7)
    table = ablation_table(r)
    assert list(table["model"]) == ["base", "tuned"]


# ------------------------------------------------------------------------------ hooks, errors


def test_hooks_removed_on_error(model, tokenizer, stim):
    _, mods = resolve_site(model)
    calls = {"n": 0}

    def boom(_module, _args, _out):
        calls["n"] += 1
        if calls["n"] > 3:  # after the intact pass, inside an ablated one
            raise RuntimeError("boom")

    h = model.model.layers[2].register_forward_hook(boom)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            run(model, tokenizer, stim, mask([(0, [1]), (1, [2])]), n_random=2)
    finally:
        h.remove()
    assert calls["n"] > 3
    assert all(len(m._forward_pre_hooks) == 0 for m in mods.values())
    assert len(model.model.layers[2]._forward_hooks) == 0


def test_bad_inputs(model, tokenizer, stim):
    m = mask([(0, [1])])
    with pytest.raises(TypeError, match="'neurons'.*boolean"):
        run(model, tokenizer, stim, m.astype(int))
    with pytest.raises(TypeError, match="'neurons'.*DataArray"):
        run(model, tokenizer, stim, np.zeros((3, N_NEUR), bool))
    with pytest.raises(TypeError, match="'neurons'.*without 'category'"):
        run(model, tokenizer, stim, xr.Dataset({"x": m}))
    with pytest.raises(ValueError, match="'neurons'.*dims"):
        run(model, tokenizer, stim, m.rename(neuron="channel"))
    with pytest.raises(ValueError, match="'neurons'.*layer 7"):
        run(model, tokenizer, stim, m.assign_coords(layer=[0, 1, 7]))
    with pytest.raises(ValueError, match="'neurons'.*10 neurons.*48"):
        run(model, tokenizer, stim, mask([(0, [1])], n=10))
    with pytest.raises(ValueError, match="'categories'.*only to a find_tagged"):
        run(model, tokenizer, stim, m, categories="sentence")
    tagged = xr.Dataset({"category": m.where(~m, "sentence").where(m, "none")})
    with pytest.raises(ValueError, match="'categories'.*Did you mean 'sentence'"):
        run(model, tokenizer, stim, tagged, categories="sentense")
    with pytest.raises(ValueError, match="'categories'.*at least one"):
        run(model, tokenizer, stim, tagged, categories=[])
    with pytest.raises(ValueError, match="'method'.*Did you mean 'mean'"):
        run(model, tokenizer, stim, m, method="maen")
    with pytest.raises(ValueError, match="'structured'.*Did you mean 'sentences'"):
        run(model, tokenizer, stim, m, structured="sentence")
    with pytest.raises(ValueError, match="'controls'.*structured condition"):
        run(model, tokenizer, stim, m, controls=["sentences", "random-words"])
    with pytest.raises(ValueError, match="'reference'"):
        run(model, tokenizer, stim, m, reference="nope")
    with pytest.raises(ValueError, match="'n_random'"):
        run(model, tokenizer, stim, m, n_random=-1)
    with pytest.raises(ValueError, match="'sets_per_pass'"):
        run(model, tokenizer, stim, m, sets_per_pass=0)
    with pytest.raises(TypeError, match="'model'.*torch model"):
        run("gpt2", tokenizer, stim, m)
    with pytest.raises(ValueError, match="'model'.*layers"):
        run([model, tiny_llama(n_layers=2)], tokenizer, stim, m)
    with pytest.raises(TypeError, match="'stim'"):
        run(model, tokenizer, "stim.csv", m)
    with pytest.raises(TypeError, match="'result'"):
        ablation_table(xr.Dataset())


def loud_model(idx, gain=100.0, layer=1):
    """A tiny llama whose neurons ``idx`` of ``layer`` fire ``gain`` times louder (their up
    projection scaled): large activation variance, and a large share of the layer's output."""
    net = tiny_llama(seed=2)
    with torch.no_grad():
        net.model.layers[layer].mlp.up_proj.weight[idx] *= gain
    return net


def test_matched_variance_null_differs_from_the_count_only_null(tokenizer, stim):
    """Eight loud neurons (the top variance bin of six); the set is two of them. The count-only
    null draws ordinary neurons, so the set looks special (measured z 6.5 and 10.7 on the
    controls); the matched null draws loud ones too, and the set is ordinary among them."""
    loud = np.arange(0, 48, 6)
    net = loud_model(loud)
    m = mask([(1, loud[:2])])
    kw = dict(n_random=12, n_candidates=4, seed=1)
    count = run(net, tokenizer, stim, m, null="count", **kw)
    matched = run(net, tokenizer, stim, m, **kw)
    assert matched.attrs["null"] == "matched-variance" and count.attrs["null"] == "count"
    np.testing.assert_allclose(matched["change"], count["change"], rtol=1e-6)  # the same set
    sv = float(matched["set_variance"][0])
    assert float(matched["null_variance"][0]) == pytest.approx(sv, rel=0.5)
    assert float(count["null_variance"][0]) < 0.2 * sv
    size = {k: float(np.abs(r["null_change"]).mean()) for k, r in (("c", count), ("m", matched))}
    assert size["m"] > 5 * size["c"]
    zc, zm = count["z"].sel(set="selected").values, matched["z"].sel(set="selected").values
    assert np.abs(zc).max() > 5 and np.abs(zm).max() < 2
    assert abs(float(count["contrast_z"][0])) > 3 > 2 > abs(float(matched["contrast_z"][0]))
    assert 0 < float(matched["null_overlap"][0]) < 0.5


def test_top_k_by_effect_lower_and_selective_sets(model, tokenizer, stim):
    rng = np.random.default_rng(0)
    lower = rng.normal(size=(3, N_NEUR, 2))
    sel = np.full((3, N_NEUR), "none", dtype="<U8")
    sel[2, [4, 8]] = "sentence"
    tagged = xr.Dataset(
        {
            "category": (("layer", "neuron"), np.full((3, N_NEUR), "none", dtype="<U8")),
            "selective_category": (("layer", "neuron"), sel),
            "effect_lower": (("layer", "neuron", "level"), lower),
        },
        coords={"layer": [0, 1, 2], "level": ["sentence", "phrase"]},
    )
    r = run(model, tokenizer, stim, tagged, top_k=[2, 5], layers=[1, 2], n_random=3)
    assert list(r["set"].values) == ["top2", "top5"]
    assert r["n_neurons"].values.tolist() == [[0, 2, 2], [0, 5, 5]]
    assert r.attrs["top_k"] == "2,5" and r.attrs["rank_by"] == "effect_lower"
    s = run(model, tokenizer, stim, tagged, verdict="selective", categories="tagged", n_random=2)
    assert s["n_neurons"].values.tolist() == [[0, 0, 2]] and s.attrs["verdict"] == "selective"
    with pytest.raises(ValueError, match=r"\['tagged'\] hold no neuron"):
        run(model, tokenizer, stim, tagged, verdict="selective", categories="tagged", layers=0)
    table = ablation_table(r)
    for c in ("sentences", "random-words", "within-shuffle"):
        assert {f"change_{c}", f"z_{c}", f"p_{c}", f"null_mean_{c}"} <= set(table.columns)
    np.testing.assert_allclose(table["change_sentences"], table["change"])
    assert table.attrs == {"null": "matched-variance", "n_random": 3}
