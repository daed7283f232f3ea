"""Loaders and actions for the data page: preview, import, undo, reports."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from analytics.presentation.exports import rejected_rows_table, safe_frame
from analytics.storage import connection, store, tables
from analytics.storage.importers.core import prepare_file
from analytics.storage.importers.errors import ImportFileError
from ui.data import db_for, station_of
from ui.i18n import LANGS
from ui.stations import current_station_id


@st.cache_data(show_spinner=False, max_entries=4)
def preview(
    content: bytes, file_name: str, source: str, sheet: str | None, db_url: str, version: str
) -> dict:
    """Read and validate an upload without saving; how many rows are already stored.

    A refused file gives ``error`` (its message in every language of the catalogue,
    by language: the result is cached for whichever language asks next) and
    ``audit_detail`` (for :func:`audit_refused_upload`).
    """
    from analytics.access.audit import import_failure_detail

    try:
        prepared = prepare_file(
            content, source=source, sheet=sheet, file_name=file_name, station=station_of(version)
        )
    except ImportFileError as exc:
        return {
            "error": {lang: exc.text(lang) for lang in LANGS},
            "audit_detail": import_failure_detail(source, exc) + " (preview)",
        }
    with db_for(db_url).connect() as conn:
        already = len(
            store.existing_event_ids(
                conn, prepared.events["event_id"].tolist(), station=station_of(version)
            )
        )
    t = prepared.table
    return {
        "error": None,
        "encoding": t.encoding or "XLSX",
        "header_row": t.header_row,
        "sheet": t.sheet,
        "sheets": t.sheets,
        "crs": prepared.crs or "—",
        "rows": len(t.frame),
        "usable": len(prepared.events) - already,
        "already": already + prepared.duplicates_in_file,
        "rejected": prepared.rejected,
        "columns": prepared.columns,
        "unused": prepared.unused_columns,
        "events": prepared.events.head(20),
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
    content: bytes, file_name: str, source: str, sheet: str | None, db_url: str, progress
):
    """Import into the session's station for real, with an audit entry; returns the
    ImportResult (raises ImportFileError)."""
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
    )


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
    import sqlalchemy as sa

    with db_for(db_url).connect() as conn:
        return conn.execute(
            sa.select(sa.func.count())
            .select_from(tables.events)
            .where(
                tables.events.c.station == current_station_id(),
                tables.events.c.batch_id == batch_id,
            )
        ).scalar_one()
