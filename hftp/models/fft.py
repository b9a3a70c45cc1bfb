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

This module is one idea, a batch of activations turned into Spectra sums where the activations
are; the CPU's way and the accelerator's share one contract and one set of tests, which is why
both live here, and it is longer than most for that reason.
"""

from __future__ import annotations

import logging
import math
from concurrent.futures import ThreadPoolExecutor

from hftp.models.pooling import float_results_ok, forget_float_results

__all__ = [
    "SUMMARIZERS",
    "FLUSH_BATCHES",
    "ZERO_TOLERANCE",
    "NumpySummarizer",
    "DeviceSummarizer",
    "SpectralMatrix",
    "summarizer_for",
    "add_pooled",
    "dft_matrix",
    "block_width",
    "spectral_matrix",
    "pooled_matrix",
    "spectral_product",
    "corrected",
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
        With channel dims ``(layer, neuron)``.
    device : torch.device
        Where the activations are (the CPU).
    """

    #: the probe feeds it unit-pooled (L, B, U, N) blocks (:meth:`add_pooled`)
    fused = False

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

#: coefficients below ``ZERO_TOLERANCE * |mean| * sqrt(n_times)`` count as exactly 0 on the
#: device path. A matrix product leaves rounding noise (~1e-7 of the mean, the same in every
#: trial) where an FFT gives exact zeros, e.g. for a neuron constant over units; that noise would
#: have a perfectly consistent phase. 4e-6 of the mean is far below bfloat16's resolution
#: (4e-3) and above float32 accumulation's noise.
ZERO_TOLERANCE = 4e-6


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


def block_width(n_freq: int) -> int:
    """Columns of a coefficient block: 2F interleaved, one for the token sum, padded to 8.

    Parameters
    ----------
    n_freq : int
        F, the bins after DC.

    Returns
    -------
    int
        The smallest multiple of 8 (aligned rows for the matrix product) above ``2 * n_freq``.
    """
    return (2 * n_freq + 1 + 7) // 8 * 8


class SpectralMatrix:
    """Pooling and the DFT of one batch as one matrix per sequence (see :func:`spectral_matrix`).

    Attributes
    ----------
    exact : torch.Tensor, shape (B, T, W), float64
        ``W = block_width(F)`` columns: 2F interleaved DFT columns of the pooled units, then
        one column of ones at the tokens inside those units (their sum, for the mean), zeros.
    inv_count : torch.Tensor, shape (B,), float32
        1 / the number of those tokens.
    n_freq : int
        F.
    """

    def __init__(self, exact, inv_count, n_freq: int) -> None:
        self.exact = exact
        self.inv_count = inv_count
        self.n_freq = n_freq
        self._cast: dict = {}
        self._used = None

    @property
    def leak(self):
        """The DC leak (B, F, 2) of the matrix last given out by :meth:`cast` (float32 if none)."""
        import torch

        return self.cast(self._used or torch.float32)[1]

    def cast(self, dtype):
        """The matrix in ``dtype`` and its DC leak.

        Parameters
        ----------
        dtype : torch.dtype
            The activations' dtype (float32 where they are upcast).

        Returns
        -------
        matrix : torch.Tensor, shape (B, T, W), ``dtype``
        leak : torch.Tensor, shape (B, F, 2), float32
            What a constant signal of 1 gives at each bin through the rounded matrix (its
            column sums; 0 for the exact one). The summary subtracts ``leak * mean`` so that
            rounding the matrix (bfloat16: 3 significant digits) adds no coherent error to a
            neuron with a large mean.
        """
        if dtype not in self._cast:
            m = self.exact.to(dtype)
            F = self.n_freq
            cols = m[..., : 2 * F].double().sum(1) - self.exact[..., : 2 * F].sum(1)
            self._cast[dtype] = (m, cols.float().view(-1, F, 2))
        self._used = dtype
        return self._cast[dtype]


def spectral_matrix(batch, drop: int, device) -> SpectralMatrix:
    """Pooling and the DFT of one batch as one linear map of each sequence's tokens.

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
    SpectralMatrix
        ``a[b].T @ exact[b]`` (a: (B, T, N) token activations) holds the DFT of sequence b's
        pooled units ``drop:`` (real and imaginary parts interleaved, see :func:`dft_matrix`)
        and the sum of its tokens in those units.
    """
    import torch

    n_seq, n_tok = batch.input_ids.shape
    n_units = batch.n_units
    n_freq = (n_units - drop) // 2
    rows = batch.rows.to(device, non_blocking=True)
    cols = batch.cols.to(device, non_blocking=True)
    weights = batch.weights.to(device, torch.float64, non_blocking=True)
    P = torch.zeros(n_seq * n_units, n_tok, dtype=torch.float64, device=device)
    P.index_put_((rows, torch.remainder(cols, n_tok)), weights)  # (b*U + u, t): the pooling
    P = P.view(n_seq, n_units, n_tok)[:, drop:, :].transpose(1, 2)  # (B, T, U - drop)
    M = torch.zeros(n_seq, n_tok, block_width(n_freq), dtype=torch.float64, device=device)
    M[..., : 2 * n_freq] = torch.matmul(P, dft_matrix(n_units - drop, device))
    inside = (P != 0).any(-1).double()  # (B, T): tokens in the DFT's units
    M[..., 2 * n_freq] = inside
    inv_count = 1.0 / inside.sum(1).clamp(min=1.0)
    return SpectralMatrix(M, inv_count.float(), n_freq)


def pooled_matrix(n_units: int, drop: int, device) -> SpectralMatrix:
    """:func:`spectral_matrix` for unit-pooled activations: the DFT alone, shared by every trial.

    Parameters
    ----------
    n_units : int
        Units per sequence.
    drop : int
        Leading units left out of the DFT.
    device : str or torch.device

    Returns
    -------
    SpectralMatrix
        With a batch dim of 1, to be broadcast over trials.
    """
    import torch

    n_times = n_units - drop
    n_freq = n_times // 2
    M = torch.zeros(1, n_units, block_width(n_freq), dtype=torch.float64, device=device)
    M[0, drop:, : 2 * n_freq] = dft_matrix(n_times, device)
    M[0, drop:, 2 * n_freq] = 1.0
    return SpectralMatrix(M, torch.full((1,), 1.0 / n_times, device=device), n_freq)


def spectral_product(x, matrix: SpectralMatrix, out):
    """One layer's coefficients: ``out[b] = x[b].T @ matrix[b]``, in float32.

    Parameters
    ----------
    x : torch.Tensor, shape (B, T, N)
        Token activations, in the model's dtype, contiguous.
    matrix : SpectralMatrix
        From :func:`spectral_matrix`.
    out : torch.Tensor, shape (B, N, W), float32, contiguous
        Written in place (a row of a coefficient block).

    Returns
    -------
    out : torch.Tensor
        Half-precision activations are multiplied as they are (the matrix rounded to their
        dtype) with float32 results (``out_dtype``), where torch can; elsewhere (older torch, a
        CPU) they are upcast first.
    """
    import torch

    xt = x.transpose(1, 2)  # (B, N, T): a transposed view, no copy
    if x.dtype != torch.float32 and float_results_ok(x.device, x.dtype):
        m, _ = matrix.cast(x.dtype)
        try:
            return torch.bmm(xt, m, out_dtype=torch.float32, out=out)
        except (RuntimeError, TypeError, NotImplementedError):  # not for these strides: upcast
            forget_float_results(x.device, x.dtype)
    m, _ = matrix.cast(torch.float32)
    return torch.bmm(xt.float(), m, out=out)


def corrected(X, leak, inv_count, scale: float):
    """The coefficients of a block without the rounded matrix's DC leak, near-zeros set to 0.

    Parameters
    ----------
    X : torch.Tensor, shape (L, B, N, W // 2, 2), float32
        A coefficient block seen as (real, imaginary) pairs: F bins, then (token sum, 0).
    leak : torch.Tensor, shape (B, F, 2)
        From :meth:`SpectralMatrix.cast`.
    inv_count : torch.Tensor, shape (B,)
    scale : float
        ``(ZERO_TOLERANCE ** 2) * n_times``.

    Returns
    -------
    re, im : torch.Tensor, each shape (L, B, N, F)
        0 where ``|X| <= ZERO_TOLERANCE * |mean| * sqrt(n_times)``.
    """
    import torch

    F = leak.shape[1]
    mean = X[..., F, 0] * inv_count[None, :, None]  # (L, B, N)
    re = X[..., :F, 0] - leak[None, :, None, :, 0] * mean[..., None]
    im = X[..., :F, 1] - leak[None, :, None, :, 1] * mean[..., None]
    tiny = re * re + im * im <= (mean * mean * scale)[..., None]
    zero = torch.zeros((), dtype=X.dtype, device=X.device)
    return torch.where(tiny, zero, re), torch.where(tiny, zero, im)


def _accumulate(X, leak, inv_count, mask, scale, run_x, run_abs, run_abs2, run_phase) -> None:
    """Add the trials of a block where ``mask`` holds to the running sums, all layers at once.

    X as in :func:`corrected`; mask: (B,) bool; run_x, run_phase: (L, N, F, 2) and run_abs,
    run_abs2: (L, N, F), float32, added to in place. Rows outside the mask may hold anything
    (also NaN): they are selected away, never multiplied.
    """
    import torch

    re, im = corrected(X, leak, inv_count, scale)
    keep = mask[None, :, None, None]
    zero = torch.zeros((), dtype=X.dtype, device=X.device)
    re = torch.where(keep, re, zero)
    im = torch.where(keep, im, zero)
    abs2 = re * re + im * im
    mag = torch.sqrt(abs2)
    inv = torch.where(mag > 0, 1.0 / torch.where(mag > 0, mag, 1.0), zero)
    run_x[..., 0] += re.sum(1)
    run_x[..., 1] += im.sum(1)
    run_abs += mag.sum(1)
    run_abs2 += abs2.sum(1)
    run_phase[..., 0] += (re * inv).sum(1)
    run_phase[..., 1] += (im * inv).sum(1)


#: ``torch.compile`` the summary on these device types (one fused kernel instead of ~20
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
        _COMPILED[kind] = torch.compile(_accumulate, fullgraph=True, dynamic=False)
    return _COMPILED[kind]


def _summarize(*args) -> None:
    X = args[0]
    fn = _summary_fn(X.device)
    if fn is _accumulate:
        _accumulate(*args)
        return
    try:
        fn(*args)
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
        _accumulate(*args)


class DeviceSummarizer:
    """Batches → sums on the activations' device; nothing crosses to the host until the end.

    One per accumulator (one per split half). The probe feeds it coefficient blocks
    (:meth:`add_block`, the fused path), or unit-pooled (L, B, U, N) blocks (:meth:`add_pooled`,
    when the pooled units are needed too: a lexical baseline, raw activations saved). Call
    :meth:`finish` before building the Spectra.

    Parameters
    ----------
    acc : SpectraAccumulator
        With channel dims ``(layer, neuron)``; it gets the sums (and kept trials) once, in
        :meth:`finish`.
    device : torch.device
        Where the activations are.
    """

    fused = True

    def __init__(self, acc, device) -> None:
        import torch

        self.acc = acc
        self.device = torch.device(device)
        self.keep = bool(acc.keep_trials and acc.tagged_bins)
        # the tagged bins' positions, on the device once (indexing with a list would copy it
        # there at every batch)
        tagged = list(acc.tagged_bins.values())
        self._tagged = torch.tensor(tagged, device=self.device)
        self._tagged_and_sum = torch.tensor([*tagged, acc.freqs.size], device=self.device)
        self._scale = ZERO_TOLERANCE**2 * 2 * acc.freqs.size
        self._condition = None
        self._run = None  # float32 running sums
        self._trials = None  # (capacity, L, N, n_tagged) complex64
        self._n = 0  # trials in the running sums
        self._batches = 0
        self._totals: dict = {}  # condition -> float64 totals on the device (SUM_VARS order)
        self._kept: dict = {}  # condition -> the device buffers of its kept trials
        self._count: dict = {}  # condition -> trials

    def add_block(self, condition: str, block, matrix: SpectralMatrix, rows: slice) -> None:
        """Add the trials at ``rows`` of a coefficient block.

        Parameters
        ----------
        condition : str
            The batch's condition.
        block : torch.Tensor, shape (L, B, N, W), float32
            From :func:`spectral_product` (``W = block_width(F)``); rows outside ``rows`` are
            ignored (they may hold anything).
        matrix : SpectralMatrix
            The batch's matrix (its DC leak and token counts; a batch dim of 1 is broadcast).
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
        F = matrix.n_freq
        with torch.inference_mode():  # the block is an inference tensor (made in a hook)
            X = block.view(n_layers, n_rows, n_neurons, width // 2, 2)
            leak, inv_count = matrix.leak, matrix.inv_count
            if leak.shape[0] == 1:  # one matrix for every trial (pooled activations)
                leak = leak.expand(n_rows, -1, -1)
                inv_count = inv_count.expand(n_rows)
            elif leak.shape[0] < n_rows:  # a short batch: its block's later rows are stale
                pad = n_rows - leak.shape[0]
                leak = torch.cat([leak, leak.new_zeros(pad, *leak.shape[1:])])
                inv_count = torch.cat([inv_count, inv_count.new_zeros(pad)])
            if self._run is None:
                cplx, real = (n_layers, n_neurons, F, 2), (n_layers, n_neurons, F)
                self._run = tuple(  # sum_x, sum_abs, sum_abs2, sum_phase
                    torch.zeros(shape, dtype=torch.float32, device=self.device)
                    for shape in (cplx, real, real, cplx)
                )
            # which rows are this accumulator's, made on the device (no host-to-device copy)
            ar = torch.arange(n_rows, device=self.device)
            mask = (ar >= start) & (ar < stop) & (torch.remainder(ar - start, step) == 0)
            _summarize(X, leak, inv_count, mask, self._scale, *self._run)
            if self.keep:
                self._keep_trials(X, leak, inv_count, slice(start, stop, step), n)
        self._n += n
        self._batches += 1

    def _keep_trials(self, X, leak, inv_count, rows: slice, n: int) -> None:
        """Copy the coefficients at the tagged bins of the trials at ``rows`` to the buffer."""
        import torch

        n_layers, _, n_neurons, _, _ = X.shape
        if self._trials is None or self._trials.shape[0] < n:
            cap = max(FLUSH_BATCHES * X.shape[1], n)
            shape = (cap, n_layers, n_neurons, self._tagged.numel())
            self._trials = torch.empty(shape, dtype=torch.complex64, device=self.device)
        sub = X[:, rows].index_select(3, self._tagged_and_sum)  # (L, n, N, n_tag + 1, 2)
        leak = leak[rows].index_select(1, self._tagged)
        re, im = corrected(sub, leak, inv_count[rows], self._scale)
        dst = torch.view_as_real(self._trials[self._n : self._n + n])  # (n, L, N, n_tag, 2)
        dst[..., 0].copy_(re.transpose(0, 1))
        dst[..., 1].copy_(im.transpose(0, 1))

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

        with torch.inference_mode():
            matrix = pooled_matrix(pooled.shape[2], drop, pooled.device)
            m, _ = matrix.cast(torch.float32)
            X = torch.matmul(pooled.transpose(2, 3).float(), m[0])  # (L, B, N, W)
        self.add_block(condition, X, matrix, slice(None))

    def flush(self) -> None:
        """Add the running sums to the float64 totals on the device (and keep their trials)."""
        if self._n == 0:
            return
        import torch

        n, cond = self._n, self._condition
        with torch.inference_mode():
            run_x, run_abs, run_abs2, run_phase = self._run
            totals = self._totals.get(cond)
            if totals is None:
                z = lambda t, dt: torch.zeros(t.shape[:3], dtype=dt, device=self.device)  # noqa: E731
                totals = (
                    z(run_x, torch.complex128),
                    z(run_abs, torch.float64),
                    z(run_abs2, torch.float64),
                    z(run_phase, torch.complex128),
                )
                self._totals[cond] = totals
            totals[0].add_(torch.view_as_complex(run_x))
            totals[1].add_(run_abs)
            totals[2].add_(run_abs2)
            totals[3].add_(torch.view_as_complex(run_phase))
            for t in self._run:
                t.zero_()
        if self.keep:  # this buffer is kept; the next batch gets a new one
            self._kept.setdefault(cond, []).append(self._trials[:n])
            self._trials = None
        self._count[cond] = self._count.get(cond, 0) + n
        self._n = 0
        self._batches = 0

    def finish(self) -> None:
        """Flush, then hand every condition's totals and kept trials to the accumulator: the one
        crossing to the host, straight into its arrays (:meth:`SpectraAccumulator.receive`)."""
        self.flush()
        self._run = None
        self._trials = None
        for cond in list(self._totals):
            self._hand_over(cond)

    def _hand_over(self, cond: str) -> None:
        import torch

        from hftp.spectral.accumulate import SUM_VARS

        acc, n = self.acc, self._count.pop(cond)
        totals, kept = self._totals.pop(cond), self._kept.pop(cond, [])
        if cond not in acc.conditions:
            host, room = acc.receive(cond, n)
            for var, t in zip(SUM_VARS, totals, strict=True):
                torch.from_numpy(host[var]).copy_(t)
            k = 0
            for buf in kept:
                torch.from_numpy(room[k : k + len(buf)]).copy_(buf)
                k += len(buf)
            return
        # the accumulator has this condition already (sums added before): add through add_sums
        acc.start_trials(cond, n)
        sums = {var: t.cpu().numpy() for var, t in zip(SUM_VARS, totals, strict=True)}
        acc.add_sums(cond, sums, torch.cat(kept).cpu().numpy() if kept else None)


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
        With channel dims ``(layer, neuron)``.
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
