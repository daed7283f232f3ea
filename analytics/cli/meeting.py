"""The meeting pack from the command line: ``pack``, for a cron job on Friday morning.

    python -m analytics pack [--week 2017-12-29] [--for viewer] [--lang en] --out pack.html

The same file as the brief's download button (:func:`analytics.presentation.week_pack.meeting_pack_html`).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from analytics.cli.common import EXIT_BAD_INPUT, audit_export, say
from analytics.storage import store


def parse_week(value: str) -> dt.date:
    """``YYYY-MM-DD`` → a date (an argparse type)."""
    import argparse

    from analytics.text import text

    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(text("cli.bad_day", "ko", value=value)) from exc


def cmd_pack(args) -> int:
    from analytics.access.privacy import PrivacyRule
    from analytics.presentation.week_pack import default_week, meeting_pack_html, week_query
    from analytics.station import clock
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    db = store.open_store(args.db)
    station = default_station()  # --station's, when given (analytics.cli.main)
    last = store.last_event_time(db, station=station)
    if last is None:
        print(say(args.lang, "pack_empty"), file=sys.stderr)
        return EXIT_BAD_INPUT
    week = args.week or default_week(last, meeting_weekday=station.meeting_weekday)
    if week.weekday() != station.meeting_weekday:
        day = clock.weekday_name(station.meeting_weekday, args.lang)
        print(say(args.lang, "pack_not_meeting_day", week=week, day=day), file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        query = week_query(week).with_(eps_m=args.eps, min_samples=args.min_samples)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    start, end = query.require_period()
    first = store.first_event_time(db, station=station)
    if end <= first or start > last:
        print(
            say(
                args.lang,
                "pack_outside",
                week=week,
                first=clock.local(first).date(),
                last=clock.local(last).date(),
            ),
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    page = meeting_pack_html(
        db,
        geo=load_geography(station),
        query=query,
        rule=PrivacyRule.for_role(args.role, station),
        lang=args.lang,
    )
    out = Path(args.out)
    out.write_text(page, encoding="utf-8")
    audit_export(db, out, f"meeting pack {week} role={args.role}")
    print(
        say(args.lang, "pack_written", path=out, week=week, kb=f"{len(page.encode()) / 1024:,.0f}")
    )
    return 0


def add_commands(sub, common) -> None:
    p = sub.add_parser(
        "pack", parents=[common], help="write the week's meeting pack (one offline HTML file)"
    )
    p.add_argument(
        "--week",
        type=parse_week,
        help="the meeting day that ends the reporting week (default: the latest week with data)",
    )
    p.add_argument("--eps", type=float, help="eps in metres (default: the station's setting)")
    p.add_argument("--min-samples", type=float, help="min_samples (default: the station's)")
    p.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    p.add_argument(
        "--for",
        dest="role",
        choices=("viewer", "analyst"),
        default="analyst",
        help="whose pack: 'viewer' applies the privacy rule (analytics.access.privacy), "
        "for a pack handed round the meeting room",
    )
    p.set_defaults(func=cmd_pack)
