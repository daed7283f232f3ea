"""Loaders and actions for the data page: preview, import, undo, reports."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from analytics.presentation.exports import rejected_rows_table, safe_frame
from analytics.storage import connection, store, tables
from analytics.storage.facilities import FACILITY_KINDS
from analytics.storage.importers.core import prepare_file
from analytics.storage.importers.errors import ImportFileError
from analytics.storage.importers.headers import map_headers
from analytics.storage.importers.reading import file_headers
from analytics.storage.places import PLACES_SOURCE
from ui.data import db_for, station_of
from ui.i18n import LANGS
from ui.stations import current_station_id

# Errors the analyst can put right by mapping the file's columns by hand.
MAPPABLE_ERRORS = ("error.no_header", "error.no_date_column", "error.no_location_columns")


@st.cache_data(show_spinner=False, max_entries=4)
def preview(
    content: bytes,
    file_name: str,
    source: str,
    sheet: str | None,
    db_url: str,
    version: str,
    mapping: tuple[tuple[str, str], ...] | None = None,
    day_first: bool | None = None,
) -> dict:
    """Read and validate an upload without saving; how many rows are already stored.

    ``mapping`` (``((column, field or 'ignore'), ...)``, sorted: the cache is keyed on
    it) and ``day_first`` are the analyst's choices of the data page; None leaves them
    to the importer. ``headers`` are the file's column headers (for mapping them by
    hand), also for a file refused for want of a date, a place or a header row.

    A refused file gives ``error`` (its message in every language of the catalogue,
    by language: the result is cached for whichever language asks next) and
    ``audit_detail`` (for :func:`audit_refused_upload`).
    """
    from analytics.access.audit import import_failure_detail

    station = station_of(version)
    if source in (*FACILITY_KINDS, PLACES_SOURCE):
        return _facility_preview(content, file_name, source, sheet, db_url, station)
    overrides = dict(mapping) if mapping else None
    try:
        prepared = prepare_file(
            content,
            source=source,
            sheet=sheet,
            file_name=file_name,
            station=station,
            mapping=overrides,
            day_first=day_first,
        )
    except ImportFileError as exc:
        headers: list[str] = []
        if exc.key in MAPPABLE_ERRORS:
            try:
                headers = file_headers(
                    content,
                    source=source,
                    sheet=sheet,
                    file_name=file_name,
                    known_headers=frozenset(overrides or ()),
                    limits=station.import_limits,
                )
            except ImportFileError:
                headers = []
        return {
            "error": {lang: exc.text(lang) for lang in LANGS},
            "audit_detail": import_failure_detail(source, exc) + " (preview)",
            "headers": headers,
            # What the importer made of them, for the selects to start from.
            "columns": map_headers(headers, source=source, overrides=overrides)[0],
        }
    with db_for(db_url).connect() as conn:
        already = len(
            store.existing_event_ids(conn, prepared.events["event_id"].tolist(), station=station)
        )
    order = prepared.date_order
    return {
        **_file_preview(prepared, len(prepared.events) - already, already),
        "date_order": None if order is None else (order.reason, order.code, order.cells),
        "events": prepared.events.head(20),
    }


def _file_preview(prepared, usable: int, already: int) -> dict:
    """The preview keys an event file and a facility file share: how the file was read."""
    t = prepared.table
    return {
        "error": None,
        "encoding": t.encoding or "XLSX",
        "header_row": t.header_row,
        "sheet": t.sheet,
        "sheets": t.sheets,
        "crs": prepared.crs or "—",
        "rows": len(t.frame),
        "usable": usable,
        "already": already + prepared.duplicates_in_file,
        "rejected": prepared.rejected,
        "columns": prepared.columns,
        "unused": prepared.unused_columns,
        "headers": [str(c) for c in t.frame.columns],
    }


def _facility_preview(content, file_name, kind, sheet, db_url, station) -> dict:
    """:func:`preview` of a facility file (``kind`` cctv, streetlight or bell) or of
    officers' places (``places``): the same keys, ``facilities`` for the sample rows
    and ``notes`` by language."""
    from analytics.access.audit import import_failure_detail
    from analytics.storage.facilities import stored_duplicates
    from analytics.storage.importers.facilities import facility_notes, prepare_facilities
    from analytics.storage.importers.places import prepare_places
    from analytics.storage.places import stored_place_duplicates

    try:
        if kind == PLACES_SOURCE:
            prepared = prepare_places(content, station=station, file_name=file_name, sheet=sheet)
        else:
            prepared = prepare_facilities(
                content, kind=kind, station=station, file_name=file_name, sheet=sheet
            )
    except ImportFileError as exc:
        return {
            "error": {lang: exc.text(lang) for lang in LANGS},
            "audit_detail": import_failure_detail(kind, exc) + " (preview)",
            "headers": [],
            "columns": {},
        }
    with db_for(db_url).connect() as conn:
        if kind == PLACES_SOURCE:
            dup = stored_place_duplicates(conn, prepared.rows, station=station)
        else:
            dup = stored_duplicates(conn, prepared.rows, kind=kind, station=station)
        already = int(dup.sum())
    return {
        **_file_preview(prepared, len(prepared.rows) - already, already),
        "date_order": None,
        "facilities": prepared.rows.head(20),
        "notes": {lang: [n.strip() for n in facility_notes(prepared, lang)] for lang in LANGS},
    }


def actor() -> str:
    """Who acts, for the audit log: the signed-in user, or the local machine."""
    from ui.auth import current_user

    return current_user() or "local"


def audit_refused_upload(upload_id: str, file_name: str, detail: str, db_url: str) -> None:
    """Record an upload the preview refused as ``import.fail``, once per upload.

    The page reruns on every click; the session remembers which uploads were recorded.
    """
    from analytics.access.audit import audit

    done = st.session_state.setdefault("d_refusals_audited", set())
    if upload_id in done:
        return
    try:
        audit(
            db_for(db_url), actor=actor(), action="import.fail", detail=detail, file_name=file_name
        )
    except connection.StoreBusyError:
        return  # not recorded: the next rerun tries again
    done.add(upload_id)


def run_import(
    content: bytes,
    file_name: str,
    source: str,
    sheet: str | None,
    db_url: str,
    progress,
    mapping: tuple[tuple[str, str], ...] | None = None,
    day_first: bool | None = None,
):
    """Import into the session's station for real, with an audit entry; returns the
    ImportResult (raises ImportFileError). ``mapping`` and ``day_first`` as for
    :func:`preview`."""
    from analytics.access.audit import audited_import
    from ui.stations import current_station

    return audited_import(
        db_for(db_url),
        actor(),
        file=content,
        source=source,
        sheet=sheet,
        file_name=file_name,
        progress=progress,
        station=current_station(),
        mapping=dict(mapping) if mapping else None,
        day_first=day_first,
    )


def templates(db_url: str, source: str) -> list:
    """The session's station's saved column mappings for ``source`` (not cached: a
    template saved a moment ago is listed at once, and the query is one small read)."""
    from analytics.storage.mappings import list_templates
    from ui.stations import current_station

    return list_templates(db_for(db_url), source=source, station=current_station())


def save_template(
    db_url: str, source: str, name: str, columns: dict[str, str], date_order: str | None
):
    """Save a column mapping by name for the session's station, audited (raises
    ValueError for a bad name, StoreBusyError when the store stays busy)."""
    from analytics.storage.mappings import save_template as save
    from ui.stations import current_station

    return save(
        db_for(db_url),
        source=source,
        name=name,
        columns=columns,
        date_order=date_order,
        actor=actor(),
        station=current_station(),
    )


@st.cache_data(show_spinner=False, max_entries=8)
def batch_summary(db_url: str, version: str, batch_id: str) -> dict:
    """What an import batch recorded about itself (its result without the rejected rows)."""
    import json

    found = store.list_batches(db_for(db_url), station=station_of(version))
    row = found.loc[found["batch_id"] == batch_id, "summary_json"]
    return json.loads(row.iloc[0]) if len(row) and isinstance(row.iloc[0], str) else {}


@st.cache_data(show_spinner=False, max_entries=8)
def batches(db_url: str, version: str) -> pd.DataFrame:
    return store.list_batches(db_for(db_url), station=station_of(version)).drop(
        columns=["summary_json"]
    )


@st.cache_data(show_spinner=False, max_entries=8)
def rejected(db_url: str, version: str, batch_id: str | None) -> pd.DataFrame:
    return store.read_rejected(db_for(db_url), batch_id, station=station_of(version))


def rejected_csv(db_url: str, version: str, batch_id: str | None, lang: str) -> bytes:
    table = safe_frame(rejected_rows_table(rejected(db_url, version, batch_id), lang=lang))
    buf = io.StringIO()
    table.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


def undo(db_url: str, batch_id: str) -> int:
    from analytics.access.audit import audited_undo
    from ui.stations import current_station

    return audited_undo(db_for(db_url), actor(), batch_id, station=current_station())


@st.cache_data(show_spinner=False, max_entries=4, ttl=30)
def audit_log(db_url: str, version: str, limit: int = 300) -> pd.DataFrame:
    from analytics.access.audit import read_audit

    return read_audit(db_for(db_url), limit=limit, station=_audit_station(version))


def _audit_station(version: str) -> str | None:
    """Whose entries the page shows: all of them while the installation knows one
    station (this machine's own log), else the shown station's only."""
    from analytics.station.config import station_files

    return station_of(version).id if len(station_files()) > 1 else None


def batch_event_count(db_url: str, batch_id: str) -> int:
    """The rows a batch holds: its events, a facility layer's facilities, or a places
    file's officers' places."""
    import sqlalchemy as sa

    n = 0
    with db_for(db_url).connect() as conn:
        for t in (tables.events, tables.facilities, tables.officer_places):
            n += conn.execute(
                sa.select(sa.func.count())
                .select_from(t)
                .where(t.c.station == current_station_id(), t.c.batch_id == batch_id)
            ).scalar_one()
    return n
