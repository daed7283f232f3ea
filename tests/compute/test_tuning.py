"""The tuning's shared grid scorer (analytics.compute.tuning) and the cached "auto" setting.

The choices pinned here were computed by the tuner before it shared work between
settings (one DBSCAN, polygon set and union per setting and week): the faster
scorer must choose the same.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analytics.compute import profiles
from analytics.compute.backtest import (
    tune_hotspot_parameters,
    tuning_cache_key,
    tuning_events_span,
)
from analytics.compute.evaluation import hit_rate_area
from analytics.compute.hotspots import dbscan_labels
from analytics.compute.tuning import Window, score_grid
from analytics.query import HotspotQuery
from analytics.storage import connection, store, tables
from tests.conftest import make_events

KST = "Asia/Seoul"
END = pd.Timestamp("2017-10-13", tz=KST)  # a Friday
X0, Y0 = 989485.0, 1712481.0  # the market
WEIGHTED = {
    "sources": ("suggestion", "complaint", "incident"),
    "weights": {"suggestion": 2.0, "complaint": 0.5},
}
BEFORE_16 = {"objective": "hit_rate", "hdbscan": False}


def repeat_addresses(seed: int = 5, n: int = 1400) -> pd.DataFrame:
    """Twelve weeks before END of events on 120 rounded addresses around four centres,
    a few addresses calling most often (as police addresses repeat)."""
    rng = np.random.default_rng(seed)
    centres = np.array(
        [[X0, Y0], [X0 + 900, Y0 + 300], [X0 - 700, Y0 + 800], [X0 + 200, Y0 - 1200]]
    )
    near = centres[rng.integers(0, 4, 120)]
    offset = rng.normal(0, 1, (120, 2))
    addresses = np.round(near + offset * rng.choice([25.0, 80.0, 250.0], 120)[:, None])
    popularity = rng.pareto(1.3, 120) + 1
    at = rng.choice(120, n, p=popularity / popularity.sum())
    days = rng.integers(1, 12 * 7, n)
    sources = rng.choice(["incident", "complaint", "suggestion"], n, p=[0.85, 0.05, 0.10])
    hours = rng.integers(0, 24, n)
    rows = [
        {
            "x": addresses[a, 0],
            "y": addresses[a, 1],
            "occurred_at": END - pd.Timedelta(days=int(d)) + pd.Timedelta(hours=int(h)),
            "source": s,
            "event_id": f"{s[:3]}_{i:016x}",
        }
        for i, (a, d, s, h) in enumerate(zip(at, days, sources, hours, strict=True))
    ]
    return make_events(rows)


@pytest.fixture(scope="module")
def repeats():
    return repeat_addresses()


@pytest.mark.parametrize(
    ("budget_km2", "kwargs", "chosen"),
    [
        (0.02, {}, (30, 15)),
        (0.035, {}, (30, 4)),
        (0.3, {}, (80, 3)),
        (1.0, {}, (150, 3)),
        (0.035, WEIGHTED, (30, 5)),
        (0.3, WEIGHTED, (80, 3)),
    ],
)
def test_tuned_choice_is_pinned_on_repeat_addresses(geo, repeats, budget_km2, kwargs, chosen):
    # Pinned on the tuner before issue 16 (the highest hit rate, DBSCAN only).
    kwargs = {**kwargs, **BEFORE_16}
    assert repeats[["x", "y"]].drop_duplicates().shape[0] < len(repeats) / 10
    tuned = tune_hotspot_parameters(repeats, geo=geo, area_budget_km2=budget_km2, end=END, **kwargs)
    assert (tuned.eps_m, tuned.min_samples) == chosen
    assert tuned.grid["mean_hit_rate"].nunique() > 40  # the settings really differ
    # Choice only (the cached "auto"): settings sure to be over budget are dropped early.
    quick = tune_hotspot_parameters(
        repeats, geo=geo, area_budget_km2=budget_km2, end=END, full_grid=False, **kwargs
    )
    assert (quick.eps_m, quick.min_samples) == chosen
    dropped = quick.grid["weeks_scored"] == 0
    assert not tuned.grid.loc[dropped, "within_budget"].any()
    kept = ["eps_m", "min_samples", "mean_hit_rate", "mean_area_km2", "within_budget"]
    assert quick.grid.loc[~dropped, kept].equals(tuned.grid.loc[~dropped, kept])
    if budget_km2 < 0.1:
        assert dropped.sum() > 10


def _one_setting(xy, w, t, test_xy, test_t, window, *, eps_m, min_samples, boundary_m):
    """One setting in one week the plain way: weighted DBSCAN on every event, polygons
    around the distinct points of each hotspot, hit rate and area of their union."""
    m = (t >= window.train_start) & (t < window.train_end)
    labels, _, _ = dbscan_labels(xy[m], eps_m=eps_m, min_samples=min_samples, sample_weight=w[m])
    points = pd.DataFrame({"x": xy[m, 0], "y": xy[m, 1], "label": labels}).drop_duplicates()
    k = int(labels.max()) + 1 if len(labels) else 0
    polys = profiles.polygons(
        points["x"].to_numpy(), points["y"].to_numpy(), points["label"].to_numpy(), k, eps_m=eps_m
    )
    in_week = (test_t >= window.test_start) & (test_t < window.test_end)
    return hit_rate_area(polys, test_xy[in_week], boundary_m=boundary_m)


def test_score_grid_is_dbscan_setting_by_setting(geo, repeats):
    ev = repeats.assign(
        w=repeats["source"].map({"incident": 1.0, "complaint": 0.5, "suggestion": 2.0})
    )
    t = (
        ev["occurred_at"]
        .dt.tz_convert("UTC")
        .dt.tz_localize(None)
        .to_numpy("datetime64[ns]")
        .astype(np.int64)
    )
    xy, w = ev[["x", "y"]].to_numpy(float), ev["w"].to_numpy(float)
    incident = (ev["source"] == "incident").to_numpy()
    ns = lambda ts: int(ts.tz_convert("UTC").value)  # noqa: E731
    windows = [
        Window(
            ns(e - pd.Timedelta(days=35)),
            ns(e - pd.Timedelta(days=7)),
            ns(e - pd.Timedelta(days=7)),
            ns(e),
        )
        for e in (END - pd.Timedelta(days=14), END - pd.Timedelta(days=7), END)
    ]
    settings = [(30.0, 3.0), (50.0, 4.5), (80.0, 5.0), (80.0, 12.0), (150.0, 3.0)]
    scores = score_grid(
        xy,
        t,
        w,
        xy[incident],
        t[incident],
        windows=windows,
        settings=settings,
        boundary_m=geo.boundary_m,
    )
    for (eps_m, min_samples), weekly in zip(settings, scores, strict=True):
        for window, got in zip(windows, weekly, strict=True):
            want = _one_setting(
                xy, w, t, xy[incident], t[incident], window,
                eps_m=eps_m, min_samples=min_samples, boundary_m=geo.boundary_m,
            )  # fmt: skip
            assert got.n_test == want.n_test > 0
            assert got.hit_rate == want.hit_rate
            assert got.area_share == pytest.approx(want.area_share, rel=1e-9)
            assert got.area_share > 0


def test_tuning_reads_only_its_weeks(geo, repeats):
    # Events before the first training day cannot change the choice: a caller reads
    # only tuning_events_span from the store.
    start, end = tuning_events_span(END, weeks=4, train_days=28)
    assert end == END and start == END - pd.Timedelta(days=56)
    kwargs = {"geo": geo, "area_budget_km2": 0.3, "end": END, "weeks": 4, "train_days": 28}
    inside = repeats[repeats["occurred_at"] >= start]
    assert len(inside) < len(repeats)
    a = tune_hotspot_parameters(repeats, **kwargs)
    b = tune_hotspot_parameters(inside, **kwargs)
    assert a.grid.drop(columns="chosen").equals(b.grid.drop(columns="chosen"))


def _write(engine, batch_id: str, frame: pd.DataFrame) -> None:
    with connection.write_transaction(engine) as conn:
        record = store.BatchRecord(
            batch_id, "incident", f"{batch_id}.csv", "0" * 64, None, None, None, len(frame), 0, True
        )
        store.write_batch(conn, record, frame.assign(batch_id=batch_id), [])


def _cache_keys(engine) -> list[str]:
    with engine.connect() as conn:
        return [r.key for r in conn.execute(tables.tuning_cache.select())]


def test_auto_cache_key_follows_imports_and_undo(geo, tmp_path, repeats, monkeypatch):
    from analytics.answer import resolve_query

    engine = store.open_store(str(tmp_path / "s.sqlite"))
    _write(engine, "b1", repeats)
    asked = HotspotQuery(start=END - pd.Timedelta(days=7), end=END)
    first, how = resolve_query(asked, db=engine, geo=geo)
    assert how == "auto" and len(_cache_keys(engine)) == 1

    # Warm: the cached choice, without reading a single event.
    def no_reading(*args, **kwargs):
        raise AssertionError("a cached tuning read events")

    monkeypatch.setattr(store, "read_events", no_reading)
    assert resolve_query(asked, db=engine, geo=geo) == (first, "auto")
    monkeypatch.undo()

    # An import changes the data version, so the key: tuned again, cached anew.
    late = repeat_addresses(seed=9, n=200).assign(
        event_id=lambda f: "inc_f" + f["event_id"].str[5:]
    )
    _write(engine, "b2", late)
    resolve_query(asked, db=engine, geo=geo)
    assert len(set(_cache_keys(engine))) == 2
    # So does an undo (the batch log changes even though the events are as before b2).
    store.undo_batch(engine, "b2")
    again, how = resolve_query(asked, db=engine, geo=geo)
    keys = _cache_keys(engine)
    assert len(set(keys)) == 3 and (again, how) == (first, "auto")


def test_cache_key_names_everything_the_choice_depends_on(geo):
    base = {
        "data_version": "v1",
        "end": END,
        "sources": ("incident",),
        "budget_km2": 1.0,
        "weeks": 8,
        "train_days": 28,
        "geo": geo,
    }
    key = tuning_cache_key(**base)
    assert key == tuning_cache_key(**{**base, "sources": ["incident"]})
    other_boundary = dataclasses.replace(geo, boundary_m=geo.boundary_m.buffer(100))
    changes = [
        {"data_version": "v2"},
        {"end": END + pd.Timedelta(days=7)},
        {"sources": ("incident", "complaint")},
        {"budget_km2": 0.5},
        {"weeks": 4},
        {"train_days": 21},
        {"weights": {"complaint": 2.0}},
        {"eps_grid_m": (30, 60)},
        {"min_samples_grid": (3, 5)},
        {"geo": other_boundary},
    ]
    keys = {tuning_cache_key(**{**base, **change}) for change in changes}
    assert key not in keys and len(keys) == len(changes)
