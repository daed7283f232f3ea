"""What every command shares: exit codes, the catalogue, the actor, argument types."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

import pandas as pd

from analytics.station import clock
from analytics.storage.schema import SOURCES
from analytics.text import text

EXIT_BAD_INPUT = 2
EXIT_AUDIT_BROKEN = 3


def say(lang: str, key: str, **params) -> str:
    """The CLI's sentence ``cli.<key>`` from the catalogue."""
    return text(f"cli.{key}", lang, **params)


def cli_actor() -> str:
    """Who ran the command, for the audit log: ``cli:<OS user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment
        return "cli:?"


def audit_export(db, path, detail: str) -> None:
    """Record in the audit log that a file left the store."""
    from analytics.access.audit import audit

    audit(db, actor=cli_actor(), action="export", detail=detail, file_name=Path(path).name)


def parse_day(value: str) -> pd.Timestamp:
    """``YYYY-MM-DD`` → midnight of that day on the station's clock (an argparse type)."""
    try:
        return clock.local(pd.Timestamp(value)).normalize()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(text("cli.bad_day", "ko", value=value)) from exc


def parse_sources(value: str) -> tuple[str, ...]:
    """``incident,suggestion`` → a tuple of known sources (an argparse type)."""
    items = tuple(s.strip() for s in value.split(",") if s.strip())
    bad = [s for s in items if s not in SOURCES]
    if bad or not items:
        raise argparse.ArgumentTypeError(
            text("cli.bad_sources", "ko", value=bad or value, known=", ".join(SOURCES))
        )
    return items


def metric(value, digits: int = 3) -> str:
    """A score for a table: '—' when there is none."""
    return "—" if value is None or value != value else f"{value:.{digits}f}"


def options() -> argparse.ArgumentParser:
    """The options every command takes: ``--db`` and ``--lang``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", help="store path or SQLAlchemy URL (default: $HOTSPOT_DB or data/store.sqlite)"
    )
    common.add_argument("--lang", choices=("ko", "en"), default="ko")
    common.add_argument(
        "--station",
        help="the station's id in a shared store (default: $HOTSPOT_STATION's, 'namwon')",
    )
    return common
