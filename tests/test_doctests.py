"""The Examples of the top-level functions run as doctests.

Every function of the package face (the names of ``hftp._API``) has an ``Examples`` section, and
it runs as written, on tiny or simulated data (``hftp.testing``): each example imports what it
uses (no names are provided to it), and one that writes files writes them into a temporary
folder. ``make doctest`` runs this file alone.

Warnings: domain notices (a ``UserWarning``, e.g. the phrase rate at Nyquist) are what a user
would see, not failures; a deprecated hftp name used by an example is a failure.
"""

from __future__ import annotations

import doctest
import inspect
import warnings

import pytest

import hftp

# the functions of the package face (classes such as StimulusSet and HftpError are not in scope)
FUNCTIONS = sorted(name for name in hftp._API if not name[0].isupper())
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_the_package_face_has_31_functions():
    assert len(FUNCTIONS) == 31, FUNCTIONS


@pytest.mark.parametrize("name", FUNCTIONS)
def test_examples_run(name, tmp_path, monkeypatch):
    func = getattr(hftp, name)
    assert "Examples\n--------" in (inspect.getdoc(func) or ""), f"hftp.{name}: no Examples"
    finder = doctest.DocTestFinder(recurse=False)
    tests = [t for t in finder.find(func, f"hftp.{name}", globs={}) if t.examples]
    assert tests, f"hftp.{name}: its Examples section has no >>> lines"
    monkeypatch.chdir(tmp_path)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("error", message=r".* was renamed to .* in hftp ")
        for test in tests:
            runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
