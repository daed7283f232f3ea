"""Warm the app's caches so a page's first visit finds its figures and its map ready.

Two steps, both run by ``python -m ui.serve``:

* :func:`warm_brief`, before the server listens: the meeting brief's default view
  (:func:`ui.data.warm_landing`), the app's own modules, and the brief's map as the
  browser gets it. The Friday meeting opens the brief first, right after start.
* :func:`start_background`: once the first page has been drawn (or after a while if
  nobody comes), a thread fills the other pages' caches with their default views, the
  loaders in ``ui/data*.py`` called with the arguments a link without parameters
  gives, and their maps. Started after the first visit so it does not compete with it.

Each step is (step, seconds) in the log; a failure is logged and never stops the app.
Warming uses an analyst's view (a signed-in viewer's caches are filled on first use).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import pkgutil
import sys
import threading
import time
from collections.abc import Callable

import pandas as pd

from analytics.text import text

log = logging.getLogger(__name__)

# Set after the app's first script run (dashboard.py), so the background warm-up starts
# once the first visitor has their page: until then the CPU is theirs.
FIRST_RUN = threading.Event()
WAIT_FOR_FIRST_RUN_S = 30.0  # warm anyway if nobody comes
AFTER_FIRST_RUN_S = 2.0  # the browser still fetches the map's files from this server
QUIET_S = 1.5  # between pages, wait until no page has run for this long (a visitor is served first)
MAX_WAIT_S = 30.0  # ... but no longer than this per page
_last_run = [0.0]  # time.monotonic() of the latest page script run, start or end


THREAD_NAME = "warm-pages"


def freeze_heap() -> None:
    """Leave what the warm-up built (modules, caches) out of every later full collection.

    Streamlit runs ``gc.collect(2)`` after each script run (``runner.postScriptGC``); over
    the warm heap that took 0.57 s of the first visit, holding the GIL while the page's
    messages waited to be sent. Frozen objects are still freed when their last
    reference goes; only the cycle search skips them.
    """
    gc.collect()
    gc.freeze()


def first_run_done() -> None:
    FIRST_RUN.set()


def note_activity() -> None:
    """A page script runs (dashboard.py, at its start and end): warming waits its turn."""
    _last_run[0] = time.monotonic()


def _wait_quiet() -> None:
    deadline = time.monotonic() + MAX_WAIT_S
    while time.monotonic() < deadline and time.monotonic() - _last_run[0] < QUIET_S:
        time.sleep(0.2)


def note_run(page: str, seconds: float) -> None:
    """With ``HOTSPOT_TIMING=1``, log how long a page's script took (bench/ui_bench.py reads it)."""
    if os.environ.get("HOTSPOT_TIMING") == "1":
        print(f"run {page or 'brief'} {seconds:.3f} s", file=sys.stderr, flush=True)


# Streamlit modules a script run imports on first use, not when Streamlit starts:
# st.set_page_config's emoji icon compiles a regex of every emoji (0.3-0.4 s), the
# pages' material icons load their names, st.dataframe its adapters.
STREAMLIT_LAZY = (
    "streamlit.emojis",
    "streamlit.material_icon_names",
    "streamlit.dataframe.lazy_df_adapters",
)


def import_app_modules() -> None:
    """Every ui module (and so every library the pages use), and the Streamlit modules
    a first script run would import (:data:`STREAMLIT_LAZY`), imported once."""
    import ui

    for module in pkgutil.iter_modules(ui.__path__, "ui."):
        if module.name not in ("ui.serve", "ui.warm"):
            importlib.import_module(module.name)
    for name in STREAMLIT_LAZY:
        with contextlib.suppress(ImportError):  # another Streamlit version: imported on use
            importlib.import_module(name)


def _timed(steps: list[tuple[str, float]], name: str, work: Callable[[], object]) -> None:
    t0 = time.perf_counter()
    work()
    steps.append((name, time.perf_counter() - t0))


def default_view(db_url: str):
    """(data version, the default ViewState) of a link without parameters; None for no data."""
    from ui import data
    from ui.state import ViewState

    version = data.landing_version(db_url)  # an analyst's (no viewer suffix)
    week = data.default_week(db_url, version)
    return None if week is None else (version, ViewState(week=week))


def warm_brief(db_url: str) -> list[tuple[str, float]]:
    """The brief's default view, the app's modules and the brief's map; (step, seconds)."""
    from ui import data

    steps = data.warm_landing(db_url)
    _timed(steps, "app modules", import_app_modules)
    view = default_view(db_url)
    if view is not None:
        _timed(steps, "brief map", lambda: brief_map(db_url, *view))
    return steps


def brief_map(db_url: str, version: str, state) -> None:
    from ui import data, maps

    with maps.warming():
        answer = data.hotspots(db_url, version, state.query)
        maps.static_hotspot_map(**maps.brief_map_options(answer, db_url, version, state))


def map_page(db_url: str, version: str, state) -> None:
    from ui import data, maps

    query = state.query
    start, end = query.require_period()
    answer = data.hotspots(db_url, version, query)
    data.hotspot_emerging(db_url, version, query)
    events = data.period_events(db_url, version, start, end, query.sources, query.categories)
    with maps.warming():
        maps.hotspot_map(**maps.map_page_options(answer, events, db_url, version, state))
    # The accuracy expander: 8 weeks' backtest (a tuning per week the first time).
    data.accuracy(db_url, version, query)
    data.weekly_accuracy(db_url, version, query)


def suggestions_page(db_url: str, version: str, state) -> None:
    from ui import data_suggestions as ds
    from ui import maps
    from ui.maps_suggestions import suggestion_map

    start, end = state.query.require_period()
    box, top = None, ds.DEFAULT_NEXT_SITES
    ds.box_ids(db_url, version)
    ds.box_sites(db_url, version, end)
    ds.summary(db_url, version, start, end, box)
    ds.weekly(db_url, version, start, end, box)
    ds.trend_window(db_url, version, start, end)
    cards = ds.period_cards(db_url, version, start, end, box)
    ds.slot_hours(db_url, version, start, end, box)
    ds.categories(db_url, version, start, end, box)
    placements = ds.placements(db_url, version, end)
    fear = ds.fear_for(db_url, version, start, end, state)
    sites = ds.next_sites(db_url, version, start, end, top, ds.CELL_M)
    with maps.warming():
        suggestion_map(
            fear=fear,
            placements=placements,
            cards=cards,
            sites=sites,
            on=end - pd.Timedelta(days=1),
            cell_m=ds.CELL_M,
            lang=state.lang,
            data_key=(db_url, version, state.query, box, top),
        )


def complaints_page(db_url: str, version: str, state) -> None:
    from analytics.compute.complaints import DEFAULT_OVERDUE_DAYS
    from ui import data_complaints as dc
    from ui import maps

    start, end = state.query.require_period()
    dc.summary(db_url, version, start, end)
    dc.resolution(db_url, version, start, end)
    dc.pipeline(db_url, version, end)
    dc.overdue(db_url, version, end, DEFAULT_OVERDUE_DAYS)
    dc.agencies(db_url, version, end, DEFAULT_OVERDUE_DAYS)
    dc.categories(db_url, version, start, end)
    rows = dc.period_complaints(db_url, version, start, end)
    with maps.warming():
        dc.complaint_map(rows, data_key=(db_url, version, start, end), lang=state.lang)


def incidents_page(db_url: str, version: str, state) -> None:
    from ui import data, maps
    from ui import data_incidents as di

    start, end = state.query.require_period()
    cats = di.chosen(state.query.categories)
    data.holidays(start, end, state.lang)
    di.summary(db_url, version, start, end, cats)
    di.weekly(db_url, version, end, cats)
    di.changes(db_url, version, start, end, cats)
    di.matrix(db_url, version, start, end, cats)
    di.priority(db_url, version, start, end, cats)
    rows = di.period_incidents(db_url, version, start, end, cats)
    with maps.warming():
        di.incident_map(rows, data_key=(db_url, version, start, end, cats), lang=state.lang)


def unit_page(db_url: str, version: str, state) -> None:
    from ui import data_unit as du
    from ui import maps

    lang = state.lang
    unit = next(iter(du.unit_names(lang)))  # the page opens on the first unit
    query = state.query.with_(unit=unit)
    v = du.unit_view(db_url, version, query, lang)
    du.unit_files(db_url, version, query, lang)
    with maps.warming():
        maps.show_static_map(
            lambda: du.unit_map(v["hotspots"], v["gone"], unit=unit, lang=lang),
            **maps.unit_map_options(db_url, version, query, lang),
        )


def data_page(db_url: str, version: str, state) -> None:
    from ui import data_admin

    data_admin.batches(db_url, version)
    data_admin.audit_log(db_url, version)


def charts(db_url: str, version: str, state) -> None:
    """Altair's first chart in a process loads and compiles the Vega-Lite schema (~0.4 s)."""
    import altair as alt

    from ui.charts import vega_spec

    vega_spec(alt.Chart(pd.DataFrame({"n": [0]})).mark_bar().encode(x="n:Q"))


# In the sidebar's order: the page a visitor most likely opens next comes first.
PAGES: dict[str, Callable] = {
    "charts": charts,
    "map": map_page,
    "suggestions": suggestions_page,
    "complaints": complaints_page,
    "incidents": incidents_page,
    "unit": unit_page,
    "data": data_page,
}


def warm_pages(
    db_url: str, *, between: Callable[[], None] = lambda: None
) -> list[tuple[str, float]]:
    """Every page's default view (after the brief's); (page, seconds), one failure skipped.

    ``between`` runs before each page (the background thread waits there for a quiet moment).
    """
    steps: list[tuple[str, float]] = []
    view = default_view(db_url)
    if view is None:
        return steps
    for name, warm in PAGES.items():
        between()
        try:
            _timed(steps, name, lambda warm=warm: warm(db_url, *view))
        except Exception:  # the page computes on demand anyway
            log.warning("could not warm the %s page", name, exc_info=True)
    return steps


class _QuietWarmThread(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warnings of the warm-up thread (no page)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD_NAME


def _background(db_url: str) -> None:
    for name in (
        "streamlit.runtime.scriptrunner_utils.script_run_context",
        "streamlit.runtime.caching.cache_data_api",
    ):
        logging.getLogger(name).addFilter(_QuietWarmThread())
    FIRST_RUN.wait(WAIT_FOR_FIRST_RUN_S)
    time.sleep(AFTER_FIRST_RUN_S)
    # Linux: a thread is a task with its own nice value; the visitors' threads come first.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    t0 = time.perf_counter()
    try:
        steps = warm_pages(db_url, between=_wait_quiet)
    except Exception:
        log.warning("could not warm the pages", exc_info=True)
        return
    freeze_heap()  # the other pages' caches too
    detail = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in steps)
    seconds = time.perf_counter() - t0
    print(text("serve.pages_ready", seconds=seconds, detail=detail), file=sys.stderr, flush=True)


def start_background(db_url: str) -> threading.Thread:
    """Warm the other pages in a daemon thread once the first page has been drawn."""
    thread = threading.Thread(target=_background, args=(db_url,), name=THREAD_NAME, daemon=True)
    thread.start()
    return thread
