"""Replication over independent stimulus pools, split halves by name, and their checks."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from hftp.tagging.replication import (
    confirm,
    describe_replication,
    resolve_replication,
    split_kind,
)
from hftp.testing import planted_spectra

PLANT = {"sentence": np.arange(200) < 20}


def spectra(seed, pools=None, stimulus_seed=None):
    s = planted_spectra((200,), plant=PLANT, phase=1.0, seed=seed)
    if stimulus_seed is not None:
        s.attrs["stimulus_seed"] = stimulus_seed
    if pools is not None:
        s.attrs["stimulus_pools"] = pools
    return s


def split(pools=1):
    halves = [spectra(3 + i) for i in (0, 1)]
    s = xr.concat(halves, dim="split", coords="minimal", compat="override")
    s.attrs["stimulus_pools"] = pools
    return s


def test_split_kind_reads_the_stimulus_pools():
    assert split_kind(spectra(0)) == "none"
    assert split_kind(split(1)) == "split-halves"
    assert split_kind(split(2)) == "pools"


def test_resolve_defaults_to_pools_where_the_data_allow():
    kw = dict(condition="exp", control="ctrl")
    assert resolve_replication(split(2), None, **kw) == ("pools", None)
    assert resolve_replication(split(1), None, **kw) == ("split-halves", None)
    assert resolve_replication(spectra(0), None, **kw) == ("none", None)
    assert resolve_replication(split(2), "split-halves", **kw) == ("split-halves", None)
    other = spectra(9, stimulus_seed=8)
    kind, got = resolve_replication(spectra(0, stimulus_seed=7), other, **kw)
    assert kind == "pools" and got is other


def test_resolve_refuses_what_cannot_replicate_over_items():
    kw = dict(condition="exp", control="ctrl")
    with pytest.raises(ValueError, match="'replication'.*'pools' needs.*split-halves"):
        resolve_replication(split(1), "pools", **kw)
    with pytest.raises(ValueError, match="'replication'.*needs a 'split' dim"):
        resolve_replication(spectra(0), "split-halves", **kw)
    with pytest.raises(ValueError, match="'replication'.*Did you mean 'pools'"):
        resolve_replication(split(2), "pool", **kw)
    s = spectra(0, stimulus_seed=7)
    with pytest.raises(ValueError, match="same data"):
        resolve_replication(s, s.copy(), **kw)
    with pytest.raises(ValueError, match="seed 7.*share their sentences"):
        resolve_replication(s, spectra(1, stimulus_seed=7), **kw)
    with pytest.raises(ValueError, match="no condition 'ctrl'"):
        resolve_replication(s, spectra(1).sel(condition=["exp"]), **kw)
    with pytest.raises(ValueError, match="channels"):
        resolve_replication(s, spectra(1).isel(channel=slice(0, 10)), **kw)
    with pytest.raises(TypeError, match="'replication'"):
        resolve_replication(s, 3, **kw)


def test_confirm_is_bh_over_the_selected_only():
    sel = {"significant": np.array([[True], [True], [False], [True]])}
    conf = {"sig_p": np.array([[0.001], [0.04], [0.0], [0.5]])}
    np.testing.assert_array_equal(confirm(sel, conf, 0.05)[:, 0], [True, False, False, False])
    np.testing.assert_array_equal(confirm(sel, conf, 0.1)[:, 0], [True, True, False, False])
    assert not confirm({"significant": np.zeros((3, 1), bool)}, conf, 0.05).any()


def test_describe_names_items_or_word_orders():
    assert describe_replication("none", spectra(0)) == "none"
    assert "word orders, not items" in describe_replication("split-halves", split(1))
    assert describe_replication("pools", split(2)).startswith("independent stimulus pools")
    other = spectra(1, stimulus_seed=11)
    assert "seed 11" in describe_replication("pools", spectra(0), other)


# ------------------------------------------------------------------------------ in find_tagged


def test_find_tagged_replicates_over_another_pool_by_default():
    from hftp.tagging.pipeline import find_tagged

    a, b = spectra(3, stimulus_seed=1), spectra(4, stimulus_seed=2)
    r = find_tagged(a, "exp", "ctrl", levels="sentence", replication=b)
    rep = r["replicated"].values[:, 0]
    assert rep[:20].mean() >= 0.8 and rep[20:].mean() <= 0.02
    assert r.attrs["replication"].startswith("independent stimulus pools")
    assert "seed 2" in r.attrs["replication"]
    # selection on all of `a`: exactly `confirm` of the two single runs
    ra = find_tagged(a, "exp", "ctrl", levels="sentence")
    rb = find_tagged(b, "exp", "ctrl", levels="sentence")
    want = confirm({"significant": ra["significant"].values}, {"sig_p": rb["sig_p"].values}, 0.05)
    np.testing.assert_array_equal(r["replicated"].values, want)
    for v in ("significant", "selective", "p"):  # the rest is the same as without replication
        np.testing.assert_array_equal(r[v].values, ra[v].values)
    assert "replicated" not in ra and ra.attrs["replication"] == "none"


def test_find_tagged_split_over_pools_or_one_pool():
    from hftp.tagging.pipeline import find_tagged

    pools = find_tagged(split(2), "exp", "ctrl", levels="sentence")
    halves = find_tagged(split(1), "exp", "ctrl", levels="sentence")
    np.testing.assert_array_equal(pools["replicated"], halves["replicated"])
    assert pools.attrs["replication"].startswith("independent stimulus pools (split")
    assert "word orders, not items" in halves.attrs["replication"]
    by_name = find_tagged(split(2), "exp", "ctrl", levels="sentence", replication="split-halves")
    assert "word orders" in by_name.attrs["replication"]
    with pytest.raises(ValueError, match="'replication'.*'pools' needs"):
        find_tagged(split(1), "exp", "ctrl", levels="sentence", replication="pools")


def test_find_tagged_warns_about_tokenization_and_builds_selective_categories():
    import json

    from hftp.tagging.pipeline import find_tagged

    s = spectra(5)
    s.attrs["token_splitting"] = json.dumps({"exp": 0.34, "ctrl": 0.03})
    with pytest.warns(UserWarning, match="tokenized differently.*token_splitting: 34"):
        r = find_tagged(s, "exp", "ctrl")
    want = r["selective"].any("level") if "level" in r["selective"].dims else r["selective"]
    np.testing.assert_array_equal(r["selective_category"].values != "none", want.values)
