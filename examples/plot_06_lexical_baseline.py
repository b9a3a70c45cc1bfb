"""
The lexical baseline: syntax or word identity?
==============================================

In the sentences of the first example every position has a predictable word class
(adjective, noun, verb, noun). A neuron that simply responds to nouns then oscillates at the
phrase rate, and one that responds to a few particular words may oscillate at the sentence
rate, with no syntax at all. Much of the tagging found in a language model can come from word
identity.

The lexical baseline removes it: each neuron's mean response to each word is estimated in
the random-word streams (where words occur in no structure) and subtracted from its response
in every condition. What stays tagged in the residuals is a response to the structure beyond
the words themselves. The test on the residuals accounts for the variance of that estimate
(two passes over the stimuli; memory stays flat).
"""

# %%
import warnings

from _gallery import probe_model

import hftp

warnings.filterwarnings("ignore", message=r"The phrase rate .* Nyquist")

LAYERS = [0, 5, 10]
stim = hftp.make_stimuli(
    "en",
    design=["sentences", "within-shuffle", "random-words"],
    n_sequences=8,
    n_sentences=20,
    seed=0,
)

# %%
# The plain probe and the probe of the residuals after the random-word baseline.
plain = probe_model(stim, layers=LAYERS)
residual = probe_model(stim, layers=LAYERS, lexical_baseline="random-words")
print(residual.attrs["lexical_baseline"], "baseline;", list(residual.data_vars))

# %%
# Tag both; ``layer_profile(..., residual=...)`` adds the share still tagged after the
# baseline.
tagged = hftp.find_tagged(plain, condition="sentences", control="within-shuffle")
tagged_residual = hftp.find_tagged(residual, condition="sentences", control="within-shuffle")
profile = hftp.layer_profile(tagged, residual=tagged_residual)
profile.pivot(index="layer", columns="category", values=["proportion", "residual"]).round(3)

# %%
# Bars: tagged on the plain responses; grey dotted line: tagged on the residuals (any
# category). The gap is what word identity explains.
fig = hftp.plot.plot_layer_profile(
    profile, title="Tagged neurons, before and after the lexical baseline"
)

# %%
# The same comparison on effect sizes, the quantity to report: θ̂ after the baseline is the
# syntax estimate (what word identity cannot explain; word order and transition
# predictability remain in it). Solid: plain responses; dotted: residuals.
fig = hftp.plot.plot_effect_profile(
    tagged, residual=tagged_residual, title="Effect size before and after the lexical baseline"
)
