"""Property over the demo year: a viewer's map payload never holds an exact sensitive point."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analytics.access.privacy import DEFAULT_SENSITIVE, viewer_events
from analytics.compute.hotspots import find_hotspots
from analytics.presentation import maps
from analytics.storage import store


@pytest.mark.slow
def test_no_week_of_the_demo_year_leaks_a_sensitive_point(demo_db, geo):
    events = store.read_events(store.open_store(str(demo_db)))
    seen = viewer_events(events, geo=geo)
    checked = 0
    for end in pd.date_range("2017-01-13", "2017-12-29", freq="7D", tz="Asia/Seoul"):
        start = end - pd.Timedelta(days=28)
        window = (events["occurred_at"] >= start) & (events["occurred_at"] < end)
        secret = events[window & events["category"].isin(DEFAULT_SENSITIVE)]
        if secret.empty:
            continue
        # What the map page builds for a viewer: hotspots from exact data (polygons
        # only), points and heat from the masked events.
        hotspots = find_hotspots(events[window], geo=geo, eps_m=100, min_samples=5).hotspots
        m = maps.base_map(geo)
        maps.add_hotspots(m, hotspots)
        shown = seen[window]
        for source in ("incident", "suggestion", "complaint"):
            maps.add_heat(m, shown, source=source)
        maps.add_event_points(m, shown)
        html = m.get_root().render()

        # Addresses are shared: a sensitive case's address may also be the exact,
        # legitimately shown point of a non-sensitive case, or the centre of a
        # hotspot polygon. Only a point that is nothing but a sensitive case counts.
        def key(lat, lon):
            return (f"{lat:.6f}".rstrip("0"), f"{lon:.6f}".rstrip("0"))

        public = {key(a, b) for a, b in zip(shown["lat"], shown["lon"], strict=True)}
        public |= {key(a, b) for a, b in zip(hotspots["lat"], hotspots["lon"], strict=True)}
        for lat, lon in zip(secret["lat"], secret["lon"], strict=True):
            k = key(lat, lon)
            if k not in public:
                a, b = re.escape(k[0]), re.escape(k[1])
                # As a point: "lat, lon" (Leaflet) or "lon, lat" (GeoJSON), not as
                # two unrelated numbers somewhere in a boundary.
                assert not re.search(rf"{a}\d*\s*,\s*{b}\b|{b}\d*\s*,\s*{a}\b", html), k
                checked += 1
    assert checked > 100
