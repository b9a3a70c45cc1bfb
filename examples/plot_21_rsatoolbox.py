"""
RDMs with rsatoolbox, and a published brain RDM
===============================================

hftp's RDMs are ``xarray`` arrays, one condensed upper triangle per layer, channel or region.
:func:`hftp.rsa.to_rsatoolbox` turns them into ``rsatoolbox.rdm.RDMs`` with their descriptors
(layer, region, channel, the conditions), so rsatoolbox's plots, comparisons and noise ceilings
work on them; :func:`hftp.rsa.from_rsatoolbox` goes back. Spearman's rho and Kendall's tau-a
give the same numbers in both packages.

An RDM computed elsewhere, such as a matrix from a paper, is read with
:func:`hftp.rsa.read_rdm_csv` and can be the brain side of :func:`hftp.align`, with the same
permutation inference. The model here is a **simulated** Spectra whose layer 2 follows a known
condition profile (the "published" matrix); rsatoolbox comes with ``pip install "hftp[interop]"``.
"""

# %%
# A simulated model: 4 layers × 6 neurons over 6 conditions; each layer has its own condition
# profile (amplitudes at the sentence and phrase rates).
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import rsatoolbox

import hftp

SFREQ, N_TIMES = 4.0, 64
conditions = [f"c{i}" for i in range(6)]
rng = np.random.default_rng(0)
theta = rng.uniform(0, np.pi / 2, (4, 6))  # (layer, condition)
t = np.arange(N_TIMES) / SFREQ
trials = {}
for c, name in enumerate(conditions):
    profile = np.cos(theta[:, c, None]) * np.cos(np.pi * t) + np.sin(theta[:, c, None]) * np.cos(
        2 * np.pi * t
    )  # (layer, time)
    trials[name] = 2 * profile[None, :, None, :] + rng.normal(size=(10, 4, 6, N_TIMES))
model = hftp.make_spectra(
    trials,
    sfreq=SFREQ,
    tagged_hz={"sentence": 0.5, "phrase": 1.0},
    channel_dims=("layer", "neuron"),
    kind="model",
)

# %%
# hftp's RDMs, one per layer, as rsatoolbox RDMs: the descriptors come along.
rdms = hftp.rdms(model)
rsa_rdms = hftp.rsa.to_rsatoolbox(rdms)
print(rsa_rdms.rdm_descriptors["layer"], rsa_rdms.pattern_descriptors["condition"])

# %%
# The same comparisons in both packages.
ours = hftp.compare_rdms(rdms, rdms, comparison="kendall").values
theirs = rsatoolbox.rdm.compare(rsa_rdms, rsa_rdms, method="tau-a")
print(f"Kendall tau-a, largest difference: {np.abs(ours - theirs).max():.1e}")

# %%
# A "published" brain RDM, as a CSV with the condition names on its first row and column.
# Here it is layer 2's RDM, so align should find layer 2.
from scipy.spatial.distance import squareform

matrix = squareform(rdms.sel(layer=2).values)
path = Path(tempfile.mkdtemp()) / "published_rdm.csv"
pd.DataFrame(matrix, index=conditions, columns=conditions).to_csv(path)
brain = hftp.rsa.read_rdm_csv(path, name="IFG", metric="cosine")
result = hftp.align(model, brain, top_k=1, n_random=0, n_boot=0)
result[["rho", "p"]].to_dataframe().round(4)

# %%
# rsatoolbox draws the model's RDMs from their descriptors (one panel per layer) ...
rsatoolbox.vis.show_rdm(
    rsa_rdms, rdm_descriptor="layer", pattern_descriptor="condition", show_colorbar="panel"
)

# %%
# ... and the alignment with the published RDM peaks at layer 2, with its permutation p.
fig, ax = plt.subplots(figsize=(4, 2.8), layout="constrained")
ax.bar(result["layer"], result["rho"].isel(channel=0))
ax.set(xlabel="layer", ylabel="Spearman rho", ylim=(-1, 1), title="Model layers vs the CSV RDM")
