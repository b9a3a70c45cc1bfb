"""The untrained baseline: the same architecture and tokenizer, freshly initialised weights.

Whatever an untrained model "tags" comes from the stimuli's lexical regularities and the
architecture, not from learning; every layer profile is read against it.
"""

from __future__ import annotations

__all__ = ["untrained"]


def untrained(model, seed: int = 0):
    """Return a copy of ``model``'s architecture with freshly initialised (random) weights.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        A loaded model; only its ``config`` and device are used.
    seed : int
        Seed of the initialisation. The caller's global torch RNG is left untouched.

    Returns
    -------
    transformers.PreTrainedModel
        In eval mode, on ``model``'s device.
    """
    import torch

    from hftp.models.load import input_device

    with torch.random.fork_rng(devices=[]):  # leave the caller's global RNG untouched
        torch.manual_seed(seed)
        fresh = type(model)._from_config(model.config)  # the same class (also encoders)
    fresh.eval()
    fresh.to(input_device(model))
    if getattr(model, "hftp_name", None):
        fresh.hftp_name = f"{model.hftp_name} (untrained, seed {seed})"
    return fresh
