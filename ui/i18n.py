"""The ko/en catalogue. Every sentence a page shows comes from here.

Analytics' own messages (rejection reasons, import errors) are part of it, so the
CLI and the dashboard say the same thing.
"""

from __future__ import annotations

from analytics.messages import MESSAGES

LANGS = ("ko", "en")

UI_TEXT: dict[str, dict[str, str]] = {
    "app.title": {"ko": "{station} 핫스팟 대시보드", "en": "{station} hotspot dashboard"},
    "nav.overview": {"ko": "현황", "en": "Overview"},
    "frame.synthetic": {
        "ko": "⚠ 합성(가상) 데모 데이터입니다. 실제 신고·사건이 아닙니다.",
        "en": "⚠ Synthetic demo data. These are not real reports or cases.",
    },
    "frame.language": {"ko": "언어", "en": "Language"},
    "frame.attribution": {"ko": "{attribution}", "en": "{attribution}"},
    "overview.heading": {"ko": "저장소 현황", "en": "What the store holds"},
    "overview.empty": {
        "ko": "저장소가 비어 있습니다. `make run` 또는 `python -m analytics demo` 로 데모 데이터를 만들거나, 내보낸 파일을 가져오세요.",
        "en": "The store is empty. Run `make run` or `python -m analytics demo`, or import an export.",
    },
    "overview.total": {"ko": "전체", "en": "Total"},
    "overview.period": {"ko": "기간: {start} ~ {end}", "en": "Period: {start} to {end}"},
    "overview.outside": {
        "ko": "관할 밖 좌표 {n}건은 보관하되 분석에서 기본 제외합니다.",
        "en": "{n} points outside the station are kept but not analysed by default.",
    },
    "overview.batches": {"ko": "가져오기 기록", "en": "Import history"},
    "overview.rejected": {"ko": "거부된 행", "en": "Rejected rows"},
    "source.suggestion": {"ko": "소리함 카드", "en": "Suggestion cards"},
    "source.complaint": {"ko": "민원", "en": "Complaints"},
    "source.incident": {"ko": "사건·112", "en": "Incidents & 112 calls"},
    "col.imported_at": {"ko": "가져온 시각", "en": "Imported at"},
    "col.source": {"ko": "종류", "en": "Source"},
    "col.file_name": {"ko": "파일", "en": "File"},
    "col.rows_imported": {"ko": "가져옴", "en": "Imported"},
    "col.rows_duplicate": {"ko": "중복", "en": "Duplicates"},
    "col.rows_rejected": {"ko": "거부", "en": "Rejected"},
    "col.status": {"ko": "상태", "en": "Status"},
    "col.synthetic": {"ko": "합성", "en": "Synthetic"},
}

CATALOGUE: dict[str, dict[str, str]] = {**MESSAGES, **UI_TEXT}


def text(key: str, lang: str = "ko", /, **params) -> str:
    """The catalogue entry ``key`` in ``lang``.

    Raises ``KeyError`` for a missing key, so a test that renders every page finds it.
    """
    entry = CATALOGUE[key]
    if lang not in entry:
        raise KeyError(f"{key} has no '{lang}' text")
    return entry[lang].format(**params)


def number(n: int | float) -> str:
    """Korean-style thousands separators: 12,345."""
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"
