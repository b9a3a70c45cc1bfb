"""hftp._paths: one path component, confinement, inputs never outputs, ownership, OS errors."""

from __future__ import annotations

import errno
import os

import pytest

from hftp._paths import (
    MANIFEST,
    DiskError,
    check_component,
    check_no_overlap,
    check_replaceable,
    confine,
    foreign_files,
    named_os_error,
    os_error_message,
    read_manifest,
    remove_owned,
    write_manifest,
)
from hftp._validation import HftpError


@pytest.mark.parametrize("value", ["", " ", ".", "..", "a/b", "../x", "a\\b", "x\0y", "/abs"])
def test_names_unsafe_as_one_component_are_refused(value):
    with pytest.raises(ValueError, match="'spec.matrix.language'.*one file or folder name"):
        check_component("spec.matrix.language", value)


@pytest.mark.parametrize("value", ["en", "gpt2", "my-llama", "a..b", ".hidden", "zh_CN", 3])
def test_plain_names_pass(value):
    assert check_component("name", value) == str(value)


def test_confine_refuses_what_resolves_outside(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    assert confine(root, "a/b", name="x") == (root / "a/b").resolve()
    with pytest.raises(ValueError, match="'x'.*outside the output folder"):
        confine(root, "../sibling", name="x")
    with pytest.raises(ValueError, match="outside"):
        confine(root, "/etc", name="x")
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="outside"):
        confine(root, "link/elsewhere", name="x")


def test_an_output_equal_to_an_input_is_refused_through_symlinks(tmp_path):
    a = tmp_path / "a.nc"
    a.write_text("x")
    (tmp_path / "alias.nc").symlink_to(a)
    with pytest.raises(ValueError, match="'--out'.*input given to '--spectra'.*destroy"):
        check_no_overlap({"--spectra": a}, {"--out": tmp_path / "alias.nc"})
    with pytest.raises(ValueError, match="'--out'"):
        check_no_overlap({"--spectra": a}, {"--out": tmp_path / "sub" / ".." / "a.nc"})
    check_no_overlap({"--spectra": a}, {"--out": tmp_path / "b.nc"})


def test_two_outputs_on_one_path_are_refused(tmp_path):
    with pytest.raises(ValueError, match="'--save-raw'.*same file as '--out'"):
        check_no_overlap({}, {"--out": tmp_path / "x.nc", "--save-raw": tmp_path / "x.nc"})


def test_an_output_folder_holding_an_input_is_refused(tmp_path):
    f = tmp_path / "res" / "a.nc"
    f.parent.mkdir()
    f.write_text("x")
    with pytest.raises(ValueError, match="output folder.*holds the input"):
        check_no_overlap({"FILES": [f]}, {"--out": tmp_path / "res"}, folders=["--out"])
    check_no_overlap({"FILES": [f]}, {"--out": tmp_path / "report"}, folders=["--out"])


def test_manifest_lists_what_hftp_wrote_and_protects_the_rest(tmp_path):
    d = tmp_path / "demo"
    (d / "figures").mkdir(parents=True)
    (d / "figures" / "a.png").write_text("x")
    (d / "report.html").write_text("x")
    write_manifest(d, writer="test")
    assert read_manifest(d) == {"figures/a.png", "report.html"}
    assert foreign_files(d) == []
    check_replaceable(d, name="--out")
    (d / "results").mkdir()
    (d / "results" / "mine.csv").write_text("user data")
    assert foreign_files(d) == ["results/mine.csv"]
    with pytest.raises(ValueError, match="'--out'.*files hftp did not write.*'results/mine.csv'"):
        check_replaceable(d, name="--out")
    remove_owned(d)
    assert (d / "results" / "mine.csv").read_text() == "user data"
    assert not (d / "report.html").exists() and not (d / "figures").exists()
    assert not (d / MANIFEST).exists()


def test_a_folder_without_manifest_is_foreign_unless_empty(tmp_path):
    check_replaceable(tmp_path / "missing", name="out")
    (tmp_path / "empty").mkdir()
    check_replaceable(tmp_path / "empty", name="out")
    (tmp_path / "user").mkdir()
    (tmp_path / "user" / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="'notes.txt'"):
        check_replaceable(tmp_path / "user", name="out")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        check_replaceable(tmp_path / "file", name="out")


def test_write_manifest_leaves_excluded_files_foreign(tmp_path):
    (tmp_path / "mine.txt").write_text("x")
    (tmp_path / "ours.nc").write_text("x")
    write_manifest(tmp_path, writer="t", exclude=["mine.txt"])
    assert foreign_files(tmp_path) == ["mine.txt"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "disk is full"),
        (errno.EROFS, "read-only"),
        (errno.EACCES, "permission"),
        (errno.EFBIG, "file-size limit"),
        (errno.EDQUOT, "quota"),
    ],
)
def test_os_errors_are_named_by_their_cause(code, words):
    exc = OSError(code, os.strerror(code), "/data/out.nc")
    msg = os_error_message(exc)
    assert words in msg and "'/data/out.nc'" in msg
    err = named_os_error(exc)
    assert isinstance(err, DiskError) and isinstance(err, HftpError) and isinstance(err, OSError)
    assert err.errno == code and str(err) == msg


def test_an_os_error_without_a_known_cause_is_left_as_it_is():
    exc = OSError(errno.EIO, "I/O error")
    assert os_error_message(exc) is None and named_os_error(exc) is exc


def test_an_output_replacing_a_file_of_an_input_folder_is_refused(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    with pytest.raises(ValueError, match="'--out'.*file of the input folder given to '--model'"):
        check_no_overlap({"--model": model}, {"--out": model / "config.json"})
    check_no_overlap({"--model": model}, {"--out": model / "spectra.nc"})  # a new file: fine
