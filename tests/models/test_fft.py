"""Pooled activations → Spectra sums: every summarizer equals the reference FFT path."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hftp.models import fft
from hftp.spectral.accumulate import SUM_VARS, SpectraAccumulator, freq_axis, rfft_trials

L, B, U, N = 3, 5, 24, 7  # layers, sequences, units, neurons


def _acc():
    return SpectraAccumulator(
        channel_dims=("layer", "neuron"),
        channel_coords={"layer": np.arange(L), "neuron": np.arange(N)},
        freqs=freq_axis(U - 4, 4.0),
        sfreq=4.0,
        tagged_hz={"sentence": 1.0, "phrase": 2.0},
        n_times=U - 4,
    )


@pytest.fixture
def pooled():
    x = torch.from_numpy(np.random.default_rng(0).standard_normal((L, B, U, N)).astype("f4"))
    x[1, :, :, 3] = 2.5  # a constant neuron: X = 0 at every bin, its phase must be 0, not NaN
    return x


# the threshold for threads only concerns the numpy ("cpu") summarizer
@pytest.mark.parametrize(("path", "threaded"), [("cpu", False), ("cpu", True), ("default", False)])
def test_summarizers_equal_the_reference_fft(pooled, monkeypatch, path, threaded):
    ref = _acc()
    ref.add("c", rfft_trials(pooled.permute(1, 0, 3, 2).double().numpy(), drop=4))
    expected = ref.to_dataset()
    monkeypatch.setitem(fft.SUMMARIZERS, "cpu", fft.SUMMARIZERS[path])
    if threaded:
        monkeypatch.setattr(fft, "THREADED_MIN_SIZE", 1)
        monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    acc = _acc()
    half = B // 2  # two batches into one accumulator, as the probe adds them
    fft.add_pooled(acc, "c", pooled[:, :half], 4)
    fft.add_pooled(acc, "c", pooled[:, half:], 4)
    got = acc.to_dataset()
    for var in SUM_VARS:
        scale = np.abs(expected[var].values).max()
        np.testing.assert_allclose(got[var].values, expected[var].values, atol=1e-5 * scale)
    np.testing.assert_allclose(got["trial_x"].values, expected["trial_x"].values, atol=1e-4)
    assert np.all(np.isfinite(got["sum_phase"].values))
    assert np.all(got["sum_phase"].values[0, 1, 3] == 0)  # the constant neuron
    assert int(got["n_trials"].values[0]) == B


def test_a_failing_layer_is_raised_from_the_threads(pooled, monkeypatch):
    monkeypatch.setattr(fft, "THREADED_MIN_SIZE", 1)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)

    def boom(x, drop, tagged):
        raise RuntimeError("layer failed")

    monkeypatch.setattr(fft, "_numpy_layer", boom)
    with pytest.raises(RuntimeError, match="layer failed"):
        fft.add_pooled(_acc(), "c", pooled, 4)


def test_add_sums_checks_the_block_shape():
    from hftp._validation import InvalidValueError

    acc = _acc()
    acc.start_trials("c", 2)
    bad = {v: np.zeros((N + 1, acc.freqs.size)) for v in SUM_VARS}
    with pytest.raises(
        InvalidValueError, match=r"sums\['sum_x'\].*expected \(7, 10\).*got \(8, 10\)"
    ):
        acc.add_sums("c", bad, np.zeros((2, N + 1, 2)), block=(0,))


def _snapshot(acc):
    return {v: acc._sums["c"][v].copy() for v in SUM_VARS}


def test_add_sums_checks_everything_before_adding():
    from hftp._validation import InvalidValueError

    acc = _acc()  # keep_trials=True: the tagged coefficients are required
    acc.start_trials("c", 2)
    F = acc.freqs.size
    good = {v: np.ones((N, F)) for v in SUM_VARS}
    before = _snapshot(acc)
    with pytest.raises(InvalidValueError, match=r"'sums'.*\['sum_phase'\] missing"):
        acc.add_sums("c", {v: good[v] for v in SUM_VARS[:3]}, None, block=(0,))
    with pytest.raises(
        InvalidValueError, match=r"sums\['sum_abs'\].*expected \(7, 10\).*got \(10,\)"
    ):
        acc.add_sums("c", {**good, "sum_abs": np.ones(F)}, np.zeros((2, N, 2)), block=(0,))
    with pytest.raises(InvalidValueError, match=r"'tagged_x'.*expected \(2, 7, 2\).*got None"):
        acc.add_sums("c", good, None, block=(0,))
    with pytest.raises(InvalidValueError, match=r"'tagged_x'.*got \(3, 7, 2\)"):
        acc.add_sums("c", good, np.zeros((3, N, 2)), block=(0,))
    for v in SUM_VARS:  # a refused call added nothing
        np.testing.assert_array_equal(acc._sums["c"][v], before[v])
    with pytest.raises(InvalidValueError, match="'condition'.*no trials started"):
        acc.add_sums("d", good, np.zeros((2, N, 2)), block=(0,))
    acc.add_sums("c", good, np.zeros((2, N, 2)), block=(0,))
    assert acc._sums["c"]["sum_abs"][0].sum() == N * F


def test_to_dataset_is_a_copy():
    acc = _acc()
    X = rfft_trials(np.random.default_rng(1).standard_normal((2, L, N, U)), drop=4)
    acc.add("c", X)
    ds = acc.to_dataset()
    first = ds["sum_abs"].values.copy()
    acc.add("c", X)
    np.testing.assert_array_equal(ds["sum_abs"].values, first)


# --------------------------------------------------------------------------- the device path
# On a CPU, SUMMARIZERS["cpu"] = DeviceSummarizer forces the accelerator's code path: the hooks
# go straight to coefficients (iter_spectral), the sums stay in torch tensors on the
# activations' device until the Spectra are built.

EN = "fat rat sensed fear big dog chased cats old cow ate grass quizzically unbelievable".split()


@pytest.fixture(scope="module")
def tiny():
    from hftp.testing import tiny_model, tiny_tokenizer

    return tiny_model("llama"), tiny_tokenizer()


def _stim(n_seq: int, n_units: int = 16, seed: int = 1):
    from hftp.testing import make_stim

    rng = np.random.default_rng(seed)
    seqs = [list(rng.choice(EN, n_units)) for _ in range(n_seq)]
    half = n_seq // 2
    return make_stim(seqs, condition=["exp"] * half + ["ctrl"] * (n_seq - half))


@pytest.fixture
def device_path(monkeypatch):
    monkeypatch.setitem(fft.SUMMARIZERS, "cpu", fft.DeviceSummarizer)


def _assert_same_spectra(got, want, rtol=2e-5):
    assert set(got.data_vars) == set(want.data_vars)
    for var in want.data_vars:
        a, b = got[var].values, want[var].values
        if var == "n_trials":
            np.testing.assert_array_equal(a, b)
            continue
        scale = np.nanmax(np.abs(b))
        np.testing.assert_allclose(a, b, atol=rtol * scale, rtol=0, err_msg=var)
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=var)


@pytest.mark.parametrize(
    "kw",
    [
        {"batch_size": 2},
        {"batch_size": 3, "split": True, "drop_units": 4},
        {"batch_size": 4, "pooling": "last", "layers": [0, 2]},
        {"batch_size": 3, "lexical_baseline": "random-words"},  # the pooled device path
    ],
)
def test_device_path_gives_the_numpy_paths_spectra(tiny, kw, monkeypatch):
    model, tok = tiny
    stim = _stim(7)
    if "lexical_baseline" in kw:
        stim = _stim(8)
        stim.units["condition"] = np.where(stim.units["sequence"] % 2, "random-words", "exp")
    want = hftp_probe(model, tok, stim, **kw)
    monkeypatch.setitem(fft.SUMMARIZERS, "cpu", fft.DeviceSummarizer)
    got = hftp_probe(model, tok, stim, **kw)
    _assert_same_spectra(got, want)
    same = lambda attrs: {k: v for k, v in attrs.items() if k != "created"}  # noqa: E731
    assert same(got.attrs) == same(want.attrs)


def hftp_probe(model, tok, stim, **kw):
    import hftp

    return hftp.probe(model, tok, stim, progress=False, **kw)


def test_device_path_runs_the_fused_hooks(tiny, device_path, monkeypatch):
    from hftp.models import probing

    calls = {"spectral": 0, "pooled": 0}
    for name in ("iter_spectral", "iter_pooled"):
        real = getattr(probing, name)

        def counted(*a, _real=real, _key=name.split("_")[1], **k):
            calls[_key] += 1
            return _real(*a, **k)

        monkeypatch.setattr(probing, name, counted)
    hftp_probe(*tiny, _stim(4))
    assert calls == {"spectral": 1, "pooled": 0}


#: what makes torch copy to the host or wait for the device
_TRANSFERS = ("cpu", "numpy", "item", "tolist", "__bool__", "__float__", "__int__", "__array__")


def _count_host_transfers(monkeypatch):
    """Count the calls from hftp's own code that would cross to the host or synchronise."""
    import sys

    counts: dict[str, int] = {}

    def wrap(name, real):
        def wrapper(self, *a, **k):
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if caller.startswith("hftp."):
                counts[f"{caller}.{name}"] = counts.get(f"{caller}.{name}", 0) + 1
            return real(self, *a, **k)

        return wrapper

    for name in _TRANSFERS:
        monkeypatch.setattr(torch.Tensor, name, wrap(name, getattr(torch.Tensor, name)))
    real_to = torch.Tensor.to

    def to(self, *a, **k):
        target = a[0] if a else k.get("device")
        if isinstance(target, str | torch.device) and torch.device(target).type == "cpu":
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if caller.startswith("hftp.") and self.device.type != "cpu":
                counts[f"{caller}.to"] = counts.get(f"{caller}.to", 0) + 1
        return real_to(self, *a, **k)

    monkeypatch.setattr(torch.Tensor, "to", to)
    return counts


@pytest.mark.parametrize("split", [False, True])
def test_device_path_makes_no_host_transfer_per_batch(tiny, device_path, monkeypatch, split):
    model, tok = tiny
    few, many = _stim(4), _stim(12)
    seen = []
    for stim in (few, many):  # 2 and 6 batches of 2
        with monkeypatch.context() as m:
            counts = _count_host_transfers(m)
            hftp_probe(model, tok, stim, batch_size=2, split=split)
        seen.append(dict(counts))
    assert seen[0] == seen[1], "a host transfer per batch"
    # what crosses does so when the Spectra are built, in spectral.accumulate
    assert all(k.startswith("hftp.spectral.accumulate.") for k in seen[1]), seen[1]


def test_running_float32_sums_match_float64():
    # 40 batches of 8 trials of coefficients with a large common part (the hard case for a
    # float32 sum): float32 only ever holds FLUSH_BATCHES batches, then the float64 totals take
    # them. The same float32 coefficients summed in float64 are the reference.
    from hftp.spectral.accumulate import trial_sums

    rng = np.random.default_rng(3)
    n_batches, n_trials, F = 40, 8, (U - 4) // 2
    X = 30.0 + 20.0j + rng.standard_normal((n_batches, L, n_trials, N, F)) * (1 + 1j)
    X = X.astype(np.complex64)
    matrix = fft.pooled_matrix(U, 4, "cpu")  # the token-sum column stays 0: no DC correction
    acc = SpectraAccumulator(
        channel_dims=("layer", "neuron"),
        channel_coords={"layer": np.arange(L), "neuron": np.arange(N)},
        freqs=freq_axis(U - 4, 4.0),
        sfreq=4.0,
        tagged_hz={"sentence": 1.0, "phrase": 2.0},
        n_times=U - 4,
    )
    summ = fft.DeviceSummarizer(acc, torch.device("cpu"))
    width = fft.block_width(F)
    for k in range(n_batches):
        block = torch.zeros(L, n_trials, N, width)
        block[..., : 2 * F] = torch.view_as_real(torch.from_numpy(X[k])).reshape(L, n_trials, N, -1)
        summ.add_block("c", block, matrix, slice(None))
    summ.finish()
    got = acc.to_dataset()
    trials = X.transpose(0, 2, 1, 3, 4).reshape(-1, L, N, F).astype(np.complex128)
    want = trial_sums(trials)
    for var in SUM_VARS:  # relative to each total's largest value
        err = np.abs(got[var].values[0] - want[var]).max() / np.abs(want[var]).max()
        assert err < 1e-6, (var, err)
    tagged = list(acc.tagged_bins.values())
    np.testing.assert_array_equal(got["trial_x"].values[0], trials[..., tagged].astype("c8"))
    assert int(got["n_trials"].values[0]) == n_batches * n_trials


def test_a_rounded_matrix_adds_no_coherent_dc_leak():
    # bfloat16 keeps 3 digits of the matrix: its columns no longer sum to 0, so a neuron with a
    # large mean would leak that mean into every bin, the same in every trial. The summary
    # subtracts leak * mean.
    from hftp.models.pooling import Batch

    rng = np.random.default_rng(4)
    B, N_, n_units, k, drop = 4, 6, 200, 3, 4  # units of 3 tokens: weights 1/3
    T = n_units * k
    rows = torch.arange(B * n_units).repeat_interleave(k)
    cols = (rows // n_units) * T + torch.arange(T).repeat(B)
    ids = torch.zeros(B, T, dtype=torch.long)
    batch = Batch(ids, None, rows, cols, torch.full((B * T,), 1.0 / k), n_units)
    matrix = fft.spectral_matrix(batch, drop, "cpu")
    a = torch.from_numpy(100.0 + rng.standard_normal((B, T, N_)))  # mean 100, signal of 1
    exact = torch.bmm(a.transpose(1, 2), matrix.exact)
    rounded, leak = matrix.cast(torch.bfloat16)
    raw = torch.bmm(a.transpose(1, 2), rounded.double()).float()  # what the device computes
    F = matrix.n_freq
    re, im = fft.corrected(raw.view(1, B, N_, -1, 2), leak, matrix.inv_count, 0.0)
    want = exact[..., : 2 * F].view(B, N_, F, 2)
    uncorrected = (raw[..., : 2 * F].view(B, N_, F, 2) - want).abs().max()
    err = (torch.stack([re[0], im[0]], -1) - want).abs().max()
    typical = want.abs().mean()
    assert uncorrected > 0.05 * typical  # the mean of 100 leaks through the 3 digits
    assert err < 0.02 * typical and err < uncorrected / 10


def test_a_constant_neuron_has_exactly_no_spectrum_on_the_device_path(pooled):
    acc = _acc()
    pooled = pooled.clone()
    pooled[2, :, :, 5] = 7.0  # constant and non-zero: a matrix product leaves ~1e-7 of 7 behind
    summ = fft.DeviceSummarizer(acc, torch.device("cpu"))
    summ.add_pooled("c", pooled, 4)
    summ.finish()
    ds = acc.to_dataset()
    for var in SUM_VARS:
        assert np.all(ds[var].values[0, 2, 5] == 0), var
    assert np.all(ds["trial_x"].values[0, :, 2, 5] == 0)


def test_a_failing_compiler_falls_back_to_eager_sums(pooled, monkeypatch, caplog):
    def broken(fn, **kw):
        def run(*a, **k):
            raise RuntimeError("no compiler here")

        return run

    monkeypatch.setattr(fft, "COMPILE_ON", {"cpu"})
    monkeypatch.setattr(fft, "_COMPILED", {})
    monkeypatch.setattr(torch, "compile", broken)
    want = _acc()
    fft.NumpySummarizer(want, "cpu").add_pooled("c", pooled, 4)
    got = _acc()
    with caplog.at_level("WARNING", logger="hftp"):
        fft.add_pooled(got, "c", pooled, 4)  # NumpySummarizer is "cpu"'s: use the device one
        summ = fft.DeviceSummarizer(got, torch.device("cpu"))
        summ.add_pooled("c", pooled, 4)
        summ.finish()
    assert "torch.compile of the probe's summary failed" in caplog.text
    assert fft._COMPILED["cpu"] is fft._accumulate
    g, w = got.to_dataset(), want.to_dataset()
    np.testing.assert_allclose(g["sum_abs"].values[:, :, :, :], 2 * w["sum_abs"].values, rtol=1e-5)
