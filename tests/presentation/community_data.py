"""Hand-made data for the community-loop sheets: a fear-type hotspot of cards at the
public market (one incident), a box whose cards they are, and the meeting's decisions."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd

from analytics.compute.hotspots import find_hotspots
from tests.conftest import MARKET, make_events

KST = "Asia/Seoul"
START = pd.Timestamp("2017-10-06", tz=KST)
END = pd.Timestamp("2017-10-13", tz=KST)
PERIOD = "2017.10.06(금) ~ 2017.10.12(목)"

# Planted personal data and formulas: none may reach a sheet as written.
PHONE = "010-2345-6789"
RRN = "800101-1234567"
EMAIL = "kim.resident@example.com"
FORMULA = '=HYPERLINK("http://evil.example","x")'
TEXTS = [
    "가로등이 꺼져 있어 밤에 어두워요",
    f"연락 주세요 {PHONE}",
    f"주민번호 {RRN} 적어요",
    f"메일 {EMAIL}",
    FORMULA,
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "<script>alert(1)</script> 무서워요",
    "화장실에 몰카가 있는 것 같아요",  # names a sensitive category: never printed
]
SENSITIVE_WORD = "몰카"
# The same data written other ways, as places on cards (index → text).
VARIANTS = {
    3: f"시장 {PHONE}",
    5: "시장 010.2345.6789 근처",
    6: "０１０－２３４５－６７８９ 골목",
    7: "kim＠example.com 앞",
    8: "８００１０１－１２３４５６７ 뒤",
}
VARIANT_PARTS = ("2345.6789", "２３４５", "＠example", "１２３４５６７")


def market_xy(geo) -> tuple[float, float]:
    x, y = geo.to_analysis([MARKET["lon"]], [MARKET["lat"]])
    return float(x[0]), float(y[0])


def events(geo) -> pd.DataFrame:
    """Ten cards of BOX-01 within 20 m of the market, one incident there, and a sensitive
    incident 15 m away (its place must never print)."""
    x0, y0 = market_xy(geo)
    rng = np.random.default_rng(7)
    rows = []
    slots = [(22, 2)] * 5 + [(20, 22)] * 3 + [(15, 17), None]
    cats = ["dark"] * 5 + ["drunk"] * 3 + ["youth", "stranger"]
    for i, (txt, slot, cat) in enumerate(zip(TEXTS, slots, cats, strict=True)):
        dx, dy = rng.uniform(-20, 20, 2)
        lon, lat = geo.to_geographic([x0 + dx], [y0 + dy])
        rows.append(
            {
                "event_id": f"card_{i}",
                "source": "suggestion",
                "occurred_at": pd.Timestamp("2017-10-07 10:00", tz=KST) + pd.Timedelta(hours=i),
                "category": cat,
                "category_label": {
                    "dark": "어두운 길",
                    "drunk": "주취·소란",
                    "youth": "청소년 비행",
                    "stranger": "낯선 사람·배회",
                }[cat],
                "severity": "low",
                "slot_start_hour": slot[0] if slot else None,
                "slot_end_hour": slot[1] if slot else None,
                "box_id": "BOX-01",
                "description": txt,
                "location_text": VARIANTS.get(i, "공설시장 뒤 골목"),
                "x": x0 + dx,
                "y": y0 + dy,
                "lat": float(lat[0]),
                "lon": float(lon[0]),
                "emd": MARKET["emd"],
                "police_unit": MARKET["unit"],
            }
        )
    lon, lat = geo.to_geographic([x0 + 5], [y0 - 5])
    rows.append(
        {
            "event_id": "inc_1",
            "x": x0 + 5,
            "y": y0 - 5,
            "lat": float(lat[0]),
            "lon": float(lon[0]),
            "occurred_at": pd.Timestamp("2017-10-08 23:00", tz=KST),
            "emd": MARKET["emd"],
            "police_unit": MARKET["unit"],
        }
    )
    lon, lat = geo.to_geographic([x0 + 15], [y0 + 10])
    rows.append(
        {
            "event_id": "inc_sex",
            "x": x0 + 15,
            "y": y0 + 10,
            "lat": float(lat[0]),
            "lon": float(lon[0]),
            "category": "sexual",
            "category_label": "성범죄",
            "description": "피해자 진술 성추행",
            "occurred_at": pd.Timestamp("2017-10-09 23:00", tz=KST),
            "emd": MARKET["emd"],
            "police_unit": MARKET["unit"],
        }
    )
    return make_events(rows)


def fear_hotspot(geo, ev):
    result = find_hotspots(
        ev[ev["category"] != "sexual"], geo=geo, eps_m=60, min_samples=4, period=(START, END)
    )
    table = result.hotspots
    assert len(table) == 1 and table["type"].iat[0] == "fear", table[["type", "n_events"]]
    row = table.iloc[0]
    return row, result.hotspot_ids


def decisions(hotspot) -> gpd.GeoDataFrame:
    rows = [
        (1, dt.date(2017, 10, 13), "patrol", "중앙지구대"),
        (2, dt.date(2017, 10, 13), "cpted", "생활안전과"),
        (3, dt.date(2017, 10, 6), "none", None),
    ]
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "week": [r[1] for r in rows],
            "hotspot_id": [hotspot["hotspot_id"]] * 3,
            "place": [hotspot["place"]] * 3,
            "police_unit": [hotspot["police_unit"]] * 3,
            "action": [r[2] for r in rows],
            "owner_unit": [r[3] for r in rows],
            "due_on": [None] * 3,
            "note": [f"메모 {PHONE}"] * 3,
        },
        geometry=[hotspot["geometry"]] * 3,
        crs="EPSG:5179",
    )


# --------------------------------------------------------------------------- scanning


def html_texts(page: str) -> list[str]:
    """Every text node and text attribute (label, title, alt) of an HTML page, unescaped."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Collect(HTMLParser):
        def handle_data(self, data):
            if data.strip():
                found.append(data)

        def handle_starttag(self, tag, attrs):
            found.extend(v for k, v in attrs if v and k in ("aria-label", "title", "alt"))

    Collect(convert_charrefs=True).feed(page)
    return found


def xlsx_cells(payload: bytes) -> list:
    """Every non-empty cell value of every sheet."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(payload))
    return [
        c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]


def assert_no_personal_data(geo, ev, *, page: str, workbook: bytes, sensitive) -> None:
    """Neither the page nor the workbook holds personal data, a point's coordinates,
    a sensitive category's words, or a cell a spreadsheet would evaluate."""
    from analytics.access.masking import mask_pii
    from analytics.compute.community import mentions_sensitive
    from tests.payload_scan import nearest_m, payload_pairs, to_metres

    cells = xlsx_cells(workbook)
    texts = [*html_texts(page), *(str(c) for c in cells)]
    assert texts
    for t in texts:
        assert mask_pii(t) == t, t  # nothing left that the project's masking would mask
        for planted in (PHONE, RRN, EMAIL, "2345-6789", "1234567", "example.com", *VARIANT_PARTS):
            assert planted not in t, t
    assert not mentions_sensitive(pd.Series(texts), tuple(sensitive)).any()
    assert SENSITIVE_WORD not in page
    points = ev[["x", "y"]].to_numpy(dtype=float)
    for payload, kind in ((page, "html"), (workbook, "xlsx")):
        pairs = to_metres(payload_pairs(payload, kind), geo)
        assert nearest_m(pairs, points) > 1000.0, kind
    for lat, lon in zip(ev["lat"], ev["lon"], strict=True):
        assert f"{lat:.4f}" not in page and f"{lon:.4f}" not in page
    for c in cells:
        assert not (isinstance(c, str) and c.startswith(("=", "+", "-", "@"))), c
    lowered = page.lower()
    for request in ("<script", "src=", "href=", "url(", "@import", "<link", "<iframe", "<img"):
        assert request not in lowered, request
