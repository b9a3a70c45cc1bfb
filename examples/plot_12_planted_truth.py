"""
Known truth: how many sequences does a probe need?
==================================================

Before trusting a test on real neurons, run it where the answer is known, and use the same
simulation to plan the experiment. :func:`hftp.testing.planted_spectra` simulates channels
sampled once per word: noise in every channel, plus a phase-locked oscillation at the sentence
rate planted in chosen channels, only in the experimental condition. ``nuisance=True`` adds what
real model responses carry in every condition alike: a transient at the start of each sequence
(the attention sink), a slow drift and 1/f noise.

We plant responses of several amplitudes (in units of the noise SD) in a tenth of 4 × 250
channels, with 5, 10, 20 or 40 sequences (trials) per condition, and count the planted channels
the calibrated test finds (its sensitivity, or power) and the other channels it calls tagged
(false positives, which the FDR control keeps rare). This is a power analysis: it says which
effect sizes a given number of sequences can detect.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import hftp
from hftp.testing import planted_spectra

SHAPE = (4, 250)  # 4 layers × 250 neurons
rng = np.random.default_rng(0)
planted = rng.random(SHAPE[0] * SHAPE[1]) < 0.1
rows = []
for n_trials in [5, 10, 20, 40]:
    for amplitude in [0.05, 0.1, 0.15, 0.2, 0.3, 0.4]:
        spectra = planted_spectra(
            SHAPE,
            conditions=("sentences", "within-shuffle"),
            planted_in=("sentences",),
            plant={"sentence": planted},
            amplitude=amplitude,
            n_trials=n_trials,
            n_times=100,
            nuisance=True,
            seed=1,
        )
        found = hftp.find_tagged(spectra, "sentences", control="within-shuffle", levels="sentence")
        hit = found["significant"].sel(level="sentence").values.ravel()
        rows.append(
            {
                "sequences": n_trials,
                "amplitude": amplitude,
                "sensitivity": hit[planted].mean(),
                "false positives": int(hit[~planted].sum()),
            }
        )
table = pd.DataFrame(rows)
table.pivot(index="amplitude", columns="sequences")

# %%
# The power curves: the share of planted channels found, against the planted amplitude, one
# line per number of sequences. More sequences move the curve to the left (the noise of the
# mean falls with the square root of their number), until the nuisances, the same in every
# sequence and so never averaged away, dominate the neighboring bins.
fig, ax = plt.subplots(figsize=(6, 3.8), layout="constrained")
for n_trials, group in table.groupby("sequences"):
    ax.plot(group["amplitude"], group["sensitivity"], "o-", label=f"{n_trials} sequences")
ax.set(
    xlabel="Planted amplitude (noise SD)",
    ylabel="Sensitivity (planted channels found)",
    ylim=(-0.02, 1.02),
    title="Power of the calibrated test, with model-like nuisances",
)
ax.legend(frameon=False)
print("false positives among", int((~planted).sum()), "null channels:")
print(table.pivot(index="amplitude", columns="sequences", values="false positives"))
