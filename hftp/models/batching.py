"""Sequences → batches for the model: grouped by condition, cut into batches, encoded ahead.

:func:`sequences_by_condition` groups a StimulusSet's sequences (checking that a condition's
sequences share one length), :func:`iter_batches` cuts them into batches of one condition, and
:func:`prefetched` encodes batch k + 1 in a worker thread while batch k runs through the model.
"""

from __future__ import annotations

from hftp._validation import InvalidValueError

__all__ = ["sequences_by_condition", "iter_batches", "prefetched"]


def sequences_by_condition(stim) -> dict[str, list[tuple[int, list[str]]]]:
    """condition → ``[(sequence id, units), ...]``; every sequence of a condition has one length."""
    groups: dict[str, list[tuple[int, list[str]]]] = {}
    for seq, cond, units in stim.sequences():
        groups.setdefault(cond, []).append((seq, units))
    for cond, seqs in groups.items():
        lengths = sorted({len(u) for _, u in seqs})
        if len(lengths) > 1:
            raise InvalidValueError(
                f"Invalid value for 'stim': the sequences of condition {cond!r} have different "
                f"lengths {lengths} (units). Every sequence of a condition must have the same "
                "length so that their spectra share one frequency axis."
            )
    return groups


def prefetched(jobs, encode_batch):
    """``(cond, seqs, encode_batch(seqs))`` for each job, the next one encoded ahead.

    Tokenization and the pooling matrix of batch k + 1 are built in one worker thread while batch
    k runs through the model (torch releases the GIL), so they add little to the probe's time.
    """
    from concurrent.futures import ThreadPoolExecutor

    jobs = list(jobs)
    if len(jobs) <= 1:  # nothing to overlap with
        for cond, seqs in jobs:
            yield cond, seqs, encode_batch(seqs)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hftp-encode") as pool:
        ahead = pool.submit(encode_batch, jobs[0][1])
        for k, (cond, seqs) in enumerate(jobs):
            batch = ahead.result()
            if k + 1 < len(jobs):
                ahead = pool.submit(encode_batch, jobs[k + 1][1])
            yield cond, seqs, batch


def iter_batches(groups, batch_size):
    """``(condition, seqs)`` batches of at most ``batch_size`` sequences, condition by condition."""
    for cond, seqs in groups.items():
        for k in range(0, len(seqs), batch_size):
            yield cond, seqs[k : k + batch_size]
