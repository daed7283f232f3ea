"""PostgreSQL: one partition of ``events`` per station (schema 7).

A store made or upgraded at schema 7 has a partition for every station it knew then
(``events_namwon``) and a default partition (``events_default``) that takes the rows of
a station added later, until its owner gives it a partition of its own with
:func:`add_station_partition` (``python -m analytics add-station ID --db OWNER_URL``).
The app's role needs nothing more: PostgreSQL checks its rights on ``events`` and routes
the rows. SQLite keeps one table, whose index leads with the station.
"""

from __future__ import annotations

import sqlalchemy as sa

from analytics.station.config import station_id
from analytics.storage.connection import write_transaction


def partition_name(station: str) -> str:
    """The partition of ``station``'s events: ``events_<id>``."""
    return f"events_{station}"


def add_station_partition(db: sa.Engine, station: str) -> str | None:
    """As the store's owner, give ``station`` its own partition of ``events``.

    Its rows already in the default partition move into it, in one transaction that
    holds the write lock (no import lands meanwhile).

    Parameters
    ----------
    db : sqlalchemy.Engine
        A PostgreSQL store at schema 7 or later, connected as its owner.
    station : str
        A station id (``[station] id``).

    Returns
    -------
    str or None
        The new partition's name; None when the station has one already, or the store
        is SQLite (one table).

    Raises
    ------
    ValueError
        ``station`` is not a station id.
    """
    station = station_id(station)  # ValueError for text that is not a station id
    if db.dialect.name != "postgresql":
        return None
    name = partition_name(station)
    with write_transaction(db) as conn:
        if conn.execute(sa.text("SELECT to_regclass(:n)"), {"n": f'"{name}"'}).scalar():
            return None
        # The default partition steps out while the station's rows move: attached, it
        # would refuse a partition whose rows it still holds.
        conn.exec_driver_sql("ALTER TABLE events DETACH PARTITION events_default")
        conn.exec_driver_sql(
            f"CREATE TABLE \"{name}\" PARTITION OF events FOR VALUES IN ('{station}')"
        )
        moved = sa.text("INSERT INTO events SELECT * FROM events_default WHERE station = :s")
        conn.execute(moved, {"s": station})
        conn.execute(sa.text("DELETE FROM events_default WHERE station = :s"), {"s": station})
        conn.exec_driver_sql("ALTER TABLE events ATTACH PARTITION events_default DEFAULT")
    return name
