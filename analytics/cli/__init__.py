"""The command line: ``python -m analytics COMMAND ...``.

Commands print Korean by default (``--lang en`` for English) and ``--json`` where a
script wants to read the result. Exit codes: 0 done, 2 the input could not be used,
3 ``audit --verify`` found the audit log's hash chain broken.

One module per kind of command: :mod:`~analytics.cli.data` (import, undo, demo,
batches, rejected, counts, backup), :mod:`~analytics.cli.hotspots` (hotspots,
evaluate, backtest, tune), :mod:`~analytics.cli.spacetime` (gistar, emerging,
nearrepeat) and :mod:`~analytics.cli.people` (users, audit); what they share is in
:mod:`~analytics.cli.common`.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager

from analytics.cli import data, hotspots, meeting, people, spacetime
from analytics.cli.common import EXIT_AUDIT_BROKEN, EXIT_BAD_INPUT, options, say
from analytics.station import config

__all__ = ["EXIT_AUDIT_BROKEN", "EXIT_BAD_INPUT", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    common = options()
    parser = argparse.ArgumentParser(prog="python -m analytics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for commands in (data, hotspots, spacetime, meeting, people):
        commands.add_commands(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not getattr(args, "station", None):
        return args.func(args)
    files = config.station_files()
    if args.station not in files:
        known = ", ".join(sorted(files))
        print(say(args.lang, "unknown_station", value=args.station, known=known), file=sys.stderr)
        return EXIT_BAD_INPUT
    with _as_station(files[args.station]):
        return args.func(args)


@contextmanager
def _as_station(path):
    """The command runs as the station of ``path``: its file is the process's station
    (its clock, geography, privacy rules and rows), and afterwards the one before."""
    before = os.environ.get("HOTSPOT_STATION")
    os.environ["HOTSPOT_STATION"] = str(path)
    config.default_station.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("HOTSPOT_STATION", None)
        else:
            os.environ["HOTSPOT_STATION"] = before
        config.default_station.cache_clear()
