"""Dashboard speed in a real browser on the synthetic demo year.

    .venv/bin/python bench/ui_bench.py [--store DIR] [--rounds N]

Builds the demo store in a temporary folder (or reuses ``DIR/demo.sqlite``), starts
the app as `make run` does, and drives Debian's Chromium with Playwright (every
host but this machine fails to resolve). Prints:

* how long the server takes to start (it computes the brief's default view first);
* the meeting brief's first visit after each of several server restarts, until its map is drawn,
  from a browser that opened the app before (the meeting PC: Streamlit's scripts are
  in its cache, served as immutable), then from two fresh browsers (target < 1.5 s);
* every page change through the sidebar, in a fresh browser, first round (each
  page's first visit) and later rounds (warm), until the page is done: the script
  has run, nothing is stale, every map drawn, every table and chart painted
  (target < 1.5 s each);
* grey placeholders (Streamlit's skeletons) seen after the first visit (target 0);
* the time from changing eps on the hotspot map until the new map is drawn;
* the map HTML payload in bytes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.cli.data import warm_tuning
from analytics.demo.store import build_demo_store
from analytics.presentation import maps
from analytics.storage import store
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_FRAME,
    free_port,
    map_frame,
    start_streamlit,
)
from ui import preload

WEEK = "2017-12-29"
TARGET_S = 1.5
# The sidebar's pages in order; a round opens each in turn and comes back to the brief.
PAGES = ["map", "suggestions", "complaints", "incidents", "unit", "data", "brief"]

# Installed in every page before the app's own scripts: counts script runs and notes
# every skeleton (grey placeholder) that appears, with the label of the current step.
PROBE = """
(() => {
  window.__runs = 0; window.__skeletons = []; window.__step = 'load';
  const SKELETON = '[data-testid="stSkeleton"],[data-testid="stAppSkeleton"],[data-testid="stSkeletonElement"]';
  let state = null;
  const seen = new WeakSet();
  const look = (records) => {
    // A short run may start and end before this observer's turn: a record per change,
    // each with the value it replaced, still shows 'running' in between.
    for (const r of records || []) {
      if (r.attributeName === 'data-test-script-state' && r.oldValue === 'running'
          && state !== 'running') { window.__runs += 1; state = 'running'; }
    }
    const app = document.querySelector('[data-testid="stApp"]');
    const now = app && app.getAttribute('data-test-script-state');
    if (now !== state) { if (now === 'running') window.__runs += 1; state = now; }
    for (const s of document.querySelectorAll(SKELETON)) {
      if (!seen.has(s)) { seen.add(s); window.__skeletons.push(
        [window.__step, s.getAttribute('data-testid'), s.closest('[data-testid="stElementContainer"]')]); }
    }
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true,
    attributeOldValue: true, attributeFilter: ['data-test-script-state', 'data-testid']});
})();
"""

# True once the page is done: a script run since the mark has ended, nothing is stale or
# a placeholder, every map has drawn its polygons, every table and chart has painted.
DONE = """
(runs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (runs >= 0 && window.__runs <= runs) return false;  // -1: the run was seen on the wire
  if (document.querySelector('[data-stale="true"]')) return false;
  if (document.querySelector('[data-testid="stSkeleton"],[data-testid="stAppSkeleton"]')) return false;
  const shown = (e) => e.getClientRects().length > 0;  // not in a hidden container
  // Maps: st_folium's component, or a map's own page in an iframe (ui.maps.show_static_map).
  for (const f of document.querySelectorAll('iframe')) {
    const map = f.title === 'streamlit_folium.st_folium'
      || (f.getAttribute('srcdoc') || '').includes('leaflet');
    if (!map || !shown(f)) continue;
    const d = f.contentDocument;
    if (!d || !d.querySelector(".leaflet-overlay-pane path:not([d='M0 0'])")) return false;
  }
  // Tables and charts on screen: a table below the fold paints its canvas only when
  // scrolled to (the map page's list of officers' places).
  const onScreen = (e) => shown(e) && e.getBoundingClientRect().top < window.innerHeight;
  for (const e of document.querySelectorAll('[data-testid="stDataFrame"]'))
    if (onScreen(e) && !e.querySelector('canvas')) return false;
  for (const e of document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
    if (onScreen(e) && !e.querySelector('canvas, svg')) return false;
  return true;
}
"""


# Before a setting changes: mark the document of every map on the page. A map drawn
# again may replace its iframe (st_folium) or load a new page into the same iframe
# (ui.maps.show_clickable_map); either way the new map is a document without the mark.
MARK_MAPS = f"""() => {{ for (const f of document.querySelectorAll('{MAP_FRAME}'))
  if (f.contentDocument) f.contentDocument.__hsOld = true; }}"""
NEW_MAP = f"""() => [...document.querySelectorAll('{MAP_FRAME}')].some(f => {{
  const d = f.contentDocument;
  return d && !d.__hsOld && d.querySelector(".leaflet-overlay-pane path:not([d='M0 0'])"); }})"""


# Which of DONE's conditions still fails (printed when a page times out).
WHY_NOT_DONE = """
(runs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const shown = (e) => e.getClientRects().length > 0;
  const ids = (sel) => [...document.querySelectorAll(sel)].map(
    (e) => (e.closest('[data-testid="stElementContainer"]') || e).className.slice(0, 80));
  return {state: app && app.getAttribute('data-test-script-state'), runs: window.__runs, since: runs,
    stale: ids('[data-stale="true"]'),
    skeletons: ids('[data-testid="stSkeleton"],[data-testid="stAppSkeleton"]'),
    tables: [...document.querySelectorAll('[data-testid="stDataFrame"]')]
      .filter((e) => shown(e) && !e.querySelector('canvas'))
      .map((e) => Math.round(e.getBoundingClientRect().top)),
    charts: [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
      .filter((e) => shown(e) && !e.querySelector('canvas, svg')).length};
}
"""


def wait_map(page, timeout_ms=60_000):
    """The page's first map (st_folium's or a map's own page in an iframe), once drawn."""
    return map_frame(page, timeout_ms)


def wait_done(page, runs: int, timeout_ms=60_000) -> None:
    page.wait_for_function(DONE, arg=runs, timeout=timeout_ms, polling="raf")


def wait_later(page) -> None:
    """Until the other pages' element code is loaded (:func:`ui.preload.mount_later`)."""
    later = page.locator(f".st-key-{preload.HIDDEN_KEY} [data-testid='stSlider']")
    later.wait_for(state="attached", timeout=30_000)


class ScriptRuns:
    """Script runs that ended, counted from the server's messages on the page's websocket.

    A run that starts and ends within one frame never shows as "running" in the page
    (React commits both states at once), so the page's own probe may miss it.
    """

    def __init__(self):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.parse, self.finished = ForwardMsg.FromString, 0

    def watch(self, page) -> None:
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if isinstance(payload, bytes) and self.parse(payload).WhichOneof("type") == (
            "script_finished"
        ):
            self.finished += 1

    def wait_after(self, page, before: int, timeout_s=60.0) -> None:
        """Until a run has ended since ``before`` (``self.finished`` then)."""
        deadline = time.perf_counter() + timeout_s
        while self.finished <= before:
            if time.perf_counter() > deadline:
                raise TimeoutError("no script run ended")
            page.wait_for_timeout(5)  # lets Playwright deliver the frames


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


def demo_store(folder: Path) -> Path:
    db = folder / "demo.sqlite"
    if db.exists():
        return db
    engine = store.open_store(str(db))
    build_demo_store(engine, out_dir=folder / "samples")
    warm_tuning(engine)  # as `make run` does after building the demo store
    engine.dispose()
    return db


class ServerLog:
    """The server's output (it runs with HOTSPOT_TIMING=1: a line per page script run)."""

    def __init__(self, path: Path):
        self.path, self.pos = path, 0

    def runs(self) -> list[float]:
        """Seconds of each page script run since the last call."""
        with open(self.path, encoding="utf-8", errors="replace") as f:
            f.seek(self.pos)
            lines = f.read().splitlines()
            self.pos = f.tell()
        return [float(ln.split()[2]) for ln in lines if ln.startswith("run ")]

    def lines(self, prefix: str) -> list[str]:
        text = self.path.read_text(encoding="utf-8", errors="replace")
        return [ln for ln in text.splitlines() if ln.startswith(prefix)]


class Server:
    """``python -m ui.serve`` on one port (a restart keeps the origin, so a browser's cache)."""

    def __init__(self, db: Path, folder: Path):
        self.db, self.folder, self.port, self.n = db, folder, free_port(), 0
        self.proc = None

    def start(self) -> float:
        self.n += 1
        self.log_file = open(self.folder / f"server-{self.n}.log", "w")  # noqa: SIM115
        t0 = time.perf_counter()
        self.proc, self.url = start_streamlit(
            self.db, port=self.port, log=self.log_file, env={"HOTSPOT_TIMING": "1"}
        )
        self.log = ServerLog(Path(self.log_file.name))
        return time.perf_counter() - t0

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.log_file.close()
            self.proc = None


def drive(server: Server, rounds: int, restarts: int = 5) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    out: dict = {"outside": [], "skeletons": []}
    with sync_playwright() as p:
        # Every host but this machine fails to resolve: a closed network, without
        # routing each request through Playwright (which slows every page load).
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )

        def fresh():
            ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
            ctx.add_init_script(PROBE)
            return ctx, page_in(ctx)

        def page_in(ctx):
            page = ctx.new_page()
            page.on(
                "requestfailed",
                lambda r: out["outside"].append(r.url) if "127.0.0.1" not in r.url else None,
            )
            return page

        def skeletons(page, label):
            # What each placeholder stood in for: the element its container holds now.
            out["skeletons"] += [
                (label, *s)
                for s in page.evaluate(
                    """() => window.__skeletons.map(([step, id, box]) => [step, id,
                        box ? [...box.querySelectorAll('[data-testid],[class]')].slice(0, 3)
                          .map(e => e.getAttribute('data-testid') || e.className).join(' ') : ''])"""
                )
            ]

        # The meeting PC opened the dashboard before (last week): its browser cache holds
        # Streamlit's scripts (served as immutable). Then the server restarts.
        returning, _ = fresh()
        server.start()
        page = page_in(returning)
        page.goto(f"{server.url}/?week={WEEK}")
        wait_done(page, 0)
        page.close()
        server.stop()
        # The meeting PC's first visit after each of several restarts (the median is the figure).
        returns = []
        for restart in range(restarts):
            if restart:
                server.stop()
            out["started"] = server.start()
            page = page_in(returning)
            t0 = time.perf_counter()
            page.goto(f"{server.url}/?week={WEEK}")
            wait_map(page)
            returns.append(time.perf_counter() - t0)
            wait_done(page, 0)
            page.close()
        returning.close()
        out["returns"] = returns
        url = server.url

        visits = {}
        for label in ("a fresh browser (nothing cached)", "another fresh browser"):
            ctx, page = fresh()
            t0 = time.perf_counter()
            page.goto(f"{url}/?week={WEEK}")
            wait_map(page)
            visits[label] = time.perf_counter() - t0
            wait_done(page, 0)
            skeletons(page, "brief " + label)
            ctx.close()
        out["visits"] = visits

        ctx, page = fresh()
        runs_seen = ScriptRuns()
        runs_seen.watch(page)
        page.goto(f"{url}/?week={WEEK}")
        wait_done(page, 0)
        # The code of the other pages' elements is loaded once the first page is drawn
        # (ui.preload.mount_later); a person's first click comes after that.
        t_later = time.perf_counter()
        wait_later(page)
        out["later"] = time.perf_counter() - t_later
        changes = []
        for r in range(rounds):
            for name in PAGES:
                runs = page.evaluate("window.__runs")
                page.evaluate(f"window.__step = 'round {r + 1} {name}'")
                link = page.locator(f'[data-testid="stSidebarNavLink"][href$="/{name}"]')
                if name == "brief":
                    link = page.locator('[data-testid="stSidebarNavLink"]').first
                server.log.runs()
                ended = runs_seen.finished
                t0 = time.perf_counter()
                link.click()
                try:
                    runs_seen.wait_after(page, ended)
                    wait_done(page, -1)
                except PlaywrightTimeout:
                    page.screenshot(path=f"ui_bench-timeout-{name}.png", full_page=True)
                    print(f"round {r + 1} {name}: not done:", page.evaluate(WHY_NOT_DONE, runs))
                    raise
                changes.append((r + 1, name, time.perf_counter() - t0, sum(server.log.runs())))
        skeletons(page, "page changes")
        ctx.close()
        out["changes"] = changes

        ctx, page = fresh()
        page.goto(f"{url}/map?week={WEEK}&eps=100&min=5")
        wait_map(page)
        wait_later(page)
        page.get_by_text("eps 100 m").first.wait_for(timeout=60_000)
        eps = []
        for target in (105, 110, 115):
            slider = (
                page.locator('[data-testid="stSlider"]')
                .filter(has_text="eps")
                .get_by_role("slider")
            )
            page.evaluate(f"window.__step = 'eps {target}'")
            page.evaluate(MARK_MAPS)
            t0 = time.perf_counter()
            slider.press("ArrowRight")
            page.get_by_text(f"eps {target} m").first.wait_for(timeout=60_000)
            page.wait_for_function(NEW_MAP, timeout=60_000, polling="raf")
            eps.append(time.perf_counter() - t0)
        skeletons(page, "eps change")
        ctx.close()
        out["eps"] = eps
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="keep the demo store in this folder")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of page changes")
    parser.add_argument(
        "--restarts", type=int, default=5, help="server restarts for the brief's first visit"
    )
    parser.add_argument("--no-payload", action="store_true", help="skip the payload sizes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.store or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = demo_store(folder)
        server = Server(db, Path(tmp))
        try:
            res = drive(server, args.rounds, args.restarts)
        finally:
            server.stop()
        warmed = server.log.lines("준비 완료") + server.log.lines("페이지 준비 완료")
        sizes = {} if args.no_payload else payload_bytes(db)

    print(
        f"server start until it answers: {res['started']:.2f} s "
        "(includes computing the brief's default view before listening)"
    )
    for line in warmed:
        print(f"server: {line}")
    hosts = sorted({u.split("/")[2] for u in res["outside"]})
    print(f"requests off this machine that failed: {len(res['outside'])} {hosts}")
    returns = res["returns"]
    print(
        "brief, first visit after each server start, a browser that has opened the app "
        "before (the meeting PC): "
        + ", ".join(f"{t:.2f}" for t in returns)
        + f" s (median {statistics.median(returns):.2f} s until the map is drawn; "
        f"target < {TARGET_S} s)"
    )
    for label, t in res["visits"].items():
        print(f"brief, {label}: {t:.2f} s until the map is drawn (target < {TARGET_S} s)")
    print(
        f"the other pages' element code loaded {res['later']:.2f} s after the brief was done "
        "(before the first page change)"
    )
    for r in sorted({c[0] for c in res["changes"]}):
        times = [(n, t) for rr, n, t, _ in res["changes"] if rr == r]
        scripts = [(n, t) for rr, n, _, t in res["changes"] if rr == r]
        under = sum(t < TARGET_S for _, t in times)
        kind = "first visit of each page" if r == 1 else "warm"
        print(
            f"page changes, round {r} ({kind}): "
            + ", ".join(f"{n} {t:.2f}" for n, t in times)
            + f" s (max {max(t for _, t in times):.2f}, median "
            f"{statistics.median(t for _, t in times):.2f}; {under}/{len(times)} < {TARGET_S} s)"
        )
        print(
            "  of which the page's script on the server: "
            + ", ".join(f"{n} {t:.2f}" for n, t in scripts)
            + " s"
        )
    # A fresh browser's first load shows placeholders while Streamlit's code arrives; the
    # target is none once a page is open (page changes, a changed setting).
    warm = [s for s in res["skeletons"] if s[1] != "load"]
    print(
        f"grey placeholders (skeletons) on page changes and setting changes: {len(warm)} "
        f"(target 0); during fresh browsers' first loads: {len(res['skeletons']) - len(warm)}"
    )
    for label, step, testid, held in warm:
        print(f"  {label}: {step} {testid} (now: {held})")
    eps = res["eps"]
    print(
        "eps change on the hotspot map until the new map is drawn: "
        + ", ".join(f"{t:.2f}" for t in eps)
        + f" s (median {statistics.median(eps):.2f} s; target < {TARGET_S} s)"
    )
    for label, n in sizes.items():
        print(f"map HTML payload, {label}: {n:,} bytes ({n / 2**20:.2f} MiB; target < 3 MB)")


if __name__ == "__main__":
    main()
