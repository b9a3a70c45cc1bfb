"""Stage 1: frequency-tagged stimulus streams.

- :mod:`hftp.stimuli.stimulus_set`: the :class:`StimulusSet` container, its files
  (:func:`save_stimuli`, :func:`load_stimuli`, :func:`to_events`) and its items;
- :mod:`hftp.stimuli.generation`: :func:`make_stimuli`;
- :mod:`hftp.stimuli.designs`: the design registry (sentences, controls, natural, custom) and the
  generation context the designs read;
- :mod:`hftp.stimuli.files`: the file formats (CSV + JSON sidecar, BIDS events.tsv) and folders
  of word streams (:func:`load_word_streams`);
- :mod:`hftp.stimuli.grammar`: the per-language lexicons and grammars;
- :mod:`hftp.stimuli.word_control`: a random-words control from the words of any conditions
  (:func:`random_words_from`: the lexical baseline for designs whose words are not the
  sentences');
- :mod:`hftp.stimuli.rhythm`: the category rhythm of each condition (:func:`category_rhythm`:
  what a channel that knows only parts of speech sees at the tagged rates).
"""

from hftp._deprecate import module_getattr
from hftp.stimuli.designs import DESIGNS, list_designs
from hftp.stimuli.files import EEG_PHRASES_STREAM_PREFIXES, UNIT_COLUMNS, load_word_streams
from hftp.stimuli.generation import make_stimuli
from hftp.stimuli.rhythm import category_rhythm
from hftp.stimuli.stimulus_set import (
    StimulusSet,
    by_item,
    item_id,
    load_stimuli,
    save_stimuli,
    to_events,
)
from hftp.stimuli.word_control import random_words_from

__all__ = [
    "StimulusSet",
    "UNIT_COLUMNS",
    "DESIGNS",
    "EEG_PHRASES_STREAM_PREFIXES",
    "make_stimuli",
    "list_designs",
    "save_stimuli",
    "load_stimuli",
    "to_events",
    "load_word_streams",
    "by_item",
    "item_id",
    "category_rhythm",
    "random_words_from",
]

# EEG_PHRASES_CONDITIONS is the condition → event-code table of hftp.datasets.eeg_phrases; the
# stream-file prefixes that shared its name here are EEG_PHRASES_STREAM_PREFIXES
__getattr__ = module_getattr(
    __name__,
    {"EEG_PHRASES_CONDITIONS": ("hftp.stimuli.files", "EEG_PHRASES_STREAM_PREFIXES")},
)
