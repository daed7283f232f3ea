"""Write the synthetic demo year as the export files an analyst would import.

:func:`write_demo_exports` writes (see :mod:`analytics.demo` for what is in them):

``incidents_112_2017.csv``
    112 calls and cases. CP949, CRLF, Korean headers ``접수번호, 접수일시, 사건종별,
    긴급도, 발생장소, X좌표, Y좌표, 비고``; UTM-K (EPSG:5179) metres with 2 decimals;
    sorted by ``접수일시`` (``YYYY-MM-DD HH:MM``, KST).
``complaints_2017.xlsx``
    Sheet ``민원목록``: ``민원번호, 접수일, 민원유형, 처리상태, 협조기관, 처리완료일,
    장소, 위도, 경도, 요청내용``. Dates are Excel date cells, a few typed as text
    (``2017.10.10``). WGS84 degrees with 6 decimals, blank where ``장소`` is a
    gazetteer name (the importer geocodes those).
``suggestion_cards_2017.csv``
    Hand-typed "여기 무서워요" cards. UTF-8 with BOM, CRLF: ``카드번호, 소리함, 작성일,
    장소, 희망시간, 내용``. Mixed date formats, informal place names, no coordinates.
``suggestion_boxes.csv``
    The box deployment log. UTF-8, LF: ``box_id, name, place, lat, lon, installed_on,
    removed_on`` (ISO dates; blank ``removed_on`` = still there). One row per placement.

and a ``README.txt`` beside them. The same seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.styles import Font
from openpyxl.xml.functions import tostring

from analytics.demo import facilities as demo_facilities
from analytics.demo import officer_places as demo_officer_places
from analytics.demo.complaints import COMPLAINT_COLUMNS, COMPLAINT_TYPES, complaint_rows
from analytics.demo.incidents import INCIDENT_COLUMNS, OUTSIDE_SHARE, incident_rows
from analytics.demo.places import FEAR_ONLY_LANDMARKS, HOTSPOTS, build_places
from analytics.demo.suggestions import BOX_COLUMNS, CARD_COLUMNS, PLACEMENTS, box_rows, card_rows
from analytics.demo.world import (
    BAD_ROWS,
    YEAR,
    build_address_layer,
    landmark_table,
    random_streams,
    require_landmarks,
)
from analytics.station.config import StationConfig, default_station
from analytics.station.geo import load_geography

INCIDENTS_FILE = "incidents_112_2017.csv"
COMPLAINTS_FILE = "complaints_2017.xlsx"
CARDS_FILE = "suggestion_cards_2017.csv"
BOXES_FILE = "suggestion_boxes.csv"
# The public data portal's standard files of the station's safety facilities (made up).
CCTV_FILE = "cctv_standard_synthetic.csv"
LIGHTS_FILE = "streetlights_standard_synthetic.csv"
BELLS_FILE = "emergency_bells_standard_synthetic.csv"
PLACES_FILE = "officer_places_synthetic.csv"
CHILD_ZONES_FILE = "child_zones_standard_synthetic.csv"
SAFE_HOUSES_FILE = "safe_houses_standard_synthetic.csv"
README_FILE = "README.txt"
# Creation and modification time written into the workbook, so that its bytes never change.
XLSX_TIMESTAMP = datetime(2018, 1, 2, 9, 0, 0)


@dataclass(frozen=True)
class DemoFiles:
    """Paths of one generated set of export files."""

    incidents: Path  # CP949 CSV
    complaints: Path  # XLSX
    suggestions: Path  # UTF-8 (with BOM) CSV of hand-typed cards
    boxes: Path  # UTF-8 CSV: the suggestion-box deployment log
    cctv: Path | None = None  # CP949 CSV: 전국CCTV표준데이터's columns
    streetlights: Path | None = None  # UTF-8 (BOM) CSV: 전국보안등정보표준데이터's
    bells: Path | None = None  # UTF-8 CSV: 전국안전비상벨위치표준데이터's, EPSG:5186 metres
    places: Path | None = None  # CP949 CSV: officers' own places (구분, 메모, 위도, 경도)
    child_zones: Path | None = None  # CP949 CSV: 전국어린이보호구역표준데이터's columns
    safe_houses: Path | None = None  # UTF-8 (BOM) CSV: 여성안심지킴이집's columns


# --------------------------------------------------------------------------- writers


def _csv_text(header, rows, *, lineterminator: str) -> str:
    """``header`` and ``rows`` as CSV text, lines ended by ``lineterminator``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=lineterminator)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _xlsx_bytes(rows: list[list]) -> bytes:
    """The complaint workbook, byte-identical for identical rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "민원목록"
    ws.append(list(COMPLAINT_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=2):
        for cell in (row[1], row[5]):
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
        for cell in (row[7], row[8]):
            if isinstance(cell.value, float):
                cell.number_format = "0.000000"
    for col, width in zip("ABCDEFGHIJ", (16, 12, 12, 10, 22, 12, 28, 12, 12, 48), strict=True):
        ws.column_dimensions[col].width = width
    wb.properties.creator = "민원관리시스템"
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl stamps "now" into docProps/core.xml and every zip entry: pin both.
    wb.properties.created = XLSX_TIMESTAMP
    wb.properties.modified = XLSX_TIMESTAMP
    core = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            fixed = zipfile.ZipInfo(info.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def _readme(*, seed: int, station: StationConfig) -> str:
    """The ``README.txt`` written beside the export files: what they are, and that they are made up."""
    bad = "\n".join(
        f"  {f}: " + (", ".join(f"{k} x{v}" for k, v in kinds.items()) or "none")
        for f, kinds in BAD_ROWS.items()
    )
    return f"""SYNTHETIC DEMO DATA - NOT REAL POLICE DATA
합성(가상) 데모 자료입니다. 실제 신고·민원·카드가 아닙니다.

Generated by analytics/demo/files.py (write_demo_exports) with seed {seed}
for {station.name_en} ({station.name}), year {YEAR}.
Every call, complaint, card, address, phone number (010-0000-xxxx), e-mail
(example.com) and resident-number-like string in these files is made up.

Files:
  {INCIDENTS_FILE}  CP949 CSV, UTM-K (EPSG:5179) X/Y in metres
  {COMPLAINTS_FILE}  XLSX, sheet 민원목록, WGS84 lat/lon (blank = place name only)
  {CARDS_FILE}  UTF-8 (BOM) CSV, hand-typed, no coordinates
  {BOXES_FILE}  UTF-8 CSV, suggestion-box placements
  {CCTV_FILE}  CP949 CSV, the CCTV standard-data columns
  {LIGHTS_FILE}  UTF-8 (BOM) CSV, the street-light standard-data columns
  {BELLS_FILE}  UTF-8 CSV, the emergency-bell standard-data columns,
      with EPSG:5186 metres written into its WGS84 columns (as some publishers do)
  The facilities are made up too: none is a real camera, light or bell, and the
  riverside path and the studio-flat quarter are left uncovered on purpose.
  {PLACES_FILE}  CP949 CSV, officers' own places (구분, 메모, 위도, 경도): made up,
      every note marked (합성 데모); analysts only, never shown to viewers
  {CHILD_ZONES_FILE}  CP949 CSV, the children's-protection-zone standard-data
      columns: made-up schools and kindergartens near the landmarks, named "(합성)"
  {SAFE_HOUSES_FILE}  UTF-8 (BOM) CSV, women's safe houses (여성안심지킴이집):
      made-up shops downtown, named "(합성)", phone numbers 063-000-1xxx (unused)

Deliberately bad rows (as real exports have):
{bad}
Incident X/Y inside the station are points of a synthetic address layer, so
repeat calls to one address share one coordinate.
About {OUTSIDE_SHARE:.1%} of incidents lie just outside the station boundary on purpose.
"""


def write_demo_exports(
    out_dir: Path, *, seed: int = 2017, station: StationConfig | None = None
) -> DemoFiles:
    """Write one synthetic year of export files into ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Created if missing. Existing files of the same names are overwritten.
    seed : int
        The same seed gives byte-identical files.
    station : StationConfig, optional
        Defaults to :func:`analytics.station.config.default_station`. Its landmarks must
        include the Namwon places this demo is built around.

    Returns
    -------
    DemoFiles
        Paths of the four export files and the five facility files (a ``README.txt``
        is written beside them).
    """
    station = station or default_station()
    geo = load_geography(station)
    lm = landmark_table(geo)
    needed = {a for h in HOTSPOTS for a in h.anchors}
    needed |= set(FEAR_ONLY_LANDMARKS) | {p[2] for p in PLACEMENTS}
    needed |= {name for t in COMPLAINT_TYPES for name in t[4]}
    require_landmarks(lm, needed)

    rng_geo, rng_inc, rng_cmp, rng_card, rng_addr = random_streams(seed)
    layer = build_address_layer(rng_addr, geo=geo, lm=lm)
    places = build_places(rng_geo, layer=layer, lm=lm)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = DemoFiles(
        incidents=out_dir / INCIDENTS_FILE,
        complaints=out_dir / COMPLAINTS_FILE,
        suggestions=out_dir / CARDS_FILE,
        boxes=out_dir / BOXES_FILE,
        cctv=out_dir / CCTV_FILE,
        streetlights=out_dir / LIGHTS_FILE,
        bells=out_dir / BELLS_FILE,
        places=out_dir / PLACES_FILE,
        child_zones=out_dir / CHILD_ZONES_FILE,
        safe_houses=out_dir / SAFE_HOUSES_FILE,
    )
    incidents = incident_rows(rng_inc, geo=geo, lm=lm, places=places)
    files.incidents.write_bytes(
        _csv_text(INCIDENT_COLUMNS, incidents, lineterminator="\r\n").encode("cp949")
    )
    files.complaints.write_bytes(
        _xlsx_bytes(complaint_rows(rng_cmp, geo=geo, lm=lm, places=places))
    )
    files.suggestions.write_bytes(
        _csv_text(CARD_COLUMNS, card_rows(rng_card), lineterminator="\r\n").encode("utf-8-sig")
    )
    files.boxes.write_bytes(
        _csv_text(BOX_COLUMNS, box_rows(geo=geo, lm=lm), lineterminator="\n").encode("utf-8")
    )
    # The layers' files come from streams of their own, after the five, so that every
    # file above stays byte for byte as it was whenever a layer is added.
    streams = np.random.SeedSequence(seed).spawn(8)
    rng_fac, rng_places, rng_zones = (np.random.default_rng(streams[i]) for i in (5, 6, 7))
    fac, where = demo_facilities, {"geo": geo, "lm": lm}
    for path, columns, rows, eol, encoding in (
        (files.cctv, fac.CCTV_COLUMNS, fac.cctv_rows(rng_fac, **where, layer=layer), "\r\n", "cp949"),
        (files.streetlights, fac.LIGHT_COLUMNS, fac.light_rows(rng_fac, **where, layer=layer), "\r\n", "utf-8-sig"),
        (files.bells, fac.BELL_COLUMNS, fac.bell_rows(rng_fac, **where, layer=layer), "\n", "utf-8"),
        (files.places, demo_officer_places.PLACE_COLUMNS, demo_officer_places.place_rows(rng_places, **where), "\r\n", "cp949"),
        (files.child_zones, fac.ZONE_COLUMNS, fac.zone_rows(rng_zones, **where, layer=layer), "\r\n", "cp949"),
        (files.safe_houses, fac.SAFE_HOUSE_COLUMNS, fac.safe_house_rows(rng_zones, **where, layer=layer), "\r\n", "utf-8-sig"),
    ):  # fmt: skip
        path.write_bytes(_csv_text(columns, rows, lineterminator=eol).encode(encoding))
    (out_dir / README_FILE).write_text(_readme(seed=seed, station=station), encoding="utf-8")
    return files
