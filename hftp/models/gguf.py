"""GGUF files, converted once: a dequantized Hugging Face copy in hftp's cache.

Reading a ``.gguf`` through transformers dequantizes every tensor, which takes minutes for a
270M-parameter model on a CPU. :func:`gguf_folder` does it once per file and keeps a plain
Hugging Face folder under ``cache_dir()/models/<stem>-<size>-<hash>``, keyed by the file's
identity: its size and a SHA-256 of its header (the first :data:`HEADER_BYTES` bytes, which hold
the metadata and the tensor table). A file lock makes a second process wait for the first
conversion instead of repeating it. The quantization metadata (``quantization_config``,
``is_quantized``) is dropped, since the saved weights are plain floats.

A finished folder holds :data:`MARKER`, written last, listing each file's size; a folder without
it, or with a file of another size, is reported with its path and how to clear it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
from pathlib import Path

from hftp._validation import HftpError, InvalidValueError
from hftp.io import atomic_dir

__all__ = ["gguf_folder", "gguf_key", "HEADER_BYTES", "MARKER"]

logger = logging.getLogger("hftp")

#: bytes of the file hashed into its cache key (the header: metadata and tensor table)
HEADER_BYTES = 1 << 22
#: file written last into a finished cache folder: {"files": {name: size}, "source": ...}
MARKER = "hftp-cache.json"


def gguf_key(path: str | Path) -> str:
    """Cache key of a GGUF file: ``<stem>-<size>-<sha256 of the header, 16 hex>``.

    Parameters
    ----------
    path : path
        An existing ``.gguf`` file.

    Returns
    -------
    str
    """
    path = Path(path)
    size = path.stat().st_size
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read(HEADER_BYTES))
    return f"{path.stem}-{size}-{h.hexdigest()[:16]}"


def _check_complete(dest: Path) -> None:
    """Raise an HftpError naming the cache folder when it is truncated or altered."""
    clear = (
        f"Delete that folder (rm -rf '{dest}') and load again to convert the .gguf afresh; "
        "hftp's cache lives in $HFTP_CACHE_DIR or platformdirs.user_cache_dir('hftp')."
    )
    marker = dest / MARKER
    if not marker.is_file():
        raise HftpError(
            f"The cached conversion at {dest} is incomplete (no {MARKER}): an earlier conversion "
            f"was interrupted or the folder was copied in part. {clear}"
        )
    files = json.loads(marker.read_text())["files"]
    for name, size in files.items():
        p = dest / name
        if not p.is_file() or p.stat().st_size != size:
            got = p.stat().st_size if p.is_file() else "missing"
            raise HftpError(
                f"The cached conversion at {dest} is truncated: {name} should have {size} bytes, "
                f"has {got}. {clear}"
            )


def _convert(gguf: Path, dest: Path) -> None:
    """Dequantize ``gguf`` into a Hugging Face folder at ``dest`` (staged, then renamed)."""
    if importlib.util.find_spec("gguf") is None:
        raise ImportError("Reading a .gguf file needs the 'gguf' package: pip install gguf")
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoTokenizer
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING

    logger.info("Converting %s into hftp's cache at %s (once)", gguf.name, dest)
    kw = {"gguf_file": gguf.name, "local_files_only": True}
    config = AutoConfig.from_pretrained(gguf.parent, **kw)
    auto = AutoModelForCausalLM if type(config) in MODEL_FOR_CAUSAL_LM_MAPPING else AutoModel
    tok = AutoTokenizer.from_pretrained(gguf.parent, **kw)
    model = auto.from_pretrained(gguf.parent, **kw)
    _strip_quantization(model)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_dir(dest, overwrite=True) as staging:
        model.save_pretrained(staging)
        tok.save_pretrained(staging)
        files = {p.name: p.stat().st_size for p in sorted(staging.iterdir()) if p.is_file()}
        (staging / MARKER).write_text(
            json.dumps({"files": files, "source": str(gguf), "key": dest.name}, indent=1)
        )


def _strip_quantization(model) -> None:
    """Drop quantization metadata from a model whose weights are plain floats (in place)."""
    model.hf_quantizer = None
    model.is_quantized = False
    for obj in (model.config, getattr(model, "generation_config", None)):
        if obj is not None and hasattr(obj, "quantization_config"):
            delattr(obj, "quantization_config")


def gguf_folder(path: str | Path, root: str | Path) -> Path:
    """The cached Hugging Face copy of a ``.gguf`` file, converting it on first use.

    Parameters
    ----------
    path : path
        A ``.gguf`` file.
    root : path
        hftp's cache folder (:func:`hftp.models.load.cache_dir`).

    Returns
    -------
    pathlib.Path
        ``root/models/<gguf_key(path)>``, complete (checked).

    Raises
    ------
    InvalidValueError
        ``path`` is not an existing ``.gguf`` file.
    HftpError
        The cached folder exists but is truncated (the message names it and how to clear it).
    """
    from filelock import FileLock

    path = Path(path).expanduser()
    if not (path.is_file() and path.suffix == ".gguf"):
        raise InvalidValueError(
            f"Invalid value for 'name': expected an existing .gguf file; got {str(path)!r}. "
            "Check the path."
        )
    dest = Path(root) / "models" / gguf_key(path)
    if (dest / MARKER).is_file():
        _check_complete(dest)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(dest) + ".lock"):  # a second process waits here, then finds the folder
        if not (dest / MARKER).is_file():
            if dest.exists() and any(dest.iterdir()):
                _check_complete(dest)  # raises: a folder left without its marker
            _convert(path, dest)
    _check_complete(dest)
    return dest
