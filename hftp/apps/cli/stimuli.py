"""``hftp stimuli``: generate frequency-tagged stimulus sequences and write them to a file."""

from __future__ import annotations

from pathlib import Path

import typer

from hftp.apps.cli.errors import check_io, check_outputs, run
from hftp.apps.cli.options import (
    OVERWRITE_HELP,
    Progress,
    document_options,
    emit,
    parse_tagged_hz,
    renamed_option,
)

__all__ = ["stimuli_cmd"]


@document_options
def stimuli_cmd(
    language: str = typer.Option("en", "--language", "-l", help="en (words) or zh (characters)."),
    design: list[str] = typer.Option(
        ["sentences"], "--design", "-d", help="Design; repeat for several conditions in one set."
    ),
    n_sequences: int = typer.Option(100, "--n-sequences", "-n", help="Sequences per condition."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same output)."),
    out: Path = typer.Option(..., "--out", "-o", help="File to write (.csv, or .tsv for events)."),
    fmt: str = typer.Option("csv", "--format", help="csv (+ .json sidecar) or events (BIDS)."),
    n_sentences: int = typer.Option(50, "--n-sentences", help="Sentences per sequence."),
    n_pools: int = typer.Option(
        1, "--n-pools", help="Independent sentence pools (2: even/odd sequences share none)."
    ),
    pool_size: int = typer.Option(
        None, "--pool-size", help="Sentences per pool (default --n-sentences)."
    ),
    structure: str = typer.Option(None, "--structure", help="Grammar structure: 2x2, 3x2 (en)."),
    sfreq: float = typer.Option(4.0, "--sfreq", help="Unit rate: units per second (Hz)."),
    corpus: Path = typer.Option(None, "--corpus", help="Sentences file for --design natural."),
    streams: Path = typer.Option(
        None, "--streams", help="Folder of .txt word streams for --design custom."
    ),
    tagged_hz: list[str] = typer.Option(
        None, "--tagged-hz", help="Declared rate for custom streams, LEVEL=HZ (repeatable)."
    ),
    trim: bool = typer.Option(False, "--trim", help="Trim custom streams to on-bin length."),
    gap_s: float = typer.Option(2.0, "--gap-s", help="Silence between sequences (events)."),
    overwrite: bool = typer.Option(False, "--overwrite", help=OVERWRITE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
    old_rate: float = typer.Option(None, "--unit-rate-hz", hidden=True),
    old_tagged: list[str] = typer.Option(None, "--tagged", hidden=True),
) -> None:
    """Generate frequency-tagged stimulus sequences and write them to a file.

    Examples:

      hftp stimuli --language en --design sentences --design within-shuffle --n-sequences 100 --seed 0 --out stim.csv

      hftp stimuli -l zh -d sentences --format events --out sub-01_task-hftp_events.tsv

      hftp stimuli -d custom --streams eeg-phrases/stimuli --sfreq 3.125 --tagged-hz sentence=0.78125 --tagged-hz phrase=1.5625 --trim --out eeg.csv
    """
    from hftp._validation import check_option
    from hftp.stimuli.designs import list_designs
    from hftp.stimuli.files import load_word_streams
    from hftp.stimuli.generation import make_stimuli
    from hftp.stimuli.stimulus_set import save_stimuli, to_events

    sfreq = renamed_option("--unit-rate-hz", old_rate, "--sfreq", sfreq, 4.0)
    tagged_hz = renamed_option("--tagged", old_tagged or None, "--tagged-hz", tagged_hz, None)
    writers = {
        "csv": lambda s, p: save_stimuli(s, p, overwrite=overwrite),
        "events": lambda s, p: to_events(s, p, gap_s=gap_s, overwrite=overwrite),
    }
    run(check_option, "--format", fmt, writers)
    levels = parse_tagged_hz(tagged_hz)
    for d in design:  # option values first (usage errors), then the outputs, then the work
        run(check_option, "--design", d, list_designs())
    suffix = {"csv": ".csv", "events": ".tsv"}[fmt]
    run(check_option, "--out (file extension)", out.suffix, (suffix,))
    outputs = {"--out": out, "--out (its .json sidecar)": out.with_suffix(".json")}
    check_io({"--corpus": corpus, "--streams": streams}, outputs)
    check_outputs(outputs, overwrite)
    bar = Progress("stimuli", ["generate", "write"])
    bar.stage("generate")
    word_streams = run(load_word_streams, streams) if streams is not None else None
    stim = run(
        make_stimuli,
        language,
        design,
        n_sequences,
        seed,
        n_sentences=n_sentences,
        n_pools=n_pools,
        pool_size=pool_size,
        sfreq=sfreq,
        structure=structure,
        corpus=corpus,
        streams=word_streams,
        tagged_hz=levels,
        trim=trim,
    )
    bar.stage("write")
    path = run(writers[fmt], stim, out)
    bar.close()
    per_condition = {
        str(c): int(n)
        for c, n in stim.units.groupby("condition", sort=False)["sequence"].nunique().items()
    }
    n_each = next(iter(per_condition.values()), 0)
    emit(
        {
            "out": str(path),
            "sidecar": str(Path(path).with_suffix(".json")),
            "format": fmt,
            "conditions": stim.conditions,
            "n_sequences": per_condition if len(set(per_condition.values())) > 1 else n_each,
            "n_sequences_total": stim.n_sequences,
            "units_per_sequence": stim.meta.get("n_units"),
            "tagged_hz": stim.tagged_hz,
            "unit_rate_hz": stim.sfreq,
        },
        as_json,
    )
