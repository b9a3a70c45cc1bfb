"""Sweeps on Dask: a fresh run, a resumed run, equality with direct probes, bad specs."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import hftp
from hftp.apps.sweeps import load_spec, plan_runs, read_index, run_is_done, run_one, sweep
from hftp.testing import tiny_model, tiny_tokenizer

pytest.importorskip("dask.distributed")

CORPUS = ["the fat rat sensed fear", "a big dog chased cats", "老牛耕地小猫吃鱼"] * 20


@pytest.fixture(scope="module")
def two_models(tmp_path_factory):
    """Two tiny saved models (Llama and GPT-2) with their tokenizer."""

    root = tmp_path_factory.mktemp("models")
    tok = tiny_tokenizer(CORPUS)
    paths = []
    for family in ("llama", "gpt2"):
        tiny_model(family, n_layers=2).save_pretrained(root / f"tiny-{family}")
        tok.save_pretrained(root / f"tiny-{family}")
        paths.append(str(root / f"tiny-{family}"))
    return paths


def _spec(out, models):
    return {
        "out": str(out),
        "n_sequences": 3,
        "seed": 1,
        "n_sentences": 8,
        "designs": ["sentences", "within-shuffle"],
        "device": "cpu",
        "tag": {"mode_params": {"n_permutations": 20}},
        "matrix": {"model": models, "language": ["en", "zh"]},
    }


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.mark.slow  # starts a Dask LocalCluster
def test_sweep_fresh_resumed_and_equal_to_direct_probe(two_models, client, tmp_path):
    spec = _spec(tmp_path / "out", two_models)
    df = sweep(spec, client, progress=False)
    assert len(df) == 4 and set(df["status"]) == {"done"}
    assert sorted(df["run"]) == sorted(
        f"tiny-{m}/{lang}" for m in ("llama", "gpt2") for lang in ("en", "zh")
    )
    idx = read_index(tmp_path / "out")
    assert list(idx["run"]) == list(df["run"]) and (idx["time_s"] > 0).all()
    # each run equals a direct probe of the same model and stimuli
    for _, row in idx.iterrows():
        got = hftp.load(row["spectra"])
        model, tok = hftp.load_model(row["model"], device="cpu")
        with warnings.catch_warnings():  # the same notice the sweep gave: 2-unit phrases at Nyquist
            warnings.filterwarnings("ignore", "The phrase rate.*Nyquist", UserWarning)
            stim = hftp.make_stimuli(row["language"], spec["designs"], 3, 1, n_sentences=8)
        with warnings.catch_warnings():  # the tiny tokenizer splits some words (the sweep said so)
            warnings.filterwarnings("ignore", "The conditions differ in the share", UserWarning)
            ref = hftp.probe(model, tok, stim, progress=False)
        np.testing.assert_allclose(got["sum_x"].values, ref["sum_x"].values, rtol=1e-5, atol=1e-6)
        tagged = hftp.load(row["tagged"])
        assert tagged.attrs["condition"] == "sentences" and "category" in tagged
    # resume: finished runs are skipped (their files untouched), a deleted one is redone
    done = tmp_path / "out" / "tiny-gpt2" / "zh" / "run.json"
    stamp = json.loads(done.read_text())["time_s"]
    mtime = (tmp_path / "out" / "tiny-llama" / "en" / "spectra.nc").stat().st_mtime_ns
    import shutil

    shutil.rmtree(tmp_path / "out" / "tiny-gpt2" / "zh")
    df2 = sweep(spec, client, progress=False)
    assert set(df2["status"]) == {"done"}
    assert (tmp_path / "out" / "tiny-llama" / "en" / "spectra.nc").stat().st_mtime_ns == mtime
    redone = json.loads(done.read_text())
    assert redone["status"] == "done" and redone["time_s"] != stamp
    # nothing left to do: no task is submitted (a closed client would fail otherwise)
    df3 = sweep(spec, object(), progress=False)
    assert df3.equals(df2)


def test_load_table_reaches_load_model(two_models, tmp_path):
    """[load] keyword arguments go to load_model: a float64 run equals a direct float64 probe."""
    spec = _spec(tmp_path / "out", two_models[:1])
    spec["matrix"]["language"] = ["en"]
    spec["load"] = {"dtype": "float64"}
    spec = load_spec(spec)
    (run,) = plan_runs(spec)
    with warnings.catch_warnings():  # 2-unit phrases at Nyquist, as in the test above
        warnings.filterwarnings("ignore", "The phrase rate.*Nyquist", UserWarning)
        row = run_one(run, spec)
        stim = hftp.make_stimuli("en", spec["designs"], 3, 1, n_sentences=8)
    assert row["status"] == "done", row["error"]
    got = hftp.load(row["spectra"])["sum_x"].values
    refs = {}
    for dtype in ("float64", "float32"):
        model, tok = hftp.load_model(two_models[0], device="cpu", dtype=dtype)
        refs[dtype] = hftp.probe(model, tok, stim, progress=False)["sum_x"].values
    np.testing.assert_array_equal(got, refs["float64"])
    assert not np.array_equal(got, refs["float32"])  # the dtype did change the forward
    assert row["dtype"] == "float64"
    # the settings are stored with the run: the same spec resumes, another dtype redoes it
    assert run_is_done(run, spec)
    assert not run_is_done(run, {**spec, "load": {"dtype": "float32"}})
    assert not run_is_done(run, {**spec, "tag": {"q": 0.01}})


@pytest.mark.slow  # starts a Dask LocalCluster
def test_sweep_on_its_own_local_cluster_records_failures(two_models, tmp_path):
    spec = _spec(tmp_path / "out", [two_models[0], str(tmp_path / "missing-model")])
    spec["matrix"]["language"] = ["en"]
    df = sweep(spec, workers=1, progress=False)
    status = dict(zip(df["run"], df["status"], strict=True))
    assert status == {"tiny-llama/en": "done", "missing-model/en": "failed"}
    err = df.set_index("run").loc["missing-model/en", "error"]
    assert "does not exist" in err


def test_plan_runs_crosses_the_matrix(tmp_path):
    matrix = {"model": ["a", "b"], "language": ["en", "zh"], "tokenization": ["joint", "unitwise"]}
    spec = load_spec({**_spec(tmp_path, ["a", "b"]), "matrix": matrix})
    runs = plan_runs(spec)
    assert len(runs) == 8
    assert {r["run"] for r in runs} >= {"a/en/tokenization=joint", "b/zh/tokenization=unitwise"}


def test_spec_from_toml_resolves_out_next_to_the_file(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(
        'out = "res"\nn_sequences = 2\nseed = 0\ndesigns = ["sentences"]\n'
        '[matrix]\nmodel = ["default"]\nlanguage = ["en"]\n'
    )
    spec = load_spec(f)
    assert spec["out"] == str((tmp_path / "res").resolve())
    assert spec["condition"] == "sentences" and spec["control"] is None


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"matrix": None}, "missing"),
        ({"colour": 1}, "unknown keys"),
        ({"matrix": {"model": ["a"]}}, "at least 'model' and 'language'"),
        ({"matrix": {"model": ["a"], "language": []}}, "non-empty list"),
        ({"matrix": {"model": ["a"], "language": ["en"], "size": [1]}}, "unknown key 'size'"),
        ({"n_sequences": 0}, "n_sequences"),
        ({"load": "bfloat16"}, "'spec.load': expected a table"),
        ({"probe": ["batch_size", 8]}, "'spec.probe': expected a table"),
        ({"load": {"device": "cuda"}}, "top-level key"),
        ({"load": {"name": "gpt2"}}, "remove 'name'"),
    ],
)
def test_bad_specs_are_clear_errors(tmp_path, bad, match):
    spec = _spec(tmp_path, ["a"])
    spec.update(bad)
    if bad.get("matrix", 0) is None:
        del spec["matrix"]
    with pytest.raises(hftp.HftpError, match=match):
        load_spec(spec)


def test_spec_path_errors(tmp_path):
    with pytest.raises(hftp.HftpError, match="does not exist"):
        load_spec(tmp_path / "nope.toml")
    (tmp_path / "bad.toml").write_text("out = [")
    with pytest.raises(hftp.HftpError, match="not valid TOML"):
        load_spec(tmp_path / "bad.toml")
    with pytest.raises(hftp.HftpError, match="Invalid type for 'spec'"):
        load_spec(42)


def test_duplicate_output_folders_are_an_error(tmp_path):
    (tmp_path / "x" / "m").mkdir(parents=True)
    (tmp_path / "y" / "m").mkdir(parents=True)
    spec = load_spec(_spec(tmp_path, [str(tmp_path / "x" / "m"), str(tmp_path / "y" / "m")]))
    with pytest.raises(hftp.HftpError, match="same output folder"):
        plan_runs(spec)


def test_the_documented_example_spec_is_valid():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs" / "sweep.example.toml"
    spec = load_spec(example)
    assert spec["load"] == {} and spec["probe"] == {"batch_size": 8}
    assert len(plan_runs(spec)) == 2 * 2 * 2  # model x language x untrained


# ------------------------------------------------------------------------- nothing lost


@pytest.mark.parametrize(
    ("matrix", "match"),
    [
        ({"model": ["a"], "language": [".."]}, "'spec.matrix.language'.*'\\.\\.'"),
        ({"model": ["a"], "language": [""]}, "'spec.matrix.language'.*is empty"),
        ({"model": ["a"], "language": ["en/../x"]}, "'spec.matrix.language'.*separator"),
        ({"model": [".."], "language": ["en"]}, "'spec.matrix.model'"),
        ({"model": ["/"], "language": ["en"]}, "'spec.matrix.model'"),
        ({"model": [3], "language": ["en"]}, "'spec.matrix.model'"),
        ({"model": ["a"], "language": ["en"], "untrained": ["yes"]}, "untrained"),
        ({"model": ["a"], "language": ["en"], "tokenization": ["../x"]}, "tokenization"),
    ],
)
def test_matrix_values_that_would_leave_out_are_refused(tmp_path, matrix, match):
    with pytest.raises(hftp.HftpError, match=match):
        load_spec({**_spec(tmp_path / "out", ["a"]), "matrix": matrix})


def test_a_run_folder_that_resolves_outside_out_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (out / "a").symlink_to(tmp_path / "elsewhere")
    spec = load_spec(_spec(out, ["a"]))
    with pytest.raises(hftp.HftpError, match="outside the output folder"):
        plan_runs(spec)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"tag": {"q": 2}}, "'spec.tag.q'"),
        ({"tag": {"qq": 0.1}}, "'spec.tag': unknown key 'qq'.*Did you mean 'q'"),
        ({"tag": {"condition": "x"}}, "'condition' is set by the top-level key"),
        ({"tag": {"mode": "fast"}}, "'spec.tag.mode'"),
        ({"tag": {"mode_params": {"n_perms": 5}}}, "unknown key 'n_perms'"),
        ({"tag": {"mode_params": {"n_permutations": -5}}}, "n_permutations"),
        ({"probe": {"batch_size": 0}}, "'spec.probe.batch_size'"),
        ({"probe": {"bach_size": 8}}, "unknown key 'bach_size'.*Did you mean 'batch_size'"),
        ({"probe": {"pooling": "max"}}, "'spec.probe.pooling'"),
        ({"probe": {"save_raw": "x.nc"}}, "'save_raw' is set by the sweep"),
        ({"load": {"dtype": "float8"}}, "'spec.load.dtype'"),
        ({"designs": ["sentences", "nonsense"]}, "nonsense"),
        ({"condition": "random-words"}, "'spec.condition'"),
        ({"n_sentences": 0}, "n_sentences"),
    ],
)
def test_every_table_is_checked_before_any_run(tmp_path, bad, match):
    with pytest.raises(hftp.HftpError, match=match):
        load_spec({**_spec(tmp_path / "out", ["a"]), **bad})


def _fake_done_run(spec, run, *, spectra=True, tagged=True):
    """A finished run's folder as a sweep writes it, without probing anything."""
    from pathlib import Path

    import xarray as xr

    from hftp.apps.sweeps import _settings
    from hftp.io import atomic_dir, save

    Path(run["dir"]).parent.mkdir(parents=True, exist_ok=True)
    with atomic_dir(run["dir"]) as staging:
        if spectra:
            save(hftp.testing.planted_spectra(), staging / "spectra.nc")
        if tagged:
            save(xr.Dataset({"category": ("neuron", np.array(["none"]))}), staging / "tagged.nc")
        rec = {"run": run["run"], "status": "done", "settings": _settings(spec)}
        (staging / "run.json").write_text(json.dumps(rec))


def test_resume_checks_that_every_output_exists_and_opens(tmp_path):
    spec = load_spec(_spec(tmp_path / "out", ["a"]))
    run = plan_runs(spec)[0]
    _fake_done_run(spec, run)
    assert run_is_done(run, spec)
    from pathlib import Path

    (Path(run["dir"]) / "tagged.nc").write_bytes(b"truncated")
    assert not run_is_done(run, spec)
    _fake_done_run(spec, run, spectra=False)
    assert not run_is_done(run, spec)


def test_a_run_folder_holding_the_users_files_is_refused_before_any_run(tmp_path):
    from pathlib import Path

    spec = load_spec(_spec(tmp_path / "out", ["a"]))
    run = plan_runs(spec)[0]
    Path(run["dir"]).mkdir(parents=True)
    (Path(run["dir"]) / "notes.txt").write_text("mine")
    with pytest.raises(hftp.HftpError, match="'spec.out'.*'notes.txt'"):
        sweep(spec, scheduler="tcp://127.0.0.1:1", progress=False)
    assert (Path(run["dir"]) / "notes.txt").read_text() == "mine"


def test_a_failed_run_is_one_line_and_never_touches_the_users_files(tmp_path, caplog):
    from pathlib import Path

    spec = load_spec(_spec(tmp_path / "out", [str(tmp_path / "no-model")]))
    run = plan_runs(spec)[0]
    with caplog.at_level("ERROR", logger="hftp"), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The phrase rate.*Nyquist", UserWarning)
        row = run_one(run, spec)
    assert row["status"] == "failed" and "\n" not in row["error"]
    assert "does not exist" in row["error"]
    assert all(r.exc_info is None for r in caplog.records)  # no traceback
    assert json.loads((Path(run["dir"]) / "run.json").read_text())["status"] == "failed"
    (Path(run["dir"]) / "mine.csv").write_text("x")  # now a folder with a user's file
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The phrase rate.*Nyquist", UserWarning)
        row = run_one(run, spec)
    assert "could not be written" in row["error"]
    assert (Path(run["dir"]) / "mine.csv").read_text() == "x"


def test_a_scheduler_that_does_not_answer_is_a_message(tmp_path):
    import socket

    with socket.socket() as s:  # a port with nothing behind it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = _spec(tmp_path / "out", ["a"])
    with pytest.raises(hftp.HftpError, match="'scheduler'.*no Dask scheduler answered.*within 2 s"):
        sweep(spec, scheduler=f"tcp://127.0.0.1:{port}", connect_timeout=2, progress=False)


def test_plan_runs_scales_linearly_with_distinct_values(tmp_path):
    models = [f"m{i}" for i in range(300)]
    spec = load_spec({**_spec(tmp_path / "out", models), "designs": ["sentences"]})
    spec["matrix"]["language"] = [f"l{i}" for i in range(100)]  # not made: planning only
    runs = plan_runs(spec)
    assert len(runs) == 30_000 and len({r["run"] for r in runs}) == 30_000


def test_a_scheduler_that_accepts_and_never_answers_is_a_message(tmp_path):
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held = []
    threading.Thread(target=lambda: held.append(server.accept()), daemon=True).start()
    port = server.getsockname()[1]
    try:
        with pytest.raises(hftp.HftpError, match="within 2 s.*never answered"):
            sweep(
                _spec(tmp_path / "out", ["a"]),
                scheduler=f"tcp://127.0.0.1:{port}",
                connect_timeout=2,
                progress=False,
            )
    finally:
        server.close()


def test_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(hftp.HftpError, match="'spec.out'.*is a file"):
        load_spec(_spec(tmp_path / "out", ["a"]))
