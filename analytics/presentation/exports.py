"""Exports: CSV/XLSX that are safe to open in a spreadsheet, and a printable patrol sheet.

User text that begins with ``= + - @`` (or a tab/CR) is a formula to Excel; such
cells are prefixed with an apostrophe so they stay text (OWASP CSV injection).
Every export here (CSV, XLSX, the patrol sheet's HTML) goes through that, and the
HTML escapes every text it prints.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.station.clock import local, wall_clock
from analytics.text import LANGS, language, text
from analytics.text.vocabulary import status_name, type_name

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell value that a spreadsheet will not evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (and header) passed through :func:`safe_cell`."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell, na_action="ignore")
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a UTF-8-with-BOM CSV (Excel opens it as Korean) with safe cells."""
    path = Path(path)
    path.write_bytes(csv_bytes(frame))
    return path


def rejected_rows_table(rejected: pd.DataFrame, *, lang: str = "ko") -> pd.DataFrame:
    """Rejected rows as a flat table: batch, row, reason, then the row's own cells."""
    lang = language(lang)
    headers = tuple(text(f"files.rejected.{k}", lang) for k in ("batch", "row", "reason"))
    if rejected.empty:
        return pd.DataFrame(columns=list(headers))
    raw = pd.DataFrame(list(rejected["raw"]), index=rejected.index)
    base = pd.DataFrame(
        {
            headers[0]: rejected["batch_id"],
            headers[1]: rejected["row_number"],
            headers[2]: rejected["reason" if lang == "ko" else "reason_en"],
        }
    )
    return pd.concat([base, raw.add_prefix(text("files.rejected.raw_prefix", lang))], axis=1)


def hotspot_rows(hotspots, *, lang: str = "ko", labels: bool = False) -> pd.DataFrame:
    """The hotspot table flattened for CSV/XLSX and people: one row per hotspot.

    Parameters
    ----------
    hotspots : GeoDataFrame from ``find_hotspots`` / ``hotspot_status``
    lang : {'ko', 'en'}
    labels : bool, default False
        False: code column names (``hotspot_id``, ``n_events`` ...), as the CLI writes
        them. True: headers, type, status and significance in ``lang`` (순위, 장소,
        추세 ...) and times as ``YYYY-MM-DD HH:MM`` station time, for people opening the
        file in Excel.

    A table with ``significant`` and ``p_value`` (:mod:`analytics.compute.significance`)
    keeps them as its last two columns: a bool and the adjusted p-value (4 decimals).
    """
    from analytics.compute.facilities import distance_columns
    from analytics.compute.patrol import categories_text
    from analytics.compute.places import count_columns as place_count_columns
    from analytics.compute.profiles import format_windows

    if labels:
        lang = language(lang)
        out = hotspot_rows(hotspots, lang=lang)
        out["type"] = [type_name(t, lang) or t for t in hotspots["type"]]
        if "status" in out.columns:
            out["status"] = [status_name(s, lang) or "—" for s in hotspots["status"]]
        if "significant" in out.columns:
            out["significant"] = [
                text(f"files.significant.{'yes' if s else 'no'}", lang) for s in out["significant"]
            ]
        for col in ("first_event", "last_event"):
            out[col] = _local_text(hotspots[col])
        return out.rename(columns={c: text(f"files.col.{c}", lang) for c in out.columns})

    frame = pd.DataFrame(
        {
            "hotspot_id": hotspots["hotspot_id"],
            "rank": hotspots["rank"],
            "place": hotspots["place_en"]
            if lang != "ko" and "place_en" in hotspots
            else hotspots["place"],
            "police_unit": hotspots["police_unit"],
            "emd": hotspots["emd"],
            # The CLI's Korean file names the type in Korean; its English one keeps the code.
            "type": [type_name(t, "ko") for t in hotspots["type"]]
            if lang == "ko"
            else hotspots["type"],
            "n_events": hotspots["n_events"],
            "n_incident": hotspots["n_incident"],
            "n_complaint": hotspots["n_complaint"],
            "n_suggestion": hotspots["n_suggestion"],
            "top_categories": [categories_text(cats, lang) for cats in hotspots["top_categories"]],
            "patrol_windows": [format_windows(w, lang) for w in hotspots["patrol_windows"]],
            "priority": hotspots["priority"].round(2),
            "area_m2": hotspots["area_m2"].round(0),
            "lat": hotspots["lat"].round(6),
            "lon": hotspots["lon"].round(6),
            "first_event": hotspots["first_event"].astype(str),
            "last_event": hotspots["last_event"].astype(str),
        }
    )
    if "status" in hotspots.columns:
        frame.insert(6, "status", hotspots["status"].to_numpy())
    # Distances to the station's safety facilities (analytics.compute.facilities), when
    # the caller added them: null for a kind with no layer loaded.
    for col in distance_columns():
        if col in hotspots.columns:
            values = hotspots[col]
            frame[col] = values.round(1).to_numpy() if col.startswith("nearest_") else values.array
    # Officers' places by category within 50 m (analytics.compute.places), when the
    # caller added them: analysts' files only.
    for col in place_count_columns():
        if col in hotspots.columns:
            frame[col] = hotspots[col].astype(int).to_numpy()
    if "significant" in hotspots.columns and "p_value" in hotspots.columns:
        frame["significant"] = hotspots["significant"].astype(bool).to_numpy()
        frame["p_value"] = hotspots["p_value"].astype(float).round(4).to_numpy()
    return frame


def write_hotspots_geojson(
    hotspots, path: str | Path, *, geographic_crs: str = "EPSG:4326"
) -> Path:
    """Hotspot polygons in EPSG:4326 with their flat attributes, as GeoJSON."""
    import geopandas as gpd

    path = Path(path)
    flat = hotspot_rows(hotspots)
    gdf = gpd.GeoDataFrame(flat, geometry=hotspots.geometry.to_numpy(), crs=hotspots.crs)
    gdf.to_crs(geographic_crs).to_file(path, driver="GeoJSON")
    return path


def hotspots_geojson(hotspots, *, geographic_crs: str = "EPSG:4326") -> bytes:
    """:func:`write_hotspots_geojson` as bytes (a download's content)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = write_hotspots_geojson(
            hotspots, Path(folder) / "hotspots.geojson", geographic_crs=geographic_crs
        )
        return path.read_bytes()


def _local_text(values) -> list[str]:
    """Timestamps as 'YYYY-MM-DD HH:MM' on the station's clock ('' for NaT)."""
    out = []
    for v in values:
        if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            out.append("")
            continue
        ts = pd.Timestamp(v)
        if ts.tzinfo is not None:
            ts = local(ts)
        out.append(ts.strftime("%Y-%m-%d %H:%M"))
    return out


# --------------------------------------------------------------------------- bytes


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as UTF-8-with-BOM CSV bytes (Excel reads the Korean) with safe cells.

    Rows end in CRLF; with that terminator the csv writer also quotes cells that
    hold a bare CR, which would otherwise split a row in two.
    """
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def hotspots_csv(hotspots, *, lang: str = "ko") -> bytes:
    """The hotspot table for people (:func:`hotspot_rows` with labels) as CSV bytes."""
    return csv_bytes(hotspot_rows(hotspots, lang=lang, labels=True))


def patrol_targets_csv(targets: pd.DataFrame) -> bytes:
    """:func:`analytics.compute.patrol.patrol_targets` as CSV bytes."""
    return csv_bytes(targets)


# Characters an XLSX cell cannot hold (XML 1.0 control characters).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
MAX_COL_WIDTH = 60
MAX_CELL_CHARS = 32767  # Excel's limit; longer text makes Excel "repair" the file
MIN_COL_WIDTH = 6


def display_width(value) -> int:
    """Columns a text takes in a spreadsheet: Hangul and other wide characters count 2."""
    shown = "" if value is None else str(value)
    longest = max((line for line in shown.split("\n")), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in longest)


def _xlsx_value(value):
    """A cell value openpyxl can write and Excel will not evaluate."""
    if isinstance(value, (list, tuple, set, dict)):
        value = str(value)
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = wall_clock(value)
        return value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return wall_clock(value).to_pydatetime()
    if isinstance(value, (bool, int, float, Decimal, dt.date, dt.time)):
        return value
    # XML reads a CR back as LF anyway; writing LF keeps what is written and read equal.
    cell = _ILLEGAL_XML.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    cell = safe_cell(cell) if not str(value).startswith(FORMULA_START) else "'" + cell
    return cell[:MAX_CELL_CHARS]


def _sheet_title(name, used: set[str]) -> str:
    """An Excel-legal, unique sheet name (31 characters, no []:*?/\\)."""
    title = _SHEET_BAD.sub("_", str(name)).strip("'").strip() or "Sheet"
    title = title[:31]
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def to_xlsx(frames: dict[str, pd.DataFrame], *, title: str | None = None) -> bytes:
    """An XLSX workbook with one sheet per frame; every text cell is neutralised.

    Parameters
    ----------
    frames : dict of sheet name → DataFrame
        Sheets in the dict's order; names are made Excel-legal and unique.
    title : str, optional
        A bold first row on every sheet (e.g. "중앙지구대 탄력순찰 대상 · 2017.12.22 ~ 12.28");
        the header row then follows it.

    Returns
    -------
    bytes
        The workbook. Headers are bold, frozen and filterable; column widths fit
        the text (Hangul counts double, capped at 60); tz-aware times are written
        as station wall-clock times; text starting with ``= + - @`` (or tab/CR) gets an
        apostrophe (:func:`safe_cell`) and is stored as text, never as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if not isinstance(frames, dict) or not frames:
        raise ValueError("frames must be a non-empty dict of sheet name → DataFrame")
    bad = [k for k, f in frames.items() if not isinstance(f, pd.DataFrame)]
    if bad:
        raise TypeError(f"frames must hold DataFrames; not for {bad}")
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for name, frame in frames.items():
        ws = wb.create_sheet(_sheet_title(name, used))
        row0 = 1
        if title:
            ws.cell(1, 1, _xlsx_value(title)).font = Font(bold=True, size=13)
            row0 = 2
        headers = [_xlsx_value(str(c)) for c in frame.columns]
        widths = [display_width(h) for h in headers]
        for j, h in enumerate(headers, start=1):
            cell = ws.cell(row0, j, h)
            cell.font = bold
            cell.alignment = Alignment(vertical="center")
        for i, values in enumerate(frame.itertuples(index=False, name=None), start=row0 + 1):
            for j, raw in enumerate(values, start=1):
                value = _xlsx_value(raw)
                cell = ws.cell(i, j, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text, whatever it looks like
                    widths[j - 1] = max(widths[j - 1], display_width(value))
                elif value is not None:
                    widths[j - 1] = max(widths[j - 1], len(str(value)))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(
                MAX_COL_WIDTH, max(MIN_COL_WIDTH, w + 2)
            )
        if len(headers):
            ws.freeze_panes = ws.cell(row0 + 1, 1)
            last = get_column_letter(len(headers))
            ws.auto_filter.ref = f"A{row0}:{last}{row0 + max(len(frame), 1)}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- patrol sheet

# The patrol-target columns the printed sheet shows (coordinates stay in the files).
PRINT_KEYS = (
    "no",
    "place",
    "unit",
    "window",
    "days",
    "type",
    "status",
    "evidence",
    "categories",
    "keep",
)

SHEET_CSS = """
@page { size: A4 landscape; margin: 10mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans KR", "Malgun Gothic", "NanumGothic", "Apple SD Gothic Neo",
  sans-serif; font-size: 11pt; color: #111; margin: 0; padding: 8mm; }
h1 { font-size: 17pt; margin: 0 0 2mm 0; }
.meta { margin: 0 0 4mm 0; color: #333; }
.banner { border: 2px solid #b00020; color: #b00020; font-weight: bold; padding: 2mm 3mm;
  margin-bottom: 3mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
th { background: #e8e8e8; }
td.num { text-align: right; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.blank { width: 14mm; }
td.notes { width: 40mm; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
.how { font-size: 9pt; color: #333; margin-top: 3mm; }
.sign { margin-top: 6mm; }
@media print {
  body { padding: 0; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _esc(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def _targets_lang(targets: pd.DataFrame, lang: str) -> str:
    """The language of a patrol-target frame's headers (``lang`` when it matches)."""
    from analytics.compute.patrol import column_name

    for candidate in (lang, *LANGS):
        if column_name("place", candidate) in targets.columns:
            return candidate
    raise ValueError("targets must come from analytics.compute.patrol.patrol_targets")


def patrol_sheet_html(
    targets: pd.DataFrame,
    *,
    unit: str,
    period_label: str,
    lang: str = "ko",
    station: str | None = None,
    synthetic: bool = False,
    printed_at: str | None = None,
) -> str:
    """A printable patrol sheet for a unit chief: one self-contained HTML page.

    Parameters
    ----------
    targets : DataFrame from :func:`analytics.compute.patrol.patrol_targets`
    unit : str, the unit's name as it should be printed
    period_label : str, e.g. "2017.12.22(금) ~ 12.28(목)"
    lang : {'ko', 'en'}
    station : str, optional, printed next to the period
    synthetic : bool, print the synthetic-data banner
    printed_at : str, optional, e.g. "2017.12.29 08:30"

    Returns
    -------
    str
        HTML with inline print CSS (A4 landscape), no scripts and no external
        resources; every text is HTML-escaped. Blank 확인/비고 columns are left for
        the officers on patrol.
    """
    from analytics.compute.patrol import COLUMN_KEYS, column_name

    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    if not isinstance(targets, pd.DataFrame):
        raise TypeError(f"targets must be a DataFrame, got {type(targets).__name__}")

    def word(key: str) -> str:
        return text(f"files.sheet.{key}", lang)

    names_lang = _targets_lang(targets, lang) if len(targets.columns) else lang
    names = {k: column_name(k, names_lang) for k in COLUMN_KEYS}
    keys = [k for k in PRINT_KEYS if names[k] in targets.columns]
    head = "".join(f"<th>{_esc(column_name(k, lang))}</th>" for k in keys)
    head += f"<th>{_esc(word('check'))}</th><th>{_esc(word('note'))}</th>"
    body = []
    for row in targets.to_dict("records"):
        cells = []
        for k in keys:
            cls = ' class="num"' if k == "no" else (' class="nowrap"' if k == "window" else "")
            cells.append(f"<td{cls}>{_esc(row[names[k]])}</td>")
        cells.append('<td class="blank"></td><td class="notes"></td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(keys) + 2}">{_esc(word("empty"))}</td></tr>')
    meta = [f"{_esc(word('period'))}: {_esc(period_label)}"]
    if station:
        meta.append(_esc(station))
    if printed_at:
        meta.append(f"{_esc(word('printed'))}: {_esc(printed_at)}")
    title = f"{word('title')} — {unit}"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>",
        f"<style>{SHEET_CSS}</style></head><body>",
    ]
    if synthetic:
        parts.append(f'<div class="banner">{_esc(text("frame.synthetic", lang))}</div>')
    parts += [
        f"<h1>{_esc(title)}</h1>",
        f'<p class="meta">{" · ".join(meta)}</p>',
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
        f'<p class="how">{_esc(word("how"))}</p>',
        f'<p class="sign">{_esc(word("sign"))}</p>',
        "</body></html>",
    ]
    return "\n".join(parts)
