"""Forward pre-hooks on a model's neuron modules: the only module in hftp that registers hooks.

A neuron is one coordinate of the input to an MLP's down-projection (:mod:`hftp.models.families`
finds that module in each layer). :func:`pre_hooks` registers one forward pre-hook per layer
module and removes them all when its block ends, also after an exception, so a model is never
left modified; the capture here and the ablation of :mod:`hftp.models.ablation` both go through
it. :func:`capture` stores (or transforms) each recorded layer's input; nothing is recomputed
from weights. With ``stop=True`` the hook on the last recorded layer raises
:class:`StopForward`, and :func:`forward_batch` runs the model and swallows it, so the rest of
the stack and the LM head are never run. :func:`eval_mode` runs a model in eval mode (no dropout)
for the probe, the ablation and the loss, and gives the caller's modes back afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from hftp.models.load import input_device

__all__ = ["StopForward", "capture", "eval_mode", "pre_hooks", "forward_batch"]


class StopForward(Exception):
    """Raised by the last needed capture hook to end the forward pass early.

    :func:`forward_batch` swallows it; code that runs a model itself under
    ``capture(..., stop=True)`` catches it (``contextlib.suppress(StopForward)``).
    """


@contextlib.contextmanager
def eval_mode(model) -> Iterator[Any]:
    """Run ``model`` in eval mode inside the block; restore every submodule's mode on exit.

    A model left in train mode (e.g. after fine-tuning) would run its dropout, and two probes of
    the same stimuli would differ. hftp's forward passes are measurements, so they run in eval
    mode whatever mode the caller left the model in, and leave that mode as it was, also after
    an exception.

    Parameters
    ----------
    model : torch.nn.Module
        The model (a wrapper with a ``_model`` module, as nnsight's, works too; anything else is
        left alone).

    Yields
    ------
    model
        The same object, in eval mode.
    """
    import torch

    module = model if isinstance(model, torch.nn.Module) else getattr(model, "_model", None)
    if not isinstance(module, torch.nn.Module):
        yield model
        return
    modes = [(m, m.training) for m in module.modules()]
    if any(training for _, training in modes):
        module.eval()
    try:
        yield model
    finally:
        for m, training in modes:
            m.training = training


@contextlib.contextmanager
def pre_hooks(modules: dict[int, Any], make_hook: Callable[[int], Callable]) -> Iterator[None]:
    """Register ``make_hook(i)`` as a forward pre-hook on each ``modules[i]``; remove them on exit.

    Parameters
    ----------
    modules : dict of int to torch.nn.Module
        Layer index -> the module to hook (e.g. from :func:`hftp.models.resolve_site`).
    make_hook : callable
        ``make_hook(i)`` returns layer ``i``'s hook ``hook(module, args)``. A hook that returns a
        tuple replaces the module's positional inputs (``args[0]`` has shape (B, T, N)).

    Yields
    ------
    None
        The hooks are in place inside the block and removed when it ends, also after an
        exception (tested), so a model is never left modified.
    """
    handles = []
    try:
        for i, mod in modules.items():
            handles.append(mod.register_forward_pre_hook(make_hook(i)))
        yield
    finally:
        for h in handles:
            h.remove()


@contextlib.contextmanager
def capture(
    modules: dict[int, Any],
    layers: Sequence[int],
    *,
    stop: bool = True,
    transform: Callable | None = None,
) -> Iterator[dict]:
    """Hook the input of ``modules[i]`` for each layer in ``layers``.

    Parameters
    ----------
    modules : dict of int to torch.nn.Module
        From :func:`hftp.models.resolve_site`.
    layers : list of int
        The layers to record (keys of ``modules``).
    stop : bool
        Raise :class:`StopForward` from the last layer's hook to end the forward pass; run the
        model through :func:`forward_batch`, which swallows it. Default True.
    transform : callable, optional
        ``transform(i, x)`` is applied to layer ``i``'s captured input inside the hook (e.g.
        token → unit pooling), so that only its result is kept.

    Yields
    ------
    store : dict of int to torch.Tensor
        Filled on each forward pass: layer -> input of the module, shape (B, T, N) (or what
        ``transform`` returns). Every hook is removed on exit, also after an exception.
    """
    store: dict[int, Any] = {}
    last = max(layers)

    def make_hook(i: int):
        def hook(_module, args):
            x = args[0].detach()
            store[i] = x if transform is None else transform(i, x)
            if stop and i == last:
                raise StopForward

        return hook

    with pre_hooks({i: modules[i] for i in layers}, make_hook):
        yield store


def forward_batch(model, batch, store: dict, *, use_cache: bool) -> None:
    """Run one encoded batch through ``model`` inside :func:`capture`, until its hooks stop it.

    Parameters
    ----------
    model : torch.nn.Module
        The hooked model.
    batch : hftp.models.pooling.Batch
        ``input_ids`` and ``attention_mask``, each shape (B, T); moved to the model's input
        device here.
    store : dict of int to torch.Tensor
        The dict yielded by :func:`capture`: cleared first, then filled by the hooks. Captured
        inputs that a model flattened to (B * T, N) (OPT) are reshaped to (B, T, N).
    use_cache : bool
        The model's forward takes ``use_cache`` (it is then passed as False).
    """
    import torch

    store.clear()
    dev = input_device(model)
    # without blocking: a plain copy to a GPU waits for the device to finish its queued work
    # (pinned inputs, as the batch driver makes on CUDA, then go up asynchronously)
    kw = {
        "input_ids": batch.input_ids.to(dev, non_blocking=True),
        "attention_mask": batch.attention_mask.to(dev, non_blocking=True),
    }
    if use_cache:
        kw["use_cache"] = False
    with contextlib.suppress(StopForward), torch.inference_mode():
        model(**kw)
    n_seq, n_tok = batch.input_ids.shape
    for i, t in store.items():  # some models (OPT) flatten (B, T) before the MLP
        if t.ndim == 2:
            store[i] = t.reshape(n_seq, n_tok, t.shape[-1])
