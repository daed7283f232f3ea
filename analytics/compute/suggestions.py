"""The "여기 무서워요" suggestion box: cards per box and week, asked-for hours,
categories, fear-type hotspots with CPTED measures, and where to put a box next.

Cards name a place and a time slot (e.g. 22–02시) where a resident feels unsafe.
Boxes move so that every neighbourhood has its say (:mod:`analytics.storage.boxes`);
:func:`next_box_sites` proposes where to go next: areas with incidents but few
cards, away from where boxes have already stood.

Every function is pure (no I/O) and works on the event frame of
:mod:`analytics.storage.schema` and the box log of :func:`analytics.storage.boxes.read_box_log_from_store`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from analytics.compute import profiles
from analytics.compute.changes import compare_counts
from analytics.compute.periods import pct_change
from analytics.query import MIN_GEOCODE_SCORE
from analytics.station.categories import COMPLAINT, SUGGESTION
from analytics.station.geo import StationGeography

# Cards whose box id is missing are counted under this column, not dropped.
NO_BOX = "-"

# next_box_sites: residents within this distance of a past or present box have
# already had their say, so an area there counts for this share of its need.
NEAR_BOX_M = 1000.0
NEAR_BOX_FACTOR = 0.5
# Reasons (catalogue keys ``suggestions.reason.<code>``), most convincing first.
REASON_NO_CARDS = "no_cards"  # incidents, not a single card, no box ever near
REASON_FEW_CARDS = "few_cards"  # incidents, some cards, no box ever near
REASON_NEAR_BOX = "near_box"  # need remains, but a box has stood within NEAR_BOX_M

# CPTED measures per category code (cards, and the complaints that ask for the same):
# dark streets want light; people loitering, youth gatherings and drunk people
# want natural and camera surveillance; traffic fears want road-safety measures.
CPTED_BY_CATEGORY: dict[str, str] = {
    "dark": "lighting",
    "streetlight": "lighting",
    "stranger": "cctv",
    "youth": "cctv",
    "drunk": "cctv",
    "cctv": "cctv",
    "traffic": "traffic",
    "signal": "traffic",
    "crosswalk": "traffic",
    "speed_bump": "traffic",
}
CPTED_DEFAULT: tuple[str, ...] = ("lighting", "cctv")
CPTED_MEASURES: tuple[str, ...] = ("lighting", "cctv", "traffic")

# "Where next" looks at least this far back: a box stands for months, so one
# quiet or busy week should not decide where it goes.
NEXT_SITE_MIN_DAYS = 28

_DAY = pd.Timedelta(days=1)
_WEEK = pd.Timedelta(days=7)


def _check_period(start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be tz-aware timestamps")
    if not start < end:
        raise ValueError(f"start must be before end, got {start} .. {end}")
    return start, end


def cards(
    events: pd.DataFrame,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    box_id: str | None = None,
    inside_only: bool = True,
) -> pd.DataFrame:
    """The suggestion cards of ``[start, end)``, optionally of one box.

    Parameters
    ----------
    events : event frame
    start, end : tz-aware Timestamp, optional; None leaves that end open.
    box_id : str, optional; :data:`NO_BOX` selects cards without a box id.
    inside_only : bool, default True
        Only cards whose place is inside the station (as the meeting brief counts).

    Returns
    -------
    DataFrame: the matching rows of ``events``, in their order.
    """
    if start is not None and end is not None:
        _check_period(start, end)
    m = (events["source"] == "suggestion").to_numpy(dtype=bool, na_value=False).copy()
    if inside_only:
        m &= events["inside_station"].to_numpy(dtype=bool, na_value=False)
    if start is not None:
        m &= (events["occurred_at"] >= start).to_numpy(dtype=bool, na_value=False)
    if end is not None:
        m &= (events["occurred_at"] < end).to_numpy(dtype=bool, na_value=False)
    if box_id is not None:
        boxes = events["box_id"].astype(object).where(events["box_id"].notna(), NO_BOX)
        m &= (boxes == box_id).to_numpy(dtype=bool)
    return events[m]


def card_summary(
    events: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    box_id: str | None = None,
) -> dict:
    """Cards this period against the period of the same length just before.

    Returns
    -------
    dict with ``n`` (cards in ``[start, end)``), ``previous`` (cards in the same
    length before ``start``), ``change_pct`` (percent, None when previous is 0),
    ``change`` (:class:`~analytics.compute.changes.Change`: what to show),
    ``n_boxes`` (distinct boxes that received a card this period) and
    ``n_places`` (distinct places named on this period's cards).
    """
    start, end = _check_period(start, end)
    now = cards(events, start=start, end=end, box_id=box_id)
    before = cards(events, start=start - (end - start), end=start, box_id=box_id)
    n, prev = len(now), len(before)
    return {
        "n": n,
        "previous": prev,
        "change_pct": pct_change(n, prev),
        "change": compare_counts(n, prev),
        "n_boxes": int(now["box_id"].dropna().nunique()),
        "n_places": int(now["location_text"].dropna().nunique()),
    }


def week_starts(
    *, start: pd.Timestamp, end: pd.Timestamp, anchor: pd.Timestamp
) -> pd.DatetimeIndex:
    """Starts of the 7-day bins that cover ``[start, end)``, aligned on ``anchor``.

    A bin boundary falls on ``anchor`` (e.g. the meeting day that ends the
    reporting week), so one bin is exactly the reporting week.
    """
    start, end = _check_period(start, end)
    anchor = pd.Timestamp(anchor)
    first = anchor - int(np.ceil((anchor - start) / _WEEK)) * _WEEK
    n = int(np.ceil((end - first) / _WEEK))
    return pd.DatetimeIndex([first + i * _WEEK for i in range(n)])


def _standing_days(boxes: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """box id → [(installed_on, removed_on or '9999-12-31'), ...] as ISO dates."""
    out: dict[str, list[tuple[str, str]]] = {}
    for box, inst, rem in zip(
        boxes["box_id"].astype(object), boxes["installed_on"], boxes["removed_on"], strict=True
    ):
        last = rem if isinstance(rem, str) and rem else "9999-12-31"
        out.setdefault(str(box), []).append((str(inst), last))
    return out


def weekly_cards_per_box(
    events: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    anchor: pd.Timestamp | None = None,
    box_id: str | None = None,
    boxes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cards per 7-day bin and box.

    Parameters
    ----------
    events : event frame
    start, end : tz-aware Timestamp; cards of ``[start, end)`` are counted.
    anchor : tz-aware Timestamp, optional
        Bins are aligned so that one boundary falls here; default ``end``.
    box_id : str, optional; only that box.
    boxes : box log, optional
        When given, a bin in which a logged box stood nowhere on any day is NaN
        (not placed) rather than 0 (placed, no card). Boxes missing from the log
        keep their counts.

    Returns
    -------
    DataFrame indexed by bin start (``week_start``, tz-aware), one column per box
    id (sorted; :data:`NO_BOX` for cards without one): int counts, or float with
    NaN when ``boxes`` is given. The first and last bins may reach outside
    ``[start, end)``; only cards inside it count.
    """
    start, end = _check_period(start, end)
    bins = week_starts(start=start, end=end, anchor=end if anchor is None else anchor)
    c = cards(events, start=start, end=end, box_id=box_id)
    box = c["box_id"].astype(object).where(c["box_id"].notna(), NO_BOX).to_numpy()
    which = ((c["occurred_at"] - bins[0]) // _WEEK).to_numpy(dtype=np.int64)
    names = set(box.tolist())
    if boxes is not None:
        names |= {str(b) for b in boxes["box_id"].dropna()}
    names = sorted(names) if box_id is None else [box_id]
    counts = np.zeros((len(bins), len(names)), dtype=np.int64)
    if len(c):
        col = pd.Index(names).get_indexer(box)
        np.add.at(counts, (which, col), 1)
    out = pd.DataFrame(counts, index=bins, columns=names)
    if boxes is not None:
        spans = _standing_days(boxes)
        first_day = bins.strftime("%Y-%m-%d").to_numpy(dtype=object)
        last_day = (bins + _WEEK - _DAY).strftime("%Y-%m-%d").to_numpy(dtype=object)
        out = out.astype(float)
        for name in names:
            if name not in spans:
                continue
            placed = np.zeros(len(bins), dtype=bool)
            for inst, rem in spans[name]:
                placed |= (first_day <= rem) & (last_day >= inst)
            out.loc[~placed, name] = np.nan
    out.index.name = "week_start"
    out.columns.name = "box_id"
    return out


def slot_hour_histogram(events: pd.DataFrame) -> pd.Series:
    """Cards per hour of the day over their requested slots.

    Each card counts once in all, spread evenly over the hours of its slot (the
    rule of :func:`analytics.compute.profiles.hour_weekday_histograms`): a 22–02시 card
    adds 0.25 to each of 22, 23, 0 and 1시; a slot whose end equals its start is
    the whole day. Cards without a slot are left out; other sources are ignored.

    Returns
    -------
    Series of float, index 0..23 (``hour``).
    """
    c = events[(events["source"] == "suggestion").to_numpy(dtype=bool, na_value=False)]
    hist = profiles.hour_weekday_histograms(c, np.zeros(len(c), dtype=np.int64), 1)
    return pd.Series(hist[0].sum(axis=0), index=pd.RangeIndex(24, name="hour"), name="cards")


def category_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Cards per category, most frequent first (ties in catalogue order).

    Every suggestion category of :data:`analytics.station.categories.SUGGESTION` appears,
    with 0 when no card has it; unknown codes follow with their code as label.

    Returns
    -------
    DataFrame indexed by ``category`` code with ``label_ko``, ``label_en``, ``count``.
    """
    c = events[(events["source"] == "suggestion").to_numpy(dtype=bool, na_value=False)]
    seen = c["category"].astype(object).where(c["category"].notna(), "other").value_counts()
    known = [cat.code for cat in SUGGESTION]
    codes = known + sorted(str(k) for k in seen.index if k not in known)
    labels = {cat.code: (cat.label_ko, cat.label_en) for cat in SUGGESTION}
    out = pd.DataFrame(
        {
            "category": codes,
            "label_ko": [labels.get(k, (k, k))[0] for k in codes],
            "label_en": [labels.get(k, (k, k))[1] for k in codes],
            "count": [int(seen.get(k, 0)) for k in codes],
            "_order": range(len(codes)),
        }
    )
    out = out.sort_values(["count", "_order"], ascending=[False, True], kind="stable")
    return out.drop(columns="_order").set_index("category")


def placement_cards(events: pd.DataFrame, boxes: pd.DataFrame, *, on: pd.Timestamp) -> pd.DataFrame:
    """The deployment history with the cards each placement collected.

    A card belongs to the placement of its box that stood on the card's date
    (installed and removed days included).

    Parameters
    ----------
    events : event frame (all cards are counted, whatever their period)
    boxes : box log (``box_id``, ``place``, ``lat``, ``lon``, ``installed_on``,
        ``removed_on`` as ``YYYY-MM-DD`` strings, removed None while standing)
    on : Timestamp; placements standing that day are ``standing``.

    Returns
    -------
    DataFrame, one row per placement in box and date order: the log's columns plus
    ``cards`` (int) and ``standing`` (bool). Placements installed after ``on`` are left out.
    """
    day = pd.Timestamp(on).strftime("%Y-%m-%d")
    log = boxes.reset_index(drop=True)
    log = log[log["installed_on"].astype(str) <= day].reset_index(drop=True)
    # The store gives NaN, a CSV "" for a box still standing.
    removed = [v if isinstance(v, str) and v else None for v in log["removed_on"].astype(object)]
    c = cards(events, inside_only=False)
    card_day = c["occurred_at"].dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    card_box = c["box_id"].astype(object).to_numpy()
    counts = np.zeros(len(log), dtype=np.int64)
    for i, (box, inst, rem) in enumerate(
        zip(log["box_id"].astype(object), log["installed_on"].astype(str), removed, strict=True)
    ):
        hit = (card_box == box) & (card_day >= inst) & (card_day <= (rem or "9999-12-31"))
        counts[i] = int(hit.sum())
    out = log.copy()
    out["removed_on"] = pd.Series(removed, index=out.index, dtype=object)
    out["cards"] = counts
    out["standing"] = [r is None or day <= r for r in removed]
    return out.sort_values(["box_id", "installed_on"], kind="stable").reset_index(drop=True)


def cpted_measures(top_categories) -> tuple[str, ...]:
    """CPTED measures for a place from its top categories.

    Parameters
    ----------
    top_categories : list of (label, count), as in a hotspot's ``top_categories``
        (Korean labels of any source; card and complaint categories count).

    Returns
    -------
    tuple of measure codes in :data:`CPTED_MEASURES` order, e.g. ``('lighting',
    'cctv')``; lighting and CCTV when no category points anywhere.
    """
    code_of = {cat.label_ko: cat.code for cat in (*COMPLAINT, *SUGGESTION)}
    wanted = {
        CPTED_BY_CATEGORY[code_of[label]]
        for label, n in (top_categories or [])
        if n and code_of.get(label) in CPTED_BY_CATEGORY
    }
    return tuple(m for m in CPTED_MEASURES if m in wanted) or CPTED_DEFAULT


def fear_hotspots(hotspots: pd.DataFrame) -> pd.DataFrame:
    """The fear-type hotspots (residents uneasy, few incidents) with CPTED measures.

    Parameters
    ----------
    hotspots : the hotspot table of :func:`analytics.compute.hotspots.find_hotspots`
        (or :func:`analytics.compute.status.hotspot_status`), sorted by priority.

    Returns
    -------
    The rows of type ``fear``, in the input order and of the input's class (a
    GeoDataFrame stays one, for the map), with every column plus ``measures``
    (tuple of CPTED measure codes, :func:`cpted_measures` of ``top_categories``).
    """
    fear = hotspots.loc[(hotspots["type"] == profiles.TYPE_FEAR).to_numpy(dtype=bool)].copy()
    fear["measures"] = pd.Series(
        [cpted_measures(t) for t in fear["top_categories"]], index=fear.index, dtype=object
    )
    return fear.reset_index(drop=True)


def box_ids(events: pd.DataFrame, boxes: pd.DataFrame) -> list[str]:
    """Every box id in the log or on a card, sorted (:data:`NO_BOX` last if used)."""
    c = cards(events, inside_only=False)
    ids = set(boxes["box_id"].dropna().astype(str)) | set(c["box_id"].dropna().astype(str))
    out = sorted(ids)
    return [*out, NO_BOX] if c["box_id"].isna().any() else out


def trend_window(
    start: pd.Timestamp, end: pd.Timestamp, *, last_event: pd.Timestamp | None = None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The 52 weeks a trend chart shows around the period ``[start, end)``.

    The window ends at the day after ``last_event``, but not before ``end`` and
    not so late that ``start`` falls out: a live store shows the year up to now,
    a finished year (the demo) shows all of it whichever week is picked.

    Returns
    -------
    (begin, stop) : tz-aware Timestamps, ``stop - begin`` = 364 days.
    """
    start, end = _check_period(start, end)
    year = pd.Timedelta(days=364)
    stop = end
    if last_event is not None and not pd.isna(last_event):
        stop = pd.Timestamp(last_event).tz_convert(end.tz).normalize() + _DAY
    stop = min(max(stop, end), start + year)
    return stop - year, stop


def next_site_window(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The window :func:`next_box_sites` looks at for a view of ``[start, end)``:
    the period, widened to at least :data:`NEXT_SITE_MIN_DAYS` days back from ``end``."""
    start, end = _check_period(start, end)
    return min(start, end - pd.Timedelta(days=NEXT_SITE_MIN_DAYS)), end


def _box_xy(boxes: pd.DataFrame, geo: StationGeography) -> np.ndarray:
    """Placement coordinates in metres, shape (n, 2): the log's x/y, else projected
    lat/lon; NaN where a placement has neither."""
    if len(boxes) == 0:
        return np.empty((0, 2))
    lon = pd.to_numeric(boxes["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(boxes["lat"], errors="coerce").to_numpy(dtype=float)
    px, py = geo.to_analysis(lon, lat)
    if "x" in boxes and "y" in boxes:
        x = pd.to_numeric(boxes["x"], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(boxes["y"], errors="coerce").to_numpy(dtype=float)
        px, py = np.where(np.isfinite(x), x, px), np.where(np.isfinite(y), y, py)
    return np.column_stack([px, py])


NEXT_SITE_COLUMNS = (
    "rank",
    "cell_id",
    "lat",
    "lon",
    "x",
    "y",
    "emd",
    "police_unit",
    "landmark",
    "landmark_m",
    "incidents",
    "cards",
    "nearest_box_m",
    "nearest_box",
    "nearest_box_place",
    "score",
    "reason",
)


def next_box_sites(
    events: pd.DataFrame,
    boxes: pd.DataFrame,
    *,
    geo: StationGeography,
    start: pd.Timestamp,
    end: pd.Timestamp,
    cell_m: float = 500.0,
    top: int = 5,
    near_box_m: float = NEAR_BOX_M,
    near_box_factor: float = NEAR_BOX_FACTOR,
    card_weight: float = 1.0,
) -> pd.DataFrame:
    """Where to place a suggestion box next: incidents but few cards, no box yet.

    The station is cut into square cells of ``cell_m`` metres (a fixed grid in the
    analysis CRS, so a cell keeps its id whatever the data). For each cell with
    incidents in ``[start, end)``::

        need  = incidents - card_weight × cards          (cards placed in the cell)
        score = need × (near_box_factor if a box ever stood within near_box_m else 1)

    "Ever stood" means any placement installed before ``end``, removed or not:
    residents there already had their say. Cells whose need is 0 or less (the cards
    already match the incidents) are not proposed. Only events inside the station
    and not placed merely at a township's centre count (as for hotspots).

    Parameters
    ----------
    events : event frame (incidents and cards are used)
    boxes : box log (:func:`analytics.storage.boxes.read_box_log_from_store`); ``x``/``y``
        in metres when present, else ``lat``/``lon``.
    geo : StationGeography, for townships, police units, landmarks and projections.
    start, end : tz-aware Timestamp, the window ``[start, end)``.
    cell_m : float in [100, 5000], cell size in metres.
    top : int >= 1, rows returned.
    near_box_m : float >= 0, the "already had their say" radius.
    near_box_factor : float in [0, 1], the share of need counted near a box.
    card_weight : float >= 0, incidents one card stands for.

    Returns
    -------
    DataFrame with :data:`NEXT_SITE_COLUMNS`, best first: ``rank`` (1 = best),
    ``cell_id`` ("E<col>N<row>"), cell centre ``lat``/``lon`` and ``x``/``y``,
    ``emd`` and ``police_unit`` of the centre (of the cell's incidents when the
    centre falls outside the station), nearest ``landmark`` and ``landmark_m``,
    ``incidents``, ``cards``, ``nearest_box_m`` (to the nearest placement ever,
    NaN when there is none), ``nearest_box`` and ``nearest_box_place`` (that
    placement's box id and place), ``score`` and
    ``reason`` (:data:`REASON_NO_CARDS`, :data:`REASON_FEW_CARDS` or
    :data:`REASON_NEAR_BOX`). Ties go to more incidents, then farther from a box,
    then the cell id.
    """
    start, end = _check_period(start, end)
    if not (np.isfinite(cell_m) and 100.0 <= cell_m <= 5000.0):
        raise ValueError(f"cell_m must be 100..5000 metres, got {cell_m!r}")
    if int(top) != top or top < 1:
        raise ValueError(f"top must be a positive integer, got {top!r}")
    if not (np.isfinite(near_box_m) and near_box_m >= 0):
        raise ValueError(f"near_box_m must be >= 0 metres, got {near_box_m!r}")
    if not 0.0 <= near_box_factor <= 1.0:
        raise ValueError(f"near_box_factor must be in [0, 1], got {near_box_factor!r}")
    if not (np.isfinite(card_weight) and card_weight >= 0):
        raise ValueError(f"card_weight must be >= 0, got {card_weight!r}")
    for col in ("box_id", "lat", "lon", "installed_on"):
        if col not in boxes.columns:
            raise ValueError(f"boxes has no '{col}' column")

    m = events["inside_station"].to_numpy(dtype=bool, na_value=False).copy()
    m &= (events["occurred_at"] >= start).to_numpy(dtype=bool, na_value=False)
    m &= (events["occurred_at"] < end).to_numpy(dtype=bool, na_value=False)
    m &= ~(events["geocode_score"].to_numpy(dtype=float, na_value=1.0) < MIN_GEOCODE_SCORE)
    x = events["x"].to_numpy(dtype=float, na_value=np.nan)
    y = events["y"].to_numpy(dtype=float, na_value=np.nan)
    m &= np.isfinite(x) & np.isfinite(y)
    src = events["source"].to_numpy(dtype=object, na_value=None)
    ev = pd.DataFrame(
        {
            "col": np.floor(x[m] / cell_m).astype(np.int64),
            "row": np.floor(y[m] / cell_m).astype(np.int64),
            "incident": src[m] == "incident",
            "card": src[m] == "suggestion",
            "emd": events["emd"].to_numpy(dtype=object, na_value=None)[m],
            "police_unit": events["police_unit"].to_numpy(dtype=object, na_value=None)[m],
        }
    )
    ev = ev[ev["incident"] | ev["card"]]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in NEXT_SITE_COLUMNS})
    if not ev["incident"].any():
        return empty
    cells = ev.groupby(["col", "row"], sort=True).agg(
        incidents=("incident", "sum"), cards=("card", "sum")
    )
    cells = cells[cells["incidents"] > 0]
    need = cells["incidents"] - card_weight * cells["cards"]
    cells = cells[need > 0].assign(need=need[need > 0]).reset_index()
    if cells.empty:
        return empty

    cx = (cells["col"].to_numpy() + 0.5) * cell_m
    cy = (cells["row"].to_numpy() + 0.5) * cell_m
    placed = boxes[boxes["installed_on"].astype(str) < end.strftime("%Y-%m-%d")]
    placed = placed.reset_index(drop=True)
    bxy = _box_xy(placed, geo)
    has_xy = np.flatnonzero(np.isfinite(bxy).all(axis=1))
    if len(has_xy):
        dist, idx = cKDTree(bxy[has_xy]).query(np.column_stack([cx, cy]))
        rows = placed.iloc[has_xy[idx]]
        nearest = rows["box_id"].astype(object).to_numpy()
        nearest_place = (
            rows["place"].astype(object).to_numpy()
            if "place" in rows
            else np.full(len(rows), None, dtype=object)
        )
    else:
        dist = np.full(len(cells), np.nan)
        nearest = nearest_place = np.full(len(cells), None, dtype=object)
    near = np.isfinite(dist) & (dist <= near_box_m)
    score = cells["need"].to_numpy(dtype=float) * np.where(near, near_box_factor, 1.0)
    reason = np.where(
        near, REASON_NEAR_BOX, np.where(cells["cards"] == 0, REASON_NO_CARDS, REASON_FEW_CARDS)
    )

    areas = geo.assign_areas(cx, cy)
    emd = areas["emd"].to_numpy(dtype=object)
    unit = areas["police_unit"].to_numpy(dtype=object)
    if (missing := ~areas["inside_station"].to_numpy(dtype=bool)).any():
        # A border cell's centre can fall outside: name it after its incidents.
        inc = ev[ev["incident"]]
        mode = inc.groupby(["col", "row"])[["emd", "police_unit"]].agg(
            lambda s: s.mode().iat[0] if s.notna().any() else None
        )
        keys = list(zip(cells["col"], cells["row"], strict=True))
        for i in np.flatnonzero(missing):
            emd[i], unit[i] = mode.loc[keys[i], "emd"], mode.loc[keys[i], "police_unit"]
    lon, lat = geo.to_geographic(cx, cy)
    lm_name, lm_dist, _ = profiles.nearest_landmarks(cx, cy, geo.landmarks)
    out = pd.DataFrame(
        {
            "cell_id": [f"E{c}N{r}" for c, r in zip(cells["col"], cells["row"], strict=True)],
            "lat": lat,
            "lon": lon,
            "x": cx,
            "y": cy,
            "emd": emd,
            "police_unit": unit,
            "landmark": lm_name,
            "landmark_m": lm_dist,
            "incidents": cells["incidents"].to_numpy(dtype=np.int64),
            "cards": cells["cards"].to_numpy(dtype=np.int64),
            "nearest_box_m": dist,
            "nearest_box": nearest,
            "nearest_box_place": nearest_place,
            "score": score,
            "reason": reason.astype(object),
        }
    )
    out = out.sort_values(
        ["score", "incidents", "nearest_box_m", "cell_id"],
        ascending=[False, False, False, True],
        na_position="first",  # no box at all is the farthest
        kind="stable",
    ).head(int(top))
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)[list(NEXT_SITE_COLUMNS)]
