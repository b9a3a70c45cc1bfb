"""Adapters and fetchers for public data sets. The core never imports this package.

- :mod:`hftp.datasets.eeg_phrases`: the scalp EEG of Burroughs, Kazanina & Houghton (2021):
  conditions, reading, the published check, and fetching the deposit;
- :mod:`hftp.datasets.fetch`: hftp's data cache and checked downloads (pooch).
"""
