"""Property over the demo year: a viewer's map payload never holds an exact sensitive point."""

from __future__ import annotations

import itertools
import re

import numpy as np
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


def test_a_viewers_gi_star_layer_has_no_cell_of_sensitive_cases_alone(app_env, geo):
    """Each hot cell drawn for a viewer has events of other categories around it (the cell
    and its 8 neighbours: the block its Gi* counts); an analyst's layer has cells that only
    sensitive cases make hot."""
    import streamlit as st

    from analytics.access.privacy import PrivacyRule
    from analytics.compute import spacetime
    from analytics.compute.gistar import DEFAULT_CELL_M
    from analytics.query import HotspotQuery
    from ui import data

    st.cache_data.clear()
    url = data.store_url()
    stored = store.data_version(data.db_for(url))
    viewer = data.versioned(stored, geo.station.id, masked=True)
    analyst = data.versioned(stored, geo.station.id)
    events = store.read_events(data.db_for(url))
    rule = PrivacyRule.for_role("viewer", geo.station)
    drawn = sensitive_only = 0
    # Every category, and a view where sensitive cases are most of what is counted.
    views = [(), ("domestic", "missing", "sexual", "fraud")]
    for end, categories in itertools.product(
        pd.date_range("2017-01-27", "2017-12-29", freq="28D", tz="Asia/Seoul"), views
    ):
        query = HotspotQuery(start=end - pd.Timedelta(days=28), end=end, categories=categories)
        counted = spacetime.view_events(events, query)
        other = counted[~rule.is_sensitive(counted)]
        col = np.floor(other["x"].to_numpy(float) / DEFAULT_CELL_M).astype(int)
        row = np.floor(other["y"].to_numpy(float) / DEFAULT_CELL_M).astype(int)
        near_other = {
            (c + i, r + j)
            for c, r in zip(col, row, strict=True)
            for i in (-1, 0, 1)
            for j in (-1, 0, 1)
        }

        def cell(cell_id):
            c, r = cell_id.split("_")
            return int(c), int(r)

        m = maps.base_map(geo)
        maps.add_gi_star(m, data.gi_star_cells(url, viewer, query))
        sent = re.findall(r'"cell_id": "(-?\d+_-?\d+)"', m.get_root().render())
        assert all(cell(c) in near_other for c in sent), (end, categories)
        drawn += len(sent)
        cells = data.gi_star_cells(url, analyst, query)["cell_id"]
        sensitive_only += sum(cell(c) not in near_other for c in cells)
    assert drawn > 1000 and sensitive_only > 0  # the check could fail
