"""The alignment of the planted pair, shared by the RSA tests.

The planted model and brain Spectra themselves (the ``build`` and ``planted_pair`` fixtures) live
in ``tests/conftest.py``: the ``hftp align`` command-line tests use them too.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def planted_result(planted_pair):
    from hftp.rsa.alignment import align

    m, b = planted_pair
    return align(m, b, top_k=6, n_boot=200)
