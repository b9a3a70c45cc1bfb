"""
Model–brain alignment and its null
==================================

Representational similarity analysis (RSA) compares two systems without mapping one onto the
other: each system gives a representational dissimilarity matrix (RDM) over the same
conditions (here, how differently the conditions drive the spectrum near the tagged rates),
and the two RDMs are correlated. hftp computes one RDM per model layer and one per brain
channel, and summarises the layer × channel similarities by ``S(m,b)``, the mean of the
``top_k`` largest.

``S`` is a top-k statistic, so it is positive even when nothing aligns: it must be read beside
its permutation null, in which the condition labels of the brain are relabeled (6 conditions
give 720 relabelings). Single cells are tested family-wise by the permutation maximum (maxT)
over layer × channel and layer × region.

The brain here is **simulated** sEEG, recorded with the same six conditions that the model
read: two regions are planted with the condition profile of one model layer, one follows
the word rate only, one does not respond.
"""

# %%
# The model's spectra (the probe of the first example) and a simulated sEEG data set with the
# same conditions, one trial per sequence
import tempfile
import warnings
from pathlib import Path

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

# %%
# The simulated brain: two regions (STG_L, IFG_L) respond at the sentence and phrase rates with
# the condition profile of the model's layer 20 (its mean evoked amplitude at 1 and 2 Hz in each
# condition, relative to the largest); A1_L follows the word rate only, in every condition;
# MFG_R does not respond. This is a known truth planted for the demonstration: the test should
# find the two planted regions and not the others.
evoked = hftp.evoked_amplitude(spectra.sel(layer=20)).mean("neuron")
profile = {
    level: (hftp.at_freq(evoked, hz) / hftp.at_freq(evoked, hz).max()).to_series()
    for level, hz in spectra.hftp.tagged_hz.items()
}
like_layer_20 = {
    c: {"unit": 1.0, "sentence": profile["sentence"][c], "phrase": profile["phrase"][c]}
    for c in stim.conditions
}
responses = {
    "STG_L": like_layer_20,
    "IFG_L": like_layer_20,
    "A1_L": {c: {"unit": 1.0} for c in stim.conditions},
    "MFG_R": {},
}
sim = hftp.simulate_ieeg(
    Path(tempfile.mkdtemp()) / "sim_bids", stim=stim, responses=responses, subjects=2, seed=0
)
bspec = hftp.brain_spectra(hftp.brain.read_subjects(sim.root))
print(list(bspec["condition"].values))
print(sorted(set(bspec["region"].values)))

# %%
# Align every neuron of each layer with every contact. The features of a condition are the
# evoked amplitudes over the band from 0.5 Hz to the highest tagged rate; ``metric=
# "correlation"`` compares their shapes across the band rather than their overall level (which
# differs between a model and a brain for reasons of no interest). To align only the tagged
# neurons, pass ``model_channels=`` a selection made on other trials (see :func:`hftp.align`).
result = hftp.align(spectra, bspec, brain_measure="evoked", metric="correlation", top_k=10, seed=0)
summary = hftp.alignment_summary(result)
{k: summary[k] for k in ("S", "S_p", "S_corrected", "best_layer", "n_significant")}

# %%
# The observed ``S`` against its permutation null.
fig = hftp.plot.plot_alignment_null(result, title="S(m,b) against its permutation null")

# %%
# Layer × region: the mean similarity of each region's contacts; a dot marks a cell significant
# family-wise (maxT). The planted regions stand out; A1_L (word rate only, the same in every
# condition) and MFG_R (no response) do not.
fig, ax = plt.subplots(figsize=(6.5, 4.5), layout="constrained")
hftp.plot.plot_alignment(result, ax=ax, title="Model layers vs sEEG regions")
