"""Patrol targets for 탄력순찰 (resident-tailored flexible patrol).

One row per (hotspot × recommended patrol window): where to go, when, on which
days, and why. The windows and the hour × weekday histogram come from
:mod:`analytics.compute.profiles` (incidents at their hour, suggestion cards over the slot
the resident asked for), so a resident's "밤 10시~12시" lands in the list as it was
written.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analytics.compute.profiles import place_in, window_label
from analytics.station.categories import label_in
from analytics.station.clock import weekday_name
from analytics.text import LANGS, text
from analytics.text.vocabulary import status_name, type_name

# The columns of :func:`patrol_targets`, in order; "unit" only when no unit is given,
# "keep" only when the near-repeat days are given.
# Their names are the catalogue's ``patrol.col.<key>``.
COLUMN_KEYS = (
    "no",
    "place",
    "unit",
    "window",
    "days",
    "type",
    "status",
    "evidence",
    "categories",
    "keep",
    "lat",
    "lon",
    "hotspot_id",
)
NO_WINDOW = "—"
# The sources 근거 lists, in its order, with the hotspot column that counts each.
EVIDENCE = (
    ("n_incident", "incident"),
    ("n_suggestion", "suggestion"),
    ("n_complaint", "complaint"),
)


def column_name(key: str, lang: str = "ko") -> str:
    """The header of patrol-target column ``key`` (one of :data:`COLUMN_KEYS`) in ``lang``."""
    return text(f"patrol.col.{key}", lang)


# A weekday is named when it holds at least this share of the window's events;
# more than MAX_WEEKDAYS such days means the window matters on any day.
WEEKDAY_MIN_SHARE = 0.25
MAX_WEEKDAYS = 3

REQUIRED = (
    "hotspot_id",
    "place",
    "police_unit",
    "patrol_windows",
    "type",
    "n_incident",
    "n_suggestion",
    "n_complaint",
    "top_categories",
    "lat",
    "lon",
    "priority",
)


def busiest_weekdays(
    hour_weekday, start: int, end: int, *, lang: str = "ko", min_share: float = WEEKDAY_MIN_SHARE
) -> str:
    """The weekdays that carry a patrol window's events: '금·토', '요일 무관' or '—'.

    Parameters
    ----------
    hour_weekday : array-like of shape (7, 24), or None
        Events per weekday (0 = Monday) and hour, as ``find_hotspots`` gives it.
    start, end : int
        The window's hours (``end`` exclusive, wrapping past midnight; 0 is 24).
    min_share : float
        A weekday is named when it holds at least this share of the window's events.

    Returns
    -------
    str
        The named weekdays in calendar order joined with '·' (ko) or ', ' (en);
        'any day' (``patrol.any_day``) when none or more than ``MAX_WEEKDAYS`` qualify; '—' without a
        histogram or without events in the window.
    """
    if hour_weekday is None or (isinstance(hour_weekday, float) and np.isnan(hour_weekday)):
        return NO_WINDOW
    hist = np.asarray(hour_weekday, dtype=float)
    if hist.shape != (7, 24):
        raise ValueError(f"hour_weekday must be 7 × 24, got {hist.shape}")
    length = (end - start) % 24 or 24
    hours = (start + np.arange(length)) % 24
    per_day = hist[:, hours].sum(axis=1)
    total = per_day.sum()
    if total <= 0:
        return NO_WINDOW
    # A small tolerance so that 1/4 of the events in float sums still counts as 25 %.
    named = np.flatnonzero(per_day >= min_share * total - 1e-9)
    if len(named) == 0 or len(named) > MAX_WEEKDAYS:
        return text("patrol.any_day", lang)
    return text("patrol.days_separator", lang).join(weekday_name(d, lang) for d in named)


def evidence_text(n_incident: int, n_suggestion: int, n_complaint: int, lang: str = "ko") -> str:
    """'사건 12 · 소리함 3' (sources with no events are left out)."""
    parts = []
    for (_, source), n in zip(EVIDENCE, (n_incident, n_suggestion, n_complaint), strict=True):
        n = int(n)
        if n > 0:
            parts.append(text(f"patrol.evidence.{source}.{'one' if n == 1 else 'many'}", lang, n=n))
    return " · ".join(parts) if parts else NO_WINDOW


def categories_text(cats, lang: str = "ko") -> str:
    """[('절도', 3), ('폭력', 1)] → '절도 3, 폭력 1' ('Theft 3, Violence 1' in English)."""
    if cats is None or isinstance(cats, float):
        return ""
    return ", ".join(f"{label_in(c, lang)} {n}" for c, n in cats)


def keep_text(cats, keep_days: Mapping[str, float], lang: str = "ko") -> str:
    """How long to keep extra patrols at a hotspot: '3일 (절도)', or '—'.

    Parameters
    ----------
    cats : list of (Korean category label, count)
        The hotspot's ``top_categories``.
    keep_days : mapping of Korean category label → days the risk stays raised after
        an event (near-repeat; :func:`analytics.compute.spacetime.keep_days`).

    Returns
    -------
    str
        The longest of its categories' days with that category's name (the first
        listed wins a tie); '—' when none of them is raised.
    """
    if cats is None or isinstance(cats, float):
        return NO_WINDOW
    best = None
    for cat, _n in cats:
        days = float(keep_days.get(cat, 0.0) or 0.0)
        if days > 0 and (best is None or days > best[1]):
            best = (cat, days)
    if best is None:
        return NO_WINDOW
    cat, days = best
    form = "one" if days == 1 else "many"
    return text(f"patrol.keep.{form}", lang, days=f"{days:g}", category=label_in(cat, lang))


def patrol_targets(
    hotspots: pd.DataFrame,
    *,
    unit: str | None = None,
    lang: str = "ko",
    unit_names: dict[str, str] | None = None,
    keep_days: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Where and when a unit should patrol: one row per hotspot × patrol window.

    Parameters
    ----------
    hotspots : DataFrame or GeoDataFrame
        ``find_hotspots(...).hotspots`` or ``hotspot_status(...).current``: columns
        ``hotspot_id``, ``place``, ``police_unit``, ``patrol_windows`` (list of
        ``(start_hour, end_hour, share)``), ``type``, ``n_incident``,
        ``n_suggestion``, ``n_complaint``, ``top_categories``, ``lat``, ``lon``,
        ``priority``; optional ``status``, ``rank`` and ``hour_weekday`` (7 × 24).
    unit : str, optional
        Keep only this police unit's hotspots (``police_unit == unit``). None keeps
        all and adds a 관할 (unit) column after the place.
    lang : {'ko', 'en'}
        Column names and labels (categories and patrol windows too).
    unit_names : dict, optional
        A unit's Korean name → the name to show (``police_units.unit_en`` for 'en').
    keep_days : mapping, optional
        Korean category label → days the risk stays raised after an event of that
        category (near-repeat, :func:`analytics.compute.spacetime.keep_days`). Given,
        a 순찰 유지 column after 주요 유형 says how long extra patrols should stay at
        each hotspot (:func:`keep_text`); None leaves the column out.

    Returns
    -------
    DataFrame
        Ordered by hotspot priority (highest first; ties by rank, then id), then by
        window share (largest first). Columns (ko): 순번 (1..n), 장소, [관할],
        시간대 ("22–24시"; "—" for a hotspot with no timed events, which still gets
        one row), 요일 (:func:`busiest_weekdays` in that window), 유형, 추세 ("—"
        without a status), 근거 ("사건 12 · 소리함 3"), 주요 유형, [순찰 유지], 위도,
        경도, 핫스팟 ID.
        Text is as the hotspot table has it (masked on import); exports neutralise
        formula-like cells.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    if not isinstance(hotspots, pd.DataFrame):
        raise TypeError(f"hotspots must be a DataFrame, got {type(hotspots).__name__}")
    if unit is not None and not isinstance(unit, str):
        raise TypeError(f"unit must be a str or None, got {unit!r}")
    missing = [c for c in REQUIRED if c not in hotspots.columns]
    if missing:
        raise ValueError(f"hotspots lack columns {missing} (see analytics.compute.hotspots)")

    names = {k: column_name(k, lang) for k in COLUMN_KEYS}
    unit_names = unit_names or {}
    keys = [
        k
        for k in COLUMN_KEYS
        if (unit is None or k != "unit") and (keep_days is not None or k != "keep")
    ]
    h = hotspots
    if unit is not None:
        h = h[h["police_unit"].astype("string").eq(unit).fillna(False).to_numpy(dtype=bool)]
    if h.empty:
        return pd.DataFrame({names[k]: pd.Series(dtype=_dtype(k)) for k in keys})

    rank = h["rank"].to_numpy() if "rank" in h.columns else np.arange(1, len(h) + 1)
    order = pd.DataFrame(
        {
            "p": -h["priority"].astype(float).to_numpy(),
            "r": rank,
            "id": h["hotspot_id"].astype(str).to_numpy(),
        }
    ).sort_values(["p", "r", "id"], kind="stable")
    h = h.iloc[order.index.to_numpy()]

    has_status = "status" in h.columns
    has_hist = "hour_weekday" in h.columns
    rows = []
    for r in h.to_dict("records"):
        given = r["patrol_windows"]
        given = [] if given is None or isinstance(given, float) else list(given)
        windows = sorted(given, key=lambda w: (-float(w[2]), int(w[0])))
        status = r.get("status") if has_status else None
        base = {
            "place": place_in(r, lang),
            "unit": unit_names.get(r["police_unit"], r["police_unit"]),
            "type": type_name(r["type"], lang) or str(r["type"]),
            "status": status_name(status, lang) or NO_WINDOW,
            "evidence": evidence_text(r["n_incident"], r["n_suggestion"], r["n_complaint"], lang),
            "categories": categories_text(r["top_categories"], lang),
            "keep": keep_text(r["top_categories"], keep_days or {}, lang),
            "lat": round(float(r["lat"]), 6),
            "lon": round(float(r["lon"]), 6),
            "hotspot_id": r["hotspot_id"],
        }
        if not windows:
            rows.append({**base, "window": NO_WINDOW, "days": NO_WINDOW})
        for start, end, _share in windows:
            start, end = int(start), int(end)
            days = (
                busiest_weekdays(r["hour_weekday"], start, end, lang=lang)
                if has_hist
                else NO_WINDOW
            )
            rows.append({**base, "window": window_label(start, end, lang), "days": days})
    out = pd.DataFrame(rows)
    out["no"] = np.arange(1, len(out) + 1)
    return out[keys].rename(columns=names).reset_index(drop=True)


def _dtype(key: str) -> str:
    return {"no": "int64", "lat": "float64", "lon": "float64"}.get(key, "str")
