"""ui.warm: every page's default view is ready before its first visit; a failure never stops it."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
import streamlit as st

from analytics.compute import (
    complaints,
    emerging,
    gistar,
    hotspots,
    incidents,
    nearrepeat,
    patrol,
    suggestions,
)
from analytics.presentation import maps as pmaps
from analytics.station.config import REPO_ROOT
from analytics.storage import store
from tests.conftest import run_page
from ui import data, serve, warm

# What a page computes when its caches are cold: one heavy step per page, and the map.
COMPUTED = [
    (pmaps, "base_map"),  # every page's map (the brief's and the pages')
    (data, "events"),  # what every cached loader reads on a miss
    (data, "_store_events"),
    (store, "read_events"),
    (hotspots, "find_hotspots"),
    (suggestions, "next_box_sites"),  # suggestions
    (complaints, "received_summary"),  # complaints
    (incidents, "summary"),  # incidents
    (patrol, "patrol_targets"),  # unit
    (nearrepeat, "near_repeat_table"),  # unit: how long to keep patrols
    (gistar, "gi_star_grid"),  # map: the Gi* layer
    (emerging, "emerging_hotspots"),  # brief and map: each hotspot's 12-week pattern
]


def forbid_computing(monkeypatch) -> None:
    def computed(*_a, **_k):
        raise AssertionError("a warmed page computed this again")

    for module, name in COMPUTED:
        monkeypatch.setattr(module, name, computed)


@pytest.mark.parametrize("page", ["brief", *(p for p in warm.PAGES if p != "charts")])
def test_after_warming_no_page_computes_its_default_view(app_env, monkeypatch, page):
    st.cache_data.clear()
    url = data.store_url()
    brief = dict(warm.warm_brief(url))
    assert {"hotspots", "app modules", "brief map"} <= set(brief)
    pages = dict(warm.warm_pages(url))
    assert set(pages) == set(warm.PAGES)
    forbid_computing(monkeypatch)
    at = run_page() if page == "brief" else run_page(page)
    assert not at.exception, at.exception
    assert at.title  # the page was drawn, not refused or empty


def test_a_page_that_fails_to_warm_leaves_the_others_warmed(app_env, monkeypatch):
    def broken(*_a):
        raise RuntimeError("no such table")

    st.cache_data.clear()
    monkeypatch.setitem(warm.PAGES, "suggestions", broken)
    steps = dict(warm.warm_pages(data.store_url()))
    assert "suggestions" not in steps and {"map", "complaints", "unit"} <= set(steps)


def test_an_empty_store_warms_nothing_without_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTSPOT_DB", str(tmp_path / "empty.sqlite"))
    store.open_store(str(tmp_path / "empty.sqlite")).dispose()
    assert warm.warm_pages(data.store_url()) == []
    assert "brief map" not in dict(warm.warm_brief(data.store_url()))


def test_a_failed_warm_up_does_not_stop_the_server_starting(monkeypatch, capsys):
    def broken(_url):
        raise RuntimeError("store unreachable")

    monkeypatch.setattr(warm, "warm_brief", broken)
    serve.warm()  # returns: the app computes on demand
    assert "store unreachable" in capsys.readouterr().err


def test_the_background_warm_up_waits_for_the_first_page(monkeypatch):
    warmed = threading.Event()
    monkeypatch.setattr(warm, "FIRST_RUN", threading.Event())
    monkeypatch.setattr(warm, "WAIT_FOR_FIRST_RUN_S", 120.0)
    monkeypatch.setattr(warm, "AFTER_FIRST_RUN_S", 0.0)
    monkeypatch.setattr(warm, "warm_pages", lambda _url, between: warmed.set() or [])
    thread = warm.start_background("sqlite:///unused")
    assert not warmed.wait(0.5) and thread.is_alive()  # nobody has opened a page yet
    warm.first_run_done()
    thread.join(30)
    assert warmed.is_set() and not thread.is_alive()


def test_between_pages_the_warm_up_waits_while_visitors_run_pages(monkeypatch):
    monkeypatch.setattr(warm, "QUIET_S", 60.0)
    monkeypatch.setattr(warm, "MAX_WAIT_S", 0.0)  # gives up at once: waited, but not forever
    warm.note_activity()
    waited = []
    monkeypatch.setattr(warm.time, "sleep", lambda s: waited.append(s))
    warm._wait_quiet()
    assert waited == []  # MAX_WAIT_S reached before any pause
    monkeypatch.setattr(warm, "MAX_WAIT_S", 60.0)
    clock = iter(range(0, 1000, 10))
    monkeypatch.setattr(warm.time, "monotonic", lambda: float(next(clock)))
    warm._last_run[0] = 0.0
    warm._wait_quiet()  # quiet once 60 s have passed since the last run
    assert waited and all(s == 0.2 for s in waited)


def test_each_page_waits_its_turn(app_env, monkeypatch):
    turns = []
    monkeypatch.setattr(
        warm, "PAGES", {"a": lambda *a: turns.append("a"), "b": lambda *a: turns.append("b")}
    )
    steps = warm.warm_pages(data.store_url(), between=lambda: turns.append("wait"))
    assert turns == ["wait", "a", "wait", "b"] and [s for s, _ in steps] == ["a", "b"]


def test_a_warmed_brief_imports_no_streamlit_module_on_its_first_run(app_env):
    """The first run after start imports nothing Streamlit loads lazily (st.set_page_config's
    emoji regex alone takes 0.3 s): ui.warm imported it before the server listened."""
    code = """
import sys
from ui import data, warm
warm.warm_brief(data.store_url())
from streamlit.testing.v1 import AppTest
AppTest.from_string("import streamlit as st\\nst.write(1)").run()  # AppTest's own imports
before = set(sys.modules)
at = AppTest.from_file("dashboard.py", default_timeout=60)
at.run()
assert not at.exception, at.exception
print(sorted(m for m in set(sys.modules) - before
             if m.startswith("streamlit.") and not m.startswith("streamlit.testing")))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


def test_the_warm_heap_is_left_out_of_later_full_collections():
    """Streamlit collects every generation after each script run; the warm caches are
    frozen (a subprocess: freezing here would hold this test run's own garbage)."""
    code = (
        "import gc\nfrom ui import warm\ncache = [[i] for i in range(10_000)]\n"
        "before = gc.get_freeze_count()\nwarm.freeze_heap()\n"
        "print(before, gc.get_freeze_count() >= 10_000)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0", "True"]
