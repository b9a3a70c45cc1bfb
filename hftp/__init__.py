"""hftp: the Hierarchical Frequency Tagging Probe.

Find the neurons of a language model and the electrodes of a brain that follow the rhythm of
syntax (sentences and phrases presented at fixed rates), and measure how alike the two are.

The pipeline has one subpackage per stage::

    stimuli → models (probe) ─┐
                              ├→ spectral → tagging → rsa → plot
    brain (read, simulate) ───┘

The public API is declared once, in ``__init__.pyi`` beside this file: :mod:`lazy_loader` reads
it, so that each name is imported on first use (``import hftp`` stays fast and the brain side
works without torch), and type checkers and IDEs read the same file.
"""

import lazy_loader as _lazy

from hftp._version import __version__ as __version__

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
