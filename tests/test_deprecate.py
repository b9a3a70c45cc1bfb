"""Deprecated aliases warn once, name the replacement, and behave like the new name."""

from __future__ import annotations

import warnings

import pytest

from hftp import _deprecate
from hftp._deprecate import deprecated_alias, module_getattr, renamed_kwarg


@pytest.fixture(autouse=True)
def _fresh_registry(monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())


def _new(x, *, sfreq=1.0):
    """Return x times sfreq."""
    return x * sfreq


def test_alias_warns_once_with_the_new_name_and_calls_through():
    old = deprecated_alias(_new, "pkg.old", "pkg.new")
    with pytest.warns(FutureWarning, match=r"pkg\.old was renamed to pkg\.new"):
        assert old(2, sfreq=3.0) == 6.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert old(1) == 1.0  # the second call is quiet
    assert old.__name__ == "old"
    assert "Deprecated alias" in old.__doc__


def test_renamed_kwarg_maps_the_old_keyword():
    f = renamed_kwarg(rate_hz="sfreq")(_new)
    with pytest.warns(FutureWarning, match=r"_new\(rate_hz=\.\.\.\) was renamed to _new\(sfreq"):
        assert f(2, rate_hz=4.0) == 8.0
    assert f(2, sfreq=5.0) == 10.0


def test_renamed_kwarg_refuses_both_spellings():
    f = renamed_kwarg(rate_hz="sfreq")(_new)
    with pytest.raises(TypeError, match="got both 'rate_hz' .* and 'sfreq'"):
        f(1, rate_hz=1.0, sfreq=2.0)


def test_module_getattr_serves_old_names_and_refuses_others():
    getattr_ = module_getattr("pkg", {"old_sqrt": ("math", "sqrt")})
    with pytest.warns(FutureWarning, match=r"pkg\.old_sqrt was renamed to math\.sqrt"):
        assert getattr_("old_sqrt")(9.0) == 3.0
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'nope'"):
        getattr_("nope")


def test_user_stacklevel_points_past_hftp_frames_and_decorators():
    import hftp

    with pytest.warns(
        UserWarning, match="Nyquist"
    ) as rec:  # make_stimuli is a renamed_kwarg wrapper
        hftp.make_stimuli("en", ["sentences"], n_sequences=2, seed=0)
    assert rec[0].filename == __file__
    assert _deprecate.user_stacklevel() == 1  # called from outside hftp: its own frame only
