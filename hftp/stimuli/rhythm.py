"""The category rhythm of stimulus streams: what a channel that knows only word categories sees.

A channel that responds to a unit's part of speech (an adjective detector, a verb detector)
oscillates at the sentence and phrase rates whenever each position of the sentence cycle holds a
predictable category, with no syntax at all. :func:`category_rhythm` measures, per condition,

- the share of each category at each position of the sentence cycle (flat: 1/L-independent, the
  same share at every position);
- the amplitude of each category's indicator sequence (1 where the unit has that category, else 0)
  at each tagged frequency (the sentence and phrase rates), in the units of an effect size: the
  amplitude of a sinusoid (a period-2 pattern at Nyquist) in indicator units.

With 4-unit [Adj N][V N] sentences the ``within-shuffle`` control has only two orders (V Adj N N
and N N Adj V), so adjectives and verbs keep a sentence-rate component about 0.7 of the
sentences'; ``uniform-shuffle`` (all 24 orders, dealt evenly) has none. Which control a contrast
used says which part of a category-driven response it removes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hftp._validation import InvalidTypeError

__all__ = ["category_rhythm"]

_TINY = 1e-9  # an amplitude below this is zero up to rounding (no relative amplitude to it)


def _cycle(stim) -> int:
    """Units per sentence cycle: sfreq over the sentence rate (else the slowest tagged rate)."""
    hz = stim.tagged_hz
    f = hz.get("sentence", min(hz.values()) if hz else stim.sfreq)
    return max(1, int(round(stim.sfreq / f)))


def _indicators(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
    """(n_seq, T) category labels of one condition's sequences (cut to the shortest) and the
    categories present."""
    frame = frame.sort_values(["sequence", "position"])
    seqs = [g[column].astype(str).to_numpy() for _, g in frame.groupby("sequence", sort=True)]
    n = min(len(x) for x in seqs)
    labels = np.stack([x[:n] for x in seqs])
    cats = sorted(c for c in pd.unique(labels.ravel()) if c and c != "nan")
    return labels, cats


def category_rhythm(stim, *, reference: str | None = "sentences", column: str = "pos"):
    """Per condition, each category's share at each position and its tagged-rate components.

    Parameters
    ----------
    stim : StimulusSet
        From :func:`hftp.make_stimuli` (its units need a part of speech: lexicon designs).
    reference : str or None
        The condition the amplitudes are compared with (``relative``). Default
        ``"sentences"``; None, or a condition not in ``stim``, leaves ``relative`` NaN.
    column : str
        The units' column holding the category. Default ``"pos"``.

    Returns
    -------
    pandas.DataFrame
        A tidy table, one row per (condition, category, quantity, position or level):

        - ``condition``, ``pos`` (the category);
        - ``quantity``: ``"share"`` (rows per position of the sentence cycle, ``position`` 0 …
          L - 1: the share of the units at that position that have the category, over every
          sequence) or ``"amplitude"`` (rows per tagged level, ``position`` -1);
        - ``level`` and ``hz`` (amplitude rows; ``""`` and NaN for shares);
        - ``value``: the share, or the amplitude of the trial-mean (evoked) Fourier component of
          the category's 0/1 indicator sequence at ``hz``, scaled as a sinusoid's amplitude
          (2|X̄|/T at a complex bin, |X̄|/T at Nyquist; a category filling every other unit has
          amplitude 0.5 at its rate);
        - ``relative``: ``value`` over the reference condition's for the same category and level
          (amplitude rows; NaN where the reference has no component).

        Conditions whose units carry no category (``natural``, ``custom``) give no rows.
        ``df.attrs`` holds ``cycle`` (L, units per sentence) and ``reference``.
    """
    from hftp.stimuli.stimulus_set import StimulusSet

    if not isinstance(stim, StimulusSet):
        raise InvalidTypeError(
            "Invalid type for 'stim': expected a StimulusSet (from hftp.make_stimuli); got "
            f"{type(stim).__name__}."
        )
    L = _cycle(stim)
    sfreq = stim.sfreq
    rows = []
    for cond in stim.conditions:
        labels, cats = _indicators(stim.units[stim.units["condition"] == cond], column)
        n_t = labels.shape[1]
        t = np.arange(n_t)
        for c in cats:
            x = (labels == c).astype(float)  # (n_seq, T)
            for p in range(L):
                rows.append((cond, c, "share", p, "", np.nan, float(x[:, p::L].mean())))
            for level, hz in stim.tagged_hz.items():
                coef = (x * np.exp(-2j * np.pi * hz * t / sfreq)).sum(axis=1).mean()
                nyquist = np.isclose(hz, sfreq / 2)
                amp = abs(coef) / n_t * (1.0 if nyquist else 2.0)
                rows.append((cond, c, "amplitude", -1, level, float(hz), float(amp)))
    cols = ["condition", "pos", "quantity", "position", "level", "hz", "value"]
    df = pd.DataFrame(rows, columns=cols)
    df["relative"] = np.nan
    if reference is not None and reference in set(df["condition"]):
        amp = df["quantity"] == "amplitude"
        ref = df[amp & (df["condition"] == reference)].set_index(["pos", "level"])["value"]
        keys = pd.MultiIndex.from_frame(df.loc[amp, ["pos", "level"]])
        base = ref.reindex(keys).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = base > _TINY
            df.loc[amp, "relative"] = np.where(
                ok, df.loc[amp, "value"] / np.where(ok, base, 1), np.nan
            )
    df.attrs = {"cycle": L, "reference": reference or ""}
    return df
