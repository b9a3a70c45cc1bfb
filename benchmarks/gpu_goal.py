"""Does ``hftp.probe`` run at GPU speed? The goal of issue 22, measured on one GPU.

A randomly initialised Llama-2-7B-shape model (hidden 4096, MLP 11,008, 32 layers, 32 heads,
vocabulary 32,000) is built in bfloat16 straight on the GPU; 600 sequences of 200 units are probed
in batches of 8. Nothing is downloaded and nothing outside the checkout is read: the tokenizer is
a small BPE trained on the stimulus lexicon (about one token per word).

After a warm-up (a bare pass and a probe of a few batches of the same shape), three timed passes
run over identical token batches, each between two ``torch.cuda.synchronize()`` calls:

1. ``bare``: the model's forward, stopped where the probe stops (a forward pre-hook on the last
   layer's MLP down-projection ends the pass: no last down-projection, final norm or LM head);
2. ``probe``: ``hftp.probe(model, tokenizer, stim)`` (tokenizing included, as a user runs it), up
   to the returned Spectra on the host;
3. ``bare`` again, as a drift check.

``ratio`` = probe_s / mean(bare_s); ``bare_tflops`` = the bare pass's matrix FLOPs (2 per
multiply-add over every padded token: the attention and MLP projections of every layer but the
last down-projection, plus causal attention scores and values) over the mean bare time; ``mfu`` =
bare_tflops / ``peak_tflops``, the device's dense bf16 peak (a table by device name;
``--peak-tflops`` overrides it). The goal: ratio <= 1.10 and mfu >= 0.40. The last line printed
is one JSON object; the exit status is 1 when a goal is missed (0 with ``--dry-run``, which
checks the code path on the CPU with a small shape and float32, and sets no goal).

``breakdown`` says where the probe's time goes beyond the bare pass (see :func:`breakdown`), and
``checks`` compares the device path's numbers with its slower variants (see :func:`checks`; a
failed check also exits 1).

Usage::

    python benchmarks/gpu_goal.py                   # the goal, on a GPU (< 5 minutes on an H100)
    python benchmarks/gpu_goal.py --dry-run         # the code path, on the CPU (seconds)
    python benchmarks/gpu_goal.py --sequences 160 --layers 8 --peak-tflops 756
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the checkout, whatever the working directory
    sys.path.insert(0, str(ROOT))

#: dense bf16 tensor-core peak (TFLOP/s, no sparsity) by a substring of
#: ``torch.cuda.get_device_name()``; the first match wins (vendor data sheets)
PEAK_BF16_TFLOPS = (
    ("H200", 989.4),
    ("GH200", 989.4),
    ("H100 PCIe", 756.0),
    ("H100 NVL", 835.0),
    ("H100", 989.4),  # SXM ("NVIDIA H100 80GB HBM3")
    ("H800", 989.4),
    ("B200", 2250.0),
    ("A100", 312.0),
    ("A800", 312.0),
    ("L40S", 362.1),
    ("L40", 181.0),
    ("L4", 121.0),
    ("A10G", 70.0),
    ("A10", 125.0),
    ("RTX 4090", 165.2),
    ("RTX 3090", 71.0),
)

GOAL = {"ratio": 1.10, "mfu": 0.40}

#: the 7B shape (Llama-2-7B) and the small shape of ``--dry-run``
SHAPES = {
    "7b": {"hidden": 4096, "mlp": 11008, "layers": 32, "heads": 32, "kv_heads": 32, "vocab": 32000},
    "dry": {"hidden": 64, "mlp": 176, "layers": 3, "heads": 4, "kv_heads": 4, "vocab": 1000},
}


def peak_tflops(device_name: str, override: float | None) -> tuple[float | None, str]:
    """The dense bf16 peak of a device (TFLOP/s) and where it came from."""
    if override:
        return float(override), "--peak-tflops"
    for key, value in PEAK_BF16_TFLOPS:
        if key.lower() in device_name.lower():
            return value, f"table ({key})"
    return None, "unknown device: pass --peak-tflops"


def forward_flops(shape: dict, batches) -> float:
    """Matrix FLOPs of the forward up to the probe's stop, over every padded token of ``batches``.

    2 per multiply-add. Per token and layer: the q, k, v, o projections and the three MLP
    projections; the last layer lacks its down-projection (the pass stops at its input); no LM
    head. Per sequence of T tokens and layer: causal scores and values, 2 * 2 * d * T(T+1)/2.
    """
    d, m, n_layers = shape["hidden"], shape["mlp"], shape["layers"]
    kv = d * shape["kv_heads"] // shape["heads"]
    per_token_layer = 2 * (d * d + 2 * d * kv + d * d) + 2 * 3 * d * m
    total = 0.0
    for b in batches:
        n_seq, n_tok = b.input_ids.shape
        tokens = n_seq * n_tok
        total += tokens * (n_layers * per_token_layer - 2 * m * d)
        total += n_layers * n_seq * 2 * d * n_tok * (n_tok + 1)
    return total


def build_model(shape: dict, device: str, dtype):
    """A randomly initialised Llama of ``shape``, built on ``device`` in ``dtype`` (no weights read)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = AutoConfig.for_model(
        "llama",
        hidden_size=shape["hidden"],
        intermediate_size=shape["mlp"],
        num_hidden_layers=shape["layers"],
        num_attention_heads=shape["heads"],
        num_key_value_heads=shape["kv_heads"],
        vocab_size=shape["vocab"],
        max_position_embeddings=4096,
    )
    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(cfg, dtype=dtype)
    return model.eval()


def tokenizer_for(words):
    """A byte-level BPE trained on the stimulus words (about one token per word), with <s>, <pad>."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=2000,
        special_tokens=["<s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator([" ".join(words)] * 4, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", pad_token="<pad>")


def make_stim(n_sequences: int, n_units: int):
    import hftp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the phrase rate at Nyquist: irrelevant here
        return hftp.make_stimuli(
            "en", "sentences", n_sequences=n_sequences, seed=0, n_sentences=n_units // 4
        )


def encode_all(tok, stim, batch_size: int, device: str = "cpu"):
    """The probe's own batches (same grouping, same tokens), encoded once; pinned for CUDA, as
    the probe's are, so that both go to the device without blocking."""
    from hftp.models.batching import iter_batches, sequences_by_condition
    from hftp.models.pooling import encode

    out = []
    for _, seqs in iter_batches(sequences_by_condition(stim), batch_size):
        b = encode(tok, seqs, separator=stim.separator, pad_id=tok.pad_token_id)
        if device.startswith("cuda"):
            b.input_ids, b.attention_mask = b.input_ids.pin_memory(), b.attention_mask.pin_memory()
        out.append(b)
    return out


class _Stop(Exception):
    pass


@contextlib.contextmanager
def stop_before_last_down_proj(model):
    """End every forward at the input of the last layer's neuron module, where the probe stops."""
    from hftp.models import resolve_site

    _, modules = resolve_site(model)

    def hook(_module, _args):
        raise _Stop

    handle = modules[max(modules)].register_forward_pre_hook(hook)
    try:
        yield
    finally:
        handle.remove()


def sync(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()


def bare_pass(model, batches, device: str) -> float:
    """Seconds for the forward of every batch, stopped where the probe stops."""
    import torch

    sync(device)
    t0 = time.perf_counter()
    with stop_before_last_down_proj(model), torch.inference_mode():
        for b in batches:
            with contextlib.suppress(_Stop):
                model(
                    input_ids=b.input_ids.to(device, non_blocking=True),
                    attention_mask=b.attention_mask.to(device, non_blocking=True),
                    use_cache=False,
                )
    sync(device)
    return time.perf_counter() - t0


def probe_pass(model, tok, stim, batch_size: int, device: str, **kw):
    """Seconds for ``hftp.probe`` (synchronised), and its Spectra."""
    import hftp

    sync(device)
    t0 = time.perf_counter()
    spectra = hftp.probe(model, tok, stim, batch_size=batch_size, progress=False, **kw)
    sync(device)
    return time.perf_counter() - t0, spectra


def host_peak_gib() -> float:
    """The process's resident-memory high-water mark (VmHWM; ru_maxrss elsewhere), GiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def breakdown(model, tok, n_units: int, batch_size: int, device: str, n_batches: int) -> dict:
    """Where the probe's extra time goes, over ``n_batches`` batches (seconds, synchronised).

    - ``forward_s``: the bare pass (the faster of two);
    - ``hooks_s``: the probe's own batch driver alone (encoding, the hooks' per-layer products
      into the coefficient block, or the pooling on a CPU), nothing summed;
    - ``probe_s``: ``hftp.probe`` on the same sequences, with synchronised timers around its
      per-batch summaries (``summaries_s``) and the Spectra's assembly on the host, the one
      device-to-host copy (``finish_s``); ``other_s`` is what is left;
    - ``probe_no_trials_s``: the probe with ``keep_trials=False`` (no per-trial coefficients).

    The timers synchronise inside the loop, which slows the probe a little: these numbers
    explain the gap; the headline ``probe_s`` does not use them.
    """
    sub = make_stim(n_batches * batch_size, n_units)
    batches = encode_all(tok, sub, batch_size, device)
    fwd = min(bare_pass(model, batches, device) for _ in range(2))
    hooks = hooks_pass(model, tok, sub, batch_size, device)
    with _step_timers(device) as steps:
        t_probe, _ = probe_pass(model, tok, sub, batch_size, device)
    t_no_trials, _ = probe_pass(model, tok, sub, batch_size, device, keep_trials=False)
    out = {
        "batches": len(batches),
        "forward_s": round(fwd, 4),
        "hooks_s": round(hooks, 4),
        "probe_s": round(t_probe, 4),
        "probe_no_trials_s": round(t_no_trials, 4),
    }
    out.update({f"{k}_s": round(v, 4) for k, v in steps.items()})
    out["other_s"] = round(t_probe - hooks - sum(steps.values()), 4)
    return out


def checks(model, tok, n_units: int, batch_size: int, device: str) -> dict:
    """The device path's numbers against its own slower variants, on two batches.

    ``compiled_vs_eager``: the compiled summary kernel against the same sums done eagerly (the
    path the CPU tests check against numpy); ``fused_vs_pooled``: the hooks' fused product
    (bfloat16 matrix, float32 results) against pooled float32 units and a float32 DFT. Both the
    largest difference in any sum or kept coefficient over that variable's largest value;
    ``ok`` when the first is at float32 rounding and the second within bfloat16's.
    """
    from hftp.models import fft

    stim = make_stim(2 * batch_size, n_units)
    _, fused = probe_pass(model, tok, stim, batch_size, device)
    compile_on = set(fft.COMPILE_ON)
    fft.COMPILE_ON.clear()
    try:
        _, eager = probe_pass(model, tok, stim, batch_size, device)
    finally:
        fft.COMPILE_ON.update(compile_on)
    fft.DeviceSummarizer.fused = False
    try:
        _, pooled = probe_pass(model, tok, stim, batch_size, device)
    finally:
        fft.DeviceSummarizer.fused = True

    def rel(a, b) -> float:
        worst = 0.0
        for var in ("sum_x", "sum_abs", "sum_abs2", "sum_phase", "trial_x"):
            x, y = a[var].values, b[var].values
            worst = max(worst, float(abs(x - y).max() / max(abs(y).max(), 1e-30)))
        return worst

    out = {"compiled_vs_eager": rel(fused, eager), "fused_vs_pooled": rel(fused, pooled)}
    out["ok"] = out["compiled_vs_eager"] < 1e-4 and out["fused_vs_pooled"] < 3e-2
    return out


def hooks_pass(model, tok, stim, batch_size: int, device: str) -> float:
    """Seconds for the probe's batch driver alone (what its hooks do to each layer, no sums)."""
    from hftp.models.batching import iter_pooled, iter_spectral, make_plan
    from hftp.models.fft import summarizer_for
    from hftp.models.load import input_device

    plan = make_plan(model, tok, stim, None, batch_size, "mean", None, None, None)
    if summarizer_for(input_device(model)).fused:
        it = iter_spectral(model, tok, stim, plan, drop=0)
    else:
        it = iter_pooled(model, tok, stim, plan, reuse=True)
    sync(device)
    t0 = time.perf_counter()
    with contextlib.closing(it):
        for _ in it:
            pass
    sync(device)
    return time.perf_counter() - t0


@contextlib.contextmanager
def _step_timers(device: str):
    """Synchronised timers around the probe's summaries and its final assembly (best effort).

    Wraps the module-level functions the probe calls, found by name; a name that is not there is
    skipped (the breakdown then lacks that key).
    """
    import importlib

    steps: dict[str, float] = {}
    targets = [
        ("hftp.models.probing", "_add_coefficients", "summaries"),  # an accelerator's path
        ("hftp.models.probing", "add_batch", "summaries"),  # the CPU's (pooled units)
        ("hftp.models.probing", "finish_spectra", "finish"),
    ]
    undo = []
    for mod_name, attr, key in targets:
        try:
            mod = importlib.import_module(mod_name)
            fn = getattr(mod, attr)
        except (ImportError, AttributeError):
            continue

        def timed(*a, _fn=fn, _key=key, **kw):
            sync(device)
            t0 = time.perf_counter()
            try:
                return _fn(*a, **kw)
            finally:
                sync(device)
                steps[_key] = steps.get(_key, 0.0) + time.perf_counter() - t0

        setattr(mod, attr, timed)
        undo.append((mod, attr, fn))
    try:
        yield steps
    finally:
        for mod, attr, fn in undo:
            setattr(mod, attr, fn)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sequences", type=int, default=600)
    ap.add_argument("--units", type=int, default=200, help="units per sequence (a multiple of 4)")
    ap.add_argument("--batch-size", type=int, default=8)
    for key, value in SHAPES["7b"].items():
        ap.add_argument(
            f"--{key.replace('_', '-')}", type=int, default=None, help=f"default {value}"
        )
    ap.add_argument("--dtype", default=None, help="default bfloat16 (float32 with --dry-run)")
    ap.add_argument("--device", default=None, help="default cuda (cpu with --dry-run)")
    ap.add_argument("--peak-tflops", type=float, default=None, help="override the device's peak")
    ap.add_argument("--warmup-batches", type=int, default=3)
    ap.add_argument("--breakdown-batches", type=int, default=10, help="0: no breakdown")
    ap.add_argument(
        "--dry-run",
        action="store_true",
        help="the code path on the CPU: a small shape, 16 sequences of 20 units, float32, no goal",
    )
    ap.add_argument(
        "--device-path",
        action="store_true",
        help="on a CPU, run the accelerator's code path (hooks to coefficients, sums in torch)",
    )
    args = ap.parse_args(argv)
    import torch

    if args.device_path:
        from hftp.models import fft

        fft.SUMMARIZERS["cpu"] = fft.DeviceSummarizer

    if args.dry_run:
        base = SHAPES["dry"]
        args.device = args.device or "cpu"
        args.dtype = args.dtype or "float32"
        if "--sequences" not in (argv or sys.argv):
            args.sequences = 16
        if "--units" not in (argv or sys.argv):
            args.units = 20
        args.breakdown_batches = min(args.breakdown_batches, 1)
        args.warmup_batches = min(args.warmup_batches, 1)
    else:
        base = SHAPES["7b"]
        args.device = args.device or "cuda"
        args.dtype = args.dtype or "bfloat16"
    shape = {k: getattr(args, k) or v for k, v in base.items()}
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(
            "benchmarks/gpu_goal.py: torch sees no CUDA GPU; run it on a GPU machine, or with "
            "--dry-run to check the code path on the CPU.",
            file=sys.stderr,
        )
        return 2
    if args.units % 4 or args.units < 8:
        ap.error(f"--units must be a multiple of 4 and at least 8; got {args.units}")

    t_start = time.perf_counter()
    dtype = getattr(torch, args.dtype)
    stim = make_stim(args.sequences, args.units)
    tok = tokenizer_for(list(stim.units["unit"].unique()))
    model = build_model(shape, args.device, dtype)
    batches = encode_all(tok, stim, args.batch_size, args.device)
    n_params = sum(p.numel() for p in model.parameters())
    padded = sum(int(b.input_ids.numel()) for b in batches)
    real = sum(int(b.attention_mask.sum()) for b in batches)
    flops = forward_flops(shape, batches)
    t_built = time.perf_counter()

    # warm-up: kernels, cuBLAS plans and the probe's one-time work, at the timed shapes
    warm = make_stim(args.warmup_batches * args.batch_size, args.units)
    bare_pass(model, encode_all(tok, warm, args.batch_size, args.device), args.device)
    probe_pass(model, tok, warm, args.batch_size, args.device)
    del warm
    gc.collect()
    verified = checks(model, tok, args.units, args.batch_size, args.device)
    gc.collect()

    if args.device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    bare_before = bare_pass(model, batches, args.device)
    probe_s, spectra = probe_pass(model, tok, stim, args.batch_size, args.device)
    gpu_peak = torch.cuda.max_memory_allocated() / 2**30 if args.device.startswith("cuda") else None
    bare_after = bare_pass(model, batches, args.device)
    n_trials = int(spectra["n_trials"].sum())
    finite = bool(all(bool(abs(spectra[v]).max() < float("inf")) for v in ("sum_x", "sum_abs")))
    spectra_mb = sum(v.nbytes for v in spectra.data_vars.values()) / 2**20
    del spectra
    gc.collect()
    parts = None
    if args.breakdown_batches:
        parts = breakdown(
            model, tok, args.units, args.batch_size, args.device, args.breakdown_batches
        )

    bare_s = (bare_before + bare_after) / 2
    ratio = probe_s / bare_s
    tflops = flops / bare_s / 1e12
    on_gpu = args.device.startswith("cuda")
    name = torch.cuda.get_device_name() if on_gpu else "cpu"
    peak, peak_source = peak_tflops(name, args.peak_tflops) if on_gpu else (args.peak_tflops, "")
    mfu = tflops / peak if peak else None
    if args.dry_run:
        goal_met = None
    else:
        goal_met = bool(ratio <= GOAL["ratio"] and mfu is not None and mfu >= GOAL["mfu"])
    import transformers

    result = {
        "benchmark": "gpu_goal",
        "dry_run": bool(args.dry_run),
        "device": args.device,
        "device_name": name,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "cuda": torch.version.cuda,
        "dtype": args.dtype,
        "shape": shape,
        "params_b": round(n_params / 1e9, 3),
        "sequences": args.sequences,
        "units": args.units,
        "batch_size": args.batch_size,
        "batches": len(batches),
        "padded_tokens": padded,
        "real_tokens": real,
        "bare_s": [round(bare_before, 4), round(bare_after, 4)],
        "bare_drift": round(bare_after / bare_before - 1, 4),
        "probe_s": round(probe_s, 4),
        "ratio": round(ratio, 4),
        "tflop": round(flops / 1e12, 2),
        "bare_tflops": round(tflops, 2),
        "peak_tflops": peak,
        "peak_source": peak_source,
        "mfu": None if mfu is None else round(mfu, 4),
        "gpu_peak_gib": None if gpu_peak is None else round(gpu_peak, 2),
        "host_peak_gib": round(host_peak_gib(), 2),
        "spectra_mib": round(spectra_mb, 1),
        "spectra_ok": n_trials == args.sequences and finite,
        "checks": verified,
        "breakdown": parts,
        "goal": GOAL,
        "goal_met": goal_met,
        "setup_s": round(t_built - t_start, 1),
        "wall_s": round(time.perf_counter() - t_start, 1),
        "threads": torch.get_num_threads(),
        "load_avg_1min": os.getloadavg()[0],
    }
    print(json.dumps(result), flush=True)
    if not (result["spectra_ok"] and verified["ok"]):
        return 1
    return 1 if goal_met is False else 0


if __name__ == "__main__":
    sys.exit(main())
