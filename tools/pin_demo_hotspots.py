"""Print the demo year's hotspots as a fingerprint: ids, sizes, polygons and event labels.

    .venv/bin/python tools/pin_demo_hotspots.py [--out FILE]

Builds the synthetic demo store in a temporary folder and finds hotspots for a few
fixed queries (the whole year and the last 28 days, every source and incidents alone,
eps 100 m / min_samples 5, and 60 m / 3). ``tests/compute/test_demo_hotspots_pinned.py``
compares the same fingerprint with ``tests/compute/data/demo_hotspots.json``, written
by this tool before the storage change of issue 14, so a faster path must find the
same hotspots (labels and polygons) as the old one did.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = (
    {"name": "year, every source, 100/5", "days": None, "sources": None, "eps": 100, "min": 5},
    {"name": "28 days, every source, 100/5", "days": 28, "sources": None, "eps": 100, "min": 5},
    {"name": "28 days, incidents, 60/3", "days": 28, "sources": ["incident"], "eps": 60, "min": 3},
)


def fingerprint(db) -> dict:
    """The fingerprint of the demo store ``db`` (an open store)."""
    import pandas as pd
    import shapely

    from analytics.compute.hotspots import find_hotspots
    from analytics.query import HotspotQuery
    from analytics.station.config import default_station
    from analytics.station.geo import load_geography
    from analytics.storage import store
    from analytics.storage.schema import SOURCES

    geo = load_geography(default_station())
    events = store.read_events(db)
    last = events["occurred_at"].max().normalize() + pd.Timedelta(days=1)
    out = {}
    for q in QUERIES:
        start = None if q["days"] is None else last - pd.Timedelta(days=q["days"])
        query = HotspotQuery(
            sources=tuple(q["sources"] or SOURCES),
            start=start,
            end=last,
            eps_m=float(q["eps"]),
            min_samples=float(q["min"]),
        )
        result = find_hotspots(events, query, geo=geo)
        table = result.hotspots
        polygons = [
            shapely.to_wkt(shapely.normalize(g), rounding_precision=2) for g in table.geometry
        ]
        labels = sorted(
            f"{events.at[i, 'event_id'][4:20]}:{h}"
            for i, h in result.hotspot_ids[result.clustered].items()
        )
        out[q["name"]] = {
            "hotspots": [
                [h, int(r), int(n)]
                for h, r, n in zip(
                    table["hotspot_id"], table["rank"], table["n_events"], strict=True
                )
            ],
            "polygons_sha1": hashlib.sha1("\n".join(polygons).encode()).hexdigest(),
            "labels_sha1": hashlib.sha1("\n".join(labels).encode()).hexdigest(),
            "n_clustered": len(labels),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from analytics.demo.store import build_demo_store
    from analytics.storage import store

    with tempfile.TemporaryDirectory() as folder:
        db = store.open_store(str(Path(folder) / "demo.sqlite"))
        build_demo_store(db, out_dir=Path(folder) / "samples")
        result = fingerprint(db)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
