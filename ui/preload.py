"""The element code the pages use, fetched with the app's first page instead of on first use.

Streamlit's page (``index.html``) loads its core script; the code of each element
(a selectbox, a metric, a table, a chart, a component's iframe) comes in separate
chunks, fetched the first time a script run shows one. So the first visit waits for
the script, then for a wave of chunk downloads (and a second wave for their own
imports), and every page's first visit in a browser waits again for its own.

:func:`install` serves ``index.html`` with ``<link rel="modulepreload">`` hints for
the chunks of the elements this app uses, with everything they import: the browser
fetches them while it loads Streamlit's own scripts, before the script has even run.
Chunk names carry a content hash; they are looked up in the installed Streamlit, so
a Streamlit upgrade needs no change here (an element whose chunk is not found is
skipped: it loads on first use as before).

:func:`mount_elements` draws each such element once, hidden, at the end of a session's
first run, so that no later page shows a grey placeholder while its code is imported.
The run first waits (:func:`ui.first_paint.wait`) until the page's map has called back
that it is drawn: rendered before the map, the hidden elements held its first paint
back by about a third of a second.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

# The elements the pages show (by the name Streamlit's chunk files start with).
ELEMENTS = (
    "Radio",  # sidebar: language
    "Selectbox",  # sidebar: week; pages' pickers
    "Metric",
    "BidiComponent",  # the maps a page reads clicks from (ui.maps.show_clickable_map)
    "IFrame",  # the maps nothing is read back from
    "Button",
    "DownloadButton",
    "Multiselect",
    "Checkbox",
    "Slider",
    "DataFrame",
    "ArrowVegaLiteChart",  # Altair charts
    "loadVegaEmbed",
    "embed",
    "vega-interpreter",
    "FileUploader",  # the data page
    "TextInput",  # sign-in form, share link
    "rehype-raw",  # Markdown with HTML (the projector's CSS)
)
# The hidden elements of :func:`mount_elements` are hidden from the first paint; a
# <style> sent by the script would wait for st.html's own code to arrive.
HIDDEN_KEY = "hs_preload"
HIDDEN_STYLE = f"<style>.st-key-{HIDDEN_KEY} {{display: none !important;}}</style>\n  "
# The app's own CSS, in the served page's <head> (or, without it, sent by
# ui.widgets.presentation_mode). Before Streamlit's own styles: "body"
# outranks their rules of the same weight that would otherwise come later and win.
# Streamlit's own words in the reader's language: the data page puts its file uploader
# in a container keyed by the language (``.st-key-hs_upload_ko``), whose rules hide the
# English texts of the dropzone (the button's "Upload", the "200MB per file" line and
# the "Drag and drop a file here" shown while a file is dragged over it) and show the
# catalogue's instead; a text input in ``.st-key-hs_input_ko`` gets the catalogue's
# "Press Enter to apply". Generated content is part of the button's accessible name,
# so a screen reader reads the Korean too; the English is display:none for it as well.
# Streamlit 1.67 has no option for these texts (streamlit/streamlit#13500).
UPLOAD_KEY = "hs_upload"
INPUT_KEY = "hs_input"
_DROPZONE = '[data-testid="stFileUploaderDropzone"]'


def _css_text(value: str) -> str:
    """A catalogue text as a CSS string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def widget_text_css() -> str:
    """The rules for every language of the catalogue."""
    from analytics.text import text
    from ui.i18n import LANGS

    rules = []
    for lang in LANGS:
        box = f".st-key-{UPLOAD_KEY}_{lang} {_DROPZONE}"
        button = f'{box} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"]'
        hint = f'{box} [data-testid="stFileUploaderDropzoneInstructions"] > div'
        enter = f'.st-key-{INPUT_KEY}_{lang} [data-testid="InputInstructions"]'
        rules += [
            f"{button} > p, {hint} > span, {box} > div:has(> span) > span,"
            f" {enter} > span:first-child {{display: none;}}",
            f"{button}::after {{content: {_css_text(text('upload.button', lang))};}}",
            f"{hint}::after {{content: {_css_text(text('upload.instructions', lang))};"
            " font-size: 0.875rem; opacity: 0.7;}",
            f"{box} > div:has(> span)::after {{content: {_css_text(text('upload.drop', lang))};"
            " font-size: 0.875rem; font-weight: 800;}",
            f"{enter}::before {{content: {_css_text(text('upload.enter', lang))};}}",
        ]
    return "\n".join(rules)


FRAME_CSS = (
    """
<style>
body [data-testid="stMarkdownContainer"]:has(> table) {overflow-x: auto;}
body [data-testid="stMarkdown"] th, body [data-testid="stMarkdown"] td {padding: 0.35rem 0.5rem;}
/* The brief's top table in Korean: rank, unit and count never break (순/위, 중앙지/구대). */
.st-key-hs_top_ko th:first-child, .st-key-hs_top_ko td:first-child,
.st-key-hs_top_ko td:nth-child(3), .st-key-hs_top_ko th:last-child,
.st-key-hs_top_ko td:last-child {white-space: nowrap;}
"""
    + widget_text_css()
    + """
</style>
"""
)

_IMPORT = re.compile(r'(?:from|import)\s*"\./([\w.\-]+\.js)"')
_INDEX_SCRIPT = '<script type="module" crossorigin src="./static/js/'


def static_dir() -> Path:
    import streamlit

    return Path(streamlit.__file__).parent / "static"


def _chunk(js: Path, element: str) -> str | None:
    """The chunk file of ``element``: its name, a dot, an 8-character hash (``Radio.BWQwdNIB.js``)."""
    found = sorted(p.name for p in js.glob(f"{element}.*.js") if p.name.count(".") == 2)
    return found[0] if found else None


def chunks(js: Path, elements=ELEMENTS) -> list[str]:
    """The chunk files of ``elements`` and every file they import, imports first."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or not (js / name).is_file():
            return
        seen.add(name)
        for dep in _IMPORT.findall((js / name).read_text(encoding="utf-8", errors="replace")):
            visit(dep)
        order.append(name)

    for element in elements:
        name = _chunk(js, element)
        if name:
            visit(name)
    return order


def hint(name: str) -> str:
    return f'<link rel="modulepreload" crossorigin href="./static/js/{name}">\n  '


@functools.cache
def index_html() -> str:
    """Streamlit's ``index.html`` with a modulepreload hint per chunk it does not already load."""
    static = static_dir()
    html = (static / "index.html").read_text(encoding="utf-8")
    if _INDEX_SCRIPT not in html:  # another layout: serve it as it is
        return html
    hints = "".join(
        hint(name) for name in chunks(static / "static" / "js") if f"./static/js/{name}" not in html
    )
    # The frame's own CSS comes with the page, not as Markdown with HTML in every run
    # (whose renderer, rehype-raw, the browser would otherwise load and run first).
    return html.replace("</head>", hints + HIDDEN_STYLE + FRAME_CSS.strip() + "\n</head>", 1)


def page_paths(base: str, pages) -> list[str]:
    """The URL paths that serve ``index.html``: the app's root and each page's path."""
    return [f"{base}/", *(f"{base}/{name}" for name in pages)]


def routes(pages) -> list:
    """Starlette routes answering the app's page paths with :func:`index_html`, and the
    maps' call once drawn (:data:`ui.first_paint.ROUTE`)."""
    from starlette.responses import HTMLResponse, Response
    from starlette.routing import Route

    from ui import first_paint
    from ui.session_routes import base_path

    async def index(_request):
        return HTMLResponse(index_html(), headers={"Cache-Control": "no-cache"})

    async def painted(request):
        first_paint.painted(request.path_params["token"])
        return Response(status_code=204)

    return [
        *(Route(path, index, methods=["GET"]) for path in page_paths(base_path(), pages)),
        Route(f"{base_path()}/{first_paint.ROUTE}/{{token}}", painted, methods=["POST"]),
    ]


def installed() -> bool:
    """True when this server answers the app's pages with :func:`index_html`."""
    from streamlit.web.server.starlette import starlette_app

    return getattr(starlette_app.create_streamlit_routes, "_hotspot_preload", False)


def install(pages) -> None:
    """Serve ``index.html`` with the hints on the app's page paths (idempotent)."""
    from streamlit.web.server.starlette import starlette_app

    original = starlette_app.create_streamlit_routes
    if getattr(original, "_hotspot_preload", False):
        return

    def create_streamlit_routes(runtime):
        return [*routes(pages), *original(runtime)]

    create_streamlit_routes._hotspot_preload = True
    starlette_app.create_streamlit_routes = create_streamlit_routes


def mount_elements(*, uploader: bool) -> None:
    """Draw each lazily loaded element once, hidden, so later pages show theirs at once.

    React shows a grey placeholder while an element's code is first imported in a
    page (even from the browser's cache); drawn once here, the next page's slider,
    table or chart has none. Called on a session's first run, after the page. The data
    page's file uploader only with ``uploader``: not when the data page itself is
    drawn (a second, hidden one would stand beside the real one), nor for a user
    who cannot open it.
    """
    import pandas as pd
    import streamlit as st

    from ui import maps

    with st.container(key=HIDDEN_KEY):  # hidden by index.html's HIDDEN_STYLE
        st.slider("preload", 0, 1, 0, key="hs_preload_slider", label_visibility="collapsed")
        st.multiselect("preload", ["a"], key="hs_preload_multi", label_visibility="collapsed")
        st.checkbox("preload", key="hs_preload_check", label_visibility="collapsed")
        st.dataframe(pd.DataFrame({"a": [0]}), hide_index=True)
        st.iframe("<p></p>", height=1)
        maps.mount_clickable_map()
        st.vega_lite_chart(
            {"data": {"values": [{"a": 0}]}, "mark": "point", "encoding": {"x": {"field": "a"}}}
        )
        if uploader:
            st.file_uploader("preload", key="hs_preload_upload", label_visibility="collapsed")
