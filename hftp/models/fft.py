"""Unit-pooled activations → Spectra sums, one layer block at a time, where the activations are.

:func:`add_pooled` is the probe's last step for each batch: the FFT along units, then the trial
sums of X, |X|, |X|² and X/|X| and the coefficients at the tagged bins, added to a
:class:`~hftp.spectral.accumulate.SpectraAccumulator` layer by layer, so that temporaries stay
the size of one layer's block.

How depends on the device the activations sit on (:data:`SUMMARIZERS`, keyed by
``torch.device.type``):

``"cpu"``
    scipy.fft and numpy, the layers spread over ``torch.get_num_threads()`` threads (both
    release the GIL). torch's complex kernels are several times slower than numpy's on a CPU.
any other (``"cuda"``, ``"mps"``, ``"xpu"``)
    torch on that device; only each layer's (N, F) sums and its tagged coefficients cross to
    the host.

Both give the sums of ``acc.add(condition, rfft_trials(x, drop=drop))`` (tested, float32).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

__all__ = ["add_pooled", "SUMMARIZERS"]


def _numpy_layer(x, drop: int, tagged: list[int]):
    """One layer's trial sums with scipy/numpy.

    Parameters
    ----------
    x : torch.Tensor, shape (B, U, N), on the CPU
    drop : int
    tagged : list of int
        Bins (after the DC bin is removed) whose coefficients are kept.

    Returns
    -------
    sums : dict of str to ndarray, each shape (N, F)
    tagged_x : ndarray, shape (B, N, len(tagged)), complex
    """
    import scipy.fft

    from hftp.spectral.accumulate import trial_sums

    X = scipy.fft.rfft(x[:, drop:, :].float().numpy(), axis=1)[:, 1:, :]  # (B, F, N)
    sums = {k: v.T for k, v in trial_sums(X).items()}  # (N, F) views
    return sums, X[:, tagged, :].transpose(0, 2, 1)


def _torch_layer(x, drop: int, tagged: list[int]):
    """One layer's trial sums with torch on x's device; the results cross to the host.

    Parameters and Returns as :func:`_numpy_layer` (x may sit on any device).
    """
    import torch

    X = torch.fft.rfft(x[:, drop:, :].float().transpose(1, 2), dim=-1)[..., 1:]  # (B, N, F)
    mag = X.abs()
    inv = torch.where(mag > 0, mag.reciprocal(), torch.zeros_like(mag))
    sums = {
        "sum_x": X.sum(0),
        "sum_abs": mag.sum(0),
        "sum_abs2": (mag * mag).sum(0),
        "sum_phase": (X * inv).sum(0),
    }
    host = {k: v.cpu().numpy() for k, v in sums.items()}
    return host, X[..., tagged].cpu().numpy()


#: pooled blocks smaller than this (values) are summed in one thread: below it, starting
#: threads costs more than it saves
THREADED_MIN_SIZE = 2**22


def _numpy_summarizer(acc, condition: str, pooled, drop: int) -> None:
    import torch

    tagged = list(acc.tagged_bins.values())
    n_layers = pooled.shape[0]

    def run(layers) -> None:
        for li in layers:
            sums, tx = _numpy_layer(pooled[li], drop, tagged)
            acc.add_sums(condition, sums, tx, block=(li,))

    n_threads = min(max(torch.get_num_threads(), 1), n_layers)
    if n_threads == 1 or pooled.numel() < THREADED_MIN_SIZE:
        run(range(n_layers))
        return
    with ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="hftp-fft") as ex:
        futures = [ex.submit(run, range(k, n_layers, n_threads)) for k in range(n_threads)]
        for fut in futures:
            fut.result()  # re-raises a layer's error here


def _torch_summarizer(acc, condition: str, pooled, drop: int) -> None:
    tagged = list(acc.tagged_bins.values())
    for li in range(pooled.shape[0]):
        sums, tx = _torch_layer(pooled[li], drop, tagged)
        acc.add_sums(condition, sums, tx, block=(li,))


#: device type -> function (accumulator, condition, pooled (L, B, U, N), drop) adding the
#: batch's sums; device types not listed use ``"default"``
SUMMARIZERS = {"cpu": _numpy_summarizer, "default": _torch_summarizer}


def add_pooled(acc, condition: str, pooled, drop: int) -> None:
    """Add unit-pooled activations to ``acc``, one layer at a time.

    Parameters
    ----------
    acc : SpectraAccumulator
        With channel dims ``(layer, neuron)``.
    condition : str
        The batch's condition (its trials are started here).
    pooled : torch.Tensor, shape (L, B, U, N)
        The batch's activations, on any device.
    drop : int
        Leading units dropped before the FFT.
    """
    acc.start_trials(condition, int(pooled.shape[1]))
    summarize = SUMMARIZERS.get(pooled.device.type, SUMMARIZERS["default"])
    summarize(acc, condition, pooled, drop)
