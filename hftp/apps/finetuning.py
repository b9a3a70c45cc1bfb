"""Full fine-tuning (FFT) versus Half Fine-Tuning (HFT), and what each does to the tagged neurons.

An experiment users can rerun (``notebooks/04_fine_tuning.ipynb``), not part of the core API. It
fine-tunes one start model twice on a new task, for the same steps and data order, with a plain
torch loop (AdamW, no training framework):

- ``method="full"``: every parameter is trained;
- ``method="half"``: HFT (Hui et al., 2024, "HFT: Half Fine-Tuning for Large Language Models").
  The training is split into rounds; at the start of each round, in every layer, half of the
  weight matrices, drawn at random, are frozen for that round: 2 of the 4 attention matrices
  (q, k, v, o) and, of the 3 MLP matrices (gate, up, down), 1 in even layers and 2 in odd ones, so
  that half of the MLP matrices of the stack are frozen. Embeddings and norms train in both.

:func:`compare` then probes the start model and both fine-tuned ones on English stimuli with
controls (public :func:`hftp.probe` / :func:`hftp.find_tagged` / :func:`hftp.overlap`) and
reports the retention of the start model's tagged neurons per layer with its chance level,
the change in English next-unit loss (forgetting) and the new-task loss (learning).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hftp._validation import InvalidValueError, check_float, check_int, check_option, check_type

__all__ = [
    "METHODS",
    "hft_groups",
    "freeze_half",
    "task_texts",
    "finetune",
    "compare",
    "FinetuneResult",
]

logger = logging.getLogger("hftp")

_ATTN = ("q_proj", "k_proj", "v_proj", "o_proj")
_MLP = ("gate_proj", "up_proj", "down_proj")


def hft_groups(model) -> list[dict[str, list[Any]]]:
    """Per layer, the attention and MLP weight matrices HFT chooses from.

    Parameters
    ----------
    model : torch.nn.Module
        A Llama-style decoder (``model.model.layers`` with ``self_attn.{q,k,v,o}_proj`` and
        ``mlp.{gate,up,down}_proj``).

    Returns
    -------
    list of dict
        One per decoder layer: ``{"attn": [4 weights], "mlp": [3 weights]}`` (torch Parameters).
    """
    layers = getattr(getattr(model, "model", None), "layers", None)
    if layers is None:
        raise InvalidValueError(
            "Invalid value for 'model': HFT here needs a Llama-style decoder (model.model.layers "
            f"with self_attn.{{q,k,v,o}}_proj and mlp.{{gate,up,down}}_proj); got "
            f"{type(model).__name__}. Use hftp.load_model() (SmolLM2) or another Llama-style model."
        )
    out = []
    for layer in layers:
        attn = [getattr(layer.self_attn, n).weight for n in _ATTN]
        mlp = [getattr(layer.mlp, n).weight for n in _MLP]
        out.append({"attn": attn, "mlp": mlp})
    return out


def freeze_half(groups: list[dict[str, list[Any]]], rng: np.random.Generator) -> int:
    """Freeze a fresh random half of each layer's matrices (HFT's choice for one round).

    In every layer 2 of the 4 attention matrices and, of the 3 MLP matrices, 1 in even layers
    and 2 in odd ones are frozen; every other matrix of ``groups`` is made trainable again.

    Parameters
    ----------
    groups : list of dict
        :func:`hft_groups` of the model.
    rng : numpy.random.Generator
        Draws the frozen matrices.

    Returns
    -------
    int
        The number of matrices frozen.
    """
    n = 0
    for i, g in enumerate(groups):
        for p in g["attn"] + g["mlp"]:
            p.requires_grad_(True)
        frozen = [g["attn"][k] for k in rng.choice(4, 2, replace=False)]
        frozen += [g["mlp"][k] for k in rng.choice(3, 1 + i % 2, replace=False)]
        for p in frozen:
            p.requires_grad_(False)
        n += len(frozen)
    return n


#: method -> called at the start of each round with (groups, rng); returns matrices frozen
METHODS = {"full": lambda groups, rng: 0, "half": freeze_half}


def task_texts(
    language: str = "zh",
    n_texts: int = 64,
    n_sentences: int = 8,
    seed: int = 0,
    corpus: str | None = None,
) -> list[str]:
    """Training or test texts for the new task.

    Parameters
    ----------
    language : {"zh", "en"}
        Grammar of :func:`hftp.make_stimuli` ([NP][VP] sentences). Default ``"zh"``.
    n_texts : int
        Texts (each ``n_sentences`` sentences). Default 64.
    n_sentences : int
        Sentences per text. Default 8.
    seed : int
        Stimulus seed; use different seeds for training and test texts. Default 0.
    corpus : path, optional
        A text file, one training text per line, instead of the grammar (the first ``n_texts``
        non-empty lines).

    Returns
    -------
    list of str
        ``n_texts`` texts, units joined by the language's separator.
    """
    from hftp.stimuli.generation import make_stimuli

    n_texts = check_int("n_texts", n_texts, min_value=1)
    if corpus is not None:
        from hftp._validation import check_in_path

        path = check_in_path("corpus", corpus, kind="file")
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        if not lines:
            raise InvalidValueError(f"Invalid value for 'corpus': {path} has no non-empty line.")
        return lines[:n_texts]
    stim = make_stimuli(
        language, "sentences", n_sequences=n_texts, n_sentences=n_sentences, seed=seed
    )
    return [stim.separator.join(units) for _, _, units in stim.sequences()]


def finetune(
    model,
    tokenizer,
    texts: Sequence[str],
    *,
    method: str = "full",
    steps: int = 20,
    lr: float = 5e-5,
    batch_size: int = 4,
    round_steps: int = 5,
    max_tokens: int = 128,
    seed: int = 0,
    progress: bool = True,
):
    """Fine-tune a copy of ``model`` on ``texts`` (causal LM loss); the original is untouched.

    Parameters
    ----------
    model, tokenizer
        The start model (e.g. :func:`hftp.load_model`) and its tokenizer.
    texts : list of str
        Training texts (:func:`task_texts`).
    method : {"full", "half"}
        Full fine-tuning, or HFT (a random half of each layer's matrices frozen per round).
    steps : int
        Optimizer steps. Default 20.
    lr : float
        AdamW learning rate (no weight decay, no schedule). Default 5e-5.
    batch_size : int
        Texts per step (cycled in a seeded order). Default 4.
    round_steps : int
        HFT: steps per round, after which a new half is frozen. Default 5.
    max_tokens : int
        Texts are truncated to this many tokens. Default 128.
    seed : int
        Seed of the data order and of HFT's choices (same seed → same batches for both methods).
    progress : bool
        tqdm progress bar. Default True.

    Returns
    -------
    model : torch.nn.Module
        The fine-tuned copy, in eval mode, every parameter trainable again.
    losses : numpy.ndarray, shape (steps,)
        Training loss per step.
    """
    import torch
    from tqdm.auto import tqdm

    check_option("method", method, METHODS)
    steps = check_int("steps", steps, min_value=1)
    batch_size = check_int("batch_size", batch_size, min_value=1)
    round_steps = check_int("round_steps", round_steps, min_value=1)
    max_tokens = check_int("max_tokens", max_tokens, min_value=2)
    lr = check_float("lr", lr, min_value=0)
    check_type("texts", texts, list | tuple, "a list of training texts")
    if not texts or not all(isinstance(t, str) and t for t in texts):
        raise InvalidValueError(
            "Invalid value for 'texts': expected a non-empty list of non-empty strings "
            "(e.g. from task_texts())."
        )
    net = copy.deepcopy(model).train()
    groups = hft_groups(net) if method == "half" else []
    rng = np.random.default_rng(seed)
    n_passes = -(-steps * batch_size // len(texts))  # ceil: passes over the texts
    order = np.concatenate([rng.permutation(len(texts)) for _ in range(n_passes)])
    hft_rng = np.random.default_rng([seed, 1])
    params = [p for p in net.parameters()]
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    dev = next(net.parameters()).device
    losses = np.empty(steps)
    for step in tqdm(range(steps), desc=f"finetune ({method})", disable=not progress):
        if step % round_steps == 0:
            METHODS[method](groups, hft_rng)
        batch = [texts[i] for i in order[step * batch_size : (step + 1) * batch_size]]
        enc = tokenizer(batch, add_special_tokens=False, truncation=True, max_length=max_tokens)
        n_tok = max(len(x) for x in enc["input_ids"])
        ids = torch.full((len(batch), n_tok), pad, dtype=torch.long)
        att = torch.zeros((len(batch), n_tok), dtype=torch.long)
        for b, x in enumerate(enc["input_ids"]):
            ids[b, : len(x)] = torch.tensor(x)
            att[b, : len(x)] = 1
        labels = ids.masked_fill(att == 0, -100)
        out = net(input_ids=ids.to(dev), attention_mask=att.to(dev), labels=labels.to(dev))
        opt.zero_grad(set_to_none=True)
        out.loss.backward()
        opt.step()
        losses[step] = float(out.loss.detach())
    for p in net.parameters():
        p.requires_grad_(True)
    return net.eval(), losses


@dataclass
class FinetuneResult:
    """What :func:`compare` found.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per model (base, FFT, HFT): English loss per condition, the change from base
        (forgetting), new-task loss and its change (learning), tagged share.
    retention : pandas.DataFrame
        :func:`hftp.overlap` (base, other) rows with a ``model`` column (per layer and category:
        retention, retention_chance, dice, chance, p).
    tagged : dict of str to xarray.Dataset
        The find_tagged results per model.
    train_loss : dict of str to numpy.ndarray
        Training loss per step of each fine-tuned model, shape (steps,).
    """

    summary: Any
    retention: Any
    tagged: dict = field(default_factory=dict)
    train_loss: dict = field(default_factory=dict)


def compare(
    base,
    tokenizer,
    models: dict,
    *,
    probe_stim,
    task_stim,
    layers=None,
    control: str = "within-shuffle",
    train_loss: dict | None = None,
    seed: int = 0,
    progress: bool = True,
) -> FinetuneResult:
    """Probe the start model and fine-tuned ones; retention, forgetting and learning.

    Parameters
    ----------
    base : torch.nn.Module
        The start model.
    tokenizer : transformers.PreTrainedTokenizerBase
        The tokenizer of every model.
    models : dict of str to torch.nn.Module
        Fine-tuned models, e.g. ``{"FFT": fft, "HFT": hft}``.
    probe_stim : StimulusSet
        English stimuli with ``sentences`` and ``control`` (e.g. also ``random-words``).
    task_stim : StimulusSet
        Held-out new-task stimuli (e.g. Chinese sentences, another seed than the training texts).
    layers : list of int, optional
        Layers to probe. Default all.
    control : str
        The control of the specificity test. Default ``"within-shuffle"``.
    train_loss : dict, optional
        Training losses to keep in the result.
    seed : int
        Seed of the tagging statistics. Default 0.
    progress : bool
        Show progress bars. Default True.

    Returns
    -------
    FinetuneResult
        The summary table, retention per layer, tagging results and training losses.
    """
    import pandas as pd

    from hftp.models.loss import next_unit_loss
    from hftp.models.probing import probe
    from hftp.tagging.pipeline import find_tagged
    from hftp.tagging.sets import overlap

    everyone = {"base": base, **models}
    tagged, rows = {}, []
    for name, net in everyone.items():
        spectra = probe(net, tokenizer, probe_stim, layers=layers, progress=progress)
        tagged[name] = find_tagged(spectra, "sentences", control=control, seed=seed)
        en = next_unit_loss(net, tokenizer, probe_stim)
        task = next_unit_loss(net, tokenizer, task_stim)
        cats = tagged[name]["category"].values
        row = {"model": name}
        row.update({f"en_loss_{c}": float(en.sel(condition=c)) for c in en["condition"].values})
        row["task_loss"] = float(task.mean())
        row["tagged_share"] = float(np.mean(cats != "none"))
        row["sentence_share"] = float(np.mean(cats == "sentence"))
        rows.append(row)
    summary = pd.DataFrame(rows).set_index("model")
    for c in [c for c in summary.columns if c.startswith("en_loss_")] + ["task_loss"]:
        summary[f"{c}_change"] = summary[c] - summary.loc["base", c]
    ret = []
    for name in models:
        ov = overlap(tagged["base"], tagged[name])
        ov.insert(0, "model", name)
        ret.append(ov)
    retention = pd.concat(ret, ignore_index=True)
    return FinetuneResult(summary, retention, tagged, dict(train_loss or {}))
