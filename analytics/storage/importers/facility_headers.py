"""The headers of the facility layers' standard-data files, per kind.

Every kind reads the fields of :data:`FACILITY_SYNONYMS`; a kind whose standard file
names a field its own way puts its synonyms first (:data:`KIND_SYNONYMS`):

``childzone``
    전국어린이보호구역표준데이터: 시설종류, 대상시설명, 소재지도로명주소, 소재지지번주소,
    위도, 경도, 관리기관명, 관할경찰서명, CCTV설치여부, CCTV설치대수, 보호구역도로폭,
    데이터기준일자. A zone is stored as its facility's point, one each (its CCTV
    columns say how the zone is watched, not what it is: they stay unused).
``safehouse``
    여성안심지킴이집: 지킴이집명 (or 점포명, 업소명), 소재지도로명주소, 소재지지번주소,
    위도, 경도, 관할경찰서명, 전화번호, 데이터기준일자. The shop's phone number is
    not stored, as no agency's is.
"""

from __future__ import annotations

from functools import lru_cache

from analytics.storage.importers.headers import header_keys

# field -> the headers that name it, most specific first (compared by their folded key,
# as the event importer's synonyms are).
FACILITY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "lat": ("WGS84위도", "위도", "latitude", "lat", "WGS84 latitude"),
    "lon": ("WGS84경도", "경도", "longitude", "lon", "lng", "WGS84 longitude"),
    "x": ("X좌표", "X", "easting"),
    "y": ("Y좌표", "Y", "northing"),
    "name": ("보안등위치명", "설치위치명", "위치명", "설치장소명", "name", "location name"),
    "place_type": ("설치장소유형", "장소유형", "place type", "location type"),
    "road_address": (
        "소재지도로명주소",
        "도로명주소",
        "도로명",
        "road address",
        "street address",
    ),
    "lot_address": ("소재지지번주소", "지번주소", "지번", "lot address", "jibun address"),
    "count": ("카메라대수", "설치개수", "설치대수", "대수", "개수", "count", "cameras", "lights"),
    "purpose": ("설치목적구분", "설치목적", "목적", "purpose"),
    "installed": ("설치연월", "설치연도", "설치년도", "설치년월", "설치일자", "installed"),
    "reference_date": ("데이터기준일자", "기준일자", "reference date", "data date"),
    "agency": ("관리기관명", "관리기관", "agency", "managing agency"),
    # Read to be recognised, never stored: the agency's (or the shop's) phone number.
    "phone": ("관리기관전화번호", "전화번호", "연락처", "phone", "tel"),
}

# A kind's own names of a field, tried before the common ones.
KIND_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "childzone": {
        "name": ("대상시설명", "시설명", "facility name", "school name"),
        # What the zone protects (초등학교, 유치원, 어린이집 …): the map says it.
        "purpose": ("시설종류", "대상시설종류", "facility type", "school type"),
    },
    "safehouse": {
        "name": (
            "지킴이집명",
            "여성안심지킴이집명",
            "점포명",
            "업소명",
            "상호명",
            "상호",
            "store name",
            "shop name",
            "safe house name",
        ),
        "purpose": ("업종", "업태", "business type", "store type"),
        "phone": ("점포전화번호", "업소전화번호", "store phone"),
    },
}

# A facility id: a short prefix per kind and 16 hex digits of the content's SHA-1.
ID_PREFIX = {
    "cctv": "cct",
    "streetlight": "stl",
    "bell": "bel",
    "childzone": "chz",
    "safehouse": "sfh",
}


def synonym_keys(synonyms: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, int]]:
    """Each synonym's folded key → (its field, its rank among the field's synonyms)."""
    out: dict[str, tuple[str, int]] = {}
    for fld, names in synonyms.items():
        for rank, name in enumerate(names):
            out.setdefault(header_keys(name)[0], (fld, rank))
    return out


def kind_synonyms(kind: str) -> dict[str, tuple[str, ...]]:
    """The synonyms a ``kind``'s file is read by: its own names of a field first."""
    own = KIND_SYNONYMS.get(kind, {})
    return {f: (*own.get(f, ()), *names) for f, names in FACILITY_SYNONYMS.items()}


@lru_cache(maxsize=8)
def kind_keys(kind: str) -> dict[str, tuple[str, int]]:
    """:func:`synonym_keys` of :func:`kind_synonyms` (cached: read-only)."""
    return synonym_keys(kind_synonyms(kind))
