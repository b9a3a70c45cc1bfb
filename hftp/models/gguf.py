"""GGUF files, converted once: a dequantized Hugging Face copy in hftp's cache, keyed on content.

Reading a ``.gguf`` through transformers dequantizes every tensor, which takes minutes for a
270M-parameter model on a CPU. :func:`gguf_folder` does it once per file and keeps a plain
Hugging Face folder under ``cache_dir()/models/<stem>-<size>-<hash>``, keyed by the file's
content: a BLAKE2b hash of the whole file, streamed (about 0.2 s for the default 98 MB model on
one core, 2 s per GB). So a file edited in place, re-quantized or replaced by another of the same
size and header gets its own conversion; it never loads another file's weights.

The hash's cost is paid once per file version: :func:`file_hash` stores it beside the cache
(``cache_dir()/models/hashes/``) with the file's size, mtime, ctime, inode and device and the
seconds it took; a later load whose file has the same stat reuses it (a re-check costs one
``stat``), and any change to the file (which changes its ctime) hashes it again.

A file lock makes a second process wait for the first conversion instead of repeating it. The
quantization metadata (``quantization_config``, ``is_quantized``) is dropped, since the saved
weights are plain floats. An empty, truncated or non-GGUF file is refused with its size and the
fix before any conversion starts.

A finished folder holds :data:`MARKER`, written last, listing each file's size; a folder without
it, or with a file of another size, is reported with its path and how to clear it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
import time
from pathlib import Path

from hftp._paths import confine
from hftp._validation import HftpError, InvalidValueError, MissingPackageError
from hftp.io import atomic_dir

__all__ = ["gguf_folder", "gguf_key", "file_hash", "check_gguf_file", "HASH_CHUNK", "MARKER"]

logger = logging.getLogger("hftp")

#: bytes read per step while hashing a file
HASH_CHUNK = 1 << 20
#: file written last into a finished cache folder: {"files": {name: size}, "source": ...}
MARKER = "hftp-cache.json"
#: the folder (under ``<root>/models``) of stored file hashes
_HASHES = "hashes"


def _identity(st: os.stat_result) -> dict[str, int]:
    """What changes whenever a file's content may have: size, mtime, ctime, inode, device."""
    return {
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "ctime_ns": st.st_ctime_ns,
        "ino": st.st_ino,
        "dev": st.st_dev,
    }


def file_hash(path: str | Path, root: str | Path | None = None) -> str:
    """BLAKE2b (128-bit) of a whole file, streamed; reused while the file's stat is unchanged.

    Parameters
    ----------
    path : path
        An existing file.
    root : path, optional
        hftp's cache folder. With it, the hash is stored under ``root/models/hashes/`` with the
        file's size, mtime, ctime, inode, device and the seconds hashing took, and reused on the
        next call while those are unchanged (one ``stat``).

    Returns
    -------
    str
        32 hex digits.
    """
    path = Path(path).expanduser().resolve()
    st = path.stat()
    ident = _identity(st)
    rec_path = None
    if root is not None:
        tag = hashlib.blake2b(str(path).encode(), digest_size=12).hexdigest()
        rec_path = Path(root) / "models" / _HASHES / f"{tag}.json"
        try:
            rec = json.loads(rec_path.read_text())
            if rec.get("path") == str(path) and rec.get("stat") == ident:
                return str(rec["blake2b"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    t0 = time.perf_counter()
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            h.update(chunk)
    digest = h.hexdigest()
    seconds = time.perf_counter() - t0
    logger.info("hashed %s (%.0f MB) in %.2f s", path.name, st.st_size / 1e6, seconds)
    if rec_path is not None and _identity(path.stat()) == ident:  # unchanged while hashing
        rec = {"path": str(path), "stat": ident, "blake2b": digest, "seconds": round(seconds, 4)}
        try:
            rec_path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=rec_path.parent, suffix=".part")
            with os.fdopen(fd, "w") as f:
                json.dump(rec, f)
            os.replace(tmp, rec_path)
        except OSError:  # a read-only cache: hash again next time
            pass
    return digest


def gguf_key(path: str | Path, root: str | Path | None = None) -> str:
    """Cache key of a GGUF file: ``<stem>-<size>-<BLAKE2b of the whole file, 16 hex>``.

    Parameters
    ----------
    path : path
        An existing ``.gguf`` file.
    root : path, optional
        hftp's cache folder, where the file's hash is stored for a cheap re-check
        (:func:`file_hash`).

    Returns
    -------
    str
    """
    path = Path(path)
    return f"{path.stem}-{path.stat().st_size}-{file_hash(path, root)[:16]}"


def check_gguf_file(path: str | Path) -> None:
    """Refuse an empty, truncated, damaged or non-GGUF file with its size and the fix.

    Parameters
    ----------
    path : path
        A ``.gguf`` file.

    Raises
    ------
    HftpError
        Naming the file, its size and what to do (download or copy it again).
    """
    path = Path(path)
    size = path.stat().st_size
    again = "Download or copy it again (compare its size and checksum with the original's)."
    if size == 0:
        raise HftpError(f"The model file {str(path)!r} is empty (0 bytes). {again}")
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic != b"GGUF":
        raise HftpError(
            f"The model file {str(path)!r} ({size} bytes) is not a GGUF file: it starts with "
            f"{magic!r}, not b'GGUF'. Check that it is the model file, or download it again."
        )
    if importlib.util.find_spec("gguf") is None:
        return  # _convert names the missing package
    from gguf import GGUFReader

    try:
        GGUFReader(path)
    except Exception as exc:  # noqa: BLE001 - numpy reshape/view errors on a cut file
        raise HftpError(
            f"The model file {str(path)!r} ({size} bytes) is truncated or damaged: its tensor "
            f"table does not fit the data ({type(exc).__name__}: {exc}). {again}"
        ) from None


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
        raise MissingPackageError(
            "Reading a .gguf file needs the 'gguf' package: pip install gguf",
            install="pip install gguf",
            name="gguf",
        )
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
            json.dumps(
                {"files": files, "source": str(gguf), "key": dest.name, "hash": "blake2b-128"},
                indent=1,
            )
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
        ``root/models/<gguf_key(path)>``, complete (checked): keyed on the whole file's
        content, so a changed file is converted again.

    Raises
    ------
    InvalidValueError
        ``path`` is not an existing ``.gguf`` file.
    HftpError
        The file is empty, truncated or not GGUF; or the cached folder exists but is truncated
        (the message names it and how to clear it).
    """
    from filelock import FileLock

    path = Path(path).expanduser()
    if not (path.is_file() and path.suffix == ".gguf"):
        raise InvalidValueError(
            f"Invalid value for 'name': expected an existing .gguf file; got {str(path)!r}. "
            "Check the path."
        )
    if path.stat().st_size == 0:
        check_gguf_file(path)  # raises: say "empty" before anything else
    dest = confine(Path(root) / "models", gguf_key(path, root), name="name")
    if (dest / MARKER).is_file():
        _check_complete(dest)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(dest) + ".lock"):  # a second process waits here, then finds the folder
        if not (dest / MARKER).is_file():
            if dest.exists() and any(dest.iterdir()):
                _check_complete(dest)  # raises: a folder left without its marker
            check_gguf_file(path)
            _convert(path, dest)
    _check_complete(dest)
    return dest
