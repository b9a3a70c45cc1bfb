"""Stage 1: frequency-tagged stimulus streams.

:mod:`hftp.stimuli.core` builds and exports a :class:`StimulusSet`; :mod:`hftp.stimuli.designs`
holds the design registry (sentences, controls, natural, custom); :mod:`hftp.stimuli.grammar` reads
the per-language lexicons and grammars.
"""

from hftp.stimuli.core import (
    DESIGNS,
    EEG_PHRASES_CONDITIONS,
    UNIT_COLUMNS,
    StimulusSet,
    by_item,
    item_id,
    list_designs,
    load_stimuli,
    load_word_streams,
    make_stimuli,
    save_stimuli,
    to_events,
)

__all__ = [
    "StimulusSet",
    "UNIT_COLUMNS",
    "DESIGNS",
    "EEG_PHRASES_CONDITIONS",
    "make_stimuli",
    "list_designs",
    "save_stimuli",
    "load_stimuli",
    "to_events",
    "load_word_streams",
    "by_item",
    "item_id",
]
