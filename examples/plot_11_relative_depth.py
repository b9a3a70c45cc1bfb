"""
Two models on one depth axis
============================

Models differ in depth (SmolLM2-135M has 30 layers, GPT-2 small 12, larger models 40 or more),
so "layer 10" means different things in each. Comparing where syntax-locked neurons live across
models needs a common axis: the relative depth ``layer / (n_layers - 1)``, from 0 (the first
layer) to 1 (the last). :func:`hftp.compare_profiles` puts the layer profiles of any number of
models on that axis.

Here the two models are SmolLM2-135M and the same architecture with random weights
(:func:`hftp.models.untrained`). The untrained network is the lexical-regularity baseline: it
has never learned syntax, but its neurons still respond to word identity, and word identity
recurs with the sentences. What the trained model shows beyond it is what training added.
"""

# %%
import warnings

from _gallery import probe_model

import hftp

warnings.filterwarnings("ignore", message=r"The phrase rate .* Nyquist")

LAYERS = [0, 5, 10, 15, 20]
stim = hftp.make_stimuli(
    "en",
    design=["sentences", "within-shuffle", "random-words", "phrases", "category-alternation"],
    n_sequences=8,
    n_sentences=20,
    seed=0,
)
trained = hftp.find_tagged(
    probe_model(stim, layers=LAYERS), condition="sentences", control="within-shuffle"
)

# %%
# The untrained model needs only the two conditions of the test (the same sequences: same
# design names, same seed). In your own code: ``hftp.probe(hftp.models.untrained(model),
# tokenizer, stim2, layers=LAYERS)``.
stim2 = hftp.make_stimuli(
    "en", design=["sentences", "within-shuffle"], n_sequences=8, n_sentences=20, seed=0
)
untrained = hftp.find_tagged(
    probe_model(stim2, layers=LAYERS, model="untrained"),
    condition="sentences",
    control="within-shuffle",
)

# %%
# One long table: model, layer, relative depth, category, count, proportion.
profiles = hftp.compare_profiles({"SmolLM2-135M": trained, "SmolLM2-135M (untrained)": untrained})
profiles[profiles["category"] == "sentence"].round(3)

# %%
# Per category, the share of neurons tagged against relative depth; the untrained model is
# dashed.
fig = hftp.plot.plot_profiles_by_depth(profiles, title="Trained vs untrained, by relative depth")

# %%
# The same on effect sizes: the median θ̂, the estimated share above δ and the share
# ``selective`` at the sentence rate, with their intervals. Models are compared on these,
# which do not grow with the number of trials (docs/across_models.py runs it for SmolLM2,
# Gemma 3 in English and Chinese, and MiniLM).
fig = hftp.plot.plot_effects_by_depth(profiles, level="sentence")
