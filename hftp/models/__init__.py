"""Stage 2: language models and their MLP neurons.

:mod:`hftp.models.load` loads a model (the offline default, GGUF files, local folders, hub ids,
device maps); :mod:`hftp.models.gguf` caches GGUF conversions; :mod:`hftp.models.catalogue` lists
the field's models;
:mod:`hftp.models.families` maps architectures to the module whose input is the neuron vector;
:mod:`hftp.models.extract` hooks it (raw activations, streamed spectra); :mod:`hftp.models.batching`
cuts sequences into batches; :mod:`hftp.models.pooling` maps tokens to stimulus units;
:mod:`hftp.models.spectra` turns pooled units into FFT sums on their device; :mod:`hftp.models.untrained` gives the untrained baseline; :mod:`hftp.models.loss` the next-unit
loss and :mod:`hftp.models.ablate` the causal ablation of neuron sets against random ones.
torch and transformers are imported only when a function needs them.
"""

from hftp.models.ablate import ablate, ablation_table
from hftp.models.catalogue import CATALOGUE, catalogue
from hftp.models.extract import (
    capture,
    extract_activations,
    iter_activations,
    probe,
    record_tokens,
)
from hftp.models.families import FAMILIES, register_family, resolve_site
from hftp.models.load import (
    DEFAULT_MODEL,
    DEFAULT_WHEEL,
    cache_dir,
    default_add_bos,
    input_device,
    load_model,
    model_id,
    resolve_device,
)
from hftp.models.loss import next_unit_loss
from hftp.models.untrained import untrained

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
