"""Find every place a payload (HTML, JSON, CSV, XLSX bytes) gives away, as metres.

Used by the privacy tests: a viewer's page, download or meeting pack must hold no
coordinate near a sensitive address. Coordinates are found however they are
written: ``lat, lon`` (Leaflet), ``lon, lat`` (GeoJSON), or a row of a table with a
latitude and a longitude (CSV, XLSX), and also in metres (EPSG:5179 x, y).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import numpy as np

NUMBER = r"-?\d+(?:\.\d+)?"
NUMBER_RE = re.compile(NUMBER)
LAT, LON = (33.0, 39.0), (124.0, 132.0)
X_M, Y_M = (700_000.0, 1_300_000.0), (1_450_000.0, 2_100_000.0)


def _in(v: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= v <= bounds[1]


def _pairs_in_numbers(values: list[float]) -> set[tuple[str, float, float]]:
    """Every (kind, a, b) of a latitude with a longitude, or an x with a y, in one row."""
    lats = [v for v in values if _in(v, LAT)]
    lons = [v for v in values if _in(v, LON)]
    xs = [v for v in values if _in(v, X_M)]
    ys = [v for v in values if _in(v, Y_M)]
    out = {("deg", a, b) for a in lats for b in lons}
    out |= {("m", a, b) for a in xs for b in ys}
    return out


def text_pairs(text: str, *, window: int = 60) -> set[tuple[str, float, float]]:
    """Coordinate pairs written near each other in text, in either order.

    ``[35.41, 127.39]``, ``[127.39, 35.41]`` and ``"lat": 35.41, "lon": 127.39`` all
    count: a latitude-like and a longitude-like number within ``window`` characters.
    """
    found = [(m.start(), float(m.group())) for m in NUMBER_RE.finditer(text)]
    out = set()
    for i, (pos, value) in enumerate(found):
        j = i + 1
        while j < len(found) and found[j][0] - pos <= window:
            out |= _pairs_in_numbers([value, found[j][1]])
            j += 1
    return out


def table_pairs(rows: list[list]) -> set[tuple[str, float, float]]:
    """Coordinate pairs within each row of a table."""
    out = set()
    for row in rows:
        values = []
        for cell in row:
            try:
                values.append(float(str(cell).replace(",", "")))
            except ValueError:
                continue
        out |= _pairs_in_numbers(values)
    return out


def payload_pairs(payload: bytes | str, kind: str) -> set[tuple[str, float, float]]:
    """Coordinate pairs in one payload: ``kind`` is 'html', 'json', 'csv' or 'xlsx'."""
    if kind == "xlsx":
        import openpyxl

        assert zipfile.is_zipfile(io.BytesIO(payload))
        wb = openpyxl.load_workbook(io.BytesIO(payload), read_only=True)
        rows = [list(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]
        return table_pairs(rows)
    # Digits are ASCII in every encoding; binary frames keep theirs too.
    text = payload.decode("utf-8-sig", errors="replace") if isinstance(payload, bytes) else payload
    if kind == "csv":
        return table_pairs(list(csv.reader(io.StringIO(text)))) | text_pairs(text)
    return text_pairs(text)


def to_metres(pairs: set[tuple[str, float, float]], geo) -> np.ndarray:
    """The pairs as (n, 2) metres in the analysis CRS (degrees in both axis orders)."""
    xy = [(a, b) for kind, a, b in pairs if kind == "m"]
    deg = [(a, b) for kind, a, b in pairs if kind == "deg"]
    if deg:
        lat = np.array([a for a, _ in deg])
        lon = np.array([b for _, b in deg])
        x, y = geo.to_analysis(lon, lat)
        xy += list(zip(np.asarray(x), np.asarray(y), strict=True))
    return np.array(xy, dtype=float).reshape(-1, 2)


def nearest_m(points_xy: np.ndarray, targets_xy: np.ndarray) -> float:
    """The smallest distance (metres) from any of ``points_xy`` to any target."""
    if len(points_xy) == 0 or len(targets_xy) == 0:
        return float("inf")
    d = np.hypot(
        points_xy[:, None, 0] - targets_xy[None, :, 0],
        points_xy[:, None, 1] - targets_xy[None, :, 1],
    )
    return float(d.min())
