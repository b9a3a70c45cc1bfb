"""Control frequencies: untagged ("fake") frequencies tested as their own FDR family.

A control frequency is a bin where no rhythm was presented (not a tagged frequency, not one of
their harmonics). :func:`hftp.find_tagged` with ``control_hz={"fake": 1.3}`` runs the *same* test
there as at the tagged levels (the same tagging test, the same specificity test and conjunction
when a control condition is given, the same neighbor bins, seed and SNR floor), but corrects it
with Benjamini–Hochberg as a separate family: all channels × control frequencies, at the same
``q``. The main family (channels × tagged levels) is computed exactly as without control
frequencies, so its ``q`` and ``significant`` are identical whether or not controls are asked for;
and a control frequency cannot dilute (or be diluted by) the tagged levels' discoveries.

This module checks the control frequencies (:func:`resolve_control_hz`), refuses the trial-level
tests there (:func:`check_trial_tests`) and reads the family's two rates (:func:`control_rates`).

The control family reports, over dims ``(*channels, control_level)`` with coord
``control_freq`` (Hz), every result variable of the main family with the prefix ``control_``
(``control_p``, ``control_q``, ``control_sig_p``, ``control_sig_q``, ``control_significant``,
``control_snr``, ...). Two readings, per control frequency:

- ``(result.control_p < q).mean()``, the raw rate of p-values below ``q``: under the null it is
  about ``q``. This is the calibration check: a test that is liberal on these data shows here.
- ``result.control_significant.mean()``, the false-tag rate after the family's BH: under the
  complete null BH makes a discovery with probability at most ``q``, so this is usually 0 even
  for a somewhat liberal test; a clearly non-zero value means a response where none was
  presented (an artefact, or a rhythm of the stimuli that was not intended).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hftp._deprecate import renamed_kwarg
from hftp._validation import InvalidValueError, check_float, check_type
from hftp.spectral.bins import bin_index

__all__ = [
    "resolve_control_hz",
    "check_trial_tests",
    "control_rates",
    "CONTROL_PREFIX",
    "TRIAL_SPECIFICITY",
]

#: Specificity tests that need per-trial values (``trial_x``), kept only at tagged frequencies.
TRIAL_SPECIFICITY = ("permutation", "induced", "welch")

#: The prefix of the control family's variables in a ``find_tagged`` result.
CONTROL_PREFIX = "control_"


@renamed_kwarg(rate="sfreq")
def resolve_control_hz(
    control_hz: Mapping[str, float] | None,
    *,
    freq_axis: np.ndarray,
    sfreq: float,
    tagged_hz: Mapping[str, float],
    levels: list[str],
    excluded: np.ndarray,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Check the control frequencies; return their names, Hz and bin indices.

    Parameters
    ----------
    control_hz : dict of str to float or None
        Name → Hz of each control frequency, e.g. ``{"fake": 1.3}``.
    freq_axis : ndarray, shape (n_freq,)
        The Spectra's frequencies (Hz).
    sfreq : float
        Sampling rate (Hz); Nyquist is ``sfreq / 2``.
    tagged_hz : dict of str to float
        Every tagged frequency (the spectra's and the tested ones), for the messages.
    levels : list of str
        The tested levels (a control name may not repeat one).
    excluded : ndarray of int
        Bins at a tagged frequency or one of its harmonics (refused as controls).

    Returns
    -------
    names : list of str, shape (n_controls,)
    hz : ndarray of float, shape (n_controls,)
    bins : ndarray of int, shape (n_controls,)
        Indices on ``freq_axis``.
    """
    if control_hz is None:
        return [], np.zeros(0), np.zeros(0, int)
    check_type("control_hz", control_hz, Mapping, "a dict mapping a name to Hz, e.g. {'fake': 1.3}")
    if not control_hz:
        raise InvalidValueError(
            "Invalid value for 'control_hz': expected at least one control frequency, e.g. "
            "{'fake': 1.3}; got an empty dict. Pass None for no control family."
        )
    names, hz, bins = [], [], []
    tagged_list = ", ".join(f"{k}={v:g} Hz" for k, v in tagged_hz.items())
    for key, value in control_hz.items():
        name = f"control_hz ({key})"
        if str(key) in levels:
            raise InvalidValueError(
                f"Invalid value for 'control_hz': the name {str(key)!r} is also a tested level "
                f"({levels}). Name control frequencies differently, e.g. 'fake'."
            )
        f = check_float(name, value)
        if not 0 < f <= sfreq / 2 * (1 + 1e-9):
            raise InvalidValueError(
                f"Invalid value for {name!r}: {f} Hz is outside (0, {sfreq / 2}] Hz, the range up to "
                f"the Nyquist frequency of a {sfreq} Hz rate. Choose a frequency in that range."
            )
        i = bin_index(freq_axis, f, name=name)
        if i in set(np.asarray(excluded).tolist()):
            raise InvalidValueError(
                f"Invalid value for {name!r}: {f} Hz is a tagged frequency or one of their "
                f"harmonics ({tagged_list}); a control frequency must be untagged. Choose a bin "
                "between the tagged frequencies and their harmonics."
            )
        if i in bins:
            raise InvalidValueError(
                f"Invalid value for {name!r}: {f} Hz repeats another control frequency. Give each "
                "control frequency once."
            )
        names.append(str(key))
        hz.append(f)
        bins.append(i)
    return names, np.asarray(hz, dtype=float), np.asarray(bins, dtype=int)


def check_trial_tests(
    spectra, names: list[str], hz: np.ndarray, *, mode: str, control: str | None, specificity: str
) -> None:
    """Refuse control frequencies where the chosen tests need per-trial values the spectra lack.

    Paper mode's stage 2 and the ``"permutation"`` / ``"induced"`` specificity tests read
    ``trial_x``, which a Spectra keeps only at its tagged frequencies.

    Parameters
    ----------
    spectra : xarray.Dataset
        The Spectra.
    names : list of str
        The control frequencies' names (nothing is checked without any).
    hz : ndarray of float, shape (n_controls,)
        Their frequencies (Hz).
    mode : str
        The tagging mode.
    control : str or None
        The control condition (nothing is checked without one: no specificity test).
    specificity : str
        The specificity test of calibrated mode.
    """
    if not names or control is None:
        return
    if mode == "paper":
        test = "paper mode (its stage 2)"
    elif specificity in TRIAL_SPECIFICITY:
        test = f"specificity={specificity!r}"
    else:
        return
    have = spectra["tagged_freq"].values if "trial_x" in spectra else np.zeros(0)
    missing = [
        f"{n} ({f:g} Hz)"
        for n, f in zip(names, hz, strict=True)
        if not np.isclose(have, f, rtol=0, atol=1e-9).any()
    ]
    if missing:
        raise InvalidValueError(
            f"Invalid value for 'control_hz': {test} needs per-trial values, which the spectra "
            f"keep only at the tagged frequencies; none at {missing}. Use mode='calibrated' with "
            "mode_params={'specificity': 'evoked'} (an analytic test on the sums), or drop "
            "control_hz."
        )


def control_rates(result, q: float | None = None) -> dict[str, dict[str, float]]:
    """The two readings of the control family, per control frequency.

    Parameters
    ----------
    result : xarray.Dataset
        A :func:`hftp.find_tagged` result computed with ``control_hz``.
    q : float, optional
        The level for the raw rate. Default: the result's own ``q`` (its ``q`` attr), else 0.05.

    Returns
    -------
    dict
        ``{"p_below_q": {name: fraction}, "significant": {name: fraction}}``: the share of
        channels with ``control_p < q`` (about ``q`` under the null) and with
        ``control_significant`` (the false-tag rate after BH), averaged over every channel dim.
    """
    if f"{CONTROL_PREFIX}p" not in result:
        raise InvalidValueError(
            "Invalid value for 'result': it has no control family (no 'control_p'). Run "
            "find_tagged with control_hz={'fake': <Hz>}."
        )
    q = float(q if q is not None else result.attrs.get("q", 0.05))
    out = {}
    for key, da in (
        ("p_below_q", result[f"{CONTROL_PREFIX}p"] < q),
        ("significant", result[f"{CONTROL_PREFIX}significant"]),
    ):
        share = da.mean([d for d in da.dims if d != "control_level"])
        out[key] = {
            str(k): round(float(share.sel(control_level=k)), 4)
            for k in share["control_level"].values
        }
    return out
