"""How many of the officers' own places (빈집, 무인점포, 공사장 …,
:func:`analytics.storage.places.read_places`) stand inside each hotspot or within 50 m
of it, by category: part of a hotspot's profile for analysts.

A pure function over frames in metres (the analysis CRS). Officers' places are
analysts' data: a viewer's frame is empty
(:meth:`analytics.access.privacy.PrivacyRule.officer_places`), and so are its counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.compute.facilities import WITHIN_M, near_counts, polygons_and_points
from analytics.storage.places import PLACE_CATEGORIES


def count_columns(within_m: float = WITHIN_M) -> tuple[str, ...]:
    """The columns of :func:`place_counts`: ``places_<category>_within_50m`` per category."""
    return tuple(f"places_{c}_within_{within_m:g}m" for c in PLACE_CATEGORIES)


def place_counts(hotspots, places, *, within_m: float = WITHIN_M) -> pd.DataFrame:
    """Per hotspot, how many officers' places of each category stand inside it or
    within ``within_m`` metres of its edge.

    Parameters
    ----------
    hotspots : GeoDataFrame
        Polygons in metres, one row per hotspot.
    places : GeoDataFrame
        Points in the same CRS with a ``category`` column.

    Returns
    -------
    DataFrame
        Indexed like ``hotspots``, int columns :func:`count_columns`.

    Raises
    ------
    ValueError
        The frames are in different CRSs, or ``within_m`` is negative.
    """
    polygons, by_category = polygons_and_points(
        hotspots, places, "category", PLACE_CATEGORIES, within_m=within_m, name="places"
    )
    n = len(polygons)
    data = {}
    for col, cat in zip(count_columns(within_m), PLACE_CATEGORIES, strict=True):
        mine = by_category[cat]
        data[col] = near_counts(polygons, mine, within_m) if len(mine) else np.zeros(n, np.int64)
    return pd.DataFrame(data, index=hotspots.index)


def with_place_counts(hotspots, places, *, within_m: float = WITHIN_M):
    """``hotspots`` with the columns of :func:`place_counts` added (replaced if there);
    the geometry is unchanged. For analysts' files only: a viewer's never carries them."""
    table = place_counts(hotspots, places, within_m=within_m)
    out = hotspots.drop(columns=[c for c in table.columns if c in hotspots.columns])
    return out.join(table)


def counts_of(row, within_m: float = WITHIN_M) -> dict[str, int]:
    """``{category: count}`` of one hotspot's row of :func:`place_counts`, the
    categories with none left out."""
    out = {}
    for col, cat in zip(count_columns(within_m), PLACE_CATEGORIES, strict=True):
        n = int(row[col]) if col in row else 0
        if n:
            out[cat] = n
    return out
