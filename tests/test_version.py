"""One version, defined in a leaf module and seen the same everywhere."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import hftp
from hftp._version import __version__


def test_version_is_pep440_and_the_face_agrees():
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+|rc\d+)?", __version__)
    assert hftp.__version__ == __version__


def test_version_module_is_a_leaf():
    tree = ast.parse(Path(hftp.__file__).with_name("_version.py").read_text(encoding="utf-8"))
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert imports == []
