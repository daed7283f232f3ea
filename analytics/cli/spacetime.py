"""Commands on space-time statistics: gistar, emerging, nearrepeat.

* ``gistar``: events per square grid cell, each cell's Getis-Ord Gi* and its confidence
  bin after the FDR correction (:mod:`analytics.compute.gistar`);
* ``emerging``: each cell's emerging-hot-spot category over the last N weeks
  (:mod:`analytics.compute.emerging`);
* ``nearrepeat``: per category, how long the risk stays raised near an event (Knox
  test, :mod:`analytics.compute.nearrepeat`).

They read one station's events (``--station``) with
:func:`analytics.storage.store.read_events`, incidents by default. Files are GeoJSON
(cells as squares in EPSG:4326), CSV or JSON, and their writing is in the audit log.
``--for viewer`` applies the privacy rule: the grid commands leave the sensitive
categories out (no heat of theirs), and the near-repeat test reads every sensitive
event at the centre of its privacy cell, so no result depends on where in that cell
a case lies.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.cli.common import EXIT_BAD_INPUT, audit_export, parse_day, parse_sources, say
from analytics.storage import store
from analytics.text import text

READ_COLUMNS = ("occurred_at", "category", "x", "y", "lat", "lon", "inside_station")
DAY = pd.Timedelta(days=1)


def _t(lang: str, key: str, **params) -> str:
    return text(f"spacetime.cli.{key}", lang, **params)


def _parse_list(value: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in value.split(",") if s.strip())


def _parse_days(value: str) -> tuple[float, ...]:
    """``1,2,3,7,14`` or ``14`` (each day 1..14) → band edges in days (an argparse type)."""
    try:
        items = [float(s) for s in _parse_list(value)]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a list of days: {value!r}") from exc
    if len(items) == 1 and items[0] == int(items[0]) and items[0] >= 1:
        items = [float(d) for d in range(1, int(items[0]) + 1)]
    return tuple(items)


def _context(args):
    """(db, station, geo, privacy rule) of the command."""
    from analytics.access.privacy import PrivacyRule
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    db = store.open_store(args.db)
    station = default_station()
    return db, station, load_geography(station), PrivacyRule.for_role(args.role, station)


def _read(db, args, *, start=None, end=None) -> pd.DataFrame:
    events = store.read_events(db, sources=args.sources, start=start, end=end, columns=READ_COLUMNS)
    if args.categories:
        events = events[events["category"].isin(args.categories)]
    return events.reset_index(drop=True)


def _grid_events(events: pd.DataFrame, rule, lang: str) -> pd.DataFrame:
    """The events a grid layer counts (:func:`analytics.compute.spacetime.grid_events`: for
    a masked role, without the sensitive ones), saying how many were left out."""
    from analytics.compute.spacetime import grid_events

    kept = grid_events(events, rule)
    if len(kept) < len(events):
        print(_t(lang, "viewer_drop", n=len(events) - len(kept)))
    return kept


def _write_cells(cells, args, db, *, crs_from: str, kind: str) -> None:
    from analytics.presentation.exports import write_csv

    if args.format == "geojson":
        cells.set_crs(crs_from, allow_override=True).to_crs("EPSG:4326").to_file(
            args.out, driver="GeoJSON"
        )
    else:
        write_csv(pd.DataFrame(cells.drop(columns="geometry")), args.out)
    audit_export(db, args.out, f"{kind} {args.format}")


def cmd_gistar(args) -> int:
    from analytics.compute.gistar import gi_star_grid

    db, station, geo, rule = _context(args)
    start = args.date_from
    end = None if args.date_to is None else args.date_to + DAY
    events = _grid_events(_read(db, args, start=start, end=end), rule, args.lang)
    try:
        cells = gi_star_grid(
            events["x"].to_numpy(float),
            events["y"].to_numpy(float),
            area=geo.boundary_m,
            cell_m=args.cell_m,
            band_m=args.band_m,
            fdr=not args.no_fdr,
            inference=args.inference,
            crs=station.analysis_crs,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    hot = int((cells["gi_bin"] > 0).sum())
    cold = int((cells["gi_bin"] < 0).sum())
    print(
        _t(
            args.lang,
            "gistar_head",
            cell=f"{args.cell_m:g}",
            cells=len(cells),
            n=int(cells["n_events"].sum()),
            hot=hot,
            cold=cold,
            fdr=_t(args.lang, "fdr.off" if args.no_fdr else "fdr.on"),
        )
    )
    # Cells with events or a bin: the rest is an empty, unremarkable grid.
    shown = cells[(cells["n_events"] > 0) | (cells["gi_bin"] != 0)]
    if args.out:
        _write_cells(shown, args, db, crs_from=station.analysis_crs, kind="gistar")
    else:
        top = shown.sort_values("gi_z", ascending=False).head(args.top)
        cols = ["cell_id", "n_events", "gi_z", "gi_p", "gi_bin"]
        print(top[cols].to_string(index=False) if len(top) else "-")
    return 0


def _end_of(db, args) -> pd.Timestamp | None:
    """The end (exclusive) of the last day: ``--to`` or the day of the latest event."""
    if args.date_to is not None:
        return args.date_to + DAY
    last = store.last_event_time(db)
    return None if last is None else last.normalize() + DAY


def cmd_emerging(args) -> int:
    from analytics.compute.emerging import CATEGORIES, WEEK, category_label, emerging_hotspots

    db, station, geo, rule = _context(args)
    end = _end_of(db, args)
    if end is None:
        print(say(args.lang, "no_events"), file=sys.stderr)
        return EXIT_BAD_INPUT
    events = _read(db, args, start=end - args.weeks * WEEK, end=end)
    events = _grid_events(events, rule, args.lang)
    try:
        found = emerging_hotspots(
            events["x"].to_numpy(float),
            events["y"].to_numpy(float),
            events["occurred_at"],
            area=geo.boundary_m,
            end=end,
            weeks=args.weeks,
            cell_m=args.cell_m,
            band_m=args.band_m,
            fdr=not args.no_fdr,
            inference=args.inference,
            crs=station.analysis_crs,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    cells = found.cells
    print(
        _t(
            args.lang,
            "emerging_head",
            weeks=args.weeks,
            first=f"{found.week_starts[0]:%Y-%m-%d}",
            last=f"{end - DAY:%Y-%m-%d}",
            cell=f"{args.cell_m:g}",
            n=int(cells["n_events"].sum()),
        )
    )
    counts = cells["category"].value_counts()
    patterns = [c for c in CATEGORIES if c != "no_pattern" and counts.get(c, 0)]
    for c in patterns:
        print(f"  {category_label(c, args.lang)}: {int(counts[c]):,}")
    if not patterns:
        print(_t(args.lang, "emerging_none"))
    shown = cells[cells["category"] != "no_pattern"].copy()
    shown["category_label"] = [category_label(c, args.lang) for c in shown["category"]]
    if args.out:
        _write_cells(shown, args, db, crs_from=station.analysis_crs, kind="emerging")
    return 0


def cmd_nearrepeat(args) -> int:
    from analytics.compute.nearrepeat import near_repeat_sentence, near_repeat_table
    from analytics.station.categories import label

    db, _station, geo, rule = _context(args)
    end = None if args.date_to is None else args.date_to + DAY
    events = _read(db, args, start=args.date_from, end=end)
    if rule.masks:  # each sensitive case at its privacy cell's centre
        events = rule.clustering_events(events, geo=geo)
    try:
        table = near_repeat_table(
            events,
            distance_m=args.distance_m,
            days=args.days,
            permutations=args.permutations,
            seed=args.seed,
            alpha=args.alpha,
            min_events=args.min_events,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    source = args.sources[0] if len(args.sources) == 1 else "incident"
    names = [label(source, c, args.lang) for c in table["category"]]
    sentences = [
        near_repeat_sentence(row, label=name, lang=args.lang)
        for row, name in zip(table.to_dict("records"), names, strict=True)
    ]
    table.insert(1, "label", names)
    table["sentence"] = sentences
    if args.out:
        from analytics.presentation.exports import write_csv

        write_csv(table, args.out)
        audit_export(db, args.out, "nearrepeat csv")
    if args.json:
        records = table.replace({np.nan: None}).to_dict(orient="records")
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    bands = ",".join(f"{d:g}" for d in args.days)
    print(
        _t(
            args.lang,
            "nearrepeat_head",
            distance=f"{args.distance_m:g}",
            bands=bands,
            perms=args.permutations,
            seed=args.seed,
        )
    )
    for sentence in sentences:
        print(f"  {sentence}")
    return 0


def _grid_options(p) -> None:
    p.add_argument("--cell-m", type=float, default=200.0, help="grid cell side in metres")
    p.add_argument(
        "--band-m",
        type=float,
        help="neighbourhood distance in metres (default: the 8 cells around)",
    )
    p.add_argument("--no-fdr", action="store_true", help="no false-discovery-rate correction")
    p.add_argument(
        "--inference",
        choices=("binomial", "normal"),
        default="binomial",
        help="p-values: exact binomial under spatial randomness, or the normal approximation",
    )
    p.add_argument("--format", choices=("geojson", "csv"), default="geojson")
    p.add_argument("--out", type=Path, help="write the cells (GeoJSON in EPSG:4326 or CSV)")


def _common(p) -> None:
    p.add_argument("--sources", type=parse_sources, default=("incident",), help="default: incident")
    p.add_argument("--categories", type=_parse_list, help="e.g. theft,violence (default: all)")
    p.add_argument(
        "--for",
        dest="role",
        choices=("viewer", "analyst"),
        default="analyst",
        help="whose output: 'viewer' applies the privacy rule (analytics.access.privacy)",
    )


def add_commands(sub, common) -> None:
    p = sub.add_parser("gistar", parents=[common], help="Getis-Ord Gi* on a grid, FDR-corrected")
    p.add_argument("--from", dest="date_from", type=parse_day, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=parse_day, help="last day, inclusive")
    p.add_argument("--top", type=int, default=10, help="cells to print without --out")
    _common(p)
    _grid_options(p)
    p.set_defaults(func=cmd_gistar)

    p = sub.add_parser("emerging", parents=[common], help="emerging hot spots over N weeks")
    p.add_argument("--to", dest="date_to", type=parse_day, help="last day (default: latest event)")
    p.add_argument("--weeks", type=int, default=12, help="time steps of 7 days (>= 3)")
    _common(p)
    _grid_options(p)
    p.set_defaults(func=cmd_emerging)

    p = sub.add_parser("nearrepeat", parents=[common], help="near-repeat per category (Knox)")
    p.add_argument("--from", dest="date_from", type=parse_day, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=parse_day, help="last day, inclusive")
    p.add_argument("--distance-m", type=float, default=200.0, help="close in space: metres")
    p.add_argument(
        "--days",
        type=_parse_days,
        default=tuple(float(d) for d in range(1, 15)),
        help="time bands' upper edges in days, e.g. 1,2,3,7,14; one number N: each day 1..N",
    )
    p.add_argument("--permutations", type=int, default=99)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--min-events", type=int, default=20)
    p.add_argument("--out", type=Path, help="write the table as CSV")
    p.add_argument("--json", action="store_true")
    _common(p)
    p.set_defaults(func=cmd_nearrepeat)
