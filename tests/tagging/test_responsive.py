"""responsive_channels: find_tagged per condition as one table, with each channel's anatomy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from hftp.tagging.responsive import responsive_channels
from hftp.testing import planted_spectra

N_CH = 6
PLANTED = [0, 1]


@pytest.fixture(scope="module")
def spectra():
    s = planted_spectra(
        (N_CH,),
        conditions=("exp", "other", "ctrl"),
        planted_in=("exp",),
        plant={"sentence": PLANTED},
        amplitude=1.0,
        seed=0,
    )
    return s.assign_coords(
        subject=("channel", ["s1"] * N_CH),
        region=("channel", ["STG_L"] * 2 + ["MFG_R"] * 4),
        x=("channel", np.linspace(-50.0, 50.0, N_CH)),
    )


def test_one_row_per_condition_channel_and_level(spectra):
    tab = responsive_channels(spectra, control="ctrl", levels="sentence")
    assert list(tab.columns[:4]) == ["condition", "channel", "level", "freq"]
    assert len(tab) == 2 * N_CH  # conditions exp and other (all but the control), one level
    assert list(dict.fromkeys(tab["condition"])) == ["exp", "other"]
    assert set(tab["level"]) == {"sentence"} and set(tab["freq"]) == {1.0}
    exp = tab[tab["condition"] == "exp"].set_index("channel")
    assert exp["significant"].to_dict() == {c: c in PLANTED for c in range(N_CH)}
    assert set(exp.loc[PLANTED, "category"]) == {"sentence"}
    assert not tab[tab["condition"] == "other"]["significant"].any()


def test_anatomy_is_joined_where_the_spectra_has_it(spectra):
    tab = responsive_channels(spectra, conditions=["exp"], control="ctrl", levels="sentence")
    assert {"subject", "region", "x"} <= set(tab.columns)
    assert "atlas_label" not in tab.columns  # not a coord of this Spectra
    row = tab.set_index("channel").loc[0]
    assert row["region"] == "STG_L" and row["x"] == -50.0 and row["subject"] == "s1"


def test_every_level_gets_its_frequency(spectra):
    tab = responsive_channels(spectra, conditions=["exp"], control="ctrl")
    assert dict(zip(tab["level"], tab["freq"], strict=True)) == spectra.hftp.tagged_hz


def test_unknown_condition_is_named(spectra):
    with pytest.raises(ValueError, match="'conditions'.*Did you mean 'exp'"):
        responsive_channels(spectra, conditions=["exq"], control="ctrl")


def test_hftp_brain_keeps_a_deprecated_alias():
    import hftp
    import hftp.brain

    with pytest.warns(FutureWarning, match="hftp.tagging.responsive.responsive_channels"):
        old = hftp.brain.responsive_channels
    assert old is responsive_channels and hftp.responsive_channels is responsive_channels


def test_importing_hftp_brain_does_not_import_tagging():
    code = "import sys, hftp.brain; print(any(m.startswith('hftp.tagging') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
