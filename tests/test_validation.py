"""The shared checks: each message names the parameter, what was expected, what was given, and
the fix; value errors are ValueError and type errors TypeError (both HftpError)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from hftp._validation import (
    HftpError,
    InvalidTypeError,
    InvalidValueError,
    check_float,
    check_fraction_open,
    check_in_path,
    check_int,
    check_option,
    check_out_path,
    check_type,
    did_you_mean,
)


def test_error_classes_are_builtin_errors_too():
    assert issubclass(InvalidValueError, ValueError) and issubclass(InvalidValueError, HftpError)
    assert issubclass(InvalidTypeError, TypeError) and issubclass(InvalidTypeError, HftpError)


def test_check_option_suggests_the_closest_name():
    allowed = {"cosine": 1, "correlation": 2, "euclidean": 3}
    assert check_option("metric", "cosine", allowed) == "cosine"
    with pytest.raises(InvalidValueError) as err:
        check_option("metric", "cosin", allowed)
    assert str(err.value) == (
        "Invalid value for 'metric': allowed 'cosine', 'correlation', 'euclidean'; "
        "got 'cosin'. Did you mean 'cosine'?"
    )
    with pytest.raises(InvalidValueError, match="Use another metric"):
        check_option("metric", "x", allowed, fix="Use another metric.")


def test_did_you_mean_is_case_insensitive_and_quiet_for_non_strings():
    assert did_you_mean("COSINE", ["cosine"]) == " Did you mean 'cosine'?"
    assert did_you_mean(3, ["cosine"]) == ""
    assert did_you_mean("zzzz", ["cosine"]) == ""


def test_check_type_names_the_expected_type():
    assert check_type("x", 1, int, "an int") == 1
    with pytest.raises(InvalidTypeError, match=r"Invalid type for 'x': expected an int; got str"):
        check_type("x", "a", int, "an int")


@pytest.mark.parametrize("bad", [True, 1.5, "3", None])
def test_check_int_refuses_non_integers(bad):
    with pytest.raises(InvalidTypeError, match="'n': expected an integer"):
        check_int("n", bad)


def test_check_int_bounds_and_numpy_integers():
    assert check_int("n", np.int64(4), min_value=1) == 4
    with pytest.raises(InvalidValueError, match=r"expected an integer >= 1; got 0"):
        check_int("n", 0, min_value=1)
    with pytest.raises(InvalidValueError, match=r"expected an integer <= 3; got 4"):
        check_int("n", 4, max_value=3)


def test_check_float_finite_and_bounds():
    assert check_float("q", np.float32(0.5), min_value=0, max_value=1) == 0.5
    with pytest.raises(InvalidValueError, match="expected a finite number; got nan"):
        check_float("q", float("nan"))
    with pytest.raises(InvalidValueError, match=r"expected a number in \(0, 1\); got 1.0"):
        check_float("q", 1.0, min_value=0, max_value=1, inclusive=False)
    with pytest.raises(InvalidTypeError, match="expected a number; got bool"):
        check_float("q", True)


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5])
def test_check_fraction_open_says_how_to_fix(bad):
    with pytest.raises(InvalidValueError, match=r"strictly between 0 and 1.*Use e\.g\. q=0\.05"):
        check_fraction_open("q", bad)


def test_check_in_path(tmp_path):
    f = tmp_path / "a.nc"
    f.write_text("x")
    assert check_in_path("path", f) == f
    with pytest.raises(InvalidValueError, match="which does not exist. Check the path"):
        check_in_path("path", tmp_path / "missing.nc")
    with pytest.raises(InvalidTypeError, match="expected a path"):
        check_in_path("path", 3)


def test_check_out_path_refuses_existing_without_overwrite(tmp_path):
    f = tmp_path / "out.nc"
    assert check_out_path("out", f, overwrite=False) == f
    f.write_text("x")
    with pytest.raises(InvalidValueError, match="Pass overwrite=True"):
        check_out_path("out", f, overwrite=False)
    with pytest.raises(InvalidValueError, match="Pass --overwrite"):
        check_out_path("--out", f, overwrite=False)
    with pytest.raises(InvalidValueError, match="does not exist. Create it first"):
        check_out_path("out", tmp_path / "nope" / "x.nc")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_check_out_path_refuses_read_only_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(InvalidValueError, match="is not writable"):
            check_out_path("out", ro / "x.nc")
    finally:
        ro.chmod(0o700)
