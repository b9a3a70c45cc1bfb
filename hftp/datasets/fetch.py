"""Fetching a public data set into hftp's data cache with pooch (checksums, resumable,
offline-aware): where the cache is, the registries of checksums, and the download itself.

The data cache is ``$HFTP_DATA`` when set, else the user data folder of hftp
(``platformdirs.user_data_dir("hftp")``). Each data set lives in a subfolder named after it.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from hftp._validation import HftpError

__all__ = ["data_home", "read_registry", "fetch_files"]


def _copy_file(url: str, output_file, pooch_obj) -> None:
    """A pooch downloader for ``file://`` URLs (a local mirror, or the tests)."""
    import shutil
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    src = url2pathname(urlparse(url).path)
    if hasattr(output_file, "write"):
        with open(src, "rb") as fh:
            shutil.copyfileobj(fh, output_file)
    else:
        shutil.copyfile(src, output_file)


def data_home() -> Path:
    """hftp's data cache folder.

    Returns
    -------
    Path
        ``$HFTP_DATA`` when set, else the platform's user data folder for hftp (it may not exist
        yet).
    """
    env = os.environ.get("HFTP_DATA")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("hftp", appauthor=False))


def read_registry(name: str) -> dict[str, str]:
    """Read a data set's checksum registry shipped with hftp.

    Parameters
    ----------
    name : str
        The registry file in the ``hftp.datasets`` package (e.g. ``"eeg_phrases_registry.txt"``),
        one ``relative/path sha256:<hex>`` per line.

    Returns
    -------
    dict of str to str
        Relative path → ``"sha256:<hex>"``.
    """
    text = resources.files("hftp.datasets").joinpath(name).read_text(encoding="utf-8")
    rows = (line.split() for line in text.splitlines() if line.strip())
    return {r[0]: r[1] for r in rows}


def fetch_files(
    dest: Path, base_url: str, registry: dict[str, str], *, what: str, progress: bool = False
) -> Path:
    """Download every file of ``registry`` from ``base_url`` into ``dest`` (checked by hash).

    Files already present with the right hash are kept.

    Parameters
    ----------
    dest : Path
        The data set's folder (created if missing).
    base_url : str
        Where the files lie; ``file://`` URLs are copied.
    registry : dict of str to str
        Relative path → ``"sha256:<hex>"`` (:func:`read_registry`).
    what : str
        The data set's name, for messages.
    progress : bool
        Show download progress bars.

    Returns
    -------
    Path
        ``dest``, holding every file of the registry.

    Raises
    ------
    HftpError
        A download failed or a file's hash is wrong: the message says what to download, from
        where, and where to put it.
    """
    import pooch

    from hftp._paths import confine

    for rel in registry:  # every file of the registry lands inside dest
        confine(dest, rel, name="registry")
    dest.mkdir(parents=True, exist_ok=True)
    fetcher = pooch.create(path=dest, base_url=base_url.rstrip("/") + "/", registry=registry)
    local = base_url.startswith("file://")
    for rel in registry:
        try:
            fetcher.fetch(rel, progressbar=progress, downloader=_copy_file if local else None)
        except ValueError as exc:  # pooch: hash mismatch
            if "hash" not in str(exc).lower():
                raise HftpError(
                    f"Could not download {what} ({exc}). Download it by hand from {base_url} and "
                    f"put its files (e.g. {rel!r}) under {str(dest)!r}."
                ) from None
            raise HftpError(
                f"The download of {what} file {rel!r} from {base_url} is damaged ({exc}). "
                f"Delete {str(dest / rel)!r} and try again."
            ) from None
        except Exception as exc:  # offline, moved deposit, HTTP error
            raise HftpError(
                f"Could not download {what} ({type(exc).__name__}: {exc}). Download it by hand "
                f"from {base_url} and put its files (e.g. {rel!r}) under {str(dest)!r}, or "
                "point $HFTP_EEG_PHRASES at a copy you already have."
            ) from None
    return dest
