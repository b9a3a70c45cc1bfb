"""Models held by the field's interpretability tools: TransformerLens bridges and nnsight models.

An interpretability researcher often holds a model inside a tool: a TransformerLens 4
``TransformerBridge`` or an nnsight ``LanguageModel`` (``TransformersModel``). Both wrap a
Hugging Face model, and hftp reads the same MLP neurons as in the model they wrap: the input of
each layer's down-projection, found by :data:`hftp.models.families.FAMILIES` from the wrapped
model's ``model_type``. :data:`WRAPPERS` is the registry of such tools (name →
:class:`Wrapper`); :func:`unwrap_model` is called by every public model reader (``probe``,
``extract_activations``, ``iter_activations``, ``record_tokens``, ``ablate``,
``next_unit_loss``) and returns the torch module to run and hook, the tool's tokenizer and its
BOS default:

- ``transformer_lens``: the bridge's ``original_model`` runs the forward pass, with the bridge's
  components inside it (so hooks a user put on the bridge still fire; the activations equal
  ``bridge(...)``'s). A bridge puts each original module under an ``_original_component`` path
  segment; :func:`module_paths` leaves those segments out, so a bridged Llama's neurons are at
  ``model.layers.{i}.mlp.down_proj`` as in Hugging Face (TransformerLens calls the same vector
  ``blocks.{i}.mlp.hook_post``). Tokenizer: ``bridge.tokenizer``; BOS: ``add_bos=None`` follows
  ``bridge.cfg.default_prepend_bos``, as ``bridge.to_tokens`` does.
- ``nnsight``: the model's ``_module`` (the Hugging Face model; nnsight's interventions run only
  inside a ``trace``, so a plain forward pass is the model's own). Tokenizer: the wrapper's.

Neither package is imported here: a wrapper is recognised by the modules of its classes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from hftp._validation import InvalidTypeError, InvalidValueError, check_type

__all__ = [
    "Wrapper",
    "Unwrapped",
    "WRAPPERS",
    "register_wrapper",
    "wrapper_name",
    "unwrap_model",
    "module_paths",
]


class Unwrapped(NamedTuple):
    """What hftp needs from a wrapped model.

    ``model`` is the torch module that runs the forward pass and holds the neuron modules;
    ``tokenizer`` the tool's tokenizer (None when it has none); ``add_bos`` the tool's BOS default
    (None: the tokenizer's own setting).
    """

    model: Any
    tokenizer: Any
    add_bos: bool | None


class Wrapper(NamedTuple):
    """An interpretability tool that holds a model.

    ``detect(obj)`` says whether ``obj`` is one of its models (without importing the tool);
    ``unwrap(obj)`` returns an :class:`Unwrapped`; ``hidden`` lists the path segments the tool
    adds to module paths, left out by :func:`module_paths`.
    """

    detect: Callable[[Any], bool]
    unwrap: Callable[[Any], Unwrapped]
    hidden: tuple[str, ...] = ()


def _classes_from(obj: Any, package: str) -> list[type]:
    return [c for c in type(obj).__mro__ if c.__module__.split(".")[0] == package]


def _is_bridge(obj: Any) -> bool:
    return any(c.__name__ == "TransformerBridge" for c in _classes_from(obj, "transformer_lens"))


def _unwrap_bridge(bridge: Any) -> Unwrapped:
    try:
        model = bridge.original_model
    except AttributeError:
        raise InvalidTypeError(
            "Invalid type for 'model': this TransformerBridge holds no local torch model (a "
            "vLLM or remote bridge). Boot it with TransformerBridge.boot_transformers(...)."
        ) from None
    prepend = getattr(getattr(bridge, "cfg", None), "default_prepend_bos", None)
    return Unwrapped(model, getattr(bridge, "tokenizer", None), prepend)


def _is_nnsight(obj: Any) -> bool:
    return bool(_classes_from(obj, "nnsight")) and _torch_module(obj) is not None


def _torch_module(obj: Any) -> Any:
    import torch

    inner = getattr(obj, "_module", None)
    return inner if isinstance(inner, torch.nn.Module) else None


def _unwrap_nnsight(lm: Any) -> Unwrapped:
    return Unwrapped(_torch_module(lm), getattr(lm, "tokenizer", None), None)


#: tool name → :class:`Wrapper`; :func:`unwrap_model` tries them in this order.
WRAPPERS: dict[str, Wrapper] = {
    "transformer_lens": Wrapper(_is_bridge, _unwrap_bridge, hidden=("_original_component",)),
    "nnsight": Wrapper(_is_nnsight, _unwrap_nnsight),
}


def register_wrapper(
    name: str,
    detect: Callable[[Any], bool],
    unwrap: Callable[[Any], Unwrapped],
    *,
    hidden: tuple[str, ...] = (),
    overwrite: bool = False,
) -> None:
    """Register another tool that holds models.

    Parameters
    ----------
    name : str
        The tool's name, e.g. ``"pyvene"``.
    detect : callable
        ``detect(obj) -> bool``: whether ``obj`` is one of its models.
    unwrap : callable
        ``unwrap(obj) -> Unwrapped``: the torch module to run and hook, the tokenizer and the BOS
        default (:class:`Unwrapped`).
    hidden : tuple of str
        Path segments the tool adds to module paths (left out when matching sites).
    overwrite : bool
        Replace an existing entry. Default False.
    """
    check_type("name", name, str, "a string naming the tool")
    for arg, value in (("detect", detect), ("unwrap", unwrap)):
        if not callable(value):
            raise InvalidTypeError(
                f"Invalid type for {arg!r}: expected a function; got {type(value).__name__}."
            )
    if name in WRAPPERS and not overwrite:
        raise InvalidValueError(
            f"Invalid value for 'name': {name!r} is already registered. Pass overwrite=True to "
            "replace it."
        )
    WRAPPERS[name] = Wrapper(detect, unwrap, tuple(hidden))


def wrapper_name(model: Any) -> str | None:
    """The name of the tool that holds ``model`` (a key of :data:`WRAPPERS`), or None.

    Parameters
    ----------
    model : object
        A model, wrapped or not.

    Returns
    -------
    str or None
        E.g. ``"transformer_lens"``; None for a plain torch model.
    """
    return next((n for n, w in WRAPPERS.items() if w.detect(model)), None)


def unwrap_model(model: Any, tokenizer: Any = None, add_bos: bool | None = None):
    """The torch model, tokenizer and BOS setting to probe, from a model that a tool may hold.

    Parameters
    ----------
    model : torch.nn.Module, transformer_lens TransformerBridge or nnsight LanguageModel
        A plain model passes through unchanged.
    tokenizer : transformers.PreTrainedTokenizerFast, optional
        Given: used as is. None: the tool's own tokenizer.
    add_bos : bool, optional
        Given: used as is. None: the tool's BOS default (a bridge's
        ``cfg.default_prepend_bos``), else None (the tokenizer's own setting).

    Returns
    -------
    model : torch.nn.Module
        The module to run and hook.
    tokenizer : object or None
    add_bos : bool or None
    """
    name = wrapper_name(model)
    if name is None:
        return model, tokenizer, add_bos
    inner = WRAPPERS[name].unwrap(model)
    return (
        inner.model,
        inner.tokenizer if tokenizer is None else tokenizer,
        inner.add_bos if add_bos is None else add_bos,
    )


def module_paths(model: Any) -> Iterator[tuple[str, Any]]:
    """``model.named_modules()`` without the path segments that tools add.

    Parameters
    ----------
    model : torch.nn.Module
        A model, possibly with a tool's components inside (a bridged model).

    Yields
    ------
    path : str
        The module's path with every hidden segment (:attr:`Wrapper.hidden`, e.g. a bridge's
        ``_original_component``) left out; a module whose own name is hidden is skipped (its
        wrapper stands for it under the same path).
    module : torch.nn.Module
    """
    hidden = {seg for w in WRAPPERS.values() for seg in w.hidden}
    for name, mod in model.named_modules():
        parts = name.split(".") if name else []
        if parts and parts[-1] in hidden:
            continue
        yield ".".join(p for p in parts if p not in hidden), mod
