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


def keep_freed_memory() -> bool:
    """Let this one-shot process keep the memory it frees, for its next arrays.

    glibc hands every block over 128 kB-32 MB straight back to the kernel when freed, so
    a command over a million events faults the same pages in again and again (the
    kernel zeroes each one): about 0.1-0.2 s of a 2 s ``hotspots`` run. Raising the
    threshold for such blocks to 1 GB and never trimming the heap keeps them for reuse;
    the process ends soon after, so nothing is held for long. Called by ``python -m
    analytics``, not by :func:`analytics.cli.main` (a test or the dashboard calling it
    keeps glibc's defaults). False where there is no glibc (the defaults stay).
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    return bool(mallopt(m_mmap_threshold, 1 << 30) and mallopt(m_trim_threshold, 2**31 - 1))


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
