"""Which stations a user may open: their own, or every station of their province.

Every user belongs to one station (``users.station``): the station whose rows they
see and whose page opens when a link names none. A provincial user (``users.province``
set, e.g. 전북경찰청's analysts) may open every station whose station file names that
province, with the same role in each. A station's users never see another station's
rows: the app refuses a link to a station outside the user's scope before it reads
anything (``ui.stations``), and every read of the store names its station
(:mod:`analytics.storage.store`).
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.access.identity import AuthError, printable
from analytics.station.config import (
    UnknownStationError,
    default_station,
    province_stations,
    station_by_id,
    station_files,
)


@dataclass(frozen=True)
class StationScope:
    """The stations one user may open.

    Attributes
    ----------
    home : str
        The user's own station id: the one opened when a link names none.
    province : str or None
        For a provincial user, the province whose every station they may open.
    stations : tuple of str
        The station ids in scope, the home station first (filled in from ``home`` and
        ``province`` when not given).
    """

    home: str
    province: str | None = None
    stations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.stations:
            others = province_stations(self.province) if self.province else ()
            ids = (self.home, *(s for s in others if s != self.home))
            object.__setattr__(self, "stations", ids)

    def allows(self, station: str) -> bool:
        """True when the user may open ``station`` (an id)."""
        return station in self.stations


def everywhere() -> StationScope:
    """The scope of this machine's own analyst when the store has no users: every
    station this installation knows, the configured one first."""
    home = default_station().id
    return StationScope(home=home, stations=(home, *(s for s in station_files() if s != home)))


def check_scope(station: str | None, *, provincial: bool = False) -> StationScope:
    """A new user's scope: ``station`` (default: the configured one), and its province
    when ``provincial``.

    Raises
    ------
    AuthError
        ``auth.unknown_station`` for a station no station file has;
        ``auth.no_province`` for a provincial user of a station whose file names no
        province.
    """
    home = station or default_station().id
    try:
        config = station_by_id(home)
    except (UnknownStationError, ValueError):
        raise AuthError("auth.unknown_station", station=printable(str(home), 40)) from None
    if not provincial:
        return StationScope(home=config.id)
    if not config.province:
        raise AuthError("auth.no_province", station=config.id)
    return StationScope(home=config.id, province=config.province)
