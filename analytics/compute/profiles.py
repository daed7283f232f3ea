"""What each hotspot is: its area, place, rhythm, patrol windows, type and priority.

Every function works on all hotspots at once (arrays indexed by hotspot label
0..k-1), so profiling a million events costs a few vectorised passes, not a Python
loop per hotspot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from analytics.text import text

# Hotspot types by composition. "Citizen voice" is suggestion cards and complaints.
TYPE_CONVERGENT = "convergent"  # residents report it and incidents happen there
TYPE_FEAR = "fear"  # residents feel unsafe, few incidents: think lighting, CCTV (CPTED)
TYPE_HIDDEN = "hidden"  # incidents with no citizen voice
# A hotspot is "fear" when its incidents are at most this share of its citizen
# reports (or at most FEAR_MAX_INCIDENTS, whichever is larger).
FEAR_MAX_INCIDENT_RATIO = 0.25
FEAR_MAX_INCIDENTS = 2

# Priority: severity-weighted events with exponential recency decay.
SEVERITY_WEIGHT = {"high": 3.0, "medium": 2.0, "low": 1.0}
SOURCE_WEIGHT = {"suggestion": 1.0, "complaint": 0.5}  # incidents use their severity
PRIORITY_HALF_LIFE_DAYS = 28.0

PATROL_WINDOW_H = 2
# A second window is proposed only when it adds at least this share of the hours.
SECOND_WINDOW_MIN_SHARE = 0.15


def polygons(
    x: np.ndarray, y: np.ndarray, labels: np.ndarray, k: int, *, eps_m: float, hull: str = "convex"
) -> np.ndarray:
    """One polygon per hotspot: the hull of its points buffered by ``eps_m / 2``.

    The buffer gives one- and two-point and collinear hotspots a real area.

    Parameters
    ----------
    x, y : ndarray of shape (n,), metres
    labels : ndarray of shape (n,), int; -1 is skipped
    k : int, number of hotspots
    hull : {'convex', 'concave'}

    Returns
    -------
    ndarray of shape (k,) of shapely Polygons, in the same CRS as ``x``/``y``.
    """
    return outlines(hulls(x, y, labels, k, hull=hull), eps_m=eps_m)


def hulls(
    x: np.ndarray, y: np.ndarray, labels: np.ndarray, k: int, *, hull: str = "convex"
) -> np.ndarray:
    """The hull of each hotspot's points, before :func:`outlines` (see :func:`polygons`)."""
    if hull not in ("convex", "concave"):
        raise ValueError(f"hull must be 'convex' or 'concave', got {hull!r}")
    if k == 0:
        return np.empty(0, dtype=object)
    keep = np.flatnonzero(labels >= 0)
    keep = keep[_maybe_on_hull(x[keep], y[keep], labels[keep])]
    order = np.argsort(labels[keep], kind="stable")
    coords = np.column_stack([x[keep], y[keep]])[order]
    groups = shapely.multipoints(coords, indices=labels[keep][order])
    return shapely.convex_hull(groups) if hull == "convex" else shapely.concave_hull(groups, 0.3)


def outlines(shapes: np.ndarray, *, eps_m: float) -> np.ndarray:
    """Hotspot polygons from their :func:`hulls`: buffered by ``eps_m / 2`` metres."""
    return shapely.buffer(shapes, eps_m / 2.0, quad_segs=8)


# Eight directions in counter-clockwise order; a cluster's extreme points in them
# form a convex octagon inside its hull (Akl–Toussaint).
_DIRECTIONS = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))
_DIRECTION_X = np.array([a for a, _ in _DIRECTIONS], dtype=float)
_DIRECTION_Y = np.array([b for _, b in _DIRECTIONS], dtype=float)
# From this many points on, pandas' hash groupby finds the extreme points faster than
# sorting by cluster does.
_GROUPBY_FROM = 50_000


def _maybe_on_hull(x: np.ndarray, y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """False for points strictly inside their cluster's extreme-point octagon.

    Such points cannot be hull vertices, so dropping them leaves every hull exactly
    as it was, and a million-point hull pass becomes a few thousand points.
    """
    if len(x) < 1000:
        return np.ones(len(x), dtype=bool)
    if len(x) < _GROUPBY_FROM:
        return _maybe_on_hull_small(x, y, labels)
    proj = pd.DataFrame({f"d{j}": a * x + b * y for j, (a, b) in enumerate(_DIRECTIONS)})
    extreme = proj.groupby(labels, sort=False).idxmax()  # row of each cluster's extreme point
    vx = np.zeros((int(labels.max()) + 1, 8))
    vy = np.zeros_like(vx)
    for j in range(8):
        rows = extreme[f"d{j}"].to_numpy()
        vx[extreme.index.to_numpy(), j] = x[rows]
        vy[extreme.index.to_numpy(), j] = y[rows]
    inside = np.ones(len(x), dtype=bool)
    edges = np.zeros(vx.shape[0], dtype=np.int64)
    for j in range(8):
        nxt = (j + 1) % 8
        # Two directions can share an extreme point: that edge has no length and
        # constrains nothing, so it is skipped.
        real = (vx[:, j] != vx[:, nxt]) | (vy[:, j] != vy[:, nxt])
        edges += real
        ax, ay = vx[labels, j], vy[labels, j]
        bx, by = vx[labels, nxt], vy[labels, nxt]
        left = (bx - ax) * (y - ay) - (by - ay) * (x - ax) > 0  # strictly inside
        inside &= left | ~real[labels]
    # Fewer than three distinct extreme points enclose nothing.
    inside &= edges[labels] >= 3
    return ~inside


def _maybe_on_hull_small(x: np.ndarray, y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """:func:`_maybe_on_hull` in a few whole-array steps: faster below
    :data:`_GROUPBY_FROM` points, where pandas' groupby costs milliseconds of set-up
    (the tuning calls it hundreds of times). Returns the same mask."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    px, py = x[order], y[order]
    proj = px[:, None] * _DIRECTION_X + py[:, None] * _DIRECTION_Y  # (points, 8)
    # Each cluster's extreme point in each direction: its first row (input order) with
    # the largest projection, as groupby's idxmax picks it.
    peak = np.repeat(np.maximum.reduceat(proj, starts, axis=0), sizes, axis=0)
    position = np.where(proj == peak, np.arange(len(order))[:, None], len(order))
    first = order[np.minimum.reduceat(position, starts, axis=0)]  # (clusters, 8)
    vx, vy = x[first], y[first]
    after = np.roll(np.arange(8), -1)
    # Two directions can share an extreme point: that edge has no length and
    # constrains nothing, so it is skipped.
    real = (vx != vx[:, after]) | (vy != vy[:, after])
    ax, ay = np.repeat(vx, sizes, axis=0), np.repeat(vy, sizes, axis=0)
    bx, by = ax[:, after], ay[:, after]
    left = (bx - ax) * (py[:, None] - ay) - (by - ay) * (px[:, None] - ax) > 0  # strictly inside
    # Fewer than three distinct extreme points enclose nothing.
    enclosed = np.repeat(real.sum(axis=1) >= 3, sizes)
    inside = np.empty(len(x), dtype=bool)
    inside[order] = (left | ~np.repeat(real, sizes, axis=0)).all(axis=1) & enclosed
    return ~inside


def hour_weekday_histograms(events: pd.DataFrame, labels: np.ndarray, k: int) -> np.ndarray:
    """Events per weekday and hour, per hotspot.

    Incidents count at their own hour. Suggestion cards have only a date, so they
    count over their requested slot (spread evenly, one card in all). Complaints
    have only a date and are left out.

    Returns
    -------
    ndarray of shape (k, 7, 24), float; weekday 0 is Monday.
    """
    hist = np.zeros((k, 7, 24))
    if k == 0:
        return hist
    source = events["source"]
    ts = events["occurred_at"]
    wd = ts.dt.day_of_week.to_numpy()
    hr = ts.dt.hour.to_numpy()
    inc = (labels >= 0) & is_value(source, "incident")
    np.add.at(hist, (labels[inc], wd[inc], hr[inc]), 1.0)
    cards = np.flatnonzero((labels >= 0) & is_value(source, "suggestion"))
    if len(cards):
        start = events["slot_start_hour"].to_numpy(dtype=float, na_value=np.nan)[cards]
        end = events["slot_end_hour"].to_numpy(dtype=float, na_value=np.nan)[cards]
        ok = np.isfinite(start) & np.isfinite(end)
        cards, start, end = cards[ok], start[ok].astype(int), end[ok].astype(int)
        length = (end - start) % 24
        length[length == 0] = 24  # 00–24시: the whole day
        # One card in all, spread evenly over its slot's hours (vectorised over cards).
        offsets = np.arange(24)
        in_slot = offsets[None, :] < length[:, None]  # (cards, 24)
        rows, cols = np.nonzero(in_slot)
        hours = (start[rows] + cols) % 24
        np.add.at(hist, (labels[cards][rows], wd[cards][rows], hours), 1.0 / length[rows])
    return hist


def patrol_windows(
    hour_hist: np.ndarray, *, width_h: int = PATROL_WINDOW_H, max_windows: int = 2
) -> list[list[tuple[int, int, float]]]:
    """The 1–2 contiguous windows of ``width_h`` hours that cover most events.

    Windows wrap past midnight. The second window must not overlap the first and
    must add at least ``SECOND_WINDOW_MIN_SHARE`` of the hotspot's timed events.

    Parameters
    ----------
    hour_hist : ndarray of shape (k, 24)

    Returns
    -------
    list of length k; each a list of ``(start_hour, end_hour, share)`` with
    ``end_hour = (start_hour + width_h) % 24`` and share in [0, 1].
    """
    if not 1 <= width_h <= 12:
        raise ValueError(f"width_h must be 1..12 hours, got {width_h}")
    k = hour_hist.shape[0]
    idx = (np.arange(24)[:, None] + np.arange(width_h)[None, :]) % 24  # (24, width)
    sums = hour_hist[:, idx].sum(axis=2)  # (k, 24): events in the window starting at h
    totals = hour_hist.sum(axis=1)
    out: list[list[tuple[int, int, float]]] = []
    for j in range(k):
        if totals[j] <= 0:
            out.append([])
            continue
        s = sums[j].copy()
        # Ties go to the window that starts on the busier hour (events at 22h give
        # 22–24시, not 21–23시), then to the earlier hour.
        tie_break = hour_hist[j] / (hour_hist[j].max() + 1.0) * 1e-6 * totals[j]
        first = int(np.argmax(s + tie_break))
        windows = [(first, (first + width_h) % 24, float(s[first] / totals[j]))]
        if max_windows > 1:
            # Starts whose window would overlap the first one are not allowed.
            blocked = (first + np.arange(-width_h + 1, width_h)) % 24
            s[blocked] = -1.0
            second = int(np.argmax(s + np.where(s >= 0, tie_break, 0.0)))
            share = s[second] / totals[j]
            if share >= SECOND_WINDOW_MIN_SHARE:
                windows.append((second, (second + width_h) % 24, float(share)))
        out.append(windows)
    return out


def classify(n_incident: np.ndarray, n_citizen: np.ndarray) -> np.ndarray:
    """Hotspot type from its composition.

    - ``hidden``: no suggestion card and no complaint;
    - ``fear``: citizen reports, and incidents at most ``max(2, 0.25 × reports)``;
    - ``convergent``: both.
    """
    n_incident = np.asarray(n_incident, dtype=float)
    n_citizen = np.asarray(n_citizen, dtype=float)
    fear_cap = np.maximum(FEAR_MAX_INCIDENTS, FEAR_MAX_INCIDENT_RATIO * n_citizen)
    return np.where(
        n_citizen == 0,
        TYPE_HIDDEN,
        np.where(n_incident <= fear_cap, TYPE_FEAR, TYPE_CONVERGENT),
    ).astype(object)


def priority_scores(
    events: pd.DataFrame, labels: np.ndarray, k: int, *, as_of: pd.Timestamp
) -> np.ndarray:
    """Severity-weighted, recency-decayed event sums per hotspot.

    score = Σ w(event) · 0.5 ** (age_days / 28), where w is 3/2/1 for
    high/medium/low-severity incidents, 1 for a suggestion card and 0.5 for a
    complaint, and age is counted back from ``as_of`` (events after it count 1).
    """
    if k == 0:
        return np.zeros(0)
    w = _mapped(events["severity"], SEVERITY_WEIGHT, default=1.0)
    for source, weight in SOURCE_WEIGHT.items():
        w[is_value(events["source"], source)] = weight
    age_days = (as_of - events["occurred_at"]).dt.total_seconds().to_numpy() / 86400.0
    decay = 0.5 ** (np.clip(age_days, 0, None) / PRIORITY_HALF_LIFE_DAYS)
    keep = labels >= 0
    return np.bincount(labels[keep], weights=(w * decay)[keep], minlength=k)


def is_value(values: pd.Series, value: str) -> np.ndarray:
    """``values == value`` as a bool array; missing values are False (compared in Arrow
    for Arrow-backed text: no Python string per value)."""
    return (values == value).fillna(False).to_numpy(dtype=bool)


def _mapped(values: pd.Series, mapping: dict, *, default: float) -> np.ndarray:
    """Each value's number in ``mapping`` (``default`` for others and missing), per
    distinct value rather than per row."""
    codes, uniques = pd.factorize(values)
    table = np.array([*(mapping.get(u, default) for u in uniques), default], dtype=float)
    return table[codes]  # code -1 (missing) picks the trailing default


def nearest_landmarks(
    cx: np.ndarray, cy: np.ndarray, landmarks: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The nearest landmark to each point (x, y in metres, y to the north), its distance
    in metres and the point's bearing from it in degrees (0 north, 90 east)."""
    if len(cx) == 0 or landmarks.empty:
        nan = np.full(len(cx), np.nan)
        return np.full(len(cx), None, dtype=object), nan, nan.copy()
    lx, ly = landmarks["x"].to_numpy(dtype=float), landmarks["y"].to_numpy(dtype=float)
    tree = cKDTree(np.column_stack([lx, ly]))
    dist, idx = tree.query(np.column_stack([cx, cy]))
    bearing = np.degrees(np.arctan2(np.asarray(cx) - lx[idx], np.asarray(cy) - ly[idx])) % 360.0
    return landmarks["name"].to_numpy(dtype=object)[idx], dist, bearing


# Eight directions, clockwise from north, as the catalogue names them (place.compass.*).
COMPASS = ("n", "ne", "e", "se", "s", "sw", "w", "nw")


def compass_point(bearing_deg: float) -> str:
    """The nearest of the eight compass points to ``bearing_deg`` (0 north, 90 east)."""
    return COMPASS[int(((float(bearing_deg) % 360.0) + 22.5) // 45.0) % 8]


NEAR_M = 50.0  # closer than this to a landmark: just "near" it


def place_label(
    name,
    distance_m: float,
    emd,
    *,
    lang: str = "ko",
    near_m: float = 1500.0,
    bearing_deg: float | None = None,
) -> str:
    """Where a hotspot is, as people say it.

    "남원공설시장 부근" (within 50 m of the landmark), "남원공설시장 북동쪽 230 m" (with
    ``bearing_deg``, the hotspot's bearing from the landmark; without it "남원공설시장에서
    230 m"), or the township ("도통동 일대") when no landmark is within ``near_m``; in
    English "near …", "230 m northeast of …" and "around …".
    """
    if name is None or not np.isfinite(distance_m) or distance_m > near_m:
        area = emd if isinstance(emd, str) else text("place.outside", lang)
        return text("place.around", lang, area=area)
    if distance_m < NEAR_M:
        return text("place.near", lang, name=name)
    metres = int(round(distance_m / 10.0) * 10)
    if bearing_deg is not None and np.isfinite(bearing_deg):
        direction = text(f"place.compass.{compass_point(bearing_deg)}", lang)
        return text("place.direction", lang, name=name, metres=metres, direction=direction)
    return text("place.distance", lang, name=name, metres=metres)


def place_in(row, lang: str) -> str:
    """A hotspot's ``place`` (a row or dict of the hotspots table) in ``lang``."""
    if lang != "ko":
        english = row.get("place_en")
        if isinstance(english, str) and english:
            return english
    return row.get("place")


def top_categories(events: pd.DataFrame, labels: np.ndarray, k: int, *, top: int = 3) -> list[list]:
    """The most frequent category labels per hotspot: ``[[(label, count), ...], ...]``.

    Ties go to the label that sorts first, so the result does not depend on row order.
    """
    out: list[list] = [[] for _ in range(k)]
    keep = labels >= 0
    if not keep.any():
        return out
    codes, cats = _sorted_codes(events["category_label"], missing="-")
    counts = np.bincount(labels[keep] * len(cats) + codes[keep], minlength=k * len(cats)).reshape(
        k, len(cats)
    )
    # Sort by count descending, then by label (cats are sorted, so by code).
    order = np.argsort(-counts, axis=1, kind="stable")[:, :top]
    for lab in range(k):
        for c in order[lab]:
            if counts[lab, c] > 0:
                out[lab].append((str(cats[c]), int(counts[lab, c])))
    return out


def _sorted_codes(values: pd.Series, *, missing: str) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values.fillna(missing), sort=True)`` for text or a Categorical of
    text (whose ``fillna`` refuses a value that is not one of its categories)."""
    codes, uniques = pd.factorize(values)
    names = [str(u) for u in uniques]
    if (codes < 0).any():
        names.append(missing)
        codes = np.where(codes < 0, len(names) - 1, codes)
    names = np.array(names, dtype=object)
    cats, inverse = np.unique(names, return_inverse=True)  # sorted; a missing name merged
    return inverse[codes], cats


def window_label(start: int, end: int, lang: str = "ko") -> str:
    """(22, 0) → '22–24시' (ko) or '22:00–24:00' (en); midnight as an end is 24."""
    return text("patrol.window", lang, start=int(start), end=int(end) if end else 24)


def format_windows(windows: list[tuple[int, int, float]], lang: str = "ko") -> str:
    """[(22, 0, .4), (2, 4, .2)] → '22–24시, 02–04시' ('22:00–24:00, 02:00–04:00' in English)."""
    return ", ".join(window_label(s, e, lang) for s, e, _ in windows)
