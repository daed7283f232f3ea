"""Place names → points, for rows that give a place but no coordinates.

Hand-written cards say "공설시장 뒤 골목", not "남원공설시장". A name matches when a
landmark's name or alias (with the city prefix dropped) is contained in the text;
the longest such key wins. Failing that, a close spelling (difflib) matches with a
lower score, and a text that names only a township falls back to the township's
representative point with a low score, so that analysis can leave it out.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.station.geo import StationGeography

# Words that say where relative to a place; they do not name the place.
RELATIVE_WORDS = (
    "뒤편",
    "뒤쪽",
    "뒤",
    "앞쪽",
    "앞",
    "옆",
    "근처",
    "부근",
    "인근",
    "주변",
    "건너편",
    "맞은편",
    "골목길",
    "골목",
    "입구",
    "쪽",
    "일대",
    "사거리",
    "삼거리",
    "주차장",
    "길",
)
SCORE_CONTAINED = 1.0
SCORE_FUZZY = 0.7
SCORE_TOWNSHIP = 0.3


def normalise_place(text: str) -> str:
    """Lower-case, drop spaces, punctuation and relative words."""
    t = re.sub(r"[\s\-_.,·()\[\]\"'~/]+", "", str(text)).lower()
    return t


@dataclass(frozen=True)
class PlaceMatch:
    x: float
    y: float
    name: str
    score: float


class Gazetteer:
    """Match place names against a station's landmarks and townships."""

    def __init__(self, geo: StationGeography):
        city = geo.station.city.removesuffix("시")
        keys: dict[str, PlaceMatch] = {}
        for r in geo.landmarks.itertuples():
            names = [r.name, *[a for a in str(r.aliases or "").split(";") if a.strip()]]
            for name in names:
                for variant in {name, name.removeprefix(city) if city else name}:
                    k = normalise_place(variant)
                    if len(k) >= 2 and k not in keys:
                        keys[k] = PlaceMatch(float(r.x), float(r.y), r.name, SCORE_CONTAINED)
        self._keys = dict(sorted(keys.items(), key=lambda kv: -len(kv[0])))
        towns = {}
        reps = geo.townships.geometry.representative_point()
        for name, pt in zip(geo.townships["emd"], reps, strict=True):
            label = f"{name} (읍면동 대표점)"
            for variant in {name, name[:-1]}:  # 운봉읍 and 운봉
                if len(variant) >= 2:
                    towns[normalise_place(variant)] = PlaceMatch(pt.x, pt.y, label, SCORE_TOWNSHIP)
        self._towns = dict(sorted(towns.items(), key=lambda kv: -len(kv[0])))
        self._relative = re.compile("|".join(map(re.escape, RELATIVE_WORDS)))
        # "향교동 123-4" is an address in 향교동, not the landmark 남원향교: township
        # names are hidden from keys that do not themselves contain one.
        town_names = sorted(
            (normalise_place(n) for n in geo.townships["emd"]), key=len, reverse=True
        )
        self._town_re = re.compile("|".join(map(re.escape, town_names)))
        self._key_has_town = {k: bool(self._town_re.search(k)) for k in self._keys}

    def match_one(self, text) -> PlaceMatch | None:
        if text is None or (isinstance(text, float) and np.isnan(text)):
            return None
        t = normalise_place(text)
        if not t:
            return None
        masked = self._town_re.sub("#", t)
        for k, m in self._keys.items():
            if k in (t if self._key_has_town[k] else masked):
                return m
        core = self._relative.sub("", masked).replace("#", "")
        if len(core) >= 2:
            close = difflib.get_close_matches(core, list(self._keys), n=1, cutoff=0.75)
            if close:
                m = self._keys[close[0]]
                return PlaceMatch(m.x, m.y, m.name, SCORE_FUZZY)
        for k, m in self._towns.items():
            if k in t:
                return m
        return None

    def match(self, texts: pd.Series) -> pd.DataFrame:
        """Match a column of place names.

        Returns
        -------
        DataFrame indexed like ``texts`` with ``x``, ``y`` (metres, NaN when no match),
        ``match`` (the landmark or township matched) and ``score`` (0–1).
        """
        uniq = {v: self.match_one(v) for v in pd.unique(texts.astype(object))}
        rows = [uniq[v] for v in texts.astype(object)]
        return pd.DataFrame(
            {
                "x": [m.x if m else np.nan for m in rows],
                "y": [m.y if m else np.nan for m in rows],
                "match": [m.name if m else None for m in rows],
                "score": [m.score if m else np.nan for m in rows],
            },
            index=texts.index,
        )
