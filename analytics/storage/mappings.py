"""Column mappings saved as named templates: next week's export maps itself.

An analyst whose export names its columns in a way the importer does not know maps
them once on the data page (or writes a ``--mapping`` file) and saves the mapping
under a name, e.g. "112 주간 내보내기". A template belongs to a station and a source;
it holds ``{column header: field or 'ignore'}`` and, for dates written with the year
last, the order to read them in (``'dmy'``/``'mdy'``, or None to let the file decide).
The data page offers the station's templates for the chosen source; the CLI takes
``import --template NAME``.

Templates are appended with their ``mapping.save`` audit entry, never changed: saving a
name again replaces it in what :func:`list_templates` gives (the earlier one stays in
the table and the audit log).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from analytics.station.config import StationConfig, station_id
from analytics.storage import connection, tables
from analytics.storage.importers.headers import SYNONYMS
from analytics.storage.schema import SOURCES

NAME_MAX = 80
DATE_ORDERS = {"dmy": True, "mdy": False}


@dataclass(frozen=True)
class ImportTemplate:
    """A saved mapping. ``columns`` is ``{column header: field or 'ignore'}``."""

    name: str
    source: str
    columns: dict[str, str]
    date_order: str | None = None
    created_by: str = ""
    created_at: str = ""

    @property
    def day_first(self) -> bool | None:
        """For :func:`analytics.storage.importers.core.import_file`'s ``day_first``."""
        return DATE_ORDERS.get(self.date_order) if self.date_order else None


def clean_name(name: str) -> str:
    """A template's name as stored: one line, trimmed, personal data masked.

    Raises
    ------
    ValueError
        Empty, or longer than :data:`NAME_MAX` characters.
    """
    from analytics.access.masking import mask_pii

    text = " ".join(str(name).split())
    if not text:
        raise ValueError("a template needs a name")
    if len(text) > NAME_MAX:
        raise ValueError(f"the name is longer than {NAME_MAX} characters")
    return mask_pii(text)


def _check(source: str, columns: dict[str, str], date_order: str | None) -> None:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    bad = sorted({f for f in columns.values() if f not in SYNONYMS and f != "ignore"})
    if bad:
        raise ValueError(f"unknown fields {bad}; known: {sorted(SYNONYMS)}")
    used = [f for f in columns.values() if f != "ignore"]
    if len(used) != len(set(used)):
        raise ValueError("two columns are mapped to one field")
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValueError(f"date_order must be one of {sorted(DATE_ORDERS)} or None")


def save_template(
    db: sa.Engine,
    *,
    source: str,
    name: str,
    columns: dict[str, str],
    actor: str,
    date_order: str | None = None,
    station: str | StationConfig | None = None,
    now: pd.Timestamp | None = None,
) -> ImportTemplate:
    """Store a template for ``station`` (default: the configured one) with its
    ``mapping.save`` audit entry, in one transaction; returns it as stored.

    Raises
    ------
    ValueError
        An empty or over-long name, an unknown source or field, a field named twice,
        or an unknown date order.
    """
    from analytics.access.audit import audit_in
    from analytics.access.times import moment, to_text

    name = clean_name(name)
    columns = {str(k): str(v) for k, v in columns.items()}
    _check(source, columns, date_order)
    sid = station_id(station)
    at = to_text(moment(now))
    body = json.dumps({"columns": columns, "date_order": date_order}, ensure_ascii=False)
    with connection.write_transaction(db) as conn:
        conn.execute(
            tables.import_mappings.insert().values(
                station=sid,
                source=source,
                name=name,
                mapping_json=body,
                created_by=actor,
                created_at=at,
            )
        )
        mapped = sum(f != "ignore" for f in columns.values())
        audit_in(
            conn,
            actor=actor,
            action="mapping.save",
            detail=f"station={sid} source={source} template={name} columns={mapped}"
            + (f" date_order={date_order}" if date_order else ""),
        )
    return ImportTemplate(name, source, columns, date_order, actor, at)


def list_templates(
    db: sa.Engine, *, source: str | None = None, station: str | StationConfig | None = None
) -> list[ImportTemplate]:
    """A station's templates (of ``source``, or all), the latest per source and name,
    by source and name."""
    t = tables.import_mappings
    q = sa.select(t).where(t.c.station == station_id(station)).order_by(t.c.id)
    if source is not None:
        q = q.where(t.c.source == source)
    with db.connect() as conn:
        rows = conn.execute(q).mappings().all()
    latest: dict[tuple[str, str], ImportTemplate] = {}
    for r in rows:
        body = json.loads(r["mapping_json"])
        latest[(r["source"], r["name"])] = ImportTemplate(
            name=r["name"],
            source=r["source"],
            columns=dict(body.get("columns", {})),
            date_order=body.get("date_order"),
            created_by=r["created_by"],
            created_at=r["created_at"],
        )
    return [latest[k] for k in sorted(latest)]


def load_template(
    db: sa.Engine, *, source: str, name: str, station: str | StationConfig | None = None
) -> ImportTemplate | None:
    """The station's template ``name`` for ``source``, or None."""
    wanted = " ".join(str(name).split())
    return next(
        (t for t in list_templates(db, source=source, station=station) if t.name == wanted), None
    )
