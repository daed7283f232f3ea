"""Commands on hotspots: hotspots, evaluate, backtest, tune."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from analytics.cli.common import (
    EXIT_BAD_INPUT,
    audit_export,
    metric,
    parse_day,
    parse_sources,
    period_of,
    say,
)
from analytics.storage import store
from analytics.storage.schema import SOURCES


def cmd_hotspots(args) -> int:
    from analytics.access.privacy import PrivacyRule
    from analytics.compute.backtest import resolve_setting
    from analytics.compute.hotspots import find_hotspots
    from analytics.presentation.exports import hotspot_rows, write_csv, write_hotspots_geojson
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography
    from analytics.text import text

    db = store.open_store(args.db)
    station = default_station()
    geo = load_geography(station)
    rule = PrivacyRule.for_role(args.role, station)
    start, end = period_of(args)
    # "auto" is tuned on the weeks strictly before the period shown.
    setting = resolve_setting(
        db, geo=geo, end=start or end, eps_m=args.eps, min_samples=args.min_samples
    )
    events = store.read_events(db, sources=args.sources, start=start, end=end)
    eps_m, min_samples, raised = rule.hotspot_parameters(setting.eps_m, setting.min_samples)
    try:
        result = find_hotspots(
            rule.clustering_events(events, geo=geo),
            geo=geo,
            eps_m=eps_m,
            min_samples=min_samples,
            sources=args.sources,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    table, withheld = rule.hotspots(result.hotspots, min_samples=min_samples)
    hotspot_of = result.hotspot_ids.where(result.hotspot_ids.isin(table["hotspot_id"]))
    if args.out:
        if args.format == "geojson":
            write_hotspots_geojson(table, args.out)
        else:
            write_csv(hotspot_rows(table, lang=args.lang), args.out)
        audit_export(db, args.out, f"hotspots {args.format}")
    if args.labels:
        import pandas as pd

        labels = pd.DataFrame(
            {
                "event_id": events.loc[result.clustered, "event_id"],
                "hotspot_id": hotspot_of[result.clustered].fillna(""),
            }
        )
        labels.to_csv(args.labels, index=False)
    print(
        say(
            args.lang,
            "hotspots_head",
            n=len(table),
            clustered=int(result.clustered.sum()),
            inside=int(hotspot_of.notna().sum()),
            eps=f"{eps_m:g}",
            min=f"{min_samples:g}",
            engine=result.engine,
        )
    )
    if setting.how != "given":
        print(setting.sentence(args.lang))
    if raised:
        print(text("privacy.raised", args.lang, eps=f"{eps_m:g}", min=f"{min_samples:g}"))
    if withheld:
        print(text("privacy.withheld", args.lang, n=len(withheld)))
    if not args.out:
        rows = hotspot_rows(table.head(args.top), lang=args.lang)
        cols = ["rank", "hotspot_id", "place", "police_unit", "type", "n_events", "patrol_windows"]
        print(rows[cols].to_string(index=False) if len(rows) else "-")
    return 0


def cmd_evaluate(args) -> int:
    import dataclasses

    import pandas as pd

    from analytics.compute.evaluation import evaluate_hotspots
    from analytics.compute.hotspots import find_hotspots
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    db = store.open_store(args.db)
    geo = load_geography(default_station())
    day = pd.Timedelta(days=1)
    train_start, train_end = args.train_from, args.train_to + day
    test_start, test_end = args.test_from, args.test_to + day
    if not (train_start < train_end <= test_start < test_end):
        print(say(args.lang, "train_before_test"), file=sys.stderr)
        return EXIT_BAD_INPUT
    events = store.read_events(db, start=train_start, end=test_end)
    train = events[events["occurred_at"] < train_end]
    test = events[events["occurred_at"] >= test_start]
    try:
        result = find_hotspots(
            train, geo=geo, eps_m=args.eps, min_samples=args.min_samples, sources=args.sources
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    ev = evaluate_hotspots(result.hotspots, train, test, boundary_m=geo.boundary_m)
    if args.json:
        out = dataclasses.asdict(ev)
        out["sentence"] = ev.accuracy_sentence(args.lang)
        out["eps_m"], out["min_samples"] = result.params.eps_m, result.params.min_samples
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return 0
    print(ev.accuracy_sentence(args.lang))
    fmt = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
    print(
        f"  eps {result.params.eps_m:g} m, min {result.params.min_samples:g}, hotspots {ev.n_hotspots}"
    )
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
    from analytics.compute.backtest import _meeting_end_for, backtest, resolve_setting
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    db = store.open_store(args.db)
    geo = load_geography(default_station())
    end = args.to + pd.Timedelta(days=1) if args.to is not None else None
    if args.auto or args.eps is None or args.min_samples is None:
        setting = resolve_setting(db, geo=geo, end=end, sources=args.sources)
    else:
        setting = resolve_setting(
            db, geo=geo, end=end, eps_m=args.eps, min_samples=args.min_samples
        )
    events = store.read_events(db, end=end)
    if events.empty:
        print(say(args.lang, "no_events"), file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = backtest(
            events,
            geo=geo,
            eps_m=setting.eps_m,
            min_samples=setting.min_samples,
            weeks=args.weeks,
            train_days=args.train_days,
            sources=args.sources,
            end=None if end is None else _meeting_end_for(end, geo.station.meeting_weekday),
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
                    "how": setting.how,
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
    print(setting.sentence(args.lang))
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
    import pandas as pd

    from analytics.compute.backtest import _meeting_end_for, tune_hotspot_parameters
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    db = store.open_store(args.db)
    station = default_station()
    geo = load_geography(station)
    end = args.to + pd.Timedelta(days=1) if args.to is not None else None
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
        end=None if end is None else _meeting_end_for(end, station.meeting_weekday),
    )
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
        return 0
    print(result.sentence(args.lang))
    print(
        f"  budget {budget:g} km²; {len(result.grid)} settings × {result.weeks} weeks in {result.elapsed_s:.1f} s"
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
    p.add_argument("--format", choices=("geojson", "csv"), default="geojson")
    p.add_argument("--out", type=Path, help="write the hotspot table (GeoJSON in EPSG:4326 or CSV)")
    p.add_argument("--labels", type=Path, help="write event_id,hotspot_id as CSV")
    p.add_argument("--top", type=int, default=10, help="rows to print without --out")
    p.add_argument(
        "--for",
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
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("backtest", parents=[common], help="rolling backtest against baselines")
    p.add_argument("--weeks", type=int, default=8)
    p.add_argument("--train-days", type=int, default=28)
    p.add_argument("--eps", type=float)
    p.add_argument("--min-samples", type=float)
    p.add_argument("--auto", action="store_true", help="use the tuned setting")
    p.add_argument("--sources", type=parse_sources, default=("incident",))
    p.add_argument("--to", type=parse_day, help="last day to use (inclusive); default: all")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("tune", parents=[common], help="choose eps and min_samples by backtest")
    p.add_argument("--to", type=parse_day, help="tune on events up to this day (inclusive)")
    p.add_argument("--budget-km2", type=float, help="hotspot area budget (default station.toml)")
    p.add_argument("--weeks", type=int, default=8)
    p.add_argument("--train-days", type=int, default=28)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tune)
