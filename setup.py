"""Packages of the wheel: every ``hftp*`` package, plus the language data.

The lexicons and grammars have one source, the top-level ``stimuli/`` folder; the wheel ships it
as the data-only package ``hftp._languages`` (found by ``hftp.stimuli.grammar.stimuli_dir``).
Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["hftp", "hftp.*"]), "hftp._languages"],
    package_dir={"hftp._languages": "stimuli"},
)
