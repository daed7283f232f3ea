"""Public safety facility layers from the public data portal's national standard data.

Five files, often CP949, one kind each (``kind``, also the batch's ``source``):

``cctv``
    전국CCTV표준데이터: 관리기관명, 소재지도로명주소, 소재지지번주소, 설치목적구분,
    카메라대수, 카메라화소수, 촬영방면정보, 보관일수, 설치연월, 관리기관전화번호,
    WGS84위도, WGS84경도, 데이터기준일자.
``streetlight``
    전국보안등정보표준데이터: 보안등위치명, 설치개수, 소재지도로명주소, 소재지지번주소,
    위도, 경도, 설치연도, 설치형태, 관리기관전화번호, 관리기관명, 데이터기준일자.
``bell``
    전국안전비상벨위치표준데이터: 설치목적, 설치장소유형, 소재지도로명주소,
    소재지지번주소, WGS84위도, WGS84경도, 연계방식, 경찰연계유무, 관리기관명,
    관리기관전화번호, 데이터기준일자.
``childzone`` and ``safehouse``
    전국어린이보호구역표준데이터 and 여성안심지킴이집, where a station has them (their
    own header names: :mod:`analytics.storage.importers.facility_headers`).

The file is read as every export is (:func:`analytics.storage.importers.reading.read_table`:
encodings, CSV or XLSX, title rows) and its headers matched as
:mod:`analytics.storage.importers.headers` does (folded keys, synonyms in order). Some
publishers write projected metres (EPSG:5179, 5186, 2097 …) into the WGS84 columns:
rows whose values are no degrees are read as x/y in the CRS that puts the most of them
inside the station (:func:`analytics.storage.importers.coords.from_projected`), and the
report says so. Every row lands or is rejected with its row number and a Korean and
English reason (no coordinates, coordinates that are no numbers or not in Korea, a point
outside the station, a count that is no whole number); its cells are kept, masked, but
for a row rejected only as outside the station (another station's facility: a
national file has a million of them). A facility already stored, or twice in the file,
is skipped. Free
text is masked (:func:`analytics.access.masking.mask_pii`); the agency's phone number is
not stored at all.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analytics.access.masking import mask_series
from analytics.station.config import StationConfig, default_station
from analytics.station.geo import load_geography, transformer
from analytics.storage import connection, store
from analytics.storage.facilities import (
    FACILITY_KINDS,
    content_keys,
    stored_duplicates,
    write_facilities,
)
from analytics.storage.importers.coords import (
    Coordinates,
    from_lonlat,
    from_projected,
    to_number,
)
from analytics.storage.importers.core import (
    ImportResult,
    RejectedRow,
    _new_batch_id,
    _over_long_cells,
    batch_record,
)
from analytics.storage.importers.dates import parse_datetimes
from analytics.storage.importers.errors import ImportFileError
from analytics.storage.importers.facility_headers import (
    ID_PREFIX,
    kind_keys,
    kind_synonyms,
)
from analytics.storage.importers.headers import header_keys
from analytics.storage.importers.reading import RawTable, read_table
from analytics.text import text as message

# Fields written to the store (phone is not).
STORED_TEXT = ("name", "road_address", "lot_address", "purpose", "installed", "agency")
# Where projected metres in the WGS84 columns may come from: the station's candidates,
# then the old Bessel central belt some municipal systems still write.
EXTRA_CRS = ("EPSG:2097",)
OUTSIDE_REASON = "facility_reason.outside_station"
# Values no longitude or latitude can have: the column holds metres.
_DEGREES = 180.0


def map_headers(
    headers: list[str], keys: dict[str, tuple[str, int]], *, never: tuple[str, ...] = ()
) -> tuple[dict[str, str], list[str]]:
    """``({field: header}, unused headers)``: each header's folded keys, in order, looked
    up in ``keys`` (:func:`~analytics.storage.importers.facility_headers.synonym_keys`);
    of two headers naming one field, the one whose synonym comes first wins (the first
    column on a tie). Fields in ``never`` are recognised but left unused."""
    best: dict[str, tuple[int, int, str]] = {}
    for pos, header in enumerate(headers):
        for key in header_keys(header):
            if key in keys:
                fld, rank = keys[key]
                if fld not in best or (rank, pos) < best[fld][:2]:
                    best[fld] = (rank, pos, header)
                break
    mapping = {f: h for f, (_, _, h) in best.items() if f not in never}
    used = set(mapping.values())
    return mapping, [str(h) for h in headers if h not in used]


def map_facility_headers(
    headers: list[str], kind: str = "cctv"
) -> tuple[dict[str, str], list[str]]:
    """:func:`map_headers` with ``kind``'s synonyms (:func:`kind_synonyms`); the phone
    column is unused."""
    return map_headers(headers, kind_keys(kind), never=("phone",))


@dataclass
class PreparedFacilities:
    """A facility file read and checked, nothing written. ``rows`` are the facilities
    to write (new in the file; ``row_number`` kept), ``rejected`` the rows that cannot be."""

    table: RawTable
    kind: str
    file_name: str
    columns: dict[str, str]
    unused_columns: list[str]
    rows: pd.DataFrame
    rejected: list[RejectedRow]
    crs: str | None
    projected_rows: int = 0  # rows whose WGS84 columns held metres
    projected_crs: str | None = None
    latlon_swapped_rows: int = 0
    duplicates_in_file: int = 0
    notes: list[str] = field(default_factory=list)


def _text(values: pd.Series) -> pd.Series:
    s = values.astype("string").str.strip()
    return s.where(s != "")


def _column(table: RawTable, cols: dict, fld: str) -> pd.Series:
    if fld in cols:
        return table.frame[cols[fld]]
    return pd.Series([None] * len(table.frame), index=table.frame.index, dtype=object)


def _candidates(geo) -> tuple[str, ...]:
    own = tuple(geo.station.candidate_crs)
    return own + tuple(c for c in EXTRA_CRS if c not in own)


def _crs_read(method: np.ndarray) -> str | None:
    """The CRSs the rows were read in, as the batch records it: ``EPSG:4326`` for
    degrees, the projected CRS for metres, joined by ``+`` when a file mixes them."""
    used = ["EPSG:4326"] if (method == "given").any() else []
    for m in pd.unique(method[pd.notna(method)]):
        if str(m).startswith("projected:"):
            used.append(str(m).split(":", 1)[1])
    return "+".join(used) or None


def _coordinates(
    table: RawTable, cols: dict, geo
) -> tuple[Coordinates, pd.Series, int, str | None, list[str]]:
    """Each row's point (degrees), its raw text for a rejection, how many rows held
    projected metres in the degree columns and in which CRS, and the other candidate
    CRSs that would place them inside the station as well."""
    idx = table.frame.index
    n = len(idx)
    coords = Coordinates(
        lon=np.full(n, np.nan),
        lat=np.full(n, np.nan),
        method=np.full(n, None, dtype=object),
        bad=np.zeros(n, bool),
        not_in_korea=np.zeros(n, bool),
    )
    raw = pd.Series([""] * n, index=idx, dtype=object)
    projected, projected_crs, alternatives = 0, None, []
    if "lat" in cols and "lon" in cols:
        lon_raw, lat_raw = _column(table, cols, "lon"), _column(table, cols, "lat")
        raw = _text(lat_raw).fillna("") + ", " + _text(lon_raw).fillna("")
        coords = from_lonlat(lon_raw, lat_raw)
        lon_n, _ = to_number(lon_raw)
        lat_n, _ = to_number(lat_raw)
        metres = (
            np.isfinite(lon_n)
            & np.isfinite(lat_n)
            & ((np.abs(lon_n) > _DEGREES) | (np.abs(lat_n) > _DEGREES))
        )
        if metres.any():
            # The 경도 column holds eastings, 위도 northings (or the other way round:
            # from_projected tries both orders).
            rows = np.flatnonzero(metres)
            xy = from_projected(lon_raw.iloc[rows], lat_raw.iloc[rows], geo, _candidates(geo))
            coords.lon[rows] = xy.lon
            coords.lat[rows] = xy.lat
            coords.method[rows] = xy.method
            coords.not_in_korea[rows] = xy.not_in_korea | ~np.isfinite(xy.lon)
            projected, projected_crs = int(np.isfinite(xy.lon).sum()), xy.crs
            alternatives = _equally_good(xy, geo)
    if "x" in cols and "y" in cols:
        use = ~np.isfinite(coords.lon) & ~coords.bad & ~coords.not_in_korea
        if use.any():
            rows = np.flatnonzero(use)
            x_raw, y_raw = _column(table, cols, "x"), _column(table, cols, "y")
            xy = from_projected(x_raw.iloc[rows], y_raw.iloc[rows], geo, _candidates(geo))
            coords.lon[rows] = xy.lon
            coords.lat[rows] = xy.lat
            coords.method[rows] = xy.method
            coords.bad[rows] = xy.bad
            coords.not_in_korea[rows] = xy.not_in_korea
            raw.iloc[rows] = (
                _text(x_raw.iloc[rows]).fillna("") + ", " + _text(y_raw.iloc[rows]).fillna("")
            ).to_numpy()
            if xy.crs and not projected_crs:
                projected_crs = xy.crs
    return coords, raw, projected, projected_crs, alternatives


# Two CRSs that place the points this far apart or more are told apart in the report.
_AMBIGUOUS_M = 50.0


def _equally_good(xy: Coordinates, geo) -> list[str]:
    """Other candidate CRSs that put as many of the points inside the station as the
    chosen one but somewhere else (EPSG:5181 and EPSG:2097 differ only by their datum,
    about 360 m in Namwon): the numbers alone cannot tell them apart, so the report
    names them."""
    if xy.crs is None or xy.x_m is None:
        return []
    ok = np.flatnonzero(np.isfinite(xy.x_m) & np.isfinite(xy.y_m))[:2000]
    a, b = xy.x_m[ok], xy.y_m[ok]
    x0, y0 = geo.to_analysis(xy.lon[ok], xy.lat[ok])
    best = geo.contains_lonlat_count(xy.lon[ok], xy.lat[ok])
    out = []
    for crs in _candidates(geo):
        if crs == xy.crs:
            continue
        lon, lat = transformer(crs, geo.station.geographic_crs).transform(a, b)
        if geo.contains_lonlat_count(lon, lat) < best:
            continue
        x1, y1 = geo.to_analysis(lon, lat)
        if np.nanmedian(np.hypot(x1 - x0, y1 - y0)) >= _AMBIGUOUS_M:
            out.append(crs)
    return out


def _facility_ids(kind: str, rows: pd.DataFrame) -> list[str]:
    """Stable ids from what the facility is: its kind, point (to the metre), name,
    addresses, count and purpose. The same facility read again (another encoding, a
    later publication) gets the same id; one whose point moved by a few centimetres
    (other decimals) is told a duplicate by :func:`~analytics.storage.facilities.stored_duplicates`."""
    key = (
        kind
        + "|"
        + rows["x"].round(0).astype(str)
        + "|"
        + rows["y"].round(0).astype(str)
        + content_keys(rows)
    )
    prefix = ID_PREFIX[kind]
    return [f"{prefix}_{hashlib.sha1(k.encode()).hexdigest()[:16]}" for k in key]


def _reference_dates(raw: pd.Series, station: StationConfig, now: pd.Timestamp) -> pd.Series:
    """데이터기준일자 as ``YYYY-MM-DD`` (None when unreadable or after ``now``)."""
    parsed = parse_datetimes(raw, timezone=station.timezone)
    ok = parsed.notna() & (parsed <= now + pd.Timedelta(days=1))
    text = parsed.dt.strftime("%Y-%m-%d")
    return text.where(ok, None).astype(object)


@dataclass
class PointTable:
    """A layer file read, its headers mapped and each row's point found (degrees and
    metres in the analysis CRS; NaN where none): what :func:`read_points` gives."""

    table: RawTable
    file_name: str
    columns: dict[str, str]
    unused: list[str]
    coords: Coordinates
    coord_raw: pd.Series
    have: np.ndarray
    x: np.ndarray
    y: np.ndarray
    inside: np.ndarray
    projected: int
    projected_crs: str | None
    alternatives: list[str]


def read_points(
    data: str | Path | bytes,
    *,
    source: str,
    station: StationConfig,
    file_name: str | None,
    sheet: str | None,
    synonyms: dict[str, tuple[str, ...]],
    keys: dict[str, tuple[str, int]],
    never: tuple[str, ...] = (),
) -> PointTable:
    """Read a file of points (a facility layer, officers' places) as every export is
    read, map its headers by ``synonyms`` (``keys``: their
    :func:`~analytics.storage.importers.facility_headers.synonym_keys`) and
    find each row's point, projected metres in the WGS84 columns included.

    Raises
    ------
    ImportFileError
        The file cannot be read, or it has no coordinate columns.
    """
    geo = load_geography(station)
    if file_name is None:
        file_name = "upload" if isinstance(data, bytes) else Path(data).name
    known = frozenset(name for names in synonyms.values() for name in names)
    table = read_table(
        data,
        source=source,
        sheet=sheet,
        file_name=file_name,
        known_headers=known,
        limits=station.import_limits,
    )
    cols, unused = map_headers(list(table.frame.columns), keys, never=never)
    if not (("lat" in cols and "lon" in cols) or ("x" in cols and "y" in cols)):
        raise ImportFileError(
            "error.facility_no_coordinates", columns=", ".join(map(str, table.frame.columns))
        )
    coords, coord_raw, projected, projected_crs, alternatives = _coordinates(table, cols, geo)
    have = np.isfinite(coords.lon) & np.isfinite(coords.lat)
    x, y = geo.to_analysis(coords.lon, coords.lat)
    x = np.where(have, x, np.nan)
    y = np.where(have, y, np.nan)
    return PointTable(
        table=table,
        file_name=file_name,
        columns=cols,
        unused=unused,
        coords=coords,
        coord_raw=coord_raw,
        have=have,
        x=x,
        y=y,
        inside=geo.township_index(x, y) >= 0,
        projected=projected,
        projected_crs=projected_crs,
        alternatives=alternatives,
    )


def coordinate_reasons(read: PointTable, outside_reason: str = OUTSIDE_REASON) -> list:
    """The rejection reasons of :func:`read_points`' rows: no, bad, foreign or outside points."""
    coords, raw, have = read.coords, read.coord_raw, read.have
    return [
        (~have & ~coords.bad & ~coords.not_in_korea, "facility_reason.missing_coordinates", raw),
        (coords.bad, "reason.bad_coordinates", raw),
        (coords.not_in_korea, "reason.coordinates_not_in_korea", raw),
        (have & ~read.inside, outside_reason, raw),
    ]


def reject_rows(read: PointTable, reasons: list, limits) -> tuple[np.ndarray, list[RejectedRow]]:
    """(which rows are rejected, their :class:`RejectedRow`) for ``reasons`` (``(mask,
    catalogue key, the cell it quotes)``) and cells over the station's length cap."""
    frame = read.table.frame
    too_long, long_params = _over_long_cells(frame, limits.max_cell_chars)
    reasons = [*reasons, (too_long, "reason.cell_too_long", long_params)]
    rejected_mask = np.zeros(len(frame), bool)
    for mask, _, _ in reasons:
        rejected_mask |= mask
    rejected = _rejected_rows(frame, read.table.row_numbers, rejected_mask, reasons, limits)
    return rejected_mask, rejected


def layer_notes(read: PointTable) -> list[str]:
    """The notes of a read: projected metres in the WGS84 columns, and an ambiguous CRS."""
    notes = []
    if read.projected:
        notes.append("projected_in_wgs84")
    if read.alternatives:
        notes.append("projected_ambiguous:" + ",".join(read.alternatives))
    return notes


def prepare_facilities(
    data: str | Path | bytes,
    *,
    kind: str,
    station: StationConfig | None = None,
    file_name: str | None = None,
    sheet: str | None = None,
    now: pd.Timestamp | None = None,
) -> PreparedFacilities:
    """Read and check a facility file without writing anything (the data page's preview).

    Parameters are those of :func:`import_facilities`.

    Raises
    ------
    ImportFileError
        The kind is unknown, the file cannot be read, or it has no coordinate columns.
    """
    if kind not in FACILITY_KINDS:
        raise ImportFileError("error.unknown_facility_kind", value=kind)
    station = station or default_station()
    now = now if now is not None else pd.Timestamp.now(tz=station.timezone)
    limits = station.import_limits
    read = read_points(
        data,
        source=kind,
        station=station,
        file_name=file_name,
        sheet=sheet,
        synonyms=kind_synonyms(kind),
        keys=kind_keys(kind),
        never=("phone",),
    )
    table, cols = read.table, read.columns
    frame = table.frame

    count_raw = _column(table, cols, "count")
    count, count_bad = to_number(count_raw)
    count_bad = count_bad | (np.isfinite(count) & ((count < 1) | (count != np.round(count))))
    count = np.where(np.isfinite(count) & ~count_bad, count, 1).astype(np.int64)

    rejected_mask, rejected = reject_rows(
        read,
        [
            *coordinate_reasons(read),
            (count_bad, "facility_reason.bad_count", count_raw),
        ],
        limits,
    )

    texts = {f: mask_series(_text(_column(table, cols, f))) for f in (*STORED_TEXT, "place_type")}
    name = texts["name"].where(texts["name"].notna(), texts["place_type"])
    out = pd.DataFrame(
        {
            "row_number": table.row_numbers,
            "kind": kind,
            "name": name,
            "road_address": texts["road_address"],
            "lot_address": texts["lot_address"],
            "x": read.x,
            "y": read.y,
            "lat": read.coords.lat,
            "lon": read.coords.lon,
            "count": count,
            "purpose": texts["purpose"],
            "installed": texts["installed"],
            "reference_date": _reference_dates(
                _column(table, cols, "reference_date"), station, now
            ),
            "agency": texts["agency"],
        },
        index=frame.index,
    )
    for c in ("name", "road_address", "lot_address", "purpose", "installed", "agency"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    good = out.loc[~rejected_mask].copy()
    good["facility_id"] = _facility_ids(kind, good) if len(good) else []
    return prepared_layer(read, kind, good, rejected, id_column="facility_id")


def prepared_layer(
    read: PointTable, kind: str, good: pd.DataFrame, rejected: list[RejectedRow], *, id_column: str
) -> PreparedFacilities:
    """The :class:`PreparedFacilities` of a read layer file: ``good`` (its rows not
    rejected, with their ids in ``id_column``) less the repeats of an id in the file."""
    dup = good[id_column].duplicated(keep="first")
    return PreparedFacilities(
        table=read.table,
        kind=kind,
        file_name=read.file_name,
        columns=read.columns,
        unused_columns=read.unused,
        rows=good.loc[~dup],
        rejected=rejected,
        crs=_crs_read(read.coords.method),
        projected_rows=read.projected,
        projected_crs=read.projected_crs if read.projected else None,
        latlon_swapped_rows=read.coords.swapped_rows,
        duplicates_in_file=int(dup.sum()),
        notes=layer_notes(read),
    )


def _rejected_rows(frame, row_numbers, rejected_mask, reasons, limits) -> list[RejectedRow]:
    """The rejected rows with their reasons and masked cells, masked column by column: a
    national file rejects most of its rows as outside the station, so nothing here
    may cost a Python call per cell."""
    rows = np.flatnonzero(rejected_mask)
    if not len(rows):
        return []
    # A row rejected only for standing outside the station is another station's public
    # facility: its row number and point are said, its cells not kept (a national file
    # would fill the store with them).
    other = np.zeros(len(rows), bool)
    for mask, key, _ in reasons:
        if key == OUTSIDE_REASON:
            other = mask[rows].copy()
    for mask, key, _ in reasons:
        if key != OUTSIDE_REASON:
            other &= ~mask[rows]
    keep = rows[~other]
    cap = limits.max_cell_chars
    sub = frame.iloc[keep]
    cells = {
        str(c): mask_series(sub[c].astype("string").fillna("").str.slice(0, cap))
        .fillna("")
        .to_numpy(dtype=object)
        for c in sub.columns
    }
    kept = iter(pd.DataFrame(cells).to_dict("records"))
    raws = [{} if o else next(kept) for o in other]
    # The cell each reason quotes, masked once per reason for the rejected rows.
    quoted = []
    for mask, key, vals in reasons:
        vals = vals.iloc[rows]
        if vals.map(lambda v: isinstance(v, dict)).any():
            quoted.append((mask[rows], key, vals.tolist()))
        else:
            shown = mask_series(vals.astype("string").fillna("")).fillna("")
            quoted.append((mask[rows], key, [{"value": v} for v in shown]))
    texts: dict[tuple, tuple[str, str]] = {}
    out = []
    for j, i in enumerate(rows):
        codes = tuple(
            (key, tuple(sorted(params[j].items()))) for mask, key, params in quoted if mask[j]
        )
        if codes not in texts:  # a national file says "outside" with few distinct cells
            texts[codes] = tuple(
                "; ".join(message(k, lang, **dict(p)) for k, p in codes) for lang in ("ko", "en")
            )
        ko, en = texts[codes]
        code = codes[0][0].split(".", 1)[1]
        out.append(RejectedRow(int(row_numbers[i]), code, ko, en, raws[j]))
    return out


def facility_notes(result: ImportResult | PreparedFacilities, lang: str) -> list[str]:
    """The sentences a facility import's ``notes`` stand for (the CLI and the data page):
    of its result, or of the prepared file (the preview); an event import has none."""
    out = []
    for note in result.notes:
        if note == "projected_in_wgs84":
            out.append(
                message(
                    "facility_import.projected_in_wgs84",
                    lang,
                    n=getattr(result, "projected_rows", 0),
                    crs=result.crs or "-",
                )
            )
        elif note.startswith("projected_ambiguous:"):
            others = note.split(":", 1)[1].replace(",", ", ")
            out.append(
                message("facility_import.projected_ambiguous", lang, crs=result.crs, others=others)
            )
    return out


@dataclass
class FacilityImportResult(ImportResult):
    """What a facility import did: an :class:`ImportResult` (``source`` is the kind)
    with how many rows held projected metres in the WGS84 columns."""

    projected_rows: int = 0


def import_facilities(
    data: str | Path | bytes,
    *,
    kind: str,
    db: sa.Engine,
    file_name: str | None = None,
    now: pd.Timestamp | None = None,
    station: StationConfig | None = None,
    sheet: str | None = None,
    synthetic: bool = False,
    in_transaction: Callable[[sa.Connection, ImportResult], None] | None = None,
) -> FacilityImportResult:
    """Import one facility file as one batch: every usable row lands, or nothing does.

    Parameters
    ----------
    data : bytes or path
        A CSV (UTF-8, UTF-8 BOM, CP949) or XLSX standard-data file.
    kind : {'cctv', 'streetlight', 'bell', 'childzone', 'safehouse'}
    db : sqlalchemy.Engine
    file_name : str, optional
        The name to record; defaults to the path's name ("upload" for bytes).
    now : Timestamp, optional
        Today (tests pin it): a 데이터기준일자 after it is not kept.
    station : StationConfig, optional
        Defaults to the configured station; its boundary decides what is outside.
    sheet : str, optional
        An XLSX's sheet.
    synthetic : bool, default False
        Marks the batch as synthetic demo data.
    in_transaction : callable, optional
        ``in_transaction(conn, result)`` inside the write transaction (the audit entry).

    Returns
    -------
    FacilityImportResult

    Raises
    ------
    ImportFileError
        The file cannot be read, has no coordinate columns, or the store stayed busy:
        nothing is written.
    """
    t0 = time.perf_counter()
    station = station or default_station()
    prepared = prepare_facilities(
        data, kind=kind, station=station, file_name=file_name, sheet=sheet, now=now
    )

    def write(conn: sa.Connection, batch_id: str, rows: pd.DataFrame) -> int:
        new = rows.loc[~stored_duplicates(conn, rows, kind=kind, station=station)]
        return write_facilities(conn, batch_id, new, station=station)

    result = import_prepared(
        prepared,
        db=db,
        station=station,
        write=write,
        synthetic=synthetic,
        in_transaction=in_transaction,
    )
    result.elapsed_s = time.perf_counter() - t0
    return result


def import_prepared(
    prepared: PreparedFacilities,
    *,
    db: sa.Engine,
    station: StationConfig,
    write: Callable[[sa.Connection, str, pd.DataFrame], int],
    synthetic: bool = False,
    in_transaction: Callable[[sa.Connection, ImportResult], None] | None = None,
) -> FacilityImportResult:
    """Write a prepared layer file (``prepared.kind`` the batch's source) as one batch:
    its record, ``write(conn, batch_id, rows)`` (the rows not already stored; returns
    how many it inserted), its rejected rows and summary, and ``in_transaction``, all
    in one transaction.

    Raises
    ------
    ImportFileError
        The store stayed busy: nothing is written.
    """
    table = prepared.table
    batch_id = _new_batch_id(table.sha256, station.timezone)
    rows = prepared.rows
    try:
        with connection.write_transaction(db) as conn:
            store.insert_batch_record(
                conn,
                batch_record(
                    prepared,
                    batch_id=batch_id,
                    source=prepared.kind,
                    synthetic=synthetic,
                    station=station,
                ),
            )
            imported = write(conn, batch_id, rows)
            store.insert_rejected(conn, batch_id, [asdict(r) for r in prepared.rejected])
            result = FacilityImportResult(
                batch_id=batch_id,
                source=prepared.kind,
                file_name=prepared.file_name,
                file_sha256=table.sha256,
                file_kind=table.file_kind,
                encoding=table.encoding,
                sheet=table.sheet,
                header_row=table.header_row,
                columns=prepared.columns,
                unused_columns=prepared.unused_columns,
                crs=prepared.crs,
                xy_swapped=False,
                latlon_swapped_rows=prepared.latlon_swapped_rows,
                rows_total=len(table.frame),
                imported=imported,
                duplicates_in_store=len(rows) - imported,
                duplicates_in_file=prepared.duplicates_in_file,
                rejected=prepared.rejected,
                gazetteer_rows=0,
                township_level_rows=0,
                outside_station=0,
                blank_rows=table.blank_rows,
                synthetic=synthetic,
                notes=list(prepared.notes),
                projected_rows=prepared.projected_rows,
            )
            summary = result.to_dict()
            summary.pop("rejected")
            store.finish_batch(conn, batch_id, rows_duplicate=result.duplicates, summary=summary)
            if in_transaction is not None:
                in_transaction(conn, result)
    except connection.StoreBusyError as exc:
        raise ImportFileError("error.busy") from exc
    return result
