"""The rolling backtest and parameter tuning, on constructed weeks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.compute.backtest import backtest, last_complete_week_end, tune_hotspot_parameters
from analytics.compute.hotspots import find_hotspots
from analytics.query import setting_sentence
from analytics.storage import connection, tables
from tests.conftest import make_events

KST = "Asia/Seoul"
END = pd.Timestamp("2017-10-13", tz=KST)  # a Friday: the last test week is 10-06 .. 10-13
X0, Y0 = 989485.0, 1712481.0  # the market


def at(day: pd.Timestamp, hour: int = 22) -> pd.Timestamp:
    return day + pd.Timedelta(hours=hour)


def weekly(points, *, weeks: int, per_week_offset=0, start_id=0):
    """The same points once in each of the ``weeks`` weeks before END (and the test week)."""
    rows = []
    n = start_id
    for w in range(weeks + 1):
        day = END - pd.Timedelta(days=7 * w + 3)
        for x, y in points:
            rows.append({"x": x, "y": y, "occurred_at": at(day), "event_id": f"inc_{n:016x}"})
            n += 1
    return rows


def chain(n, *, spacing, x=X0, y=Y0):
    return [(x + spacing * i, y) for i in range(n)]


@pytest.fixture
def street_events():
    """A street 1.2 km long with an incident every 40 m, at new spots each week, and
    150 scattered one-off incidents elsewhere in the training weeks."""
    rng = np.random.default_rng(1)
    rows, n = [], 0
    for w in range(6):
        day = END - pd.Timedelta(days=7 * w + 3)
        # Every 40 m, shifted by a few metres each week: new spots, same street.
        for x in np.arange(30) * 40.0 + rng.uniform(-5, 5):
            rows.append({"x": X0 + x, "y": Y0, "occurred_at": at(day), "event_id": f"inc_{n:016x}"})
            n += 1
    for i in range(150):
        day = END - pd.Timedelta(days=7 * (1 + i % 4) + 2)
        rows.append(
            {
                "x": X0 - 5000 + rng.uniform(-4000, 4000),
                "y": Y0 + rng.uniform(-4000, 4000),
                "occurred_at": at(day),
                "event_id": f"inc_{10_000 + i:016x}",
            }
        )
    return make_events(rows)


def test_dbscan_wins_on_a_street(geo, street_events):
    # A one-week training window: the street is a line of single incidents, which
    # DBSCAN links up and the per-cell count cannot tell from the one-offs.
    r = backtest(street_events, geo=geo, eps_m=60, min_samples=3, weeks=1, train_days=7, end=END)
    m = r.means
    assert m.loc["dbscan", "hit_rate"] > 0.8
    assert m.loc["dbscan", "pai"] > 1.5 * m.loc["grid", "pai"]


def test_naive_grid_wins_on_repeat_addresses(geo):
    # Ten bars. Each has four spots 35 m apart (farther than eps), one incident per
    # spot per week: never dense for DBSCAN, but the same cell fills up every week.
    # A one-off dense burst elsewhere is the only DBSCAN hotspot.
    rows, n = [], 0
    for w in range(5):
        day = END - pd.Timedelta(days=7 * w + 3)
        for b in range(10):
            bx, by = X0 + 700 * b, Y0 + 400 * (b % 3)
            for dx, dy in ((0, 0), (35, 0), (0, 35), (35, 35)):
                rows.append(
                    {
                        "x": bx + dx,
                        "y": by + dy,
                        "occurred_at": at(day),
                        "event_id": f"inc_{n:016x}",
                    }
                )
                n += 1
    burst_day = END - pd.Timedelta(days=12)
    for i in range(12):  # a 4 x 3 lattice, 20 m apart
        rows.append(
            {
                "x": X0 - 3000 + 20 * (i % 4),
                "y": Y0 - 3000 + 20 * (i // 4),
                "occurred_at": at(burst_day),
                "event_id": f"inc_{90_000 + i:016x}",
            }
        )
    r = backtest(make_events(rows), geo=geo, eps_m=30, min_samples=5, weeks=1, end=END)
    m = r.means
    assert m.loc["dbscan", "hit_rate"] == 0.0
    assert m.loc["grid", "hit_rate"] > 0.1
    assert m.loc["grid", "pai"] > m.loc["dbscan", "pai"]


def test_equal_area_every_week(geo, street_events):
    r = backtest(street_events, geo=geo, eps_m=50, min_samples=3, weeks=3, end=END, cell_m=50)
    cell_m2 = 50.0 * 50.0
    for _, week in r.weeks.groupby("week_start"):
        hs = week.set_index("method")
        for base in ("kde", "grid"):
            assert abs(hs.loc[base, "area_m2"] - hs.loc["dbscan", "area_m2"]) <= cell_m2


def test_weeks_without_test_incidents_are_reported(geo, street_events):
    later = END + pd.Timedelta(days=14)  # two empty weeks at the end
    r = backtest(street_events, geo=geo, eps_m=50, min_samples=3, weeks=3, end=later)
    assert len(r.weeks) == 9
    empty = r.weeks[r.weeks["n_test"] == 0]
    assert len(empty) == 6 and empty["hit_rate"].isna().all()
    assert (r.means["weeks_scored"] == 1).all()


def test_tuning_has_no_look_ahead(geo, street_events):
    a = tune_hotspot_parameters(
        street_events,
        geo=geo,
        area_budget_km2=1.0,
        end=END,
        weeks=2,
        eps_grid_m=(30, 50, 100),
        min_samples_grid=(3, 5),
    )
    future = make_events(
        [
            {
                "x": X0 + 3000 + i,
                "y": Y0,
                "occurred_at": at(END + pd.Timedelta(days=2)),
                "event_id": f"inc_{50_000 + i:016x}",
            }
            for i in range(200)
        ]
    )
    b = tune_hotspot_parameters(
        pd.concat([street_events, future]),
        geo=geo,
        area_budget_km2=1.0,
        end=END,
        weeks=2,
        eps_grid_m=(30, 50, 100),
        min_samples_grid=(3, 5),
    )
    assert (a.eps_m, a.min_samples) == (b.eps_m, b.min_samples)
    assert a.grid.equals(b.grid)


def test_tuning_respects_the_budget_and_prefers_simpler_settings(geo, street_events):
    t = tune_hotspot_parameters(
        street_events,
        geo=geo,
        area_budget_km2=1.0,
        end=END,
        weeks=2,
        eps_grid_m=(30, 50, 100),
        min_samples_grid=(3, 5),
    )
    # Street points are 40 m apart: eps 30 finds nothing; eps 50 and 100 catch all.
    chosen = t.grid[t.grid["chosen"]].iloc[0]
    within = t.grid[t.grid["within_budget"]]
    assert chosen["mean_hit_rate"] == within["mean_hit_rate"].max() > 0.5
    # Ties go to the simpler setting: larger min_samples, then smaller eps.
    best = within[within["mean_hit_rate"] == within["mean_hit_rate"].max()]
    assert t.min_samples == best["min_samples"].max()
    assert t.eps_m == best.loc[best["min_samples"] == t.min_samples, "eps_m"].min()
    tight = tune_hotspot_parameters(
        street_events,
        geo=geo,
        area_budget_km2=1e-6,
        end=END,
        weeks=2,
        eps_grid_m=(50, 100),
        min_samples_grid=(3,),
    )
    assert tight.eps_m is None and "실패" in tight.sentence("ko")


def test_chaining_grows_the_area_with_eps(geo):
    rng = np.random.default_rng(4)
    pts = [(X0 + rng.uniform(0, 3000), Y0 + rng.uniform(0, 3000)) for _ in range(400)]
    events = make_events([{"x": x, "y": y} for x, y in pts])
    areas = [
        find_hotspots(events, geo=geo, eps_m=e, min_samples=4).hotspots["area_m2"].sum()
        for e in (60, 100, 150, 200)
    ]
    assert areas == sorted(areas) and areas[-1] > 5 * areas[0]


def test_meeting_end_for_keeps_whole_reporting_weeks():
    from analytics.compute.backtest import meeting_end_for

    assert meeting_end_for(pd.Timestamp("2017-10-13 00:00", tz=KST), 4) == END
    assert meeting_end_for(pd.Timestamp("2017-10-19 23:00", tz=KST), 4) == END
    assert meeting_end_for(pd.Timestamp("2017-10-12 15:00", tz="UTC"), 4) == END  # 10-13 KST


def test_last_complete_week_end_is_a_meeting_day():
    ev = make_events([{"x": X0, "y": Y0, "occurred_at": pd.Timestamp("2017-12-31 10:00", tz=KST)}])
    end = last_complete_week_end(ev, meeting_weekday=4)
    assert end == pd.Timestamp("2017-12-29", tz=KST) and end.weekday() == 4


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"weeks": 0}, "weeks"), ({"train_days": 3}, "train_days")]
)
def test_backtest_validates(geo, street_events, kwargs, match):
    with pytest.raises(ValueError, match=match):
        backtest(street_events, geo=geo, eps_m=50, min_samples=3, end=END, **kwargs)


def test_auto_setting_is_tuned_once_and_cached(geo, tmp_path, street_events):
    from analytics.answer import resolve_query
    from analytics.query import HotspotQuery
    from analytics.storage import store

    engine = store.open_store(str(tmp_path / "s.sqlite"))
    with connection.write_transaction(engine) as conn:
        store.write_batch(
            conn,
            store.BatchRecord(
                "b1", "incident", "x.csv", "0" * 64, None, None, None, len(street_events), 0, True
            ),
            street_events,
            [],
        )
    asked = HotspotQuery(end=END)
    first, how = resolve_query(asked, db=engine, geo=geo)
    unresolved = first.with_(eps_m=None, min_samples=None, engine=None, min_cluster_size=None)
    assert how == "auto" and first.has_setting and unresolved == asked
    assert first.engine in ("dbscan", "hdbscan")  # the resolved query names its engine
    sentence = setting_sentence(first.eps_m, first.min_samples, how, "ko", weeks=8)
    assert sentence.startswith("자동 설정: eps")
    with engine.connect() as conn:
        assert conn.execute(tables.tuning_cache.select()).all()
    again, _ = resolve_query(asked, db=engine, geo=geo)
    assert again == first
    given, how = resolve_query(asked.with_(eps_m=70, min_samples=6), db=engine, geo=geo)
    assert (given.eps_m, given.min_samples, how) == (70, 6, "given")
    half, how = resolve_query(asked.with_(eps_m=70), db=engine, geo=geo)
    assert (half.eps_m, half.min_samples, how) == (70, first.min_samples, "given")


def test_a_setting_for_each_week(geo, street_events):
    """Each week is scored with its own setting, as if backtested alone."""
    settings = [(30.0, 3.0), (50.0, 3.0), (100.0, 4.0)]
    r = backtest(
        street_events,
        geo=geo,
        eps_m=50,
        min_samples=3,
        weeks=3,
        train_days=7,  # one week: the street's points are 40 m apart
        end=END,
        settings=settings,
    )
    dbscan = r.weeks[r.weeks["method"] == "dbscan"].reset_index(drop=True)
    assert list(zip(dbscan["eps_m"], dbscan["min_samples"], strict=True)) == settings
    assert (r.eps_m, r.min_samples) == settings[-1]
    for i, (eps, ms) in enumerate(settings):
        week_end = END - pd.Timedelta(days=7 * (len(settings) - 1 - i))
        alone = backtest(
            street_events, geo=geo, eps_m=eps, min_samples=ms, weeks=1, train_days=7, end=week_end
        )
        mine = r.weeks[r.weeks["week_end"] == week_end].set_index("method")
        theirs = alone.weeks.set_index("method")
        cols = ["n_hotspots", "area_m2", "hit_rate", "pai"]
        pd.testing.assert_frame_equal(mine[cols], theirs[cols])
    assert dbscan["hit_rate"].iloc[0] == 0.0 < dbscan["hit_rate"].iloc[1]  # eps 30: no street


@pytest.mark.parametrize(
    ("settings", "error"),
    [([(50.0, 3.0)], "one \\(eps_m, min_samples\\) per week"), ([(1.0, 3.0)] * 3, "eps")],
)
def test_settings_are_checked(geo, street_events, settings, error):
    with pytest.raises(ValueError, match=error):
        backtest(
            street_events, geo=geo, eps_m=50, min_samples=3, weeks=3, end=END, settings=settings
        )


def test_the_views_backtest_ends_with_the_accuracy_sentence(demo_db, geo):
    """backtest_query: 8 weeks ending at the view's, each with the setting a view of that
    week would have had (tuned on the weeks before it); its last week is the accuracy
    sentence's evaluation."""
    from analytics.answer import backtest_query, resolve_query
    from analytics.compute.brief import forecast_accuracy
    from analytics.query import HotspotQuery
    from analytics.storage import store

    db = store.open_store(str(demo_db))
    events = store.read_events(db, station=geo.station)
    end = last_complete_week_end(events, meeting_weekday=geo.station.meeting_weekday)
    view = HotspotQuery(start=end - pd.Timedelta(days=7), end=end, sources=("suggestion",))
    r = backtest_query(view, db=db, geo=geo, events=events)
    assert len(r.weeks) == 8 * 3
    assert r.weeks.groupby("method").size().to_dict() == {"dbscan": 8, "kde": 8, "grid": 8}
    assert r.weeks["week_end"].max() == end and r.weeks["n_test"].gt(0).all()
    dbscan = r.weeks[r.weeks["method"] == "dbscan"]
    for week in dbscan.itertuples():
        asked = view.station_wide().with_period(week.week_start, week.week_end)
        resolved, how = resolve_query(asked, db=db, geo=geo, events=events)
        assert (week.eps_m, week.min_samples, how) == (resolved.eps_m, resolved.min_samples, "auto")
    resolved, _ = resolve_query(view.station_wide(), db=db, geo=geo, events=events)
    sentence = forecast_accuracy(events, resolved, geo=geo)
    last = dbscan.iloc[-1]
    assert (last["hit_rate"], last["pai"]) == pytest.approx((sentence.hit_rate, sentence.pai))
    given = backtest_query(view.with_(eps_m=100, min_samples=5), db=db, geo=geo, events=events)
    assert set(given.weeks["eps_m"]) == {100.0} and set(given.weeks["min_samples"]) == {5.0}
    db.dispose()
