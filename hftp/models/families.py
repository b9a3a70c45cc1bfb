"""Where the MLP neurons of each model family live: the registry and the module lookup.

A neuron is one coordinate of the input to an MLP's down-projection: ``act(fc(x))``, or
``act(gate(x)) * up(x)`` in gated MLPs. :data:`FAMILIES` maps a model family
(``model.config.model_type``) to the module-path pattern of that down-projection, with ``{i}`` for
the layer index; :func:`register_family` adds a family, and :func:`resolve_site` finds the module
of every layer of a loaded model (the hooks of :mod:`hftp.models.hooks` go on them). An unknown
family is an error that says how to pass the module path by hand.
"""

from __future__ import annotations

import difflib
import logging
import re
import warnings
from typing import Any

from hftp._validation import InvalidValueError, check_type
from hftp.models.wrappers import module_paths, unwrap_model

__all__ = ["FAMILIES", "register_family", "resolve_site"]

logger = logging.getLogger("hftp")


_DOWN_PROJ = "layers.{i}.mlp.down_proj"

#: model_type -> pattern of the module whose *input* is the MLP neuron vector ({i} = layer index).
#: A pattern matches a module path that ends with it, at a dot boundary.
FAMILIES: dict[str, str] = {
    "gpt2": "h.{i}.mlp.c_proj",
    "llama": _DOWN_PROJ,
    "mistral": _DOWN_PROJ,
    "qwen2": _DOWN_PROJ,
    "qwen3": _DOWN_PROJ,
    "gemma": _DOWN_PROJ,
    "gemma2": _DOWN_PROJ,
    "gemma3": "language_model.layers.{i}.mlp.down_proj",
    "gemma3_text": _DOWN_PROJ,
    "olmo": _DOWN_PROJ,
    "olmo2": _DOWN_PROJ,
    "phi3": _DOWN_PROJ,
    "glm": _DOWN_PROJ,
    "glm4": _DOWN_PROJ,
    "gpt_neox": "layers.{i}.mlp.dense_4h_to_h",
    "opt": "layers.{i}.fc2",
    # BertOutput.dense is fed by BertIntermediate (dense + activation); not attention.output.dense
    "bert": "layer.{i}.output.dense",
}


# --------------------------------------------------------------------------------- registry


def register_family(model_type: str, pattern: str, *, overwrite: bool = False) -> None:
    """Register the neuron site of a model family.

    Parameters
    ----------
    model_type : str
        The value of ``model.config.model_type``, e.g. ``"falcon"``.
    pattern : str
        Module path of the MLP down-projection with ``{i}`` for the layer index, e.g.
        ``"h.{i}.mlp.dense_4h_to_h"``. It matches any module path that ends with it.
    overwrite : bool
        Replace an existing entry. Default False.

    Examples
    --------
    >>> import hftp
    >>> hftp.register_family("my-arch", "blocks.{i}.mlp.out_proj", overwrite=True)
    >>> hftp.models.FAMILIES["my-arch"]
    'blocks.{i}.mlp.out_proj'

    A model whose ``config.model_type`` is ``"my-arch"`` is now probed at the input of
    ``blocks.<layer>.mlp.out_proj``; for a single call, ``hftp.probe(..., site=...)`` does the same.
    """
    check_type("model_type", model_type, str, "a string (model.config.model_type)")
    _check_pattern(pattern)
    if model_type in FAMILIES and not overwrite and FAMILIES[model_type] != pattern:
        raise InvalidValueError(
            f"Invalid value for 'model_type': {model_type!r} is already registered with "
            f"{FAMILIES[model_type]!r}. Pass overwrite=True to replace it."
        )
    FAMILIES[model_type] = pattern


def _check_pattern(pattern: Any, name: str = "pattern") -> str:
    check_type(name, pattern, str, "a module path with '{i}' for the layer index")
    if pattern.count("{i}") != 1:
        raise InvalidValueError(
            f"Invalid value for {name!r}: expected a module path with exactly one '{{i}}' for the "
            f"layer index, e.g. 'model.layers.{{i}}.mlp.down_proj'; got {pattern!r}."
        )
    return pattern


def _pattern_regex(pattern: str) -> re.Pattern:
    body = re.escape(pattern).replace(re.escape("{i}"), r"(\d+)")
    return re.compile(rf"(?:^|\.){body}$")


def _generic_names(model) -> list[str]:
    """Module paths with every integer component replaced by ``{i}`` (for did-you-mean)."""
    seen: dict[str, None] = {}
    for name, _ in module_paths(model):
        if name:
            seen[re.sub(r"(?<=\.)\d+(?=\.|$)|^\d+(?=\.)", "{i}", name)] = None
    return list(seen)


def resolve_site(model, site: str | None = None) -> tuple[str, dict[int, Any]]:
    """Find the neuron modules of every layer.

    Parameters
    ----------
    model : torch.nn.Module
        A Hugging Face model.
    site : str, optional
        Module-path pattern with ``{i}`` for the layer index (the module whose input is the neuron
        vector). Default: from :data:`FAMILIES` by ``model.config.model_type``.

    Returns
    -------
    site : str
        The full module path pattern that matched, e.g. ``"model.layers.{i}.mlp.down_proj"``.
    modules : dict of int to torch.nn.Module
        Layer index (0-based, contiguous) -> module.
    """
    model = unwrap_model(model)[0]  # a TransformerLens bridge or an nnsight model: the one inside
    given = site
    if site is None:
        model_type = getattr(getattr(model, "config", None), "model_type", None)
        if model_type not in FAMILIES:
            known = ", ".join(sorted(FAMILIES))
            raise InvalidValueError(
                f"Unknown model family {model_type!r} (model.config.model_type): hftp does not know "
                "where its MLP neurons live. Pass site= with the module path of the MLP "
                "down-projection and '{i}' for the layer index, e.g. "
                "site='model.layers.{i}.mlp.down_proj', or call "
                f"hftp.register_family({model_type!r}, pattern). Known families: {known}."
            )
        site = FAMILIES[model_type]
    _check_pattern(site, "site")
    rx = _pattern_regex(site)
    found: dict[int, list[tuple[str, Any]]] = {}
    for name, mod in module_paths(model):  # a bridged model's paths read as the original's
        m = rx.search(name)
        if m:
            found.setdefault(int(m.group(1)), []).append((name, mod, m))
    if not found:
        close = difflib.get_close_matches(site, _generic_names(model), n=3, cutoff=0.4)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise InvalidValueError(
            f"Invalid value for 'site': the pattern {site!r} matches no module of this "
            f"{type(model).__name__}.{hint} List the modules with "
            "[n for n, _ in model.named_modules()]."
        )
    multi = {i: [n for n, _, _ in v] for i, v in found.items() if len(v) > 1}
    if multi:
        i, names = next(iter(multi.items()))
        raise InvalidValueError(
            f"Invalid value for 'site': the pattern {site!r} is ambiguous; layer {i} matches "
            f"{names}. Give a longer path, e.g. {names[0].replace(f'.{i}.', '.{i}.', 1)!r}."
        )
    idx = sorted(found)
    if idx != list(range(len(idx))):
        raise InvalidValueError(
            f"Invalid value for 'site': the pattern {site!r} matches layers {idx}, which are not "
            "0, 1, 2, ... Check the pattern."
        )
    name0, _, m0 = found[0][0]
    full = name0[: m0.start(1)] + "{i}" + name0[m0.end(1) :]
    modules = {i: found[i][0][1] for i in idx}
    _warn_site_width(model, given, full, modules)
    return full, modules


def _warn_site_width(model, given: str | None, site: str, modules) -> None:
    """Warn when a user ``site`` takes an input that is not the MLP width (e.g. attention)."""
    if given is None:
        return
    cfg = getattr(model, "config", None)
    expected = getattr(cfg, "intermediate_size", None) or getattr(cfg, "n_inner", None)
    if expected is None and getattr(cfg, "hidden_size", None):
        expected = 4 * cfg.hidden_size  # GPT-2 style: n_inner=None means 4 x hidden
    mod = next(iter(modules.values()))
    width = getattr(mod, "in_features", None)
    if width is None and hasattr(mod, "weight") and getattr(mod.weight, "ndim", 0) == 2:
        width = int(mod.weight.shape[0])  # GPT-2 Conv1D stores (in, out)
    if expected and width and int(width) != int(expected):
        warnings.warn(
            f"site={site!r}: the module's input has width {width}, not the MLP width {expected} "
            "(config.intermediate_size), so its 'neurons' are not MLP neurons (an attention "
            "projection?). Use the MLP down-projection, e.g. site='model.layers.{i}.mlp.down_proj'.",
            UserWarning,
            stacklevel=3,
        )
