"""Column headers of real exports → canonical field names.

Police and city exports name the same column many ways, in Korean and in English. A
header is matched in three steps:

1. Its *keys*: the header folded (NFKC, lower case; spaces, underscores, dashes, dots,
   colons, ``#`` and quotes dropped), first with the text in brackets kept
   (``X(경도)`` → ``x경도``), then without it (``경도(X)`` → ``경도``), then the text in
   brackets alone. The first key that names a field decides the column's field (only
   the whole header, when it names a person: see step 3).
2. :data:`SYNONYMS`: the names exports use, per field, most specific first: when two
   columns name one field, the one whose synonym comes first wins (발생일시 beats
   접수일시).
3. :data:`PATTERNS`, only for a header no synonym names: word endings such as
   ``…일자``/``…날짜`` (a date), ``…주소``/``…장소`` (a place), ``…유형`` (a category),
   ``… date``, ``… address``. A synonym always beats a pattern. Headers that name a
   person or a contact (신고자 주소, 전화번호, 생년월일, e-mail, caller …) are never
   matched by a pattern: a reporter's address is not where the incident happened, and a
   phone number is no record id. Nor are the file's own bookkeeping (수정일시, printed
   at …): when a row was edited is not when anything happened.

A team can override or extend all of this with a mapping (``{column: field}``): the
CLI's ``--mapping`` file (CSV ``column,field`` or TOML ``[columns]``), or a template
saved on the data page (:mod:`analytics.storage.mappings`).
"""

from __future__ import annotations

import csv
import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

from analytics.storage.importers.errors import ImportFileError

# field -> synonyms, compared by their first key (see the module's docstring).
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
        "case no",
        "case number",
        "case id",
        "incident number",
        "incident id",
        "report number",
        "report id",
        "number",
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
        "occurred",
        "datetime",
        "date",
        "reported_at",
        "reported",
        "received_at",
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
        "notes",
        "memo",
        "text",
        "details",
        "summary",
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
        "department",
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

# (field, pattern over a key), tried in this order for a header no synonym names.
# resolved_at comes before occurred_at: 처리완료일자 is when it was resolved.
PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (f, re.compile(p))
    for f, p in (
        ("resolved_at", r"(처리|조치|답변|종결)?완료(일시|일자|일|날짜|시각)?$"),
        ("resolved_at", r"^(처리|조치|답변|종결)(일시|일자|일|날짜)$"),
        ("resolved_at", r"^(resolved|closed|completed|finished)(at|on|date|datetime|time)?$"),
        ("resolved_at", r"^(date|time)(resolved|closed|completed)$"),
        ("resolved_at", r"^(resolution|closing|completion|close)(date|datetime|time)$"),
        ("occurred_at", r"(일시|일자|날짜|년월일|연월일)$"),
        ("occurred_at", r"^(발생|접수|신고|작성|등록|입력|요청|민원|사건)일$"),
        ("occurred_at", r"(date|datetime|timestamp)$|^date"),
        (
            "occurred_at",
            r"(reported|occurred|received|created|logged|opened|submitted|filed)(at|on)$",
        ),
        ("time", r"^(발생|접수|신고|사건)?시각$"),
        ("time", r"^(incident|report|call|occurrence|occurred|reported)?time$"),
        ("lat", r"위도|latitude|^(gps|wgs84)?lat$"),
        ("lon", r"경도|longitude|^(gps|wgs84)?(lon|lng|long)$"),
        ("x", r"x좌표|좌표x|^x(coord|coordinate)$|easting|^(tm|utmk|utm|grs80)x$"),
        ("y", r"y좌표|좌표y|^y(coord|coordinate)$|northing|^(tm|utmk|utm|grs80)y$"),
        ("location_text", r"(주소|장소|위치|소재지|발생지|지번|도로명)$"),
        ("location_text", r"(address|location|place|site|street)$"),
        ("category", r"(유형|종별|종류|분류|구분|죄종|죄명|사건명)$"),
        ("category", r"(category|type|offen[cs]e|crime|class|kind)$"),
        ("description", r"(내용|개요|비고|메모|요지|특이사항)$"),
        ("description", r"(description|details?|summary|notes?|remarks?|comments?|narrative)$"),
        ("status", r"^(처리|진행)?상태$|^(case)?status$"),
        ("agency", r"(기관|부서)$|^(agency|department|dept|partner)$"),
        ("priority", r"긴급도|우선순위|^(긴급|대응|출동|112)?(코드|등급)$|^(priority|urgency)$"),
        ("record_id", r"(접수|사건|민원|카드|신고|관리|일련|문서)번호$"),
        ("record_id", r"^(case|incident|report|record|ticket|complaint|card)?(no|number|id|num)$"),
        ("time_slot", r"희망.*시간|시간대$|^timeslot$|^slot$"),
        ("box_id", r"소리함|^box"),
    )
)
# Headers never matched by a pattern: a person or a contact, and the file's own
# bookkeeping (when a row was changed or printed is not when anything happened).
_NOT_BY_PATTERN = re.compile(
    r"전화|연락|휴대|핸드폰|이메일|메일|주민|성명|^이름$|^생년|^생일|^출생|^나이$|신고자|민원인|"
    r"작성자|피해자|피의자|가해자|상대방|phone|^tel|tel$|mobile|mail|^name$|"
    r"(first|last|full|user)name|birth|dob$|^age$|reporter|caller|complainant|victim|suspect|"
    r"offender|수정|변경|출력|인쇄|다운로드|updated|modified|changed|printed|exported|downloaded"
)

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
# What an import needs: a date, and a place (a point, or text the gazetteer knows).
REQUIRED_FIELDS = ("occurred_at",)
LOCATION_FIELDS = ("lat", "lon", "x", "y", "location_text")

_DROPPED = r"[\s_\-·:./#'\"`]+"
_BRACKETED = r"\(([^)]*)\)|\[([^\]]*)\]|\{([^}]*)\}|<([^>]*)>"


def _fold(name) -> str:
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = re.sub(r"\.\d+$", "", text)  # pandas-style duplicate suffix
    return text.replace("#", "no")  # "Case #" is "Case No."


def _squash(text: str) -> str:
    return re.sub(_DROPPED, "", text)


@lru_cache(maxsize=4096)
def header_keys(name) -> tuple[str, ...]:
    """A header's keys, in the order they are tried (see the module's docstring)."""
    text = _fold(name)
    full = _squash(re.sub(r"[()\[\]{}<>]", "", text))
    outer = _squash(re.sub(_BRACKETED, "", text))
    inner = [_squash("".join(g)) for g in re.findall(_BRACKETED, text)]
    keys: list[str] = []
    for k in (full, outer, *inner):
        if k and k not in keys:
            keys.append(k)
    return tuple(keys)


def _norm(name) -> str:
    """A synonym's key (the header's first key)."""
    keys = header_keys(name)
    return keys[0] if keys else ""


def fields_for(source: str) -> tuple[str, ...]:
    return COMMON_FIELDS + FIELDS_BY_SOURCE.get(source, ())


def synonyms_for(source: str) -> dict[str, tuple[str, ...]]:
    """The synonyms of the fields ``source`` uses. Suggestion cards call their slot
    column "시간"; elsewhere it is a clock time."""
    out = {f: SYNONYMS[f] for f in fields_for(source)}
    if source == "suggestion":
        out["time_slot"] = (*out["time_slot"], "시간")
    return out


@lru_cache(maxsize=8)
def _synonym_ranks(source: str) -> dict[str, tuple[str, int]]:
    """``{synonym key: (field, rank)}`` for the fields ``source`` uses; a key two
    fields share goes to the earlier field."""
    out: dict[str, tuple[str, int]] = {}
    for f, syns in synonyms_for(source).items():
        for rank, syn in enumerate(syns):
            out.setdefault(_norm(syn), (f, rank))
    return out


@lru_cache(maxsize=4096)
def resolve_header(name, source: str) -> tuple[str, int, int] | None:
    """The field a header names for ``source``: ``(field, tier, rank)`` (tier 0 a
    synonym, 1 a pattern; lower ranks win), or None."""
    keys = header_keys(name)
    if not keys:
        return None
    ranks = _synonym_ranks(source)
    if keys[0] in ranks:  # the header as written
        return ranks[keys[0]][0], 0, ranks[keys[0]][1]
    # 주소(신고자) is the reporter's address: a part of it names no field either.
    if any(_NOT_BY_PATTERN.search(k) for k in keys):
        return None
    for k in keys[1:]:
        if k in ranks:
            return ranks[k][0], 0, ranks[k][1]
    wanted = set(fields_for(source))
    for rank, (f, pattern) in enumerate(PATTERNS):
        if f in wanted and any(pattern.search(k) for k in keys):
            return f, 1, rank
    return None


def header_score(cells, source: str) -> int:
    """How many distinct fields a row of cells names (to find the header row)."""
    found = {resolve_header(str(c), source) for c in cells if str(c).strip()}
    return len({r[0] for r in found if r is not None})


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
    best: dict[str, tuple[int, int, int, str]] = {}
    for position, col in enumerate(columns):
        if col in taken or col in ignored:
            continue
        found = resolve_header(str(col), source)
        if found is None or found[0] in mapping:
            continue
        field, tier, rank = found
        if field in wanted and (field not in best or (tier, rank, position) < best[field][:3]):
            best[field] = (tier, rank, position, col)
    for field in wanted:
        if field in best:
            mapping[field] = best[field][3]
            taken.add(best[field][3])
    unused = [c for c in columns if c not in taken]
    # In the fields' order, whoever named them (the preview lists them so).
    order = {f: i for i, f in enumerate(wanted)}
    mapping = dict(sorted(mapping.items(), key=lambda kv: order.get(kv[0], len(order))))
    return mapping, unused
