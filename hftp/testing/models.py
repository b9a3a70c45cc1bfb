"""Tiny random language models and a tokenizer, built in memory (no weights, no download)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hftp._validation import check_int, check_option

__all__ = ["TINY_CONFIGS", "TINY_WIDTH", "tiny_model", "tiny_tokenizer"]

#: MLP width (neurons per layer) of every tiny model.
TINY_WIDTH = 48

_DECODER = dict(
    hidden_size=32,
    intermediate_size=TINY_WIDTH,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=8,
    max_position_embeddings=256,
    pad_token_id=1,
    bos_token_id=0,
    eos_token_id=0,
)
_PLAIN = dict(
    hidden_size=32,
    intermediate_size=TINY_WIDTH,
    num_attention_heads=4,
    max_position_embeddings=256,
)

#: family → config keywords (layers and vocabulary are set by :func:`tiny_model`); a family not
#: listed uses the gated-decoder config (llama, mistral, qwen2, gemma, phi3, olmo, glm, ...).
TINY_CONFIGS: dict[str, dict[str, Any]] = {
    "gpt2": dict(n_embd=32, n_inner=TINY_WIDTH, n_head=4, n_positions=256),
    "gpt_neox": _PLAIN,
    "opt": dict(
        hidden_size=32,
        ffn_dim=TINY_WIDTH,
        num_attention_heads=4,
        max_position_embeddings=256,
        word_embed_proj_dim=32,
    ),
    "bert": _PLAIN,
}
_LAYER_KEY = {"gpt2": "n_layer"}
_CORPUS = ["fat rat sensed fear", "big dog chased cats", "old cow ate grass", "老牛耕地"] * 20


def _config(family: str, n_layers: int, vocab_size: int):
    from transformers import AutoConfig

    if family == "gemma3":  # multimodal: the text stack sits under language_model
        text = dict(_DECODER, sliding_window=16, num_hidden_layers=n_layers, vocab_size=vocab_size)
        return AutoConfig.for_model(
            "gemma3",
            text_config=text,
            vision_config=dict(
                hidden_size=16,
                intermediate_size=32,
                num_hidden_layers=1,
                num_attention_heads=2,
                image_size=28,
                patch_size=14,
            ),
            mm_tokens_per_image=4,
        )
    kw = dict(TINY_CONFIGS.get(family, _DECODER))
    kw[_LAYER_KEY.get(family, "num_hidden_layers")] = n_layers
    kw["vocab_size"] = vocab_size
    return AutoConfig.for_model(family, **kw)


def tiny_model(family: str = "llama", *, n_layers: int = 3, vocab_size: int = 320, seed: int = 0):
    """A tiny random model of ``family`` (32 hidden, :data:`TINY_WIDTH` MLP neurons per layer).

    Parameters
    ----------
    family : str
        A key of :data:`hftp.models.FAMILIES` (a transformers ``model_type``). Default ``"llama"``.
    n_layers : int
        Number of layers. Default 3.
    vocab_size : int
        Vocabulary size; 320 covers :func:`tiny_tokenizer`. Default 320.
    seed : int
        Seed of the random initialisation (the global torch RNG is left untouched).

    Returns
    -------
    transformers.PreTrainedModel
        In eval mode, float32, on the CPU. ``bert`` is an encoder (``AutoModel``); ``gemma3`` is
        the multimodal ``Gemma3ForConditionalGeneration``; every other family a causal LM.
    """
    import torch
    from transformers import AutoModel, AutoModelForCausalLM

    from hftp.models.families import FAMILIES

    check_option("family", family, FAMILIES)
    n_layers = check_int("n_layers", n_layers, min_value=1)
    config = _config(family, n_layers, check_int("vocab_size", vocab_size, min_value=8))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(check_int("seed", seed, min_value=0))
        if family == "gemma3":
            from transformers import Gemma3ForConditionalGeneration

            model = Gemma3ForConditionalGeneration(config)
        else:
            auto = AutoModel if family == "bert" else AutoModelForCausalLM
            model = auto.from_config(config, dtype=torch.float32)
    return model.eval()


def tiny_tokenizer(corpus: Iterable[str] | None = None, *, vocab_size: int = 300):
    """A byte-level BPE fast tokenizer trained in memory (no download).

    Every byte is in its alphabet, so any text tokenizes; multi-character words often split into
    several tokens. ``<s>`` is BOS (id 0) and ``<pad>`` padding (id 1).

    Parameters
    ----------
    corpus : iterable of str, optional
        The training texts; default a few English and Chinese sentences.
    vocab_size : int
        Vocabulary size, special tokens included. Default 300.

    Returns
    -------
    transformers.PreTrainedTokenizerFast
        The tokenizer; save it beside a :func:`tiny_model` to load both from a folder.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(corpus) if corpus is not None else _CORPUS, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", pad_token="<pad>")
