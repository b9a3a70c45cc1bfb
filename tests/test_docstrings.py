"""Every public function has a numpydoc docstring: a one-line summary, a Parameters section that
names each parameter, and a Returns (or Yields) section where it returns something."""

from __future__ import annotations

import importlib
import inspect
import warnings

import pytest

numpydoc_docscrape = pytest.importorskip("numpydoc.docscrape")

PUBLIC_MODULES = (
    "hftp",
    "hftp.stimuli",
    "hftp.models",
    "hftp.spectral",
    "hftp.tagging",
    "hftp.brain",
    "hftp.rsa",
    "hftp.plot",
    "hftp.io",
    "hftp.datasets",
    "hftp.testing",
)


def _public_functions():
    seen = {}
    for modname in PUBLIC_MODULES:
        mod = importlib.import_module(modname)
        for name in getattr(mod, "__all__", ()):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                obj = getattr(mod, name)
            if inspect.isfunction(obj) and obj.__module__.startswith("hftp"):
                seen.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return seen


FUNCTIONS = _public_functions()


def _documented_names(doc) -> set[str]:
    names = set()
    for p in doc["Parameters"]:
        for part in p.name.split(","):
            names.add(part.strip().lstrip("*"))
    return names


def test_there_are_public_functions():
    assert len(FUNCTIONS) > 50


@pytest.mark.parametrize("qualname", sorted(FUNCTIONS))
def test_numpydoc_sections(qualname):
    func = FUNCTIONS[qualname]
    raw = inspect.getdoc(func) or ""
    assert raw.strip(), f"{qualname} has no docstring"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doc = numpydoc_docscrape.FunctionDoc(func)
    summary = " ".join(doc["Summary"]).strip()
    assert summary, f"{qualname}: no one-line summary"
    params = [n for n in inspect.signature(func).parameters if n not in ("self", "cls")]
    if params:
        documented = _documented_names(doc)
        missing = [n for n in params if n not in documented]
        assert not missing, f"{qualname}: Parameters section misses {missing}"
    ret = inspect.signature(func).return_annotation
    returns_nothing = ret in (None, "None") or (isinstance(ret, str) and ret == "None")
    if not returns_nothing:
        assert doc["Returns"] or doc["Yields"], f"{qualname}: no Returns section"
