"""The command line: ``python -m analytics COMMAND ...``.

Commands print Korean by default (``--lang en`` for English) and ``--json`` where a
script wants to read the result. Exit codes: 0 done, 2 the input could not be used,
3 ``audit --verify`` found the audit log's hash chain broken.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from analytics.storage import store
from analytics.storage.schema import SOURCE_LABELS_KO, SOURCES

EXIT_BAD_INPUT = 2
EXIT_AUDIT_BROKEN = 3

TEXT = {
    "ko": {
        "imported": "가져오기 완료: {file} ({source})",
        "batch": "  배치 ID: {batch}",
        "read": "  파일: {kind}, 인코딩 {encoding}, 머리글 {header}행{sheet}",
        "crs": "  좌표계: {crs}{swapped}",
        "counts": "  전체 {total:,}행 → 가져옴 {imported:,} · 중복 건너뜀 {dup:,} · 거부 {rejected:,}",
        "blank": "  빈 행 {n:,}개는 건너뜀",
        "outside": "  관할 밖 좌표 {n:,}건: 보관하되 분석에서는 기본 제외",
        "gazetteer": "  장소명으로 위치를 찾은 행 {n:,}건 (읍면동 대표점 {coarse:,}건)",
        "swapped": "  위도·경도가 뒤바뀐 행 {n:,}건을 바로잡음",
        "unused": "  사용하지 않은 열: {cols}",
        "rejected_head": "  거부된 행 (행 번호: 이유):",
        "rejected_more": "    … 외 {n:,}행 (python -m analytics rejected {batch} 로 전체 보기)",
        "undone": "되돌림: 배치 {batch}, 사건 {n:,}건 삭제",
        "unknown_batch": "배치 {batch}이(가) 없습니다",
        "demo_skip": "저장소에 이미 데이터가 있어 데모를 만들지 않습니다: {db}",
        "demo_done": "합성(가상) 데모 데이터를 만들었습니다: {db}",
        "xy_swapped": " (X/Y 열이 뒤바뀐 것을 바로잡음)",
        "password": "새 비밀번호 ({name}): ",
        "password_again": "비밀번호 확인: ",
        "user_added": "사용자를 추가했습니다: {name} ({role})",
        "user_removed": "사용자를 삭제했습니다: {name}",
        "user_passwd": "비밀번호를 바꿨습니다: {name} (잠금도 풀림)",
        "user_role": "역할을 바꿨습니다: {name} → {role}",
        "no_users": "사용자가 없습니다 (python -m analytics users add 이름 --role admin)",
        "backup_done": "백업 완료: {dest}",
        "backup_exists": "이미 있는 파일입니다: {dest} (덮어쓰려면 --force)",
        "backup_same_file": "백업 대상이 저장소 파일 자신입니다: {dest}",
        "backup_not_sqlite": "SQLite 저장소만 백업할 수 있습니다 (PostgreSQL은 pg_dump를 쓰세요): {dest}",
        "backup_integrity": "백업 사본의 무결성 검사에 실패했습니다: {dest}",
        "rows": "  {table}: {n:,}행",
    },
    "en": {
        "imported": "Imported: {file} ({source})",
        "batch": "  batch id: {batch}",
        "read": "  file: {kind}, encoding {encoding}, header on row {header}{sheet}",
        "crs": "  CRS: {crs}{swapped}",
        "counts": "  {total:,} rows → imported {imported:,} · duplicates skipped {dup:,} · rejected {rejected:,}",
        "blank": "  {n:,} blank rows skipped",
        "outside": "  {n:,} points outside the station: kept, not clustered by default",
        "gazetteer": "  {n:,} rows placed by the gazetteer ({coarse:,} at township level)",
        "swapped": "  {n:,} rows had lat/lon swapped and were fixed",
        "unused": "  unused columns: {cols}",
        "rejected_head": "  rejected rows (row: reason):",
        "rejected_more": "    … and {n:,} more (python -m analytics rejected {batch})",
        "undone": "undone: batch {batch}, {n:,} events removed",
        "unknown_batch": "no batch {batch}",
        "demo_skip": "the store already has data; no demo made: {db}",
        "demo_done": "made the synthetic demo store: {db}",
        "xy_swapped": " (X/Y columns were swapped)",
        "password": "new password ({name}): ",
        "password_again": "again: ",
        "user_added": "user added: {name} ({role})",
        "user_removed": "user removed: {name}",
        "user_passwd": "password changed: {name} (and unlocked)",
        "user_role": "role changed: {name} → {role}",
        "no_users": "no users (python -m analytics users add NAME --role admin)",
        "backup_done": "backup written: {dest}",
        "backup_exists": "the file exists: {dest} (use --force to replace it)",
        "backup_same_file": "the backup would overwrite the store itself: {dest}",
        "backup_not_sqlite": "only a SQLite store can be backed up here (use pg_dump for PostgreSQL): {dest}",
        "backup_integrity": "the copy failed its integrity check: {dest}",
        "rows": "  {table}: {n:,} rows",
    },
}
SHOW_REJECTED = 20


def _t(lang: str, key: str, **kw) -> str:
    return TEXT[lang][key].format(**kw)


def _print_import(result, lang: str) -> None:
    source = SOURCE_LABELS_KO[result.source] if lang == "ko" else result.source
    lines = [
        _t(lang, "imported", file=result.file_name, source=source),
        _t(lang, "batch", batch=result.batch_id),
        _t(
            lang,
            "read",
            kind=result.file_kind.upper(),
            encoding=result.encoding or "-",
            header=result.header_row,
            sheet=f", 시트 '{result.sheet}'" if result.sheet else "",
        ),
    ]
    if result.crs:
        swapped = _t(lang, "xy_swapped") if result.xy_swapped else ""
        lines.append(_t(lang, "crs", crs=result.crs, swapped=swapped))
    lines.append(
        _t(
            lang,
            "counts",
            total=result.rows_total,
            imported=result.imported,
            dup=result.duplicates,
            rejected=len(result.rejected),
        )
    )
    if result.blank_rows:
        lines.append(_t(lang, "blank", n=result.blank_rows))
    if result.outside_station:
        lines.append(_t(lang, "outside", n=result.outside_station))
    if result.gazetteer_rows:
        lines.append(
            _t(lang, "gazetteer", n=result.gazetteer_rows, coarse=result.township_level_rows)
        )
    if result.latlon_swapped_rows:
        lines.append(_t(lang, "swapped", n=result.latlon_swapped_rows))
    if result.unused_columns:
        lines.append(_t(lang, "unused", cols=", ".join(result.unused_columns)))
    if result.rejected:
        lines.append(_t(lang, "rejected_head"))
        for r in result.rejected[:SHOW_REJECTED]:
            lines.append(f"    {r.row_number}: {r.reason if lang == 'ko' else r.reason_en}")
        if len(result.rejected) > SHOW_REJECTED:
            lines.append(
                _t(
                    lang,
                    "rejected_more",
                    n=len(result.rejected) - SHOW_REJECTED,
                    batch=result.batch_id,
                )
            )
    print("\n".join(lines))


def _cli_actor() -> str:
    """Who ran the command, for the audit log: ``cli:<OS user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment
        return "cli:?"


def cmd_import(args) -> int:
    from analytics.access.audit import audited_import
    from analytics.storage.importers.reading import ImportFileError

    engine = store.open_store(args.db)
    try:
        result = audited_import(
            engine,
            _cli_actor(),
            file=args.file,
            source=args.source,
            sheet=args.sheet,
            mapping=args.mapping,
        )
    except ImportFileError as exc:
        print(f"{args.file}: {exc.text(args.lang)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        _print_import(result, args.lang)
    return 0


def cmd_undo(args) -> int:
    from analytics.access.audit import audited_undo

    engine = store.open_store(args.db)
    try:
        n = audited_undo(engine, _cli_actor(), args.batch_id)
    except store.UnknownBatchError:
        print(_t(args.lang, "unknown_batch", batch=args.batch_id), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(_t(args.lang, "undone", batch=args.batch_id, n=n))
    return 0


def cmd_demo(args) -> int:
    from analytics.demo.store import DEFAULT_SAMPLES_DIR, build_demo_store

    engine = store.open_store(args.db)
    db = engine.url.database or str(engine.url)
    if args.if_empty and not store.is_empty(engine):
        print(_t(args.lang, "demo_skip", db=db))
        _warm_tuning(engine)
        return 0
    results = build_demo_store(engine, seed=args.seed, out_dir=args.out or DEFAULT_SAMPLES_DIR)
    for r in results:
        _print_import(r, args.lang)
    _warm_tuning(engine)
    print(_t(args.lang, "demo_done", db=db))
    return 0


def _warm_tuning(engine) -> None:
    """Tune once for the last complete week, so the first brief does not wait for it."""
    import pandas as pd

    from analytics.compute.backtest import _meeting_end_for, resolve_setting
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    station = default_station()
    last = store.last_event_time(engine)
    if last is None:
        return
    week_end = _meeting_end_for(last + pd.Timedelta(days=1), station.meeting_weekday)
    resolve_setting(engine, geo=load_geography(station), end=week_end - pd.Timedelta(days=7))


def cmd_batches(args) -> int:
    engine = store.open_store(args.db)
    frame = store.list_batches(engine).drop(columns=["summary_json"])
    if args.json:
        print(frame.to_json(orient="records", force_ascii=False, indent=2))
    else:
        print(frame.to_string(index=False) if len(frame) else "-")
    return 0


def cmd_rejected(args) -> int:
    from analytics.presentation.exports import rejected_rows_table, write_csv

    engine = store.open_store(args.db)
    table = rejected_rows_table(store.read_rejected(engine, args.batch_id), lang=args.lang)
    if args.out:
        write_csv(table, args.out)
        _audit_export(engine, args.out, f"rejected rows, batch {args.batch_id or 'all'}")
    else:
        print(table.to_string(index=False) if len(table) else "-")
    return 0


def _audit_export(engine, path, detail: str) -> None:
    from analytics.access.audit import audit

    audit(engine, actor=_cli_actor(), action="export", detail=detail, file_name=Path(path).name)


def cmd_counts(args) -> int:
    engine = store.open_store(args.db)
    counts = store.source_counts(engine)
    if args.json:
        print(json.dumps(counts))
    else:
        for s, n in counts.items():
            print(f"{SOURCE_LABELS_KO[s] if args.lang == 'ko' else s}\t{n:,}")
    return 0


def _day(text: str):
    import pandas as pd

    try:
        return pd.Timestamp(text, tz="Asia/Seoul").normalize()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"날짜 형식이 아닙니다 (YYYY-MM-DD): {text}") from exc


def _sources(text: str) -> tuple[str, ...]:
    items = tuple(s.strip() for s in text.split(",") if s.strip())
    bad = [s for s in items if s not in SOURCES]
    if bad or not items:
        raise argparse.ArgumentTypeError(
            f"알 수 없는 자료 종류: {bad or text} (가능: {', '.join(SOURCES)})"
        )
    return items


def _period(args):
    import pandas as pd

    start = args.date_from
    end = args.date_to + pd.Timedelta(days=1) if args.date_to is not None else None
    return start, end


def cmd_hotspots(args) -> int:
    from analytics.access.privacy import PrivacyRule
    from analytics.compute.backtest import resolve_setting
    from analytics.compute.hotspots import find_hotspots
    from analytics.presentation.exports import hotspot_rows, write_csv, write_hotspots_geojson
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography
    from analytics.text import text as message

    engine = store.open_store(args.db)
    station = default_station()
    geo = load_geography(station)
    rule = PrivacyRule.for_role(args.role, station)
    start, end = _period(args)
    # "auto" is tuned on the weeks strictly before the period shown.
    setting = resolve_setting(
        engine, geo=geo, end=start or end, eps_m=args.eps, min_samples=args.min_samples
    )
    events = store.read_events(engine, sources=args.sources, start=start, end=end)
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
        _audit_export(engine, args.out, f"hotspots {args.format}")
    if args.labels:
        import pandas as pd

        labels = pd.DataFrame(
            {
                "event_id": events.loc[result.clustered, "event_id"],
                "hotspot_id": hotspot_of[result.clustered].fillna(""),
            }
        )
        labels.to_csv(args.labels, index=False)
    head = (
        f"핫스팟 {len(table):,}곳 · 사건 {int(result.clustered.sum()):,}건 중 "
        f"{int(hotspot_of.notna().sum()):,}건 포함 · eps {eps_m:g} m, 최소 {min_samples:g}건"
        f" · 엔진 {result.engine}"
        if args.lang == "ko"
        else f"{len(table):,} hotspots · {int(hotspot_of.notna().sum()):,} of "
        f"{int(result.clustered.sum()):,} events · eps {eps_m:g} m, min {min_samples:g}"
        f" · engine {result.engine}"
    )
    print(head)
    if setting.how != "given":
        print(setting.sentence(args.lang))
    if raised:
        print(message("privacy.raised", args.lang, eps=f"{eps_m:g}", min=f"{min_samples:g}"))
    if withheld:
        print(message("privacy.withheld", args.lang, n=len(withheld)))
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

    engine = store.open_store(args.db)
    geo = load_geography(default_station())
    day = pd.Timedelta(days=1)
    train_start, train_end = args.train_from, args.train_to + day
    test_start, test_end = args.test_from, args.test_to + day
    if not (train_start < train_end <= test_start < test_end):
        print("학습 기간이 평가 기간보다 앞서야 합니다 (train ≤ test)", file=sys.stderr)
        return EXIT_BAD_INPUT
    events = store.read_events(engine, start=train_start, end=test_end)
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


def _fmt(value, digits: int = 3) -> str:
    return "—" if value is None or value != value else f"{value:.{digits}f}"


def cmd_backtest(args) -> int:
    from analytics.compute.backtest import _meeting_end_for, backtest, resolve_setting
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    engine = store.open_store(args.db)
    geo = load_geography(default_station())
    end = args.to + __import__("pandas").Timedelta(days=1) if args.to is not None else None
    if args.auto or args.eps is None or args.min_samples is None:
        setting = resolve_setting(engine, geo=geo, end=end, sources=args.sources)
    else:
        setting = resolve_setting(
            engine, geo=geo, end=end, eps_m=args.eps, min_samples=args.min_samples
        )
    events = store.read_events(engine, end=end)
    if events.empty:
        print("저장소에 사건이 없습니다", file=sys.stderr)
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
            f"{_fmt(r.hit_rate, 2):>6} {_fmt(r.pai, 0):>8} {_fmt(r.pei, 2):>6}"
        )
    print("mean:")
    for method, r in result.means.iterrows():
        print(
            f"  {method:<7} area {r.area_km2:.3f} km² ({100 * r.area_share:.3f}%), hit {_fmt(r.hit_rate, 3)}, "
            f"PAI {_fmt(r.pai, 1)}, PEI {_fmt(r.pei, 3)}, weeks {int(r.weeks_scored)}"
        )
    return 0


def cmd_tune(args) -> int:
    import pandas as pd

    from analytics.compute.backtest import _meeting_end_for, tune_hotspot_parameters
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    engine = store.open_store(args.db)
    station = default_station()
    geo = load_geography(station)
    end = args.to + pd.Timedelta(days=1) if args.to is not None else None
    events = store.read_events(engine, end=end)
    if events.empty:
        print("저장소에 사건이 없습니다", file=sys.stderr)
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


def _new_password(args, name: str) -> str:
    """The new password: from standard input (one line) or typed twice, never echoed."""
    from analytics.access.identity import AuthError

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(_t(args.lang, "password", name=name))
    if getpass.getpass(_t(args.lang, "password_again")) != first:
        raise AuthError("auth.password_mismatch")
    return first


def _auth_error(exc, lang: str) -> int:
    print(exc.text(lang), file=sys.stderr)
    return EXIT_BAD_INPUT


def cmd_users_add(args) -> int:
    from analytics.access import identity, users

    engine = store.open_store(args.db)
    try:
        name = identity.check_name(args.name)
        if name in set(users.list_users(engine)["name"]):
            raise identity.AuthError("auth.user_exists", name=name)
        users.add_user(engine, name, _new_password(args, name), role=args.role, actor=_cli_actor())
    except identity.AuthError as exc:
        return _auth_error(exc, args.lang)
    print(_t(args.lang, "user_added", name=name, role=args.role))
    return 0


def cmd_users_remove(args) -> int:
    from analytics.access import identity, users

    engine = store.open_store(args.db)
    try:
        users.remove_user(engine, args.name, actor=_cli_actor())
    except identity.AuthError as exc:
        return _auth_error(exc, args.lang)
    print(_t(args.lang, "user_removed", name=args.name))
    return 0


def cmd_users_passwd(args) -> int:
    from analytics.access import identity, users

    engine = store.open_store(args.db)
    try:
        name = identity.check_name(args.name)
        if name not in set(users.list_users(engine)["name"]):
            raise identity.AuthError("auth.no_user", name=name)
        users.set_password(engine, name, _new_password(args, name), actor=_cli_actor())
    except identity.AuthError as exc:
        return _auth_error(exc, args.lang)
    print(_t(args.lang, "user_passwd", name=name))
    return 0


def cmd_users_role(args) -> int:
    from analytics.access import identity, users

    engine = store.open_store(args.db)
    try:
        users.set_role(engine, args.name, args.role, actor=_cli_actor())
    except identity.AuthError as exc:
        return _auth_error(exc, args.lang)
    print(_t(args.lang, "user_role", name=args.name, role=args.role))
    return 0


def cmd_users_list(args) -> int:
    from analytics.access import users

    frame = users.list_users(store.open_store(args.db))
    if args.json:
        print(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso"))
    else:
        print(frame.to_string(index=False) if len(frame) else _t(args.lang, "no_users"))
    return 0


def cmd_audit(args) -> int:
    from analytics.access import audit

    if args.verify:
        from dataclasses import asdict

        found = audit.verify_audit_chain(store.open_store(args.db))
        if args.json:
            print(json.dumps({"ok": found.ok, "text": found.text(args.lang)} | asdict(found)))
        else:
            print(found.text(args.lang), file=sys.stdout if found.ok else sys.stderr)
        return 0 if found.ok else EXIT_AUDIT_BROKEN
    frame = audit.read_audit(store.open_store(args.db), limit=args.limit)
    if args.json:
        print(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso"))
    else:
        print(frame.to_string(index=False) if len(frame) else "-")
    return 0


def cmd_backup(args) -> int:
    from analytics.access import audit

    engine = store.open_store(args.db)
    try:
        counts = store.backup_store(engine, args.dest, force=args.force)
    except store.BackupError as exc:
        print(_t(args.lang, f"backup_{exc.key}", dest=exc.detail or args.dest), file=sys.stderr)
        return EXIT_BAD_INPUT
    dest = Path(args.dest).resolve()
    audit.audit(
        engine,
        actor=_cli_actor(),
        action="backup",
        detail=f"to {dest}; " + ", ".join(f"{t}={n}" for t, n in counts.items()),
        file_name=dest.name,
    )
    if args.json:
        print(json.dumps({"dest": str(dest), "counts": counts}, ensure_ascii=False, indent=2))
        return 0
    print(_t(args.lang, "backup_done", dest=dest))
    for table, n in counts.items():
        print(_t(args.lang, "rows", table=table, n=n))
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", help="store path or SQLAlchemy URL (default: $HOTSPOT_DB or data/store.sqlite)"
    )
    common.add_argument("--lang", choices=("ko", "en"), default="ko")
    parser = argparse.ArgumentParser(prog="python -m analytics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", parents=[common], help="import a CSV/XLSX export")
    p.add_argument("--source", required=True, choices=SOURCES)
    p.add_argument("file", type=Path)
    p.add_argument("--sheet")
    p.add_argument("--mapping", type=Path, help="column mapping file (CSV column,field or TOML)")
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

    p = sub.add_parser("hotspots", parents=[common], help="find hotspots (DBSCAN in metres)")
    p.add_argument("--from", dest="date_from", type=_day, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=_day, help="last day, inclusive")
    p.add_argument("--sources", type=_sources, default=SOURCES, help="e.g. incident,suggestion")
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
    p.add_argument("--train-from", type=_day, required=True)
    p.add_argument("--train-to", type=_day, required=True, help="inclusive")
    p.add_argument("--test-from", type=_day, required=True)
    p.add_argument("--test-to", type=_day, required=True, help="inclusive")
    p.add_argument("--sources", type=_sources, default=SOURCES)
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
    p.add_argument("--sources", type=_sources, default=("incident",))
    p.add_argument("--to", type=_day, help="last day to use (inclusive); default: all")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("tune", parents=[common], help="choose eps and min_samples by backtest")
    p.add_argument("--to", type=_day, help="tune on events up to this day (inclusive)")
    p.add_argument("--budget-km2", type=float, help="hotspot area budget (default station.toml)")
    p.add_argument("--weeks", type=int, default=8)
    p.add_argument("--train-days", type=int, default=28)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tune)

    p = sub.add_parser("counts", parents=[common], help="events per source")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_counts)

    from analytics.access.identity import ROLES

    p = sub.add_parser("users", help="manage who may sign in (add, remove, list, passwd, role)")
    users = p.add_subparsers(dest="users_command", required=True)
    stdin_help = "read the password from standard input (one line) instead of prompting"
    q = users.add_parser("add", parents=[common], help="add a user (password asked twice)")
    q.add_argument("name")
    q.add_argument("--role", choices=ROLES, default="viewer")
    q.add_argument("--password-stdin", action="store_true", help=stdin_help)
    q.set_defaults(func=cmd_users_add)
    q = users.add_parser("remove", parents=[common], help="remove a user")
    q.add_argument("name")
    q.set_defaults(func=cmd_users_remove)
    q = users.add_parser("list", parents=[common], help="list users (never their passwords)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_users_list)
    q = users.add_parser("passwd", parents=[common], help="set a user's password (and unlock)")
    q.add_argument("name")
    q.add_argument("--password-stdin", action="store_true", help=stdin_help)
    q.set_defaults(func=cmd_users_passwd)
    q = users.add_parser("role", parents=[common], help="change a user's role")
    q.add_argument("name")
    q.add_argument("--role", choices=ROLES, required=True)
    q.set_defaults(func=cmd_users_role)

    p = sub.add_parser("audit", parents=[common], help="show the audit log, newest first")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument(
        "--verify",
        action="store_true",
        help="check the hash chain of the whole log (exit 3 at the first broken link)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("backup", parents=[common], help="copy the SQLite store while the app runs")
    p.add_argument("dest", type=Path)
    p.add_argument("--force", action="store_true", help="replace DEST if it exists")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backup)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
