"""The append-only, tamper-evident audit log, and the store changes written with it.

The audit log is append-only: this module has no function that changes or removes an
entry, and on SQLite (and PostgreSQL) triggers abort any UPDATE or DELETE of
``audit_log`` (and an INSERT OR REPLACE on SQLite). It is tamper-evident: each entry
carries the hash of the one before it (:func:`audit_entry_hash`), and
:func:`verify_audit_chain` finds the first entry that was changed, removed or slipped
in.

A change and its entry land together or not at all: :func:`audit_in` appends inside
the caller's transaction (user changes, sign-ins and sessions use it), and imports
(:func:`audited_import`) and undos (:func:`audited_undo`) write their entry in their
own transaction.

Who may call what is the caller's business (the UI checks
:func:`analytics.access.identity.role_allows` for the signed-in user; the CLI is
trusted as the machine's operator): these functions record ``actor`` but do not
check it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from analytics.access.identity import AuthError, printable
from analytics.access.times import moment, to_text
from analytics.station import clock
from analytics.storage import connection, store, tables
from analytics.text import text

log = logging.getLogger(__name__)

ACTIONS = (
    "signin.ok",
    "signin.fail",
    "signin.locked",
    "signin.throttled",
    "signout",
    "session.revoked",
    "import",
    "import.fail",
    "undo",
    "export",
    "user.add",
    "user.remove",
    "user.passwd",
    "user.role",
    "user.scope",
    "station.refused",
    "decision.add",
    "cpted.answer",
    "mapping.save",
    "backup",
)

# A dotted lower-case name, e.g. ``signin.ok``: an action is a fixed word, never user text.
_ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")
_DETAIL_MAX = 2000


def audit_in(
    conn: sa.Connection,
    *,
    actor: str,
    action: str,
    detail: str = "",
    batch_id: str | None = None,
    file_name: str | None = None,
    at: pd.Timestamp | None = None,
) -> int:
    """Append one entry to the audit log within ``conn``'s transaction; returns its id.

    The entry lands with whatever else the transaction writes, or not at all. The
    caller holds the store's write lock (:func:`analytics.storage.connection.write_transaction`);
    :func:`audit` is the same for an entry on its own.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection inside a write transaction.
    actor, action, detail, batch_id, file_name
        As for :func:`audit`.
    at : pandas.Timestamp, optional
        The entry's time; now by default.

    Raises
    ------
    AuthError
        ``auth.bad_action`` for an action that is not a dotted lower-case name,
        ``auth.no_actor`` for an empty actor.
    """
    if not isinstance(action, str) or len(action) > 40 or not _ACTION_RE.match(action):
        raise AuthError("auth.bad_action", action=printable(str(action), 60))
    if not isinstance(actor, str) or not actor.strip():
        raise AuthError("auth.no_actor")
    entry = {
        "at": to_text(moment(at)),
        "actor": printable(actor),
        "action": action,
        "detail": printable(str(detail or ""), _DETAIL_MAX),
        "batch_id": batch_id,
        "file_name": None if file_name is None else printable(str(file_name), 500),
    }
    t = tables.audit_log
    _lock_audit_chain(conn)
    last = conn.execute(sa.select(t.c.id, t.c.entry_hash).order_by(t.c.id.desc()).limit(1)).first()
    # The id is chosen here, not by the database, because the hash covers it. Under the
    # chain lock, last id + 1 is free; on PostgreSQL the id sequence is then unused.
    entry["id"] = 1 if last is None else int(last.id) + 1
    prev_hash = GENESIS_HASH if last is None else last.entry_hash
    conn.execute(
        t.insert().values(
            **entry, prev_hash=prev_hash, entry_hash=audit_entry_hash(entry, prev_hash)
        )
    )
    return entry["id"]


# An arbitrary constant: the key of the PostgreSQL advisory lock that serialises appends.
_PG_AUDIT_LOCK = 0x61756474  # "audt"


def _lock_audit_chain(conn: sa.Connection) -> None:
    """Hold the right to append until ``conn``'s transaction ends.

    Two writers that read the same last entry would fork the chain. On SQLite the
    caller's :func:`analytics.storage.connection.write_transaction` began with BEGIN IMMEDIATE, so
    this connection already is the only writer. On PostgreSQL a row lock on the last
    entry is not enough (the second writer, once let through, still sees the same last
    entry), so a transaction-scoped advisory lock serialises appenders.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_AUDIT_LOCK)))


GENESIS_HASH = "0" * 64  # the prev_hash of the first entry
_CHAINED = ("id", "at", "actor", "action", "detail", "batch_id", "file_name")


def audit_entry_hash(entry: Mapping, prev_hash: str) -> str:
    """The sha256 (hex) that chains an audit entry to the one before it.

    Computed over a canonical JSON list (a version tag, then ``id``, ``at``, ``actor``,
    ``action``, ``detail``, ``batch_id``, ``file_name`` and ``prev_hash``): any change
    to any of them changes the hash. Migration 0003 holds a frozen copy.
    """
    payload = ["audit/v1", *(entry[k] for k in _CHAINED), prev_hash]
    canonical = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def audit(
    db: sa.Engine,
    *,
    actor: str,
    action: str,
    detail: str = "",
    batch_id: str | None = None,
    file_name: str | None = None,
) -> int:
    """Append one entry to the audit log; returns its id.

    Parameters
    ----------
    actor : str
        Who: a user name, or ``cli:<OS user>`` from the command line.
    action : str
        What, as a dotted lower-case name: see :data:`ACTIONS` (others are allowed,
        e.g. ``export``, ``signout``).
    detail, batch_id, file_name : optional
        Free text (control characters are escaped), and the batch and file concerned.
    """
    with connection.write_transaction(db) as conn:
        return audit_in(
            conn,
            actor=actor,
            action=action,
            detail=detail,
            batch_id=batch_id,
            file_name=file_name,
        )


AUDIT_COLUMNS = ("id", "at", "actor", "action", "detail", "batch_id", "file_name")


def read_audit(
    db: sa.Engine, *, limit: int | None = 500, station: str | None = None
) -> pd.DataFrame:
    """The audit log, newest first (``limit`` entries; None for all).

    Columns: id, at (a Timestamp on the station's clock), actor, action, detail,
    batch_id, file_name.

    With ``station`` (an id), only that station's entries: those about its import
    batches, and those of its users. A store shared by several stations keeps one log
    (one hash chain); the whole of it is the command line's (``python -m analytics
    audit``), not any one station's page.
    """
    t = tables.audit_log
    q = sa.select(*(t.c[c] for c in AUDIT_COLUMNS)).order_by(t.c.id.desc())
    if station is not None:
        u, b = tables.users, tables.import_batches
        q = q.where(
            sa.or_(
                t.c.batch_id.in_(sa.select(b.c.batch_id).where(b.c.station == station)),
                t.c.actor.in_(sa.select(u.c.name).where(u.c.station == station)),
            )
        )
    if limit is not None:
        if int(limit) < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        q = q.limit(int(limit))
    with db.connect() as conn:
        frame = pd.DataFrame(conn.execute(q).mappings().all(), columns=list(AUDIT_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], format="ISO8601", utc=True).dt.tz_convert(
        clock.zone()
    )
    return frame


@dataclass(frozen=True)
class AuditVerification:
    """What :func:`verify_audit_chain` found.

    ``entries`` counts every entry; ``broken_id`` is the first entry whose link does
    not hold (None when intact), ``problem`` says which: ``"entry_hash"`` (its
    contents were changed), ``"prev_hash"`` (something before it was removed,
    inserted or changed) or ``"first"`` (the first entry does not start the chain).
    ``last_id`` and ``last_hash`` are the chain's head: written down elsewhere, they
    also reveal a later truncation or rewrite of the whole log.
    """

    entries: int
    broken_id: int | None = None
    problem: str | None = None
    prev_id: int | None = None
    expected: str | None = None
    found: str | None = None
    last_id: int | None = None
    last_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None

    def text(self, lang: str = "ko") -> str:
        """One sentence for people, in Korean (``ko``) or English (``en``)."""
        if self.ok:
            if not self.entries:
                return text("access.audit.intact_empty", lang)
            return text(
                "access.audit.intact",
                lang,
                n=self.entries,
                last_id=self.last_id,
                last_hash=self.last_hash,
            )
        return text(
            f"access.audit.broken_{self.problem}",
            lang,
            id=self.broken_id,
            prev_id=self.prev_id,
            expected=self.expected,
            found=self.found,
        )


def verify_audit_chain(db: sa.Engine) -> AuditVerification:
    """Check the audit log's hash chain from its first entry to its last.

    Reads only. Each entry's ``entry_hash`` must be the hash of its contents and its
    ``prev_hash`` (:func:`audit_entry_hash`), and its ``prev_hash`` the ``entry_hash``
    of the entry before it by id (:data:`GENESIS_HASH` for the first).

    Parameters
    ----------
    db : sqlalchemy.Engine
        The store.

    Returns
    -------
    AuditVerification
        The number of entries and, when the chain is broken, the first broken link.
    """
    t = tables.audit_log
    q = sa.select(*(t.c[c] for c in _CHAINED), t.c.prev_hash, t.c.entry_hash).order_by(t.c.id)
    n, broken = 0, None
    prev_id, prev_hash = None, GENESIS_HASH
    with db.connect() as conn:
        for row in conn.execution_options(yield_per=2000).execute(q).mappings():
            n += 1
            if broken is None:
                computed = audit_entry_hash(row, row["prev_hash"])
                if row["prev_hash"] != prev_hash:
                    broken = {
                        "problem": "first" if prev_id is None else "prev_hash",
                        "expected": prev_hash,
                        "found": row["prev_hash"],
                    }
                elif row["entry_hash"] != computed:
                    broken = {
                        "problem": "entry_hash",
                        "expected": computed,
                        "found": row["entry_hash"],
                    }
                if broken is not None:
                    broken.update(broken_id=row["id"], prev_id=prev_id)
            prev_id, prev_hash = row["id"], row["entry_hash"]
    return AuditVerification(entries=n, last_id=prev_id, last_hash=prev_hash, **(broken or {}))


# --- audited store operations -----------------------------------------------------


# What audited_import passes on to a facility import.
_FACILITY_ARGS = ("file_name", "now", "station", "sheet", "synthetic")


def audited_import(db: sa.Engine, actor: str, **import_kwargs):
    """:func:`analytics.storage.importers.core.import_file` plus its audit entry; for a
    facility kind (``source`` ``cctv``, ``streetlight`` or ``bell``),
    :func:`analytics.storage.importers.facilities.import_facilities`; for officers' places
    (``source`` ``places``), :func:`analytics.storage.importers.places.import_places`.

    ``import_kwargs`` are import_file's (``file=``, ``source=``, ``sheet=`` ...);
    ``db`` is passed for you. The ``import`` entry (batch id, file name and
    counts) is written in the import's own transaction: the rows and their entry land
    together or not at all. A file that is refused gets an ``import.fail`` entry (the
    error) in a transaction of its own, and the error is re-raised (a busy store,
    ``error.busy``, is re-raised unaudited: nothing changed).

    Returns
    -------
    ImportResult
    """
    # Imported here, not at the top: the importers bring geography and spreadsheet
    # readers that sign-in, sessions and the audit page never need.
    from analytics.storage.facilities import FACILITY_KINDS
    from analytics.storage.importers.core import import_file
    from analytics.storage.importers.errors import ImportFileError
    from analytics.storage.importers.facilities import import_facilities
    from analytics.storage.importers.places import import_places
    from analytics.storage.places import PLACES_SOURCE

    def record(conn: sa.Connection, result) -> None:
        detail = (
            f"source={result.source} rows={result.rows_total} imported={result.imported} "
            f"duplicates={result.duplicates} rejected={len(result.rejected)}"
            + (" synthetic" if result.synthetic else "")
        )
        audit_in(
            conn,
            actor=actor,
            action="import",
            detail=detail,
            batch_id=result.batch_id,
            file_name=result.file_name,
        )

    try:
        if import_kwargs.get("source") == PLACES_SOURCE:
            # Officers' own places: its own importer, one batch; each place is the actor's.
            args = {k: v for k, v in import_kwargs.items() if k in _FACILITY_ARGS}
            return import_places(
                import_kwargs["file"], db=db, actor=actor, in_transaction=record, **args
            )
        if import_kwargs.get("source") in FACILITY_KINDS:
            # A facility layer (cctv, streetlight, bell): its own importer, one batch.
            # (A mapping or a date order means nothing to it: its headers are standard.)
            args = {k: v for k, v in import_kwargs.items() if k in _FACILITY_ARGS}
            return import_facilities(
                import_kwargs["file"],
                kind=import_kwargs["source"],
                db=db,
                in_transaction=record,
                **args,
            )
        return import_file(db=db, in_transaction=record, **import_kwargs)
    except ImportFileError as exc:
        if exc.key == "error.busy":
            # Nothing changed, and the store is still busy: another wait to write the
            # entry would only double the time the user waits for the message.
            raise
        file = import_kwargs.get("file")
        file_name = import_kwargs.get("file_name") or (
            "upload" if isinstance(file, bytes) or file is None else Path(file).name
        )
        try:
            audit(
                db,
                actor=actor,
                action="import.fail",
                detail=import_failure_detail(import_kwargs.get("source"), exc),
                file_name=file_name,
            )
        except connection.StoreBusyError:
            log.warning("failed import not audited: the store stayed busy")
        raise


def import_failure_detail(source, exc) -> str:
    """``source=… error=<key>`` and the error's figures (a cap and the value found)."""
    params = " ".join(
        f"{k}={v}"
        for k, v in exc.params.items()
        if isinstance(v, int | float | str) and k != "columns"
    )
    return f"source={source} error={exc.key}" + (f" {params}" if params else "")


def audited_undo(db: sa.Engine, actor: str, batch_id: str, *, station=None) -> int:
    """:func:`analytics.storage.store.undo_batch` plus its ``undo`` audit entry.

    The undo and its entry are one transaction. Returns the number of events removed;
    raises :class:`analytics.storage.store.UnknownBatchError` (nothing audited) for an unknown
    batch, or one of another station than ``station`` (default: the configured one).
    """
    b = tables.import_batches
    with connection.write_transaction(db) as conn:
        row = conn.execute(
            sa.select(b.c.file_name, b.c.status).where(b.c.batch_id == batch_id)
        ).first()
        removed = store.undo_batch_in(conn, batch_id, station=station)
        detail = f"removed={removed}" + (" (already undone)" if row.status == "undone" else "")
        audit_in(
            conn,
            actor=actor,
            action="undo",
            detail=detail,
            batch_id=batch_id,
            file_name=row.file_name,
        )
    return removed


def audited_add_place(db: sa.Engine, actor: str, **place_kwargs) -> int:
    """:func:`analytics.storage.places.add_place` (``place_kwargs``: ``lat``, ``lon``,
    ``category``, ``note``, ``station`` …) plus its ``place.add`` audit entry, in one
    transaction; returns the place's row id. The entry names the place's id and
    category, not its point or note."""
    from analytics.storage.places import add_place

    def record(conn: sa.Connection, detail: str) -> None:
        audit_in(conn, actor=actor, action="place.add", detail=detail)

    return add_place(db, actor=actor, in_transaction=record, **place_kwargs)


def audited_remove_place(db: sa.Engine, actor: str, place: int, **kwargs) -> None:
    """:func:`analytics.storage.places.remove_place` plus its ``place.remove`` entry."""
    from analytics.storage.places import remove_place

    def record(conn: sa.Connection, detail: str) -> None:
        audit_in(conn, actor=actor, action="place.remove", detail=detail)

    remove_place(db, place, actor=actor, in_transaction=record, **kwargs)
