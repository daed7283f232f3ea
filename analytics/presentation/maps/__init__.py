"""Map builders: folium maps that work on a closed network. Never imports streamlit.

The package, by job:

- :mod:`~analytics.presentation.maps.builder`: :func:`base_map`, the station with
  its boundaries;
- :mod:`~analytics.presentation.maps.hotspot_layer`,
  :mod:`~analytics.presentation.maps.grid_layer`,
  :mod:`~analytics.presentation.maps.facility_layer` and
  :mod:`~analytics.presentation.maps.layers`: what goes on it (hotspots, the Gi*
  hot cells, the CCTV, street-light and bell layers, heat, event points, landmarks,
  suggestion boxes, the layer switcher);
- :mod:`~analytics.presentation.maps.elements`: the folium elements they are made
  of (safe tooltips and popups, the legend, the fit, the point cluster);
- :mod:`~analytics.presentation.maps.assets`: Leaflet from ``static/vendor/``
  (:func:`use_local_assets`) or inlined into one offline file
  (:func:`to_standalone_html`);
- :mod:`~analytics.presentation.maps.style` and
  :mod:`~analytics.presentation.maps.payload`: colours and words; payload bounds.

Rules the builders keep:

- only elements whose assets are vendored (Leaflet, Leaflet.markercluster,
  Leaflet.heat); no ``folium.Icon`` (awesome markers), no ``folium.Popup`` or
  ``folium.Tooltip`` (``Popup`` needs jQuery, and both paste their text into a JS
  template literal where ``${...}`` would run): :class:`SafePopup` and
  :class:`SafeTooltip` pass their HTML as a JSON string instead;
- every text that a resident, a clerk or an export typed is HTML-escaped
  (``html.escape``) before it reaches a popup or a tooltip;
- payloads are bounded: coordinates rounded to 6 decimals, boundaries simplified,
  event points clustered and aggregated per location above ``max_points``, heat
  points aggregated with weights.

Typical use (the page shows the map with ``ui.maps``)::

    m = base_map(geo, lang="ko")
    add_hotspots(m, hotspots, lang="ko", selected_id=selected)
    add_event_points(m, events, lang="ko")
    add_layer_control(m)
    use_local_assets(m)            # idempotent; raises if an element needs a CDN
    html = to_standalone_html(m)   # one offline file for the meeting pack
"""

from __future__ import annotations

from analytics.presentation.maps.assets import (
    DEFAULT_BASE_URL,
    DROPPED_ASSETS,
    LOCAL_ASSETS,
    VENDOR_DIR,
    UnvendoredAssetError,
    inline_assets,
    to_standalone_html,
    use_local_assets,
    vendored_files,
)
from analytics.presentation.maps.builder import MAX_ZOOM, MIN_ZOOM, base_map
from analytics.presentation.maps.elements import (
    FitWhenSized,
    ProjectorSize,
    SafePopup,
    SafeTooltip,
    SpreadBadges,
    fit_to,
)
from analytics.presentation.maps.facility_layer import FACILITY_COLOURS, add_facilities
from analytics.presentation.maps.grid_layer import add_gi_star
from analytics.presentation.maps.hotspot_layer import add_hotspots
from analytics.presentation.maps.layers import (
    add_boxes,
    add_event_points,
    add_heat,
    add_landmarks,
    add_layer_control,
)
from analytics.presentation.maps.payload import (
    BOUNDARY_DECIMALS,
    DEFAULT_MAX_HEAT_POINTS,
    DEFAULT_MAX_POINTS,
    DESCRIPTION_CHARS,
    HOTSPOT_SIMPLIFY_M,
    ROUND_DECIMALS,
    TOWNSHIP_SIMPLIFY_M,
)
from analytics.presentation.maps.place_layer import PLACE_COLOURS, add_officer_places
from analytics.presentation.maps.style import (
    GI_BIN_COLOURS,
    HOTSPOT_TYPES,
    SELECTED_COLOUR,
    SOURCE_COLOURS,
    STATUS_STYLES,
    STATUSES,
    TYPE_COLOURS,
    UNKNOWN_TYPE_COLOUR,
    label,
)

__all__ = [
    "BOUNDARY_DECIMALS",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_HEAT_POINTS",
    "DEFAULT_MAX_POINTS",
    "DESCRIPTION_CHARS",
    "DROPPED_ASSETS",
    "FACILITY_COLOURS",
    "GI_BIN_COLOURS",
    "HOTSPOT_SIMPLIFY_M",
    "HOTSPOT_TYPES",
    "LOCAL_ASSETS",
    "MAX_ZOOM",
    "MIN_ZOOM",
    "PLACE_COLOURS",
    "ROUND_DECIMALS",
    "SELECTED_COLOUR",
    "SOURCE_COLOURS",
    "STATUSES",
    "STATUS_STYLES",
    "TOWNSHIP_SIMPLIFY_M",
    "TYPE_COLOURS",
    "UNKNOWN_TYPE_COLOUR",
    "VENDOR_DIR",
    "FitWhenSized",
    "ProjectorSize",
    "SafePopup",
    "SafeTooltip",
    "SpreadBadges",
    "UnvendoredAssetError",
    "add_boxes",
    "add_event_points",
    "add_facilities",
    "add_gi_star",
    "add_heat",
    "add_hotspots",
    "add_landmarks",
    "add_layer_control",
    "add_officer_places",
    "base_map",
    "fit_to",
    "inline_assets",
    "label",
    "to_standalone_html",
    "use_local_assets",
    "vendored_files",
]
