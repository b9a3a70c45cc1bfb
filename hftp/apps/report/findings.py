"""The findings registry: one sentence per result, with effect size, interval, null and baseline.

A *finding builder* turns a run's numbers (``summary.json``'s ``numbers``) and parameters into
a :class:`Finding` (or a list of them), or returns None when its numbers are absent. Builders live
in the registry :data:`FINDINGS` (name → builder), in display order; the renderer only walks the
registry, so a stage adds a finding without touching the HTML code.

Adding a finding
----------------
Write a function ``(numbers, params) -> Finding | list[Finding] | str | None`` and register it::

    from hftp.apps.report import Finding, get, register_finding

    @register_finding("ablation", source="real", figures=("ablation_curve",))
    def _ablation(numbers, params):
        drop = get(numbers, "ablation", "phrase_drop")       # None when missing
        if drop is None:
            return None
        return f"Ablating the tagged neurons lowered phrase-rate SNR by {drop:.2f}."

- Put it in a module of ``hftp.apps.report`` imported by its ``__init__`` (the demo's results
  are in :mod:`~hftp.apps.report.results`, its checks in :mod:`~hftp.apps.report.checks`);
  display order is registration order, or say ``before=``. Stages never import apps, so the
  app that computes the numbers is where its finding is written.
- Read numbers with :func:`get` (a path of keys; None when any step is missing or not a dict),
  so a run without your stage simply has no finding.
- Return a :class:`Finding` to set its own source (``"real"`` or ``"simulated"``), data label
  and figures; a plain string takes ``source``/``data``/``figures`` from the decorator.
- ``figures`` are figure names as given to ``build_report``; links are drawn only to figures
  present in the report.
- Give effect sizes with their interval, the test and its null, and the baseline, in one or two
  sentences. Add the human words of your keys to :data:`hftp.apps.report.labels.LABELS`.

A builder that raises ``KeyError``, ``TypeError``, ``ValueError``, ``IndexError``,
``AttributeError`` or ``ZeroDivisionError`` on unexpected numbers is skipped with a logged warning:
one malformed entry never costs the whole report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hftp._validation import InvalidValueError
from hftp.apps.report.labels import as_number

__all__ = [
    "Finding",
    "FINDINGS",
    "register_finding",
    "collect_findings",
    "get",
    "q_level",
    "SOURCES",
]

logger = logging.getLogger("hftp")

#: The data-source labels a finding may carry.
SOURCES = ("real", "simulated")


@dataclass(frozen=True)
class Finding:
    """One result, stated in words.

    Attributes
    ----------
    text : str
        One or two plain-text sentences (escaped when written).
    source : {"real", "simulated"}
        Whether the data are real (a real model, real recordings) or simulated.
    data : str
        What the data are, e.g. ``"model"``, ``"EEG (scalp)"``, ``"sEEG"``.
    figures : tuple of str
        Names of the figures that show it.
    """

    text: str
    source: str = "real"
    data: str = ""
    figures: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if isinstance(self.figures, str):
            object.__setattr__(self, "figures", (self.figures,))
        object.__setattr__(self, "figures", tuple(self.figures))
        if self.source not in SOURCES:
            raise InvalidValueError(
                f"Invalid value for 'source': expected one of {SOURCES}; got {self.source!r}. "
                "Label every finding as real or simulated data."
            )


Builder = Callable[[Mapping[str, Any], Mapping[str, Any]], Any]

#: name → builder(numbers, params) → Finding, list of Finding, str or None; in display order.
FINDINGS: dict[str, Builder] = {}

_SKIPPED = (KeyError, TypeError, ValueError, IndexError, AttributeError, ZeroDivisionError)


def register_finding(
    name: str,
    *,
    source: str = "real",
    data: str = "",
    figures: Sequence[str] = (),
    before: str | None = None,
) -> Callable[[Builder], Builder]:
    """Decorator: add a builder to :data:`FINDINGS` under ``name`` (replacing one of that name).

    Parameters
    ----------
    name : str
        The finding's name (a replaced builder keeps its place).
    source : {"real", "simulated"}
        The label of the plain strings the builder returns.
    data : str
        What the data are, e.g. ``"model"`` or ``"EEG (scalp)"``, for those strings.
    figures : sequence of str
        The figures that show those strings.
    before : str, optional
        Place the builder just before this registered finding; default last.

    Returns
    -------
    callable
        The decorator; it returns the builder unchanged.
    """
    if source not in SOURCES:
        raise InvalidValueError(
            f"Invalid value for 'source': expected one of {SOURCES}; got {source!r}."
        )

    def deco(fn: Builder) -> Builder:
        def wrapped(numbers, params):
            out = fn(numbers, params)
            if isinstance(out, str):
                return Finding(out, source=source, data=data, figures=tuple(figures))
            return out

        wrapped.__name__ = getattr(fn, "__name__", name)
        wrapped.__doc__ = fn.__doc__
        if before is None or before == name:
            FINDINGS[name] = wrapped  # a replaced builder keeps its place
            return fn
        if before not in FINDINGS:
            raise InvalidValueError(
                f"Invalid value for 'before': {before!r} is not a registered finding; "
                f"registered: {list(FINDINGS)}. Register {before!r} first (import its module) "
                "or choose one of these."
            )
        FINDINGS.pop(name, None)
        items = list(FINDINGS.items())
        at = [k for k, _ in items].index(before)
        FINDINGS.clear()
        FINDINGS.update([*items[:at], (name, wrapped), *items[at:]])
        return fn

    return deco


def collect_findings(
    numbers: Mapping[str, Any],
    params: Mapping[str, Any],
    registry: Mapping[str, Builder] | None = None,
) -> list[tuple[str, Finding]]:
    """Run every builder over a run's numbers.

    Builders that return None are left out; one that raises on malformed numbers is skipped and
    logged (see the module docstring).

    Parameters
    ----------
    numbers : dict
        The run's numbers (``summary.json``'s ``numbers``).
    params : dict
        The run's parameters.
    registry : dict of str to callable, optional
        The builders; default :data:`FINDINGS`.

    Returns
    -------
    list of (str, Finding)
        ``(name, finding)`` in registry order.
    """
    out: list[tuple[str, Finding]] = []
    for name, fn in (FINDINGS if registry is None else registry).items():
        try:
            got = fn(numbers, params)
        except _SKIPPED as err:
            logger.warning("report: finding %r skipped (%s: %s)", name, type(err).__name__, err)
            continue
        if got is None:
            continue
        items = [got] if isinstance(got, Finding | str) or not isinstance(got, Sequence) else got
        for f in items:
            if isinstance(f, str):
                f = Finding(f)
            if not isinstance(f, Finding):
                logger.warning("report: finding %r returned %s; skipped", name, type(f).__name__)
                continue
            out.append((name, f))
    return out


# ---------------------------------------------------------------------------------------------
# helpers for builders


def get(d: Any, *path: str, default: Any = None) -> Any:
    """Read a nested entry: ``d[path[0]][path[1]]...``.

    Parameters
    ----------
    d : object
        A dict of dicts (anything else has no entries).
    *path : str
        The keys, outermost first.
    default : object
        What a missing entry reads as.

    Returns
    -------
    object
        The entry; ``default`` when a step is missing or not a dict, or the entry is None.
    """
    for k in path:
        if not isinstance(d, Mapping) or k not in d:
            return default
        d = d[k]
    return default if d is None else d


def q_level(params: Mapping[str, Any]) -> float:
    """The FDR level of a run's tagging.

    Parameters
    ----------
    params : dict
        The run's parameters (``params["tagging"]["q"]``, else ``params["q"]``).

    Returns
    -------
    float
        The level recorded, 0.05 when none is.
    """
    return as_number(get(params, "tagging", "q")) or as_number(get(params, "q")) or 0.05
