"""The ``hftp`` command: a thin typer app over the public API, one module per command group.

This package holds the app (:data:`app`), its entry point (:func:`main`) and the order in which
the commands are listed by ``hftp --help``. The commands themselves live beside it:

- :mod:`~hftp.apps.cli.stimuli`: ``hftp stimuli``;
- :mod:`~hftp.apps.cli.probe`: ``hftp probe``;
- :mod:`~hftp.apps.cli.brain`: ``hftp brain`` and ``hftp simulate-ieeg``;
- :mod:`~hftp.apps.cli.align`: ``hftp align``;
- :mod:`~hftp.apps.cli.tag`: ``hftp tag``;
- :mod:`~hftp.apps.cli.ablate`: ``hftp ablate``;
- :mod:`~hftp.apps.cli.report`: ``hftp report``;
- :mod:`~hftp.apps.cli.models`: ``hftp models`` and ``hftp sweep``;
- :mod:`~hftp.apps.cli.demo`: ``hftp demo``;
- :mod:`~hftp.apps.cli.errors`: one clear line and an exit code for every failure;
- :mod:`~hftp.apps.cli.options`: parsing option values (LEVEL=HZ, layer lists, condition files).

Every command has ``--help`` with an example, shows progress on long work, writes its outputs
atomically, and with ``--json`` prints a machine-readable summary on stdout.
"""

from __future__ import annotations

import logging
import sys

import typer

from hftp.apps.cli.ablate import ablate_cmd
from hftp.apps.cli.align import align_cmd
from hftp.apps.cli.brain import brain_cmd, simulate_ieeg_cmd
from hftp.apps.cli.demo import demo_cmd
from hftp.apps.cli.errors import run_app
from hftp.apps.cli.models import models_cmd, sweep_cmd
from hftp.apps.cli.options import FlagCommand, print_version
from hftp.apps.cli.probe import probe_cmd
from hftp.apps.cli.report import report_cmd
from hftp.apps.cli.stimuli import stimuli_cmd
from hftp.apps.cli.tag import tag_cmd

__all__ = ["app", "main", "COMMANDS"]

app = typer.Typer(
    name="hftp",
    help="Hierarchical Frequency Tagging Probe: syntax-locked neurons, electrodes, and their alignment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Hierarchical Frequency Tagging Probe: syntax-locked neurons, electrodes, and their alignment."""


#: command name → function, in the order ``hftp --help`` lists them (the pipeline's order)
COMMANDS = {
    "stimuli": stimuli_cmd,
    "probe": probe_cmd,
    "brain": brain_cmd,
    "simulate-ieeg": simulate_ieeg_cmd,
    "align": align_cmd,
    "tag": tag_cmd,
    "ablate": ablate_cmd,
    "report": report_cmd,
    "models": models_cmd,
    "sweep": sweep_cmd,
    "demo": demo_cmd,
}
for _name, _command in COMMANDS.items():
    app.command(_name, cls=FlagCommand)(_command)


def main() -> None:
    """Run the ``hftp`` console script: log to stderr, then dispatch the command line.

    Failures print one ``Error:`` line and exit with code 2 (usage) or 1 (failure while working);
    see :mod:`hftp.apps.cli.errors`.
    """
    import os

    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    # a sweep's Dask cluster logs every start and stop at INFO, from every worker process too:
    # its own config (read at import, inherited by the workers) keeps it to warnings
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    run_app(app)
