"""The one place where the URL query string and the view state meet.

A shared link carries view state only (never data, people or credentials):
``?week=2017-10-13&span=week&src=incident,suggestion&w=suggestion:2&cat=theft&unit=중앙지구대
&eps=60&min=4&hs=H3fa9c01b2e&lang=en&present=1&station=namwon``, plus the page's own controls (``box``
and ``top`` on the suggestion-box page, ``overdue`` on the complaints page). The page is
the URL path. The hotspot keys (``week``/``span`` as its period, ``src``, ``w``, ``cat``,
``unit``, ``eps``, ``min``) are read and written by :class:`analytics.query.HotspotQuery`
alone, so the link, the sidebar and the CLI share one set of bounds.
Bad or unknown values fall back to defaults: a mangled link still opens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from urllib.parse import urlencode

from analytics.query import HotspotQuery, reporting_period, url_week

LANGS = ("ko", "en")
QUERY_FIELDS = frozenset(f.name for f in fields(HotspotQuery))
PERIOD_KEYS = ("week", "span")


@dataclass(frozen=True)
class ViewState:
    """Everything a shared link reproduces.

    ``query`` is the view's hotspot question (:class:`analytics.query.HotspotQuery`: sources,
    weights, categories, unit, the DBSCAN setting); its period is always the reporting
    span ``span`` ending on meeting day ``week`` (open while ``week`` is None).
    """

    week: dt.date | None = None  # the meeting day that ends the reporting week
    span: str = "week"  # "week" or "28d" (the 28 days ending with the week)
    query: HotspotQuery = field(default_factory=HotspotQuery)
    hotspot: str | None = None
    box: str | None = None  # suggestion-box page: one box (its id) or all
    top: int | None = None  # suggestion-box page: how many next sites (None: 5)
    overdue: int | None = None  # complaints page: open for at least this many days (None: 14)
    lang: str = "ko"
    present: bool = False
    # The station's id (ui.stations checks it against the user's scope); None: the
    # user's own. Written only when the installation knows more than one station.
    station: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        period = reporting_period(self.week, self.span) if self.week else (None, None)
        if self.query.period != period:
            object.__setattr__(self, "query", self.query.with_period(*period))

    def with_(self, **changes) -> ViewState:
        """This view with some fields changed; fields of the hotspot query
        (``sources``, ``eps_m`` …) change its :attr:`query` (checked there)."""
        asked = {k: changes.pop(k) for k in list(changes) if k in QUERY_FIELDS}
        if asked:
            changes["query"] = changes.get("query", self.query).with_(**asked)
        return replace(self, **changes)


def _int(text, lo: int, hi: int) -> int | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return int(v) if lo <= v <= hi and v == int(v) else None


def parse_query(params: dict[str, str]) -> ViewState:
    """Query parameters (one value each) → ViewState. Never raises."""
    p = {k: str(v) for k, v in params.items()}
    week, span = url_week(p)
    hs = p.get("hs") if p.get("hs", "").startswith("H") and len(p.get("hs", "")) <= 16 else None
    return ViewState(
        week=week,
        span=span,
        query=HotspotQuery.from_url_params(p),
        hotspot=hs,
        box=p.get("box") if p.get("box") and len(p["box"]) <= 40 else None,
        top=_int(p.get("top"), 1, 15),
        overdue=_int(p.get("overdue"), 1, 90),
        lang=p.get("lang") if p.get("lang") in LANGS else "ko",
        present=p.get("present") in ("1", "true"),
        station=p["station"][:40] if p.get("station") else None,
    )


def to_query(state: ViewState) -> dict[str, str]:
    """ViewState → query parameters, leaving out defaults so links stay short."""
    q: dict[str, str] = {}
    if state.week:
        q["week"] = state.week.isoformat()
    if state.span != "week":
        q["span"] = state.span
    q |= {k: v for k, v in state.query.to_url_params().items() if k not in PERIOD_KEYS}
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
    if state.station:
        q["station"] = state.station
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
        linked = parse_query(st.query_params.to_dict())
        ss["v_state"] = linked
        ss["lang"] = linked.lang
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
