"""eeg_phrases.fetch: precedence of existing folders, download with checksums, offline message."""

from __future__ import annotations

import hashlib

import pytest

from hftp._validation import HftpError
from hftp.datasets import eeg_phrases, fetch


@pytest.fixture()
def deposit(tmp_path, monkeypatch):
    """A local 'deposit' of two files with a matching registry, served by a file:// URL."""
    src = tmp_path / "deposit"
    (src / "ft").mkdir(parents=True)
    files = {"ft/P5_ft.mat": b"mat bytes", "channel_list.txt": b"Fz\nCz\n"}
    for rel, data in files.items():
        (src / rel).write_bytes(data)
    reg = {rel: "sha256:" + hashlib.sha256(data).hexdigest() for rel, data in files.items()}
    monkeypatch.setattr(fetch, "read_registry", lambda name: reg)
    monkeypatch.delenv("HFTP_EEG_PHRASES", raising=False)
    monkeypatch.setenv("HFTP_DATA", str(tmp_path / "cache"))
    return src


def test_fetch_downloads_into_the_data_cache_with_checksums(deposit, tmp_path):
    got = eeg_phrases.fetch(base_url=deposit.as_uri(), progress=False)
    assert got == tmp_path / "cache" / "eeg-phrases"
    assert (got / "ft" / "P5_ft.mat").read_bytes() == b"mat bytes"
    # a second call finds the folder and downloads nothing
    (deposit / "ft" / "P5_ft.mat").unlink()
    assert eeg_phrases.fetch(base_url=deposit.as_uri(), progress=False) == got


def test_fetch_rejects_a_damaged_download(deposit, tmp_path):
    (deposit / "channel_list.txt").write_bytes(b"tampered")
    with pytest.raises(HftpError, match="damaged.*Delete"):
        eeg_phrases.fetch(tmp_path / "dl", base_url=deposit.as_uri(), progress=False)


def test_existing_folder_and_env_take_precedence(deposit, tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    (mine / "ft").mkdir(parents=True)
    assert eeg_phrases.fetch(mine, base_url="file:///nowhere") == mine
    monkeypatch.setenv("HFTP_EEG_PHRASES", str(mine))
    assert eeg_phrases.fetch(base_url="file:///nowhere") == mine


def test_offline_message_says_what_and_where(deposit, tmp_path):
    with pytest.raises(HftpError, match=r"Download it by hand from file:///nowhere.*under .*dl"):
        eeg_phrases.fetch(tmp_path / "dl", base_url="file:///nowhere", progress=False)
    with pytest.raises(HftpError, match="zenodo.4019709"):
        eeg_phrases.fetch(tmp_path / "dl2", download=False)


def test_registry_ships_with_the_package():
    reg = fetch.read_registry("eeg_phrases_registry.txt")
    assert len(reg) > 100 and all(v.startswith("sha256:") for v in reg.values())


def test_a_registry_entry_that_would_land_outside_the_folder_is_refused(tmp_path):
    reg = {"../../outside.txt": "sha256:" + "0" * 64}
    with pytest.raises(HftpError, match="'registry'.*outside the output folder"):
        fetch.fetch_files(tmp_path / "dest", (tmp_path / "src").as_uri(), reg, what="x")
    assert not (tmp_path / "dest").exists()
