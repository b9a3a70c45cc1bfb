"""The HTML report a scientist reads: findings first, then figures, methods, and all numbers.

- :mod:`~hftp.apps.report.effects`: the first findings: the effect profile (how large, where,
  with intervals), what it supports and what not, the category-matched contrast's effect;
- :mod:`~hftp.apps.report.findings`: the registry of finding builders (numbers → sentences);
- :mod:`~hftp.apps.report.results`: the findings of the results (model tagging and baselines,
  simulated sEEG, real EEG, result files);
- :mod:`~hftp.apps.report.checks`: the findings of the demo's checks (replication, lexical
  baseline, category-matched contrast, tokenization, ablation);
- :mod:`~hftp.apps.report.labels`: human labels for keys and number formatting;
- :mod:`~hftp.apps.report.methods`: the methods paragraph from the parameters actually used;
- :mod:`~hftp.apps.report.render`: the HTML page (:func:`build_report`);
- :mod:`~hftp.apps.report.files`: a report from saved result files (``hftp report FILES``).

Data from the simulator are labelled "simulated"; real models and recordings "real".
"""

# the builders register their findings on import (checks imports results, whose findings it
# is placed among)
from hftp.apps.report import checks as _checks  # noqa: F401
from hftp.apps.report import effects as _effects  # noqa: F401  (the first findings)
from hftp.apps.report.findings import (
    FINDINGS,
    Finding,
    collect_findings,
    get,
    register_finding,
)
from hftp.apps.report.labels import LABELS, label
from hftp.apps.report.methods import CITATIONS, methods_paragraph
from hftp.apps.report.render import CAPTIONS, build_report

__all__ = [
    "build_report",
    "methods_paragraph",
    "CITATIONS",
    "CAPTIONS",
    "FINDINGS",
    "Finding",
    "register_finding",
    "collect_findings",
    "get",
    "LABELS",
    "label",
]
