"""Stage 4: representational similarity between model layers and brain channels or regions.

Data → RDM → comparison → inference, one module each: :mod:`hftp.align.rdms`,
:mod:`hftp.align.compare`, :mod:`hftp.align.inference`; :mod:`hftp.align.core` runs them as
:func:`align`.
"""

import sys
import types

from hftp.align.compare import COMPARISONS, compare_rdms
from hftp.align.core import align
from hftp.align.inference import alignment_summary
from hftp.align.rdms import METRICS, default_band, rdms

__all__ = [
    "rdms",
    "compare_rdms",
    "align",
    "alignment_summary",
    "METRICS",
    "COMPARISONS",
    "default_band",
]


class _CallableModule(types.ModuleType):
    """``hftp.align`` is both this subpackage and the function :func:`align`.

    Importing a subpackage rebinds the parent's attribute to the module, so ``hftp.align(...)``
    would stop working once ``hftp.align.rdms`` is imported; calling the module calls the function.
    """

    def __call__(self, *args, **kwargs):
        return align(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
