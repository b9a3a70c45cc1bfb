"""
Scalp EEG: where is the phrase-rate response?
=============================================

In scalp EEG the phrase-rate response of frequency-tagging studies is usually strongest over
fronto-central electrodes, while the word-rate response (the acoustic rhythm) is broad. This
example **simulates** a 32-channel EEG experiment in the style of Burroughs, Kazanina &
Houghton (2021): words at 3.125 Hz, adjective–noun phrases at 1.5625 Hz in condition ``anan``,
adjective–verb alternation (no phrase) in condition ``avav``. The phrase response is planted
around FCz and falls off with distance; every channel follows the word rate in both
conditions.

The time series become a Spectra with :func:`hftp.make_spectra` (the same container as a
model's or an MNE recording's), are tagged with :func:`hftp.find_tagged` against the control
condition, and drawn on the scalp with :func:`hftp.plot.plot_topomap`. With the real data of
that study (``hftp.datasets.eeg_phrases``), notebook 03 runs the same analysis.
"""

# %%
# Simulated trials: (trial, channel, time) per condition
import matplotlib.pyplot as plt
import mne
import numpy as np

import hftp

SFREQ, WORD_HZ, PHRASE_HZ = 100.0, 3.125, 1.5625
N_TRIALS, N_TIMES = 20, 1536  # 15.36 s: 48 words, both rates on exact bins
montage = mne.channels.make_standard_montage("biosemi32")  # 32 channels, 10-20 names
channels = montage.ch_names
pos = montage.get_positions()["ch_pos"]
xyz = np.array([pos[ch] for ch in channels])
focus = (pos["Fz"] + pos["Cz"]) / 2  # FCz
distance = np.linalg.norm(xyz - focus, axis=1)
phrase_gain = np.exp(-((distance / 0.05) ** 2))  # a fronto-central focus, about 5 cm wide

rng = np.random.default_rng(0)
t = np.arange(N_TIMES) / SFREQ


def trials(phrase: bool) -> np.ndarray:
    """Noise plus a word-rate response everywhere, plus a phrase-rate one near FCz."""
    x = rng.standard_normal((N_TRIALS, len(channels), N_TIMES))
    x += 0.25 * np.cos(2 * np.pi * WORD_HZ * t + 0.3)
    if phrase:
        x += 0.3 * phrase_gain[:, None] * np.cos(2 * np.pi * PHRASE_HZ * t + 1.1)
    return x


eeg = hftp.make_spectra(
    {"anan": trials(phrase=True), "avav": trials(phrase=False)},
    sfreq=SFREQ,
    tagged_hz={"word": WORD_HZ, "phrase": PHRASE_HZ},
    channel_coords={"channel": channels},
)
dict(eeg.sizes)

# %%
# Tag every channel in ``anan``, with ``avav`` as the control of the specificity test: at the
# phrase rate only the channels near FCz should pass; at the word rate, none should be
# specific (both conditions have it).
result = hftp.find_tagged(eeg, condition="anan", control="avav")
result[["snr", "q", "significant"]].to_dataframe().unstack("level").round(3).head(8)

# %%
# Two heads: the SNR at each rate, significant channels circled.
fig, axes = plt.subplots(1, 2, figsize=(8, 3.8), layout="constrained")
hftp.plot.plot_topomap(
    result, level="phrase", montage="biosemi32", ax=axes[0], title="Phrase rate (1.5625 Hz)"
)
hftp.plot.plot_topomap(
    result, level="word", montage="biosemi32", ax=axes[1], title="Word rate (3.125 Hz)"
)
fig.suptitle("Simulated scalp EEG: anan vs avav")
