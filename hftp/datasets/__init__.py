"""Adapters for public data sets. The core never imports this package.

:mod:`hftp.datasets.eeg_phrases`: the scalp EEG of Burroughs, Kazanina & Houghton (2021).
"""
