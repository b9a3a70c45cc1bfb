"""How ``hftp.probe`` scales with the model: random-init Llama configs of growing width and depth.

For each size, on whatever device is there (or ``--device``):

- ``overhead_ratio``: ``hftp.probe`` time over a bare forward pass on the same token batches
  (alternating: the median over repeats of each probe's time over the bare pass just before
  it). The bare pass runs the whole stack and the LM head; the probe stops after the last
  recorded layer. Goal <= 1.10.
- ``tokens_per_s``: tokens the probe reads per second.
- ``peak_mb``: peak memory while probing (CUDA: ``max_memory_allocated``; CPU: the RSS high-water
  mark, reset after the model is built; Linux), with ``n_seq`` and ``4 * n_seq`` sequences;
  ``memory_ratio`` is their ratio. Goal: flat (<= 1.10). ``host_peak_mb`` and
  ``host_memory_ratio``: the same for the host's RSS on every device (on CUDA too).
- ``param_mb``: the model's weights; ``vocab``: its vocabulary. The toy sizes have the benchmark
  tokenizer's few hundred tokens, so their LM head is almost free and the probe (which stops
  before it) saves nothing there: the worst case. ``smollm2-135m-shape`` has the default model's own
  49,152-token vocabulary, beside ``h576-L30``, the same body with the toy vocabulary.

Prints one JSON object on its last line. Usage::

    python benchmarks/scale.py                          # CPU sizes (a few minutes on 2 cores)
    python benchmarks/scale.py --preset 7b --device cuda --dtype bfloat16
    (benchmarks/gpu_goal.py measures the GPU goal itself: 600 sequences, FLOP/s, share of peak)
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
import warnings

#: the configs of real models' shapes beyond the body: their own vocabulary (the bare pass
#: computes its logits; the probe stops before the LM head)
SMOLLM2 = {"vocab_size": 49152, "tie_word_embeddings": True}
LLAMA2 = {"vocab_size": 32000}

#: preset -> list of (name, hidden, mlp width, layers, heads, kv heads, extra config); without
#: ``vocab_size`` in the extra config a model gets the benchmark tokenizer's few hundred tokens, the
#: probe's worst case (an almost free LM head)
PRESETS = {
    "cpu": [
        ("h128-L4", 128, 352, 4, 4, 4, {}),
        ("h256-L4", 256, 704, 4, 4, 4, {}),
        ("h256-L12", 256, 704, 12, 4, 4, {}),
        ("h512-L8", 512, 1408, 8, 8, 8, {}),
        ("h576-L30", 576, 1536, 30, 9, 3, {}),  # the default model's body
        ("smollm2-135m-shape", 576, 1536, 30, 9, 3, SMOLLM2),  # ... with its own vocabulary
    ],
    "gpu": [
        ("h1024-L16", 1024, 2816, 16, 16, 16, {}),
        ("h2048-L24", 2048, 5632, 24, 16, 16, {}),
        ("llama-7b", 4096, 11008, 32, 32, 32, LLAMA2),
    ],
    "7b": [("llama-7b", 4096, 11008, 32, 32, 32, LLAMA2)],
    "tiny": [
        ("h32-L2", 32, 64, 2, 2, 2, {}),
        ("h32-L2-v1000", 32, 64, 2, 2, 2, {"vocab_size": 1000}),
    ],
}


def _tokenizer(words):
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


def _model(size, vocab: int, device: str, dtype):
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    _, hidden, mlp, layers, heads, kv, extra = size
    cfg = AutoConfig.for_model(
        "llama",
        hidden_size=hidden,
        intermediate_size=mlp,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv,
        max_position_embeddings=1024,
        **{"vocab_size": vocab, **extra},
    )
    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(cfg, dtype=dtype)
    return model.eval()


def _stim(hftp, n: int, n_sentences: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # phrase rate at Nyquist: irrelevant here
        return hftp.make_stimuli("en", "sentences", n_sequences=n, seed=0, n_sentences=n_sentences)


def _status_mb(field: str) -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _reset_peak(device: str) -> None:
    import torch

    gc.collect()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    try:  # the host's high-water mark too, on every device
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak_mb(device: str) -> float:
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated() / 2**20
    return _status_mb("VmHWM")


def measure(size, args, hftp, tok, stims) -> dict:
    import torch

    from hftp.models.batching import iter_batches, sequences_by_condition
    from hftp.models.pooling import encode

    dtype = getattr(torch, args.dtype)
    model = _model(size, len(tok), args.device, dtype)
    stim, big = stims
    batches = [
        encode(tok, seqs, separator=stim.separator, pad_id=tok.pad_token_id)
        for _, seqs in iter_batches(sequences_by_condition(stim), args.batch_size)
    ]
    n_tokens = sum(int(b.attention_mask.sum()) for b in batches)

    def sync():
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    def bare():
        with torch.inference_mode():
            for b in batches:
                model(
                    input_ids=b.input_ids.to(args.device),
                    attention_mask=b.attention_mask.to(args.device),
                    use_cache=False,
                )
        sync()

    def probe():
        hftp.probe(model, tok, stim, batch_size=args.batch_size, progress=False)
        sync()

    bare()
    probe()  # warm-up
    t_bare, t_probe = [], []
    for _ in range(args.repeats):
        for fn, out in ((bare, t_bare), (probe, t_probe)):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    peaks, host_peaks = [], []
    for s in (stim, big):
        _reset_peak(args.device)
        hftp.probe(model, tok, s, batch_size=args.batch_size, progress=False)
        peaks.append(_peak_mb(args.device))
        host_peaks.append(_status_mb("VmHWM"))
    n_params = sum(p.numel() for p in model.parameters())
    param_mb = sum(p.numel() * p.element_size() for p in model.parameters()) / 2**20
    name, hidden, mlp, layers, *_ = size
    n_vocab = model.config.vocab_size
    model = None  # free it before the next size
    gc.collect()
    if args.device.startswith("cuda"):
        torch.cuda.empty_cache()
    probe_s = statistics.median(t_probe)
    # each probe is paired with the bare pass just before it: the median of the pair ratios
    # cancels slow drifts in the machine's speed that the ratio of two medians would keep
    ratio = statistics.median(p / b for p, b in zip(t_probe, t_bare, strict=True))
    return {
        "name": name,
        "hidden": hidden,
        "mlp_width": mlp,
        "layers": layers,
        "vocab": n_vocab,
        "params_m": round(n_params / 1e6, 2),
        "param_mb": round(param_mb, 1),
        "bare_s": round(statistics.median(t_bare), 4),
        "probe_s": round(probe_s, 4),
        "overhead_ratio": round(ratio, 3),
        "tokens_per_s": round(n_tokens / probe_s, 1),
        "peak_mb": [round(p, 1) for p in peaks],
        "memory_ratio": round(peaks[1] / peaks[0], 3),
        "host_peak_mb": [round(p, 1) for p in host_peaks],
        "host_memory_ratio": round(host_peaks[1] / host_peaks[0], 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--dtype", default=None, help="default: bfloat16 on CUDA, float32 elsewhere")
    ap.add_argument("--n-seq", type=int, default=8, help="sequences timed per repeat")
    ap.add_argument("--n-sentences", type=int, default=25, help="sentences per sequence")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    import hftp
    from hftp.models.load import resolve_device

    args.device = resolve_device(args.device)
    args.dtype = args.dtype or ("bfloat16" if args.device.startswith("cuda") else "float32")
    stim = _stim(hftp, args.n_seq, args.n_sentences)
    big = _stim(hftp, 4 * args.n_seq, args.n_sentences)
    tok = _tokenizer(list(stim.units["unit"].unique()))
    t0 = time.perf_counter()
    sizes = [measure(s, args, hftp, tok, (stim, big)) for s in PRESETS[args.preset]]
    result = {
        "device": args.device,
        "device_name": torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu",
        "dtype": args.dtype,
        "preset": args.preset,
        "n_seq": [args.n_seq, 4 * args.n_seq],
        "units_per_sequence": 4 * args.n_sentences,
        "batch_size": args.batch_size,
        "threads": torch.get_num_threads(),
        "sizes": sizes,
        "max_overhead_ratio": max(s["overhead_ratio"] for s in sizes),
        "max_memory_ratio": max(s["memory_ratio"] for s in sizes),
        "goal": {"overhead_ratio": 1.10, "memory_ratio": 1.10},
        "wall_s": round(time.perf_counter() - t0, 1),
        "load_avg_1min": os.getloadavg()[0],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
