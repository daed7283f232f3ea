"""Officers' own places from a CSV or XLSX: 빈집, 무인점포, 공사장, 어두운 골목 …

Columns (matched by folded header, synonyms in order, as the facility files are):
구분/분류/유형 (the category, :data:`analytics.storage.places.PLACE_CATEGORIES` by code,
label or an officer's word such as 공가 or 무인가게), 메모/비고/내용 (a note of at most
:data:`analytics.storage.places.NOTE_MAX` characters, masked), and 위도·경도 (or X·Y in a
projected CRS, found as the facility importer finds it).

The file is read as every layer file is (:func:`analytics.storage.importers.facilities.read_points`:
encodings incl. CP949, CSV or XLSX, title rows). Every row lands or is rejected with its
row number and a Korean and English reason (no point, a bad or foreign point, a point
outside the station, no or an unknown category, a note too long); a place already
stored, or twice in the file, is skipped. The file is one batch (source
:data:`analytics.storage.places.PLACES_SOURCE`) that undo removes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from analytics.access.masking import mask_series
from analytics.station.config import StationConfig, default_station
from analytics.storage.importers.core import ImportResult
from analytics.storage.importers.errors import ImportFileError
from analytics.storage.importers.facilities import (
    FacilityImportResult,
    PreparedFacilities,
    _column,
    _text,
    coordinate_reasons,
    import_prepared,
    prepared_layer,
    read_points,
    reject_rows,
)
from analytics.storage.importers.facility_headers import FACILITY_SYNONYMS, synonym_keys
from analytics.storage.places import (
    NOTE_MAX,
    PLACES_SOURCE,
    category_choices,
    category_code,
    place_ids,
    stored_place_duplicates,
    write_places,
)

PLACE_SYNONYMS: dict[str, tuple[str, ...]] = {
    **{f: FACILITY_SYNONYMS[f] for f in ("lat", "lon", "x", "y")},
    "category": ("구분", "분류", "유형", "종류", "장소유형", "category", "type", "kind"),
    "note": ("메모", "비고", "내용", "설명", "특이사항", "note", "memo", "remarks"),
}
_KEYS = synonym_keys(PLACE_SYNONYMS)
OUTSIDE_REASON = "places_reason.outside_station"


def prepare_places(
    data: str | Path | bytes,
    *,
    station: StationConfig | None = None,
    file_name: str | None = None,
    sheet: str | None = None,
) -> PreparedFacilities:
    """Read and check a places file without writing anything (the data page's preview).

    Returns
    -------
    PreparedFacilities
        ``kind`` is ``places``; ``rows`` has ``row_number``, ``category``, ``note``
        (masked), ``x``, ``y``, ``lat``, ``lon`` and ``place_id``.

    Raises
    ------
    ImportFileError
        The file cannot be read, or it has no coordinate or no category column.
    """
    station = station or default_station()
    read = read_points(
        data,
        source=PLACES_SOURCE,
        station=station,
        file_name=file_name,
        sheet=sheet,
        synonyms=PLACE_SYNONYMS,
        keys=_KEYS,
    )
    table, cols = read.table, read.columns
    if "category" not in cols:
        raise ImportFileError(
            "places.error.no_category_column", columns=", ".join(map(str, table.frame.columns))
        )
    category_raw = _column(table, cols, "category")
    codes = category_raw.map(category_code)
    blank = _text(category_raw).isna().to_numpy(dtype=bool)
    unknown = codes.isna().to_numpy(dtype=bool) & ~blank
    note = _text(_column(table, cols, "note"))
    length = note.str.len().fillna(0).astype(int)
    too_long = (length > NOTE_MAX).to_numpy(dtype=bool)
    long_params = pd.Series(
        [{"n": int(n), "max": NOTE_MAX} for n in length],
        index=note.index,
        dtype=object,
    )
    choices = category_choices()
    unknown_params = pd.Series(
        [{"value": v, "choices": choices} for v in mask_series(_text(category_raw)).fillna("")],
        index=category_raw.index,
        dtype=object,
    )
    rejected_mask, rejected = reject_rows(
        read,
        [
            *coordinate_reasons(read, OUTSIDE_REASON),
            (blank, "places_reason.missing_category", category_raw),
            (unknown, "places_reason.unknown_category", unknown_params),
            (too_long, "places_reason.note_too_long", long_params),
        ],
        station.import_limits,
    )
    masked = mask_series(note)
    out = pd.DataFrame(
        {
            "row_number": table.row_numbers,
            "category": codes.astype(object),
            "note": masked.astype(object).where(masked.notna(), None),
            "x": read.x,
            "y": read.y,
            "lat": read.coords.lat,
            "lon": read.coords.lon,
        },
        index=table.frame.index,
    )
    good = out.loc[~rejected_mask].copy()
    good["place_id"] = place_ids(good) if len(good) else []
    return prepared_layer(read, PLACES_SOURCE, good, rejected, id_column="place_id")


def import_places(
    data: str | Path | bytes,
    *,
    db: sa.Engine,
    actor: str,
    file_name: str | None = None,
    now: pd.Timestamp | None = None,
    station: StationConfig | None = None,
    sheet: str | None = None,
    synthetic: bool = False,
    in_transaction: Callable[[sa.Connection, ImportResult], None] | None = None,
) -> FacilityImportResult:
    """Import one places file as one batch: every usable row lands, or nothing does.

    Parameters
    ----------
    data : bytes or path
        A CSV (UTF-8, UTF-8 BOM, CP949) or XLSX.
    db : sqlalchemy.Engine
    actor : str
        Who imports it: each place's ``added_by``.
    file_name, station, sheet, synthetic, in_transaction
        As :func:`analytics.storage.importers.facilities.import_facilities`.
    now : Timestamp, optional
        The places' ``added_at`` (tests pin it).

    Returns
    -------
    FacilityImportResult
        ``source`` is ``places``.

    Raises
    ------
    ImportFileError
        The file cannot be read, has no coordinate or category column, or the store
        stayed busy: nothing is written.
    """
    from analytics.access.times import moment, to_text

    t0 = time.perf_counter()
    station = station or default_station()
    prepared = prepare_places(data, station=station, file_name=file_name, sheet=sheet)
    added_at = to_text(moment(now))

    def write(conn: sa.Connection, batch_id: str, rows: pd.DataFrame) -> int:
        new = rows.loc[~stored_place_duplicates(conn, rows, station=station)]
        ids = write_places(
            conn, new, station=station, actor=actor, added_at=added_at, batch_id=batch_id
        )
        return len(ids)

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


def counts_by_category(rows: pd.DataFrame) -> dict[str, int]:
    """How many of ``rows`` fall in each category, for a preview."""
    if rows.empty:
        return {}
    return {str(k): int(v) for k, v in rows["category"].value_counts().items()}
