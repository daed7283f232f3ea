"""What a viewer may see of events: no free text, and sensitive cases only on a grid.

Viewers (the meeting, unit chiefs) see hotspots, counts and maps. Sensitive
categories (``station.toml`` ``[privacy] sensitive_categories``: by default sexual
crime, domestic violence, child abuse and missing persons) never reach a viewer's
browser as exact points: their coordinates are snapped to the centre of a
``geomask_m`` grid cell (100 m by default). Free text (descriptions, place names as
typed) is removed for every event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.geo import StationGeography

DEFAULT_SENSITIVE = ("sexual", "hidden_camera", "domestic", "child_abuse", "missing")
FREE_TEXT_COLUMNS = (
    "description",
    "location_text",
    "category_raw",
    "source_record_id",
    "geocode_match",
)


def snap(values: np.ndarray, cell_m: float) -> np.ndarray:
    """Metres → the centre of their ``cell_m`` grid cell."""
    return np.floor(values / cell_m) * cell_m + cell_m / 2.0


def viewer_events(
    events: pd.DataFrame,
    *,
    geo: StationGeography,
    sensitive: tuple[str, ...] | None = None,
    cell_m: float | None = None,
) -> pd.DataFrame:
    """The event frame as a viewer may see it.

    Parameters
    ----------
    events : event frame
    geo : StationGeography (for the projection back to degrees)
    sensitive : category codes to geomask; default from the station config
    cell_m : grid cell side in metres; default from the station config (100)

    Returns
    -------
    A copy: free-text columns emptied for every row; rows of sensitive categories
    with x/y snapped to cell centres and lat/lon recomputed from them.
    """
    st = geo.station
    sensitive = tuple(sensitive or getattr(st, "sensitive_categories", DEFAULT_SENSITIVE))
    cell_m = float(cell_m or getattr(st, "geomask_m", 100.0))
    if cell_m <= 0:
        raise ValueError(f"cell_m must be > 0 metres, got {cell_m}")
    out = events.copy()
    for col in FREE_TEXT_COLUMNS:
        if col in out.columns:
            out[col] = pd.Series(pd.NA, index=out.index, dtype="string")
    hide = out["category"].isin(sensitive).to_numpy(dtype=bool)
    if hide.any():
        x = snap(out.loc[hide, "x"].to_numpy(dtype=float), cell_m)
        y = snap(out.loc[hide, "y"].to_numpy(dtype=float), cell_m)
        lon, lat = geo.to_geographic(x, y)
        out.loc[hide, "x"], out.loc[hide, "y"] = x, y
        out.loc[hide, "lon"], out.loc[hide, "lat"] = lon, lat
    return out
