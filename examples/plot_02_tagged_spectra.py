"""
The spectrum of one tagged neuron
=================================

A tagged neuron is one whose response, sampled once per word, has a peak at the sentence rate
(1 Hz) or the phrase rate (2 Hz) that stands above the neighboring frequency bins and that is
larger for sentences than for the same words shuffled within each sentence. Looking at the
spectra themselves is the best check of what the statistics say: the peak should be sharp
(one bin wide: the response is phase-locked to the structure in every sequence), present in the
sentences and absent, or much smaller, in the controls.

This example picks the neuron with the strongest sentence-rate effect and draws its evoked
amplitude spectrum in three conditions, then the spectra of the six most tagged neurons.
"""

# %%
# The probe of the first example (saved by the gallery's helper, so it is not run twice)
import warnings

import matplotlib.pyplot as plt
from _gallery import probe_model

import hftp

warnings.filterwarnings("ignore", message=r"The phrase rate .* Nyquist")
stim = hftp.make_stimuli(
    "en",
    design=["sentences", "within-shuffle", "random-words", "phrases", "category-alternation"],
    n_sequences=8,
    n_sentences=20,
    seed=0,
)
spectra = probe_model(stim, layers=[0, 5, 10, 15, 20])
tagged = hftp.find_tagged(spectra, condition="sentences", control="within-shuffle", seed=0)

# %%
# The neuron with the largest sentence-rate SNR among those tagged at the sentence rate only.
# ``snr`` is the amplitude at the tagged bin over the mean of its neighbors (3 on each side,
# skipping the adjacent one), in the sentences.
sentence_only = tagged["category"] == "sentence"
snr = tagged["snr"].sel(level="sentence").where(sentence_only)
best = snr.argmax(dim=["layer", "neuron"])
layer = int(tagged["layer"][best["layer"]])
neuron = int(tagged["neuron"][best["neuron"]])
row = tagged.sel(layer=layer, neuron=neuron)
print(f"layer {layer}, neuron {neuron}: category {row['category'].item()}")
row[["snr", "q", "spec_q", "amplitude_ratio"]].to_dataframe()[
    ["snr", "q", "spec_q", "amplitude_ratio"]
]

# %%
# Its evoked amplitude (the amplitude of the mean over sequences of the complex spectrum:
# what is phase-locked to the stimulus) in the sentences and two controls. Dashed lines: the
# tagged rates.
evoked = hftp.evoked_amplitude(spectra).sel(layer=layer, neuron=neuron)
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for condition in ["sentences", "within-shuffle", "random-words"]:
    evoked.sel(condition=condition).plot(ax=ax, label=condition)
for hz in spectra.hftp.tagged_hz.values():
    ax.axvline(hz, color="0.5", ls="--", lw=0.8)
ax.set(
    title=f"Layer {layer}, neuron {neuron} (dashed: sentence 1 Hz, phrase 2 Hz)",
    xlabel="Frequency (Hz)",
    ylabel="Evoked amplitude",
)
ax.legend(frameon=False)

# %%
# The six most tagged neurons (ranked by the number of significant rates, then by their
# statistic), in the sentences.
fig = hftp.plot.plot_tagged_spectra(spectra, tagged, condition="sentences", n=6)
