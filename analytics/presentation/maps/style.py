"""What the maps look like and the words they draw themselves.

Colours follow Okabe & Ito (2008), a palette that stays apart for colour-blind
readers: hotspot types by fill, event sources by marker, statuses by line pattern.
The words (layer names, legend, popup headings) are the catalogue's ``maps.*``
entries (``analytics/text/maps.toml``); type, status and source names come from
:mod:`analytics.text.vocabulary`, so the maps say what the dashboard says.
"""

from __future__ import annotations

from analytics.text import has, text

TYPE_COLOURS: dict[str, str] = {
    "convergent": "#D55E00",  # vermillion
    "fear": "#CC79A7",  # reddish purple
    "hidden": "#0072B2",  # blue
}
UNKNOWN_TYPE_COLOUR = "#999999"
SOURCE_COLOURS: dict[str, str] = {
    "suggestion": "#009E73",  # bluish green
    "complaint": "#E69F00",  # orange
    "incident": "#404040",  # dark grey
}
SELECTED_COLOUR = "#000000"
# Gi* confidence bins of hot cells (ColorBrewer RdBu, safe for colour-blind readers):
# the darker, the surer. Cold cells are not drawn.
GI_BIN_COLOURS: dict[int, str] = {3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7"}
# Status: line pattern (SVG dash array), line weight and a badge symbol next to the rank.
STATUS_STYLES: dict[str, dict] = {
    "new": {"dashArray": "8 5", "weight": 3, "symbol": "+"},
    "persistent": {"dashArray": None, "weight": 2, "symbol": ""},
    "intensifying": {"dashArray": None, "weight": 4, "symbol": "▲"},
    "diminishing": {"dashArray": "2 5", "weight": 2, "symbol": "▼"},
    "gone": {"dashArray": "2 6", "weight": 2, "symbol": "×"},
}
STATUSES = tuple(STATUS_STYLES)
HOTSPOT_TYPES = tuple(TYPE_COLOURS)


def label(key: str, lang: str = "ko", **values) -> str:
    """One of the maps' own words, ``maps.<key>`` of the catalogue, in ``lang``.

    Parameters
    ----------
    key : str
        The key without its ``maps.`` prefix, e.g. ``"townships"`` or ``"gone"``.
    lang : str, default "ko"
        An unknown language reads Korean (the catalogue's rule).
    **values
        Placeholders of the entry (``events_here`` takes ``n``).

    Raises
    ------
    KeyError
        ``maps.<key>`` is not in the catalogue.
    """
    return text(f"maps.{key}", lang, **values)


def is_label(key: str | None) -> bool:
    """Whether ``key`` names one of the maps' own words (so ``name="gone"`` is translated)."""
    return bool(key) and has(f"maps.{key}")
