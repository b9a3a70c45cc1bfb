"""
Brain spectra in MNE: topomaps of evoked power and ITC
======================================================

:func:`hftp.brain.to_mne_spectrum` gives one condition's measure of a brain Spectra (evoked
power, ITC, SNR, ...) as an ``mne.time_frequency.SpectrumArray`` with the recording's channel
types and positions. MNE's ``plot`` and ``plot_topomap`` then draw hftp's values unchanged.

The recording is **simulated** scalp EEG (14 channels of the easycap-M1 montage): in
condition ``a`` the posterior channels follow a 2 Hz rhythm, in ``b`` nothing does.
"""

# %%
# Simulated epochs → a brain Spectra
import matplotlib.pyplot as plt
import mne
import numpy as np

import hftp

names = ["Fz", "Cz", "Pz", "Oz", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "T7", "T8"]
posterior = ["Pz", "Oz", "P3", "P4", "O1", "O2"]
info = mne.create_info(names, 100.0, "eeg")
info.set_montage("easycap-M1")
rng = np.random.default_rng(0)
t = np.arange(600) / 100.0
x = rng.standard_normal((20, len(names), t.size)) * 1e-6
x[:10, [names.index(c) for c in posterior]] += 2e-6 * np.cos(2 * np.pi * 2.0 * t)
events = np.c_[np.arange(20) * 600, np.zeros(20, int), np.repeat([1, 2], 10)]
epochs = mne.EpochsArray(x, info, events=events, event_id={"a": 1, "b": 2}, verbose="error")
bspec = hftp.brain_spectra(epochs, 1.0, {"phrase": 2.0, "unit": 4.0}, regions=False)

# %%
# Evoked power in condition ``a`` as an MNE spectrum, with the recording's Info
spectrum = hftp.brain.to_mne_spectrum(bspec, "a", measure="evoked-power", info=epochs.info)
spectrum

# %%
# MNE's spectrum plot, and its topomap at the two tagged rates
spectrum.plot(dB=True, amplitude=False, show=False)
spectrum.plot_topomap(bands={"2 Hz": (1.9, 2.1), "4 Hz": (3.9, 4.1)}, show=False)

# %%
# ITC is unitless, and MNE's spectrum plots scale data by channel type, so draw it with
# ``mne.viz.plot_topomap`` at the 2 Hz bin, as MNE's SSVEP tutorial does for its SNR.
itc = hftp.brain.to_mne_spectrum(bspec, "a", measure="itc")
k = int(np.argmin(np.abs(itc.freqs - 2.0)))
fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
im, _ = mne.viz.plot_topomap(itc.get_data()[:, k], itc.info, axes=ax, vlim=(0, 1), show=False)
fig.colorbar(im, ax=ax, label="ITC at 2 Hz")
ax.set_title("Condition a: ITC")
