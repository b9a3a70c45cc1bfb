"""Token → unit alignment: tokenizing unit streams and building sparse pooling matrices.

A unit's span is its own characters in the text ``separator.join(units)``. A token overlaps a unit
when their character spans share at least one non-whitespace character (byte-level tokenizers put
the leading space inside the token: "fat rat" → ``fat`` (0, 3), ``Ġrat`` (3, 7)). A unit's value
is the mean over its overlapping tokens (or the last of them). The pooling matrix of a batch is
a sparse CSR matrix of shape ``(B * U, B * T)`` over flattened ``(sequence, unit)`` and
``(sequence, token)`` indices, so pooling one layer is a single sparse-dense product, with no loop
over tokens. It is applied inside the capture hook, so the token-level activations of a batch are
never stacked.

A token that overlaps two units gives both the same vector, which can bias a contrast whose
conditions differ in how often that happens (two-character Chinese words that a tokenizer merges
are frequent in sentences, rare in shuffles). :func:`encode` counts such units
(:attr:`Batch.n_shared`), and ``tokenization="unitwise"`` tokenizes each unit on its own so that
no token spans two (the default for units not separated by whitespace).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hftp._validation import InvalidValueError

__all__ = [
    "Batch",
    "encode",
    "POOLINGS",
    "TOKENIZATIONS",
    "default_tokenization",
    "sharing_fractions",
    "warn_sharing",
]


@dataclass
class Batch:
    """One tokenized batch and its pooling matrix.

    Attributes
    ----------
    input_ids, attention_mask : torch.LongTensor, shape (B, T)
        Right-padded.
    rows, cols : torch.LongTensor, shape (P,)
        Non-zeros of the pooling matrix: ``rows = b * U + u``, ``cols = b * T + t``.
    weights : torch.FloatTensor, shape (P,)
    n_units : int
        Units per sequence (U).
    crow : torch.LongTensor, shape (B * U + 1,)
        Row pointers of the pooling matrix in CSR form.
    n_shared : int
        Units (over the batch) that share at least one token with another unit.
    matrix : torch sparse CSR tensor, shape (B * U, B * T), float32
        The pooling matrix (rows, cols, weights), built on first access: in the thread that
        uses it, since building it silences a warning (``warnings`` filters are process-wide).
    """

    input_ids: object
    attention_mask: object
    rows: object
    cols: object
    weights: object
    n_units: int
    crow: object = None
    n_shared: int = 0

    @functools.cached_property
    def matrix(self):
        import torch

        n_rows, n_cols = self.crow.numel() - 1, self.input_ids.numel()
        with warnings.catch_warnings():  # "sparse CSR support is in beta"
            warnings.simplefilter("ignore", UserWarning)
            return torch.sparse_csr_tensor(
                self.crow, self.cols, self.weights, size=(n_rows, n_cols)
            )


def _unit_spans(units: Sequence[str], sep: str) -> tuple[str, np.ndarray]:
    lengths = np.array([len(u) for u in units], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths + len(sep))[:-1]]) if len(units) else lengths
    return sep.join(units), np.stack([starts, starts + lengths], axis=-1)


def _mean_pairs(ov: np.ndarray, counts: np.ndarray):
    b, u, t = np.nonzero(ov)
    return b, u, t, 1.0 / counts[b, u]


def _last_pairs(ov: np.ndarray, counts: np.ndarray):
    n_tok = ov.shape[-1]
    last = n_tok - 1 - np.argmax(ov[..., ::-1], axis=-1)
    b, u = np.nonzero(counts > 0)
    return b, u, last[b, u], np.ones(b.size)


#: pooling name -> function (overlap (B, U, T) bool, counts (B, U)) -> (b, u, t, weight)
POOLINGS = {"mean": _mean_pairs, "last": _last_pairs}


def _encode_texts(tokenizer, texts):
    """Token ids and character offsets of each text (no special tokens, no padding).

    Returns ``(ids, offsets)``: per text, a list of T_b token ids and a list of T_b
    ``(start, end)`` character offsets.

    A fast tokenizer's Rust backend is called directly when it pads and truncates nothing (the
    Python wrapper's per-token conversion costs as much as a small model's forward pass); other
    tokenizers go through ``tokenizer(...)``. Both give the same ids and offsets.
    """
    backend = getattr(tokenizer, "backend_tokenizer", None)
    plain = (
        backend is not None
        and backend.padding is None
        and backend.truncation is None
        # the wrapper sets this from ``split_special_tokens`` on every call
        and bool(getattr(backend, "encode_special_tokens", False))
        == bool(getattr(tokenizer, "split_special_tokens", False))
    )
    if plain:
        encs = backend.encode_batch(list(texts), add_special_tokens=False)
        return [e.ids for e in encs], [e.offsets for e in encs]
    enc = tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True)
    return enc["input_ids"], enc["offset_mapping"]


def _tokenize_joint(tokenizer, texts, spans, sep):
    """The whole text of each sequence at once: tokens may span several units."""
    return _encode_texts(tokenizer, texts)


def _tokenize_unitwise(tokenizer, texts, spans, sep):
    """Each unit alone (with its leading separator), the ids concatenated: no token spans two."""
    pieces, starts, owner = [], [], []
    for b, sp in enumerate(spans):
        for k, (lo, _hi) in enumerate(sp):
            lead = sep if k else ""
            pieces.append(lead + texts[b][lo : sp[k][1]])
            starts.append(int(lo) - len(lead))
            owner.append(b)
    piece_ids, piece_offs = _encode_texts(tokenizer, pieces)
    ids = [[] for _ in texts]
    offs = [[] for _ in texts]
    for x, o, start, b in zip(piece_ids, piece_offs, starts, owner, strict=True):
        ids[b].extend(x)
        offs[b].extend((start + a, start + z) for a, z in o)
    return ids, offs


#: tokenization name -> function (tokenizer, texts, spans, separator) -> (ids, offsets)
TOKENIZATIONS = {"joint": _tokenize_joint, "unitwise": _tokenize_unitwise}


def default_tokenization(separator: str) -> str:
    """``"unitwise"`` when units are not separated by whitespace (Chinese), else ``"joint"``."""
    return "joint" if separator and separator.isspace() else "unitwise"


def encode(
    tokenizer,
    sequences: Sequence[tuple[int, Sequence[str]]],
    *,
    separator: str,
    pooling: str = "mean",
    add_bos: bool = False,
    pad_id: int = 0,
    tokenization: str = "joint",
) -> Batch:
    """Tokenize unit streams and build their pooling matrix.

    Parameters
    ----------
    tokenizer : transformers.PreTrainedTokenizerFast
    sequences : list of (sequence_id, units)
        All with the same number of units U.
    separator : str
        Joins units into text.
    pooling : {"mean", "last"}
    add_bos : bool
        Prepend the BOS token (its span is empty, so it is in no unit).
    pad_id : int
        Token id used for padding (masked out).
    tokenization : {"joint", "unitwise"}
        ``"joint"`` (default): the joined text is tokenized at once, so a token may span two
        units (both then pool the same vector). ``"unitwise"``: each unit is tokenized on its
        own (with its leading separator) and the ids concatenated, so none does.

    Returns
    -------
    Batch
    """
    import torch

    texts, spans = [], []
    for _, units in sequences:
        text, sp = _unit_spans(units, separator)
        texts.append(text)
        spans.append(sp)
    ids, offs = TOKENIZATIONS[tokenization](tokenizer, texts, spans, separator)
    if add_bos:
        bos = tokenizer.bos_token_id
        ids = [[bos, *x] for x in ids]
        offs = [[(0, 0), *o] for o in offs]
    n_seq, n_units = len(texts), spans[0].shape[0]
    n_tok = max(max(len(x) for x in ids), 1)
    input_ids = np.full((n_seq, n_tok), pad_id, dtype=np.int64)
    mask = np.zeros((n_seq, n_tok), dtype=np.int64)
    tok = np.zeros((n_seq, n_tok, 2), dtype=np.int64)  # padding: empty span (0, 0)
    n_chars = max(len(t) for t in texts)
    nonspace = np.zeros((n_seq, n_chars + 1), dtype=np.int64)  # cumulative non-space counts
    for b, (x, o, text) in enumerate(zip(ids, offs, texts, strict=True)):
        input_ids[b, : len(x)] = x
        mask[b, : len(x)] = 1
        if len(o):
            tok[b, : len(o)] = np.asarray(o, dtype=np.int64)
        chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        isspace = np.isin(chars, _SPACE_CODES) if chars.size else chars.astype(bool)
        nonspace[b, 1 : chars.size + 1] = np.cumsum(~isspace)
        nonspace[b, chars.size + 1 :] = nonspace[b, chars.size]
    sp = np.stack(spans)  # (B, U, 2)
    lo = np.maximum(tok[:, None, :, 0], sp[:, :, None, 0])  # (B, U, T)
    hi = np.minimum(tok[:, None, :, 1], sp[:, :, None, 1])
    hi = np.maximum(hi, lo)
    flat = nonspace.reshape(n_seq, 1, -1)
    ov = np.take_along_axis(flat, hi.reshape(n_seq, 1, -1), axis=-1) - np.take_along_axis(
        flat, lo.reshape(n_seq, 1, -1), axis=-1
    )
    ov = ov.reshape(lo.shape) > 0
    counts = ov.sum(axis=-1)
    if (counts == 0).any():
        b, u = np.argwhere(counts == 0)[0]
        seq_id, units = sequences[b]
        raise InvalidValueError(
            f"Unit {u} ({units[u]!r}) of sequence {seq_id} is covered by no token: its value "
            "would be undefined. Check that units are non-empty and not whitespace, and that the "
            "tokenizer keeps their characters."
        )
    n_shared = int((ov & (ov.sum(axis=1, keepdims=True) > 1)).any(axis=-1).sum())
    b, u, t, w = POOLINGS[pooling](ov, counts)
    rows = b * n_units + u  # sorted: np.nonzero walks (b, u, t) in order
    crow = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_seq * n_units))])
    cols = torch.from_numpy(b * n_tok + t)
    weights = torch.from_numpy(np.asarray(w, dtype=np.float32))
    return Batch(
        input_ids=torch.from_numpy(input_ids),
        attention_mask=torch.from_numpy(mask),
        rows=torch.from_numpy(rows),
        cols=cols,
        weights=weights,
        n_units=n_units,
        crow=torch.from_numpy(crow),
        n_shared=n_shared,
    )


_SPACE_CODES = np.array([ord(c) for c in " \t\n\r\x0b\x0c\u00a0\u3000\u2009\u200b"], np.uint32)


def pool(acts, matrix, n_seq: int):
    """Pool one layer's token activations to units.

    Parameters
    ----------
    acts : torch.Tensor, shape (B, T, N) or (B * T, N)
    matrix : torch sparse CSR tensor, shape (B * U, B * T)
        :attr:`Batch.matrix`. ``acts`` is moved to its device (a layer of a device-mapped model
        may sit elsewhere) and upcast to float32 first.
    n_seq : int
        B.

    Returns
    -------
    torch.Tensor, shape (B, U, N), float32
    """
    n_neur = acts.shape[-1]
    import torch

    out = matrix @ acts.reshape(-1, n_neur).to(matrix.device, torch.float32)
    return out.reshape(n_seq, -1, n_neur)


def sharing_fractions(sharing: dict) -> dict[str, float]:
    """Per condition, the fraction of units that share a token with another unit."""
    return {c: (n / tot if tot else 0.0) for c, (n, tot) in sharing.items()}


#: conditions whose token-sharing fractions differ by more than this get a warning
SHARING_TOLERANCE = 0.01


def warn_sharing(fractions: dict[str, float], tokenization: str) -> None:
    """Warn when conditions differ in how many units share a token (a contrast would see it)."""
    if len(fractions) < 2:
        return
    lo, hi = min(fractions.values()), max(fractions.values())
    if hi - lo > SHARING_TOLERANCE:
        shown = ", ".join(f"{c}: {f:.1%}" for c, f in fractions.items())
        fix = (
            "Use tokenization='unitwise' so that no token spans two units."
            if tokenization == "joint"
            else "Units themselves split into shared tokens; check the tokenizer."
        )
        warnings.warn(
            f"The conditions differ in the share of units that share a token with another unit "
            f"({shown}): such units get identical vectors, so a contrast between these "
            f"conditions partly measures tokenization. {fix}",
            UserWarning,
            stacklevel=3,
        )
