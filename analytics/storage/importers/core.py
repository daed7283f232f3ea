"""From an export file to events in the store: one import is one transaction.

``prepare_file`` reads and validates without touching the store (the UI's preview);
``import_file`` prepares, drops rows already in the store, and writes the rest,
the rejected rows and the batch record together, or nothing at all.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from analytics.access.masking import mask_pii, mask_series
from analytics.station.categories import categorise
from analytics.station.config import StationConfig, default_station, station_id
from analytics.station.geo import load_geography
from analytics.storage import connection, store
from analytics.storage.importers.coords import Coordinates, from_lonlat, from_projected
from analytics.storage.importers.date_order import DateOrder, day_month_cells, detect_date_order
from analytics.storage.importers.dates import combine_date_time, parse_datetimes, parse_time_slots
from analytics.storage.importers.errors import ImportFileError
from analytics.storage.importers.gazetteer import Gazetteer
from analytics.storage.importers.headers import map_headers, read_mapping_file
from analytics.storage.importers.reading import RawTable, read_table
from analytics.storage.schema import GEOCODE_GAZETTEER, SOURCES, event_id_text
from analytics.text import text as message

Progress = Callable[[float, str], None]

# Events dated before this day (station time) are refused as typos, e.g. 1917 for 2017.
EARLIEST_DAY = "2000-01-01"

STATUS_WORDS = {
    "received": ("접수", "접수완료", "신규", "대기", "received", "new", "open"),
    "in_progress": ("처리중", "진행중", "진행", "검토중", "조치중", "in_progress", "inprogress"),
    "done": ("완료", "처리완료", "종결", "답변완료", "조치완료", "done", "closed", "resolved"),
}
_STATUS_LOOKUP = {
    re.sub(r"\s+", "", w).lower(): code for code, ws in STATUS_WORDS.items() for w in ws
}
_PRIORITY_RE = re.compile(r"^\s*(?:c|code|코드)?\s*([0-4])\s*(?:코드)?\s*$", re.IGNORECASE)


@dataclass
class RejectedRow:
    """One row that did not land, with why (Korean and English) and its masked cells."""

    row_number: int
    reason_code: str
    reason: str
    reason_en: str
    raw: dict


@dataclass
class PreparedFile:
    """A file read and validated, ready to write. ``events`` has a ``row_number`` column."""

    table: RawTable
    source: str
    file_name: str
    columns: dict[str, str]
    unused_columns: list[str]
    events: pd.DataFrame
    rejected: list[RejectedRow]
    crs: str | None
    xy_swapped: bool = False
    latlon_swapped_rows: int = 0
    duplicates_in_file: int = 0
    gazetteer_rows: int = 0
    township_level_rows: int = 0
    outside_station: int = 0
    date_order: DateOrder | None = None


@dataclass
class ImportResult:
    """What an import did. ``to_dict`` is the CLI's ``--json``."""

    batch_id: str | None
    source: str
    file_name: str
    file_sha256: str
    file_kind: str
    encoding: str | None
    sheet: str | None
    header_row: int
    columns: dict[str, str]
    unused_columns: list[str]
    crs: str | None
    xy_swapped: bool
    latlon_swapped_rows: int
    rows_total: int
    imported: int
    duplicates_in_store: int
    duplicates_in_file: int
    rejected: list[RejectedRow]
    gazetteer_rows: int
    township_level_rows: int
    outside_station: int
    blank_rows: int
    synthetic: bool
    elapsed_s: float = 0.0
    notes: list[str] = field(default_factory=list)
    # Dates written with the year last: 'dmy' or 'mdy' (None: none, or undecided) and
    # why (analytics.storage.importers.date_order.REASONS).
    date_order: str | None = None
    date_order_reason: str | None = None
    date_order_cells: int = 0

    @property
    def duplicates(self) -> int:
        return self.duplicates_in_store + self.duplicates_in_file

    def to_dict(self) -> dict:
        d = asdict(self)
        d["duplicates_skipped"] = self.duplicates
        return d


def _blank(values: pd.Series) -> np.ndarray:
    s = values.astype("string").str.strip()
    return (s.isna() | (s == "")).to_numpy(dtype=bool)


def _text(values: pd.Series) -> pd.Series:
    """Cells → stripped strings, blanks as <NA>."""
    s = values.astype("string").str.strip()
    return s.where(s != "")


def _cell(table: RawTable, mapping: dict, fld: str) -> pd.Series:
    n = len(table.frame)
    if fld in mapping:
        return table.frame[mapping[fld]]
    return pd.Series([None] * n, index=table.frame.index, dtype=object)


def _coordinate_cells(
    table: RawTable, mapping: dict, rows: np.ndarray, from_xy: np.ndarray
) -> pd.Series:
    """The coordinate cells of ``rows`` as "lat, lon" or "x, y" text (the pair each
    row's coordinates came from), "" in every other row: what a row rejected for its
    coordinates shows. Only those rows' text is built, a handful in a million."""
    shown = pd.Series("", index=table.frame.index, dtype=object)
    for pair, which in ((("lat", "lon"), rows & ~from_xy), (("x", "y"), rows & from_xy)):
        if which.any() and all(f in mapping for f in pair):
            first, second = (_text(_cell(table, mapping, f)[which]).fillna("") for f in pair)
            shown[which] = (first + ", " + second).to_numpy()
    return shown


_SAMPLE = 2048


def _per_unique(values: pd.Series, fn: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply a vectorised ``fn`` to the distinct values only: exports repeat themselves."""
    # Either way gives the same values; a column that is mostly distinct (record ids)
    # is seen from a sample and given to fn whole, without hashing a million strings.
    sample = values.iloc[:: max(1, len(values) // _SAMPLE)]
    if len(values) > _SAMPLE and sample.nunique() > len(sample) // 2:
        return fn(values)
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(pd.NA, index=values.index, dtype="string")
    if len(uniques) > len(values) // 2:
        return fn(values)
    mapped = fn(pd.Series(uniques, dtype="string")).astype("string")
    # Spread back in Arrow: no Python string per row (a million rows, 0.3 s a column).
    taken = pa.array(mapped.array).take(pa.array(codes, mask=codes < 0))
    return pd.Series(pd.array(taken, dtype="string"), index=values.index)


def _spread(names, which: np.ndarray, index: pd.Index) -> pd.Series:
    """``names[which]`` per row (<NA> where ``which`` is -1), spread in Arrow."""
    rows = pa.array(np.where(which >= 0, which, len(names)))
    taken = pa.array([*names, None], type=pa.string()).take(rows)
    return pd.Series(pd.array(taken, dtype="string"), index=index)


def _normalise_status(raw: pd.Series, has_resolved: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    key = raw.astype("string").str.replace(r"\s+", "", regex=True).str.lower()
    code = key.map(_STATUS_LOOKUP, na_action="ignore").astype(object)
    blank = _blank(raw)
    bad = ~blank & code.isna().to_numpy()
    default = np.where(has_resolved, "done", "received")
    code = code.where(~pd.Series(blank, index=raw.index), pd.Series(default, index=raw.index))
    return code.where(~pd.Series(bad, index=raw.index), None), bad


def _normalise_priority(raw: pd.Series) -> pd.Series:
    def code(values: pd.Series) -> pd.Series:
        return "C" + values.astype("string").str.extract(_PRIORITY_RE, expand=False)

    return _per_unique(raw, code).astype(object).where(lambda s: s.notna(), None)


def _content_keys(rows: pd.DataFrame) -> pd.Series:
    """What identifies a record that has no id of its own: when, where, what, said what."""
    return (
        pd.Series(store.to_iso(rows["occurred_at"]), index=rows.index).astype(str)
        + "|"
        + rows["x"].round(1).astype(str)
        + "|"
        + rows["y"].round(1).astype(str)
        + "|"
        + rows["location_text"].fillna("")
        + "|"
        + rows["category_raw"].fillna("")
        + "|"
        + rows["description"].fillna("")
    )


def _event_keys(source: str, rows: pd.DataFrame) -> np.ndarray:
    """Stable ids' 64-bit keys (int64, one per row): from the record's own id, else from
    its content. :func:`~analytics.storage.schema.event_id_text` writes them as ids.

    Identical content rows in one file (two residents writing the same card) are told
    apart by their order of appearance, so re-importing the file gives the same ids.
    """
    record_id = rows["source_record_id"]
    has_id = record_id.notna().to_numpy()
    keys = (source + "|id|" + record_id.fillna("").astype("string")).astype("string")
    if not has_id.all():
        no_id = _content_keys(rows.loc[~has_id])
        occurrence = no_id.groupby(no_id).cumcount().astype(str)
        content = (source + "|c|" + no_id + "|" + occurrence).astype("string")
        keys = keys.where(pd.Series(has_id, index=rows.index), content)  # aligned on the index
    # 16 hex digits: the 64 bits the store keeps (analytics.storage.schema.event_key).
    # They are the first 16 of the 20 that ids had before schema 5, so a file imported
    # then is still recognised as a duplicate now. Hashing stays one call per row, over
    # the UTF-8 bytes Arrow already holds; the text is written for the whole column.
    utf8 = pa.array(keys.array, type=pa.string())
    if isinstance(utf8, pa.ChunkedArray):
        utf8 = utf8.combine_chunks()
    n = len(utf8)
    ends = np.frombuffer(utf8.buffers()[1], dtype=np.int32)[utf8.offset : utf8.offset + n + 1]
    first = int(ends[0]) if n else 0
    data = bytes(utf8.buffers()[2] or b"")[first : int(ends[-1])] if n else b""
    sha1 = hashlib.sha1
    bounds = (ends - first).tolist() if n else []
    # A list, not a generator: join sizes it once (a fifth faster on a million rows).
    digests = b"".join([sha1(data[a:b]).digest()[:8] for a, b in itertools.pairwise(bounds)])
    return np.frombuffer(digests, dtype=">i8").astype(np.int64)


def prepare_file(
    file: str | Path | bytes,
    *,
    source: str,
    station: StationConfig | None = None,
    sheet: str | None = None,
    mapping: dict[str, str] | str | Path | None = None,
    file_name: str | None = None,
    now: pd.Timestamp | None = None,
    progress: Progress | None = None,
    day_first: bool | None = None,
) -> PreparedFile:
    """Read and validate an export without writing anything.

    Parameters
    ----------
    file : path or bytes
        A CSV (UTF-8, UTF-8 BOM or CP949) or XLSX export.
    source : {'suggestion', 'complaint', 'incident'}
    station : StationConfig, optional
        Defaults to the configured station.
    sheet : str, optional
        XLSX sheet name.
    mapping : dict or path, optional
        ``{column header: field}`` overrides, or a mapping file (CSV or TOML).
    file_name : str, optional
        The name to record; defaults to the path's name.
    now : Timestamp, optional
        "Today" for the date-range check (tests pin it).
    progress : callable, optional
        Called as ``progress(fraction, stage)`` while working.
    day_first : bool, optional
        How to read dates written with the year last (``25/10/2017``): day first
        (True) or month first (False). By default the file decides
        (:mod:`analytics.storage.importers.date_order`); a file that cannot has those
        rows rejected, saying so.

    Raises
    ------
    ImportFileError
        The file cannot be read, or has no usable date or location columns.
    """
    if source not in SOURCES:
        raise ImportFileError("error.unknown_source", value=source)
    report = progress or (lambda _f, _s: None)
    station = station or default_station()
    geo = load_geography(station)
    if file_name is None:
        file_name = "upload" if isinstance(file, bytes) else Path(file).name
    overrides = mapping if isinstance(mapping, dict) else None
    if isinstance(mapping, str | Path):
        overrides = read_mapping_file(mapping)

    report(0.05, "read")
    limits = station.import_limits
    table = read_table(
        file,
        source=source,
        sheet=sheet,
        file_name=file_name,
        known_headers=frozenset(overrides or ()),
        limits=limits,
    )
    cols, unused = map_headers(list(table.frame.columns), source=source, overrides=overrides)
    column_list = ", ".join(map(str, table.frame.columns))
    if "occurred_at" not in cols:
        raise ImportFileError("error.no_date_column", columns=column_list)
    has_ll = "lat" in cols and "lon" in cols
    has_xy = "x" in cols and "y" in cols
    if not (has_ll or has_xy or "location_text" in cols):
        raise ImportFileError("error.no_location_columns", columns=column_list)

    frame = table.frame
    n = len(frame)
    idx = frame.index
    reasons: list[tuple[np.ndarray, str, pd.Series]] = []

    # Dates; those written with the year last in one order for the whole file.
    report(0.2, "dates")
    date_raw = _cell(table, cols, "occurred_at")
    time_raw = _cell(table, cols, "time") if "time" in cols else None

    def read_dates(rows: pd.Series | slice, order: bool | None) -> pd.Series:
        if time_raw is not None:
            return combine_date_time(
                date_raw[rows], time_raw[rows], timezone=station.timezone, day_first=order
            )
        return parse_datetimes(date_raw[rows], timezone=station.timezone, day_first=order)

    occurred = read_dates(slice(None), None)
    date_blank = _blank(date_raw)
    unread = pd.Series(~date_blank & occurred.isna().to_numpy(), index=idx)
    res_raw = _cell(table, cols, "resolved_at")
    if "resolved_at" in cols:
        resolved = parse_datetimes(res_raw, timezone=station.timezone)
        res_unread = pd.Series(~_blank(res_raw) & resolved.isna().to_numpy(), index=idx)
    else:  # no column: nothing to parse, nor a column of blanks to scan
        resolved = pd.Series(pd.NaT, index=idx, dtype=occurred.dtype)
        res_unread = pd.Series(np.zeros(n, bool), index=idx)
    order = (
        detect_date_order(date_raw[unread], res_raw[res_unread], given=day_first)
        if unread.any() or res_unread.any()
        else None
    )
    if order is not None and order.day_first is not None:
        if unread.any():
            occurred[unread] = read_dates(unread, order.day_first)
        if res_unread.any():
            resolved[res_unread] = parse_datetimes(
                res_raw[res_unread], timezone=station.timezone, day_first=order.day_first
            )
    now = now if now is not None else pd.Timestamp.now(tz=station.timezone)
    earliest = pd.Timestamp(EARLIEST_DAY, tz=station.timezone)
    date_bad = ~date_blank & occurred.isna().to_numpy()
    # Year-last dates left unread because the file cannot tell their order: said so.
    undecided = np.zeros(n, bool)
    if order is not None and order.day_first is None and date_bad.any():
        undecided[date_bad] = day_month_cells(date_raw[date_bad])
    conflict = order is not None and order.reason == "conflict"
    order_reason = "date_order_conflict" if conflict else "ambiguous_date"
    date_range = occurred.notna().to_numpy() & (
        (occurred < earliest) | (occurred > now + pd.Timedelta(days=1))
    ).to_numpy(dtype=bool)
    reasons += [
        (date_blank, "missing_date", date_raw),
        (undecided, order_reason, date_raw),
        (date_bad & ~undecided, "bad_date", date_raw),
        (date_range, "date_out_of_range", date_raw),
    ]

    # Coordinates: lat/lon first, then x/y, then the gazetteer.
    report(0.4, "coordinates")
    coords: Coordinates | None = None
    from_xy = np.zeros(n, bool)  # rows whose coordinates are their x/y cells
    if has_ll:
        coords = from_lonlat(_cell(table, cols, "lon"), _cell(table, cols, "lat"))
    if has_xy:
        xy = from_projected(_cell(table, cols, "x"), _cell(table, cols, "y"), geo)
        if coords is None:
            coords, from_xy = xy, np.ones(n, bool)
        else:
            # Fill rows with no lat/lon from x/y.
            use = ~np.isfinite(coords.lon) & ~coords.bad
            coords.lon = np.where(use, xy.lon, coords.lon)
            coords.lat = np.where(use, xy.lat, coords.lat)
            coords.method = np.where(use, xy.method, coords.method)
            coords.bad = coords.bad | (use & xy.bad)
            coords.not_in_korea = coords.not_in_korea | (use & xy.not_in_korea)
            coords.crs = coords.crs if xy.crs is None else f"{coords.crs}+{xy.crs}"
            coords.xy_swapped = xy.xy_swapped
            from_xy = use
    if coords is None:
        coords = Coordinates(
            lon=np.full(n, np.nan),
            lat=np.full(n, np.nan),
            method=np.full(n, None, dtype=object),
            bad=np.zeros(n, bool),
            not_in_korea=np.zeros(n, bool),
        )
    if coords.x_m is not None and coords.crs == station.analysis_crs:
        x, y = coords.x_m.copy(), coords.y_m.copy()
    else:
        x, y = geo.to_analysis(coords.lon, coords.lat)
        x = np.where(np.isfinite(coords.lon), x, np.nan)
        y = np.where(np.isfinite(coords.lat), y, np.nan)
    method = coords.method.copy()
    match = np.full(n, None, dtype=object)
    score = np.where(np.isfinite(x), 1.0, np.nan)

    place_raw = _cell(table, cols, "location_text")
    place_text = _text(place_raw)
    need_place = ~np.isfinite(x) & ~coords.bad & ~coords.not_in_korea
    place_blank = _blank(place_raw)
    gaz_rows = np.flatnonzero(need_place & ~place_blank)
    report(0.55, "gazetteer")
    if len(gaz_rows):
        found = Gazetteer(geo).match(place_text.iloc[gaz_rows])
        x[gaz_rows] = found["x"].to_numpy()
        y[gaz_rows] = found["y"].to_numpy()
        match[gaz_rows] = found["match"].to_numpy()
        score[gaz_rows] = found["score"].to_numpy()
        ok = np.isfinite(found["x"].to_numpy())
        method[gaz_rows[ok]] = GEOCODE_GAZETTEER
        lon_g, lat_g = geo.to_geographic(x[gaz_rows[ok]], y[gaz_rows[ok]])
        coords.lon[gaz_rows[ok]] = lon_g
        coords.lat[gaz_rows[ok]] = lat_g
    not_found = need_place & ~place_blank & ~np.isfinite(x)
    coord_raw = _coordinate_cells(table, cols, coords.bad | coords.not_in_korea, from_xy)
    reasons += [
        (coords.bad, "bad_coordinates", coord_raw),
        (coords.not_in_korea, "coordinates_not_in_korea", coord_raw),
        (need_place & place_blank, "missing_location", place_raw),
        (not_found, "place_not_found", place_raw),
    ]

    report(0.7, "fields")
    cat_raw = _text(_cell(table, cols, "category"))
    desc = _text(_cell(table, cols, "description"))
    cats = categorise(cat_raw if "category" in cols else desc, source)
    out = pd.DataFrame(
        {
            "row_number": table.row_numbers,
            "source": source,
            # Any column can be mapped by hand: ids and box names are masked like text.
            "source_record_id": _per_unique(_text(_cell(table, cols, "record_id")), mask_series),
            "occurred_at": occurred,
            "category": cats["category"],
            "category_label": cats["category_label"],
            "category_raw": _per_unique(cat_raw, mask_series),
            "lat": coords.lat,
            "lon": coords.lon,
            "x": x,
            "y": y,
            "location_text": _per_unique(place_text, mask_series),
            "geocode_method": method,
            "geocode_match": match,
            "geocode_score": score,
            "description": _per_unique(desc, mask_series),
        },
        index=idx,
    )
    if source == "suggestion":
        slots = parse_time_slots(_cell(table, cols, "time_slot"))
        out["slot_start_hour"] = slots["slot_start_hour"].to_numpy()
        out["slot_end_hour"] = slots["slot_end_hour"].to_numpy()
        out["box_id"] = _per_unique(_text(_cell(table, cols, "box_id")), mask_series)
    elif source == "complaint":
        res_bad = ~_blank(res_raw) & resolved.isna().to_numpy()
        status, status_bad = _normalise_status(
            _cell(table, cols, "status"), resolved.notna().to_numpy()
        )
        early = (
            resolved.notna() & occurred.notna() & (resolved.dt.floor("D") < occurred.dt.floor("D"))
        ).to_numpy(dtype=bool)
        reasons += [
            (status_bad, "bad_status", _cell(table, cols, "status")),
            (res_bad, "bad_resolved_at", res_raw),
            (early, "resolved_before_received", res_raw),
        ]
        out["status"] = status
        out["agency"] = _per_unique(_text(_cell(table, cols, "agency")), mask_series)
        out["resolved_at"] = resolved
    else:
        prio = _normalise_priority(_cell(table, cols, "priority"))
        out["priority_code"] = prio
        # An urgent code (C0/C1) makes any incident high severity.
        out["severity"] = cats["severity"].where(~prio.isin(["C0", "C1"]), "high")

    # A free-text cell pasted a thousand times over: that row is rejected, not the file.
    too_long, long_params = _over_long_cells(frame, limits.max_cell_chars)
    reasons.append((too_long, "cell_too_long", long_params))

    # Rejections: every reason a row has, in the order above.
    report(0.85, "validate")
    rejected_mask = np.zeros(n, bool)
    for mask, _, _ in reasons:
        rejected_mask |= mask
    rejected: list[RejectedRow] = []
    for i in np.flatnonzero(rejected_mask):
        codes = [(code, _reason_params(vals.iloc[i])) for mask, code, vals in reasons if mask[i]]
        ko = "; ".join(message(f"reason.{c}", "ko", **p) for c, p in codes)
        en = "; ".join(message(f"reason.{c}", "en", **p) for c, p in codes)
        # The stored copy of an over-long cell is cut at the cap: it is evidence, not data.
        raw = {
            str(k): mask_pii(_show(v)[: limits.max_cell_chars]) for k, v in frame.iloc[i].items()
        }
        rejected.append(RejectedRow(int(table.row_numbers[i]), codes[0][0], ko, en, raw))

    # Masks that drop nothing copy nothing: a clean million-row file is the common case.
    good = out.loc[~rejected_mask].copy() if rejected_mask.any() else out
    keys = _event_keys(source, good)
    good["event_id"] = event_id_text(keys, source)
    # Told apart by their keys: numbers hash five times faster than the ids' text.
    dup_in_file = pd.Series(keys, index=good.index).duplicated(keep="first")
    if dup_in_file.any():
        good = good.loc[~dup_in_file]
    township = geo.township_index(good["x"].to_numpy(), good["y"].to_numpy())
    good["emd"] = _spread(geo.townships["emd"], township, good.index)
    good["police_unit"] = _spread(geo.townships["police_unit"], township, good.index)
    good["inside_station"] = township >= 0
    report(1.0, "prepared")
    return PreparedFile(
        table=table,
        source=source,
        file_name=file_name,
        columns=cols,
        unused_columns=unused,
        events=good,
        rejected=rejected,
        crs=coords.crs,
        xy_swapped=coords.xy_swapped,
        latlon_swapped_rows=coords.swapped_rows,
        duplicates_in_file=int(dup_in_file.sum()),
        gazetteer_rows=int((good["geocode_method"] == GEOCODE_GAZETTEER).sum()),
        township_level_rows=int((good["geocode_score"] < 0.5).sum()),
        outside_station=int((~good["inside_station"]).sum()),
        date_order=order,
    )


def _over_long_cells(frame: pd.DataFrame, limit: int) -> tuple[np.ndarray, pd.Series]:
    """Rows with a cell over ``limit`` characters, and each such row's message
    parameters (the first such column, its length and the limit)."""
    mask = np.zeros(len(frame), bool)
    params: list[dict | None] = [None] * len(frame)
    for col in frame.columns:
        try:
            # Non-text cells (numbers, dates from XLSX) give NaN: only text can be long.
            lengths = frame[col].str.len()
        except AttributeError:
            continue  # a column with no text at all
        lengths = lengths.fillna(0).to_numpy(dtype=float)
        new = (lengths > limit) & ~mask
        for i in np.flatnonzero(new):
            params[i] = {"column": str(col), "length": int(lengths[i]), "limit": limit}
        mask |= new
    return mask, pd.Series(params, index=frame.index, dtype=object)


def _reason_params(value) -> dict:
    """A rejection message's parameters: given as a dict, or the offending cell (masked)."""
    if isinstance(value, dict):
        return value
    return {"value": mask_pii(_show(value))}


def _show(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _new_batch_id(sha256: str, timezone: str) -> str:
    """The import's time in ``timezone`` and a salted hash of the file: ``20171013-083000-1a2b3c``."""
    stamp = pd.Timestamp.now(tz=timezone).strftime("%Y%m%d-%H%M%S")
    salt = hashlib.sha256(f"{sha256}{time.time_ns()}".encode()).hexdigest()[:6]
    return f"{stamp}-{salt}"


def batch_record(
    prepared, *, batch_id: str, source: str, synthetic: bool, station
) -> store.BatchRecord:
    """The batch record of a prepared file (events' :class:`PreparedFile` or facilities'
    ``PreparedFacilities``: a ``table``, ``file_name``, ``crs`` and ``rejected``)."""
    table = prepared.table
    return store.BatchRecord(
        batch_id=batch_id,
        source=source,
        file_name=prepared.file_name,
        file_sha256=table.sha256,
        sheet=table.sheet,
        encoding=table.encoding,
        crs=prepared.crs,
        rows_total=len(table.frame),
        rows_rejected=len(prepared.rejected),
        synthetic=synthetic,
        station=station_id(station),
    )


def import_file(
    file: str | Path | bytes,
    *,
    source: str,
    db: sa.Engine,
    station: StationConfig | None = None,
    sheet: str | None = None,
    mapping: dict[str, str] | str | Path | None = None,
    file_name: str | None = None,
    synthetic: bool = False,
    now: pd.Timestamp | None = None,
    progress: Progress | None = None,
    in_transaction: Callable[[sa.Connection, ImportResult], None] | None = None,
    day_first: bool | None = None,
) -> ImportResult:
    """Import an export into the store: all of its usable rows land, or nothing does.

    Rows already in the store (same ``event_id``) are skipped and counted. Rows that
    cannot be used are stored in ``rejected_rows`` with their row number and reason.

    Parameters are those of :func:`prepare_file`, plus:

    db : sqlalchemy.Engine
        From :func:`analytics.storage.store.open_store`.
    synthetic : bool, default False
        Marks the batch as synthetic demo data.
    in_transaction : callable, optional
        Called as ``in_transaction(conn, result)`` after the rows are written, inside
        the import's write transaction: what it writes lands with the import (the
        audit entry, see :func:`analytics.access.audit.audited_import`), and if it raises,
        nothing lands.

    Raises
    ------
    ImportFileError
        The file cannot be read, has no usable columns, or the store stayed busy.
    """
    t0 = time.perf_counter()
    prepared = prepare_file(
        file,
        source=source,
        station=station,
        sheet=sheet,
        mapping=mapping,
        file_name=file_name,
        now=now,
        progress=(lambda f, s: progress(0.8 * f, s)) if progress else None,
        day_first=day_first,
    )
    table = prepared.table
    batch_id = _new_batch_id(table.sha256, (station or default_station()).timezone)
    frame = prepared.events
    if progress:
        progress(0.85, "write")
    try:
        with (
            store.stage_events(db, frame, batch_id) as staged,
            connection.write_transaction(db, attach=staged.attach) as conn,
        ):
            stats = store.write_batch(
                conn,
                batch_record(
                    prepared, batch_id=batch_id, source=source, synthetic=synthetic, station=station
                ),
                frame,
                [asdict(r) for r in prepared.rejected],
                staged=staged,
            )
            result = ImportResult(
                batch_id=batch_id,
                source=source,
                file_name=prepared.file_name,
                file_sha256=table.sha256,
                file_kind=table.file_kind,
                encoding=table.encoding,
                sheet=table.sheet,
                header_row=table.header_row,
                columns=prepared.columns,
                unused_columns=prepared.unused_columns,
                crs=prepared.crs,
                xy_swapped=prepared.xy_swapped,
                latlon_swapped_rows=prepared.latlon_swapped_rows,
                rows_total=len(table.frame),
                imported=stats["imported"],
                duplicates_in_store=len(frame) - stats["imported"],
                duplicates_in_file=prepared.duplicates_in_file,
                rejected=prepared.rejected,
                gazetteer_rows=stats["gazetteer"],
                township_level_rows=stats["township_level"],
                outside_station=stats["outside_station"],
                blank_rows=table.blank_rows,
                synthetic=synthetic,
                date_order=prepared.date_order.code if prepared.date_order else None,
                date_order_reason=prepared.date_order.reason if prepared.date_order else None,
                date_order_cells=prepared.date_order.cells if prepared.date_order else 0,
            )
            summary = result.to_dict()
            summary.pop("rejected")
            store.finish_batch(conn, batch_id, rows_duplicate=result.duplicates, summary=summary)
            if in_transaction is not None:
                in_transaction(conn, result)
    except connection.StoreBusyError as exc:
        raise ImportFileError("error.busy") from exc
    result.elapsed_s = time.perf_counter() - t0
    if progress:
        progress(1.0, "done")
    return result
