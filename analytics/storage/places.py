"""Officers' own places in the store (schema 14): 빈집, 무인점포, 공사장, 어두운 골목 …
that analysts mark on the map (:func:`add_place`) or bring as a CSV
(:mod:`analytics.storage.importers.places`), each with a category and a short note.

They are context for the hotspots, as the public facilities are
(:mod:`analytics.storage.facilities`), but they are the police's own knowledge: an
empty house's location is not for a shared link, so a viewer never receives them
(:meth:`analytics.access.privacy.PrivacyRule.officer_places`). Notes are masked
(:func:`analytics.access.masking.mask_pii`) and at most :data:`NOTE_MAX` characters.

A CSV is one batch of ``import_batches`` (source :data:`PLACES_SOURCE`): the import
history lists it and undo removes its places. A place added on the map has no batch;
:func:`remove_place` marks it removed (who and when), and the row stays.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa

from analytics.station.config import StationConfig, default_station, station_id
from analytics.storage import connection
from analytics.storage.facilities import same_content_nearby
from analytics.storage.importers.errors import ImportFileError
from analytics.storage.tables import officer_places
from analytics.text import text

# The categories, in the order the pages list them; the catalogue's
# ``places.category.<code>`` names each.
PLACE_CATEGORIES: tuple[str, ...] = (
    "vacant_house",
    "unmanned_store",
    "construction_site",
    "dark_alley",
    "other",
)
# The ``source`` of a places CSV's batch in ``import_batches``.
PLACES_SOURCE = "places"
NOTE_MAX = 200
# Besides the codes and the catalogue's labels, words officers write for each category
# (compared with spaces and case folded away).
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "vacant_house": ("빈집", "공가", "폐가", "빈 주택", "vacant", "empty house"),
    "unmanned_store": (
        "무인점포",
        "무인가게",
        "무인매장",
        "무인 상점",
        "unmanned",
        "self-service store",
    ),
    "construction_site": ("공사장", "공사현장", "건설현장", "construction"),
    "dark_alley": ("어두운골목", "골목", "어두운 길", "dark alley", "alley"),
    "other": ("기타", "other"),
}
# The columns of a places frame (besides ``geometry``), in order.
PLACE_COLUMNS: tuple[str, ...] = (
    "id",
    "place_id",
    "category",
    "note",
    "x",
    "y",
    "lat",
    "lon",
    "added_by",
    "added_at",
    "batch_id",
)
# What a place is besides where it stands: the same category and note within a metre
# of a stored place is that place again.
CONTENT_COLUMNS = ("category", "note")


class PlaceError(ImportFileError):
    """A place cannot be added or removed; ``key`` and ``params`` name a message."""


class UnknownPlaceError(LookupError):
    """No active place of the station has this id."""


def _fold(value: str) -> str:
    return re.sub(r"[\s_\-·.]+", "", unicodedata.normalize("NFKC", value)).casefold()


def _category_words() -> dict[str, str]:
    out: dict[str, str] = {}
    for code in PLACE_CATEGORIES:
        words = (code, *CATEGORY_WORDS[code])
        words += tuple(text(f"places.category.{code}", lang) for lang in ("ko", "en"))
        for word in words:
            out.setdefault(_fold(word), code)
    return out


def category_code(value) -> str | None:
    """The category code a cell names (a code, a label in either language, or an
    officer's word for it: 빈집, 공가, 무인점포 …), None for a blank or an unknown one."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return _category_words().get(_fold(str(value)))


def category_label(code: str, lang: str = "ko") -> str:
    return text(f"places.category.{code}", lang)


def category_choices(lang: str = "ko") -> str:
    """The categories' labels, for a message: "빈집, 무인점포, …"."""
    return ", ".join(category_label(c, lang) for c in PLACE_CATEGORIES)


def place_ids(rows: pd.DataFrame) -> list[str]:
    """Stable ids from what a place is: category, point to the metre and note."""
    note = rows["note"].astype(object).where(rows["note"].notna(), "").astype(str)
    key = (
        rows["category"].astype(str)
        + "|"
        + rows["x"].round(0).astype(str)
        + "|"
        + rows["y"].round(0).astype(str)
        + "|"
        + note
    )
    return [f"plc_{hashlib.sha1(k.encode()).hexdigest()[:16]}" for k in key]


def _active(station) -> sa.ColumnElement[bool]:
    c = officer_places.c
    return sa.and_(c.station == station_id(station), c.removed_at.is_(None))


def stored_place_duplicates(
    conn: sa.Connection, rows: pd.DataFrame, *, station: str | StationConfig | None = None
) -> np.ndarray:
    """Which of ``rows`` (``place_id``, ``x``, ``y``, ``category``, ``note``) the station
    already has among its active places: the same id, or the same category and note
    within a metre.

    Returns
    -------
    ndarray of bool, shape (len(rows),)
    """
    if len(rows) == 0:
        return np.zeros(0, bool)
    c = officer_places.c
    stored = pd.DataFrame(
        conn.execute(
            sa.select(c.place_id, c.x, c.y, c.category, c.note).where(_active(station))
        ).all(),
        columns=["place_id", "x", "y", *CONTENT_COLUMNS],
    )
    dup = rows["place_id"].isin(set(stored["place_id"])).to_numpy(dtype=bool, copy=True)
    return dup | same_content_nearby(rows, stored, CONTENT_COLUMNS)


def write_places(
    conn: sa.Connection,
    rows: pd.DataFrame,
    *,
    station: str | StationConfig | None,
    actor: str,
    added_at: str,
    batch_id: str | None = None,
) -> list[int]:
    """Insert places (``place_id``, ``category``, ``note``, ``x``, ``y``, ``lat``,
    ``lon``; notes already masked) in ``conn``'s transaction; returns their row ids."""
    if rows.empty:
        return []
    sid = station_id(station)
    ids = []
    for r in rows.itertuples(index=False):
        note = r.note if isinstance(r.note, str) and r.note else None
        ids.append(
            conn.execute(
                officer_places.insert().values(
                    station=sid,
                    place_id=r.place_id,
                    category=r.category,
                    note=note,
                    x=float(r.x),
                    y=float(r.y),
                    lat=float(r.lat),
                    lon=float(r.lon),
                    added_by=actor,
                    added_at=added_at,
                    batch_id=batch_id,
                )
            ).inserted_primary_key[0]
        )
    return [int(i) for i in ids]


def clean_note(note: str | None) -> str | None:
    """A note as stored: stripped, personal data masked, None when blank.

    Raises
    ------
    PlaceError
        Longer than :data:`NOTE_MAX` characters.
    """
    from analytics.access.masking import mask_pii

    if note is None or not str(note).strip():
        return None
    note = str(note).strip()
    if len(note) > NOTE_MAX:
        raise PlaceError("places.error.note_too_long", n=len(note), max=NOTE_MAX)
    return mask_pii(note)


def add_place(
    db: sa.Engine,
    *,
    lat: float,
    lon: float,
    category: str,
    note: str | None = None,
    actor: str,
    station: StationConfig | None = None,
    now: pd.Timestamp | None = None,
    in_transaction: Callable[[sa.Connection, str], None] | None = None,
) -> int:
    """Add one place the analyst marked on the map; returns its row id.

    ``in_transaction(conn, detail)`` runs in the same transaction (the audit entry:
    :func:`analytics.access.audit.audited_add_place`); if it raises, nothing lands.

    Raises
    ------
    PlaceError
        An unknown category, a note over :data:`NOTE_MAX` characters, a point that is no
        number or lies outside the station, or the same place already stored.
    """
    from analytics.access.times import moment, to_text
    from analytics.station.geo import load_geography

    station = station or default_station()
    code = category if category in PLACE_CATEGORIES else category_code(category)
    if code is None:
        raise PlaceError(
            "places.error.unknown_category", value=str(category), choices=category_choices()
        )
    masked = clean_note(note)
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise PlaceError("places.error.bad_point", value=f"{lat}, {lon}") from None
    if not (np.isfinite(lat) and np.isfinite(lon)):
        raise PlaceError("places.error.bad_point", value=f"{lat}, {lon}")
    geo = load_geography(station)
    x, y = geo.to_analysis(np.array([lon]), np.array([lat]))
    if geo.township_index(x, y)[0] < 0:
        raise PlaceError("places.error.outside_station", station=station.name)
    row = pd.DataFrame(
        {
            "category": [code],
            "note": [masked],
            "x": [float(x[0])],
            "y": [float(y[0])],
            "lat": [lat],
            "lon": [lon],
        }
    )
    row["place_id"] = place_ids(row)
    with connection.write_transaction(db) as conn:
        if stored_place_duplicates(conn, row, station=station)[0]:
            raise PlaceError("places.error.duplicate")
        (new_id,) = write_places(
            conn, row, station=station, actor=actor, added_at=to_text(moment(now))
        )
        if in_transaction is not None:
            in_transaction(conn, f"station={station.id} id={new_id} category={code}")
    return new_id


def remove_place(
    db: sa.Engine,
    place: int,
    *,
    actor: str,
    station: str | StationConfig | None = None,
    now: pd.Timestamp | None = None,
    in_transaction: Callable[[sa.Connection, str], None] | None = None,
) -> None:
    """Mark the station's active place with row id ``place`` removed (the row stays:
    who added it and who removed it); ``in_transaction`` as :func:`add_place`'s.

    Raises
    ------
    UnknownPlaceError
        No active place of ``station`` has this id.
    """
    from analytics.access.times import moment, to_text

    c = officer_places.c
    with connection.write_transaction(db) as conn:
        done = conn.execute(
            officer_places.update()
            .where(_active(station), c.id == int(place))
            .values(removed_by=actor, removed_at=to_text(moment(now)))
        ).rowcount
        if not done:
            raise UnknownPlaceError(place)
        if in_transaction is not None:
            in_transaction(conn, f"station={station_id(station)} id={int(place)}")


def places_version(db: sa.Engine, *, station: str | StationConfig | None = None) -> str:
    """Changes whenever a place of the station is added, removed or undone: its rows'
    count, newest id and removals (cheap; the pages key their caches on it)."""
    c = officer_places.c
    with db.connect() as conn:
        n, last, removed = conn.execute(
            sa.select(sa.func.count(), sa.func.max(c.id), sa.func.count(c.removed_at)).where(
                c.station == station_id(station)
            )
        ).one()
    return f"{n}-{last or 0}-{removed}"


def empty_places(crs: str | None = None) -> gpd.GeoDataFrame:
    """A places frame with no rows."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in PLACE_COLUMNS})
    for c in ("x", "y", "lat", "lon"):
        frame[c] = frame[c].astype(float)
    frame["id"] = frame["id"].astype("int64")
    return gpd.GeoDataFrame(
        frame, geometry=gpd.GeoSeries([], crs=crs or default_station().analysis_crs)
    )


def read_places(
    db: sa.Engine,
    *,
    station: str | StationConfig | None = None,
    categories: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """A station's active officers' places as points in metres (the analysis CRS).

    Analysts' data: pass it through
    :meth:`analytics.access.privacy.PrivacyRule.officer_places` before it reaches a reader.

    Returns
    -------
    GeoDataFrame
        One row per place (columns :data:`PLACE_COLUMNS`), in category then id order.
    """
    crs = (station if isinstance(station, StationConfig) else default_station()).analysis_crs
    c = officer_places.c
    q = sa.select(*(c[name] for name in PLACE_COLUMNS)).where(_active(station))
    if categories is not None:
        q = q.where(c.category.in_(list(categories)))
    with db.connect() as conn:
        rows = conn.execute(q.order_by(c.id)).all()
    if not rows:
        return empty_places(crs)
    frame = pd.DataFrame(rows, columns=list(PLACE_COLUMNS))
    order = {code: i for i, code in enumerate(PLACE_CATEGORIES)}
    frame = frame.sort_values(
        ["category", "id"], key=lambda s: s.map(order) if s.name == "category" else s
    )
    frame = frame.reset_index(drop=True)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=crs)
