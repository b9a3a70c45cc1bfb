"""The sweep's local cluster: one worker per GPU, each seeing its own; CUDA runs refused at once on
a cluster without GPU workers (on a CPU, with the GPUs simulated)."""

from __future__ import annotations

import os
import sys

import pytest

import hftp
from hftp.apps import clusters
from hftp.apps.sweeps import sweep

pytest.importorskip("dask.distributed")


class FakeClient:
    """Only what the checks read: the scheduler's workers and their resources."""

    def __init__(self, *resources):
        self.workers = {f"tcp://w{k}": {"resources": r} for k, r in enumerate(resources)}
        self.dashboard_link = ""
        self.submitted = 0

    def scheduler_info(self):
        return {"workers": self.workers}

    def submit(self, *a, **k):  # pragma: no cover - a refused sweep submits nothing
        self.submitted += 1
        raise AssertionError("nothing may be submitted")


def test_gpus_are_shared_one_worker_each_or_in_equal_groups():
    devs = ["0", "1", "2", "3"]
    assert clusters.gpu_groups(devs, 4) == [["0"], ["1"], ["2"], ["3"]]
    assert clusters.gpu_groups(devs, 2) == [["0", "1"], ["2", "3"]]
    assert clusters.gpu_groups(devs, 1) == [devs]  # device_map="auto" spreads over all four
    assert clusters.gpu_groups(["0", "1", "2"], 2) == [["0"], ["1"]]
    with pytest.raises(hftp.HftpError, match=r"'workers': 3 workers but 2 GPU.*--workers 2"):
        clusters.gpu_groups(["0", "1"], 3)


def test_cuda_devices_follow_cuda_visible_devices(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
    assert clusters.cuda_devices() == ["3", "5"]
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    assert clusters.cuda_devices() == ["0", "1"]
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert clusters.cuda_devices() == []


def test_a_cuda_run_on_a_cluster_without_gpus_is_refused_at_once(tmp_path):
    cpu_only = FakeClient({}, {})
    with pytest.raises(hftp.HftpError, match=r"'device'.*'cuda'.*none of the cluster's 2 worker"):
        clusters.check_gpu_workers(cpu_only, "cuda")
    clusters.check_gpu_workers(cpu_only, "auto")  # auto runs where it can
    clusters.check_gpu_workers(FakeClient({"GPU": 1}), "cuda:0")
    assert clusters.needs_gpu(FakeClient({"GPU": 1}), "auto")
    assert not clusters.needs_gpu(cpu_only, "auto") and not clusters.needs_gpu(cpu_only, "cpu")
    spec = {
        "out": str(tmp_path / "out"),
        "n_sequences": 2,
        "seed": 0,
        "designs": ["sentences"],
        "device": "cuda",
        "matrix": {"model": ["a"], "language": ["en"]},
    }
    with pytest.raises(hftp.HftpError, match="wait forever"):
        sweep(spec, client=cpu_only, progress=False)
    assert cpu_only.submitted == 0


@pytest.mark.slow  # starts a Dask LocalCluster of two processes
@pytest.mark.skipif(sys.platform != "linux", reason="worker processes and their environment")
def test_each_local_worker_sees_only_its_own_gpus(monkeypatch):
    monkeypatch.setattr(clusters, "cuda_devices", lambda: ["0", "1", "2", "3"])
    monkeypatch.setitem(sys.modules, "dask_cuda", None)  # the engine's LocalCluster path
    client = clusters.local_client(2)
    try:
        seen = client.run(lambda: os.environ.get("CUDA_VISIBLE_DEVICES"))
        assert sorted(seen.values()) == ["0,1", "2,3"]
        workers = client.scheduler_info()["workers"].values()
        assert [w["resources"] for w in workers] == [{"GPU": 1}, {"GPU": 1}]
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
