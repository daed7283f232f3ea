"""Import templates: the columns each source's importer understands, with one example row."""

from __future__ import annotations

import csv
import io

from analytics.storage.schema import SOURCES

TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "incident": [
        ("접수번호", "2017-0001234"),
        ("접수일시", "2017-10-10 21:35"),
        ("사건종별", "폭행"),
        ("긴급도", "C2"),
        ("발생장소", "남원시 죽항동 공설시장 앞"),
        ("X좌표", "989485.78"),
        ("Y좌표", "1712481.38"),
        ("비고", "주취자 시비"),
    ],
    "complaint": [
        ("민원번호", "민원-2017-0001"),
        ("접수일", "2017-10-10"),
        ("민원유형", "신호등"),
        ("처리상태", "처리중"),
        ("협조기관", "남원시청 교통행정과"),
        ("처리완료일", ""),
        ("장소", "용남시장 앞"),
        ("위도", ""),
        ("경도", ""),
        ("요청내용", "보행자 신호가 너무 짧습니다"),
    ],
    "suggestion": [
        ("카드번호", "BOX-01-001"),
        ("소리함", "BOX-01"),
        ("작성일", "2017.8.14"),
        ("장소", "공설시장 뒤 골목"),
        ("희망시간", "22-02시"),
        ("내용", "밤에 어두워서 무서워요"),
    ],
}


def template_csv(source: str) -> bytes:
    """A UTF-8 (with BOM, so Excel reads Korean) CSV with the headers and one example row."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {SOURCES}")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([h for h, _ in TEMPLATES[source]])
    writer.writerow([v for _, v in TEMPLATES[source]])
    return buf.getvalue().encode("utf-8-sig")
