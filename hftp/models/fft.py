"""Activations → Spectra sums where the activations are: the device-keyed summarizers.

Each batch of a probe ends here: the Fourier coefficients X of every trial along units, then the
trial sums of X, |X|, |X|² and X/|X| and the coefficients at the tagged bins, added to a
:class:`~hftp.spectral.accumulate.SpectraAccumulator`. How depends on the device the activations
sit on (:data:`SUMMARIZERS`, keyed by ``torch.device.type``):

``"cpu"``: :class:`NumpySummarizer`
    The unit-pooled (L, B, U, N) block goes through scipy.fft and numpy, layer by layer, the
    layers spread over ``torch.get_num_threads()`` threads (both release the GIL), into float64
    totals on the host. torch's complex kernels are several times slower than numpy's on a CPU.
any other (``"cuda"``, ``"mps"``, ``"xpu"``): :class:`DeviceSummarizer`
    Nothing crosses to the host until the Spectra are built, and nothing waits for the device:

    - pooling and the DFT are one linear map of a sequence's tokens, so the probe's hooks
      compute each layer's coefficients straight from its token activations (B, T, N): one
      batched product with the batch's (B, T, 2F) matrix :func:`spectral_matrix` (built in
      float64 on the device, applied in the activations' dtype with float32 results,
      :func:`spectral_product`), written into a reused (L, B, N, 2F) float32 block; no float32
      copy of the activations, no pooled block, no FFT call;
    - one call per batch (compiled with ``torch.compile`` on CUDA) reads the whole block once
      and adds the sums of all layers into float32 running sums, and the tagged coefficients
      are gathered into a trial buffer, both on the device;
    - every :data:`FLUSH_BATCHES` batches (and at the end of a condition) the running sums are
      added to the accumulator's float64 totals, which live on the same device; float32 only
      ever sums at most ``FLUSH_BATCHES * batch size`` trials (error tested against float64).

    The accumulator's totals and kept trials cross to the host once, in
    :meth:`~hftp.spectral.accumulate.SpectraAccumulator.to_dataset`.

Both give the sums of ``acc.add(condition, rfft_trials(x, drop=drop))`` (tested, float32). With
bfloat16 activations the (T, 2F) matrix is applied in bfloat16 (float32 accumulation): the error
this adds to X is about half of what rounding the activations to bfloat16 already put there
(relative 9e-4 against 1.7e-3 in a test), so spectra stay within bfloat16 precision.
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor

__all__ = [
    "SUMMARIZERS",
    "FLUSH_BATCHES",
    "NumpySummarizer",
    "DeviceSummarizer",
    "summarizer_for",
    "add_pooled",
    "dft_matrix",
    "spectral_matrix",
    "spectral_product",
]

logger = logging.getLogger("hftp")

#: batches whose sums a DeviceSummarizer keeps in float32 before adding them to the float64 totals
FLUSH_BATCHES = 8

#: pooled blocks smaller than this (values) are summed in one thread: below it, starting
#: threads costs more than it saves
THREADED_MIN_SIZE = 2**22


# ----------------------------------------------------------------------------- numpy (CPU)


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


class NumpySummarizer:
    """Pooled batches → float64 totals on the host with scipy.fft and numpy (the CPU path).

    Parameters
    ----------
    acc : SpectraAccumulator
        With channel dims ``(layer, neuron)`` and its totals on the host (``device=None``).
    device : torch.device
        Where the activations are (the CPU).
    """

    #: the probe feeds it unit-pooled (L, B, U, N) blocks (:meth:`add_pooled`)
    fused = False
    #: its accumulator keeps numpy totals on the host
    host_totals = True

    def __init__(self, acc, device) -> None:
        self.acc = acc
        self.device = device

    def add_pooled(self, condition: str, pooled, drop: int) -> None:
        """Add one batch of unit-pooled activations.

        Parameters
        ----------
        condition : str
            The batch's condition (its trials are started here).
        pooled : torch.Tensor, shape (L, B, U, N), on the CPU
        drop : int
            Leading units dropped before the FFT.
        """
        import torch

        acc = self.acc
        acc.start_trials(condition, int(pooled.shape[1]))
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

    def finish(self) -> None:
        """Nothing is held back: every batch went straight to the totals."""


# ----------------------------------------------------------------------- device (any other)


def dft_matrix(n_times: int, device, dtype=None):
    """The real DFT of ``n_times`` samples as a matrix, bins 1 to ``n_times // 2`` (no DC).

    Parameters
    ----------
    n_times : int
        Samples (units) per trial.
    device : str or torch.device
    dtype : torch.dtype, optional
        Default float64.

    Returns
    -------
    W : torch.Tensor, shape (n_times, 2 * F), F = n_times // 2
        Columns ``2f`` and ``2f + 1`` hold cos and -sin of bin ``f + 1``, so that ``x @ W`` is
        ``rfft(x)[1:]`` with real and imaginary parts interleaved (a complex view).
    """
    import torch

    n_freq = n_times // 2
    u = torch.arange(n_times, dtype=torch.float64, device=device)[:, None]
    f = torch.arange(1, n_freq + 1, dtype=torch.float64, device=device)[None, :]
    angle = (2 * math.pi / n_times) * torch.remainder(u * f, n_times)  # exact phase, then angle
    W = torch.stack([torch.cos(angle), -torch.sin(angle)], dim=-1).reshape(n_times, 2 * n_freq)
    return W if dtype is None else W.to(dtype)


def spectral_matrix(batch, drop: int, device):
    """Pooling and the DFT of one batch as one matrix per sequence.

    Parameters
    ----------
    batch : hftp.models.pooling.Batch
        Its pooling weights (``rows``, ``cols``, ``weights``), ``n_units`` and ``input_ids``.
    drop : int
        Leading units left out of the DFT.
    device : str or torch.device
        Where the matrix is built (the activations' device); the weights go there without
        waiting (``non_blocking``).

    Returns
    -------
    M : torch.Tensor, shape (B, T, 2F), float64
        ``a[b].T @ M[b]`` (a: (B, T, N) token activations) is the DFT of sequence b's pooled
        units ``drop:``, real and imaginary parts interleaved (see :func:`dft_matrix`).
    """
    import torch

    n_seq, n_tok = batch.input_ids.shape
    n_units = batch.n_units
    rows = batch.rows.to(device, non_blocking=True)
    cols = batch.cols.to(device, non_blocking=True)
    weights = batch.weights.to(device, torch.float64, non_blocking=True)
    P = torch.zeros(n_seq * n_units, n_tok, dtype=torch.float64, device=device)
    P.index_put_((rows, torch.remainder(cols, n_tok)), weights)  # (b*U + u, t): the pooling
    P = P.view(n_seq, n_units, n_tok)[:, drop:, :]
    return torch.matmul(P.transpose(1, 2), dft_matrix(n_units - drop, device))


_OUT_DTYPE_OK: dict = {}


def _out_dtype_ok(device, dtype) -> bool:
    """Whether ``torch.bmm(..., out_dtype=float32, out=...)`` works for ``dtype`` there (torch >= 2.8
    on CUDA); found out once per device type and dtype."""
    import torch

    key = (torch.device(device).type, dtype)
    if key not in _OUT_DTYPE_OK:
        try:
            a = torch.zeros(1, 2, 2, dtype=dtype, device=device)
            out = torch.empty(1, 2, 2, dtype=torch.float32, device=device)
            torch.bmm(a, a, out_dtype=torch.float32, out=out)
            _OUT_DTYPE_OK[key] = True
        except (TypeError, RuntimeError, NotImplementedError):
            _OUT_DTYPE_OK[key] = False
    return _OUT_DTYPE_OK[key]


def spectral_product(x, matrix, out):
    """One layer's coefficients: ``out[b] = x[b].T @ matrix[b]``, in float32.

    Parameters
    ----------
    x : torch.Tensor, shape (B, T, N)
        Token activations, in the model's dtype, contiguous.
    matrix : torch.Tensor, shape (B, T, 2F), float64
        From :func:`spectral_matrix`.
    out : torch.Tensor, shape (B, N, 2F), float32, contiguous
        Written in place.

    Returns
    -------
    out : torch.Tensor
        Half-precision activations are multiplied as they are, with float32 results
        (``out_dtype``), where torch can; elsewhere (older torch, a CPU) they are upcast first.
    """
    import torch

    xt = x.transpose(1, 2)  # (B, N, T): a transposed view, no copy
    if x.dtype != torch.float32 and _out_dtype_ok(x.device, x.dtype):
        return torch.bmm(xt, matrix.to(x.dtype), out_dtype=torch.float32, out=out)
    return torch.bmm(xt.float(), matrix.float(), out=out)


def _accumulate(X, mask, run_x, run_abs, run_abs2, run_phase) -> None:
    """Add the trials of ``X`` where ``mask`` holds to the running sums (all layers at once).

    X: (L, B, N, F, 2) float32 (real, imaginary); mask: (B,) bool; run_x, run_phase: (L, N, F, 2)
    and run_abs, run_abs2: (L, N, F), float32, added to in place. Rows outside the mask may hold
    anything (also NaN): they are selected away, never multiplied.
    """
    import torch

    re, im = X[..., 0], X[..., 1]
    keep = mask[None, :, None, None]
    zero = torch.zeros((), dtype=X.dtype, device=X.device)
    abs2 = torch.where(keep, re * re + im * im, zero)
    mag = torch.sqrt(abs2)
    inv = torch.where(mag > 0, 1.0 / mag, zero)
    re = torch.where(keep, re, zero)
    im = torch.where(keep, im, zero)
    run_x[..., 0] += re.sum(1)
    run_x[..., 1] += im.sum(1)
    run_abs += mag.sum(1)
    run_abs2 += abs2.sum(1)
    run_phase[..., 0] += (re * inv).sum(1)
    run_phase[..., 1] += (im * inv).sum(1)


#: ``torch.compile`` the summary on these device types (one fused kernel instead of ~15
#: passes over the block); elsewhere it runs eagerly
COMPILE_ON = {"cuda"}
_COMPILED: dict = {}


def _summary_fn(device):
    """The summary for ``device``: compiled on :data:`COMPILE_ON` devices, else eager."""
    import torch

    kind = torch.device(device).type
    if kind not in COMPILE_ON or not hasattr(torch, "compile"):
        return _accumulate
    if kind not in _COMPILED:
        _COMPILED[kind] = torch.compile(_accumulate, fullgraph=True)
    return _COMPILED[kind]


def _summarize(X, mask, run) -> None:
    fn = _summary_fn(X.device)
    if fn is _accumulate:
        _accumulate(X, mask, *run)
        return
    try:
        fn(X, mask, *run)
    except Exception as exc:  # noqa: BLE001 - a compiler failure must not lose the probe
        kind = X.device.type
        logger.warning(
            "hftp: torch.compile of the probe's summary failed on %s (%s: %s); summing "
            "eagerly (correct, slower). Set hftp.models.fft.COMPILE_ON = set() to skip it.",
            kind,
            type(exc).__name__,
            exc,
        )
        _COMPILED[kind] = _accumulate
        _accumulate(X, mask, *run)


class DeviceSummarizer:
    """Batches → sums on the activations' device; nothing crosses to the host until the end.

    One per accumulator (one per split half). The probe feeds it (L, B, N, 2F) coefficient
    blocks (:meth:`add_block`, the fused path), or unit-pooled (L, B, U, N) blocks
    (:meth:`add_pooled`, when the pooled units are needed too: a lexical baseline, raw
    activations saved). Call :meth:`finish` before building the Spectra.

    Parameters
    ----------
    acc : SpectraAccumulator
        With channel dims ``(layer, neuron)`` and ``device`` set to ``device``.
    device : torch.device
        Where the activations are.
    """

    fused = True
    host_totals = False

    def __init__(self, acc, device) -> None:
        import torch

        self.acc = acc
        self.device = torch.device(device)
        self.keep = bool(acc.keep_trials and acc.tagged_bins)
        # the tagged bins' positions, on the device once (indexing with a list would copy it
        # there at every batch)
        self._tagged = torch.tensor(list(acc.tagged_bins.values()), device=self.device)
        self._condition = None
        self._run = None  # float32 running sums
        self._trials = None  # (capacity, L, N, n_tagged) complex64
        self._n = 0  # trials in the running sums
        self._batches = 0

    def add_block(self, condition: str, block, rows: slice) -> None:
        """Add the trials at ``rows`` of a coefficient block.

        Parameters
        ----------
        condition : str
            The batch's condition.
        block : torch.Tensor, shape (L, B, N, 2F), float32
            Interleaved real and imaginary parts (as from :func:`spectral_product`); rows
            outside ``rows`` are ignored (they may hold anything).
        rows : slice
            This accumulator's trials among the block's rows (e.g. every other one for a
            split half).
        """
        import torch

        n_layers, n_rows, n_neurons, width = block.shape
        start, stop, step = rows.indices(n_rows)
        n = len(range(start, stop, step))
        if n == 0:
            return
        full = self.keep and self._trials is not None and self._n + n > self._trials.shape[0]
        if condition != self._condition or self._batches >= FLUSH_BATCHES or full:
            self.flush()
            self._condition = condition
        with torch.inference_mode():  # the block is an inference tensor (made in a hook)
            X = block.view(n_layers, n_rows, n_neurons, width // 2, 2)
            if self._run is None:
                cplx, real = (n_layers, n_neurons, width // 2, 2), (n_layers, n_neurons, width // 2)
                self._run = tuple(  # sum_x, sum_abs, sum_abs2, sum_phase
                    torch.zeros(shape, dtype=torch.float32, device=self.device)
                    for shape in (cplx, real, real, cplx)
                )
            if self.keep and (self._trials is None or self._trials.shape[0] < n):
                shape = (max(FLUSH_BATCHES * n_rows, n), n_layers, n_neurons, self._tagged.numel())
                self._trials = torch.empty(shape, dtype=torch.complex64, device=self.device)
            # which rows are this accumulator's, made on the device (no host-to-device copy)
            ar = torch.arange(n_rows, device=self.device)
            mask = (ar >= start) & (ar < stop) & (torch.remainder(ar - start, step) == 0)
            _summarize(X, mask, self._run)
            if self.keep:
                coeffs = X[:, start:stop:step].index_select(3, self._tagged)  # (L, n, N, n_tag, 2)
                dst = torch.view_as_real(self._trials[self._n : self._n + n])
                dst.copy_(coeffs.permute(1, 0, 2, 3, 4))
        self._n += n
        self._batches += 1

    def add_pooled(self, condition: str, pooled, drop: int) -> None:
        """Add one batch of unit-pooled activations (the DFT as a matrix product, then
        :meth:`add_block`).

        Parameters
        ----------
        condition : str
        pooled : torch.Tensor, shape (L, B, U, N), float32, on :attr:`device`
        drop : int
            Leading units dropped before the DFT.
        """
        import torch

        n_units = pooled.shape[2]
        with torch.inference_mode():
            W = dft_matrix(n_units - drop, pooled.device, torch.float32)
            X = torch.matmul(pooled[:, :, drop:, :].transpose(2, 3).float(), W)  # (L, B, N, 2F)
        self.add_block(condition, X, slice(None))

    def flush(self) -> None:
        """Add the running sums (and their trials) to the accumulator's float64 totals."""
        if self._n == 0:
            return
        import torch

        acc, n, cond = self.acc, self._n, self._condition
        run_x, run_abs, run_abs2, run_phase = self._run
        with torch.inference_mode():
            acc.start_trials(cond, n)
            sums = {
                "sum_x": torch.view_as_complex(run_x),
                "sum_abs": run_abs,
                "sum_abs2": run_abs2,
                "sum_phase": torch.view_as_complex(run_phase),
            }
            acc.add_sums(cond, sums, self._trials[:n] if self.keep else None)
            for t in self._run:
                t.zero_()
        self._n = 0
        self._batches = 0

    def finish(self) -> None:
        """Flush what is left and free the running buffers."""
        self.flush()
        self._run = None
        self._trials = None


#: device type -> summarizer class; device types not listed use ``"default"``
SUMMARIZERS = {"cpu": NumpySummarizer, "default": DeviceSummarizer}


def summarizer_for(device):
    """The summarizer class for activations on ``device`` (:data:`SUMMARIZERS`).

    Parameters
    ----------
    device : torch.device

    Returns
    -------
    type
        :class:`NumpySummarizer` or :class:`DeviceSummarizer` (or what the registry holds).
    """
    import torch

    return SUMMARIZERS.get(torch.device(device).type, SUMMARIZERS["default"])


def add_pooled(acc, condition: str, pooled, drop: int) -> None:
    """Add unit-pooled activations to ``acc`` (one batch, no state kept between calls).

    Parameters
    ----------
    acc : SpectraAccumulator
        With channel dims ``(layer, neuron)`` (totals on ``pooled``'s device for a device
        summarizer).
    condition : str
        The batch's condition (its trials are started here).
    pooled : torch.Tensor, shape (L, B, U, N)
        The batch's activations, on any device.
    drop : int
        Leading units dropped before the FFT.
    """
    summarizer = summarizer_for(pooled.device)(acc, pooled.device)
    summarizer.add_pooled(condition, pooled, drop)
    summarizer.finish()
