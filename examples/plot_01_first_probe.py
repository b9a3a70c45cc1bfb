"""
A first probe: syntax-locked neurons, layer by layer
====================================================

In a frequency-tagging experiment (Ding et al., 2016) a listener hears words at a fixed rate,
4 per second here, grouped into two-word phrases and four-word sentences. No acoustic cue marks
the groups, so a response at the phrase rate (2 Hz) or the sentence rate (1 Hz) can only come
from a brain that builds the structure. hftp runs the same experiment on a language model: each
MLP neuron's activation, one sample per word, is a "recording" whose spectrum we test at 1 and
2 Hz, against its neighboring frequency bins and against a control stream (the same words
shuffled within each sentence, which keeps the words and destroys the syntax).

This example probes the offline default model, SmolLM2-135M-Instruct, on a few sequences and a
few layers, finds its tagged neurons, and draws per layer the share tagged at the sentence rate,
the phrase rate or both, and then how large the structure-specific response is (the effect
profile, the headline of an analysis).
"""

# %%
# The stimuli
# -----------
# Eight sequences per condition, each of 20 sentences (80 words, 20 s at 4 words/s):
#
# - ``sentences``: [Adj N][V N] sentences ("fat wolf held cow"), in a new random order in each
#   sequence;
# - ``within-shuffle``: the same sentences, each with its words reordered ("held fat cow
#   wolf"; the control: the same words recur with the same period, but without syntax);
# - ``random-words``: the same words in a free random order (no structure at all);
# - ``np-phrases``, ``vp-phrases``: phrases only (the ``phrases`` design);
# - ``category-alternation``: adjective, verb, adjective, verb ...: the word class repeats
#   at the phrase rate, but no two words form a phrase.
#
# The 2 Hz phrase rate is the Nyquist frequency of a 4 Hz word rate; hftp notes it (the phase
# there is not usable, so the tests use amplitudes). For a real analysis use
# ``n_sequences=100`` and ``n_sentences=50``, as in the paper.
import warnings

import hftp

warnings.filterwarnings("ignore", message=r"The phrase rate .* Nyquist")
stim = hftp.make_stimuli(
    "en",
    design=["sentences", "within-shuffle", "random-words", "phrases", "category-alternation"],
    n_sequences=8,
    n_sentences=20,
    seed=0,
)
print(stim)
stim.units.head(8)

# %%
# Probing the model
# -----------------
# ``hftp.probe`` records every MLP neuron of the chosen layers (the input of the MLP's
# down-projection) while the model reads each sequence, pools the tokens of each word, and
# accumulates the spectra over sequences. In your own code::
#
#     model, tokenizer = hftp.load_model()        # the offline default model
#     spectra = hftp.probe(model, tokenizer, stim, layers=[0, 5, 10, 15, 20])
#
# The gallery's helper ``probe_model`` does exactly that, and saves the result so that the
# other examples reuse it.
from _gallery import probe_model

LAYERS = [0, 5, 10, 15, 20]
spectra = probe_model(stim, layers=LAYERS)
spectra

# %%
# Tagged neurons
# --------------
# The calibrated test: a spectral F-test of each neuron's evoked (phase-locked) amplitude
# against its neighboring bins, a specificity test against the within-sentence shuffle, and one
# Benjamini–Hochberg family over all neurons and both rates. A neuron is ``"sentence"``,
# ``"phrase"`` or ``"shared"`` by the rates at which it is significant.
tagged = hftp.find_tagged(spectra, condition="sentences", control="within-shuffle", seed=0)
profile = hftp.layer_profile(tagged)
profile.pivot(index="layer", columns="category", values="proportion").round(3)

# %%
# The layer profile
# -----------------
# Most neurons pass, in every layer, even in layer 0, which sees little more than the current
# word. Significance alone does not localise syntax: with enough trials nearly every neuron's
# response differs a little between sentences and their shuffle, so the share ``significant``
# grows with the number of trials (it measures power). In these sentences each position also has
# a predictable word class, so a neuron that prefers nouns oscillates at the phrase rate.
fig = hftp.plot.plot_layer_profile(tagged, title="SmolLM2-135M: tagged neurons per layer")

# %%
# How large, not only whether
# ---------------------------
# The headline is the effect size θ̂: the structure-specific amplitude at the tagged rate, in
# standard deviations of the neuron's activity (sentences minus within-shuffle, with the noise
# bias removed). Per layer: its median and 90th percentile with neuron-bootstrap intervals, the
# estimated share of neurons with θ̂ above δ = 0.2 (a sinusoid explaining 2% of the variance),
# and the share ``selective`` (tagged *and* above δ, one FDR family: the neurons that can be
# named). These stay put as trials are added; ``selective`` rises toward the estimated share.
# The lexical baseline and the untrained model (examples 6 and 11) belong beside them.
effects = hftp.tagging.effect_profile(tagged, n_boot=200, seed=0)
effects.query("level == 'sentence'")[
    ["layer", "effect_median", "effect_p90", "effect_share", "selective_share"]
].round(3)

# %%
fig = hftp.plot.plot_effect_profile(effects, title="SmolLM2-135M: effect size per layer")
