"""Where a sweep's runs execute: the local Dask cluster, one worker per GPU, and GPU checks.

:func:`local_client` starts the cluster of ``hftp sweep`` when no scheduler is given. On a
machine with CUDA GPUs each worker sees only its own: with dask-cuda installed and one GPU per
worker, its ``LocalCUDACluster``; otherwise a ``LocalCluster`` whose workers each get their own
``CUDA_VISIBLE_DEVICES`` (the engine's worker spec, no scheduler of hftp's own). With fewer
workers than GPUs each worker gets an equal share, so that a model loaded with
``device_map="auto"`` spreads over that worker's GPUs only. Every worker with a GPU declares the
Dask resource ``GPU`` (1), and a run on CUDA asks for it; :func:`check_gpu_workers` refuses a
CUDA run at once on a cluster whose workers have none (it would wait forever).
"""

from __future__ import annotations

import copy
import os

from hftp._validation import InvalidValueError

__all__ = ["cuda_devices", "gpu_groups", "local_client", "needs_gpu", "check_gpu_workers"]


def cuda_devices() -> list[str]:
    """The CUDA devices this process may use, as ``CUDA_VISIBLE_DEVICES`` names them.

    Returns
    -------
    list of str
        The entries of ``CUDA_VISIBLE_DEVICES`` when it is set, else ``"0"`` to ``"n-1"`` for
        the n GPUs torch sees; empty without torch or CUDA.
    """
    try:
        import torch
    except ImportError:
        return []
    if not torch.cuda.is_available():
        return []
    n = torch.cuda.device_count()
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible:
        return [d.strip() for d in visible.split(",") if d.strip()][:n]
    return [str(i) for i in range(n)]


def gpu_groups(devices: list[str], workers: int) -> list[list[str]]:
    """Share GPUs among workers: one worker per GPU, or an equal share each when fewer.

    Parameters
    ----------
    devices : list of str
        From :func:`cuda_devices`.
    workers : int
        Worker processes asked for.

    Returns
    -------
    groups : list of list of str
        ``workers`` disjoint groups of ``len(devices) // workers`` devices (left-over GPUs stay
        idle).

    Raises
    ------
    InvalidValueError
        More workers than GPUs: two models would share one GPU.
    """
    if workers > len(devices):
        raise InvalidValueError(
            f"Invalid value for 'workers': {workers} workers but {len(devices)} GPU(s) here "
            f"(CUDA_VISIBLE_DEVICES={','.join(devices)}); a sweep runs one worker per GPU so "
            f"that no two models share one. Use --workers {len(devices)} or fewer, or set "
            "device = 'cpu' in the spec."
        )
    share = len(devices) // workers
    return [devices[k * share : (k + 1) * share] for k in range(workers)]


def local_client(workers: int):
    """A ``dask.distributed.Client`` of a new local cluster of ``workers`` processes.

    Parameters
    ----------
    workers : int
        Worker processes (one thread each).

    Returns
    -------
    dask.distributed.Client
        Without CUDA: a plain ``LocalCluster``. With CUDA: each worker sees only its own GPUs
        (see the module docstring) and declares the resource ``GPU``.
    """
    from dask.distributed import Client, LocalCluster

    options = {"threads_per_worker": 1, "processes": True, "dashboard_address": ":0"}
    devices = cuda_devices()
    if not devices:
        return Client(LocalCluster(n_workers=workers, **options))
    groups = gpu_groups(devices, workers)
    if all(len(g) == 1 for g in groups):
        try:
            from dask_cuda import LocalCUDACluster
        except ImportError:
            pass
        else:
            cluster = LocalCUDACluster(
                n_workers=workers,
                CUDA_VISIBLE_DEVICES=",".join(g[0] for g in groups),
                resources={"GPU": 1},
                threads_per_worker=1,
                dashboard_address=":0",
            )
            return Client(cluster)
    return Client(_own_gpu_cluster(groups, resources={"GPU": 1}, **options))


def _own_gpu_cluster(groups: list[list[str]], **kwargs):
    """A LocalCluster whose k-th worker gets ``CUDA_VISIBLE_DEVICES`` = the k-th group."""
    from dask.distributed import LocalCluster

    class OwnGPUCluster(LocalCluster):
        def __init__(self, groups, **kwargs):
            self._groups = [",".join(g) for g in groups]
            super().__init__(n_workers=0, **kwargs)
            self.scale(len(groups))

        def new_worker_spec(self):  # the engine's hook for each new worker
            env = [s["options"].get("env", {}) for s in self.worker_spec.values()]
            used = {e.get("CUDA_VISIBLE_DEVICES") for e in env}
            group = next(g for g in self._groups if g not in used)
            spec = copy.deepcopy(self.new_spec)
            spec["options"]["env"] = {
                **spec["options"].get("env", {}),
                "CUDA_VISIBLE_DEVICES": group,
            }
            return {f"gpu-{group}": spec}

    return OwnGPUCluster(groups, **kwargs)


def _gpu_workers(client) -> list[str]:
    workers = client.scheduler_info().get("workers", {})
    return [a for a, w in workers.items() if w.get("resources", {}).get("GPU")]


def needs_gpu(client, device: str) -> bool:
    """Whether a sweep's runs ask the cluster for a GPU.

    Parameters
    ----------
    client : dask.distributed.Client
    device : str
        The spec's ``device``.

    Returns
    -------
    bool
        True for ``"cuda"``/``"cuda:N"``; for ``"auto"``, when a worker declares a GPU.
    """
    if str(device).startswith("cuda"):
        return True
    if device != "auto":
        return False
    return bool(_gpu_workers(client))


def check_gpu_workers(client, device: str) -> None:
    """Refuse at once a CUDA sweep on a cluster with no GPU worker (its runs would wait forever).

    Parameters
    ----------
    client : dask.distributed.Client
    device : str
        The spec's ``device``.

    Raises
    ------
    InvalidValueError
        ``device`` is CUDA and no worker declares the ``GPU`` resource.
    """
    if not str(device).startswith("cuda") or _gpu_workers(client):
        return
    n = len(client.scheduler_info().get("workers", {}))
    raise InvalidValueError(
        f"Invalid value for 'device': the spec asks for {device!r} but none of the cluster's "
        f"{n} worker(s) has a GPU (none declares the Dask resource 'GPU'), so the runs would "
        "wait forever. Start GPU workers with `dask worker ADDRESS --resources GPU=1` (or "
        "dask-cuda's `dask cuda worker`), run on a machine with CUDA, or set device = 'cpu'."
    )
