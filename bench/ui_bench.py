"""Dashboard speed in a real browser on the synthetic demo year.

    .venv/bin/python bench/ui_bench.py

Builds the demo store in a temporary folder, starts the app as `make run` does,
and drives Debian's Chromium with Playwright (every host but this machine
fails to resolve). Prints: the cold load of the meeting brief until its map is drawn (first
visit after the server starts, and a second visit in a fresh browser), the time
from changing eps on the hotspot map until the new map is drawn, and the map HTML
payload in bytes. It also prints how long the server takes to start, since it
computes the brief's default view before it listens. Targets: cold load < 4 s, eps change < 1.5 s, payload < 3 MB.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.cli.data import warm_tuning
from analytics.demo.store import build_demo_store
from analytics.presentation import maps
from analytics.storage import store
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_streamlit

WEEK = "2017-12-29"
FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def wait_map(page, timeout_ms=60_000):
    page.wait_for_selector(FRAME, timeout=timeout_ms)
    frame = page.frame_locator(FRAME).first
    frame.locator(".leaflet-overlay-pane path:not([d='M0 0'])").first.wait_for(
        state="attached", timeout=timeout_ms
    )
    return frame


def payload_bytes(db: Path) -> dict[str, int]:
    """Rendered HTML of the brief's and the analysis page's maps, as st_folium gets them."""
    import datetime as dt
    import os

    os.environ["HOTSPOT_DB"] = str(db)
    from analytics.compute.status import hotspot_status
    from analytics.query import HotspotQuery, reporting_period
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography

    geo = load_geography(default_station())
    ev = store.read_events(store.open_store(str(db)))
    start, end = reporting_period(dt.date.fromisoformat(WEEK))
    st = hotspot_status(ev, HotspotQuery(start=start, end=end, eps_m=100, min_samples=5), geo=geo)
    out = {}
    m = maps.base_map(geo)
    maps.add_hotspots(m, st.current.head(10))
    maps.add_landmarks(m, geo.landmarks)
    maps.add_layer_control(m)
    maps.use_local_assets(m)
    out["brief map"] = len(m.get_root().render().encode())
    week = ev[(ev["occurred_at"] >= start) & (ev["occurred_at"] < end)]
    m = maps.base_map(geo)
    maps.add_hotspots(m, st.current)
    for s in ("incident", "suggestion", "complaint"):
        maps.add_heat(m, week, source=s)
    maps.add_event_points(m, week)
    maps.add_landmarks(m, geo.landmarks)
    maps.add_layer_control(m)
    maps.use_local_assets(m)
    out["analysis map (week)"] = len(m.get_root().render().encode())
    year = ev
    m = maps.base_map(geo)
    maps.add_heat(m, year, source="incident")
    maps.add_event_points(m, year)
    maps.use_local_assets(m)
    out["all-year points + heat"] = len(m.get_root().render().encode())
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.sqlite"
        engine = store.open_store(str(db))
        build_demo_store(engine, out_dir=Path(tmp) / "samples")
        warm_tuning(engine)  # as `make run` does after building the demo store
        engine.dispose()
        t_start = time.perf_counter()
        proc, url = start_streamlit(db)
        started = time.perf_counter() - t_start
        try:
            with sync_playwright() as p:
                # Every host but this machine fails to resolve: a closed network, without
                # routing each request through Playwright (which slows every page load).
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=[
                        *CHROMIUM_ARGS,
                        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                    ],
                )

                def fresh():
                    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
                    return ctx, ctx.new_page()

                timings = {}
                outside: list[str] = []
                for label in ("brief, first visit after start", "brief, fresh browser"):
                    ctx, page = fresh()
                    page.on(
                        "requestfailed",
                        lambda r: outside.append(r.url) if "127.0.0.1" not in r.url else None,
                    )
                    t0 = time.perf_counter()
                    page.goto(f"{url}/?week={WEEK}")
                    wait_map(page)
                    timings[label] = time.perf_counter() - t0
                    ctx.close()

                ctx, page = fresh()
                page.goto(f"{url}/map?week={WEEK}&eps=100&min=5")
                wait_map(page)
                page.get_by_text("eps 100 m").first.wait_for(timeout=60_000)
                changes = []
                for target in (105, 110, 115):
                    slider = (
                        page.locator('[data-testid="stSlider"]')
                        .filter(has_text="eps")
                        .get_by_role("slider")
                    )
                    t0 = time.perf_counter()
                    slider.press("ArrowRight")
                    page.get_by_text(f"eps {target} m").first.wait_for(timeout=60_000)
                    wait_map(page)
                    changes.append(time.perf_counter() - t0)
                ctx.close()
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
        sizes = payload_bytes(db)

    print(
        f"server start until it answers: {started:.2f} s "
        "(includes computing the brief's default view before listening)"
    )
    hosts = sorted({u.split("/")[2] for u in outside})
    print(f"requests off this machine that failed during the brief visits: {len(outside)} {hosts}")
    for label, t in timings.items():
        print(f"cold load, {label}: {t:.2f} s until the map is drawn (target < 4 s)")
    print(
        "eps change on the hotspot map until the new map is drawn: "
        + ", ".join(f"{t:.2f}" for t in changes)
        + f" s (median {sorted(changes)[1]:.2f} s; target < 1.5 s)"
    )
    for label, n in sizes.items():
        print(f"map HTML payload, {label}: {n:,} bytes ({n / 2**20:.2f} MiB; target < 3 MB)")


if __name__ == "__main__":
    main()
