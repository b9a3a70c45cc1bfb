"""
Responsive electrodes in simulated sEEG
=======================================

Intracranial recordings (sEEG, ECoG) sample a few contacts per region, and the first question
is which contacts follow the stimulus at all: the syllable (unit) rate, the phrase rate, the
sentence rate. Here the data are **simulated**: ``hftp.simulate_ieeg`` writes a BIDS data set of
two subjects with contacts in six regions, each region responding at chosen levels (auditory
cortex at the unit rate only, superior and middle temporal gyri at the phrase and sentence
rates, inferior frontal gyrus at the sentence rate only, two regions not at all), under 1/f and
line noise. The ground truth is written beside the data, so we can check what hftp finds.

The data are read back through MNE like any recording. ``hftp.responsive_channels`` tests each
contact with the same statistics as a model neuron (inter-trial phase coherence against the
neighboring bins, one FDR family over contacts and levels) in each condition.
"""

# %%
# Simulate, read, and turn the epochs into spectra
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import hftp

root = Path(tempfile.mkdtemp()) / "sim_bids"
sim = hftp.simulate_ieeg(root, subjects=2, seed=0)
epochs = hftp.brain.read_subjects(sim.root)  # one mne.Epochs per subject
print(epochs[0])
bspec = hftp.brain_spectra(epochs)  # the subjects pooled along `channel`
print(dict(bspec.sizes), bspec.hftp.tagged_hz)

# %%
# One row per condition × contact × level
table = hftp.responsive_channels(bspec)
table[["condition", "channel", "region", "level", "freq", "snr", "q", "significant"]].head(9)

# %%
# Found against the truth: one row per contact, one column per condition and level.
# Colour: significant (q < 0.05); a dot: the contact truly responds there.
cols = [(c, lev) for c, levels in sim.truth["conditions"].items() for lev in levels]
rows = list(bspec["channel"].values)
found = table.set_index(["channel", "condition", "level"])["significant"]
truth = {
    (f"{sub}/{name}", c, lev): resp
    for sub, s in sim.truth["subjects"].items()
    for name, contact in s["contacts"].items()
    for c, levels in contact["responsive"].items()
    for lev, resp in levels.items()
}
grid = np.array([[found[(ch, c, lev)] for c, lev in cols] for ch in rows], dtype=float)
fig, ax = plt.subplots(figsize=(7, 7), layout="constrained")
ax.imshow(grid, cmap="Blues", vmin=0, vmax=1.4, aspect="auto")
yy, xx = np.nonzero([[truth[(ch, c, lev)] for c, lev in cols] for ch in rows])
ax.plot(xx, yy, "o", color="C1", ms=5, label="true response")
ax.set_xticks(range(len(cols)), [f"{c}\n{lev}" for c, lev in cols], fontsize=7, rotation=90)
regions = bspec["region"].values
ax.set_yticks(
    range(len(rows)), [f"{ch} {r}" for ch, r in zip(rows, regions, strict=True)], fontsize=7
)
ax.set_title("Simulated sEEG: significant contacts (blue) vs the truth (dots)")
ax.legend(loc="lower right", fontsize=7, frameon=True)
hits = grid.astype(bool)
true = np.zeros_like(hits)
true[yy, xx] = True
print(
    f"found {hits[true].mean():.0%} of the true responses; "
    f"{hits[~true].sum()} false positives among {(~true).sum()} null cells"
)
