"""Named condition contrasts: which condition is tested against which control, at which levels.

``"phrases-vs-category-alternation"`` is the ANAN-vs-AVAV logic of the EEG study: in both
conditions the word category alternates at the phrase rate, but only ``np-phrases`` forms phrases
(``category-alternation`` repeats the part of speech every 2 units without forming phrases). A
channel specific to it at the phrase rate follows phrases beyond category rhythm.
:data:`CONTRASTS` registers them by name and :func:`get_contrast` looks one up. Designs:
``hftp.make_stimuli(..., design=["phrases", "category-alternation"])`` for the model; the same
condition names for brain recordings. ``"sentences-vs-within-shuffle"`` is the main contrast.
"""

from __future__ import annotations

from typing import NamedTuple

from hftp._validation import check_option

__all__ = ["Contrast", "CONTRASTS", "get_contrast"]


class Contrast(NamedTuple):
    """A named contrast for :func:`hftp.find_tagged` (``condition``, ``control``, ``levels``).

    Parameters
    ----------
    condition, control : str
        The tested condition and its control.
    levels : tuple of str
        The levels to test.
    designs : tuple of str
        The :func:`hftp.make_stimuli` designs that make both conditions.
    description : str
        What the contrast isolates.
    """

    condition: str
    control: str
    levels: tuple[str, ...]
    designs: tuple[str, ...]
    description: str


CONTRASTS: dict[str, Contrast] = {
    "sentences-vs-within-shuffle": Contrast(
        "sentences",
        "within-shuffle",
        ("sentence", "phrase"),
        ("sentences", "within-shuffle"),
        "structure against the same words with the structure destroyed",
    ),
    "phrases-vs-category-alternation": Contrast(
        "np-phrases",
        "category-alternation",
        ("phrase",),
        ("phrases", "category-alternation"),
        "phrases against the same category alternation without phrases (ANAN vs AVAV)",
    ),
}


def get_contrast(name: str) -> Contrast:
    """The contrast ``name`` (a key of ``CONTRASTS``), checked.

    Parameters
    ----------
    name : str
        A key of ``CONTRASTS``.

    Returns
    -------
    contrast : Contrast
        Its ``condition``, ``control`` and ``levels`` are find_tagged's arguments.
    """
    check_option("contrast", name, CONTRASTS)
    return CONTRASTS[name]
