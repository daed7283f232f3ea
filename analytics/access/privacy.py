"""What a role may receive: the one privacy rule, applied where data leaves the server.

Viewers (the meeting, unit chiefs, anyone with a shared link) see hotspots, counts and
maps; analysts and admins see the records as stored. For a viewer:

* **No free text** (descriptions, place names as typed, raw categories, source ids).
* **No place of a sensitive case.** Events of the station file's ``[privacy]
  sensitive_categories`` (sexual crime, hidden cameras, domestic violence, child abuse,
  missing persons) reach a viewer without coordinates: no point, no heat, no table
  row with a latitude. They still count in tables by unit, township and category.
* **Hotspots computed so that no sensitive place shapes them.** A viewer's hotspots are
  clustered with each sensitive event at the centre of its ``geomask_m`` grid cell
  (server-side only), and each hotspot's polygon, centre, township, unit and nearest
  landmark are built from its *other* events alone. A hotspot whose other events do
  not reach ``min_samples`` on their own rests on sensitive cases: it is withheld,
  and the page says how many were. A sensitive event still counts in the category
  counts of a hotspot it belongs to by its grid cell.
* **Floors on the parameters** (:class:`analytics.query.Floors`): a query's ``eps_m`` and
  ``min_samples`` are raised to the station's viewer floors, whatever a link asks.

Everything a viewer's browser, download or meeting pack receives is computed from
:meth:`PrivacyRule.events` and :meth:`PrivacyRule.clustering_events`, so it does not
depend on where inside its grid cell a sensitive event lies, and nothing in it is
derived from a sensitive event's coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.query import NO_FLOORS, Floors, HotspotQuery, viewer_floors
from analytics.station.geo import StationGeography

DEFAULT_SENSITIVE = ("sexual", "hidden_camera", "domestic", "child_abuse", "missing")
FREE_TEXT_COLUMNS = (
    "description",
    "location_text",
    "category_raw",
    "source_record_id",
    "geocode_match",
)
PLACE_COLUMNS = ("lat", "lon", "x", "y")
# Set on a clustering frame: False for events whose place must not shape a hotspot.
LOCATABLE = "locatable"
TRUSTED_ROLES = ("analyst", "admin")


def snap(values: np.ndarray, cell_m: float) -> np.ndarray:
    """Metres → the centre of their ``cell_m`` grid cell."""
    return np.floor(values / cell_m) * cell_m + cell_m / 2.0


@dataclass(frozen=True)
class PrivacyRule:
    """What one role may receive.

    Build it with :meth:`for_role`; ``masks`` is False for analysts and admins, whose
    rule passes everything through unchanged.
    """

    role: str | None
    sensitive: tuple[str, ...]
    geomask_m: float
    floors: Floors

    @classmethod
    def for_role(cls, role: str | None, station) -> PrivacyRule:
        """The rule for ``role`` at ``station`` (a :class:`analytics.station.config.StationConfig`).

        Any role that is not ``analyst`` or ``admin`` (``viewer``, or None) is masked.
        """
        sensitive = tuple(getattr(station, "sensitive_categories", DEFAULT_SENSITIVE))
        cell_m = float(getattr(station, "geomask_m", 100.0))
        if cell_m <= 0:
            raise ValueError(f"geomask_m must be > 0 metres, got {cell_m}")
        return cls(
            role=role,
            sensitive=sensitive,
            geomask_m=cell_m,
            floors=NO_FLOORS if role in TRUSTED_ROLES else viewer_floors(station),
        )

    @property
    def masks(self) -> bool:
        return self.role not in TRUSTED_ROLES

    def officer_places(self, places: pd.DataFrame) -> pd.DataFrame:
        """Officers' own places (:func:`analytics.storage.places.read_places`) as this
        role may receive them: all of them for an analyst, none for a viewer (an empty
        house's location is not for a shared link: no point, no note, no count)."""
        return places.iloc[0:0] if self.masks else places

    def is_sensitive(self, events: pd.DataFrame) -> np.ndarray:
        """Bool per row: a category whose place a viewer must not receive."""
        return events["category"].isin(self.sensitive).to_numpy(dtype=bool, na_value=False)

    def _without_text(self, events: pd.DataFrame) -> pd.DataFrame:
        out = events.copy()
        for col in FREE_TEXT_COLUMNS:
            if col in out.columns:
                out[col] = pd.Series(pd.NA, index=out.index, dtype="string")
        return out

    def events(self, events: pd.DataFrame) -> pd.DataFrame:
        """The event frame this role may receive (tables, points, heat, downloads).

        For a masked role: a copy with free text emptied for every row, and no
        coordinates (NaN ``lat``/``lon``/``x``/``y``) for sensitive rows. Everything
        else, the sensitive rows' township, unit, time and category included, stays.
        """
        if not self.masks:
            return events
        out = self._without_text(events)
        hide = self.is_sensitive(out)
        if hide.any():
            for col in PLACE_COLUMNS:
                if col in out.columns:
                    out.loc[hide, col] = np.nan
        return out

    def clustering_events(self, events: pd.DataFrame, *, geo: StationGeography) -> pd.DataFrame:
        """The frame a masked role's hotspots are computed from. Never sent anywhere.

        Sensitive rows are moved to the centre of their ``geomask_m`` cell and marked
        ``locatable = False``, so :func:`analytics.compute.hotspots.find_hotspots` counts them
        in but builds every hotspot's shape and centre from the other events.
        """
        if not self.masks:
            return events
        out = self._without_text(events)
        hide = self.is_sensitive(out)
        out[LOCATABLE] = ~hide
        if hide.any():
            x = snap(out.loc[hide, "x"].to_numpy(dtype=float, na_value=np.nan), self.geomask_m)
            y = snap(out.loc[hide, "y"].to_numpy(dtype=float, na_value=np.nan), self.geomask_m)
            lon, lat = geo.to_geographic(x, y)
            out.loc[hide, "x"], out.loc[hide, "y"] = x, y
            out.loc[hide, "lon"], out.loc[hide, "lat"] = lon, lat
        return out

    def floored(self, query: HotspotQuery) -> tuple[HotspotQuery, bool]:
        """``(query, raised)``: the query's setting raised to this role's floors.

        ``query`` must have its setting (:func:`analytics.answer.resolve_query`).
        """
        return self.floors.apply(query)

    def hotspots(
        self, table: pd.DataFrame, *, min_samples: float
    ) -> tuple[pd.DataFrame, tuple[str, ...]]:
        """``(hotspots this role may receive, the police unit of each one withheld)``.

        For a masked role, a hotspot whose locatable (non-sensitive) events weigh less
        than ``min_samples`` rests on sensitive cases and is withheld. ``table`` must
        come from a frame of :meth:`clustering_events` (it has ``weight_locatable``).
        """
        if not self.masks:
            return table, ()
        if table.empty:
            return table.drop(columns="weight_locatable", errors="ignore"), ()
        if "weight_locatable" not in table.columns:
            raise ValueError(
                "hotspots for a masked role must be computed from PrivacyRule.clustering_events"
            )
        keep = table["weight_locatable"].to_numpy(dtype=float) >= float(min_samples) - 1e-9
        shown = table[keep].drop(columns="weight_locatable")
        if "rank" in shown.columns and len(shown) != len(table):
            shown = shown.copy()
            shown["rank"] = np.arange(1, len(shown) + 1)
        units = table.loc[~keep, "police_unit"] if "police_unit" in table else pd.Series()
        return shown.reset_index(drop=True), tuple(str(u) for u in units.fillna(""))


@dataclass(frozen=True)
class ShownHotspots:
    """Hotspots as one role may receive them.

    ``current`` and ``gone`` are :func:`analytics.compute.status.hotspot_status` tables with
    the withheld hotspots removed (``gone`` is empty without a week-over-week status);
    ``withheld`` is the police unit of each current hotspot withheld (the pages say how
    many); ``query`` is what the hotspots were computed with (its setting ``raised`` to
    the role's floors where they applied); ``event_hotspot`` maps each clustered event
    to its shown hotspot (<NA> otherwise).
    """

    current: pd.DataFrame
    gone: pd.DataFrame
    withheld: tuple[str, ...]
    query: HotspotQuery
    raised: bool
    event_hotspot: pd.Series
    n_clustered: int
    dbscan_backend: str


def shown_hotspots(
    rule: PrivacyRule,
    events: pd.DataFrame,
    query: HotspotQuery,
    *,
    geo: StationGeography,
    weeks_back: int = 4,
) -> ShownHotspots:
    """Hotspots of the query's period with their status, as ``rule``'s role may receive them.

    Parameters
    ----------
    rule : PrivacyRule
    events : event frame, exact (as stored) or already :meth:`PrivacyRule.clustering_events`
    query : HotspotQuery with its setting (``eps_m`` and ``min_samples``), raised here to
        the role's floors; with ``weeks_back`` >= 1 it needs a period
    geo : StationGeography
    weeks_back : int
        Previous weeks for the week-over-week status
        (:func:`analytics.compute.status.hotspot_status`); 0: the period's hotspots alone.
    """
    from analytics.compute import hotspots, status

    if rule.masks and LOCATABLE not in events.columns:
        events = rule.clustering_events(events, geo=geo)
    query, raised = rule.floored(query)
    if weeks_back:
        found = status.hotspot_status(events, query, geo=geo, weeks_back=weeks_back)
        result, current_all, gone_all = found.result, found.current, found.gone
    else:
        result = hotspots.find_hotspots(events, query, geo=geo)
        current_all, gone_all = result.hotspots, result.hotspots.iloc[:0]
    current, withheld = rule.hotspots(current_all, min_samples=query.min_samples)
    gone, _ = rule.hotspots(gone_all, min_samples=query.min_samples)
    event_hotspot = result.hotspot_ids[result.clustered]
    # A withheld hotspot's members are not grouped for anyone who may not see it.
    event_hotspot = event_hotspot.where(event_hotspot.isin(current["hotspot_id"]))
    return ShownHotspots(
        current=current,
        gone=gone,
        withheld=withheld,
        query=query,
        raised=raised,
        event_hotspot=event_hotspot,
        n_clustered=int(result.clustered.sum()),
        dbscan_backend=result.dbscan_backend,
    )


def viewer_events(
    events: pd.DataFrame,
    *,
    geo: StationGeography | None = None,
    sensitive: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The event frame as a viewer may receive it (:meth:`PrivacyRule.events`).

    Parameters
    ----------
    events : event frame
    geo : StationGeography, optional; its station's ``[privacy]`` settings are used
    sensitive : category codes to hide; default the station's
    """
    from analytics.station.config import default_station

    station = geo.station if geo is not None else default_station()
    rule = PrivacyRule.for_role("viewer", station)
    if sensitive is not None:
        rule = PrivacyRule(rule.role, tuple(sensitive), rule.geomask_m, rule.floors)
    return rule.events(events)
