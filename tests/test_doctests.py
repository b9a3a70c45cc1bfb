"""The Examples of the top-level functions run as doctests.

Every function of the package face (``hftp.__all__``, declared in ``hftp/__init__.pyi``) has an
``Examples`` section, and
it runs as written, on tiny or simulated data (``hftp.testing``): each example imports what it
uses (no names are provided to it), and one that writes files writes them into a temporary
folder. ``make doctest`` runs this file alone.

Warnings: domain notices (a ``UserWarning``, e.g. the phrase rate at Nyquist) are what a user
would see, not failures; a deprecated hftp name used by an example is a failure.
"""

from __future__ import annotations

import doctest
import inspect
import sys
import warnings
from pathlib import Path

import pytest

import hftp

_PACKAGE = Path(hftp.__file__).parent
# the functions of the package face: not its subpackages and modules (``hftp.io``), classes
# (StimulusSet, HftpError) or ``__version__``; told apart by name, so that collecting this file
# imports none of them
FUNCTIONS = sorted(
    name
    for name in hftp.__all__
    if name[0].islower()
    and not (_PACKAGE / name).is_dir()
    and not (_PACKAGE / f"{name}.py").is_file()
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_the_package_face_lists_its_functions():
    assert len(FUNCTIONS) >= 31, FUNCTIONS
    assert {"probe", "find_tagged", "align", "load", "save"} <= set(FUNCTIONS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_examples_run(name, tmp_path, monkeypatch):
    func = getattr(hftp, name)
    assert "Examples\n--------" in (inspect.getdoc(func) or ""), f"hftp.{name}: no Examples"
    finder = doctest.DocTestFinder(recurse=False)
    tests = [t for t in finder.find(func, f"hftp.{name}", globs={}) if t.examples]
    assert tests, f"hftp.{name}: its Examples section has no >>> lines"
    monkeypatch.chdir(tmp_path)
    # MNE's informational log lines (e.g. a montage without fiducials) are not part of the output
    monkeypatch.setenv("MNE_LOGGING_LEVEL", "ERROR")
    if "mne" in sys.modules:
        sys.modules["mne"].set_log_level("ERROR")
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("error", message=r".* was renamed to .* in hftp ")
        for test in tests:
            runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
