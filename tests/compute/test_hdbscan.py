"""Variable density (analytics.compute.hdbscan_engine): HDBSCAN splits what DBSCAN chains.

* two dense spots 50 m apart and a sparse one far off: no single DBSCAN eps keeps the
  dense two apart and finds the sparse one; the HDBSCAN engine does both;
* it clusters only events DBSCAN clusters at the same setting, in polygons inside
  DBSCAN's; weights are repeats; labels do not depend on row order;
* ``find_hotspots`` gives the same hotspot frame from either engine;
* the tuner scores HDBSCAN settings as the engine computes them, offers them beside
  DBSCAN's and chooses one only where it scores better: not on repeat addresses, yes
  on a ring of markets joined by a street with a sparse quarter far off.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from analytics.compute import hdbscan_engine, profiles
from analytics.compute.backtest import tune_hotspot_parameters
from analytics.compute.baselines import study_grid, top_cells
from analytics.compute.evaluation import hit_rate_area
from analytics.compute.hdbscan_engine import repeat_scale, split_components
from analytics.compute.hotspots import (
    HOTSPOT_COLUMNS,
    dbscan_labels,
    find_hotspots,
    hdbscan_labels,
)
from analytics.compute.tuning import Setting, Window, _Ranked, score_grid
from analytics.query import HotspotQuery
from tests.compute.test_tuning import END, X0, Y0, repeat_addresses
from tests.conftest import make_events

KST = "Asia/Seoul"


def two_densities(seed: int = 3) -> tuple[np.ndarray, list[slice]]:
    """Two dense spots (sd 6 m) 50 m apart, and a sparse one (40 events over a disc of
    150 m radius) 700 m away."""
    rng = np.random.default_rng(seed)
    a = rng.normal(0, 6, (40, 2))
    b = rng.normal(0, 6, (40, 2)) + np.array([50.0, 0.0])
    r, th = 150 * np.sqrt(rng.uniform(0, 1, 40)), rng.uniform(0, 2 * np.pi, 40)
    c = np.column_stack([r * np.cos(th), r * np.sin(th)]) + np.array([700.0, 0.0])
    return np.vstack([a, b, c]), [slice(0, 40), slice(40, 80), slice(80, 120)]


def _found(labels: np.ndarray, part: slice) -> tuple[int, int]:
    """The hotspot holding most of a part, and how many of the part's 40 it holds."""
    mine = labels[part]
    mine = mine[mine >= 0]
    if len(mine) == 0:
        return -1, 0
    values, counts = np.unique(mine, return_counts=True)
    return int(values[np.argmax(counts)]), int(counts.max())


def test_hdbscan_finds_what_no_single_dbscan_eps_can():
    xy, parts = two_densities()
    for eps in range(5, 305, 5):
        labels, _, _ = dbscan_labels(xy, eps_m=eps, min_samples=5)
        (la, na), (lb, nb), (lc, nc) = (_found(labels, p) for p in parts)
        apart = la != lb and min(na, nb) >= 36
        sparse = nc >= 36 and lc not in (la, lb)
        assert not (apart and sparse), eps  # DBSCAN merges the dense two or loses the sparse one
    labels, core, _ = hdbscan_labels(xy, eps_m=80, min_samples=5, min_cluster_size=10)
    found = [_found(labels, p) for p in parts]
    assert len({label for label, _ in found}) == 3
    assert all(n >= 36 for _, n in found)
    assert labels.max() == 2 and core[labels >= 0].any()


def test_hdbscan_clusters_only_what_dbscan_clusters_inside_its_polygons():
    rng = np.random.default_rng(11)
    centres = rng.uniform(0, 1500, (12, 2))
    xy = np.round(centres[rng.integers(0, 12, 900)] + rng.normal(0, 60, (900, 2)))
    w = rng.choice([0.5, 1.0, 2.0], len(xy))
    for eps, ms, size in [(60, 3, 10), (100, 4, 10), (100, 5, 20), (150, 3, 5)]:
        d, _, _ = dbscan_labels(xy, eps_m=eps, min_samples=ms, sample_weight=w)
        h, core, _ = hdbscan_labels(
            xy, eps_m=eps, min_samples=ms, min_cluster_size=size, sample_weight=w
        )
        assert not (h[d < 0] >= 0).any()  # nothing DBSCAN leaves out
        assert h.max() >= d.max()  # only splits
        for k in range(h.max() + 1):  # every part lies in one DBSCAN hotspot ...
            (whole,) = np.unique(d[h == k])
            if len(np.unique(h[d == whole])) > 1:  # ... and a split's parts are not small
                assert w[(h == k) & core].sum() >= size - 1e-9
        dbscan_area = shapely.union_all(
            profiles.polygons(xy[:, 0], xy[:, 1], d, d.max() + 1, eps_m=eps)
        ).area
        hdbscan_area = shapely.union_all(
            profiles.polygons(xy[:, 0], xy[:, 1], h, h.max() + 1, eps_m=eps)
        ).area
        assert hdbscan_area <= dbscan_area + 1e-6


def test_weights_are_repeats_and_row_order_does_not_matter():
    xy, _ = two_densities()
    xy = np.round(xy)
    w = np.where(np.arange(len(xy)) % 3 == 0, 2.0, 1.0)
    weighted, _, _ = hdbscan_labels(
        xy, eps_m=80, min_samples=5, min_cluster_size=10, sample_weight=w
    )
    # Weight 2 is the same point twice.
    repeated = np.repeat(xy, w.astype(int), axis=0)
    plain, _, _ = hdbscan_labels(repeated, eps_m=80, min_samples=5, min_cluster_size=10)
    assert np.array_equal(np.repeat(weighted, w.astype(int)), plain)
    # Halves: weight 0.5 with min_samples and sizes in halves is the same partition.
    half, _, _ = hdbscan_labels(
        xy, eps_m=80, min_samples=2.5, min_cluster_size=5, sample_weight=w / 2
    )
    assert np.array_equal(half, weighted)
    assert (repeat_scale([1.0, 2.0]), repeat_scale([0.5, 1]), repeat_scale([0.2])) == (1, 2, 5)
    order = np.random.default_rng(0).permutation(len(xy))
    shuffled, _, _ = hdbscan_labels(
        xy[order], eps_m=80, min_samples=5, min_cluster_size=10, sample_weight=w[order]
    )
    assert _same_partition(shuffled, weighted[order])


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_several_sizes_share_one_tree():
    rng = np.random.default_rng(5)
    xy = np.round(rng.normal(0, 80, (400, 2)))
    weight = rng.integers(1, 4, len(xy)).astype(float)
    component = np.zeros(len(xy), dtype=np.int64)
    together = split_components(
        xy, weight, component, min_samples=3, min_cluster_size=[5, 10, 20], scale=1
    )
    for size, labels in zip([5, 10, 20], together, strict=True):
        alone = split_components(
            xy, weight, component, min_samples=3, min_cluster_size=size, scale=1
        )
        assert np.array_equal(alone, labels)
    assert len({len(np.unique(labels)) for labels in together}) > 1  # the sizes differ


def test_a_component_too_big_for_hdbscan_is_refused(monkeypatch):
    monkeypatch.setattr(hdbscan_engine, "MAX_POINTS", 50)
    xy = np.random.default_rng(1).normal(0, 10, (60, 2))
    with pytest.raises(ValueError, match="HDBSCAN"):
        hdbscan_labels(xy, eps_m=50, min_samples=3, min_cluster_size=5)


def test_find_hotspots_gives_the_same_frame_from_either_engine(geo):
    xy, _ = two_densities()
    t = pd.Timestamp("2017-10-10 21:00", tz=KST)
    events = make_events([{"x": X0 + x, "y": Y0 + y, "occurred_at": t} for x, y in xy.tolist()])
    dbscan = find_hotspots(events, HotspotQuery(eps_m=80, min_samples=5), geo=geo)
    query = HotspotQuery(eps_m=80, min_samples=5, engine="hdbscan", min_cluster_size=10)
    hdbscan = find_hotspots(events, query, geo=geo)
    assert dbscan.query.engine == "dbscan" and hdbscan.query == query
    assert (len(dbscan.hotspots), len(hdbscan.hotspots)) == (2, 3)
    assert list(hdbscan.hotspots.columns) == list(dbscan.hotspots.columns)
    assert set(HOTSPOT_COLUMNS) <= set(hdbscan.hotspots.columns)
    assert hdbscan.hotspots["hotspot_id"].is_unique
    assert hdbscan.hotspots.geometry.is_valid.all()
    assert sorted(hdbscan.hotspots["n_events"]) == [40, 40, 40]
    # The same hotspots, ids and ranks from the events in another order.
    again = find_hotspots(events.sample(frac=1.0, random_state=4), query, geo=geo)
    assert again.hotspots["hotspot_id"].tolist() == hdbscan.hotspots["hotspot_id"].tolist()
    assert again.hotspot_ids.sort_index().equals(hdbscan.hotspot_ids.sort_index())


def _ns(ts) -> int:
    return int(ts.tz_convert("UTC").value)


def test_score_grid_scores_hdbscan_as_the_engine_computes_it(geo):
    ev = repeat_addresses()
    w = ev["source"].map({"incident": 1.0, "complaint": 0.5, "suggestion": 2.0}).to_numpy(float)
    t = np.array([_ns(ts) for ts in ev["occurred_at"]], dtype=np.int64)
    xy = ev[["x", "y"]].to_numpy(float)
    incident = (ev["source"] == "incident").to_numpy()
    windows = [
        Window(
            _ns(e - pd.Timedelta(days=35)),
            _ns(e - pd.Timedelta(days=7)),
            _ns(e - pd.Timedelta(days=7)),
            _ns(e),
        )
        for e in (END - pd.Timedelta(days=7), END)
    ]
    settings = [Setting(80, 3, "hdbscan", 10), Setting(150, 4.5, "hdbscan", 20)]
    scores = score_grid(
        xy, t, w, xy[incident], t[incident], windows=windows, settings=settings,
        boundary_m=geo.boundary_m,
    )  # fmt: skip
    split_somewhere = False
    for setting, weekly in zip(settings, scores, strict=True):
        for window, got in zip(windows, weekly, strict=True):
            m = (t >= window.train_start) & (t < window.train_end)
            labels, _, _ = hdbscan_labels(
                xy[m],
                eps_m=setting.eps_m,
                min_samples=setting.min_samples,
                min_cluster_size=setting.min_cluster_size,
                sample_weight=w[m],
            )
            plain, _, _ = dbscan_labels(
                xy[m], eps_m=setting.eps_m, min_samples=setting.min_samples, sample_weight=w[m]
            )
            split_somewhere |= labels.max() > plain.max()
            points = pd.DataFrame({"x": xy[m, 0], "y": xy[m, 1], "label": labels})
            points = points.drop_duplicates()
            polys = profiles.polygons(
                points["x"].to_numpy(),
                points["y"].to_numpy(),
                points["label"].to_numpy(),
                int(labels.max()) + 1,
                eps_m=setting.eps_m,
            )
            in_week = (t >= window.test_start) & (t < window.test_end) & incident
            want = hit_rate_area(polys, xy[in_week], boundary_m=geo.boundary_m)
            assert got.n_test == want.n_test > 0
            assert got.hit_rate == want.hit_rate
            assert got.area_share == pytest.approx(want.area_share, rel=1e-9)
    assert split_somewhere  # the settings really split hotspots


def test_the_naive_grid_at_any_area_is_top_cells():
    grid = study_grid(shapely.box(0, 0, 2000, 1500), cell_m=50)
    rng = np.random.default_rng(2)
    scores = rng.poisson(0.3, grid.n_cells)
    caught = rng.poisson(0.2, grid.n_cells)
    ranked = _Ranked(scores, caught, grid.area_m2)
    for target in [0, 1, 2500, 2600, 3749, 3751, 90_000, 1e6, 3e6, 1e9]:
        chosen = top_cells(scores, grid.area_m2, target_area_m2=target)
        assert ranked.hits(target) == caught[chosen].sum()


def ring_and_quarter(seed: int = 1) -> pd.DataFrame:
    """Twelve weeks of: six markets (sd 12 m) on a ring of 200 m radius joined by a busy
    ring road, and a quiet quarter (150 m radius) 900 m away."""
    rng = np.random.default_rng(seed)
    angle = np.arange(6) * np.pi / 3
    markets = np.column_stack([200 * np.cos(angle), 200 * np.sin(angle)])
    rows = []
    for day in range(12 * 7):
        t = END - pd.Timedelta(days=12 * 7) + pd.Timedelta(days=day, hours=20)
        points = [rng.normal(0, 12, (rng.poisson(4 / 7), 2)) + c for c in markets]
        th = rng.uniform(0, 2 * np.pi, rng.poisson(12 / 7))
        points.append(
            200 * np.column_stack([np.cos(th), np.sin(th)]) + rng.normal(0, 3, (len(th), 2))
        )
        k = rng.poisson(5 / 7)
        r, th = 150 * np.sqrt(rng.uniform(0, 1, k)), rng.uniform(0, 2 * np.pi, k)
        points.append(np.column_stack([r * np.cos(th), r * np.sin(th)]) + np.array([900.0, 0.0]))
        rows += [{"x": X0 + x, "y": Y0 + y, "occurred_at": t} for x, y in np.vstack(points)]
    return make_events(rows)


def _best(grid: pd.DataFrame, engine: str) -> float:
    ok = grid[(grid["engine"] == engine) & grid["within_budget"]]
    return float(ok["mean_hit_rate"].max())


def test_the_tuner_keeps_dbscan_where_hdbscan_is_no_better(geo):
    tuned = tune_hotspot_parameters(repeat_addresses(), geo=geo, area_budget_km2=0.3, end=END)
    assert (tuned.grid["engine"] == "hdbscan").sum() >= 6  # offered ...
    assert tuned.engine == "dbscan"  # ... and not chosen
    chosen = tuned.grid[tuned.grid["chosen"]].iloc[0]
    hdbscan = tuned.grid[(tuned.grid["engine"] == "hdbscan") & tuned.grid["within_budget"]]
    better = hdbscan[hdbscan["beats_grid"] & (hdbscan["mean_hit_rate"] > chosen["mean_hit_rate"])]
    assert better.empty
    assert tuned.best("hdbscan")["engine"] == "hdbscan"  # a link may still ask for it


def test_the_tuner_chooses_hdbscan_where_it_scores_better(geo):
    events = ring_and_quarter()
    tuned = tune_hotspot_parameters(events, geo=geo, area_budget_km2=0.2, end=END)
    assert tuned.engine == "hdbscan" and tuned.beats_grid
    assert _best(tuned.grid, "hdbscan") >= _best(tuned.grid, "dbscan") + 0.02
    quick = tune_hotspot_parameters(events, geo=geo, area_budget_km2=0.2, end=END, full_grid=False)
    assert quick.best() == tuned.best()
    # Without HDBSCAN the same data gets DBSCAN's best, which catches less.
    dbscan_only = tune_hotspot_parameters(
        events, geo=geo, area_budget_km2=0.2, end=END, hdbscan=False
    )
    assert dbscan_only.engine == "dbscan"
    chosen = tuned.grid[tuned.grid["chosen"]].iloc[0]
    other = dbscan_only.grid[dbscan_only.grid["chosen"]].iloc[0]
    assert chosen["mean_hit_rate"] > other["mean_hit_rate"]
