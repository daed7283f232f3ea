"""The station configuration: ``data/station.toml`` read once into a frozen dataclass."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATION_FILE = REPO_ROOT / "data" / "station.toml"
# More stations of a shared store: one file each, named by its id (``jinan.toml``).
STATIONS_DIR = REPO_ROOT / "data" / "stations"
STATION_ID = re.compile(r"[a-z][a-z0-9_-]{0,31}")
DEFAULT_DB_PATH = REPO_ROOT / "data" / "store.sqlite"


MIB = 2**20


@dataclass(frozen=True)
class ImportLimits:
    """Caps on what one import may read (``station.toml`` ``[import]``).

    A file over a cap is refused whole, before it costs minutes or memory; a row with
    a cell longer than ``max_cell_chars`` is rejected on its own, with its row number.

    Attributes
    ----------
    max_file_bytes : int
        The file as uploaded (``max_file_mb``).
    max_rows : int
        Data rows (blank rows not counted).
    max_cell_chars : int
        Characters in one cell.
    max_xlsx_bytes : int
        An XLSX's members, uncompressed, all together (``max_xlsx_uncompressed_mb``).
    max_xlsx_ratio : int
        How many times larger than its compressed size an XLSX member over 1 MiB may
        be. Real exports compress about 5–15 times; a zip bomb, hundreds of times.
    max_cells : int
        Cells of one XLSX sheet as read, empty ones included (a sheet can declare
        16,384 columns in a few bytes: this bounds the memory of reading it).
    """

    max_file_bytes: int = 200 * MIB
    max_rows: int = 2_000_000
    max_cell_chars: int = 10_000
    max_xlsx_bytes: int = 1024 * MIB
    max_xlsx_ratio: int = 100
    max_cells: int = 50_000_000


@dataclass(frozen=True)
class StationConfig:
    """Everything station-specific. Paths are absolute."""

    name: str
    name_en: str
    city: str
    timezone: str
    analysis_crs: str
    geographic_crs: str
    candidate_crs: tuple[str, ...]
    boundary_path: Path
    townships_path: Path
    township_name_field: str
    police_units_path: Path
    landmarks_path: Path
    attribution: str
    attribution_ko: str
    eps_m: float
    min_samples: int
    hotspot_params: str  # "auto" or "fixed"
    area_budget_km2: float
    tune_weeks: int
    train_days: int
    tiles_url: str
    tiles_attribution: str
    map_center: tuple[float, float]
    map_zoom: int
    meeting_weekday: int
    source_file: Path
    # [station] id: the short name every row of this station carries in a shared
    # store ("namwon"), and the name the CLI's --station and a link's ?station= use.
    id: str = "namwon"
    # [station] province: the provincial agency whose stations a provincial user may
    # open ("jeonbuk"); "" for a station that belongs to none configured here.
    province: str = ""
    province_name: str = ""
    province_name_en: str = ""
    # [auth]: sign-in sessions end after idle_minutes without activity, and at the
    # latest session_hours after sign-in; an account is locked for lockout_minutes
    # after lockout_failures failed sign-ins within lockout_minutes, and a client
    # address may fail address_failures times within lockout_minutes before its
    # sign-ins are refused. secure_cookie marks the session cookie Secure even when
    # the request does not look like HTTPS (a proxy that does not say so).
    idle_minutes: int = 30
    lockout_failures: int = 5
    lockout_minutes: int = 15
    session_hours: int = 12
    address_failures: int = 20
    secure_cookie: bool = False
    # "password" (users in the store, the default) or "oidc" (Streamlit's st.login,
    # with oidc_roles mapping e-mail addresses to roles; anyone else is refused).
    auth_method: str = "password"
    oidc_roles: tuple[tuple[str, str], ...] = ()
    # [privacy]: category codes whose points viewers only see snapped to a
    # geomask_m grid (see analytics.access.privacy).
    sensitive_categories: tuple[str, ...] = (
        "sexual",
        "hidden_camera",
        "domestic",
        "child_abuse",
        "missing",
    )
    geomask_m: float = 100.0
    # The least eps_m and min_samples a viewer's hotspots are computed with, whatever a
    # link asks for (analytics.query holds every bound on those two).
    viewer_min_eps_m: float = 50.0
    viewer_min_samples: int = 3
    # The smallest count a sheet for the public (the box notice posted beside a
    # suggestion box) prints as a number; smaller ones read "fewer than k".
    public_min_count: int = 3
    # [import]: caps on one import's file (see ImportLimits).
    import_limits: ImportLimits = ImportLimits()


def _require(table: dict, key: str, where: str):
    if key not in table:
        raise ValueError(f"station.toml: [{where}] is missing '{key}'")
    return table[key]


def _whole(table: dict, key: str, where: str, default: int, *, minimum: int) -> int:
    """An integer setting (a TOML integer, not a bool or a fraction) of at least ``minimum``."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"station.toml: [{where}] {key} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"station.toml: [{where}] {key} must be >= {minimum}, got {value}")
    return int(value)


def _privacy(pv: dict) -> tuple[tuple[str, ...], float]:
    from analytics.station.categories import BY_SOURCE

    default = StationConfig.__dataclass_fields__["sensitive_categories"].default
    cats = pv.get("sensitive_categories", list(default))
    if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
        raise ValueError(
            f"station.toml: [privacy] sensitive_categories must be a list of category codes, got {cats!r}"
        )
    known = {c.code for group in BY_SOURCE.values() for c in group}
    unknown = sorted(set(cats) - known)
    if unknown:
        raise ValueError(
            f"station.toml: [privacy] sensitive_categories has unknown codes {unknown}; "
            f"known: {', '.join(sorted(known))}"
        )
    geomask = pv.get("geomask_m", 100)
    if isinstance(geomask, bool) or not isinstance(geomask, int | float) or not geomask > 0:
        raise ValueError(f"station.toml: [privacy] geomask_m must be > 0 metres, got {geomask!r}")
    return tuple(dict.fromkeys(cats)), float(geomask)


def _viewer_floors(pv: dict) -> tuple[float, int]:
    eps = pv.get("viewer_min_eps_m", 50)
    if isinstance(eps, bool) or not isinstance(eps, int | float) or not eps > 0:
        raise ValueError(
            f"station.toml: [privacy] viewer_min_eps_m must be > 0 metres, got {eps!r}"
        )
    return float(eps), _whole(pv, "viewer_min_samples", "privacy", 3, minimum=1)


def _public_min_count(pv: dict) -> int:
    """``[privacy] public_min_count``: a whole number >= 2 (a count of one on a notice
    posted in the street points at one resident)."""
    value = pv.get("public_min_count", 3)
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        raise ValueError(
            "station.toml: [privacy] public_min_count must be a whole number >= 2"
            f" (the smallest count a notice for the public prints as a number), got {value!r}"
        )
    return value


def _import_limits(im: dict) -> ImportLimits:
    d = ImportLimits()
    return ImportLimits(
        max_file_bytes=_whole(im, "max_file_mb", "import", d.max_file_bytes // MIB, minimum=1)
        * MIB,
        max_rows=_whole(im, "max_rows", "import", d.max_rows, minimum=1),
        max_cell_chars=_whole(im, "max_cell_chars", "import", d.max_cell_chars, minimum=1),
        max_xlsx_bytes=_whole(
            im, "max_xlsx_uncompressed_mb", "import", d.max_xlsx_bytes // MIB, minimum=1
        )
        * MIB,
        max_xlsx_ratio=_whole(im, "max_xlsx_ratio", "import", d.max_xlsx_ratio, minimum=2),
        max_cells=_whole(im, "max_cells", "import", d.max_cells, minimum=1),
    )


def load_station(path: str | os.PathLike | None = None) -> StationConfig:
    """Read a station file into a :class:`StationConfig`.

    Parameters
    ----------
    path : path-like, optional
        The TOML file. Defaults to ``$HOTSPOT_STATION`` or ``data/station.toml``.
    """
    path = Path(path or os.environ.get("HOTSPOT_STATION") or DEFAULT_STATION_FILE).resolve()
    with path.open("rb") as f:
        raw = tomllib.load(f)
    base = path.parent
    st, crs, geo = raw.get("station", {}), raw.get("crs", {}), raw.get("geo", {})
    hs, mp, mt = raw.get("hotspots", {}), raw.get("map", {}), raw.get("meeting", {})
    au, pv = raw.get("auth", {}), raw.get("privacy", {})
    import_limits = _import_limits(raw.get("import", {}))

    eps_m = float(_require(hs, "eps_m", "hotspots"))
    min_samples = int(_require(hs, "min_samples", "hotspots"))
    if eps_m <= 0:
        raise ValueError(f"station.toml: eps_m must be > 0 metres, got {eps_m}")
    if min_samples < 1:
        raise ValueError(f"station.toml: min_samples must be >= 1, got {min_samples}")
    params_mode = str(hs.get("params", "fixed"))
    if params_mode not in ("auto", "fixed"):
        raise ValueError(
            f"station.toml: hotspots.params must be 'auto' or 'fixed', got {params_mode!r}"
        )
    budget = float(hs.get("area_budget_km2", 1.0))
    if budget <= 0:
        raise ValueError(f"station.toml: area_budget_km2 must be > 0, got {budget}")
    weekday = int(mt.get("weekday", 4))
    if not 0 <= weekday <= 6:
        raise ValueError(f"station.toml: meeting weekday must be 0..6, got {weekday}")
    idle_minutes = _whole(au, "idle_minutes", "auth", 30, minimum=1)
    auth_method = str(au.get("method", "password"))
    if auth_method not in ("password", "oidc"):
        raise ValueError(
            f"station.toml: auth.method must be 'password' or 'oidc', got {auth_method!r}"
        )
    oidc_roles = tuple(
        sorted((str(k).strip().lower(), str(v)) for k, v in au.get("oidc_roles", {}).items())
    )
    bad_roles = sorted({r for _, r in oidc_roles} - {"viewer", "analyst", "admin"})
    if bad_roles:
        raise ValueError(f"station.toml: auth.oidc_roles has unknown roles {bad_roles}")
    lockout_failures = _whole(au, "lockout_failures", "auth", 5, minimum=1)
    lockout_minutes = _whole(au, "lockout_minutes", "auth", 15, minimum=1)
    session_hours = _whole(au, "session_hours", "auth", 12, minimum=1)
    address_failures = _whole(au, "address_failures", "auth", 20, minimum=1)
    secure_cookie = au.get("secure_cookie", False)
    if not isinstance(secure_cookie, bool):
        raise ValueError(
            f"station.toml: [auth] secure_cookie must be true or false, got {secure_cookie!r}"
        )
    sensitive, geomask_m = _privacy(pv)
    viewer_min_eps_m, viewer_min_samples = _viewer_floors(pv)
    public_min_count = _public_min_count(pv)

    station_id = str(st.get("id", path.stem))
    if not STATION_ID.fullmatch(station_id):
        raise ValueError(
            f"{path.name}: [station] id must be 1-32 lower-case letters, digits, '-' or '_'"
            f" starting with a letter, got {station_id!r}"
        )
    province = str(st.get("province", ""))
    if province and not STATION_ID.fullmatch(province):
        raise ValueError(
            f"{path.name}: [station] province must be 1-32 lower-case letters, digits, '-'"
            f" or '_' starting with a letter, got {province!r}"
        )
    return StationConfig(
        id=station_id,
        province=province,
        province_name=str(st.get("province_name", province)),
        province_name_en=str(st.get("province_name_en", st.get("province_name", province))),
        name=_require(st, "name", "station"),
        name_en=st.get("name_en", st["name"]),
        city=st.get("city", ""),
        timezone=st.get("timezone", "Asia/Seoul"),
        analysis_crs=crs.get("analysis", "EPSG:5179"),
        geographic_crs=crs.get("geographic", "EPSG:4326"),
        candidate_crs=tuple(crs.get("candidates", ["EPSG:5179", "EPSG:5186", "EPSG:5181"])),
        boundary_path=base / _require(geo, "boundary", "geo"),
        townships_path=base / _require(geo, "townships", "geo"),
        township_name_field=geo.get("township_name_field", "emd_name"),
        police_units_path=base / _require(geo, "police_units", "geo"),
        landmarks_path=base / _require(geo, "landmarks", "geo"),
        attribution=geo.get("attribution", ""),
        attribution_ko=geo.get("attribution_ko", geo.get("attribution", "")),
        eps_m=eps_m,
        min_samples=min_samples,
        hotspot_params=params_mode,
        area_budget_km2=budget,
        tune_weeks=int(hs.get("tune_weeks", 8)),
        train_days=int(hs.get("train_days", 28)),
        tiles_url=mp.get("tiles_url", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        tiles_attribution=mp.get("tiles_attribution", "© OpenStreetMap contributors"),
        map_center=(float(mp.get("center_lat", 0.0)), float(mp.get("center_lon", 0.0))),
        map_zoom=int(mp.get("zoom", 12)),
        meeting_weekday=weekday,
        source_file=path,
        idle_minutes=idle_minutes,
        lockout_failures=lockout_failures,
        lockout_minutes=lockout_minutes,
        session_hours=session_hours,
        address_failures=address_failures,
        secure_cookie=secure_cookie,
        auth_method=auth_method,
        oidc_roles=oidc_roles,
        sensitive_categories=sensitive,
        geomask_m=geomask_m,
        viewer_min_eps_m=viewer_min_eps_m,
        viewer_min_samples=viewer_min_samples,
        public_min_count=public_min_count,
        import_limits=import_limits,
    )


@lru_cache(maxsize=4)
def default_station() -> StationConfig:
    """The station from ``$HOTSPOT_STATION`` or ``data/station.toml``, read once."""
    return load_station()


def station_files() -> dict[str, Path]:
    """Every station this installation knows, by id: the default station's file and
    each ``*.toml`` in ``data/stations`` (or ``$HOTSPOT_STATIONS_DIR``)."""
    folder = Path(os.environ.get("HOTSPOT_STATIONS_DIR") or STATIONS_DIR)
    files = {default_station().id: default_station().source_file}
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else ():
        files.setdefault(load_station(path).id, path.resolve())
    return files


def province_stations(province: str) -> tuple[str, ...]:
    """The ids of every known station of ``province`` (:func:`station_files`), sorted;
    empty for ``""``."""
    if not province:
        return ()
    return tuple(sorted(i for i in station_files() if station_by_id(i).province == province))


def station_id(station: str | StationConfig | None = None) -> str:
    """The id a store's rows carry for ``station`` (default: the configured station).

    Raises
    ------
    ValueError
        ``station`` is text that is not a station id (see :data:`STATION_ID`).
    """
    if station is None:
        return default_station().id
    if isinstance(station, StationConfig):
        return station.id  # validated when its file was read
    if not STATION_ID.fullmatch(station):
        raise ValueError(f"not a station id: {station!r}")
    return station


class UnknownStationError(LookupError):
    """No station file has this id."""


@lru_cache(maxsize=64)
def station_by_id(station_id: str) -> StationConfig:
    """The station whose ``[station] id`` is ``station_id``.

    Raises
    ------
    UnknownStationError
        No station file of :func:`station_files` has that id.
    """
    if station_id == default_station().id:
        return default_station()
    files = station_files()
    if station_id not in files:
        raise UnknownStationError(station_id)
    return load_station(files[station_id])


def resolve_db_url(db: str | os.PathLike | None = None) -> str:
    """The store's SQLAlchemy URL.

    Order: the explicit ``db`` argument (a path or a URL), ``$DATABASE_URL``,
    ``$HOTSPOT_DB`` (a path), then ``data/store.sqlite``.
    """
    if db is None:
        if os.environ.get("DATABASE_URL"):
            return os.environ["DATABASE_URL"]
        db = os.environ.get("HOTSPOT_DB") or DEFAULT_DB_PATH
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).resolve()}"
