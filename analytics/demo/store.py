"""Build the demo store the way a user would: generate export files, then import them."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from analytics.demo.files import write_demo_exports
from analytics.station.config import REPO_ROOT, StationConfig, default_station
from analytics.storage.boxes import import_box_log
from analytics.storage.importers.core import ImportResult, import_file
from analytics.storage.importers.facilities import import_facilities
from analytics.storage.importers.places import import_places

DEFAULT_SAMPLES_DIR = REPO_ROOT / "data" / "samples"


def build_demo_store(
    db: sa.Engine,
    *,
    seed: int = 2017,
    out_dir: Path = DEFAULT_SAMPLES_DIR,
    station: StationConfig | None = None,
) -> list[ImportResult]:
    """Write the synthetic export files to ``out_dir`` and import them as synthetic batches.

    Returns
    -------
    list of ImportResult
        One per source: incidents, complaints, suggestion cards; then one per facility
        layer: CCTV, street lights, emergency bells, children's protection zones, women's
        safe houses; then the officers' places.
    """
    station = station or default_station()
    files = write_demo_exports(Path(out_dir), seed=seed, station=station)
    import_box_log(files.boxes, db=db, station=station, synthetic=True)
    events = [
        import_file(path, source=source, db=db, station=station, synthetic=True)
        for source, path in (
            ("incident", files.incidents),
            ("complaint", files.complaints),
            ("suggestion", files.suggestions),
        )
    ]
    layers = [
        import_facilities(path, kind=kind, db=db, station=station, synthetic=True)
        for kind, path in (
            ("cctv", files.cctv),
            ("streetlight", files.streetlights),
            ("bell", files.bells),
            ("childzone", files.child_zones),
            ("safehouse", files.safe_houses),
        )
    ]
    # The officers' own places an analyst keeps (synthetic, analysts only).
    places = [import_places(files.places, db=db, actor="demo", station=station, synthetic=True)]
    return events + layers + places
