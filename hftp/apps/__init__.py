"""What orchestrates the stages; nothing in the stages imports this package.

- :mod:`hftp.apps.cli`: the ``hftp`` command, one module per command group;
- :mod:`hftp.apps.demo`: the whole pipeline on the defaults (``hftp demo``);
- :mod:`hftp.apps.report`: the HTML report, from a demo run or from saved result files;
- :mod:`hftp.apps.sweeps`: many models × languages probed and tagged on Dask (``hftp sweep``);
- :mod:`hftp.apps.finetuning`: full versus half fine-tuning and what each does to the tagged
  neurons (an experiment users can rerun).
"""
