"""The community loop: what residents said through a suggestion box, and what the
station did about it (issue 18).

Two printed sheets close the loop (:mod:`analytics.presentation.cpted`,
:mod:`analytics.presentation.box_report`); this module is their arithmetic, pure and
without I/O:

* **A box's cards** in a period, counted by theme and by hour band
  (:func:`box_card_counts`). Counts only, for a sheet posted beside the box: a count
  below the station's small-count threshold (:func:`small_count_threshold`) is not
  printed as a number; small themes are pooled into one unnamed row.
* **What the station did** near those cards (:func:`box_actions`,
  :func:`action_summary`): the meeting's decisions (:mod:`analytics.storage.decisions`)
  whose hotspot holds one of the box's cards or lies within ``near_m`` of one.
* **For a CPTED request** about one fear-type hotspot: the cards that may be printed
  (:func:`printable_cards`: none that names a sensitive category), the hours the cards
  name (:func:`hours_named`), and which public facilities are lacking
  (:func:`lacking_facilities`) from facility distances the caller supplies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analytics.compute import suggestions
from analytics.station.categories import INCIDENT, SUGGESTION

# Hour bands of the day a card's slot is counted in (start hour, end hour).
HOUR_BANDS: tuple[tuple[str, int, int], ...] = (
    ("dawn", 0, 6),
    ("morning", 6, 12),
    ("afternoon", 12, 18),
    ("evening", 18, 22),
    ("night", 22, 24),
)
NO_TIME = "no_time"  # cards that name no hours
SMALL_THEMES = "small"  # the pooled row of themes with few cards

# Facilities a CPTED request is about, and how near one must be to count as there.
FACILITIES: tuple[str, ...] = ("cctv", "streetlight", "bell")
# A camera or a street light is what a fear place is checked for (the bell is listed).
REQUIRED_FACILITIES: tuple[str, ...] = ("cctv", "streetlight")
FACILITY_NEAR_M = 50.0

# A decision's hotspot is "near" a box's card when the card lies inside it or this close.
NEAR_M = 100.0

_THEME_CODES = tuple(c.code for c in SUGGESTION)
_THEME_LABELS = {c.code: (c.label_ko, c.label_en) for c in SUGGESTION}


def small_count_threshold(station) -> int:
    """The smallest count a sheet for the public prints as a number: the station file's
    ``[privacy] public_min_count`` (validated there: a whole number >= 2)."""
    return int(station.public_min_count)


@dataclass(frozen=True)
class BoxCounts:
    """A box's cards in a period, as they may be posted.

    Attributes
    ----------
    total : int, every card of the box in the period
    themes : DataFrame with ``theme`` (a suggestion category code, or
        :data:`SMALL_THEMES` for the pooled row), ``label_ko``, ``label_en``,
        ``count`` (int) and ``suppressed`` (bool: ``0 < count < min_count``, not to be
        printed as a number). Most cards first; themes with no card are left out.
    hours : DataFrame with ``band`` (:data:`HOUR_BANDS` codes, then :data:`NO_TIME`),
        ``start``, ``end`` (hours; None for no time), ``count`` (cards whose slot
        touches the band: a card can count in two) and ``suppressed``.
    min_count : int, the threshold used
    """

    total: int
    themes: pd.DataFrame
    hours: pd.DataFrame
    min_count: int

    @property
    def total_suppressed(self) -> bool:
        return 0 < self.total < self.min_count


def _slot_hours(start: float, end: float) -> np.ndarray:
    """The hours (0..23) a slot covers; 22–02 is 22, 23, 0, 1; end == start: all day."""
    length = (int(end) - int(start)) % 24 or 24
    return (int(start) + np.arange(length)) % 24


def box_card_counts(
    events: pd.DataFrame,
    *,
    box_id: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    min_count: int,
) -> BoxCounts:
    """A box's cards of ``[start, end)`` by theme and by hour band.

    Parameters
    ----------
    events : event frame (``source``, ``occurred_at``, ``box_id``, ``category``,
        ``slot_start_hour``, ``slot_end_hour``, ``inside_station``)
    box_id : str, the box
    start, end : tz-aware Timestamp
    min_count : int >= 1, counts ``0 < n < min_count`` are marked suppressed

    Returns
    -------
    BoxCounts
        Themes with at least ``min_count`` cards keep their own row; the others, and
        ``other`` whatever its count, are pooled into one :data:`SMALL_THEMES` row (not
        named, so a reader cannot tell which theme a single card had), suppressed when
        it is itself small. A theme code that is not a suggestion category counts as
        ``other``.
    """
    if int(min_count) != min_count or min_count < 1:
        raise ValueError(f"min_count must be a positive integer, got {min_count!r}")
    c = suggestions.cards(events, start=start, end=end, box_id=box_id)
    codes = c["category"].astype(object).where(c["category"].isin(_THEME_CODES), "other")
    seen = codes.value_counts()

    def small(n: int) -> bool:
        return 0 < n < min_count

    rows, pooled = [], 0
    for code in sorted(seen.index, key=lambda k: (-int(seen[k]), _THEME_CODES.index(k))):
        n = int(seen[code])
        if small(n) or code == "other":
            pooled += n
            continue
        ko, en = _THEME_LABELS[code]
        rows.append((code, ko, en, n, False))
    if pooled:
        rows.append((SMALL_THEMES, None, None, pooled, small(pooled)))
    themes = pd.DataFrame(rows, columns=["theme", "label_ko", "label_en", "count", "suppressed"])

    starts = c["slot_start_hour"].to_numpy(dtype=float, na_value=np.nan)
    ends = c["slot_end_hour"].to_numpy(dtype=float, na_value=np.nan)
    band_of_hour = np.empty(24, dtype=np.int64)
    for i, (_, lo, hi) in enumerate(HOUR_BANDS):
        band_of_hour[lo:hi] = i
    per_band = np.zeros(len(HOUR_BANDS), dtype=np.int64)
    no_time = 0
    for s, e in zip(starts, ends, strict=True):
        if not (np.isfinite(s) and np.isfinite(e)):
            no_time += 1
            continue
        per_band[np.unique(band_of_hour[_slot_hours(s, e)])] += 1
    hours = pd.DataFrame(
        [
            *(
                (code, lo, hi, int(n))
                for (code, lo, hi), n in zip(HOUR_BANDS, per_band, strict=True)
            ),
            (NO_TIME, None, None, no_time),
        ],
        columns=["band", "start", "end", "count"],
    )
    hours["suppressed"] = [small(int(n)) for n in hours["count"]]
    return BoxCounts(total=len(c), themes=themes, hours=hours, min_count=int(min_count))


ACTION_COLUMNS = (
    "week",
    "action",
    "place",
    "police_unit",
    "owner_unit",
    "due_on",
    "answered_on",
    "outcome",
)


def box_actions(
    decisions: gpd.GeoDataFrame,
    cards: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    near_m: float = NEAR_M,
    answers: Mapping[int, dt.date] | None = None,
    outcomes: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """The meeting's decisions about places near a box's cards, in a period.

    Parameters
    ----------
    decisions : GeoDataFrame from :func:`analytics.storage.decisions.read_decisions`
        (``id``, ``week``, ``action``, ``place``, ``police_unit``, ``owner_unit``,
        ``due_on``; the hotspot polygon in metres)
    cards : the box's cards (``x``, ``y`` in metres; cards without a place are ignored)
    start, end : tz-aware Timestamp; meetings held on a day in ``[start, end]`` count
        (the meeting that ends a reporting week is on ``end``'s day)
    near_m : float >= 0, how far from a card a hotspot's edge may be
    answers : mapping decision id → the day the city answered, optional
        (:func:`analytics.storage.cpted_answers.answer_days`)
    outcomes : mapping decision id → the answer's outcome code, optional
        (``accepted``, ``partly``, ``refused``, ``pending``: words, never the note)

    Returns
    -------
    DataFrame with :data:`ACTION_COLUMNS` (``answered_on`` a date or None, ``outcome``
    a code or None), by meeting
    and decision id. Decisions with action ``none`` are left out.
    """
    if not (np.isfinite(near_m) and near_m >= 0):
        raise ValueError(f"near_m must be >= 0 metres, got {near_m!r}")
    first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in ACTION_COLUMNS})
    if decisions is None or decisions.empty:
        return empty
    x = cards["x"].to_numpy(dtype=float, na_value=np.nan)
    y = cards["y"].to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return empty
    points = shapely.multipoints(np.column_stack([x[ok], y[ok]]))
    in_period = np.array([first <= w <= last for w in decisions["week"]], dtype=bool)
    acting = (decisions["action"] != "none").to_numpy(dtype=bool)
    areas = np.asarray(decisions.geometry.to_numpy(), dtype=object)
    near = (
        shapely.dwithin(areas, points, near_m) if near_m > 0 else shapely.intersects(areas, points)
    )
    keep = decisions[in_period & acting & np.asarray(near, dtype=bool)]
    keep = keep.sort_values(["week", "id"], kind="stable")
    answers = answers or {}
    outcomes = outcomes or {}
    out = pd.DataFrame(
        {
            "week": list(keep["week"]),
            "action": list(keep["action"]),
            "place": list(keep["place"]),
            "police_unit": list(keep["police_unit"]),
            "owner_unit": list(keep["owner_unit"]),
            "due_on": list(keep["due_on"]),
            "answered_on": [answers.get(int(i)) for i in keep["id"]],
            "outcome": [outcomes.get(int(i)) for i in keep["id"]],
        },
        columns=list(ACTION_COLUMNS),
    )
    return out


def action_summary(actions: pd.DataFrame) -> dict[str, int]:
    """How many patrols were added, CPTED requests sent and answered, and
    investigations opened (``patrol``, ``cpted``, ``answered``, ``investigation``)."""
    action = actions["action"] if len(actions) else pd.Series(dtype=object)
    cpted = action == "cpted"
    answered = actions["answered_on"].notna() if len(actions) else pd.Series(dtype=bool)
    return {
        "patrol": int((action == "patrol").sum()),
        "cpted": int(cpted.sum()),
        "answered": int((cpted & answered).sum()),
        "investigation": int((action == "investigation").sum()),
    }


# ----------------------------------------------------------------------------- CPTED


def hotspot_cards(events: pd.DataFrame, event_hotspot: pd.Series, hotspot_id: str) -> pd.DataFrame:
    """The suggestion cards that belong to one hotspot (``event_hotspot``: the hotspot id
    of each row of ``events``, as a hotspot answer gives it), by date."""
    mine = (event_hotspot.reindex(events.index) == hotspot_id).to_numpy(dtype=bool, na_value=False)
    mine &= (events["source"] == "suggestion").to_numpy(dtype=bool, na_value=False)
    return events[mine].sort_values("occurred_at", kind="stable")


def printable_hotspot(
    hotspot: pd.Series,
    members: pd.DataFrame,
    *,
    sensitive: tuple[str, ...],
    geo,
    eps_m: float,
    hull: str = "convex",
) -> pd.Series:
    """``hotspot`` as a sheet for the city may show it: its polygon, centre, township,
    unit and nearest landmark built from its members that are not sensitive cases (the
    privacy rule's way for viewers, :mod:`analytics.access.privacy`), so nothing drawn
    or named derives from a sensitive case's place.

    Parameters
    ----------
    hotspot : Series, a row of the hotspot table
    members : the hotspot's events (every source; ``category``, ``x``, ``y``)
    sensitive : category codes whose place must not shape the sheet
    geo : StationGeography
    eps_m, hull : the setting the hotspot was found with (its polygon is the hull of
        its points buffered by ``eps_m / 2``)

    Returns
    -------
    Series : ``hotspot`` itself when no member is sensitive, else a copy with
    ``geometry``, ``centroid_x``/``centroid_y``, ``lat``/``lon``, ``emd``,
    ``police_unit``, ``landmark`` and ``landmark_m`` rebuilt.

    Raises
    ------
    ValueError
        Every located member is sensitive: there is no shape to print.
    """
    from analytics.compute import profiles

    hide = members["category"].isin(sensitive).to_numpy(dtype=bool, na_value=False)
    if not hide.any():
        return hotspot
    x = members["x"].to_numpy(dtype=float, na_value=np.nan)
    y = members["y"].to_numpy(dtype=float, na_value=np.nan)
    keep = ~hide & np.isfinite(x) & np.isfinite(y)
    if not keep.any():
        raise ValueError("the hotspot rests on sensitive cases alone: no shape to print")
    x, y = x[keep], y[keep]
    area = profiles.polygons(x, y, np.zeros(len(x), dtype=np.int64), 1, eps_m=eps_m, hull=hull)[0]
    cx, cy = np.array([x.mean()]), np.array([y.mean()])
    names, dists, _ = profiles.nearest_landmarks(cx, cy, geo.landmarks)
    areas = geo.assign_areas(cx, cy)
    lon, lat = geo.to_geographic(cx, cy)
    out = hotspot.copy()
    out["geometry"] = area
    out["centroid_x"], out["centroid_y"] = float(cx[0]), float(cy[0])
    out["lat"], out["lon"] = float(np.asarray(lat)[0]), float(np.asarray(lon)[0])
    out["emd"], out["police_unit"] = areas["emd"].iat[0], areas["police_unit"].iat[0]
    out["landmark"], out["landmark_m"] = names[0], float(dists[0])
    return out


def _sensitive_words(sensitive: tuple[str, ...]) -> re.Pattern[str] | None:
    words = {
        w
        for cat in INCIDENT
        if cat.code in sensitive
        for w in (*cat.synonyms, cat.label_ko, cat.label_en)
        if len(w) >= 2
    }
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)


def mentions_sensitive(values: pd.Series, sensitive: tuple[str, ...]) -> np.ndarray:
    """Bool per text: it names a sensitive category (a synonym of its incident category,
    e.g. 몰카, 성추행, 가정폭력), spaces and dots ignored."""
    pattern = _sensitive_words(tuple(sensitive))
    if pattern is None:
        return np.zeros(len(values), dtype=bool)
    squeezed = values.astype(object).map(
        lambda v: re.sub(r"[\s·.\-_/]+", "", v) if isinstance(v, str) else ""
    )
    return squeezed.map(lambda v: bool(pattern.search(v))).to_numpy(dtype=bool)


def printable_cards(cards: pd.DataFrame, sensitive: tuple[str, ...]) -> tuple[pd.DataFrame, int]:
    """The cards a CPTED request may quote, and how many were held back.

    A card is held back when its category is sensitive or its text (``description``,
    ``location_text``) names a sensitive category: a request to the city must not carry
    a hint of such a case.
    """
    hold = cards["category"].isin(sensitive).to_numpy(dtype=bool, na_value=False).copy()
    for col in ("description", "location_text"):
        if col in cards.columns:
            hold |= mentions_sensitive(cards[col], sensitive)
    return cards[~hold], int(hold.sum())


def hours_named(cards: pd.DataFrame) -> pd.Series:
    """Cards whose requested slot covers each hour of the day (index 0..23, ints);
    a 22–02시 card counts once in each of 22, 23, 0 and 1시."""
    out = np.zeros(24, dtype=np.int64)
    starts = cards["slot_start_hour"].to_numpy(dtype=float, na_value=np.nan)
    ends = cards["slot_end_hour"].to_numpy(dtype=float, na_value=np.nan)
    for s, e in zip(starts, ends, strict=True):
        if np.isfinite(s) and np.isfinite(e):
            out[_slot_hours(s, e)] += 1
    return pd.Series(out, index=pd.RangeIndex(24, name="hour"), name="cards")


def lacking_facilities(
    missing: Mapping[str, float | None], *, near_m: float = FACILITY_NEAR_M
) -> dict[str, str]:
    """Each facility kind's state near a hotspot, from its nearest distance.

    Parameters
    ----------
    missing : mapping kind → metres from the hotspot polygon to the nearest registered
        facility of that kind, or None when no layer of that kind is loaded. Kinds not
        given count as None.

    Returns
    -------
    dict over :data:`FACILITIES`: ``"lacking"`` (none within ``near_m``), ``"present"``
    (one within ``near_m``) or ``"unknown"`` (no layer loaded: nothing is claimed).
    """
    out = {}
    for kind in FACILITIES:
        d = missing.get(kind)
        if d is None or not np.isfinite(float(d)):
            out[kind] = "unknown" if d is None else "lacking"
        else:
            out[kind] = "present" if float(d) <= near_m else "lacking"
    return out


def cpted_request_fits(hotspot_type: str, missing: Mapping[str, float | None]) -> bool:
    """Whether a CPTED request sheet fits a hotspot: a fear-type hotspot where a camera
    or a street light is not known to be within :data:`FACILITY_NEAR_M` (an unloaded
    layer does not rule a request out)."""
    from analytics.compute.profiles import TYPE_FEAR

    if hotspot_type != TYPE_FEAR:
        return False
    state = lacking_facilities(missing)
    return any(state[k] != "present" for k in REQUIRED_FACILITIES)
