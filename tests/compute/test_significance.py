"""Could it be chance? The Monte Carlo test of every hotspot (analytics.compute.significance)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.compute import populated, significance
from analytics.compute.hotspots import dbscan_labels, find_hotspots
from analytics.compute.significance import (
    PopulatedArea,
    add_significance,
    bh_adjust,
    cluster_significance,
    cluster_statistics,
    monte_carlo_p_values,
    neighbourhood_weights,
    simulate_maxima,
)
from analytics.query import HotspotQuery
from tests.conftest import make_events

MARKET_XY = (989485.78, 1712481.38)  # 남원공설시장 in EPSG:5179
CELL = significance.CELL_M
# The town core: 8 x 6 populated 250 m cells around the market (3 km²: 동충동, 죽항동
# and the edges of 금동 and 도통동).
CORE_X0 = (np.floor(MARKET_XY[0] / CELL) - 4) * CELL
CORE_Y0 = (np.floor(MARKET_XY[1] / CELL) - 3) * CELL
CORE_W, CORE_H = 8 * CELL, 6 * CELL
# Events scattered at random over the core at its density in the demo year's busiest
# weeks (60 a km², the three core townships over three weeks): at eps 100 m /
# min_samples 5 they make about seven hotspots.
N_NOISE = 180
EPS_M, MIN_SAMPLES = 100.0, 5.0


def core_uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` points uniform over the town core (metres)."""
    return np.column_stack(
        [rng.uniform(CORE_X0, CORE_X0 + CORE_W, n), rng.uniform(CORE_Y0, CORE_Y0 + CORE_H, n)]
    )


@pytest.fixture(scope="module")
def core_area(geo) -> PopulatedArea:
    """The populated area of a station whose long run (a year of noise) fills the core."""
    long_run = core_uniform(np.random.default_rng(99), 52 * N_NOISE)
    return PopulatedArea.from_points(long_run, boundary=geo.boundary_m)


def with_significance(
    xy: np.ndarray,
    *,
    geo,
    area: PopulatedArea,
    seed: int,
    eps_m: float = EPS_M,
    min_samples: float = MIN_SAMPLES,
    **kw,
):
    """The view's hotspots (DBSCAN on ``xy``) with ``significant`` and ``p_value``."""
    events = make_events([{"x": x, "y": y} for x, y in xy])
    query = HotspotQuery(eps_m=eps_m, min_samples=min_samples)
    found = find_hotspots(events, query, geo=geo)
    return add_significance(
        found.hotspots,
        events,
        found.hotspot_ids[found.clustered],
        area=area,
        eps_m=eps_m,
        min_samples=min_samples,
        seed=seed,
        **kw,
    )


def test_the_core_area_is_the_populated_cells(core_area, geo):
    assert len(core_area) == 48
    assert core_area.area_m2 == pytest.approx(CORE_W * CORE_H)
    assert shapely.contains_xy(geo.boundary_m, CORE_X0 + 1, CORE_Y0 + 1)


# --- Must show: noise is not significant; planted clusters are -------------------------


def test_on_complete_spatial_randomness_almost_no_hotspot_is_significant(core_area, geo):
    """CSR over the town core: DBSCAN finds hotspots, the test calls at most 5% of them
    (and at most one per view) significant."""
    per_view = []
    n_hotspots = 0
    for seed in range(8):
        noise = core_uniform(np.random.default_rng(1000 + seed), N_NOISE)
        table = with_significance(noise, geo=geo, area=core_area, seed=seed)
        n_hotspots += len(table)
        per_view.append(int(table["significant"].sum()))
        assert table["p_value"].between(0, 1).all()
    assert n_hotspots >= 8 * 4  # DBSCAN did find "hotspots" in the noise (about 7 a view)
    assert max(per_view) <= 1, per_view
    assert sum(per_view) <= 0.05 * n_hotspots, (per_view, n_hotspots)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_clusters_on_the_noise_are_significant(core_area, geo, seed):
    """Ten clusters of 15 events (sd 30 m) planted on the noise: at least nine of their
    centres fall inside significant hotspots."""
    rng = np.random.default_rng(2000 + seed)
    centres = core_uniform(rng, 10)
    planted = [c + rng.normal(0.0, 30.0, (15, 2)) for c in centres]
    xy = np.vstack([core_uniform(rng, N_NOISE), *planted])
    table = with_significance(xy, geo=geo, area=core_area, seed=seed)
    significant = table[table["significant"].to_numpy(dtype=bool)]
    inside = shapely.contains_xy(
        shapely.union_all(significant.geometry.to_numpy()), centres[:, 0], centres[:, 1]
    )
    assert inside.sum() >= 9, (inside, table[["n_events", "p_value"]])
    # ... while the noise's own hotspots (no planted centre inside) stay out, but one.
    holds_centre = [
        shapely.contains_xy(g, centres[:, 0], centres[:, 1]).any() for g in table.geometry
    ]
    noise_only = table[~np.array(holds_centre)]
    assert len(noise_only) >= 2 and noise_only["significant"].sum() <= 1


def test_the_size_statistic_misses_planted_clusters_near_percolation(core_area, geo):
    """Why density is the default: simulated clusters at this density outgrow real ones."""
    rng = np.random.default_rng(2000)
    centres = core_uniform(rng, 10)
    xy = np.vstack(
        [core_uniform(rng, N_NOISE), *[c + rng.normal(0.0, 30.0, (15, 2)) for c in centres]]
    )
    by_size = with_significance(xy, geo=geo, area=core_area, seed=0, statistic="size")
    by_density = with_significance(xy, geo=geo, area=core_area, seed=0)
    assert by_size["significant"].sum() == 0 < by_density["significant"].sum()


# --- The p-value and the adjustment, by hand --------------------------------------------


def test_monte_carlo_p_values_by_hand():
    simulated = [3, 5, 5, 7, 9]
    # (1 + #{simulated >= observed}) / (1 + 5)
    got = monte_carlo_p_values([5, 10, 9, 2, 7.5], simulated)
    assert got.tolist() == pytest.approx([5 / 6, 1 / 6, 2 / 6, 6 / 6, 2 / 6])
    # A tie counts against the hotspot, also for sums of float weights.
    assert monte_carlo_p_values([0.1 + 0.2], [0.3])[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least one"):
        monte_carlo_p_values([1.0], [])


def test_benjamini_hochberg_by_hand():
    # Sorted 0.01, 0.03, 0.04, 0.2 (m = 4): p * m / rank = 0.04, 0.06, 0.0533, 0.2, then
    # each is the least of those at its rank and above: 0.04, 0.0533, 0.0533, 0.2.
    got = bh_adjust([0.01, 0.04, 0.03, 0.2])
    assert got.tolist() == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    assert bh_adjust([0.005] * 3).tolist() == pytest.approx([0.005] * 3)
    assert bh_adjust([]).tolist() == []
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        bh_adjust([0.5, 1.5])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=60))
def test_benjamini_hochberg_agrees_with_scipy(p_values):
    from scipy.stats import false_discovery_control

    expected = false_discovery_control(np.array(p_values), method="bh")
    np.testing.assert_allclose(bh_adjust(p_values), expected, rtol=1e-12, atol=1e-15)


def test_cluster_significance_applies_the_formulas():
    area = PopulatedArea.from_cells([[0, 0], [1, 0], [0, 1], [1, 1]], cell_m=250.0)
    rng = np.random.default_rng(5)
    tight = rng.normal(100.0, 5.0, (12, 2))  # twelve events within ~10 m
    xy = np.vstack([tight, area.sample(40, rng=rng)])
    labels, _, _ = dbscan_labels(xy, eps_m=50.0, min_samples=5)
    found = cluster_significance(
        xy, labels, area=area, eps_m=50.0, min_samples=5, n_simulations=99, seed=3
    )
    k = int(labels.max()) + 1
    assert found.observed.shape == found.p_value.shape == (k,)
    assert found.simulated.shape == (99,)
    expected_raw = [(1 + (found.simulated >= t).sum()) / 100 for t in found.observed]
    assert found.p_raw.tolist() == pytest.approx(expected_raw)
    assert found.p_value.tolist() == pytest.approx(bh_adjust(found.p_raw).tolist())
    assert (found.significant == (found.p_value <= 0.05)).all()
    tight_label = labels[0]
    assert found.significant[tight_label] and found.p_raw[tight_label] == pytest.approx(0.01)


def test_the_same_seed_gives_the_same_answer_and_another_seed_another_draw():
    area = PopulatedArea.from_cells([[0, 0], [1, 0]], cell_m=250.0)
    w = np.ones(60)
    kw = {"area": area, "eps_m": 60.0, "min_samples": 3, "sample_weight": w, "n_simulations": 30}
    a = simulate_maxima(seed=1, **kw)
    assert a.tolist() == simulate_maxima(seed=1, **kw).tolist()
    assert a.tolist() != simulate_maxima(seed=2, **kw).tolist()


def test_the_density_null_is_the_densest_spot_of_the_simulated_dbscan_clusters():
    """Counting neighbourhoods gives the maximum DBSCAN's clusters would give."""
    area = PopulatedArea.from_cells([[0, 0], [1, 0], [0, 1]], cell_m=250.0)
    n, seed = 90, 4
    w = np.ones(n)
    got = simulate_maxima(
        area=area, eps_m=50.0, min_samples=4, sample_weight=w, n_simulations=20, seed=seed
    )
    rng = np.random.default_rng(seed)
    expected = []
    for _ in range(20):
        xy = area.sample(n, rng=rng)
        labels, _, _ = dbscan_labels(xy, eps_m=50.0, min_samples=4)
        peaks = cluster_statistics(xy, labels, eps_m=50.0)
        expected.append(peaks.max() if len(peaks) else 0.0)
    assert got.tolist() == expected
    assert max(expected) >= 4  # the simulations did make clusters


def test_statistics_by_hand():
    xy = np.array([(0, 0), (30, 0), (60, 0), (500, 0), (520, 0), (1000, 0)], float)
    labels = np.array([0, 0, 0, 1, 1, -1])
    w = np.array([1, 1, 2, 1, 1, 1], float)
    near = neighbourhood_weights(xy, eps_m=30.0, sample_weight=w)
    assert near.tolist() == [2, 4, 3, 2, 2, 1]  # (30, 0) sees 1 + 1 + 2
    assert cluster_statistics(xy, labels, eps_m=30.0, sample_weight=w).tolist() == [4, 2]
    sizes = cluster_statistics(xy, labels, eps_m=30.0, sample_weight=w, statistic="size")
    assert sizes.tolist() == [4, 2]
    assert neighbourhood_weights(xy, eps_m=30.0).tolist() == [2, 3, 2, 2, 2, 1]
    paired = neighbourhood_weights(xy, eps_m=30.0, sample_weight=w, by_pairs=True)
    assert paired.tolist() == near.tolist()


def test_counting_by_pairs_is_counting_by_balls():
    rng = np.random.default_rng(3)
    xy = np.vstack([rng.uniform(0, 500, (400, 2)), np.full((5, 2), 250.0)])  # with repeats
    w = rng.choice([1.0, 0.5, 2.5], len(xy))
    for weights in (None, w):
        balls = neighbourhood_weights(xy, eps_m=40.0, sample_weight=weights)
        pairs = neighbourhood_weights(xy, eps_m=40.0, sample_weight=weights, by_pairs=True)
        assert pairs == pytest.approx(balls)


def test_weights_travel_into_the_simulations():
    area = PopulatedArea.from_cells([[0, 0]], cell_m=250.0)
    kw = {"area": area, "eps_m": 80.0, "min_samples": 2, "n_simulations": 10, "seed": 0}
    one = simulate_maxima(sample_weight=np.ones(20), **kw)
    two = simulate_maxima(sample_weight=np.full(20, 2.0), **kw)
    assert two.tolist() == (2 * one).tolist()


# --- The populated area --------------------------------------------------------------


def test_the_populated_area_is_the_cells_that_held_an_event():
    xy = [(10, 10), (20, 30), (260, 10), (-5, 600), (np.nan, 1.0)]
    area = PopulatedArea.from_points(xy, cell_m=250.0)
    assert area.cells.tolist() == [[-1, 2], [0, 0], [1, 0]]
    assert area.area_m2 == pytest.approx(3 * 250.0**2)


def test_the_populated_area_is_clipped_to_the_boundary_and_sampled_evenly():
    # The boundary cuts cell (1, 0) in half (x < 375) and leaves out cell (2, 0).
    boundary = shapely.box(0, 0, 375, 250)
    area = PopulatedArea.from_cells([[0, 0], [1, 0], [2, 0]], cell_m=250.0, boundary=boundary)
    assert len(area) == 2 and area.area_m2 == pytest.approx(375 * 250)
    xy = area.sample(30_000, rng=np.random.default_rng(0))
    assert shapely.contains_xy(boundary, xy[:, 0], xy[:, 1]).all()
    in_half = (xy[:, 0] >= 250).mean()
    assert in_half == pytest.approx(1 / 3, abs=0.01)  # an even density over the area
    with pytest.raises(ValueError, match="empty"):
        PopulatedArea.from_cells([[5, 5]], cell_m=250.0, boundary=boundary).sample(
            1, rng=np.random.default_rng(0)
        )


def test_an_area_grown_by_cells_or_rebuilt_from_its_parts_is_the_same_area(geo):
    # Cells across the station boundary's edge, so that some are cut and some drop out.
    edge = shapely.get_coordinates(geo.boundary_m)[::40]
    cells = np.unique(np.floor(edge / CELL).astype(np.int64), axis=0)
    first, later = cells[::2], cells[1::2]
    whole = PopulatedArea.from_cells(cells, boundary=geo.boundary_m)
    assert whole._partial.any()
    grown = PopulatedArea.from_cells(first, boundary=geo.boundary_m).with_cells(later)
    rebuilt = PopulatedArea(whole.cells, CELL, geo.boundary_m, clipped=whole.parts)
    for area in (grown, rebuilt):
        for name in populated.PARTS:
            np.testing.assert_array_equal(area.parts[name], whole.parts[name])
        a = area.sample(500, rng=np.random.default_rng(3))
        np.testing.assert_array_equal(a, whole.sample(500, rng=np.random.default_rng(3)))
    assert grown.with_cells(first) is grown  # nothing new: nothing clipped
    with pytest.raises(ValueError, match="one row per cell"):
        PopulatedArea(whole.cells, CELL, None, clipped={**whole.parts, "area": whole._area[:-1]})


@settings(max_examples=60, deadline=None)
@given(
    cuts=st.lists(st.floats(0.0, 1000.0), min_size=1, max_size=30),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_draw_falls_in_the_cell_rng_choice_would_pick(cuts, seed):
    # Cells cut by the boundary to any size (slivers included): the guide table gives
    # the cell rng.choice gives for the same draw, so the scatters are as before it.
    cells = np.array([[i, 0] for i in range(len(cuts))])
    boundary = shapely.union_all(
        [shapely.box(i * 250.0, 0, i * 250.0 + cut / 4.0, 250.0) for i, cut in enumerate(cuts)]
    )
    area = PopulatedArea.from_cells(cells, cell_m=250.0, boundary=boundary)
    if not len(area):
        return
    shares = area._area / area._area.sum()
    u = np.random.default_rng(seed).random(5_000)
    u = np.concatenate([u, area._cdf, np.nextafter(area._cdf, 0), [0.0, np.nextafter(1.0, 0)]])
    u = u[u < 1.0]
    expected = (shares.cumsum() / shares.cumsum()[-1]).searchsorted(u, side="right")
    assert area._cells_of(u).tolist() == expected.tolist()
    drawn = area._cells_of(np.random.default_rng(seed).random(200))
    chosen = np.random.default_rng(seed).choice(len(area), size=200, p=shares)
    assert drawn.tolist() == chosen.tolist()


# --- Parameters are checked before anything runs ----------------------------------------


def _args(**changes):
    area = PopulatedArea.from_cells([[0, 0]], cell_m=250.0)
    xy = np.array([(1.0, 1.0), (2.0, 2.0), (3.0, 3.0)])
    kw = {
        "xy": xy,
        "labels": np.array([0, 0, 0]),
        "area": area,
        "eps_m": 10.0,
        "min_samples": 3,
    }
    kw.update(changes)
    return kw


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"n_simulations": 9}, ValueError, "use at least 19"),
        ({"n_simulations": 0}, ValueError, "n_simulations must be >= 1"),
        ({"n_simulations": 99.0}, TypeError, "n_simulations must be an int"),
        ({"n_simulations": True}, TypeError, "n_simulations must be an int"),
        ({"alpha": 0.0}, ValueError, "alpha must be strictly between 0 and 1"),
        ({"alpha": 1.0}, ValueError, "alpha must be strictly between 0 and 1"),
        ({"alpha": "0.05"}, TypeError, "alpha must be a number"),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"seed": 1.5}, TypeError, "seed must be an int"),
        ({"eps_m": 0.0}, ValueError, "eps_m must be a finite number > 0"),
        ({"eps_m": float("nan")}, ValueError, "eps_m must be a finite number > 0"),
        ({"min_samples": -2}, ValueError, "min_samples must be a finite number > 0"),
        ({"statistic": "gi_star"}, ValueError, "statistic must be one of"),
        ({"backend": "cuda"}, ValueError, "dbscan_backend must be one of"),
        ({"area": "the town"}, TypeError, "area must be a PopulatedArea"),
        ({"xy": np.zeros((3, 3))}, ValueError, r"xy must have shape \(n, 2\)"),
        ({"labels": np.array([0, 0])}, ValueError, "labels must be ints of shape"),
        ({"sample_weight": np.array([1.0, -1.0, 1.0])}, ValueError, "sample_weight must be"),
    ],
)
def test_bad_parameters_are_refused_early(changes, error, match, monkeypatch):
    def never(**_):
        raise AssertionError("simulated before checking its parameters")

    monkeypatch.setattr(significance, "simulate_maxima", never)
    with pytest.raises(error, match=match):
        cluster_significance(**_args(**changes))


def test_bad_areas_are_refused():
    with pytest.raises(ValueError, match="cell_m must be a finite number > 0"):
        PopulatedArea.from_cells([[0, 0]], cell_m=0)
    with pytest.raises(ValueError, match=r"cells must be an int array of shape \(k, 2\)"):
        PopulatedArea(np.array([[0.5, 1.0]]), 250.0)


# --- Wired into the answer: the CLI, the exports and the pages read it from there ------

WEEK_START = pd.Timestamp("2017-10-06", tz="Asia/Seoul")
WEEK_END = pd.Timestamp("2017-10-13", tz="Asia/Seoul")


def _write(engine, batch_id: str, frame: pd.DataFrame) -> None:
    from analytics.storage import connection, store

    with connection.write_transaction(engine) as conn:
        record = store.BatchRecord(
            batch_id, "incident", f"{batch_id}.csv", "0" * 64, None, None, None, len(frame), 0, True
        )
        store.write_batch(conn, record, frame.assign(batch_id=batch_id), [])


def _events(xy, *, at, start_id: int, **fields) -> pd.DataFrame:
    return make_events(
        [{"x": x, "y": y, "occurred_at": at, **fields} for x, y in xy], start_id=start_id
    )


def _long_run_and_week(engine, rng, *, n_long: int, days_back: int, per_centre: int):
    """Writes a long run of noise over the town core ``days_back`` before the week; returns
    three centres and the week's points: noise plus ``per_centre`` points around each."""
    at = WEEK_START - pd.Timedelta(days=days_back)
    _write(engine, "long", _events(core_uniform(rng, n_long), at=at, start_id=0))
    centres = core_uniform(rng, 3)
    noise = core_uniform(rng, N_NOISE)
    return centres, np.vstack([noise, *[c + rng.normal(0, 20, (per_centre, 2)) for c in centres]])


def _answer(engine, geo, role: str = "analyst", events=None):
    from analytics.access.privacy import PrivacyRule
    from analytics.answer import answer_hotspot_query

    query = HotspotQuery(start=WEEK_START, end=WEEK_END, eps_m=EPS_M, min_samples=MIN_SAMPLES)
    rule = PrivacyRule.for_role(role, geo.station)
    return answer_hotspot_query(query, db=engine, geo=geo, rule=rule, events=events, weeks_back=0)


def test_the_answers_hotspots_carry_significance_against_the_stores_populated_area(
    engine, geo, monkeypatch
):
    from analytics.access.privacy import PrivacyRule
    from analytics.answer import populated_area
    from analytics.storage import store

    # The long run (2016) fills the town core; the week is noise plus three planted clusters.
    centres, week_xy = _long_run_and_week(
        engine, np.random.default_rng(7), n_long=2000, days_back=300, per_centre=15
    )
    _write(engine, "week", _events(week_xy, at=WEEK_START + pd.Timedelta(days=2), start_id=10_000))

    area = populated_area(engine, geo=geo, rule=PrivacyRule.for_role("analyst", geo.station))
    assert len(area) == 48 and area.area_m2 == pytest.approx(CORE_W * CORE_H)

    answer = _answer(engine, geo)
    current = answer.shown.current
    assert current["significant"].dtype == bool and current["p_value"].between(0, 1).all()
    significant = shapely.union_all(current.geometry[current["significant"]].to_numpy())
    assert shapely.contains_xy(significant, centres[:, 0], centres[:, 1]).all()
    assert answer.n_could_be_chance == int((~current["significant"]).sum()) >= 1

    # Asked again: the area comes from the store's cache, and the answer is the same.
    events = store.read_events(engine, start=WEEK_START, end=WEEK_END)

    def no_reading(*args, **kwargs):
        raise AssertionError("the populated area read the store's events again")

    monkeypatch.setattr(store, "read_events", no_reading)
    again = _answer(engine, geo, events=events).shown.current
    assert again[["hotspot_id", "significant", "p_value"]].equals(
        current[["hotspot_id", "significant", "p_value"]]
    )


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_the_populated_area_from_events_in_hand_is_the_one_read_from_the_store(
    engine, geo, monkeypatch, role
):
    """Held events (a view's read) and the store's others make the same area as one read."""
    import sqlalchemy as sa

    from analytics.access.privacy import PrivacyRule
    from analytics.answer import AREA_COLUMNS, populated_area
    from analytics.storage import store
    from analytics.storage.schema import SOURCES

    rng = np.random.default_rng(5)
    before, during, after = (
        WEEK_START - pd.Timedelta(days=30),
        WEEK_START + pd.Timedelta(days=1),
        WEEK_END + pd.Timedelta(days=3),
    )
    far = core_uniform(rng, 40) + np.array([3_000.0, 0.0])  # cells no other event holds
    _write(engine, "a", _events(core_uniform(rng, 60), at=during, start_id=0))
    _write(engine, "b", _events(far[:20], at=before, start_id=100))
    _write(engine, "c", _events(far[20:30], at=after, start_id=200, category="sexual"))
    _write(engine, "d", _events(far[30:], at=during, start_id=300, source="complaint"))
    rule = PrivacyRule.for_role(role, geo.station)

    def fresh(**kwargs):
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM tuning_cache"))
        return populated_area(engine, geo=geo, rule=rule, **kwargs)

    whole = fresh()
    week = store.read_events(
        engine, sources=("incident",), start=WEEK_START, end=WEEK_END, columns=AREA_COLUMNS
    )
    held = fresh(held=(week, ("incident",), WEEK_START, WEEK_END))
    assert len(whole) > 48  # more than the core: the other events' cells count
    for name in populated.PARTS:
        np.testing.assert_array_equal(held.parts[name], whole.parts[name])

    everything = store.read_events(engine, columns=AREA_COLUMNS)
    monkeypatch.setattr(store, "read_events", lambda *a, **k: pytest.fail("read again"))
    all_held = fresh(held=(everything, SOURCES, None, None))
    for name in populated.PARTS:
        np.testing.assert_array_equal(all_held.parts[name], whole.parts[name])


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_scatters_drawn_beside_the_clustering_give_the_same_p_values(
    engine, geo, role, monkeypatch
):
    """The answer draws its scatters on another thread while DBSCAN runs: the same
    p-values as drawing them afterwards from the hotspots' own events."""
    import threading

    from analytics import answer as answer_module
    from analytics.access.privacy import PrivacyRule
    from analytics.answer import populated_area
    from analytics.storage import store

    threads = []
    draw = answer_module._ChanceTest._draw

    def recorded(self, *args):
        threads.append(threading.current_thread().name)
        return draw(self, *args)

    monkeypatch.setattr(answer_module._ChanceTest, "_draw", recorded)

    rng = np.random.default_rng(21)
    _, week_xy = _long_run_and_week(engine, rng, n_long=1500, days_back=200, per_centre=12)
    kinds = np.where(rng.random(len(week_xy)) < 0.1, "sexual", "violence")
    week = _events(week_xy, at=WEEK_START + pd.Timedelta(days=2), start_id=5_000)
    week["category"] = kinds
    _write(engine, "week", week)
    rule = PrivacyRule.for_role(role, geo.station)
    answer = _answer(engine, geo, role)
    current, used = answer.shown.current, answer.shown.query
    assert len(current) >= 3
    assert len(threads) == 1 and threads[0].startswith("chance-test")  # beside, not after
    events = store.read_events(engine, start=WEEK_START, end=WEEK_END)
    if rule.masks:
        events = rule.clustering_events(events, geo=geo)
    of = answer.shown.event_hotspot
    area = populated_area(
        engine, geo=geo, rule=rule, points=events.loc[of.index, ["x", "y"]].to_numpy()
    )
    after = add_significance(
        current.drop(columns=["significant", "p_value"]),
        events,
        of,
        area=area,
        eps_m=used.eps_m,
        min_samples=used.min_samples,
        weights=used.weight_map(),
    )
    np.testing.assert_array_equal(after["p_value"], current["p_value"])
    assert after["significant"].tolist() == current["significant"].tolist()


def test_scatters_stop_when_no_longer_wanted_and_never_serve_another_view():
    import threading
    from concurrent.futures import CancelledError

    area = PopulatedArea.from_cells([[0, 0], [1, 0]], cell_m=250.0)
    stop = threading.Event()
    stop.set()
    with pytest.raises(CancelledError):
        significance.draw_null(np.ones(50), area=area, eps_m=10.0, min_samples=3, stop=stop)
    null = significance.draw_null(np.ones(50), area=area, eps_m=10.0, min_samples=3)
    xy = area.sample(50, rng=np.random.default_rng(1))
    labels = np.zeros(50, dtype=np.int64)
    found = cluster_significance(xy, labels, area=area, eps_m=10.0, min_samples=3, null=null)
    assert found.simulated is null.simulated
    for changes in ({"eps_m": 20.0}, {"sample_weight": np.full(50, 2.0)}, {"seed": 3}):
        kwargs = {"area": area, "eps_m": 10.0, "min_samples": 3, "null": null, **changes}
        with pytest.raises(ValueError, match="null was drawn for other events"):
            cluster_significance(xy, labels, **kwargs)
    with pytest.raises(ValueError, match="null was drawn for other events"):
        cluster_significance(xy[:49], labels[:49], area=area, eps_m=10.0, min_samples=3, null=null)


def test_a_viewers_significance_does_not_move_with_a_sensitive_case_inside_its_cell(tmp_path, geo):
    """A sexual-crime case moved 20 m inside its 100 m geomask cell, across a 250 m cell
    line of the populated area: nothing a viewer receives changes (the analyst's area does)."""
    from analytics.access.privacy import PrivacyRule
    from analytics.answer import populated_area
    from analytics.storage import store

    rng = np.random.default_rng(11)
    # A small store (3 x 3 cells around the market), so that one cell more or less in
    # the populated area moves the p-values.
    x0, y0 = MARKET_XY[0] // CELL * CELL - CELL, MARKET_XY[1] // CELL * CELL - CELL
    noise = np.column_stack(
        [rng.uniform(x0, x0 + 3 * CELL, 40), rng.uniform(y0, y0 + 3 * CELL, 40)]
    )
    thefts = np.vstack([noise, MARKET_XY + rng.normal(0, 20, (9, 2))])
    y = CORE_Y0 - 3 * CELL + 10.0  # a street south of the core: no other event's cells
    found = {}
    for name, x in (("before", 989_240.0), ("after", 989_260.0)):  # one 100 m cell, two 250 m ones
        engine = store.open_store(str(tmp_path / f"{name}.sqlite"))
        at = WEEK_START + pd.Timedelta(days=1)
        _write(
            engine,
            "b",
            pd.concat(
                [
                    _events(thefts, at=at, start_id=0, category="theft"),
                    _events([(x, y)] * 6, at=at, start_id=5000, category="sexual"),
                ],
                ignore_index=True,
            ),
        )
        viewer = _answer(engine, geo, role="viewer").shown.current
        analyst = populated_area(engine, geo=geo, rule=PrivacyRule.for_role("analyst", geo.station))
        found[name] = (viewer.drop(columns="geometry"), viewer.geometry, analyst.cells)
        engine.dispose()
    (v1, g1, a1), (v2, g2, a2) = found["before"], found["after"]
    assert len(v1) >= 2 and v1["significant"].any()
    assert v1.equals(v2) and g1.geom_equals_exact(g2, 0).all()
    assert a1.tolist() != a2.tolist()  # the exact place did matter to the analyst's area


def test_the_answer_without_hotspots_still_has_the_columns(engine, geo):
    answer = _answer(engine, geo, events=_events([MARKET_XY], at=WEEK_START, start_id=0))
    assert list(answer.shown.current.columns[-2:]) == ["significant", "p_value"]
    assert answer.n_could_be_chance == 0


# --- A view too large to simulate whole: a seeded thinning --------------------------------

DENSE_EPS_M, DENSE_MIN = 50.0, 10.0
N_DENSE_NOISE = 3000  # a thousand events a km² over the core: a year of a big station's town


def dense_significance(xy: np.ndarray, *, geo, area, seed: int, max_pairs):
    """``xy``'s hotspots at eps 50 m / min_samples 10 with ``significant`` and ``p_value``."""
    return with_significance(
        xy,
        geo=geo,
        area=area,
        seed=seed,
        eps_m=DENSE_EPS_M,
        min_samples=DENSE_MIN,
        max_pairs=max_pairs,
    )


@pytest.mark.parametrize(
    ("n", "max_pairs", "expected"),
    [
        (180, None, 1.0),  # never thinned
        (180, 1_000, 1.0),  # 170 pairs expected: whole
        (180, 17.0, 0.3162),  # sqrt(17 / 170): brings the pairs down to 17
        (1800, 17.0, 0.03162),  # ten times the events, a tenth of the share
        (0, 17.0, 1.0),
    ],
)
def test_the_thinning_fraction_keeps_the_expected_pairs_under_the_budget(
    core_area, n, max_pairs, expected
):
    pairs = significance.expected_pairs(n, area=core_area, eps_m=EPS_M)
    assert pairs == pytest.approx(n**2 * np.pi * EPS_M**2 / (2 * CORE_W * CORE_H))
    kept = significance.thinning_fraction(n, area=core_area, eps_m=EPS_M, max_pairs=max_pairs)
    assert kept == pytest.approx(expected, rel=2e-3)
    if max_pairs is not None and kept < 1:
        assert significance.expected_pairs(kept * n, area=core_area, eps_m=EPS_M) == (
            pytest.approx(max_pairs)
        )


@pytest.mark.parametrize(
    ("n", "max_points", "expected"),
    [(30_000, 15_000, 0.5), (15_000, 15_000, 1.0), (30_000, None, 1.0), (60_000, 15_000, 0.25)],
)
def test_the_thinning_fraction_keeps_the_points_under_their_cap(core_area, n, max_points, expected):
    """At eps 1 m the pairs are few: the points alone decide."""
    kept = significance.thinning_fraction(
        n, area=core_area, eps_m=1.0, max_pairs=None, max_points=max_points
    )
    assert kept == expected


def test_the_thinning_fraction_takes_the_smaller_share(core_area):
    by_pairs = significance.thinning_fraction(1800, area=core_area, eps_m=EPS_M, max_pairs=17.0)
    both = significance.thinning_fraction(
        1800, area=core_area, eps_m=EPS_M, max_pairs=17.0, max_points=900
    )
    assert both == by_pairs < 900 / 1800
    assert significance.thinning_fraction(
        1800, area=core_area, eps_m=EPS_M, max_pairs=1e9, max_points=900
    ) == pytest.approx(0.5)


def test_an_empty_area_expects_no_pairs_to_thin_for():
    empty = PopulatedArea.from_cells(np.zeros((0, 2), dtype=np.int64))
    # No pairs can be expected on no area: only the points' cap thins.
    assert significance.thinning_fraction(10**6, area=empty, eps_m=EPS_M, max_points=None) == 1.0


def test_a_view_within_the_budget_gets_the_same_answer_as_an_untouched_test():
    xy = np.random.default_rng(5).uniform(0, 1000, (200, 2))
    labels, _, _ = dbscan_labels(xy, eps_m=EPS_M, min_samples=MIN_SAMPLES)
    area = PopulatedArea.from_points(xy)
    kw = dict(area=area, eps_m=EPS_M, min_samples=MIN_SAMPLES, n_simulations=99, seed=3)
    whole = cluster_significance(xy, labels, max_pairs=None, **kw)
    default = cluster_significance(xy, labels, **kw)
    assert default.kept == whole.kept == 1.0
    assert default.p_value.tolist() == whole.p_value.tolist()


def test_a_thinned_test_is_seeded_and_says_what_it_kept():
    xy = np.random.default_rng(6).uniform(0, 1000, (600, 2))
    labels, _, _ = dbscan_labels(xy, eps_m=EPS_M, min_samples=MIN_SAMPLES)
    area = PopulatedArea.from_points(xy)
    kw = dict(area=area, eps_m=EPS_M, min_samples=MIN_SAMPLES, n_simulations=99, max_pairs=500)
    one = cluster_significance(xy, labels, seed=3, **kw)
    assert 0 < one.kept < 1
    assert one.kept == pytest.approx(
        significance.thinning_fraction(600, area=area, eps_m=EPS_M, max_pairs=500)
    )
    again = cluster_significance(xy, labels, seed=3, **kw)
    assert one.p_value.tolist() == again.p_value.tolist()
    assert one.observed.shape == (int(labels.max()) + 1,)  # every hotspot keeps its row
    # Its observed statistics are the kept events' (at most the whole view's).
    whole = cluster_statistics(xy, labels, eps_m=EPS_M)
    assert (one.observed <= whole + 1e-9).all() and (one.observed < whole).any()


def test_a_hotspot_whose_events_were_all_left_out_is_never_significant():
    rng = np.random.default_rng(8)
    xy = np.vstack([rng.uniform(0, 2000, (800, 2)), [[5000, 5000]] * 5])
    labels = np.full(len(xy), -1)
    labels[-5:] = 0  # one hotspot of five events at one address
    area = PopulatedArea.from_points(xy)
    # A budget so small that the thinning keeps well under one of the five events.
    found = cluster_significance(
        xy,
        labels,
        area=area,
        eps_m=EPS_M,
        min_samples=5,
        n_simulations=19,
        alpha=0.05,
        max_pairs=1e-3,
    )
    assert found.kept < 1e-3
    assert found.observed.tolist() == [0.0] and found.p_raw.tolist() == [1.0]
    assert not found.significant.any()


def test_on_randomness_a_thinned_test_stays_quiet(core_area, geo):
    """Thinning a random scatter leaves a random scatter: the thinned test's false alarms
    stay as rare as the whole test's."""
    n_hotspots = significant = 0
    for seed in range(4):
        noise = core_uniform(np.random.default_rng(1000 + seed), N_DENSE_NOISE)
        table = dense_significance(noise, geo=geo, area=core_area, seed=seed, max_pairs=4000)
        n_hotspots += len(table)
        significant += int(table["significant"].sum())
    assert n_hotspots >= 4 * 40  # the noise makes dozens of "hotspots" a view
    assert significant <= 1


@pytest.mark.parametrize("seed", [0, 2])
def test_a_thinned_test_still_finds_dense_planted_clusters(core_area, geo, seed):
    """Ten clusters of 80 events (sd 15 m) on a thousand events a km²: with half the
    events kept, all ten centres are still inside significant hotspots, as without."""
    rng = np.random.default_rng(2000 + seed)
    centres = core_uniform(rng, 10)
    planted = [c + rng.normal(0.0, 15.0, (80, 2)) for c in centres]
    xy = np.vstack([core_uniform(rng, N_DENSE_NOISE), *planted])
    kept = significance.thinning_fraction(
        len(xy), area=core_area, eps_m=DENSE_EPS_M, max_pairs=4000
    )
    assert 0.4 < kept < 0.5
    for max_pairs in (None, 4000):
        table = dense_significance(xy, geo=geo, area=core_area, seed=seed, max_pairs=max_pairs)
        hits = table[table["significant"].to_numpy(dtype=bool)].geometry.to_numpy()
        inside = shapely.contains_xy(shapely.union_all(hits), centres[:, 0], centres[:, 1])
        assert inside.all(), (max_pairs, inside)
