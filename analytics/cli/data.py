"""Commands on the store's contents: import, undo, demo, batches, rejected, counts, backup."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analytics.cli.common import EXIT_BAD_INPUT, audit_export, cli_actor, say
from analytics.storage import store
from analytics.storage.facilities import FACILITY_KINDS
from analytics.storage.importers.date_order import describe as describe_date_order
from analytics.storage.places import PLACES_SOURCE
from analytics.storage.schema import SOURCES
from analytics.text.vocabulary import source_name

SHOW_REJECTED = 20
# --date-order: how to read dates written with the year last (default: the file says).
DAY_FIRST = {"auto": None, "dmy": True, "mdy": False}


def print_import(result, lang: str) -> None:
    """The summary of one import, as the data page shows it."""
    source = (source_name(result.source, "ko") or result.source) if lang == "ko" else result.source
    lines = [
        say(lang, "imported", file=result.file_name, source=source),
        say(lang, "batch", batch=result.batch_id),
        say(
            lang,
            "read",
            kind=result.file_kind.upper(),
            encoding=result.encoding or "-",
            header=result.header_row,
            sheet=say(lang, "sheet", sheet=result.sheet) if result.sheet else "",
        ),
    ]
    if result.crs:
        swapped = say(lang, "xy_swapped") if result.xy_swapped else ""
        lines.append(say(lang, "crs", crs=result.crs, swapped=swapped))
    lines.append(
        say(
            lang,
            "counts",
            total=result.rows_total,
            imported=result.imported,
            dup=result.duplicates,
            rejected=len(result.rejected),
        )
    )
    if result.blank_rows:
        lines.append(say(lang, "blank", n=result.blank_rows))
    if result.outside_station:
        lines.append(say(lang, "outside", n=result.outside_station))
    if result.gazetteer_rows:
        lines.append(
            say(lang, "gazetteer", n=result.gazetteer_rows, coarse=result.township_level_rows)
        )
    if result.latlon_swapped_rows:
        lines.append(say(lang, "swapped", n=result.latlon_swapped_rows))
    if result.notes:
        from analytics.storage.importers.facilities import facility_notes

        lines.extend(facility_notes(result, lang))
    if result.unused_columns:
        lines.append(say(lang, "unused", cols=", ".join(result.unused_columns)))
    order = describe_date_order(
        result.date_order_reason, result.date_order, result.date_order_cells, lang
    )
    if order:
        lines.append(f"  {order}")
    if result.rejected:
        lines.append(say(lang, "rejected_head"))
        for r in result.rejected[:SHOW_REJECTED]:
            lines.append(f"    {r.row_number}: {r.reason if lang == 'ko' else r.reason_en}")
        if len(result.rejected) > SHOW_REJECTED:
            lines.append(
                say(
                    lang,
                    "rejected_more",
                    n=len(result.rejected) - SHOW_REJECTED,
                    batch=result.batch_id,
                )
            )
    print("\n".join(lines))


def cmd_import(args) -> int:
    from analytics.access.audit import audited_import
    from analytics.storage.importers.errors import ImportFileError

    db = store.open_store(args.db)
    try:
        if args.source in (*FACILITY_KINDS, PLACES_SOURCE) and (args.template or args.mapping):
            raise ImportFileError("error.facility_no_mapping")
        mapping, day_first = _import_mapping(db, args)
        result = audited_import(
            db,
            cli_actor(),
            file=args.file,
            source=args.source,
            sheet=args.sheet,
            mapping=mapping,
            day_first=day_first,
        )
    except ImportFileError as exc:
        print(f"{args.file}: {exc.text(args.lang)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print_import(result, args.lang)
    return 0


def _import_mapping(db, args) -> tuple[dict | Path | None, bool | None]:
    """The mapping and date order an import uses: the station's template ``--template``,
    a ``--mapping`` file over it, and ``--date-order`` over the template's."""
    from analytics.storage.importers.errors import ImportFileError
    from analytics.storage.importers.headers import read_mapping_file
    from analytics.storage.mappings import list_templates, load_template

    day_first = DAY_FIRST[args.date_order]
    if not args.template:
        return args.mapping, day_first
    template = load_template(db, source=args.source, name=args.template)
    if template is None:
        names = ", ".join(t.name for t in list_templates(db, source=args.source)) or "-"
        raise ImportFileError("error.unknown_template", name=args.template, names=names)
    mapping = dict(template.columns)
    if args.mapping:
        mapping.update(read_mapping_file(args.mapping))
    return mapping, day_first if args.date_order != "auto" else template.day_first


def cmd_undo(args) -> int:
    from analytics.access.audit import audited_undo

    db = store.open_store(args.db)
    try:
        n = audited_undo(db, cli_actor(), args.batch_id)
    except store.UnknownBatchError:
        print(say(args.lang, "unknown_batch", batch=args.batch_id), file=sys.stderr)
        return EXIT_BAD_INPUT
    batches = store.list_batches(db)
    source = batches.loc[batches["batch_id"] == args.batch_id, "source"]
    kind = source.iloc[0] if len(source) else None
    words = {PLACES_SOURCE: "undone_places", **dict.fromkeys(FACILITY_KINDS, "undone_facilities")}
    print(say(args.lang, words.get(kind, "undone"), batch=args.batch_id, n=n))
    return 0


def cmd_demo(args) -> int:
    from analytics.demo.store import DEFAULT_SAMPLES_DIR, build_demo_store

    db = store.open_store(args.db)
    where = db.url.database or str(db.url)
    if args.if_empty and not store.is_empty(db):
        print(say(args.lang, "demo_skip", db=where))
        warm_tuning(db)
        return 0
    results = build_demo_store(db, seed=args.seed, out_dir=args.out or DEFAULT_SAMPLES_DIR)
    for r in results:
        print_import(r, args.lang)
    warm_tuning(db)
    print(say(args.lang, "demo_done", db=where))
    return 0


def warm_tuning(db) -> None:
    """Tune once for the last complete week, so the first brief does not wait for it."""
    import pandas as pd

    from analytics.answer import resolve_query
    from analytics.compute.backtest import meeting_end_for
    from analytics.query import HotspotQuery
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    station = default_station()
    last = store.last_event_time(db)
    if last is None:
        return
    week_end = meeting_end_for(last + pd.Timedelta(days=1), station.meeting_weekday)
    # The brief's question for its default week: tuned on the weeks before it.
    brief = HotspotQuery(start=week_end - pd.Timedelta(days=7), end=week_end)
    resolve_query(brief, db=db, geo=load_geography(station))


def cmd_batches(args) -> int:
    db = store.open_store(args.db)
    frame = store.list_batches(db).drop(columns=["summary_json"])
    if args.json:
        print(frame.to_json(orient="records", force_ascii=False, indent=2))
    else:
        print(frame.to_string(index=False) if len(frame) else "-")
    return 0


def cmd_rejected(args) -> int:
    from analytics.presentation.exports import rejected_rows_table, write_csv

    db = store.open_store(args.db)
    table = rejected_rows_table(store.read_rejected(db, args.batch_id), lang=args.lang)
    if args.out:
        write_csv(table, args.out)
        audit_export(db, args.out, f"rejected rows, batch {args.batch_id or 'all'}")
    else:
        print(table.to_string(index=False) if len(table) else "-")
    return 0


def cmd_add_station(args) -> int:
    from analytics.storage.partitions import add_station_partition

    db = store.open_store(args.db)
    try:
        name = add_station_partition(db, args.station_id)
    except ValueError:
        print(say(args.lang, "bad_station_id", value=args.station_id), file=sys.stderr)
        return EXIT_BAD_INPUT
    if name is not None:
        print(say(args.lang, "partition_added", station=args.station_id, table=name))
    elif db.dialect.name == "postgresql":
        print(say(args.lang, "partition_exists", station=args.station_id))
    else:
        print(say(args.lang, "partition_sqlite"))
    return 0


def cmd_counts(args) -> int:
    db = store.open_store(args.db)
    counts = store.source_counts(db)
    if args.json:
        print(json.dumps(counts))
    else:
        for s, n in counts.items():
            print(f"{source_name(s, 'ko') if args.lang == 'ko' else s}\t{n:,}")
    return 0


def cmd_backup(args) -> int:
    from analytics.access.audit import audit

    db = store.open_store(args.db)
    try:
        counts = store.backup_store(db, args.dest, force=args.force)
    except store.BackupError as exc:
        print(say(args.lang, f"backup_{exc.key}", dest=exc.detail or args.dest), file=sys.stderr)
        return EXIT_BAD_INPUT
    dest = Path(args.dest).resolve()
    audit(
        db,
        actor=cli_actor(),
        action="backup",
        detail=f"to {dest}; " + ", ".join(f"{t}={n}" for t, n in counts.items()),
        file_name=dest.name,
    )
    if args.json:
        print(json.dumps({"dest": str(dest), "counts": counts}, ensure_ascii=False, indent=2))
        return 0
    print(say(args.lang, "backup_done", dest=dest))
    for table, n in counts.items():
        print(say(args.lang, "rows", table=table, n=n))
    return 0


def cmd_grant_app_role(args) -> int:
    from analytics.storage.roles import grant_app_role

    db = store.open_store(args.db)  # as the owner: migrated first
    try:
        statements = grant_app_role(db, args.role)
    except ValueError as exc:
        print(say(args.lang, "grant_refused", detail=str(exc)), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(say(args.lang, "grant_done", role=args.role, n=len(statements)))
    return 0


def add_commands(sub, common) -> None:
    p = sub.add_parser("import", parents=[common], help="import a CSV/XLSX export")
    p.add_argument(
        "--source",
        required=True,
        choices=(*SOURCES, *FACILITY_KINDS, PLACES_SOURCE),
        help="an event export, a facility layer (public data portal standard data), "
        "or officers' own places (구분, 메모, 위도, 경도)",
    )
    p.add_argument("file", type=Path)
    p.add_argument("--sheet")
    p.add_argument("--mapping", type=Path, help="column mapping file (CSV column,field or TOML)")
    p.add_argument(
        "--template",
        metavar="NAME",
        help="a column mapping saved on the data page for this station and source "
        "(--mapping and --date-order override it)",
    )
    p.add_argument(
        "--date-order",
        choices=tuple(DAY_FIRST),
        default="auto",
        help="dates written with the year last (25/10/2017): day or month first "
        "(default: decided by the file, its undecidable rows rejected)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("undo", parents=[common], help="undo an import batch")
    p.add_argument("batch_id")
    p.set_defaults(func=cmd_undo)

    p = sub.add_parser("demo", parents=[common], help="build the synthetic demo store")
    p.add_argument("--seed", type=int, default=2017)
    p.add_argument("--out", type=Path, help="where to write the export files (data/samples)")
    p.add_argument("--if-empty", action="store_true", help="do nothing if the store has data")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("batches", parents=[common], help="list the import history")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_batches)

    p = sub.add_parser("rejected", parents=[common], help="show or export rejected rows")
    p.add_argument("batch_id", nargs="?")
    p.add_argument("--out", type=Path, help="write a CSV (UTF-8 with BOM, safe for Excel)")
    p.set_defaults(func=cmd_rejected)

    p = sub.add_parser("counts", parents=[common], help="events per source")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_counts)

    p = sub.add_parser(
        "grant-app-role",
        parents=[common],
        help="PostgreSQL, as the owner: let ROLE run the app (the audit log: read and append)",
    )
    p.add_argument("role")
    p.set_defaults(func=cmd_grant_app_role)

    p = sub.add_parser(
        "add-station",
        parents=[common],
        help="PostgreSQL, as the owner: give station ID its own partition of the events",
    )
    p.add_argument("station_id")
    p.set_defaults(func=cmd_add_station)

    p = sub.add_parser("backup", parents=[common], help="copy the store while the app runs")
    p.add_argument("dest", type=Path)
    p.add_argument("--force", action="store_true", help="replace DEST if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backup)
