"""Geomasking for viewers: sensitive cases on a 100 m grid, no free text."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.access.privacy import PrivacyRule, shown_hotspots, snap, viewer_events
from analytics.query import HotspotQuery
from tests.conftest import make_events
from tests.payload_scan import nearest_m, payload_pairs, to_metres

X0, Y0 = 989485.78, 1712481.38


@pytest.mark.parametrize(
    ("value", "expected"),
    [(989485.78, 989450.0), (989400.0, 989450.0), (989499.99, 989450.0), (989500.0, 989550.0)],
)
def test_snap_to_cell_centres(value, expected):
    assert snap(np.array([value]), 100.0)[0] == expected


def test_viewer_events(geo):
    events = make_events(
        [
            {
                "x": X0,
                "y": Y0,
                "category": "sexual",
                "police_unit": "중앙지구대",
                "description": "피해자 연락처 [전화번호]",
                "location_text": "공설시장 화장실",
            },
            {
                "x": X0 + 7,
                "y": Y0 + 3,
                "category": "theft",
                "description": "지갑 도난",
                "location_text": "용남시장",
            },
        ]
    )
    seen = viewer_events(events, geo=geo)
    assert seen["description"].isna().all() and seen["location_text"].isna().all()
    # A sensitive case reaches a viewer without its place; its unit and category stay.
    assert seen.loc[0, ["x", "y", "lat", "lon"]].isna().all()
    assert seen.loc[0, "category"] == "sexual" and seen.loc[0, "police_unit"] == "중앙지구대"
    assert (seen.loc[1, "x"], seen.loc[1, "y"]) == (X0 + 7, Y0 + 3)  # not sensitive: exact
    assert events.loc[0, "description"] == "피해자 연락처 [전화번호]"  # the input is untouched


def test_clustering_events_put_sensitive_cases_on_their_cell_centre(geo, station):
    events = make_events(
        [{"x": X0, "y": Y0, "category": "domestic"}, {"x": X0 + 7, "y": Y0, "category": "theft"}]
    )
    frame = PrivacyRule.for_role("viewer", station).clustering_events(events, geo=geo)
    assert (frame.loc[0, "x"], frame.loc[0, "y"]) == (989450.0, 1712450.0)
    assert frame["locatable"].tolist() == [False, True]
    assert frame.loc[1, "x"] == X0 + 7


@pytest.mark.parametrize(
    ("role", "masks", "asked", "expected"),
    [
        ("viewer", True, (5.0, 1.0), (50.0, 3.0, True)),
        ("viewer", True, (100.0, 5.0), (100.0, 5.0, False)),
        ("viewer", True, (60.0, 2.0), (60.0, 3.0, True)),
        (None, True, (5.0, 1.0), (50.0, 3.0, True)),
        ("analyst", False, (5.0, 1.0), (5.0, 1.0, False)),
        ("admin", False, (20.0, 2.0), (20.0, 2.0, False)),
    ],
)
def test_rule_per_role(station, role, masks, asked, expected):
    rule = PrivacyRule.for_role(role, station)
    assert rule.masks is masks
    eps_m, min_samples = asked
    floored, raised = rule.floored(HotspotQuery(eps_m=eps_m, min_samples=min_samples, unit="x"))
    assert (floored.eps_m, floored.min_samples, raised) == expected
    assert floored.unit == "x"  # the floors touch the setting alone


def test_analysts_receive_the_records_as_stored(geo, station):
    events = make_events([{"x": X0, "y": Y0, "category": "sexual", "description": "원문"}])
    rule = PrivacyRule.for_role("analyst", station)
    assert rule.events(events) is events
    assert rule.clustering_events(events, geo=geo) is events


WEEK_START = pd.Timestamp("2017-10-06", tz="Asia/Seoul")
WEEK_END = pd.Timestamp("2017-10-13", tz="Asia/Seoul")


def _at(day: int, hour: int = 21) -> pd.Timestamp:
    return WEEK_START + pd.Timedelta(days=day, hours=hour)


def test_a_hotspot_of_sensitive_cases_alone_is_withheld(geo, station):
    """Four domestic-violence calls at one address: the analyst's hotspot, never a viewer's."""
    address = (X0 + 23.0, Y0 + 31.0)
    events = make_events(
        [
            {"x": address[0], "y": address[1], "category": "domestic", "occurred_at": _at(d)}
            for d in range(4)
        ]
    )
    query = HotspotQuery(start=WEEK_START, end=WEEK_END, eps_m=100.0, min_samples=3.0)
    analyst = shown_hotspots(PrivacyRule.for_role("analyst", station), events, query, geo=geo)
    viewer = shown_hotspots(PrivacyRule.for_role("viewer", station), events, query, geo=geo)
    assert len(analyst.current) == 1 and analyst.withheld == ()
    assert (
        np.hypot(
            analyst.current["centroid_x"][0] - address[0],
            analyst.current["centroid_y"][0] - address[1],
        )
        < 1.0
    )  # the analyst's hotspot sits on the address
    assert viewer.current.empty and viewer.withheld == ("중앙지구대",)
    assert viewer.event_hotspot.isna().all()


def test_a_mixed_hotspot_is_drawn_from_its_other_events(geo, station):
    """Five thefts 60 m from three sexual-crime cases: shape and centre from the thefts only."""
    victim = (X0 + 23.0, Y0 + 31.0)
    thefts = [(victim[0] + 60.0 + 5 * i, victim[1] - 2.0 * i) for i in range(5)]
    events = make_events(
        [{"x": x, "y": y, "category": "theft", "occurred_at": _at(1)} for x, y in thefts]
        + [
            {"x": victim[0], "y": victim[1], "category": "sexual", "occurred_at": _at(2)}
            for _ in range(3)
        ]
    )
    query = HotspotQuery(start=WEEK_START, end=WEEK_END, eps_m=100.0, min_samples=5.0)
    viewer = shown_hotspots(PrivacyRule.for_role("viewer", station), events, query, geo=geo)
    assert len(viewer.current) == 1 and viewer.withheld == ()
    row = viewer.current.iloc[0]
    assert row["n_events"] == 8  # the sexual-crime cases count ...
    assert row["centroid_x"] == pytest.approx(np.mean([x for x, _ in thefts]))
    # ... but the shape is the thefts' hull buffered by eps/2: it keeps off the address.
    assert row.geometry.distance(shapely.Point(victim)) > 5.0
    assert "weight_locatable" not in viewer.current.columns


# --- What a viewer receives, as a property over random event sets ------------------------

SENSITIVE = ("sexual", "hidden_camera", "domestic", "child_abuse", "missing")
ORIGIN = (X0 - 600.0, Y0 - 600.0)  # a 1.2 km square of the town core


def _payloads(events, *, rule, geo, station, eps_m, min_samples, engine=None) -> dict[str, tuple]:
    """Everything a role's browser or downloads receive for this week, as the pages build it."""
    from analytics.compute import periods
    from analytics.compute.patrol import patrol_targets
    from analytics.presentation import exports, maps
    from analytics.presentation.meeting_pack import build_meeting_pack

    query = HotspotQuery(
        start=WEEK_START, end=WEEK_END, eps_m=eps_m, min_samples=min_samples, engine=engine
    )
    shown = shown_hotspots(rule, events, query, geo=geo)
    public = rule.events(events)
    week = public[(public["occurred_at"] >= WEEK_START) & (public["occurred_at"] < WEEK_END)]
    m = maps.base_map(geo, tiles_url="")
    maps.add_hotspots(m, shown.current)
    maps.add_hotspots(m, shown.gone, name="gone")
    for source in ("incident", "suggestion", "complaint"):
        maps.add_heat(m, week, source=source)
    maps.add_event_points(m, week)
    rows = exports.hotspot_rows(shown.current, labels=True)
    targets = patrol_targets(shown.current, lang="ko")
    headline = pd.DataFrame(
        [
            {"source": s, "count": 1, "previous": 1, "change_pct": 0.0, "mean_4w": 1.0}
            | {"vs_4w_pct": 0.0, "last_year": 0, "vs_last_year_pct": None}
            for s in ("incident", "suggestion", "complaint")
        ]
    )
    units = periods.unit_table(
        public, period=periods.Period(WEEK_START, WEEK_END), geo=geo, hotspots=shown.current
    )
    pack = build_meeting_pack(
        station=station,
        geo=geo,
        period=(WEEK_START, WEEK_END),
        headline=headline,
        hotspots=shown.current,
        units=units,
        accuracy_sentence=None,
        setting_sentence=None,
        synthetic=True,
        gone=shown.gone,
        tiles_url="",
        withheld=len(shown.withheld),
    )
    geojson = (
        shown.current.to_crs("EPSG:4326")
        .drop(columns=["top_categories", "hour_weekday", "patrol_windows"])
        .to_json(default=str)
        if len(shown.current)
        else "{}"
    )
    return {
        "map": (m.get_root().render(), "html"),
        "hotspots_csv": (exports.csv_bytes(rows), "csv"),
        "xlsx": (exports.to_xlsx({"targets": targets, "hotspots": rows}), "xlsx"),
        "targets_csv": (exports.patrol_targets_csv(targets), "csv"),
        "sheet": (exports.patrol_sheet_html(targets, unit="중앙지구대", period_label="w"), "html"),
        "pack": (pack, "html"),
        "geojson": (geojson, "json"),
    }


@pytest.fixture(scope="module")
def static_places(geo, station):
    """Places every map shows whatever the data: boundaries, landmarks, unit markers."""
    empty = make_events([{"x": X0, "y": Y0}]).iloc[:0]
    rule = PrivacyRule.for_role("viewer", station)
    found = set()
    for payload, kind in _payloads(
        empty, rule=rule, geo=geo, station=station, eps_m=100.0, min_samples=5.0
    ).values():
        found |= payload_pairs(payload, kind)
    return found


def _received(events, *, role, geo, station, eps_m, min_samples, static, engine=None) -> np.ndarray:
    rule = PrivacyRule.for_role(role, station)
    found = set()
    for payload, kind in _payloads(
        events,
        rule=rule,
        geo=geo,
        station=station,
        eps_m=eps_m,
        min_samples=min_samples,
        engine=engine,
    ).values():
        found |= payload_pairs(payload, kind)
    return to_metres(found - static, geo)


@st.composite
def separated_event_sets(draw):
    """Sensitive cases at 1-3 addresses, other events at least 400 m from every one of them
    (and at least 160 m off each one's easting and northing)."""
    n_addr = draw(st.integers(1, 3))
    coords = st.floats(0.0, 1200.0, allow_nan=False)
    addresses = [(ORIGIN[0] + draw(coords), ORIGIN[1] + draw(coords)) for _ in range(n_addr)]
    rows = []
    for ax, ay in addresses:
        for _ in range(draw(st.integers(1, 8))):
            rows.append(
                {
                    "x": ax,
                    "y": ay,
                    "category": draw(st.sampled_from(SENSITIVE)),
                    "occurred_at": _at(draw(st.integers(-28, 6)), draw(st.integers(0, 23))),
                }
            )
    far = np.array(addresses)
    for _ in range(draw(st.integers(0, 4))):  # groups of other events: hotspots of their own
        gx = ORIGIN[0] - 800.0 + draw(st.floats(0.0, 2800.0, allow_nan=False))
        gy = ORIGIN[1] - 800.0 + draw(st.floats(0.0, 2800.0, allow_nan=False))
        if np.hypot(far[:, 0] - gx, far[:, 1] - gy).min() < 450.0:
            continue
        # The scan pairs any latitude with any longitude written next to it, so the
        # latitude of one event and the longitude of the next make a "place" too. Keep
        # every group off the addresses' eastings and northings as well, or such a
        # made-up pair can fall on an address although nothing was sent there.
        if np.minimum(np.abs(far[:, 0] - gx), np.abs(far[:, 1] - gy)).min() < 200.0:
            continue
        for _ in range(draw(st.integers(1, 9))):
            rows.append(
                {
                    "x": gx + draw(st.floats(-40.0, 40.0, allow_nan=False)),
                    "y": gy + draw(st.floats(-40.0, 40.0, allow_nan=False)),
                    "category": draw(st.sampled_from(["theft", "violence", "drunk"])),
                    "source": draw(st.sampled_from(["incident", "incident", "suggestion"])),
                    "occurred_at": _at(draw(st.integers(-28, 6)), draw(st.integers(0, 23))),
                }
            )
    return make_events(rows), far


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    case=separated_event_sets(),
    eps_m=st.floats(5.0, 300.0, allow_nan=False),
    min_samples=st.sampled_from([1.0, 2.0, 3.0, 5.0]),
    engine=st.sampled_from(["dbscan", "hdbscan"]),
)
def test_a_viewer_receives_nothing_within_the_geomask_of_a_sensitive_case(
    geo, station, static_places, case, eps_m, min_samples, engine
):
    events, addresses = case
    received = _received(
        events,
        role="viewer",
        geo=geo,
        station=station,
        eps_m=eps_m,
        min_samples=min_samples,
        static=static_places,
        engine=engine,
    )
    assert nearest_m(received, addresses) >= station.geomask_m


def test_the_payload_scan_finds_what_an_analyst_receives(geo, station, static_places):
    """The same scan on the analyst's payloads finds the address: the property can fail."""
    address = np.array([[X0 + 23.0, Y0 + 31.0]])
    events = make_events(
        [
            {"x": address[0, 0], "y": address[0, 1], "category": "domestic", "occurred_at": _at(d)}
            for d in range(4)
        ]
    )
    kw = dict(geo=geo, station=station, eps_m=5.0, min_samples=1.0, static=static_places)
    assert nearest_m(_received(events, role="analyst", **kw), address) < 1.0
    assert nearest_m(_received(events, role="viewer", **kw), address) >= station.geomask_m


@st.composite
def mixed_event_sets(draw):
    """Sensitive cases among other events, and the same set with each one moved in its cell."""
    rows, moved = [], []
    cell = 100.0
    for _ in range(draw(st.integers(1, 25))):
        x = ORIGIN[0] + draw(st.floats(0.0, 600.0, allow_nan=False))
        y = ORIGIN[1] + draw(st.floats(0.0, 600.0, allow_nan=False))
        sensitive = draw(st.booleans())
        row = {
            "x": x,
            "y": y,
            "category": draw(st.sampled_from(SENSITIVE if sensitive else ("theft", "violence"))),
            "occurred_at": _at(draw(st.integers(-14, 6)), draw(st.integers(0, 23))),
        }
        rows.append(row)
        if sensitive:  # anywhere else in the same geomask cell
            cx, cy = np.floor(x / cell) * cell, np.floor(y / cell) * cell
            u, v = draw(st.floats(0.01, 0.99)), draw(st.floats(0.01, 0.99))
            row = row | {"x": cx + u * cell, "y": cy + v * cell}
        moved.append(row)
    return make_events(rows), make_events(moved)


UUID = re.compile(r"[0-9a-f]{32}")


def _normalised(payload, kind) -> str:
    if kind == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(payload), read_only=True)
        return repr([list(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)])
    text = payload.decode("utf-8-sig") if isinstance(payload, bytes) else payload
    return UUID.sub("#", text)  # folium names its elements with random ids


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    case=mixed_event_sets(),
    eps_m=st.sampled_from([50.0, 100.0, 150.0]),
    engine=st.sampled_from(["dbscan", "hdbscan"]),
)
def test_where_a_sensitive_case_lies_in_its_cell_changes_nothing_a_viewer_receives(
    geo, station, case, eps_m, engine
):
    """The viewer's payloads are a function of the geomask cell, not of the address."""
    events, moved = case
    rule = PrivacyRule.for_role("viewer", station)
    kw = dict(rule=rule, geo=geo, station=station, eps_m=eps_m, min_samples=3.0, engine=engine)
    before, after = _payloads(events, **kw), _payloads(moved, **kw)
    for name, (payload, kind) in before.items():
        assert _normalised(payload, kind) == _normalised(after[name][0], kind), name


@pytest.mark.parametrize(
    ("email", "expected"),
    [("Kim@Police.example", "analyst"), ("lee@police.example", None), (None, None), ("", None)],
)
def test_oidc_roles_come_only_from_the_station_list(email, expected):
    from ui.auth import oidc_role

    roles = (("kim@police.example", "analyst"),)
    assert oidc_role(email, roles, email_verified=True) == expected


def test_station_auth_method_is_validated(tmp_path):
    from analytics.station.config import DEFAULT_STATION_FILE, load_station

    text = DEFAULT_STATION_FILE.read_text(encoding="utf-8").replace(
        'method = "password"', 'method = "magic"'
    )
    bad = tmp_path / "station.toml"
    bad.write_text(text, encoding="utf-8")
    (tmp_path / "geo").symlink_to(DEFAULT_STATION_FILE.parent / "geo")
    with pytest.raises(ValueError, match=r"auth\.method"):
        load_station(bad)
