"""API contracts of layout v2: keyword-only options, mode_params, one error family, compare_rdms."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import hftp
from hftp.tagging.pipeline import MODE_PARAMS
from hftp.testing import planted_spectra


def _kinds(fn):
    return {n: p.kind for n, p in inspect.signature(fn).parameters.items()}


def test_extract_and_probe_share_one_keyword_only_order():
    ea = list(inspect.signature(hftp.extract_activations).parameters)
    pr = list(inspect.signature(hftp.probe).parameters)
    assert ea[:3] == pr[:3] == ["model", "tokenizer", "stim"]
    shared = [p for p in pr if p in ea]
    assert shared == ea  # the same names in the same order
    for fn in (hftp.extract_activations, hftp.probe):
        kinds = _kinds(fn)
        assert all(kinds[n] == inspect.Parameter.KEYWORD_ONLY for n in list(kinds)[3:])


def test_find_tagged_groups_mode_parameters():
    params = inspect.signature(hftp.find_tagged).parameters
    # 12: the mode-independent options (control_hz, the control-frequency family, is the 11th;
    # min_effect, the δ of the effect test and of `selective` (issue 21), the 12th; replication,
    # the independent data `replicated` confirms on (issue 21), the 13th);
    # no mode's own parameter is a top-level argument
    assert len(params) <= 13 and "mode_params" in params
    assert not set(params) & {k for ps in MODE_PARAMS.values() for k in ps}
    s = planted_spectra((10,), n_trials=6, n_times=40, seed=0)
    with pytest.raises(hftp.HftpError, match=r"'mode_params'.*'n_groups'.*mode='paper'"):
        hftp.find_tagged(s, "exp", mode_params={"n_groups": 3})
    with pytest.raises(ValueError, match=r"Did you mean 'n_permutations'"):
        hftp.find_tagged(s, "exp", mode_params={"n_permutation": 3})
    with pytest.raises(TypeError, match="'mode_params'"):
        hftp.find_tagged(s, "exp", mode_params=["measure"])


def test_errors_are_one_family():
    with pytest.raises(hftp.HftpError):
        hftp.make_stimuli("xx")
    assert issubclass(hftp.HftpError, Exception)
    from hftp._validation import InvalidTypeError, InvalidValueError

    assert issubclass(InvalidValueError, ValueError) and issubclass(
        InvalidValueError, hftp.HftpError
    )
    assert issubclass(InvalidTypeError, TypeError) and issubclass(InvalidTypeError, hftp.HftpError)


def test_compare_rdms_model_vs_model_and_brain_vs_brain():
    conds = [f"c{i}" for i in range(5)]
    a = planted_spectra((3, 6), conditions=conds, n_trials=4, n_times=40, seed=0)
    b = a.isel(condition=[4, 2, 0, 3, 1])  # the same data, conditions in another order
    ra, rb = hftp.rdms(a), hftp.rdms(b)
    rho = hftp.compare_rdms(ra, rb)
    assert rho.dims == ("layer_a", "layer_b") and rho.shape == (3, 3)
    # conditions are matched by name: identical RDMs, rho = 1
    assert np.allclose(np.diag(rho.values), 1.0)
    assert float(hftp.compare_rdms(ra, ra, comparison="kendall").values[0, 0]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="'comparison'.*Did you mean 'spearman'"):
        hftp.compare_rdms(ra, rb, comparison="spearmen")
    with pytest.raises(TypeError, match=r"'b'.*hftp.rdms"):
        hftp.compare_rdms(ra, np.zeros((3, 10)))
    other = planted_spectra((4,), conditions=["x", "y", "z"], n_trials=4, n_times=40, seed=1)
    with pytest.raises(ValueError, match="same conditions"):
        hftp.compare_rdms(ra, hftp.rdms(other))


def test_align_is_the_function_and_rsa_the_subpackage():
    import hftp.rsa.alignment  # noqa: F401  (importing the subpackage rebinds nothing called align)

    assert callable(hftp.align) and hftp.align is hftp.rsa.alignment.align
    assert hftp.rdms is hftp.rsa.rdms


def test_public_api_is_small():
    api = [n for n in hftp.__all__ if n != "__version__" and not inspect.ismodule(getattr(hftp, n))]
    assert len(api) <= 35  # with effect_profile and effect_curve (how large, not how many)
