"""Backups: a consistent copy of a SQLite store (its online backup API), or ``pg_dump``
of a PostgreSQL one, each checked before it is called done."""

from __future__ import annotations

import os

import sqlalchemy as sa

from analytics.storage.tables import metadata


class BackupError(RuntimeError):
    """The backup could not be made. ``key`` names the reason: ``exists``, ``same_file``,
    ``not_sqlite``, ``no_pg_dump``, ``pg_dump_failed`` or ``integrity``."""

    def __init__(self, key: str, detail: str = ""):
        self.key = key
        self.detail = detail
        super().__init__(f"{key}: {detail}" if detail else key)


def backup_store(db: sa.Engine, dest: str | os.PathLike, *, force: bool = False) -> dict[str, int]:
    """Copy the store to ``dest`` while the app keeps running.

    A PostgreSQL store is dumped by ``pg_dump`` (custom format; restore with
    ``pg_restore``), see :func:`_backup_postgresql`. A SQLite store:

    Uses SQLite's online backup API (:meth:`sqlite3.Connection.backup`), so the copy
    is one consistent snapshot even while an import writes. The copy is written next
    to ``dest`` and moved into place only when it is complete and passes
    ``PRAGMA integrity_check``: a failed backup never leaves a half-written file, and
    with ``force`` an older backup is replaced only by a good one.

    Returns
    -------
    dict
        Rows per table in the copy.

    Raises
    ------
    BackupError
        ``dest`` exists (without ``force``), is the store itself, the store is not
        SQLite, or the copy failed its integrity check.
    """
    import sqlite3
    import tempfile
    from pathlib import Path

    if db.dialect.name == "postgresql":
        return _backup_postgresql(db, Path(dest).resolve(), force=force)
    if db.dialect.name != "sqlite" or db.url.database in (None, "", ":memory:"):
        raise BackupError("not_sqlite", db.url.render_as_string(hide_password=True))
    source = Path(db.url.database).resolve()
    dest = Path(dest).resolve()
    if dest == source:
        raise BackupError("same_file", str(dest))
    if dest.exists() and not force:
        raise BackupError("exists", str(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        raw = db.raw_connection()
        try:
            target = sqlite3.connect(tmp)
            try:
                raw.driver_connection.backup(target)
                # One self-contained file: no -wal beside it.
                target.execute("PRAGMA journal_mode=DELETE")
                check = target.execute("PRAGMA integrity_check").fetchall()
            finally:
                target.close()
        finally:
            raw.close()
        if check != [("ok",)]:
            raise BackupError("integrity", "; ".join(str(r[0]) for r in check[:5]))
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    # Read the copy without the store's settings, which would turn it back to WAL.
    copy = sqlite3.connect(f"{dest.as_uri()}?mode=ro", uri=True)
    try:
        present = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {
            t.name: int(copy.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0])
            for t in metadata.sorted_tables
            if t.name in present
        }
    finally:
        copy.close()


def _backup_postgresql(db: sa.Engine, dest, *, force: bool) -> dict[str, int]:
    """``pg_dump`` (custom format, for ``pg_restore``) of one consistent snapshot.

    The counts are read in a repeatable-read transaction whose snapshot pg_dump is
    given (``--snapshot``), so they are the rows of the dump even while an import
    writes. The dump is written beside ``dest`` and moved into place when pg_dump
    succeeds.
    """
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    if dest.exists() and not force:
        raise BackupError("exists", str(dest))
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("no_pg_dump", str(dest))
    url = db.url
    env = {**os.environ, "PGPASSWORD": url.password or os.environ.get("PGPASSWORD", "")}
    args = [pg_dump, "--format=custom", "--no-owner", f"--dbname={url.database}"]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            args.append(f"{flag}={value}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        reader = db.connect().execution_options(isolation_level="REPEATABLE READ")
        with reader as conn, conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            counts = {
                t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())
                for t in metadata.sorted_tables
            }
            done = subprocess.run(
                [*args, f"--snapshot={snapshot}", f"--file={tmp}"],
                env=env,
                capture_output=True,
                text=True,
            )
        if done.returncode != 0:
            raise BackupError("pg_dump_failed", done.stderr.strip()[-500:])
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return counts
