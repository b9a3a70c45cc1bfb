"""The public API: every advertised name resolves, and `import hftp` stays light."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import hftp

API = sorted(
    n for n in hftp.__all__ if n != "__version__" and not inspect.ismodule(getattr(hftp, n))
)


@pytest.mark.parametrize("name", API)
def test_every_public_name_resolves(name):
    obj = getattr(hftp, name)
    assert callable(obj), f"hftp.{name} should be callable"
    assert obj.__doc__, f"hftp.{name} needs a docstring"


def test_all_lists_the_api_and_submodules():
    assert len(API) >= 30
    assert "plot" in hftp.__all__ and "__version__" in hftp.__all__


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="attribute probe_model"):
        hftp.probe_model  # noqa: B018


def test_import_is_lazy():
    code = (
        "import sys, hftp; "
        "heavy = [m for m in ('torch', 'transformers', 'mne', 'nilearn', 'matplotlib') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_brain_side_works_without_torch():
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'transformers'): raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block()); "
        "import numpy as np, hftp; "
        "rng = np.random.default_rng(0); "
        "s = hftp.make_spectra({'a': rng.normal(size=(8, 2, 64))}, sfreq=8.0, tagged_hz={'phrase': 1.0}); "
        "t = hftp.find_tagged(s, condition='a'); print(int(t.sizes['channel']))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "2"
