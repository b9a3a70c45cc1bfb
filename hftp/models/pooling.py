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
are frequent in sentences, rare in shuffled controls). :func:`encode` counts such units
(:attr:`Batch.n_shared`), and ``tokenization="unitwise"`` tokenizes each unit on its own so that
no token spans two (the default for units not separated by whitespace); it then counts the
units it split out of a word the tokenizer reads as one token (:attr:`Batch.n_split`).

Past 500 lines, the module is one idea: the alignment of tokens to units, from tokenizing the
streams (and counting what tokenization shares or splits) to the pooling matrices and products.
"""

from __future__ import annotations

import functools
import itertools
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
    "pool",
    "DensePooling",
    "dense_pooling",
    "float_results_ok",
    "forget_float_results",
    "empty_block",
    "sharing_fractions",
    "splitting_fractions",
    "warn_sharing",
    "warn_splitting",
    "SHARING_TOLERANCE",
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
    n_split : int
        With ``tokenization="unitwise"``: units (over the batch) that the joint tokenization of
        the same text would merge with another unit into one token, i.e. pieces of real words
        split against their normal tokenization (two-character Chinese words in sentences; rare
        in shuffled controls). 0 with ``"joint"``.
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
    n_split: int = 0

    @functools.cached_property
    def matrix(self):
        import torch

        n_rows, n_cols = self.crow.numel() - 1, self.input_ids.numel()
        with warnings.catch_warnings():  # "sparse CSR support is in beta"
            warnings.simplefilter("ignore", UserWarning)
            return torch.sparse_csr_tensor(
                self.crow, self.cols, self.weights, size=(n_rows, n_cols)
            )


def _unit_spans(sequences, sep: str) -> tuple[list[str], np.ndarray]:
    """The texts ``sep.join(units)`` and each unit's character span, shape (B, U, 2)."""
    texts = [sep.join(units) for _, units in sequences]
    n_seq, n_units = len(texts), len(sequences[0][1])
    flat = itertools.chain.from_iterable(units for _, units in sequences)
    lengths = np.fromiter(map(len, flat), np.int64, count=n_seq * n_units).reshape(n_seq, -1)
    ends = np.cumsum(lengths + len(sep), axis=1) - len(sep)
    return texts, np.stack([ends - lengths, ends], axis=-1)


def _mean_pairs(rows: np.ndarray, cols: np.ndarray, counts: np.ndarray):
    return rows, cols, 1.0 / counts[rows]


def _last_pairs(rows: np.ndarray, cols: np.ndarray, counts: np.ndarray):
    last = np.r_[rows[1:] != rows[:-1], True]  # pairs are sorted by (row, col)
    return rows[last], cols[last], np.ones(int(last.sum()))


#: pooling name -> function (rows, cols, counts) -> (rows, cols, weights), where (rows, cols) are
#: the (unit, token) overlaps of a batch sorted by row then column, and counts (B * U,) the
#: tokens per unit
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
    n_seq, n_units = spans.shape[:2]
    lead = np.where(np.arange(n_units) > 0, len(sep), 0)  # (U,)
    starts = spans[..., 0] - lead  # (B, U) where each piece starts in its text
    pieces = [
        text[start:end]
        for text, st, en in zip(texts, starts.tolist(), spans[..., 1].tolist(), strict=True)
        for start, end in zip(st, en, strict=True)
    ]
    piece_ids, piece_offs = _encode_texts(tokenizer, pieces)
    per_piece = np.fromiter(map(len, piece_ids), np.int64, count=len(pieces))
    flat = np.asarray(list(itertools.chain.from_iterable(piece_offs)), np.int64).reshape(-1, 2)
    flat = flat + np.repeat(starts.ravel(), per_piece)[:, None]
    cuts = np.cumsum(per_piece.reshape(n_seq, n_units).sum(axis=1))[:-1]
    ids = [
        list(itertools.chain.from_iterable(piece_ids[b * n_units : (b + 1) * n_units]))
        for b in range(n_seq)
    ]
    return ids, np.split(flat, cuts)


#: tokenization name -> function (tokenizer, texts, spans, separator) -> (ids, offsets)
TOKENIZATIONS = {"joint": _tokenize_joint, "unitwise": _tokenize_unitwise}


def default_tokenization(separator: str) -> str:
    """The default tokenization for a stimulus set's separator.

    Parameters
    ----------
    separator : str
        How units are joined into text (``StimulusSet.separator``).

    Returns
    -------
    {"joint", "unitwise"}
        ``"unitwise"`` when units are not separated by whitespace (Chinese), else ``"joint"``.
    """
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
        Gives the ids and character offsets.
    sequences : list of (sequence_id, units)
        All with the same number of units U.
    separator : str
        Joins units into text.
    pooling : {"mean", "last"}
        A unit's value: the mean over its tokens, or the last of them.
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
    batch : Batch
        ``input_ids`` and ``attention_mask`` of shape (B, T) and the (B * U, B * T) pooling
        matrix.
    """
    import torch

    texts, spans = _unit_spans(sequences, separator)
    ids, offs = TOKENIZATIONS[tokenization](tokenizer, texts, spans, separator)
    offs = [np.asarray(o, dtype=np.int64).reshape(-1, 2) for o in offs]
    if add_bos:
        bos = tokenizer.bos_token_id
        ids = [[bos, *x] for x in ids]
        offs = [np.concatenate([[(0, 0)], o]) for o in offs]
    n_seq, n_units = spans.shape[:2]
    lens = np.fromiter((len(x) for x in ids), np.int64, count=n_seq)
    n_tok = max(int(lens.max()), 1)
    valid = np.arange(n_tok) < lens[:, None]  # (B, T)
    input_ids = np.full((n_seq, n_tok), pad_id, dtype=np.int64)
    input_ids[valid] = np.fromiter(itertools.chain.from_iterable(ids), np.int64, int(lens.sum()))
    rows, cols, toks = _overlaps(texts, spans, offs, lens, n_tok)
    counts = np.bincount(rows, minlength=n_seq * n_units)
    if (counts == 0).any():
        b, u = divmod(int(np.flatnonzero(counts == 0)[0]), n_units)
        seq_id, units = sequences[b]
        raise InvalidValueError(
            f"Unit {u} ({units[u]!r}) of sequence {seq_id} is covered by no token: its value "
            "would be undefined. Check that units are non-empty and not whitespace, and that the "
            "tokenizer keeps their characters."
        )
    n_shared = _count_shared(rows, toks, int(lens.sum()))
    n_split = _count_split(tokenizer, texts, spans) if tokenization == "unitwise" else 0
    rows, cols, w = POOLINGS[pooling](rows, cols, counts)
    crow = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_seq * n_units))])
    cols = torch.from_numpy(np.ascontiguousarray(cols))
    weights = torch.from_numpy(np.asarray(w, dtype=np.float32))
    mask = valid.astype(np.int64)
    return Batch(
        input_ids=torch.from_numpy(input_ids),
        attention_mask=torch.from_numpy(mask),
        rows=torch.from_numpy(np.ascontiguousarray(rows)),
        cols=cols,
        weights=weights,
        n_units=n_units,
        crow=torch.from_numpy(crow),
        n_shared=n_shared,
        n_split=n_split,
    )


def _count_shared(rows: np.ndarray, toks: np.ndarray, n_tokens: int) -> int:
    """Units that share at least one token with another unit, from the (unit, token) pairs."""
    units_per_token = np.bincount(toks, minlength=n_tokens)
    return int(np.unique(rows[units_per_token[toks] > 1]).size)


def _count_split(tokenizer, texts, spans) -> int:
    """Units that the joint tokenization of ``texts`` merges with another unit (a token spans
    both): what unit-wise tokenization splits against the tokenizer's normal reading."""
    ids, offs = _tokenize_joint(tokenizer, texts, spans, "")
    offs = [np.asarray(o, dtype=np.int64).reshape(-1, 2) for o in offs]
    lens = np.fromiter((len(x) for x in ids), np.int64, count=len(texts))
    rows, _cols, toks = _overlaps(texts, spans, offs, lens, max(int(lens.max()), 1))
    return _count_shared(rows, toks, int(lens.sum()))


_SPACE_CODES = np.array([ord(c) for c in " \t\n\r\x0b\x0c\u00a0\u3000\u2009\u200b"], np.uint32)


def _overlaps(texts, spans, offs, lens: np.ndarray, n_tok: int):
    """The (unit, token) pairs whose character spans share a non-whitespace character.

    Every sequence's characters are laid out at ``b * stride`` on one axis, so that units and
    tokens of the whole batch are two sorted interval lists: each token's candidate units are a
    contiguous range found by binary search, and no dense (B, U, T) array is built.

    Returns
    -------
    rows : ndarray, shape (P,)
        Flat unit index ``b * U + u``, sorted (then ``cols`` within a row).
    cols : ndarray, shape (P,)
        Flat token index ``b * T + t``.
    toks : ndarray, shape (P,)
        Index of the token among the batch's real (unpadded) tokens.
    """
    n_seq = len(texts)
    stride = max(len(t) for t in texts) + 1
    base = np.arange(n_seq, dtype=np.int64) * stride
    padded = "".join(t.ljust(stride) for t in texts)
    chars = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)
    nonspace = np.concatenate([[0], np.cumsum(~np.isin(chars, _SPACE_CODES))])
    units = (spans + base[:, None, None]).reshape(-1, 2)  # (B * U, 2), sorted
    tok = np.concatenate(offs)  # (sum of T_b, 2)
    tok_seq = np.repeat(np.arange(n_seq), lens)
    tok_pos = np.arange(tok_seq.size) - np.repeat(np.cumsum(lens) - lens, lens)
    text_len = np.fromiter((len(t) for t in texts), np.int64, count=n_seq)
    tok = np.minimum(tok, text_len[tok_seq, None]) + base[tok_seq, None]
    # units meeting the token [s, e): end > s and start < e, a contiguous range [first, stop)
    first = np.searchsorted(units[:, 1], tok[:, 0], side="right")
    stop = np.searchsorted(units[:, 0], tok[:, 1], side="left")
    n_cand = np.maximum(stop - first, 0)
    toks = np.repeat(np.arange(tok.shape[0]), n_cand)
    within = np.arange(toks.size) - np.repeat(np.cumsum(n_cand) - n_cand, n_cand)
    rows = first[toks] + within
    lo = np.maximum(tok[toks, 0], units[rows, 0])
    hi = np.minimum(tok[toks, 1], units[rows, 1])
    keep = nonspace[hi] - nonspace[lo] > 0
    rows, toks = rows[keep], toks[keep]
    cols = tok_seq[toks] * n_tok + tok_pos[toks]
    order = np.lexsort((cols, rows))
    return rows[order], cols[order], toks[order]


def pool(acts, matrix, n_seq: int, *, out=None):
    """Pool one layer's token activations to units.

    Parameters
    ----------
    acts : torch.Tensor, shape (B, T, N) or (B * T, N)
        One layer's token activations.
    matrix : torch sparse CSR tensor, shape (B * U, B * T), or DensePooling
        :attr:`Batch.matrix` (on a CPU: one sparse product, ``acts`` upcast to float32 first),
        or :func:`dense_pooling` of the batch (on an accelerator: one batched product in the
        activations' dtype with float32 results, no float32 copy of ``acts``). ``acts`` is
        moved to its device (a layer of a device-mapped model may sit elsewhere).
    n_seq : int
        B.
    out : torch.Tensor, shape (B, U, N), float32, optional
        Contiguous, on ``matrix``'s device: the result is written there (on a CPU without a
        temporary, whose fresh pages would cost as much as the product).

    Returns
    -------
    torch.Tensor, shape (B, U, N), float32
        ``out`` when given.
    """
    import torch

    n_neur = acts.shape[-1]
    if isinstance(matrix, DensePooling):
        want = (n_seq, matrix.n_units, n_neur)
        if out is None:
            out = torch.empty(want, dtype=torch.float32, device=matrix.device)
        _check_out(out, want)
        return matrix.apply(acts.reshape(n_seq, -1, n_neur).to(matrix.device), out)
    dense = acts.reshape(-1, n_neur).to(matrix.device, torch.float32)
    if out is None:
        return (matrix @ dense).reshape(n_seq, -1, n_neur)
    _check_out(out, (n_seq, matrix.shape[0] // max(n_seq, 1), n_neur))
    if out.device.type == "cpu":
        torch.mm(matrix, dense, out=out.view(-1, n_neur))
    else:
        out.copy_((matrix @ dense).view_as(out))
    return out


def _check_out(out, want) -> None:
    import torch

    if tuple(out.shape) != want or not out.is_contiguous() or out.dtype != torch.float32:
        raise InvalidValueError(
            f"Invalid value for 'out': expected a contiguous float32 tensor of shape {want}; got "
            f"{out.dtype} {tuple(out.shape)}{'' if out.is_contiguous() else ', not contiguous'}. "
            "Pass e.g. empty_block(shape, device)[layer], or out=None."
        )


_OUT_DTYPE_OK: dict = {}


def float_results_ok(device, dtype) -> bool:
    """Whether ``torch.bmm`` of ``dtype`` tensors can write float32 results on ``device``.

    ``torch.bmm(a, b, out_dtype=torch.float32, out=...)`` (torch >= 2.8, CUDA) multiplies half
    precision inputs as they are and keeps the float32 accumulator, so no float32 copy of the
    activations is needed. Found out once per device type and dtype, with a tiny product.

    Parameters
    ----------
    device : str or torch.device
    dtype : torch.dtype

    Returns
    -------
    bool
    """
    import torch

    key = (torch.device(device).type, dtype)
    if key not in _OUT_DTYPE_OK:
        try:
            a = torch.zeros(1, 8, 8, dtype=dtype, device=device)
            out = torch.empty(1, 8, 8, dtype=torch.float32, device=device)
            torch.bmm(a, a, out_dtype=torch.float32, out=out)
            _OUT_DTYPE_OK[key] = True
        except (TypeError, RuntimeError, NotImplementedError):
            _OUT_DTYPE_OK[key] = False
    return _OUT_DTYPE_OK[key]


def forget_float_results(device, dtype) -> None:
    """Stop using float32 results of ``dtype`` products on ``device`` (one failed after all).

    Parameters
    ----------
    device : str or torch.device
    dtype : torch.dtype
    """
    import torch

    _OUT_DTYPE_OK[(torch.device(device).type, dtype)] = False


class DensePooling:
    """A batch's pooling as one dense (U, T) matrix per sequence, on an accelerator.

    From :func:`dense_pooling`. ``apply`` pools one layer in one batched product; in half
    precision the weights are used as they are where that dtype holds them exactly (one token
    per unit, ``"last"``), else ones, the float32 result then scaled by 1 / tokens per unit.
    """

    def __init__(self, weights, host_weights, n_units: int) -> None:
        self.weights = weights  # (B, U, T) float32
        self.host_weights = host_weights  # (P,) the nonzero weights, on the host
        self.n_units = n_units
        self.device = weights.device
        self._cast: dict = {}

    def _in(self, dtype):
        if dtype not in self._cast:
            exact = bool((self.host_weights.to(dtype).float() == self.host_weights).all())
            if exact:
                self._cast[dtype] = (self.weights.to(dtype), None)
            else:
                ones = (self.weights != 0).to(dtype)
                scale = 1.0 / ones.float().sum(-1, keepdim=True).clamp(min=1.0)
                self._cast[dtype] = (ones, scale)
        return self._cast[dtype]

    def apply(self, x, out):
        """``out[b] = weights[b] @ x[b]``: x (B, T, N) in any float dtype, out (B, U, N) float32."""
        import torch

        if x.dtype != torch.float32 and float_results_ok(x.device, x.dtype):
            m, scale = self._in(x.dtype)
            try:
                torch.bmm(m, x, out_dtype=torch.float32, out=out)
            except (RuntimeError, TypeError, NotImplementedError):
                forget_float_results(x.device, x.dtype)
            else:
                if scale is not None:
                    out.mul_(scale)
                return out
        return torch.bmm(self.weights, x.float(), out=out)


def dense_pooling(batch: Batch, device) -> DensePooling:
    """The pooling of ``batch`` as dense per-sequence matrices on ``device`` (see :func:`pool`).

    Parameters
    ----------
    batch : Batch
    device : str or torch.device
        The weights go there without waiting (``non_blocking``).

    Returns
    -------
    DensePooling
    """
    import torch

    n_seq, n_tok = batch.input_ids.shape
    rows = batch.rows.to(device, non_blocking=True)
    cols = batch.cols.to(device, non_blocking=True)
    w = batch.weights.to(device, torch.float32, non_blocking=True)
    P = torch.zeros(n_seq * batch.n_units, n_tok, dtype=torch.float32, device=device)
    P.index_put_((rows, torch.remainder(cols, n_tok)), w)
    return DensePooling(P.view(n_seq, batch.n_units, n_tok), batch.weights, batch.n_units)


def empty_block(shape, device):
    """An uninitialised float32 tensor to pool into (e.g. (L, B, U, N)).

    On a CPU it comes from numpy, whose large arrays get transparent huge pages: filling it then
    faults in a few hundred pages instead of tens of thousands.

    Parameters
    ----------
    shape : tuple of int
        E.g. (L, B, U, N).
    device : str or torch.device
        Where the tensor lives.

    Returns
    -------
    torch.Tensor, float32, of shape ``shape``
        Uninitialised, contiguous.
    """
    import torch

    if torch.device(device).type == "cpu":
        return torch.from_numpy(np.empty(shape, dtype=np.float32))
    return torch.empty(shape, dtype=torch.float32, device=device)


def sharing_fractions(sharing: dict) -> dict[str, float]:
    """Per condition, the fraction of units that share a token with another unit.

    Parameters
    ----------
    sharing : dict of str to (int, int) or (int, int, int)
        condition → [units sharing a token with another unit, units(, units split)]
        (``ExtractionPlan.sharing``).

    Returns
    -------
    fractions : dict of str to float
        0 for a condition without units.
    """
    return {c: (v[0] / v[1] if v[1] else 0.0) for c, v in sharing.items()}


def splitting_fractions(sharing: dict) -> dict[str, float]:
    """Per condition, the fraction of units that unit-wise tokenization split from a real word.

    A unit counts when the tokenizer's normal (joint) tokenization of the text merges it with
    another unit into one token, which unit-wise tokenization then splits (:attr:`Batch.n_split`).
    Sentences of Chinese characters hold many such words, shuffled controls few, so the model
    reads the sentences' words in pieces it rarely sees: a contrast partly measures that.

    Parameters
    ----------
    sharing : dict of str to (int, int, int)
        condition → [units sharing a token, units, units split] (``ExtractionPlan.sharing``).

    Returns
    -------
    fractions : dict of str to float
        0 for a condition without units (or without the third count: joint tokenization).
    """
    return {c: (v[2] / v[1] if v[1] and len(v) > 2 else 0.0) for c, v in sharing.items()}


#: conditions whose token-sharing fractions differ by more than this get a warning
SHARING_TOLERANCE = 0.01


def warn_sharing(fractions: dict[str, float], tokenization: str) -> None:
    """Warn when conditions differ in how many units share a token (a contrast would see it).

    Parameters
    ----------
    fractions : dict of str to float
        From :func:`sharing_fractions`; a spread above :data:`SHARING_TOLERANCE` warns.
    tokenization : {"joint", "unitwise"}
        The tokenization used (the warning's fix depends on it).
    """
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


def warn_splitting(fractions: dict[str, float]) -> None:
    """Warn when conditions differ in how many units unit-wise tokenization split from words.

    Parameters
    ----------
    fractions : dict of str to float
        From :func:`splitting_fractions`; a spread above :data:`SHARING_TOLERANCE` warns.
    """
    if len(fractions) < 2:
        return
    lo, hi = min(fractions.values()), max(fractions.values())
    if hi - lo > SHARING_TOLERANCE:
        shown = ", ".join(f"{c}: {f:.1%}" for c, f in fractions.items())
        warnings.warn(
            "The conditions differ in the share of units that unit-wise tokenization split out "
            f"of a word the tokenizer normally reads as one token ({shown}): the model reads "
            "one condition's words in unusual pieces, so a contrast between these conditions "
            "partly measures tokenization. Report it beside token_sharing (both are in the "
            "spectra's attrs), or compare conditions with equal shares.",
            UserWarning,
            stacklevel=3,
        )
