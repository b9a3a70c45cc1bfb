"""Stage 2: language models and their MLP neurons.

- :mod:`~hftp.models.load`: :func:`load_model` (the offline default, catalogue keys, GGUF files,
  local folders, hub ids, device maps), :func:`untrained` (fresh random weights) and where a
  loaded model runs;
- :mod:`~hftp.models.listing`: the catalogue of the field's models (:data:`CATALOGUE`,
  :func:`catalogue`);
- :mod:`~hftp.models.gguf`: GGUF files converted once into hftp's cache;
- :mod:`~hftp.models.families`: the registry of where each family's neurons live
  (:data:`FAMILIES`, :func:`resolve_site`);
- :mod:`~hftp.models.wrappers`: models held by interpretability tools, TransformerLens bridges
  and nnsight models (:data:`WRAPPERS`, :func:`unwrap_model`), read as the models they wrap;
- :mod:`~hftp.models.hooks`: the forward pre-hooks (:func:`capture`), the only module that
  registers hooks;
- :mod:`~hftp.models.pooling`: tokens → units (tokenizing unit streams, sparse pooling matrices);
- :mod:`~hftp.models.batching`: the batch driver (validated inputs, batches of one condition,
  pooled (L, B, U, N) blocks);
- :mod:`~hftp.models.extract`: raw activations (:func:`extract_activations`,
  :func:`iter_activations`, :func:`record_tokens`);
- :mod:`~hftp.models.probing`: :func:`probe`, batches streamed into Spectra, with split halves;
- :mod:`~hftp.models.fft`: the device-keyed FFT summarisers the probe adds each batch with;
- :mod:`~hftp.models.lexical`: the streaming lexical baseline of the probe;
- :mod:`~hftp.models.loss`: the next-unit loss (:func:`next_unit_loss`);
- :mod:`~hftp.models.ablation`: the causal ablation of neuron sets against random ones
  (:func:`ablate`, :func:`ablation_table`);
- :mod:`~hftp.models.neuron_sets`: the sets it ablates (categories of ``significant`` or
  ``selective``, the top k per layer by ``effect_lower``) and its random nulls (matched count
  and activation variance by default, :data:`~hftp.models.neuron_sets.NULLS`).

torch and transformers are imported only when a function needs them.
"""

from hftp._deprecate import module_getattr
from hftp.models.ablation import ablate, ablation_table
from hftp.models.extract import extract_activations, iter_activations, record_tokens
from hftp.models.families import FAMILIES, register_family, resolve_site
from hftp.models.hooks import capture
from hftp.models.listing import CATALOGUE, catalogue
from hftp.models.load import (
    DEFAULT_MODEL,
    DEFAULT_WHEEL,
    cache_dir,
    default_add_bos,
    input_device,
    load_model,
    model_id,
    resolve_device,
    untrained,
)
from hftp.models.loss import next_unit_loss
from hftp.models.probing import probe
from hftp.models.wrappers import WRAPPERS, register_wrapper, unwrap_model

__all__ = [
    "CATALOGUE",
    "catalogue",
    "default_add_bos",
    "input_device",
    "FAMILIES",
    "DEFAULT_MODEL",
    "DEFAULT_WHEEL",
    "load_model",
    "register_family",
    "WRAPPERS",
    "register_wrapper",
    "unwrap_model",
    "resolve_site",
    "resolve_device",
    "cache_dir",
    "model_id",
    "capture",
    "record_tokens",
    "extract_activations",
    "probe",
    "iter_activations",
    "untrained",
    "ablate",
    "ablation_table",
    "next_unit_loss",
]

# hftp.models.spectra was renamed hftp.models.fft in 0.3
__getattr__ = module_getattr(__name__, {"spectra": ("hftp.models", "fft")})
