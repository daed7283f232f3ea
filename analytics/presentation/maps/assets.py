"""Leaflet and its plugins from ``static/vendor/``, never from a CDN.

folium loads Leaflet, jQuery, Bootstrap, awesome-markers, Font Awesome and its
plugins from public CDNs. On the station's network those hosts are unreachable and
the map would be blank, so every map loads the copies under ``static/vendor/``
(fetched from the npm registry by ``tools/vendor_assets.sh``; Streamlit serves them
at ``/app/static/vendor/...`` with ``server.enableStaticServing``):
:func:`use_local_assets` points a map's elements at them, and
:func:`to_standalone_html` inlines them into one offline file for the meeting pack.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from pathlib import Path

import branca
import folium
import folium.plugins
from folium.elements import JSCSSMixin

from analytics.presentation.maps.elements import SafePopup, escaped
from analytics.station.config import REPO_ROOT

VENDOR_DIR = REPO_ROOT / "static" / "vendor"
DEFAULT_BASE_URL = "/app/static/vendor"

# folium's asset names -> the vendored file, relative to static/vendor/.
LOCAL_ASSETS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet-heat.js": "leaflet.heat/leaflet-heat.js",
}
# folium.Map lists these for folium.Icon / Bootstrap popups; nothing here uses them.
DROPPED_ASSETS: frozenset[str] = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


class UnvendoredAssetError(RuntimeError):
    """A map element needs a script or stylesheet that static/vendor does not have."""


def walk(element) -> Iterable:
    """Every element under ``element`` (itself included), depth first."""
    yield element
    if isinstance(element, folium.plugins.DualMap):
        yield from walk(element.m1)
        yield from walk(element.m2)
    for child in getattr(element, "_children", {}).values():
        yield from walk(child)


def _check_element(elem) -> None:
    """Elements that would reach a CDN or need jQuery even with local assets."""
    name = type(elem).__name__
    if isinstance(elem, branca.colormap.ColorMap):
        raise UnvendoredAssetError(
            f"{name}: branca colormaps make streamlit-folium load d3 from a CDN; "
            "draw a legend with HTML instead"
        )
    if isinstance(elem, folium.Popup) and not isinstance(elem, SafePopup):
        raise UnvendoredAssetError(
            "folium.Popup needs jQuery, which is not vendored; use analytics.presentation.maps.SafePopup"
        )
    if isinstance(elem, folium.Tooltip):
        raise UnvendoredAssetError(
            "folium.Tooltip pastes text into a JS template literal; use analytics.presentation.maps.SafeTooltip"
        )
    if isinstance(elem, folium.Icon):
        raise UnvendoredAssetError(
            "folium.Icon needs awesome-markers and Font Awesome; use CircleMarker or DivIcon"
        )
    if isinstance(elem, folium.GeoJson) and not elem.embed:
        raise UnvendoredAssetError("folium.GeoJson(embed=False) needs jQuery; embed the data")
    if isinstance(elem, folium.Map) and elem.objects_to_stay_in_front:
        raise UnvendoredAssetError("Map.keep_in_front needs jQuery")


def _local_links(elem, attr: str, base_url: str) -> list[tuple[str, str]]:
    """``elem``'s scripts (or stylesheets) as vendored URLs; jQuery and friends dropped."""
    out = []
    for asset, url in getattr(elem, attr, []) or []:
        if asset in DROPPED_ASSETS:
            continue
        if asset not in LOCAL_ASSETS:
            raise UnvendoredAssetError(
                f"{type(elem).__name__} needs '{asset}' ({url}), which static/vendor does "
                "not have: vendor it (tools/vendor_assets.sh, LOCAL_ASSETS) or use another element"
            )
        out.append((asset, f"{base_url}/{LOCAL_ASSETS[asset]}"))
    return out


def use_local_assets(m: folium.Map, *, base_url: str = DEFAULT_BASE_URL) -> folium.Map:
    """Point every script and stylesheet of ``m`` at the vendored copies.

    Walks the map's elements as streamlit-folium does and replaces each element's
    ``default_js``/``default_css`` (as instance attributes) with URLs under
    ``base_url``, dropping jQuery, Bootstrap, awesome-markers, Font Awesome and
    glyphicons. Idempotent: call it last, after every layer is added.

    Parameters
    ----------
    m : folium.Map
    base_url : str, default "/app/static/vendor"
        Where ``static/vendor`` is served. Streamlit with a ``server.baseUrlPath``
        of ``/x`` serves it at ``/x/app/static/vendor``.

    Returns
    -------
    folium.Map, the same map.

    Raises
    ------
    UnvendoredAssetError
        An element needs an asset that is not vendored (a plugin we do not ship,
        folium.Icon, folium.Popup, a branca colormap ...).
    """
    base_url = base_url.rstrip("/")
    for elem in walk(m):
        _check_element(elem)
        if isinstance(elem, JSCSSMixin):
            elem.default_js = _local_links(elem, "default_js", base_url)
            elem.default_css = _local_links(elem, "default_css", base_url)
    m._local_asset_base = base_url
    return m


def vendored_files() -> dict[str, Path]:
    """asset name → vendored file on disk (for checks and :func:`inline_assets`)."""
    return {name: VENDOR_DIR / rel for name, rel in LOCAL_ASSETS.items()}


_SCRIPT_SRC = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>', re.IGNORECASE)
_CSS_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', re.IGNORECASE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[A-Za-z0-9._-]+)\1\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=\S+\s*$", re.MULTILINE)


def _vendored_path(url: str, base_url: str) -> Path:
    """The file under static/vendor that ``url`` names; nothing outside it is read."""
    prefix = base_url.rstrip("/") + "/"
    if not url.startswith(prefix):
        raise UnvendoredAssetError(f"{url} is not a vendored asset (under {prefix})")
    path = (VENDOR_DIR / url[len(prefix) :]).resolve()
    if VENDOR_DIR.resolve() not in path.parents or not path.is_file():
        raise UnvendoredAssetError(f"{url}: no such file under {VENDOR_DIR}")
    return path


def _data_uri(path: Path) -> str:
    """An image as a ``data:`` URI, so that the standalone file needs no image files."""
    mime = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}[path.suffix]
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


_BANNER = re.compile(r"/\*(?:(?!\*/)[\s\S])*?\(c\)(?:(?!\*/)[\s\S])*?\*/\n?")
_CSS_COMMENT = re.compile(r"/\*[\s\S]*?\*/")


def _licence_comment(packages: Iterable[Path]) -> str:
    """The licences of the inlined packages, as one HTML comment."""
    parts = []
    for pkg in packages:
        lic = pkg / "LICENSE"
        if lic.is_file():
            text = lic.read_text(encoding="utf-8").strip().replace("--", "- -")
            parts.append(f"{pkg.name} (static/vendor/{pkg.name}, see VENDOR.md):\n\n{text}")
    if not parts:
        return ""
    body = "\n\n----\n\n".join(parts).replace("--", "- -")
    return f"<!--\nThird-party code inlined below, with its licences.\n\n{body}\n-->\n"


def inline_assets(html_text: str, *, base_url: str = DEFAULT_BASE_URL) -> str:
    """Replace ``<script src>``/``<link rel=stylesheet>`` of vendored files by their text.

    CSS images (Leaflet's layer-control icon) become data URIs; source-map comments,
    CSS comments and the JS copyright banners are dropped, and the packages' full
    licence texts go into one HTML comment at the top of ``<head>`` instead, so the
    result needs no server and names no URL it does not use.

    Raises
    ------
    UnvendoredAssetError
        A script or stylesheet is not one of the vendored files.
    """
    used: dict[Path, None] = {}

    def script(match: re.Match) -> str:
        path = _vendored_path(match.group(1), base_url)
        used[path.parent] = None
        code = _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))
        code = _BANNER.sub("", code)
        code = re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
        return f"<script>/* {path.parent.name}/{path.name}: licence above */\n{code}\n</script>"

    def style(match: re.Match) -> str:
        path = _vendored_path(match.group(1), base_url)
        used[path.parent] = None
        css = _CSS_COMMENT.sub("", path.read_text(encoding="utf-8"))

        def image(m: re.Match) -> str:
            img = (path.parent / m.group(2)).resolve()
            return f"url({_data_uri(img)})" if img.is_file() else m.group(0)

        css = _CSS_URL.sub(image, css)
        css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
        return f"<style>/* {path.parent.name}/{path.name} */\n{css}\n</style>"

    out = _SCRIPT_SRC.sub(script, html_text)
    out = _CSS_LINK.sub(style, out)
    notice = _licence_comment(used)
    head = re.search(r"<head[^>]*>", out, re.IGNORECASE)
    if head:
        return out[: head.end()] + "\n" + notice + out[head.end() :]
    return notice + out


def to_standalone_html(m: folium.Map, *, title: str | None = None) -> str:
    """The map as one self-contained HTML document (the offline meeting pack).

    Scripts and styles are inlined from ``static/vendor``; the only remaining URLs
    are the tile template (tiles show when the viewer is online, the boundaries
    always) and attribution links.
    """
    base = getattr(m, "_local_asset_base", None) or DEFAULT_BASE_URL
    use_local_assets(m, base_url=base)
    root = m.get_root()
    if title:
        root.header.add_child(
            branca.element.Element(f"<title>{escaped(title)}</title>"), name="title"
        )
    out = inline_assets(root.render(), base_url=base)
    left = _SCRIPT_SRC.findall(out) + _CSS_LINK.findall(out)
    if left:
        raise UnvendoredAssetError(f"external assets left in the standalone map: {left}")
    return out


def local_base(m: folium.Map) -> str:
    """Where ``m`` loads static/vendor from (:func:`use_local_assets`, ``base_map``)."""
    return getattr(m, "_local_asset_base", DEFAULT_BASE_URL)


def localise(m: folium.Map, elem) -> None:
    """Point a new plugin element at the vendored files right away."""
    if isinstance(elem, JSCSSMixin):
        base = local_base(m)
        elem.default_js = _local_links(elem, "default_js", base)
        elem.default_css = _local_links(elem, "default_css", base)
