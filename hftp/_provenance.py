"""What a result says it was made from, and the check that results put together agree on it.

Every Spectra, tagging result and alignment records its provenance in ``attrs``: the model (and
its revision), the stimulus set (language, designs, seed), the container's schema version and,
for brain data, the recording's source (real or simulated, the data set). :func:`lineage` reads
these into one small record; :func:`check_same_lineage` refuses to combine results whose records
differ (e.g. ``hftp report`` over files from two models, or ``hftp.align`` given neurons tagged on
another model), naming both, unless the caller says ``allow_mixed=True``. :func:`brain_lineage`
gives the brain side's record that travels into every result built on brain data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hftp._validation import InvalidValueError

__all__ = ["LINEAGE_KEYS", "brain_lineage", "check_same_lineage", "lineage", "simulated"]

#: The parts of a provenance that results combined must share: part → the attrs that hold it.
LINEAGE_KEYS: dict[str, tuple[str, ...]] = {
    "model": ("model", "model_revision"),
    "stimuli": ("language", "stimulus_design", "stimulus_seed"),
    "schema": ("hftp_schema",),
    "brain data": ("brain_dataset", "brain_source_kind"),
}


def _plain(v: Any) -> Any:
    if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
        v = v.item()
    return v


def simulated(attrs: Mapping[str, Any]) -> bool | None:
    """Whether attrs say their brain data are simulated (True), real (False) or do not say (None).

    Parameters
    ----------
    attrs : mapping
        A result's ``attrs``.

    Returns
    -------
    bool or None
        From ``brain_source_kind`` or ``source_kind`` (``"simulated"``/``"real"``), else
        ``modality`` or
        ``brain_modality`` mentioning "simulated"; None when nothing is recorded.
    """
    kind = str(_plain(attrs.get("brain_source_kind", attrs.get("source_kind", ""))) or "")
    if kind in ("simulated", "real"):
        return kind == "simulated"
    text = " ".join(str(attrs.get(k, "")) for k in ("modality", "brain_modality")).lower()
    if "simulated" in text:
        return True
    if text.strip():
        return False
    return None


def brain_lineage(attrs: Mapping[str, Any]) -> dict[str, str]:
    """The brain data's provenance that travels into every result built on it.

    Parameters
    ----------
    attrs : mapping
        The ``attrs`` of a brain Spectra (or of a result that carries them already).

    Returns
    -------
    dict
        ``brain_source_kind`` (``"simulated"``, ``"real"`` or ``"unknown"``), ``brain_dataset``
        (the data set or file it came from, ``""`` when unknown), ``brain_modality`` and
        ``brain_source``, as plain strings for netCDF attrs.
    """
    sim = simulated(attrs)
    if "brain_source_kind" in attrs:  # already a carried record
        get = lambda k: str(_plain(attrs.get(k, "")) or "")  # noqa: E731
        return {
            k: get(k)
            for k in ("brain_source_kind", "brain_dataset", "brain_modality", "brain_source")
        }
    source = str(_plain(attrs.get("source", "")) or "")
    dataset = str(_plain(attrs.get("dataset", "")) or "") or source
    return {
        "brain_source_kind": "unknown" if sim is None else ("simulated" if sim else "real"),
        "brain_dataset": dataset,
        "brain_modality": str(_plain(attrs.get("modality", "")) or ""),
        "brain_source": source,
    }


def lineage(attrs: Mapping[str, Any]) -> dict[str, str]:
    """A result's provenance by part (:data:`LINEAGE_KEYS`), the parts it records.

    Parameters
    ----------
    attrs : mapping
        A result's ``attrs``.

    Returns
    -------
    dict
        Part → a short description (e.g. ``{"model": "gpt2", "stimuli": "en sentences seed 0"}``);
        parts the attrs do not record are absent.
    """
    out = {}
    for part, keys in LINEAGE_KEYS.items():
        vals = [str(_plain(attrs.get(k, ""))) for k in keys]
        vals = [v for v in vals if v not in ("", "None", "nan")]
        if vals:
            out[part] = " ".join(vals)
    return out


def check_same_lineage(
    items: Mapping[str, Mapping[str, Any]],
    *,
    allow_mixed: bool = False,
    parts: tuple[str, ...] = ("model", "stimuli", "schema"),
    name: str = "files",
) -> None:
    """Refuse results made from different models, stimulus sets, schemas or brain data.

    Parameters
    ----------
    items : dict
        A label for each result (a file name, a parameter) → its ``attrs``.
    allow_mixed : bool
        Accept differing provenances (default False).
    parts : tuple of str
        The parts of :data:`LINEAGE_KEYS` to compare (default: model, stimuli and schema; results
        on different brain data may be combined). A part that one of two results does not
        record is not compared.
    name : str
        The parameter named in the message.

    Raises
    ------
    InvalidValueError
        Naming the part, the two results and their two provenances, and ``allow_mixed=True``
        (``--allow-mixed``) as the way to combine them on purpose.
    """
    if allow_mixed:
        return
    first: dict[str, tuple[str, str]] = {}
    for label, attrs in items.items():
        lin = lineage(attrs)
        for part in parts:
            if part not in lin:
                continue
            if part not in first:
                first[part] = (label, lin[part])
            elif first[part][1] != lin[part]:
                a, va = first[part]
                raise InvalidValueError(
                    f"Invalid value for {name!r}: the results come from different {part}: "
                    f"{a!r} from {va!r}, {label!r} from {lin[part]!r}. Combine results of one "
                    f"{part} only, or pass allow_mixed=True (--allow-mixed) to combine them on "
                    "purpose."
                )
