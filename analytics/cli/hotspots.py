"""Commands on hotspots: hotspots, evaluate, backtest, tune.

Each builds its :class:`analytics.query.HotspotQuery` from its arguments with the one
function :meth:`HotspotQuery.from_cli_args` (``--sources``, ``--eps``, ``--min-samples``,
``--engine``, ``--min-cluster-size`` and a period of whole days), so a bad value is
refused with the same message and bounds as anywhere else.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from analytics.cli.common import (
    EXIT_BAD_INPUT,
    audit_export,
    metric,
    parse_day,
    parse_sources,
    say,
)
from analytics.compute.backtest import DEFAULT_OBJECTIVE, OBJECTIVES
from analytics.compute.backtest import DEFAULT_SOURCES as DEFAULT_TUNING_SOURCES
from analytics.query import ENGINES, HotspotQuery
from analytics.storage import store
from analytics.storage.schema import SOURCES


def query_of(args, **period) -> HotspotQuery | None:
    """The command's :class:`~analytics.query.HotspotQuery` (``HotspotQuery.from_cli_args``);
    None, with the reason on standard error, when an argument is out of bounds."""
    try:
        return HotspotQuery.from_cli_args(args, **period)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return None


def _setting(query: HotspotQuery, lang: str) -> str:
    """The setting a command ran with, in words ('eps 60 m, min 4' or HDBSCAN's)."""
    from analytics.query import setting_sentence

    return setting_sentence(
        query.eps_m,
        query.min_samples,
        "given",
        lang,
        engine=query.engine,
        min_cluster_size=query.min_cluster_size,
    )


def _engine_options(p) -> None:
    p.add_argument(
        "--engine",
        choices=ENGINES,
        help="dbscan, or hdbscan: DBSCAN's hotspots split where their density varies "
        "(default: the station's, tuned under params = auto)",
    )
    p.add_argument(
        "--min-cluster-size",
        type=float,
        help="HDBSCAN's least hotspot, weighted events (default: min_samples)",
    )


def cmd_hotspots(args) -> int:
    from analytics.access.privacy import PrivacyRule
    from analytics.answer import answer_hotspot_query
    from analytics.compute.facilities import with_facility_distances
    from analytics.compute.places import with_place_counts
    from analytics.compute.significance import ALPHA, N_SIMULATIONS
    from analytics.presentation.exports import hotspot_rows, write_csv, write_hotspots_geojson
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography
    from analytics.storage.facilities import read_facilities
    from analytics.storage.places import read_places
    from analytics.text import catalogue, text

    query = query_of(args)
    if query is None:
        return EXIT_BAD_INPUT
    db = store.open_store(args.db)
    station = default_station()
    rule = PrivacyRule.for_role(args.role, station)
    from analytics.compute.hotspots import INPUT_COLUMNS
    from analytics.storage.schema import EVENT_KEY, event_id_text

    def geography_and_messages():
        catalogue()  # the profiles' place names, read once per process
        return load_geography(station)

    # The station's files are read while the events are: the events' read waits on
    # SQLite and Arrow, which let go of the GIL.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="station-files") as pool:
        geography = pool.submit(geography_and_messages)
        # Only the columns clustering reads: the free text is never needed here, and the
        # ids only as the store's numbers (their text is written for --labels alone).
        # Clustering puts the rows in its own order, so the store's order is kept.
        events = store.read_events(
            db,
            sources=query.sources,
            start=query.start,
            end=query.end,
            columns=[*(c for c in INPUT_COLUMNS if c != "event_id"), EVENT_KEY],
            by_time=False,
        )
        geo = geography.result()
    # "auto" is tuned on the weeks strictly before the period shown.
    answer = answer_hotspot_query(
        query,
        db=db,
        geo=geo,
        rule=rule,
        events=events,
        weeks_back=0,  # the period's hotspots alone: no week-over-week status in the files
        events_span=(query.sources, query.start, query.end),  # what was read above
    )
    shown = answer.shown
    table = shown.current
    if args.out:
        # How far each hotspot, as this role receives it (a viewer's from geomasked
        # events), stands from the station's cameras, lights and bells.
        table = with_facility_distances(table, read_facilities(db, station=station))
        if not rule.masks:
            # Officers' own places by category inside or within 50 m (as the profile
            # counts them): analysts' files only, never a viewer's (no column at all).
            table = with_place_counts(table, rule.officer_places(read_places(db, station=station)))
        if args.format == "geojson":
            write_hotspots_geojson(table, args.out)
        else:
            write_csv(hotspot_rows(table, lang=args.lang), args.out)
        audit_export(db, args.out, f"hotspots {args.format}")
    if args.labels:
        rows = events.loc[shown.event_hotspot.index]
        labels = pd.DataFrame(
            {
                "event_id": event_id_text(rows[EVENT_KEY].to_numpy(), rows["source"]),
                "hotspot_id": shown.event_hotspot.fillna("").to_numpy(),
            }
        )
        labels.to_csv(args.labels, index=False)
    used = answer.query
    print(
        say(
            args.lang,
            "hotspots_head",
            n=len(table),
            clustered=shown.n_clustered,
            inside=answer.n_in_hotspots,
            eps=f"{used.eps_m:g}",
            min=f"{used.min_samples:g}",
            backend=shown.dbscan_backend
            if used.engine != "hdbscan"
            else f"hdbscan+{shown.dbscan_backend}",
        )
    )
    if used.engine == "hdbscan" and answer.how == "given":
        print(_setting(used, args.lang))
    if len(table):
        print(
            say(
                args.lang,
                "hotspots_chance",
                n=len(table),
                chance=answer.n_could_be_chance,
                sims=N_SIMULATIONS,
                alpha=ALPHA,
            )
        )
        if answer.significance_kept < 1.0:
            print(say(args.lang, "hotspots_chance_thinned", pct=100 * answer.significance_kept))
    if answer.how != "given":
        print(answer.resolved_sentence(args.lang))
    if shown.raised:
        print(text("privacy.raised", args.lang, eps=f"{used.eps_m:g}", min=f"{used.min_samples:g}"))
    if shown.withheld:
        print(text("privacy.withheld", args.lang, n=len(shown.withheld)))
    if not args.out:
        rows = hotspot_rows(table.head(args.top), lang=args.lang)
        cols = ["rank", "hotspot_id", "place", "police_unit", "type", "n_events", "significant"]
        cols += ["patrol_windows"]
        print(rows[cols].to_string(index=False) if len(rows) else "-")
    return 0


def cmd_evaluate(args) -> int:
    import dataclasses

    from analytics.compute.evaluation import evaluate_hotspots
    from analytics.compute.hotspots import find_hotspots
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    day = pd.Timedelta(days=1)
    test_start, test_end = args.test_from, args.test_to + day
    if not (args.train_from < args.train_to + day <= test_start < test_end):
        print(say(args.lang, "train_before_test"), file=sys.stderr)
        return EXIT_BAD_INPUT
    # The hotspots' question: the training days.
    query = query_of(args, first_day="train_from", last_day="train_to")
    if query is None:
        return EXIT_BAD_INPUT
    db = store.open_store(args.db)
    geo = load_geography(default_station())
    events = store.read_events(db, start=query.start, end=test_end)
    train = events[events["occurred_at"] < query.end]
    test = events[events["occurred_at"] >= test_start]
    result = find_hotspots(train, query, geo=geo)
    used = result.query
    ev = evaluate_hotspots(result.hotspots, train, test, boundary_m=geo.boundary_m)
    if args.json:
        out = dataclasses.asdict(ev)
        out["sentence"] = ev.accuracy_sentence(args.lang)
        out["eps_m"], out["min_samples"] = used.eps_m, used.min_samples
        out["engine"], out["min_cluster_size"] = used.engine, used.min_cluster_size
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return 0
    print(ev.accuracy_sentence(args.lang))
    fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
    print(f"  {_setting(used, args.lang)}, hotspots {ev.n_hotspots}")
    print(f"  {'':<10} {'hit rate':>9} {'area %':>8} {'PAI':>8} {'PEI':>7}")
    rows = [("hotspots", ev.hit_rate, ev.area_share, ev.pai, ev.pei)]
    rows += [(b.name, b.hit_rate, b.area_share, b.pai, b.pei) for b in (ev.kde, ev.grid)]
    for name, hr, share, p, e in rows:
        print(f"  {name:<10} {fmt(hr):>9} {100 * share:>7.3f}% {fmt(p):>8} {fmt(e):>7}")
    print(
        f"  test incidents {ev.n_test:,}; KDE bandwidth {ev.kde_bandwidth_m:g} m ({ev.kde_bandwidth_by})"
    )
    return 0


def cmd_backtest(args) -> int:
    from analytics.answer import resolve_query
    from analytics.compute.backtest import backtest, meeting_end_for
    from analytics.query import setting_sentence
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    query = query_of(args, last_day="to")
    if query is None:
        return EXIT_BAD_INPUT
    if args.auto or not query.has_setting:  # one of the two alone does not make a setting
        query = query.with_(eps_m=None, min_samples=None, min_cluster_size=None)
    db = store.open_store(args.db)
    geo = load_geography(default_station())
    events = store.read_events(db, end=query.end)
    if events.empty:
        print(say(args.lang, "no_events"), file=sys.stderr)
        return EXIT_BAD_INPUT
    # The events read for the backtest hold the tuning's weeks too: read once.
    resolved, how = resolve_query(
        query, db=db, geo=geo, tuning_sources=query.sources, events=events
    )
    end = query.end
    try:
        result = backtest(
            events,
            geo=geo,
            eps_m=resolved.eps_m,
            min_samples=resolved.min_samples,
            weeks=args.weeks,
            train_days=args.train_days,
            sources=resolved.sources,
            end=None if end is None else meeting_end_for(end, geo.station.meeting_weekday),
            engine=resolved.engine,
            min_cluster_size=resolved.min_cluster_size,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(
            json.dumps(
                {
                    "eps_m": result.eps_m,
                    "min_samples": result.min_samples,
                    "engine": result.engine,
                    "min_cluster_size": result.min_cluster_size,
                    "how": how,
                    "end": result.end.isoformat(),
                    "weeks": result.weeks.to_dict(orient="records"),
                    "means": result.means.reset_index().to_dict(orient="records"),
                },
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
        return 0
    weeks = geo.station.tune_weeks
    print(
        setting_sentence(
            resolved.eps_m,
            resolved.min_samples,
            how,
            args.lang,
            weeks=weeks,
            engine=resolved.engine,
            min_cluster_size=resolved.min_cluster_size,
        )
    )
    print(
        f"{'week':<12} {'method':<7} {'cells/hs':>8} {'area %':>8} {'hit':>6} {'PAI':>8} {'PEI':>6}"
    )
    for r in result.weeks.itertuples():
        print(
            f"{r.week_start:%Y-%m-%d}   {r.method:<7} {r.n_hotspots:>8} {100 * r.area_share:>7.3f}% "
            f"{metric(r.hit_rate, 2):>6} {metric(r.pai, 0):>8} {metric(r.pei, 2):>6}"
        )
    print("mean:")
    for method, r in result.means.iterrows():
        print(
            f"  {method:<7} area {r.area_km2:.3f} km² ({100 * r.area_share:.3f}%), hit {metric(r.hit_rate, 3)}, "
            f"PAI {metric(r.pai, 1)}, PEI {metric(r.pei, 3)}, weeks {int(r.weeks_scored)}"
        )
    return 0


def cmd_tune(args) -> int:
    from analytics.compute.backtest import meeting_end_for, tune_hotspot_parameters
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    query = query_of(args, last_day="to")
    if query is None:
        return EXIT_BAD_INPUT
    db = store.open_store(args.db)
    station = default_station()
    geo = load_geography(station)
    end = query.end
    events = store.read_events(db, end=end)
    if events.empty:
        print(say(args.lang, "no_events"), file=sys.stderr)
        return EXIT_BAD_INPUT
    budget = args.budget_km2 or station.area_budget_km2
    result = tune_hotspot_parameters(
        events,
        geo=geo,
        area_budget_km2=budget,
        weeks=args.weeks,
        train_days=args.train_days,
        end=None if end is None else meeting_end_for(end, station.meeting_weekday),
        sources=query.sources,
        weights=query.weight_map(),
        hdbscan=not args.no_hdbscan,
        objective=args.objective,
    )
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
        return 0
    print(result.sentence(args.lang))
    print(
        f"  budget {budget:g} km²; {len(result.grid)} settings × {result.weeks} weeks in "
        f"{result.elapsed_s:.1f} s; objective {result.objective}; beats the naive grid: "
        f"{result.beats_grid}"
    )
    table = result.grid.sort_values(["mean_hit_rate"], ascending=False)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


def add_commands(sub, common) -> None:
    p = sub.add_parser("hotspots", parents=[common], help="find hotspots (DBSCAN in metres)")
    p.add_argument("--from", dest="date_from", type=parse_day, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=parse_day, help="last day, inclusive")
    p.add_argument(
        "--sources", type=parse_sources, default=SOURCES, help="e.g. incident,suggestion"
    )
    p.add_argument("--eps", type=float, help="eps in metres (default: station.toml)")
    p.add_argument("--min-samples", type=float, help="min_samples (default: station.toml)")
    _engine_options(p)
    p.add_argument("--format", choices=("geojson", "csv"), default="geojson")
    p.add_argument("--out", type=Path, help="write the hotspot table (GeoJSON in EPSG:4326 or CSV)")
    p.add_argument("--labels", type=Path, help="write event_id,hotspot_id as CSV")
    p.add_argument("--top", type=int, default=10, help="rows to print without --out")
    p.add_argument(
        "--for",
        "--role",
        dest="role",
        choices=("viewer", "analyst"),
        default="analyst",
        help="whose output: 'viewer' applies the privacy rule (analytics.access.privacy) to a file "
        "that leaves the crime-prevention team",
    )
    p.set_defaults(func=cmd_hotspots)

    p = sub.add_parser("evaluate", parents=[common], help="score hotspots on a later period")
    p.add_argument("--train-from", type=parse_day, required=True)
    p.add_argument("--train-to", type=parse_day, required=True, help="inclusive")
    p.add_argument("--test-from", type=parse_day, required=True)
    p.add_argument("--test-to", type=parse_day, required=True, help="inclusive")
    p.add_argument("--sources", type=parse_sources, default=SOURCES)
    p.add_argument("--eps", type=float)
    p.add_argument("--min-samples", type=float)
    _engine_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("backtest", parents=[common], help="rolling backtest against baselines")
    p.add_argument("--weeks", type=int, default=8)
    p.add_argument("--train-days", type=int, default=28)
    p.add_argument("--eps", type=float)
    p.add_argument("--min-samples", type=float)
    _engine_options(p)
    p.add_argument("--auto", action="store_true", help="use the tuned setting")
    p.add_argument("--sources", type=parse_sources, default=DEFAULT_TUNING_SOURCES)
    p.add_argument("--to", type=parse_day, help="last day to use (inclusive); default: all")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("tune", parents=[common], help="choose eps and min_samples by backtest")
    p.add_argument("--to", type=parse_day, help="tune on events up to this day (inclusive)")
    p.add_argument("--budget-km2", type=float, help="hotspot area budget (default station.toml)")
    p.add_argument("--weeks", type=int, default=8)
    p.add_argument("--train-days", type=int, default=28)
    p.add_argument(
        "--objective",
        choices=OBJECTIVES,
        default=DEFAULT_OBJECTIVE,
        help="beat_grid: the highest hit rate among the settings that beat the naive grid "
        "at their area; hit_rate: the highest hit rate; pei: the highest PEI",
    )
    p.add_argument("--no-hdbscan", action="store_true", help="offer DBSCAN settings only")
    p.add_argument("--json", action="store_true")
    # Tuned on incidents, like the dashboard's "auto" (analytics.answer.resolve_query).
    p.set_defaults(func=cmd_tune, sources=DEFAULT_TUNING_SOURCES)
