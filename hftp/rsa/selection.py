"""Independent selection: choose model neurons on data that do not build the RDMs.

Selecting neurons and building their RDMs from the same trials is double dipping: a neuron picked
because its noise happens to peak in one condition carries that noise into its RDM, and a brain
RDM with one distinct condition then "matches" it. The random-neuron control cannot catch this,
because random neurons are not selected; selection alone wins it (measured: S_random_p at its
minimum in 10 of 10 null seeds). So :func:`hftp.align` selects on independent data by default:

``"split"``
    The model Spectra has a ``split`` dim (two independent halves of the trials, e.g. even and
    odd sequences): neurons are selected on split 0, RDMs are built on split 1.
``"independent"``
    ``selection_spectra`` (e.g. the same design probed with another stimulus seed) is the
    selection data; or, without it, the caller asserts that ``model_channels`` came from other data.
``"same-data"``
    Selection and RDMs from the same trials. Biased; only by name, for comparison with published
    numbers.

``model_channels`` may be a function ``spectra -> tagging results``; align applies it to the
selection data, so the procedure is recorded and cannot touch the RDM half. The random-neuron control draws,
per layer, as many neurons as were selected from the same candidate pool (neurons finite in both
the selection and the RDM data), so that it and the tagged set differ only in the selection rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hftp._validation import InvalidValueError, check_option

__all__ = ["SELECTIONS", "merge_splits", "resolve_selection"]

SELECTIONS = ("split", "independent", "same-data")
"""Selection modes of :func:`hftp.align` (``selection=``); None picks one from the inputs."""

_SUM_VARS = ("sum_x", "sum_abs", "sum_abs2", "sum_phase", "n_trials")

_FIX = (
    "Select on independent data: probe with two halves of the trials (a 'split' dim; align then "
    "selects on split 0 and builds RDMs on split 1), or pass selection_spectra= (the same design "
    "with another stimulus seed) with model_channels= a function of the spectra, e.g. "
    "model_channels=lambda s: hftp.find_tagged(s, 'sentences', 'within-shuffle'). If "
    "model_channels already come from other data, say selection='independent'; "
    "selection='same-data' accepts the selection bias."
)


def merge_splits(spectra):
    """Pool the halves of a Spectra with a ``split`` dim (sums add; per-trial values dropped).

    Parameters
    ----------
    spectra : xarray.Dataset
        A Spectra with a ``split`` dim, e.g. ``(split, condition, layer, neuron, freq)``.

    Returns
    -------
    pooled : xarray.Dataset
        The same Spectra without ``split``: ``sum_x``, ``sum_abs``, ``sum_abs2``, ``sum_phase``
        and ``n_trials`` summed over the halves; per-trial values (``trial``, ``tagged_freq``)
        dropped.
    """
    out = spectra.drop_vars([v for v in spectra.data_vars if v not in _SUM_VARS])
    out = out.sum("split", keep_attrs=True)
    return out.drop_vars([c for c in ("split", "trial", "tagged_freq") if c in out.coords])


def _check_split(spectra) -> None:
    if spectra.sizes["split"] != 2:
        raise InvalidValueError(
            f"Invalid value for 'model_spectra': its 'split' dim must hold 2 halves (selection, "
            f"RDMs); got {spectra.sizes['split']}. Probe with two independent halves of the trials."
        )


def _same_data(a, b) -> bool:
    """True when ``b`` is ``a`` or holds the same values (a copy of the same trials)."""
    if a is b:
        return True
    if a.sizes != b.sizes or "sum_x" not in a or "sum_x" not in b:
        return False
    return bool(np.array_equal(a["sum_x"].values, b["sum_x"].values))


def _touches_rdm_half(chosen, rdm_split) -> bool:
    """Provenance: tagging results that carry the RDM half (a split dim, or split == rdm_split)."""
    if not hasattr(chosen, "dims"):
        return False
    if "split" in chosen.dims:
        return True
    if "split" in getattr(chosen, "coords", {}):
        return bool(np.asarray(chosen["split"].values == rdm_split).all())
    return False


def resolve_selection(
    model_spectra, model_channels, *, selection: str | None, selection_spectra
) -> dict[str, Any]:
    """Resolve the selection: the RDM spectra, the selection spectra and the selected neurons.

    Parameters
    ----------
    model_spectra : xarray.Dataset
        Model Spectra, optionally with a ``split`` dim of size 2.
    model_channels : xarray.Dataset, xarray.DataArray, callable or None
        Tagging results / boolean mask over ``(layer, neuron)``, or a function
        ``spectra -> tagging results``.
    selection : {"split", "independent", "same-data"} or None
        None: ``"split"`` with a split dim, else ``"independent"`` with ``selection_spectra``;
        with ``model_channels`` given and neither, same-data selection is refused (the message says how
        to fix it).
    selection_spectra : xarray.Dataset or None
        Independent model Spectra to select on (same layers and neurons).

    Returns
    -------
    resolved : dict
        ``rdm_spectra`` (the data for the RDMs), ``selection_spectra`` (the data selected on, or
        None when unknown), ``model_channels`` (results or mask, or None; a function has been
        applied to the selection data) and ``selection`` (the mode, ``"none"`` without
        ``model_channels``).

    Raises
    ------
    InvalidValueError
        Same-data selection without ``selection="same-data"``; ``selection_spectra`` equal to the
        RDM data; tagging results computed on the RDM half; a split dim not of size 2.
    """
    if selection is not None:
        check_option("selection", selection, SELECTIONS)
    has_split = "split" in model_spectra.dims
    if has_split:
        _check_split(model_spectra)
    if model_channels is None and selection_spectra is None and selection is None:
        rdm = merge_splits(model_spectra) if has_split else model_spectra
        return {
            "rdm_spectra": rdm,
            "selection_spectra": None,
            "model_channels": None,
            "selection": "none",
        }
    if selection is None:
        if has_split:
            selection = "split"
        elif selection_spectra is not None:
            selection = "independent"
        else:
            raise InvalidValueError(
                "Invalid value for 'model_channels': these neurons would be selected and their RDMs built "
                "from the same trials (model_spectra has no 'split' dim and no selection_spectra "
                "was given), which lets selection alone win the random-neuron control. " + _FIX
            )
    if selection == "split":
        if not has_split:
            raise InvalidValueError(
                "Invalid value for 'selection': 'split' needs a 'split' dim on model_spectra "
                f"(two halves of the trials); its dims are {tuple(model_spectra.dims)}. Probe "
                "with split halves, or pass selection_spectra= with selection='independent'."
            )
        if selection_spectra is not None:
            raise InvalidValueError(
                "Invalid value for 'selection_spectra': with selection='split' the selection "
                "data is split 0 of model_spectra. Pass one or the other."
            )
        sel_spec, rdm = model_spectra.isel(split=0), model_spectra.isel(split=1)
        if _touches_rdm_half(model_channels, model_spectra["split"].values[1]):
            raise InvalidValueError(
                "Invalid value for 'model_channels': these tagging results were computed on the "
                "RDM half (split 1) or on both halves, so selection and RDMs share trials. Select "
                "on split 0 only (find_tagged(model_spectra.isel(split=0), ...)) or pass a "
                "function, e.g. model_channels=lambda s: hftp.find_tagged(s, 'sentences', "
                "'within-shuffle')."
            )
    elif selection == "independent":
        rdm = merge_splits(model_spectra) if has_split else model_spectra
        sel_spec = selection_spectra
        if sel_spec is not None and _same_data(rdm, sel_spec):
            raise InvalidValueError(
                "Invalid value for 'selection_spectra': it holds the same data as model_spectra, "
                "so the selection is not independent. Probe the same design with another stimulus "
                "seed (or use split halves)."
            )
        if sel_spec is None and callable(model_channels):
            raise InvalidValueError(
                "Invalid value for 'selection_spectra': model_channels is a function, so it needs the "
                "independent data to run on. Pass selection_spectra= (another stimulus seed)."
            )
    else:  # same-data
        rdm = merge_splits(model_spectra) if has_split else model_spectra
        sel_spec = rdm
    if callable(model_channels):
        model_channels = model_channels(sel_spec)
    return {
        "rdm_spectra": rdm,
        "selection_spectra": sel_spec,
        "model_channels": model_channels,
        "selection": selection,
    }
