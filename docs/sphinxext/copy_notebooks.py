"""Copy the committed notebooks (``notebooks/*.ipynb``, with their outputs) under ``docs/``.

myst-nb renders them as they are, without executing them (``nb_execution_mode = "off"``):
``make notebooks`` produces their outputs and ``make test`` executes them. Sphinx reads sources
only below its source folder, so conf.py copies them into ``docs/notebooks/`` (ignored by git)
before the build; an unchanged notebook keeps its copy, so incremental builds stay incremental.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_notebooks(src: str | Path, dst: str | Path) -> list[str]:
    """Copy ``src/*.ipynb`` into ``dst`` (created), removing copies whose source is gone.

    Parameters
    ----------
    src, dst : path
        The repository's ``notebooks/`` folder and ``docs/notebooks/``.

    Returns
    -------
    list of str
        The notebook names (without ``.ipynb``), sorted.
    """
    src, dst = Path(src), Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    names = sorted(p.stem for p in src.glob("*.ipynb"))
    for old in dst.glob("*.ipynb"):
        if old.stem not in names:
            old.unlink()
    for name in names:
        a, b = src / f"{name}.ipynb", dst / f"{name}.ipynb"
        if not b.exists() or a.read_bytes() != b.read_bytes():
            shutil.copyfile(a, b)
    return names
