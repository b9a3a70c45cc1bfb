"""
Ablating the tagged neurons
===========================

Tagging is correlational: a neuron that follows the sentence rate need not be used by the
model. A lesion study asks the causal question. hftp silences a set of neurons (each is
replaced by its mean activation, so the layer keeps its average input) and measures how much
the model's next-word loss rises, on the sentences and on the controls.

A rise by itself means little: silencing any large set of neurons hurts, and more so when the
neurons vary a lot. The null is drawn many times from random neurons of the same count in the
same layers and with the same spread of activation variance (``null="matched-variance"``, the
default). The contrast "change on sentences minus change on the controls" asks whether the
tagged neurons matter more for predicting words in structured text than in unstructured text.
"""

# %%
# The tagged neurons of the first example
import warnings

from _gallery import default_model, probe_model

import hftp

warnings.filterwarnings("ignore", message=r"The phrase rate .* Nyquist")

stim = hftp.make_stimuli(
    "en",
    design=["sentences", "within-shuffle", "random-words", "phrases", "category-alternation"],
    n_sequences=8,
    n_sentences=20,
    seed=0,
)
tagged = hftp.find_tagged(
    probe_model(stim, layers=[0, 5, 10, 15, 20]), condition="sentences", control="within-shuffle"
)
print(tagged["category"].to_series().value_counts())

# %%
# Ablate the sentence-tagged neurons on new stimuli (another seed): two sequences of 10
# sentences per condition, against 10 matched random sets. For a real
# analysis use more sequences, every category and ``n_random=100`` (the default); the smallest
# p-value here is 1/11.
model, tokenizer = default_model()  # hftp.load_model(), loaded once for the gallery
test_stim = hftp.make_stimuli(
    "en", design=["sentences", "random-words"], n_sequences=2, n_sentences=10, seed=1
)
result = hftp.models.ablate(
    model,
    tokenizer,
    test_stim,
    tagged,
    categories="sentence",
    n_random=10,
    seed=0,
    progress=False,
)
result[["change", "z", "p"]].to_dataframe().round(4)

# %%
# Left: the loss change on the sentences; right: the contrast with the random words. Grey: the
# random sets (mean ± SD); diamond: the tagged set, with its one-sided p-value. At this size
# (two sequences per condition, 10 random sets) the random sets already spread widely, and the
# tagged set's effect has to stand out from that spread to mean anything.
fig = hftp.plot.plot_ablation(result, title="Silencing the tagged neurons (SmolLM2-135M)")
