"""National scale on PostgreSQL: a year of synthetic events for every station in one store.

    .venv/bin/python bench/national_bench.py [--events 20000000] [--stations 260]
                                             [--workers 2] [--url URL]

Needs a PostgreSQL server: ``--url``, ``$HOTSPOT_BENCH_PG`` or ``$HOTSPOT_TEST_PG`` names
its maintenance database (``postgresql+psycopg://postgres@127.0.0.1:54329/postgres``;
``tools/pg_test_server.sh start`` makes a throwaway one). A new database is created
for the run and dropped after it. Without a server it says so and exits 0.

Every station (``s001`` …) gets its partition (``add_station_partition``), then a year
of Namwon-like clustered events (``bench/hotspot_bench.py``, seeded per station),
written through the import's own write path: COPY into a temporary table, ``ON
CONFLICT DO NOTHING`` into its partition, and the Arrow column blocks, one batch per
station. Prints:

* the load: rows/s through that path (COPY included), and the store's size;
* one Friday's weekly hotspots for every station (eps 100 m, min_samples 5), by a
  process pool: each worker has its own connection and reads only its station's rows;
  the wall time for all stations, each station's time (median and slowest), and each
  worker's peak memory.

Synthetic data only: the stations share Namwon's geography, under other ids.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

EPS_M, MIN_SAMPLES = 100.0, 5
FRIDAY = "2017-12-29"  # the demo year's last Friday: the week before it is shown


def server_url(given: str | None) -> str | None:
    return given or os.environ.get("HOTSPOT_BENCH_PG") or os.environ.get("HOTSPOT_TEST_PG")


def load_station(db, station: str, n: int, seed: int) -> int:
    """A year of ``n`` events for ``station``, through the import's write path."""
    from analytics.storage import connection, store
    from bench.hotspot_bench import make_events, make_points

    events = make_events(make_points(n, seed=seed))
    batch_id = f"bench-{station}"
    record = store.BatchRecord(
        batch_id, "incident", "bench.csv", "0" * 64, None, None, None, n, 0, True, station
    )
    with (
        store.stage_events(db, events, batch_id) as staged,
        connection.write_transaction(db, attach=staged.attach) as conn,
    ):
        stats = store.write_batch(conn, record, events, [], staged=staged)
        store.finish_batch(conn, batch_id, rows_duplicate=0, summary=stats)
    return stats["imported"]


_DB = None


def _worker_start(url: str) -> None:
    global _DB
    from analytics.storage import store

    _DB = store.open_store(url, create=False)


def weekly_hotspots(station: str) -> tuple[str, float, int, int]:
    """One station's hotspots of the week before Friday: (station, seconds, events read,
    hotspots found). Reads only that station's rows."""
    import pandas as pd

    from analytics.compute.hotspots import find_hotspots
    from analytics.station import clock
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography
    from analytics.storage import store

    t0 = time.perf_counter()
    end = pd.Timestamp(FRIDAY, tz=clock.zone())
    start = end - pd.Timedelta(days=7)
    events = store.read_events(_DB, start=start, end=end, station=station)
    result = find_hotspots(
        events,
        geo=load_geography(default_station()),
        eps_m=EPS_M,
        min_samples=MIN_SAMPLES,
        period=(start, end),
    )
    return station, time.perf_counter() - t0, len(events), len(result.hotspots)


def worker_peak_mib(_: int) -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--stations", type=int, default=260)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--url", help="a PostgreSQL maintenance database (SQLAlchemy URL)")
    args = parser.parse_args()
    url = server_url(args.url)
    if not url:
        print("national bench: no PostgreSQL server (--url, $HOTSPOT_BENCH_PG or $HOTSPOT_TEST_PG)")
        return
    import sqlalchemy as sa

    from analytics.storage import store
    from analytics.storage.partitions import add_station_partition

    name = f"hotspot_national_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db_url = sa.make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        db = store.open_store(db_url)
        stations = [f"s{i:03d}" for i in range(1, args.stations + 1)]
        per = args.events // len(stations)
        for station in stations:
            add_station_partition(db, station)
        t0 = time.perf_counter()
        rows = 0
        for i, station in enumerate(stations):
            rows += load_station(db, station, per, seed=1000 + i)
            if (i + 1) % max(1, len(stations) // 10) == 0:
                done = time.perf_counter() - t0
                print(f"  loaded {i + 1}/{len(stations)} stations, {rows:,} rows, {done:,.0f} s")
        load_s = time.perf_counter() - t0
        with db.connect() as conn:
            size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
        db.dispose()
        print(
            f"load: {rows:,} events, {len(stations)} stations, {load_s:,.1f} s,"
            f" {rows / load_s:,.0f} rows/s (COPY, ON CONFLICT, blocks); store {size / 2**30:.1f} GiB"
        )

        t1 = time.perf_counter()
        with ProcessPoolExecutor(
            args.workers, initializer=_worker_start, initargs=(db_url,)
        ) as pool:
            done = list(pool.map(weekly_hotspots, stations, chunksize=4))
            peaks = list(pool.map(worker_peak_mib, range(args.workers * 4)))
        wall = time.perf_counter() - t1
        times = [d[1] for d in done]
        read = sum(d[2] for d in done)
        found = sum(d[3] for d in done)
        print(
            f"weekly hotspots of {FRIDAY} for every station: {wall:,.1f} s wall with"
            f" {args.workers} workers; per station median {statistics.median(times):.2f} s,"
            f" slowest {max(times):.2f} s; {read:,} events read, {found:,} hotspots"
        )
        print(f"peak memory per worker: {max(peaks):,.0f} MiB (max RSS)")
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
