"""The one place where the URL query string and the view state meet.

A shared link carries view state only (never data, people or credentials):
``?week=2017-10-13&span=week&src=incident,suggestion&w=suggestion:2&cat=theft&unit=중앙지구대
&eps=60&min=4&hs=H3fa9c01b2e&lang=en&present=1``, plus the page's own controls (``box``
and ``top`` on the suggestion-box page, ``overdue`` on the complaints page). The page is
the URL path.
Bad or unknown values fall back to defaults: a mangled link still opens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from analytics.compute.parameters import EPS_M_LINK, MIN_SAMPLES_LINK
from analytics.storage.schema import SOURCES

LANGS = ("ko", "en")
SPANS = ("week", "28d")


@dataclass(frozen=True)
class ViewState:
    """Everything a shared link reproduces."""

    week: dt.date | None = None  # the meeting day that ends the reporting week
    span: str = "week"  # "week" or "28d" (the 28 days ending with the week)
    sources: tuple[str, ...] = SOURCES
    weights: tuple[tuple[str, float], ...] = ()  # only non-default weights
    categories: tuple[str, ...] = ()  # empty: all
    unit: str | None = None
    eps: float | None = None  # None: the station's (auto-tuned) setting
    min_samples: float | None = None
    hotspot: str | None = None
    box: str | None = None  # suggestion-box page: one box (its id) or all
    top: int | None = None  # suggestion-box page: how many next sites (None: 5)
    overdue: int | None = None  # complaints page: open for at least this many days (None: 14)
    lang: str = "ko"
    present: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    def weight_map(self) -> dict[str, float]:
        return {s: 1.0 for s in SOURCES} | dict(self.weights)

    def with_(self, **changes) -> ViewState:
        return replace(self, **changes)


def _float(text, lo: float, hi: float) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if lo <= v <= hi else None


def _int(text, lo: int, hi: int) -> int | None:
    v = _float(text, lo, hi)
    return int(v) if v is not None and v == int(v) else None


def parse_query(params: dict[str, str]) -> ViewState:
    """Query parameters (one value each) → ViewState. Never raises."""
    p = {k: str(v) for k, v in params.items()}
    week = None
    try:
        week = dt.date.fromisoformat(p["week"]) if p.get("week") else None
    except ValueError:
        week = None
    sources = tuple(s for s in p.get("src", "").split(",") if s in SOURCES)
    weights = []
    for item in p.get("w", "").split(","):
        name, _, value = item.partition(":")
        w = _float(value, 0.1, 20.0)
        if name in SOURCES and w is not None and w != 1.0:
            weights.append((name, w))
    cats = tuple(c for c in p.get("cat", "").split(",") if c and len(c) <= 40)
    unit = p.get("unit") or None
    hs = p.get("hs") if p.get("hs", "").startswith("H") and len(p.get("hs", "")) <= 16 else None
    return ViewState(
        week=week,
        span=p.get("span") if p.get("span") in SPANS else "week",
        sources=sources or SOURCES,
        weights=tuple(sorted(weights)),
        categories=cats,
        unit=unit if unit is None or len(unit) <= 40 else None,
        eps=_float(p.get("eps"), *EPS_M_LINK),
        min_samples=_float(p.get("min"), *MIN_SAMPLES_LINK),
        hotspot=hs,
        box=p.get("box") if p.get("box") and len(p["box"]) <= 40 else None,
        top=_int(p.get("top"), 1, 15),
        overdue=_int(p.get("overdue"), 1, 90),
        lang=p.get("lang") if p.get("lang") in LANGS else "ko",
        present=p.get("present") in ("1", "true"),
    )


def to_query(state: ViewState) -> dict[str, str]:
    """ViewState → query parameters, leaving out defaults so links stay short."""
    q: dict[str, str] = {}
    if state.week:
        q["week"] = state.week.isoformat()
    if state.span != "week":
        q["span"] = state.span
    if set(state.sources) != set(SOURCES):
        q["src"] = ",".join(s for s in SOURCES if s in state.sources)
    if state.weights:
        q["w"] = ",".join(f"{s}:{w:g}" for s, w in state.weights)
    if state.categories:
        q["cat"] = ",".join(state.categories)
    if state.unit:
        q["unit"] = state.unit
    if state.eps is not None:
        q["eps"] = f"{state.eps:g}"
    if state.min_samples is not None:
        q["min"] = f"{state.min_samples:g}"
    if state.hotspot:
        q["hs"] = state.hotspot
    if state.box:
        q["box"] = state.box
    if state.top is not None:
        q["top"] = str(state.top)
    if state.overdue is not None:
        q["overdue"] = str(state.overdue)
    if state.lang != "ko":
        q["lang"] = state.lang
    if state.present:
        q["present"] = "1"
    return q


def share_url(base_url: str, path: str, state: ViewState) -> str:
    """The link that reproduces ``state`` on page ``path``."""
    query = urlencode(to_query(state))
    base = base_url.rstrip("/")
    path = path.strip("/")
    return f"{base}/{path}" + (f"?{query}" if query else "")


# --------------------------------------------------------------- Streamlit glue

_SEEDED = "_view_seeded"


def view() -> ViewState:
    """The current view: seeded from the URL on a session's first run, then the widgets'."""
    import streamlit as st

    ss = st.session_state
    if not ss.get(_SEEDED):
        url = parse_query(st.query_params.to_dict())
        ss["v_state"] = url
        ss["lang"] = url.lang
        ss[_SEEDED] = True
    return ss["v_state"]


def set_view(state: ViewState) -> None:
    """Make ``state`` current and put it in the URL (only what changed)."""
    import streamlit as st

    st.session_state["v_state"] = state
    wanted = to_query(state)
    have = st.query_params.to_dict()
    if have != wanted:
        for k in [k for k in have if k not in wanted]:
            del st.query_params[k]
        for k, v in wanted.items():
            if have.get(k) != v:
                st.query_params[k] = v


def update_view(**changes) -> ViewState:
    """Change some fields of the current view (and the URL)."""
    state = view().with_(**changes)
    set_view(state)
    return state
