"""make_stimuli: argument checks, reproducibility, rates on exact bins, designs combined in one
set, the memory estimate, and the renamed keyword ``unit_rate_hz``."""

from __future__ import annotations

import pandas as pd
import pytest

from hftp import _deprecate
from hftp.stimuli.generation import check_stimulus_size, make_stimuli

pytestmark = pytest.mark.filterwarnings("ignore:The phrase rate")


def test_nyquist_warning_for_two_unit_phrases(small):
    with pytest.warns(UserWarning, match="Nyquist"):
        small(n_sequences=1)


def test_same_seed_same_output_different_seed_different_order(small, seq_frames):
    a = small(design=["sentences", "phrases"], seed=3)
    b = small(design=["sentences", "phrases"], seed=3)
    c = small(design=["sentences", "phrases"], seed=4)
    pd.testing.assert_frame_equal(a.units, b.units)
    assert a.meta == b.meta
    assert not a.units["unit"].equals(c.units["unit"])
    # the sentence orders differ between sequences of one set
    seqs = [tuple(df["sentence"]) for df in seq_frames(a, "sentences")]
    assert len(set(seqs)) == len(seqs)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"language": "eng"}, ValueError, r"'language'.*Did you mean 'en'"),
        ({"design": "sentence"}, ValueError, r"'design'.*Did you mean 'sentences'"),
        ({"design": ["sentences", "randomwords"]}, ValueError, r"Did you mean 'random-words'"),
        ({"design": []}, ValueError, r"'design'.*at least one"),
        ({"n_sequences": 0}, ValueError, r"'n_sequences'.*>= 1"),
        ({"n_sequences": 2.5}, TypeError, r"'n_sequences'.*integer"),
        ({"seed": -1}, ValueError, r"'seed'"),
        ({"structure": "4x4"}, ValueError, r"'structure'.*'2x2'"),
        ({"language": "zh", "structure": "3x2"}, ValueError, r"'structure'"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    args = {"language": "en", "n_sequences": 2, **kwargs}
    with pytest.raises(exc, match=match):
        make_stimuli(**args)


def test_conflicting_rates_between_designs(tmp_path, small, corpus):
    p = corpus(["a b c d e f g h"] * 3)
    with pytest.raises(ValueError, match=r"'design'.*'sentence' at different rates"):
        small(design=["sentences", "natural"], corpus=p, n_sentences=3)


def test_tagged_rate_off_bin_names_lengths_that_work(small):
    with pytest.raises(
        ValueError, match=r"'tagged_hz\[sentence\]'.*not on an exact FFT bin.*\[4, 8"
    ):
        small(design="custom", streams=[list("abcdefghij")], tagged_hz={"sentence": 1.0})


def test_absurd_n_sequences_refused_with_estimate():
    with pytest.raises(ValueError, match=r"'n_sequences'.*about .*(GiB|bytes).*fewer sequences"):
        make_stimuli("en", n_sequences=99999999999999999999)


def test_estimate_grows_with_size():
    assert check_stimulus_size(2, 100, 50) < check_stimulus_size(2, 1000, 50)
    assert check_stimulus_size(1, 1, 1) > 0


def test_sfreq_sets_the_unit_rate_and_the_old_keyword_still_works(monkeypatch):
    monkeypatch.setattr(_deprecate, "_WARNED", set())  # warn-once state
    stim = make_stimuli("en", n_sequences=1, n_sentences=4, sfreq=8.0)
    assert stim.sfreq == 8.0 and stim.tagged_hz == {"sentence": 2.0, "phrase": 4.0}
    with pytest.warns(FutureWarning, match=r"unit_rate_hz=.*sfreq="):
        old = make_stimuli("en", n_sequences=1, n_sentences=4, unit_rate_hz=8.0)
    pd.testing.assert_frame_equal(old.units, stim.units)
    assert old.meta["unit_rate_hz"] == 8.0  # the file schema keeps its key
    with pytest.raises(TypeError, match="both"):
        make_stimuli("en", n_sequences=1, sfreq=4.0, unit_rate_hz=4.0)
    with pytest.raises(ValueError, match="'sfreq'"):
        make_stimuli("en", n_sequences=1, sfreq=-4.0)
