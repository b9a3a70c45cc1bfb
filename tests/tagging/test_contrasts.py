"""Named condition contrasts: what each names, the lookup and its error, and a contrast driving
find_tagged (phrases against category alternation, at the phrase rate only)."""

from __future__ import annotations

import numpy as np
import pytest

from hftp.stimuli import list_designs
from hftp.tagging.contrasts import CONTRASTS, Contrast, get_contrast
from hftp.tagging.pipeline import find_tagged
from hftp.testing import planted_spectra


def test_every_contrast_is_complete():
    designs = set(list_designs())
    for name, c in CONTRASTS.items():
        assert isinstance(c, Contrast)
        assert c.condition != c.control and c.levels and c.description
        assert set(c.levels) <= {"sentence", "phrase", "unit"}, name
        assert set(c.designs) <= designs, (name, c.designs)  # designs that make the conditions


def test_get_contrast():
    c = get_contrast("phrases-vs-category-alternation")
    assert (c.condition, c.control, c.levels) == ("np-phrases", "category-alternation", ("phrase",))
    assert get_contrast("sentences-vs-within-shuffle").control == "within-shuffle"
    with pytest.raises(ValueError, match="'contrast'.*Did you mean 'sentences-vs-within-shuffle'"):
        get_contrast("sentences-vs-within-shufle")


def test_a_contrast_drives_find_tagged():
    c = get_contrast("phrases-vs-category-alternation")
    plant = {"phrase": np.arange(200) < 20}
    s = planted_spectra(
        (200,),
        conditions=(c.condition, c.control),
        planted_in=(c.condition,),
        plant=plant,
        amplitude=0.5,
        seed=3,
    )
    r = find_tagged(s, c.condition, c.control, levels=list(c.levels))
    assert r["level"].values.tolist() == ["phrase"]
    sig = r["significant"].values[:, 0]
    assert sig[:20].mean() >= 0.8 and sig[20:].mean() <= 0.05
    assert r.attrs["condition"] == "np-phrases" and r.attrs["control"] == "category-alternation"
