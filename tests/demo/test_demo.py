"""The synthetic export generator: counts, rhythms, places, formats and determinism.

Files are read with pandas and openpyxl directly, never through the importer.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from analytics.demo.complaints import COMPLAINT_COLUMNS, N_COMPLAINTS
from analytics.demo.files import XLSX_TIMESTAMP, DemoFiles, write_demo_exports
from analytics.demo.incidents import INCIDENT_COLUMNS, N_INCIDENTS
from analytics.demo.suggestions import CARD_COLUMNS, N_CARDS
from analytics.demo.world import BAD_ROWS, UNKNOWN_PLACE, AddressLayer, address_layer
from analytics.station.config import default_station
from analytics.station.geo import load_geography

DRUNK_RAW = {"주취소란", "주취자", "행패소란"}
TRAFFIC_RAW = {"교통사고", "뺑소니"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> DemoFiles:
    """One demo year with the default seed, generated once for this module."""
    return write_demo_exports(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def geo():
    """The default station's geography."""
    return load_geography(default_station())


@pytest.fixture(scope="module")
def layer() -> AddressLayer:
    """The address layer the default demo geocodes its incidents to."""
    return address_layer()


@pytest.fixture(scope="module")
def incidents(demo) -> pd.DataFrame:
    """The incident export with parsed time and coordinates added."""
    df = pd.read_csv(demo.incidents, encoding="cp949", dtype=str, keep_default_na=False)
    df["t"] = pd.to_datetime(df["접수일시"], format="%Y-%m-%d %H:%M", errors="coerce")
    df["x"] = pd.to_numeric(df["X좌표"], errors="coerce")
    df["y"] = pd.to_numeric(df["Y좌표"], errors="coerce")
    return df


@pytest.fixture(scope="module")
def complaints(demo) -> list[tuple]:
    """The complaint sheet as raw openpyxl row values, header first."""
    wb = openpyxl.load_workbook(demo.complaints)
    return list(wb["민원목록"].iter_rows(values_only=True))


@pytest.fixture(scope="module")
def cards(demo) -> pd.DataFrame:
    """The hand-typed card export."""
    return pd.read_csv(demo.suggestions, encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def boxes(demo) -> pd.DataFrame:
    """The box deployment log."""
    return pd.read_csv(demo.boxes, encoding="utf-8", dtype=str, keep_default_na=False)


def _near(df: pd.DataFrame, geo, name: str, radius_m: float) -> pd.Series:
    lm = geo.landmarks.set_index("name").loc[name]
    return np.hypot(df["x"] - lm["x"], df["y"] - lm["y"]) < radius_m


def _typed_date(text: str) -> date | None:
    """A hand-typed card date (``2017.8.14``, ``2017-08-14``, ``2017년 8월 14일``)."""
    m = re.fullmatch(r"\s*(\d{4})\s*[.\-년]\s*(\d{1,2})\s*[.\-월]\s*(\d{1,2})\s*일?\s*", text)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def test_counts_are_near_targets(incidents, complaints, cards):
    assert abs(len(incidents) - N_INCIDENTS) <= 0.1 * N_INCIDENTS
    assert abs(len(complaints) - 1 - N_COMPLAINTS) <= 0.1 * N_COMPLAINTS
    assert abs(len(cards) - N_CARDS) <= 0.1 * N_CARDS


def test_headers_are_the_export_headers(incidents, complaints, cards, boxes):
    assert tuple(incidents.columns[:8]) == INCIDENT_COLUMNS
    assert complaints[0] == COMPLAINT_COLUMNS
    assert tuple(cards.columns) == CARD_COLUMNS
    assert list(boxes.columns) == [
        "box_id",
        "name",
        "place",
        "lat",
        "lon",
        "installed_on",
        "removed_on",
    ]


def test_same_seed_gives_identical_bytes(demo, tmp_path):
    again = write_demo_exports(tmp_path / "again")
    for a, b in zip(
        (demo.incidents, demo.complaints, demo.suggestions, demo.boxes),
        (again.incidents, again.complaints, again.suggestions, again.boxes),
        strict=True,
    ):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_other_seed_gives_other_data(demo, tmp_path):
    other = write_demo_exports(tmp_path / "other", seed=7)
    assert other.incidents.read_bytes() != demo.incidents.read_bytes()
    assert other.complaints.read_bytes() != demo.complaints.read_bytes()
    assert other.suggestions.read_bytes() != demo.suggestions.read_bytes()


def test_incident_csv_is_cp949_and_not_utf8(demo):
    raw = demo.incidents.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("cp949").startswith("접수번호,접수일시,")


def test_cards_have_bom_and_boxes_are_plain_utf8(demo):
    assert demo.suggestions.read_bytes().startswith(b"\xef\xbb\xbf")
    assert demo.boxes.read_bytes().decode("utf-8").startswith("box_id,")


def test_incidents_are_sorted_with_unique_numbers(incidents):
    assert incidents["접수번호"].is_unique
    assert incidents["접수번호"].str.fullmatch(r"2017-\d{7}").all()
    t = incidents["t"].dropna()
    assert t.is_monotonic_increasing
    assert (t.dt.year == 2017).all()


def test_priority_codes_mostly_c2_c3_some_blank(incidents):
    share = incidents["긴급도"].value_counts(normalize=True)
    assert set(share.index) <= {"C0", "C1", "C2", "C3", "C4", ""}
    assert share["C2"] + share["C3"] > 0.7
    assert 0.03 < share[""] < 0.07


def test_baemsagol_incidents_only_in_july_and_august(incidents, geo):
    at = incidents[_near(incidents, geo, "뱀사골 입구(반선)", 1_000) & incidents["t"].notna()]
    assert len(at) > 100
    assert set(at["t"].dt.month) == {7, 8}


def test_chunhyang_festival_week_peak(incidents, geo):
    may = incidents[_near(incidents, geo, "광한루원", 400) & (incidents["t"].dt.month == 5)]
    festival = may["t"].between("2017-05-01", "2017-05-07 23:59").sum()
    assert festival > 2 * len(may) / 31 * 7


def test_chuseok_traffic_peak(incidents):
    t = incidents.loc[incidents["사건종별"].isin(TRAFFIC_RAW), "t"].dropna()
    holiday_rate = t.between("2017-09-30", "2017-10-09 23:59").sum() / 10
    assert holiday_rate > 1.5 * len(t) / 365


def test_drunk_disturbances_peak_at_night_and_at_weekends(incidents):
    t = incidents.loc[incidents["사건종별"].isin(DRUNK_RAW), "t"].dropna()
    assert t.dt.hour.isin([21, 22, 23, 0, 1, 2]).mean() > 0.5
    assert t.dt.day_of_week.isin([4, 5]).mean() > 2 / 7 + 0.05


def test_fraud_on_weekday_daytime(incidents):
    t = incidents.loc[incidents["사건종별"].isin({"전화금융사기", "보이스피싱"}), "t"].dropna()
    assert (t.dt.day_of_week < 5).mean() > 0.9
    assert t.dt.hour.between(8, 18).mean() > 0.9


def _inside(incidents: pd.DataFrame, geo) -> pd.DataFrame:
    """Rows with numeric X/Y inside the station boundary."""
    xy = incidents.dropna(subset=["x", "y"])
    return xy[shapely.contains_xy(geo.boundary_m, xy["x"].to_numpy(), xy["y"].to_numpy())]


def _per_address(rows: pd.DataFrame) -> pd.Series:
    """Incidents per exact X/Y text (one address), busiest first."""
    counts = rows.groupby(["X좌표", "Y좌표"]).size()
    return counts.sort_values(ascending=False, kind="stable")


def test_incidents_concentrate_at_few_addresses(incidents, geo):
    # Weisburd's law of crime concentration: about half at a few percent of places.
    counts = _per_address(_inside(incidents, geo))
    total = counts.sum()
    top1 = counts.iloc[: int(np.ceil(0.01 * len(counts)))].sum() / total
    top5 = counts.iloc[: int(np.ceil(0.05 * len(counts)))].sum() / total
    assert 0.45 <= top5 <= 0.60, top5
    assert top1 >= 0.20, top1
    # Yet most addresses with a call have only one or two.
    assert (counts <= 2).mean() > 0.6


def test_address_layer_is_dense_in_town_and_sparse_outside(layer, geo):
    assert 3_000 <= len(layer) <= 20_000
    assert shapely.contains_xy(geo.boundary_m, layer.x_m, layer.y_m).all()
    assert (geo.assign_areas(layer.x_m, layer.y_m)["emd"].to_numpy() == layer.emd).all()
    xs = np.array([f"{v:.2f}" for v in layer.x_m])
    ys = np.array([f"{v:.2f}" for v in layer.y_m])
    assert (xs.astype(float) == layer.x_m).all() and (ys.astype(float) == layer.y_m).all()
    assert len(set(zip(xs, ys, strict=True))) == len(layer)
    assert len(set(layer.road)) == len(layer)
    assert all(r.startswith(f"남원시 {e} ") for r, e in zip(layer.road, layer.emd, strict=True))
    km2 = geo.townships.set_index("emd").geometry.area / 1e6
    per = pd.Series(layer.emd).value_counts().reindex(km2.index, fill_value=0)
    urban = km2.index.str.endswith("동")
    assert per[urban].sum() / km2[urban].sum() > 10 * per[~urban].sum() / km2[~urban].sum()
    assert (per > 0).all()
    # Eup/myeon centres: a third of a township's buildings within 1 km of its police box.
    near = 0
    for u in geo.police_units.itertuples(index=False):
        if len(u.emd_names) != 1:
            continue
        ox, oy = geo.to_analysis([u.office_lon], [u.office_lat])
        mine = layer.emd == u.emd_names[0]
        near += (np.hypot(layer.x_m[mine] - ox[0], layer.y_m[mine] - oy[0]) < 1_000).sum()
    assert near / per[~urban].sum() > 0.3


def test_address_layer_follows_the_seed(layer):
    again = address_layer()
    assert (again.x_m == layer.x_m).all() and (again.road == layer.road).all()
    other = address_layer(seed=7)
    assert len(other) != len(layer) or (other.x_m != layer.x_m).any()


def test_every_incident_inside_the_boundary_is_on_an_address_point(incidents, layer, geo):
    # Exact text match of X/Y as read back from the CP949 CSV.
    points = set(zip((f"{v:.2f}" for v in layer.x_m), (f"{v:.2f}" for v in layer.y_m), strict=True))
    inside = _inside(incidents, geo)
    assert len(inside) > 0.99 * len(incidents)
    missing = [xy for xy in zip(inside["X좌표"], inside["Y좌표"], strict=True) if xy not in points]
    assert missing == []
    xy = incidents.dropna(subset=["x", "y"])
    outside = xy.drop(inside.index)
    assert not any(p in points for p in zip(outside["X좌표"], outside["Y좌표"], strict=True))


def test_hot_addresses_persist_through_the_year(incidents, geo):
    rows = _inside(incidents, geo).dropna(subset=["t"])
    first = _per_address(rows[rows["t"] < "2017-07-01"])
    second = _per_address(rows[rows["t"] >= "2017-07-01"])
    assert len(set(first.index[:20]) & set(second.index[:20])) >= 10


def test_last_months_hot_addresses_catch_next_weeks_calls(incidents, geo):
    # A naive backtest on addresses: the 30 busiest addresses of the
    # past four weeks against the next week's calls, week after week.
    rows = _inside(incidents, geo).dropna(subset=["t"])
    week = (rows["t"] - pd.Timestamp("2017-01-02 06:00")).dt.days // 7
    hits, calls = 0, 0
    for w in range(8, 50):
        past = _per_address(rows[(week >= w - 4) & (week < w)])
        top = set(past.index[:30])
        nxt = rows[week == w]
        hits += sum(xy in top for xy in zip(nxt["X좌표"], nxt["Y좌표"], strict=True))
        calls += len(nxt)
    assert hits / calls > 0.15


def test_seasonal_hot_addresses(incidents, geo):
    rows = _inside(incidents, geo).dropna(subset=["t"])
    festival = _per_address(rows[rows["t"].between("2017-05-01", "2017-05-07 23:59")])
    busiest = festival.index[:1].to_frame(index=False).astype(float)
    busiest = busiest.rename(columns={"X좌표": "x", "Y좌표": "y"})
    assert (_near(busiest, geo, "광한루원", 400) | _near(busiest, geo, "남원예촌", 400)).all()
    summer = rows["t"].dt.month.isin([7, 8])
    valley = _near(rows, geo, "뱀사골 입구(반선)", 1_000)
    at_valley = set(zip(rows.loc[valley, "X좌표"], rows.loc[valley, "Y좌표"], strict=True))
    assert any(xy in at_valley for xy in _per_address(rows[summer]).index[:5])
    assert not (valley & ~summer).any()


def test_about_half_a_percent_outside_the_boundary(incidents, geo):
    xy = incidents.dropna(subset=["x", "y"])
    inside = shapely.contains_xy(geo.boundary_m, xy["x"].to_numpy(), xy["y"].to_numpy())
    assert 0.003 < 1 - inside.mean() < 0.008


def test_most_background_in_urban_dongs(incidents, geo):
    areas = geo.assign_areas(incidents["x"], incidents["y"])
    emd = areas.loc[areas["inside_station"], "emd"]
    assert emd.str.endswith("동").mean() > 0.6


def test_fear_without_crime_and_crime_without_fear(incidents, cards, geo):
    for name in ("요천 산책로", "도통동 원룸촌", "남원향교"):
        assert _near(incidents, geo, name, 150).sum() < 10, name
    for alias in ("요천", "원룸", "향교"):
        assert cards["장소"].str.contains(alias).sum() >= 20, alias
    assert _near(incidents, geo, "남원공용버스터미널", 300).sum() > 200
    assert not cards["장소"].str.contains("터미널|뱀사골|반선").any()


def test_cards_only_dated_while_their_box_stood(cards, boxes):
    spans = {}
    for r in boxes.itertuples(index=False):
        end = date.fromisoformat(r.removed_on) if r.removed_on else date(2017, 12, 31)
        spans.setdefault(r.box_id, []).append((date.fromisoformat(r.installed_on), end))
    dates = cards["작성일"].map(_typed_date)
    assert dates.isna().sum() == BAD_ROWS["cards"]["impossible_date"]
    for box_id, d in zip(cards["소리함"], dates, strict=True):
        if d is not None:
            assert any(a <= d <= b for a, b in spans[box_id]), (box_id, d)
    # Hand typing gives all three formats.
    assert cards["작성일"].str.contains("년").any()
    assert cards["작성일"].str.fullmatch(r"\d{4}\.\d{1,2}\.\d{1,2}").any()
    assert cards["작성일"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").any()


def test_card_places_name_gazetteer_places(cards, geo):
    names = set(geo.landmarks["name"])
    names |= {a for v in geo.landmarks["aliases"] for a in v.split(";") if a}
    unknown = [p for p in cards["장소"] if not any(n in p for n in names)]
    assert unknown == [UNKNOWN_PLACE] * BAD_ROWS["cards"]["unknown_place"]
    assert "X좌표" not in cards.columns and "위도" not in cards.columns


def test_box_log_moves_keep_their_id(boxes):
    assert len(boxes) == 7
    assert boxes["box_id"].value_counts().max() == 2
    first = boxes.groupby("box_id")["place"].first()
    assert first["BOX-01"] == "중앙지구대"
    assert set(boxes["place"]) >= {"향기원", "남원여성다문화센터", "인월시장", "운봉읍사무소"}
    assert (boxes["removed_on"] == "").sum() == 4


def test_complaints_resolved_after_received_with_open_backlog(complaints):
    rows = complaints[1:]
    got = [r[1] if isinstance(r[1], datetime) else None for r in rows]
    done = [r[5] for r in rows]
    status = [r[3] for r in rows]
    assert set(status) == {"접수", "처리중", "완료"}
    for g, d, s in zip(got, done, status, strict=True):
        assert (d is not None) == (s == "완료")
        if g is not None and d is not None:
            assert d >= g
    days = sorted((d - g).days for g, d in zip(got, done, strict=True) if g and d)
    assert 10 <= days[len(days) // 2] <= 25
    open_late = sum(
        1 for g, s in zip(got, status, strict=True) if g and g.month >= 11 and s != "완료"
    )
    all_late = sum(1 for g in got if g and g.month >= 11)
    assert open_late > all_late / 2
    overdue = sum(1 for g, s in zip(got, status, strict=True) if g and s != "완료" and g.month <= 9)
    assert overdue > 0


def test_complaint_cells_and_blank_coordinates(complaints, geo):
    rows = complaints[1:]
    text_dates = [r[1] for r in rows if isinstance(r[1], str)]
    assert 1 <= len(text_dates) <= 30
    assert all(re.fullmatch(r"\d{4}\.\d{1,2}\.\d{1,2}", v) for v in text_dates)
    blank = [r for r in rows if r[7] is None]
    assert 0.2 < len(blank) / len(rows) < 0.4
    names = set(geo.landmarks["name"])
    names |= {a for v in geo.landmarks["aliases"] for a in v.split(";") if a}
    unknown = [r[6] for r in blank if not any(n in r[6] for n in names)]
    assert unknown == [UNKNOWN_PLACE] * BAD_ROWS["complaints"]["unknown_place"]
    given = [r for r in rows if r[7] is not None]
    assert all(isinstance(r[7], float) and 35.2 < r[7] < 35.7 for r in given)


def test_xlsx_properties_are_pinned(demo):
    wb = openpyxl.load_workbook(demo.complaints)
    assert wb.sheetnames == ["민원목록"]
    assert wb.properties.created == XLSX_TIMESTAMP
    assert wb.properties.modified == XLSX_TIMESTAMP


def test_bad_incident_rows_are_few_and_documented(incidents):
    bad = BAD_ROWS["incidents"]
    assert sum(bad.values()) < 0.005 * len(incidents)
    assert incidents["접수일시"].str.startswith("2017-13-45").sum() == bad["impossible_date"]
    assert (incidents["접수일시"] == "").sum() == bad["blank_date"]
    assert (incidents["발생장소"] == "").sum() == bad["no_place_no_coords"]
    assert (incidents["발생장소"] == UNKNOWN_PLACE).sum() == bad["unknown_place"]
    assert (incidents["X좌표"] == "확인중").sum() == bad["non_numeric_coord"]


def test_personal_data_bait_is_fake_and_rare(incidents):
    note = incidents["비고"]
    phones = note.str.contains(r"010-\d{4}-\d{4}")
    assert 0.01 < phones.mean() < 0.03
    assert note[phones].str.contains("010-0000-").all()
    assert note.str.contains(r"\d{6}-\d{7}").sum() == 3


def test_readme_says_synthetic(demo):
    text = (demo.incidents.parent / "README.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text
    assert "analytics/demo/files.py" in text
    assert "seed 2017" in text
