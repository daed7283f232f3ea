"""Real-browser fixtures: a real ``streamlit run`` server and Debian's Chromium.

Tests here skip when Chromium is missing, unless ``HOTSPOT_REQUIRE_BROWSER=1``
(set by ``.ci/run``), which turns a missing browser into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from analytics.station.config import REPO_ROOT

CHROMIUM = os.environ.get("HOTSPOT_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Headless Chromium opens each page in a window of its own and builds that window's
    # omnibox popup, a WebUI page in a renderer of its own: about a second of a core
    # (a trace of the brief's first visit), beside the page under test, on a two-core
    # machine that also runs the server. A person's browser builds it once per window.
    # Preloading was not the only way in: Chromium 156 builds the popup on its own.
    "--disable-features=PreloadTopChromeWebUI,WebUIOmniboxPopup,WebUIOmniboxFullPopup,"
    "WebUIOmniboxAimPopup",
]


def _require_browser() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    message = f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-nanum)"
    if os.environ.get("HOTSPOT_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(
    db: Path, *, port: int | None = None, log=None, env: dict | None = None
) -> tuple[subprocess.Popen, str]:
    """Serve dashboard.py on 127.0.0.1 with ``db`` as the store; wait until healthy.

    ``log``: where the server's output goes (a file, for bench/ui_bench.py); by default
    nowhere, or appended to ``$HOTSPOT_SERVER_LOG`` when set (to see why a test's server
    stopped answering). ``env``: more environment variables.
    """
    if log is None:
        path = os.environ.get("HOTSPOT_SERVER_LOG")
        log = open(path, "a", encoding="utf-8") if path else subprocess.DEVNULL  # noqa: SIM115
    port = port or free_port()
    env = {**os.environ, **(env or {}), "HOTSPOT_DB": str(db)}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ui.serve",  # streamlit run dashboard.py, as `make run` does
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy in 60 s")


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies, no storage) and page; only 127.0.0.1 is reachable."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="ko-KR")
    # The police network has no internet: block every request that leaves this machine.
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(
                ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
            )
            else route.abort()
        ),
    )
    pg = context.new_page()
    yield pg
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ (kept by CI)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, name: str, password: str) -> None:
    """Fill the sign-in form and submit it."""
    page.get_by_label("사용자 이름").fill(name)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()


def capture_websocket(page) -> list[bytes]:
    """Every websocket message the page receives from now on (appended as they come)."""
    frames: list[bytes] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda payload: frames.append(
                payload if isinstance(payload, bytes) else payload.encode()
            ),
        ),
    )
    return frames


# A map on a page: st_folium's component (maps a page reads clicks from) or the map's
# own HTML page in an iframe (ui.maps.show_static_map: nothing read back).
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"], iframe[srcdoc*="leaflet"]'


def map_frame(page, timeout_ms: int = 60_000, *, drawn: bool = True):
    """The first map's frame on the page, however it is drawn; with ``drawn``, once
    Leaflet has drawn a shape into it (off-screen polygons are empty paths)."""
    page.wait_for_selector(MAP_FRAME, timeout=timeout_ms)
    frame = page.frame_locator(MAP_FRAME).first
    if drawn:
        frame.locator(".leaflet-overlay-pane path:not([d='M0 0'])").first.wait_for(
            state="attached", timeout=timeout_ms
        )
    return frame
