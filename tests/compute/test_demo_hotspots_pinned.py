"""The demo year's hotspots are pinned: a faster data path must find the same ones.

``data/demo_hotspots.json`` was written by ``tools/pin_demo_hotspots.py`` at 866e271,
before the store kept integer ids and times and column blocks (issue 14). The same
hotspot ids, ranks, sizes, polygons and event labels must come out of today's store.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.storage import store
from tools.pin_demo_hotspots import QUERIES, fingerprint

PINNED = json.loads((Path(__file__).parent / "data" / "demo_hotspots.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def demo_fingerprint(demo_db):
    """The fingerprint of the demo store built by this run."""
    return fingerprint(store.open_store(str(demo_db)))


@pytest.mark.parametrize("name", [q["name"] for q in QUERIES])
def test_the_demo_year_has_the_pinned_hotspots(demo_fingerprint, name):
    got, pinned = demo_fingerprint[name], PINNED[name]
    assert got["hotspots"] == pinned["hotspots"]  # id, rank, size of each
    assert got["n_clustered"] == pinned["n_clustered"]
    assert got["labels_sha1"] == pinned["labels_sha1"]  # which event is in which hotspot
    assert got["polygons_sha1"] == pinned["polygons_sha1"]


def test_the_pin_is_not_trivial():
    sizes = [len(PINNED[q["name"]]["hotspots"]) for q in QUERIES]
    assert all(n >= 5 for n in sizes), sizes
