"""ui.preload: the pages' element code comes with index.html; hidden elements drawn once."""

from __future__ import annotations

import asyncio
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from tests.conftest import run_page
from ui import first_paint, preload

JS = preload.static_dir() / "static" / "js"


def hinted(html: str) -> list[str]:
    return re.findall(r'rel="modulepreload" crossorigin href="\./static/js/([^"]+)"', html)


def test_each_element_chunk_comes_after_the_files_it_imports():
    order = preload.chunks(JS)
    slider = next(n for n in order if n.startswith("Slider."))
    deps = re.findall(r'(?:from|import)\s*"\./([\w.\-]+\.js)"', (JS / slider).read_text())
    assert deps and all(order.index(d) < order.index(slider) for d in deps)
    assert len(order) == len(set(order)) and all((JS / n).is_file() for n in order)


def test_index_html_hints_every_element_the_pages_use_once():
    original = (preload.static_dir() / "index.html").read_text()
    html = preload.index_html()
    names = hinted(html)
    for element in ("Slider", "DataFrame", "ArrowVegaLiteChart", "Metric", "BidiComponent"):
        assert any(n.startswith(f"{element}.") for n in names), element
    assert len(names) == len(set(names))  # Streamlit's own hints are not repeated
    assert set(hinted(original)) < set(names)
    extra = set(names) - set(hinted(original))
    added = "".join(preload.hint(n) for n in names if n in extra) + preload.HIDDEN_STYLE
    added += preload.FRAME_CSS.strip() + "\n"
    assert html.replace(added, "") == original
    # The hidden elements are hidden from the first paint, not once st.html's code arrives.
    head = html.split("</head>")[0]
    assert f".st-key-{preload.HIDDEN_KEY} {{display: none !important;}}" in head


def test_unknown_elements_are_skipped():
    assert preload.chunks(JS, ("NoSuchElement",)) == []


def test_the_app_pages_are_served_with_the_hints():
    routes = preload.routes(["brief", "map"])
    assert [r.path for r in routes] == ["/", "/brief", "/map", "/_hs/painted/{token}"]
    assert all({"GET", "HEAD"} <= r.methods for r in routes[:3])
    with ThreadPoolExecutor(1) as pool:  # pytest's own event loop may be running here
        response = pool.submit(asyncio.run, routes[2].endpoint(None)).result()
    assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
    assert response.body.decode() == preload.index_html()


def test_install_puts_the_routes_in_front_once(monkeypatch):
    from streamlit.web.server.starlette import starlette_app

    monkeypatch.setattr(starlette_app, "create_streamlit_routes", lambda runtime: ["streamlit"])
    preload.install(["map"])
    preload.install(["map"])
    routes = starlette_app.create_streamlit_routes(None)
    assert [getattr(r, "path", r) for r in routes] == [
        "/",
        "/map",
        "/_hs/painted/{token}",
        "streamlit",
    ]


def test_a_maps_call_ends_the_first_runs_wait(monkeypatch):
    """The map's page calls the session's paint URL once drawn: that call, and only a
    token of a first run still waiting, ends the wait (ui.first_paint.wait)."""
    painted = preload.routes(["brief"])[-1]
    assert painted.methods == {"POST"}

    def call(token):
        with ThreadPoolExecutor(1) as pool:  # pytest's own event loop may be running here
            request = SimpleNamespace(path_params={"token": token})
            return pool.submit(asyncio.run, painted.endpoint(request)).result().status_code

    waiting = threading.Event()
    monkeypatch.setitem(first_paint._WAITING, "tok", waiting)
    assert call("other") == 204  # unknown: nothing happens
    assert not waiting.is_set()
    assert call("tok") == 204
    assert waiting.is_set()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (None, ""),
        (
            "/_hs/painted/ab-C_9",
            '<script>fetch("/_hs/painted/ab-C_9", {method: "POST", keepalive: true})'
            ".catch(() => {});</script>",
        ),
        # A base path is the server's setting; it still cannot close the script.
        ("/a</script>/_hs/painted/t", "/a\\u003c/script>/_hs/painted/t"),
    ],
)
def test_the_paint_call_in_a_maps_page(url, expected):
    assert expected in first_paint.script(url)
    assert first_paint.script(url).count("</script>") == (1 if url else 0)


def test_without_the_servers_routes_no_run_waits_for_a_map(app_env):
    # AppTest (and `streamlit run`) serve no paint route: the maps call nothing.
    at = run_page()
    assert not at.exception
    frames = [str(e.proto) for e in at.get("iframe")]
    assert any("leaflet" in f for f in frames)  # the brief's map is drawn ...
    assert not any("_hs/painted" in f for f in frames)  # ... and calls nothing


def test_hidden_elements_are_drawn_on_a_session_first_run_only(app_env):
    at = run_page()
    assert [s.key for s in at.slider] == ["hs_preload_slider"]
    assert not at.get("html")  # nothing waits for st.html's code (see HIDDEN_STYLE)
    assert any(d.value.columns.tolist() == ["a"] for d in at.dataframe)
    # The data page's uploader too (an analyst may open it): the first visit shows no placeholder.
    assert len(at.get("file_uploader")) == 1
    at.run()
    assert not at.slider  # the brief has no slider: the hidden one is gone
    assert not at.get("file_uploader")


def test_the_hidden_uploader_only_when_asked():
    """dashboard.py asks for it unless the page drawn is the data page (whose own
    uploader would get a hidden twin) or the user may not open that page."""
    from streamlit.testing.v1 import AppTest

    def draw(uploader):
        from ui import preload

        preload.mount_elements(uploader=uploader)

    for uploader in (True, False):
        at = AppTest.from_function(draw, args=(uploader,)).run()
        assert not at.exception
        assert len(at.get("file_uploader")) == int(uploader)


def test_the_frame_css_comes_with_the_page_when_the_server_serves_it(app_env, monkeypatch):
    from streamlit.web.server.starlette import starlette_app

    assert preload.FRAME_CSS.strip() in preload.index_html().split("</head>")[0]
    css = [m for m in run_page().markdown if "<style>" in m.value]
    assert len(css) == 1  # AppTest: no server page, the script sends it
    monkeypatch.setattr(starlette_app, "create_streamlit_routes", lambda runtime: [])
    preload.install(["brief"])
    assert preload.installed()
    assert not [m for m in run_page().markdown if "<style>" in m.value]
    assert [m for m in run_page(present="1").markdown if "<style>" in m.value]  # projector
