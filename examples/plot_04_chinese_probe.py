"""
A Chinese probe, and the overlap with English
=============================================

Ding et al. (2016) first tagged syntax with Mandarin Chinese: monosyllabic characters at 4 Hz,
grouped into two-character noun and verb phrases (2 Hz) and four-character sentences (1 Hz),
for example 猴子 游泳 ("the monkey swims"). ``hftp.make_stimuli("zh", ...)`` builds those
streams; the unit is one character, and the model's tokens are pooled per character.

This example probes the default model on Chinese sentences and their within-sentence shuffle,
then asks whether the neurons tagged in Chinese are the ones tagged in English: the overlap of
the two tagged sets per layer, against the overlap expected if the Chinese set were drawn at
random with the same size (a hypergeometric test).
"""

# %%
# Chinese streams
# ---------------
import warnings

import matplotlib.pyplot as plt
from _gallery import probe_model

import hftp

# the 2 Hz phrase rate is the Nyquist frequency of a 4 Hz unit rate: hftp notes it (its phase is
# not usable; the tests use amplitudes there)
warnings.filterwarnings("ignore", message=r"The phrase rate .* Nyquist")

LAYERS = [0, 5, 10, 15, 20]
zh = hftp.make_stimuli(
    "zh", design=["sentences", "within-shuffle"], n_sequences=8, n_sentences=20, seed=0
)
print("".join(zh.units["unit"][:16]), "...")

# %%
# Probe, test, and the English result of the first example for comparison
zh_spectra = probe_model(zh, layers=LAYERS)
zh_tagged = hftp.find_tagged(zh_spectra, condition="sentences", control="within-shuffle")

en = hftp.make_stimuli(
    "en",
    design=["sentences", "within-shuffle", "random-words", "phrases", "category-alternation"],
    n_sequences=8,
    n_sentences=20,
    seed=0,
)
en_tagged = hftp.find_tagged(
    probe_model(en, layers=LAYERS), condition="sentences", control="within-shuffle"
)

# %%
# The overlap of the sentence-tagged neurons, per layer: Dice coefficient, its chance level,
# and the hypergeometric p-value of at least that much overlap.
ov = hftp.overlap(en_tagged, zh_tagged)
sentence = ov[ov["category"] == "sentence"].set_index("layer")
sentence[["n_a", "n_b", "n_both", "dice", "chance", "p"]].round(4)

# %%
# Left: the share of each layer tagged in each language. Right: the overlap of the two
# sentence-tagged sets against its chance level.
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
hftp.plot.plot_trained_vs_untrained(
    en_tagged, zh_tagged, labels=("English", "Chinese"), ax=ax1, title="Tagged neurons"
)
ax2.plot(sentence.index, sentence["dice"], "o-", label="English ∩ Chinese")
ax2.plot(sentence.index, sentence["chance"], "k--", label="chance")
ax2.set_xticks(sentence.index)
ax2.set(
    xlabel="Layer",
    ylabel="Dice coefficient",
    title="Sentence-tagged neurons: overlap",
    ylim=(0, None),
)
ax2.legend(frameon=False)
