"""
Your own stimulus streams
=========================

hftp's designs generate sentences from a small grammar, but a study usually has its own
material: the word lists of an EEG experiment, another language, another structure. Any list of
units becomes a stimulus set once you declare the rates at which its structures recur.

Here we rebuild the logic of Burroughs, Kazanina & Houghton (2021): isochronous words at
3.125 Hz, where in one condition adjective–noun pairs form phrases ("AN AN ...", phrases at
1.5625 Hz) and in the control adjectives alternate with verbs ("AV AV ..."), which repeats the
word class at the same rate but makes no phrase. A response at 1.5625 Hz that is larger for
AN AN than for AV AV cannot come from the alternation of word classes alone. The same
streams can be exported as a BIDS ``events.tsv`` to run the experiment with people.
"""

# %%
# Streams from plain word lists
# -----------------------------
# Sixteen streams per condition, each of 48 words (24 two-word pairs). With 48 words at
# 3.125 Hz the frequency resolution is 3.125 / 48 Hz, so the phrase rate falls on bin 24.
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from _gallery import probe_model

import hftp

ADJECTIVES = "big small old young red green soft loud warm cold dark bright".split()
NOUNS = "dog cat house tree car bird river book ship horse road garden".split()
VERBS = "runs sleeps falls sings waits swims grows shines burns moves rests stays".split()

# two-word phrases at 3.125 words/s recur at the Nyquist frequency of the word rate: hftp notes
# it (the phase there is not usable; the tests use amplitudes)
warnings.filterwarnings("ignore", message=r"The phrase rate .* Nyquist")
rng = np.random.default_rng(0)


def stream(second_words, n_pairs=24):
    """Alternate a random adjective with a random word of ``second_words``."""
    return [w for _ in range(n_pairs) for w in (rng.choice(ADJECTIVES), rng.choice(second_words))]


streams = {
    "anan": [stream(NOUNS) for _ in range(16)],
    "avav": [stream(VERBS) for _ in range(16)],
}
stim = hftp.make_stimuli("en", "custom", streams=streams, sfreq=3.125, tagged_hz={"phrase": 1.5625})
print(stim)
print(" ".join(streams["anan"][0][:12]), "...")
print(" ".join(streams["avav"][0][:12]), "...")

# %%
# The same streams for a human experiment: one row per word, with its onset and duration.
events = hftp.stimuli.to_events(stim, Path(tempfile.mkdtemp()) / "task-phrases_events.tsv")
print(events.read_text().splitlines()[:4])

# %%
# Probe and test
# --------------
# A few early layers of the default model are enough here: the model stops its forward pass
# after the last recorded layer.
spectra = probe_model(stim, layers=[0, 3, 6])
tagged = hftp.find_tagged(spectra, condition="anan", control="avav", seed=0)
hftp.layer_profile(tagged).pivot(index="layer", columns="category", values="proportion")

# %%
# The mean SNR spectrum over all neurons of each layer: the AN AN streams carry a peak at the
# phrase rate that the AV AV streams do not (they still have one, smaller: the word classes
# alternate at that rate).
snr = hftp.snr(hftp.evoked_amplitude(spectra)).mean("neuron")
fig, axes = plt.subplots(1, 3, figsize=(9, 3), sharey=True, layout="constrained")
for ax, layer in zip(axes, spectra["layer"].values, strict=True):
    for condition in ["anan", "avav"]:
        snr.sel(layer=layer, condition=condition).plot(ax=ax, label=condition)
    ax.axvline(1.5625, color="0.5", ls="--", lw=0.8)
    ax.set(title=f"layer {layer}", xlabel="Frequency (Hz)", ylabel="")
axes[0].set_ylabel("Mean SNR over neurons")
axes[0].legend(frameon=False)
fig.suptitle("Custom streams: adjective–noun phrases vs adjective–verb alternation")
