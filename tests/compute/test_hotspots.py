"""The hotspot engine: exact DBSCAN in metres, stable ids, profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from analytics.compute import hotspots, profiles
from analytics.compute.hotspots import dbscan_labels, find_hotspots, suggest_eps
from analytics.compute.profiles import classify, patrol_windows
from tests.conftest import MARKET, make_events

MARKET_XY = (989485.78, 1712481.38)  # 남원공설시장 in EPSG:5179


def brute_force_dbscan(xy, eps, min_samples, w=None):
    """O(n²) textbook reference: core = weighted neighbours (<= eps) >= min_samples."""
    n = len(xy)
    w = np.ones(n) if w is None else np.asarray(w, float)
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    near = d <= eps
    core = (near * w[None, :]).sum(1) >= min_samples - 1e-9
    comp = -np.ones(n, int)
    c = 0
    for i in range(n):
        if core[i] and comp[i] < 0:
            stack = [i]
            comp[i] = c
            while stack:
                j = stack.pop()
                for m in np.flatnonzero(near[j] & core & (comp < 0)):
                    comp[m] = c
                    stack.append(m)
            c += 1
    return core, comp, near


def same_partition(a, b) -> bool:
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


TOY = [
    # (points, eps, min_samples, expected labels)
    ([(0, 0), (1, 0), (2, 0), (50, 0), (51, 0), (52, 0)], 1.5, 3, [0, 0, 0, 1, 1, 1]),
    ([(0, 0), (1, 0), (2, 0), (10, 0)], 1.5, 3, [0, 0, 0, -1]),
    ([(0, 0), (3, 0), (6, 0)], 1.5, 2, [-1, -1, -1]),
    ([(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)], 1.0, 3, [0, 0, 0, 0, 0]),
    # A border point (5,0) reaches only the core at (4,0).
    ([(0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0)], 1.0, 3, [0, 0, 0, 0, 0, 0]),
    ([], 1.0, 3, []),
]


@pytest.mark.parametrize("backend", ["dbscan", "sklearn"])
@pytest.mark.parametrize(("points", "eps", "min_samples", "expected"), TOY)
def test_toy_sets_have_exact_labels(points, eps, min_samples, expected, backend):
    xy = np.array(points, float).reshape(-1, 2)
    labels, _, used = dbscan_labels(xy, eps_m=eps, min_samples=min_samples, backend=backend)
    assert labels.tolist() == expected
    assert used == backend


@pytest.mark.parametrize("backend", ["dbscan", "sklearn"])
def test_weights_count_towards_min_samples(backend):
    # Two cards weighted 2.5 make a core pair where two unit points would not.
    xy = np.array([(0.0, 0.0), (1.0, 0.0)])
    plain, _, _ = dbscan_labels(xy, eps_m=2, min_samples=5, backend=backend)
    weighted, core, _ = dbscan_labels(
        xy, eps_m=2, min_samples=5, sample_weight=np.array([2.5, 2.5]), backend=backend
    )
    assert plain.tolist() == [-1, -1]
    assert weighted.tolist() == [0, 0] and core.all()


@pytest.mark.parametrize(("metres", "clustered"), [(99.0, True), (101.0, False)])
def test_metres_are_metres_at_namwon(geo, metres, clustered):
    # Two points `metres` apart on the ground (geodesic), north-east of the market.
    lon2, lat2, _ = Geod(ellps="GRS80").fwd(MARKET["lon"], MARKET["lat"], 45.0, metres)
    x, y = geo.to_analysis([MARKET["lon"], lon2], [MARKET["lat"], lat2])
    events = make_events([{"x": x[0], "y": y[0]}, {"x": x[1], "y": y[1]}])
    result = find_hotspots(events, geo=geo, eps_m=100, min_samples=2)
    assert (len(result.hotspots) == 1) is clustered
    assert (result.labels >= 0).all() is np.True_ if clustered else (result.labels == -1).all()


@settings(max_examples=40, deadline=None)
@given(
    pts=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=0, max_size=60),
    eps=st.sampled_from([1.0, 2.5, 4.0, 6.0]),
    min_samples=st.integers(1, 6),
    weighted=st.booleans(),
)
def test_agrees_with_brute_force_reference(pts, eps, min_samples, weighted):
    xy = np.array(pts, float).reshape(-1, 2)
    w = (np.arange(len(xy)) % 3 + 1) * 0.5 if weighted else None
    core_ref, comp_ref, near = brute_force_dbscan(xy, eps, min_samples, w)
    for backend in ("dbscan", "sklearn"):
        labels, core, _ = dbscan_labels(
            xy, eps_m=eps, min_samples=min_samples, sample_weight=w, backend=backend
        )
        assert (core == core_ref).all()
        assert same_partition(labels[core], comp_ref[core])
        # Noise is exactly the points with no core point within eps.
        reach = (near & core_ref[None, :]).any(1)
        assert ((labels == -1) == ~reach).all()
        # A border point belongs to a cluster of a core point within eps.
        for i in np.flatnonzero(~core & reach):
            assert labels[i] in set(labels[near[i] & core].tolist())


@settings(max_examples=40, deadline=None)
@given(
    dense=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=40, max_size=300),
    sparse=st.lists(st.tuples(st.integers(-30, 45), st.integers(-30, 45)), max_size=8),
    eps=st.sampled_from([1.0, 2.0, 3.5]),
)
def test_border_points_join_their_nearest_core_point(dense, sparse, eps):
    """Many core points and a few others: the grid shortcut (_near_cells) runs."""
    xy = np.array(dense + sparse, float)
    labels, core, _ = dbscan_labels(xy, eps_m=eps, min_samples=3, backend="dbscan")
    core_idx, rest = np.flatnonzero(core), np.flatnonzero(~core)
    if not len(core_idx):
        return
    d = np.sqrt(((xy[rest][:, None, :] - xy[core_idx][None, :, :]) ** 2).sum(-1))
    for row, i in enumerate(rest):
        nearest = d[row].min()
        if nearest > eps:
            assert labels[i] == -1
        else:
            # Ties between clusters may go either way, but only to a nearest core point.
            assert labels[i] in set(labels[core_idx[d[row] == nearest]].tolist())
    near = hotspots._near_cells(xy, core_idx, rest, eps_m=eps)
    within = core_idx[(d <= eps).any(axis=0)]
    assert set(within.tolist()) <= set(near.tolist())


@pytest.fixture(scope="module")
def market_events():
    """Three clusters near the market (incidents; cards; mixed) and scattered noise."""
    rng = np.random.default_rng(3)
    rows = []
    x0, y0 = MARKET_XY
    for i in range(30):  # incidents, Friday nights
        rows.append(
            {
                "x": x0 + rng.normal(0, 15),
                "y": y0 + rng.normal(0, 15),
                "occurred_at": pd.Timestamp("2017-10-13 22:10", tz="Asia/Seoul")
                + pd.Timedelta(days=7 * (i % 4)),
            }
        )
    for _ in range(12):  # cards 800 m north: fear
        rows.append(
            {
                "x": x0 + rng.normal(0, 10),
                "y": y0 + 800 + rng.normal(0, 10),
                "source": "suggestion",
                "category": "dark",
                "category_label": "어두운 길",
                "severity": "low",
                "slot_start_hour": 22,
                "slot_end_hour": 2,
                "occurred_at": pd.Timestamp("2017-10-11", tz="Asia/Seoul"),
            }
        )
    for i in range(8):  # noise far apart
        rows.append({"x": x0 + 3000 + 500 * i, "y": y0 - 3000})
    return make_events(rows)


def test_find_hotspots_profiles(geo, market_events):
    result = find_hotspots(market_events, geo=geo, eps_m=60, min_samples=5)
    hs = result.hotspots.set_index("type")
    assert sorted(result.hotspots["type"]) == ["fear", "hidden"]
    hidden, fear = hs.loc["hidden"], hs.loc["fear"]
    assert hidden["n_incident"] == 30 and fear["n_suggestion"] == 12
    assert hidden["landmark"] == "남원공설시장" and hidden["landmark_m"] < 60
    assert hidden["place"].startswith("남원공설시장")
    assert hidden["place_en"].endswith("Namwon Public Market") and hidden["place_en"].isascii()
    assert hidden["police_unit"] == "중앙지구대" and hidden["emd"] == "죽항동"
    assert hidden["patrol_windows"][0][:2] == (22, 0)
    assert fear["patrol_windows"][0][:2] in {(22, 0), (0, 2)}
    assert hidden["area_m2"] > np.pi * 30**2  # at least the eps/2 buffer of a point
    assert (
        result.labels[result.labels >= 0].value_counts().sort_index().tolist()
        == result.hotspots["n_events"].tolist()
    )
    assert (result.labels.iloc[-8:] == -1).all()
    assert result.hotspots["rank"].tolist() == [1, 2]
    assert result.hotspots["priority"].is_monotonic_decreasing


@pytest.mark.parametrize(
    ("name", "metres", "emd", "lang", "expected"),
    [
        ("남원공설시장", 12.0, "죽항동", "ko", "남원공설시장 부근"),
        ("남원공설시장", 49.0, "죽항동", "ko", "남원공설시장 부근"),
        ("남원공설시장", 234.0, "죽항동", "ko", "남원공설시장에서 230 m"),
        ("남원공설시장", 1600.0, "죽항동", "ko", "죽항동 일대"),
        (None, float("nan"), None, "ko", "관할 밖 일대"),
        ("Namwon Public Market", 12.0, "Jukhang-dong", "en", "near Namwon Public Market"),
        ("Namwon Public Market", 234.0, "Jukhang-dong", "en", "230 m from Namwon Public Market"),
        ("Namwon Public Market", 1600.0, "Jukhang-dong", "en", "around Jukhang-dong"),
    ],
)
def test_place_labels(name, metres, emd, lang, expected):
    assert profiles.place_label(name, metres, emd, lang=lang) == expected


@pytest.mark.parametrize(
    ("bearing", "lang", "expected"),
    [
        (0.0, "ko", "남원의료원 북쪽 520 m"),
        (44.0, "ko", "남원의료원 북동쪽 520 m"),
        (90.0, "ko", "남원의료원 동쪽 520 m"),
        (202.4, "ko", "남원의료원 남쪽 520 m"),
        (202.6, "ko", "남원의료원 남서쪽 520 m"),
        (337.6, "ko", "남원의료원 북쪽 520 m"),
        (-45.0, "ko", "남원의료원 북서쪽 520 m"),
        (135.0, "en", "520 m southeast of 남원의료원"),
    ],
)
def test_place_labels_say_which_side_of_the_landmark(bearing, lang, expected):
    assert (
        profiles.place_label("남원의료원", 518.0, "도통동", lang=lang, bearing_deg=bearing)
        == expected
    )
    # Beside the landmark there is no side to say.
    assert "부근" in profiles.place_label("남원의료원", 20.0, "도통동", bearing_deg=bearing)


def test_nearest_landmark_bearing_points_from_the_landmark_to_the_place():
    marks = pd.DataFrame({"name": ["A", "B"], "x": [0.0, 1000.0], "y": [0.0, 0.0]})
    name, dist, bearing = profiles.nearest_landmarks(
        np.array([0.0, 300.0, 1000.0]), np.array([200.0, 0.0, -100.0]), marks
    )
    assert name.tolist() == ["A", "A", "B"]
    np.testing.assert_allclose(dist, [200.0, 300.0, 100.0])
    np.testing.assert_allclose(bearing, [0.0, 90.0, 180.0])


@pytest.mark.parametrize(
    ("row", "lang", "expected"),
    [
        (
            {"place": "용남시장 부근", "place_en": "near Yongnam Market"},
            "en",
            "near Yongnam Market",
        ),
        ({"place": "용남시장 부근", "place_en": "near Yongnam Market"}, "ko", "용남시장 부근"),
        ({"place": "용남시장 부근"}, "en", "용남시장 부근"),  # an older table: Korean, not blank
        ({"place": "용남시장 부근", "place_en": None}, "en", "용남시장 부근"),
    ],
)
def test_place_in_a_language(row, lang, expected):
    assert profiles.place_in(row, lang) == expected


def test_ids_and_labels_do_not_depend_on_row_order(geo, market_events):
    a = find_hotspots(market_events, geo=geo, eps_m=60, min_samples=5)
    shuffled = market_events.sample(frac=1.0, random_state=11)
    b = find_hotspots(shuffled, geo=geo, eps_m=60, min_samples=5)
    assert a.hotspots["hotspot_id"].tolist() == b.hotspots["hotspot_id"].tolist()
    assert a.hotspot_ids.equals(b.hotspot_ids.loc[a.hotspot_ids.index])
    c = find_hotspots(market_events, geo=geo, eps_m=70, min_samples=5)
    assert set(c.hotspots["hotspot_id"]) == set(a.hotspots["hotspot_id"])  # same core sets


@settings(max_examples=80, deadline=None)
@given(
    xs=st.lists(st.sampled_from([-0.0, 0.0, 1.5, 2.0, 1e6, 989485.78]), min_size=0, max_size=40),
    data=st.data(),
)
def test_the_canonical_order_is_lexsort_by_x_then_y_then_id(xs, data):
    # Few distinct values, so that x, y and (x, y) ties are the rule; ids repeat at times.
    n = len(xs)
    ys = data.draw(st.lists(st.sampled_from([0.0, 3.0, 1712481.38]), min_size=n, max_size=n))
    ids = data.draw(st.lists(st.integers(0, 2**64 - 1), min_size=n, max_size=n))
    x, y = np.array(xs, dtype=float), np.array(ys, dtype=float)
    id_hash = np.array(ids, dtype=np.uint64)
    expected = np.lexsort((id_hash, y, x))
    assert hotspots.canonical_order(x, y, id_hash).tolist() == expected.tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["폭력", "절도", "-", "주취·소란", "a", None]), max_size=30))
def test_texts_taken_as_codes_read_as_the_texts(values):
    # The profiles see a Categorical where the frame had text: the same values, and the
    # category codes top_categories sorts by are those of the text's factorize.
    text = pd.Series(values, dtype="string[pyarrow]")
    rows = np.arange(len(values))[::-1]
    taken = pd.Series(hotspots._categorical_take(text, rows))
    assert taken.astype(object).where(taken.notna(), None).tolist() == [values[i] for i in rows]
    for column in (text, taken):
        codes, cats = profiles._sorted_codes(column, missing="-")
        want_codes, want_cats = pd.factorize(column.astype(object).fillna("-"), sort=True)
        assert list(cats) == list(want_cats) and codes.tolist() == want_codes.tolist()


def test_ids_from_the_stores_numbers_are_the_ids_from_the_text(geo, market_events):
    from analytics.storage.schema import EVENT_KEY, event_key

    a = find_hotspots(market_events, geo=geo, eps_m=60, min_samples=5)
    keyed = market_events.drop(columns="event_id").assign(
        **{EVENT_KEY: event_key(market_events["event_id"])}
    )
    b = find_hotspots(keyed, geo=geo, eps_m=60, min_samples=5)
    assert len(a.hotspots) >= 2
    assert a.hotspots["hotspot_id"].tolist() == b.hotspots["hotspot_id"].tolist()
    assert a.hotspot_ids.equals(b.hotspot_ids)


def test_one_source_and_filters(geo, market_events):
    only_cards = find_hotspots(
        market_events, geo=geo, eps_m=60, min_samples=5, sources=["suggestion"]
    )
    assert only_cards.hotspots["type"].tolist() == ["fear"]
    assert not only_cards.clustered[market_events["source"] == "incident"].any()
    period = (
        pd.Timestamp("2017-10-12", tz="Asia/Seoul"),
        pd.Timestamp("2017-10-14", tz="Asia/Seoul"),
    )
    week = find_hotspots(market_events, geo=geo, eps_m=60, min_samples=5, period=period)
    assert week.hotspots["n_incident"].sum() < 30 and week.hotspots["n_suggestion"].sum() == 0


def test_outside_and_township_level_points_are_left_out(geo):
    rows = [{"x": MARKET_XY[0] + i, "y": MARKET_XY[1], "inside_station": False} for i in range(5)]
    rows += [
        {"x": MARKET_XY[0] + i, "y": MARKET_XY[1] + 500, "geocode_score": 0.3} for i in range(5)
    ]
    events = make_events(rows)
    assert find_hotspots(events, geo=geo, eps_m=50, min_samples=3).hotspots.empty
    assert (
        len(find_hotspots(events, geo=geo, eps_m=50, min_samples=3, include_outside=True).hotspots)
        == 1
    )


def test_empty_all_noise_and_one_cluster(geo):
    assert find_hotspots(make_events([]), geo=geo, eps_m=50, min_samples=3).hotspots.empty
    spread = make_events([{"x": MARKET_XY[0] + 1000 * i, "y": MARKET_XY[1]} for i in range(5)])
    r = find_hotspots(spread, geo=geo, eps_m=50, min_samples=2)
    assert r.hotspots.empty and (r.labels == -1).all()
    tight = make_events([{"x": MARKET_XY[0] + i, "y": MARKET_XY[1]} for i in range(5)])
    r = find_hotspots(tight, geo=geo, eps_m=50, min_samples=2)
    assert len(r.hotspots) == 1 and (r.labels == 0).all()
    # A one-line cluster still gets an area: the hull buffered by eps/2.
    assert r.hotspots["area_m2"].iloc[0] == pytest.approx(4 * 50 + np.pi * 25**2, rel=0.02)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"eps_m": 0}, "eps_m"),
        ({"eps_m": -5}, "eps_m"),
        ({"min_samples": 0}, "min_samples"),
        ({"sources": ["tweets"]}, "sources"),
        ({"sources": []}, "sources"),
        ({"weights": {"incident": 0}}, "weights"),
        ({"eps_m": 2001}, "eps_m"),
        ({"min_samples": 501}, "min_samples"),
        ({"dbscan_backend": "gpu"}, "dbscan_backend"),
    ],
)
def test_parameters_are_validated(geo, kwargs, message):
    with pytest.raises(ValueError, match=message):
        find_hotspots(make_events([]), geo=geo, **{"eps_m": 50, "min_samples": 3, **kwargs})


@pytest.mark.parametrize(
    ("n_incident", "n_citizen", "kind"),
    [
        (10, 0, "hidden"),
        (0, 5, "fear"),
        (2, 1, "fear"),
        (3, 4, "convergent"),
        (5, 20, "fear"),
        (6, 20, "convergent"),
        (0, 0, "hidden"),
    ],
)
def test_type_rules(n_incident, n_citizen, kind):
    assert classify(np.array([n_incident]), np.array([n_citizen]))[0] == kind


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ({22: 5, 23: 5}, [(22, 0)]),
        ({23: 4, 0: 4}, [(23, 1)]),
        ({22: 5, 23: 5, 14: 3, 15: 3}, [(22, 0), (14, 16)]),
        ({22: 10, 23: 10, 9: 1}, [(22, 0)]),  # 1 in 21 is under the 15% second-window bar
        ({}, []),
    ],
)
def test_patrol_windows(hours, expected):
    hist = np.zeros((1, 24))
    for h, n in hours.items():
        hist[0, h] = n
    assert [w[:2] for w in patrol_windows(hist)[0]] == expected


def test_suggest_eps_finds_the_knee():
    rng = np.random.default_rng(0)
    clusters = np.concatenate([rng.normal(c, 10, (200, 2)) for c in [(0, 0), (5000, 0), (0, 5000)]])
    noise = rng.uniform(-20000, 20000, (60, 2))
    curve = suggest_eps(np.vstack([clusters, noise]), min_samples=5)
    assert curve.distances_m[0] >= curve.eps_m >= curve.distances_m[-1]
    assert 5 < curve.eps_m < 2000  # between within-cluster spacing and noise spacing
    assert curve.knee > 0
    with pytest.raises(ValueError, match="min_samples"):
        suggest_eps(clusters, min_samples=1)


def test_hull_pruning_keeps_hulls_exact():
    import shapely

    from analytics.compute.profiles import _maybe_on_hull, polygons

    rng = np.random.default_rng(5)
    xy = np.concatenate([rng.normal(c, s, (3000, 2)) for c, s in [((0, 0), 50), ((900, 0), 20)]])
    labels = np.repeat([0, 1], 3000)
    kept = _maybe_on_hull(xy[:, 0], xy[:, 1], labels)
    assert kept.sum() < 600  # most interior points go
    for lab in (0, 1):
        full = shapely.convex_hull(shapely.multipoints(xy[labels == lab]))
        pruned = shapely.convex_hull(shapely.multipoints(xy[(labels == lab) & kept]))
        assert full.equals(pruned)
    polys = polygons(xy[:, 0], xy[:, 1], labels, 2, eps_m=10)
    assert polys[0].area == pytest.approx(
        shapely.convex_hull(shapely.multipoints(xy[:3000])).buffer(5, quad_segs=8).area
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hull_pruning_is_the_same_for_small_and_large_inputs(seed, monkeypatch):
    from analytics.compute import profiles

    rng = np.random.default_rng(seed)
    n = 20_000
    labels = rng.integers(0, 40, n)
    labels[rng.random(n) < 0.2] = 3  # one large cluster
    # Rounded points: ties for the extreme points, repeats and collinear runs.
    xy = (
        np.round(rng.normal(0, 1, (n, 2)) * rng.choice([5.0, 60.0], n)[:, None])
        + labels[:, None] * 40
    )
    small = profiles._maybe_on_hull(xy[:, 0], xy[:, 1], labels)
    monkeypatch.setattr(profiles, "_GROUPBY_FROM", 1000)  # the groupby path, as for large inputs
    large = profiles._maybe_on_hull(xy[:, 0], xy[:, 1], labels)
    assert (small == large).all() and small.sum() < n / 4


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    centre=st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)),
    spread=st.floats(0.0, 200.0),
    duplicates=st.booleans(),
)
def test_hull_pruning_never_changes_a_hull(seed, centre, spread, duplicates):
    import shapely

    from analytics.compute.profiles import _maybe_on_hull

    rng = np.random.default_rng(seed)
    xy = rng.normal(centre, spread, (1500, 2))
    if duplicates:
        xy = np.round(xy / 25.0) * 25.0  # many exact repeats and collinear runs
    labels = (np.arange(1500) % 3).astype(np.int64)
    kept = _maybe_on_hull(xy[:, 0], xy[:, 1], labels)
    for lab in range(3):
        full = shapely.convex_hull(shapely.multipoints(xy[labels == lab]))
        pruned = shapely.convex_hull(shapely.multipoints(xy[(labels == lab) & kept]))
        assert full.equals(pruned)


@pytest.mark.parametrize(
    ("windows", "lang", "expected"),
    [
        ([(22, 0, 0.4), (2, 4, 0.2)], "ko", "22–24시, 02–04시"),
        ([(22, 0, 0.4), (2, 4, 0.2)], "en", "22:00–24:00, 02:00–04:00"),
        ([], "en", ""),
    ],
)
def test_format_windows(windows, lang, expected):
    assert profiles.format_windows(windows, lang) == expected


@pytest.mark.parametrize(
    ("label", "lang", "expected"),
    [("절도", "en", "Theft"), ("절도", "ko", "절도"), ("처음 보는 유형", "en", "처음 보는 유형")],
)
def test_category_labels_in_english(label, lang, expected):
    from analytics.station.categories import label_in

    assert label_in(label, lang) == expected
