"""
Models held by TransformerLens and nnsight
==========================================

Interpretability researchers often hold their model inside a tool: a TransformerLens 4
``TransformerBridge`` or an nnsight ``LanguageModel``. :func:`hftp.probe`,
:func:`hftp.extract_activations` and :func:`hftp.models.ablate` take either one as it is and
read the same MLP neurons as in the Hugging Face model inside (the input of each layer's
down-projection, TransformerLens' ``blocks.{i}.mlp.hook_post``), with the tool's tokenizer; a
bridge also brings its BOS default (TransformerLens prepends BOS).

So that it runs in seconds, this example uses a tiny random Llama, saved to a temporary folder
and booted as a bridge from there (nothing is downloaded). The same lines work on any model the
tools load. Both packages come with ``pip install "hftp[interop]"``.
"""

# %%
# A tiny model, saved as a Hugging Face folder, and the stimuli
import tempfile
import warnings

import matplotlib.pyplot as plt
import numpy as np
from transformers import AutoModelForCausalLM

import hftp
from hftp.testing import make_stim, tiny_model, tiny_tokenizer

folder = tempfile.mkdtemp(prefix="tiny-llama-")
tiny_model("llama").save_pretrained(folder)
tiny_tokenizer().save_pretrained(folder)

rng = np.random.default_rng(0)
words = "fat rat sensed fear big dog chased cats old cow ate grass".split()
stim = make_stim([list(rng.choice(words, 16)) for _ in range(8)], condition="sentences")

# %%
# The bridge: the tokenizer and BOS setting come with it, so ``tokenizer`` is ``None``
from transformer_lens.model_bridge import TransformerBridge

bridge = TransformerBridge.boot_transformers(folder, device="cpu")
via_bridge = hftp.probe(bridge, None, stim, progress=False)
print(via_bridge.attrs["site"], "add_bos:", via_bridge.attrs["add_bos"])

# %%
# The same probe of the Hugging Face model itself (eager attention, as the bridge uses), with
# BOS as the bridge prepends it: the spectra agree to floating-point precision.
hf = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager").eval()
direct = hftp.probe(hf, tiny_tokenizer(), stim, add_bos=True, progress=False)
diff = float(np.abs(via_bridge["sum_x"] - direct["sum_x"]).max())
print(f"largest difference of the FFT sums: {diff:.2e}")

# %%
# nnsight: the model inside the wrapper is probed; nnsight's own trace sees the same neurons.
import nnsight

with warnings.catch_warnings():  # nnsight 0.8 prefers TransformersModel; both are accepted
    warnings.simplefilter("ignore", FutureWarning)
    lm = nnsight.LanguageModel(tiny_model("llama"), tokenizer=tiny_tokenizer())
via_nnsight = hftp.probe(lm, None, stim, add_bos=True, progress=False)

# %%
# Each layer's mean evoked amplitude spectrum, through the three routes: one curve each.
fig, axes = plt.subplots(1, 3, figsize=(9, 2.8), sharey=True, layout="constrained")
for layer, ax in enumerate(axes):
    for spectra, label, style in (
        (direct, "Hugging Face", "-"),
        (via_bridge, "TransformerBridge", "--"),
        (via_nnsight, "nnsight", ":"),
    ):
        amp = hftp.evoked_amplitude(spectra).sel(condition="sentences", layer=layer)
        ax.plot(amp["freq"], amp.mean("neuron"), style, label=label)
    ax.set(title=f"layer {layer}", xlabel="Hz")
axes[0].set_ylabel("evoked amplitude")
axes[0].legend(fontsize=7)
fig.suptitle("One model, three ways in: the same neurons")
