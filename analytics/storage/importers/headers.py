"""Column headers of real exports → canonical field names.

Police and city exports name the same column many ways. The table below lists
synonyms per field, most specific first: when two columns match one field, the one
whose synonym comes first wins (발생일시 beats 접수일시). A team can override or
extend the table with a mapping file (CSV ``column,field`` or TOML ``[columns]``).
"""

from __future__ import annotations

import csv
import re
import tomllib
from functools import lru_cache
from pathlib import Path

from analytics.storage.importers.errors import ImportFileError

# field -> synonyms, normalised by _norm (lower case, no spaces or brackets).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "record_id": (
        "접수번호",
        "사건번호",
        "민원번호",
        "카드번호",
        "신고번호",
        "관리번호",
        "일련번호",
        "record_id",
        "id",
        "no",
    ),
    "occurred_at": (
        "발생일시",
        "접수일시",
        "신고일시",
        "작성일시",
        "일시",
        "발생일자",
        "발생일",
        "접수일자",
        "접수일",
        "신고일",
        "작성일자",
        "작성일",
        "일자",
        "날짜",
        "occurred_at",
        "datetime",
        "date",
        "reported_at",
        "timestamp",
    ),
    "time": ("발생시각", "접수시각", "신고시각", "시각", "발생시간", "접수시간", "time"),
    "lat": ("위도", "lat", "latitude", "y(위도)", "wgs84위도"),
    "lon": ("경도", "lon", "lng", "long", "longitude", "x(경도)", "wgs84경도"),
    "x": ("x좌표", "좌표x", "x", "tm_x", "utmk_x", "x_coord", "easting", "경위도x"),
    "y": ("y좌표", "좌표y", "y", "tm_y", "utmk_y", "y_coord", "northing", "경위도y"),
    "location_text": (
        "발생장소",
        "장소",
        "발생지",
        "주소",
        "위치",
        "소재지",
        "도로명주소",
        "지번주소",
        "발생주소",
        "신고장소",
        "place",
        "address",
        "location",
    ),
    "category": (
        "사건종별",
        "죄종",
        "사건유형",
        "민원유형",
        "유형",
        "종별",
        "분류",
        "구분",
        "category",
        "type",
    ),
    "description": (
        "내용",
        "요청내용",
        "민원내용",
        "사건개요",
        "신고내용",
        "비고",
        "메모",
        "description",
        "note",
        "memo",
        "text",
    ),
    "status": ("처리상태", "진행상태", "처리현황", "상태", "status"),
    "agency": (
        "협조기관",
        "관계기관",
        "담당기관",
        "처리기관",
        "협업기관",
        "소관부서",
        "담당부서",
        "agency",
        "partner",
    ),
    "resolved_at": (
        "처리완료일",
        "처리완료일시",
        "완료일",
        "완료일시",
        "처리일",
        "처리일시",
        "resolved_at",
        "resolved",
    ),
    "time_slot": (
        "희망시간",
        "순찰희망시간",
        "희망시간대",
        "요청시간",
        "시간대",
        "time_slot",
        "slot",
    ),
    "box_id": ("소리함", "소리함번호", "함번호", "box", "box_id"),
    "priority": ("긴급도", "대응코드", "112코드", "코드", "우선순위", "priority", "code"),
}

# Which fields a source can use; the rest are reported as unused.
FIELDS_BY_SOURCE: dict[str, tuple[str, ...]] = {
    "incident": ("priority",),
    "complaint": ("status", "agency", "resolved_at"),
    "suggestion": ("time_slot", "box_id"),
}
COMMON_FIELDS = (
    "record_id",
    "occurred_at",
    "time",
    "lat",
    "lon",
    "x",
    "y",
    "location_text",
    "category",
    "description",
)


def _norm(name) -> str:
    text = str(name).strip().lower()
    text = re.sub(r"\.\d+$", "", text)  # pandas-style duplicate suffix
    return re.sub(r"[\s_\-·:]+|\(.*?\)|\[.*?\]", "", text) or text


def fields_for(source: str) -> tuple[str, ...]:
    return COMMON_FIELDS + FIELDS_BY_SOURCE.get(source, ())


@lru_cache(maxsize=8)
def _normalised_synonyms(source: str) -> dict[str, str]:
    """``{normalised synonym: field}`` for the fields a source uses."""
    out: dict[str, str] = {}
    for f in fields_for(source):
        for syn in SYNONYMS[f]:
            out.setdefault(_norm(syn), f)
    return out


def header_score(cells, source: str) -> int:
    """How many distinct fields a row of cells names (to find the header row)."""
    known = _normalised_synonyms(source)
    return len({known[k] for k in map(_norm, cells) if k in known})


def read_mapping_file(path: str | Path) -> dict[str, str]:
    """Read a user mapping file → ``{column header: field}``.

    CSV with two columns (``column,field``) or TOML with a ``[columns]`` table.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".toml":
            with path.open("rb") as f:
                mapping = dict(tomllib.load(f).get("columns", {}))
        else:
            with path.open(encoding="utf-8-sig", newline="") as f:
                rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
            if rows and [c.strip().lower() for c in rows[0][:2]] == ["column", "field"]:
                rows = rows[1:]
            mapping = {r[0].strip(): r[1].strip() for r in rows if len(r) >= 2}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImportFileError("error.bad_mapping", detail=str(exc)) from exc
    bad = {v for v in mapping.values() if v not in SYNONYMS and v != "ignore"}
    if bad:
        raise ImportFileError(
            "error.bad_mapping", detail=f"알 수 없는 필드 {sorted(bad)}; 가능: {sorted(SYNONYMS)}"
        )
    return mapping


def map_headers(
    columns, *, source: str, overrides: dict[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Match column headers to fields.

    Parameters
    ----------
    columns : sequence of str
    source : {'suggestion', 'complaint', 'incident'}
    overrides : dict, optional
        ``{column header: field or 'ignore'}`` from a mapping file; wins over the table.

    Returns
    -------
    mapping : dict
        ``{field: column header}``.
    unused : list of str
        Columns that no field took, in file order.
    """
    overrides = overrides or {}
    wanted = fields_for(source)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for col, field in overrides.items():
        if col in columns and field != "ignore":
            mapping[field] = col
            taken.add(col)
    ignored = {c for c, f in overrides.items() if f == "ignore"}
    normed = {c: _norm(c) for c in columns if c not in taken and c not in ignored}
    # Suggestion cards call their slot column "시간"; elsewhere it is a clock time.
    synonyms = dict(SYNONYMS)
    if source == "suggestion":
        synonyms["time_slot"] = (*SYNONYMS["time_slot"], "시간")
    for field in wanted:
        if field in mapping:
            continue
        for syn in synonyms[field]:
            hit = next((c for c, n in normed.items() if n == _norm(syn) and c not in taken), None)
            if hit is not None:
                mapping[field] = hit
                taken.add(hit)
                break
    unused = [c for c in columns if c not in taken]
    return mapping, unused
