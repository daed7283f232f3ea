"""Presentation helpers for the data page."""

from __future__ import annotations

import pandas as pd

from ui.i18n import CATALOGUE, text


def field_label(field: str, lang: str) -> str:
    """An import field (``occurred_at`` …) as people read it; an unknown one as named."""
    key = f"tables.field.{field}"
    return text(key, lang) if key in CATALOGUE else field


def mapping_table(columns: dict[str, str], lang: str) -> pd.DataFrame:
    """Field → the file's column it was read from, for the import preview."""
    return pd.DataFrame(
        {
            text("data.field", lang): [field_label(f, lang) for f in columns],
            text("data.column", lang): list(columns.values()),
        }
    )


def sample_rows(events: pd.DataFrame, lang: str, n: int = 8) -> pd.DataFrame:
    head = events.head(n)
    return pd.DataFrame(
        {
            text("col.row", lang): head["row_number"].to_numpy(),
            text("col.when", lang): head["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
            text("col.category", lang): head["category_label"].to_numpy(),
            text("col.location", lang): head["location_text"].fillna("").to_numpy(),
            text("col.emd", lang): head["emd"].fillna("—").to_numpy(),
            text("col.description", lang): head["description"].fillna("").to_numpy(),
        }
    )


def reasons_table(rejected: list, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            text("col.row", lang): [r.row_number for r in rejected],
            text("col.reason", lang): [r.reason if lang == "ko" else r.reason_en for r in rejected],
        }
    )


def history_table(batches: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            text("col.imported_at", lang): batches["imported_at"]
            .str.slice(0, 16)
            .str.replace("T", " "),
            text("col.source", lang): [text(f"source.{s}", lang) for s in batches["source"]],
            text("col.file_name", lang): batches["file_name"],
            text("col.rows_imported", lang): batches["rows_imported"],
            text("col.rows_duplicate", lang): batches["rows_duplicate"],
            text("col.rows_rejected", lang): batches["rows_rejected"],
            text("col.batch_status", lang): [
                text(f"data.status.{s}", lang) for s in batches["status"]
            ],
            text("col.synthetic", lang): batches["synthetic"].map({True: "✓", False: ""}),
            text("col.batch_id", lang): batches["batch_id"],
        }
    )


def stored_reasons_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            text("col.row", lang): rows["row_number"].to_numpy(),
            text("col.reason", lang): rows["reason" if lang == "ko" else "reason_en"].to_numpy(),
        }
    )


def active_batches(history: pd.DataFrame) -> list[str]:
    """Batches that can still be undone, newest first."""
    return history.loc[history["status"] == "active", "batch_id"].tolist()


def audit_table(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The audit log as people read it: station time, who, what (in ``lang``), details."""

    def action(a: str) -> str:
        key = f"audit.action.{a}"
        return text(key, lang) if key in CATALOGUE else str(a)  # a future action: as stored

    return pd.DataFrame(
        {
            text("col.audit_at", lang): log["at"].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
            text("col.actor", lang): log["actor"].to_numpy(),
            text("col.action", lang): [action(a) for a in log["action"]],
            text("col.detail", lang): log["detail"].fillna("").to_numpy(),
            text("col.file_name", lang): log["file_name"].fillna("").to_numpy(),
            text("col.batch_id", lang): log["batch_id"].fillna("").to_numpy(),
        }
    )


def facility_mapping_table(columns: dict[str, str], lang: str) -> pd.DataFrame:
    """A facility file's fields → its columns, for the import preview."""
    return pd.DataFrame(
        {
            text("data.field", lang): [text(f"data.facility.field.{f}", lang) for f in columns],
            text("data.column", lang): list(columns.values()),
        }
    )


def facility_sample_rows(rows: pd.DataFrame, lang: str, n: int = 8) -> pd.DataFrame:
    """The first facilities of a previewed file: row, place, count, purpose."""
    head = rows.head(n)
    place = head["name"].fillna(head["road_address"]).fillna(head["lot_address"]).fillna("")
    return pd.DataFrame(
        {
            text("col.row", lang): head["row_number"].to_numpy(),
            text("data.facility.place", lang): place.to_numpy(),
            text("data.facility.field.count", lang): head["count"].to_numpy(),
            text("data.facility.field.purpose", lang): head["purpose"].fillna("").to_numpy(),
            text("data.facility.field.installed", lang): head["installed"].fillna("").to_numpy(),
        }
    )


def place_sample_rows(rows: pd.DataFrame, lang: str, n: int = 8) -> pd.DataFrame:
    """The first officers' places of a previewed file: row, category, note (masked)."""
    from analytics.storage.places import category_label

    head = rows.head(n)
    return pd.DataFrame(
        {
            text("col.row", lang): head["row_number"].to_numpy(),
            text("data.facility.field.category", lang): [
                category_label(c, lang) for c in head["category"]
            ],
            text("data.facility.field.note", lang): head["note"].fillna("").to_numpy(),
        }
    )
