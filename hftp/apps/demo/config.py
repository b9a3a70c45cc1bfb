"""The demo's parameters: :class:`DemoConfig` (recorded in ``summary.json`` and the methods
paragraph, and compared when a run resumes)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from hftp._validation import check_int

__all__ = ["DemoConfig"]


@dataclass
class DemoConfig:
    """Parameters of the demo run (all recorded in ``summary.json`` and the methods paragraph).

    Attributes
    ----------
    quick : bool
        Fewer sequences, for a run of a few minutes on 2 CPU cores.
    n_sequences : int
        Sequences per condition. Default 100 (paper), 16 with ``quick``.
    n_sentences : int or None
        Sentences per sequence; ``None`` (default) is :func:`~hftp.stimuli.make_stimuli`'s 50,
        i.e. 200 units. Fewer give a coarser frequency axis and a shorter run.
    layers : list of int or None
        Layers recorded; ``None`` records all.
    q : float
        FDR level.
    seed : int
        Seed of every random step.
    model : str or None
        Model name or path; ``None`` is the offline default model.
    eeg_dir : path or None
        The real EEG data set (eeg-phrases); ``None`` looks in ``$HFTP_EEG_PHRASES`` and
        ``../shared/data/eeg-phrases``, then hftp's data cache; skipped when absent.
    batch_size : int
        Sequences per forward pass.
    n_permutations_paper : int
        Permutations of the paper-mode tagging test.
    extras : dict
        Free-form settings recorded with the run.
    """

    quick: bool = False
    n_sequences: int | None = None
    n_sentences: int | None = None
    layers: list[int] | None = None
    q: float = 0.05
    seed: int = 0
    model: str | None = None
    batch_size: int = 8
    eeg_dir: str | os.PathLike | None = None
    n_permutations_paper: int = 1000
    extras: dict[str, Any] = field(default_factory=dict)

    def resolved_n_sequences(self) -> int:
        """The sequences per condition this run uses (``n_sequences``, else by ``quick``)."""
        if self.n_sequences is not None:
            return check_int("n_sequences", self.n_sequences, min_value=2)
        return 16 if self.quick else 100

    def stimulus_kwargs(self) -> dict[str, int]:
        """``n_sentences`` for make_stimuli when set (checked), else nothing."""
        if self.n_sentences is None:
            return {}
        return {"n_sentences": check_int("n_sentences", self.n_sentences, min_value=4)}
