"""Normalised category codes per source, with Korean and English labels and synonyms.

Police and city exports name the same thing many ways (폭행, 폭력, 상해 ...). The
importer maps a raw value to a code by exact synonym first, then by the longest
synonym contained in the value. Unknown values keep their text as ``category_raw``
and get the code ``other``: they are never rejected for that alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class Category:
    code: str
    label_ko: str
    label_en: str
    synonyms: tuple[str, ...]
    severity: str = "low"  # incidents only: high / medium / low


INCIDENT = (
    Category(
        "violence",
        "폭력",
        "Violence",
        ("폭력", "폭행", "상해", "협박", "violence", "assault"),
        "high",
    ),
    Category("theft", "절도", "Theft", ("절도", "도난", "소매치기", "빈집털이", "theft"), "medium"),
    Category(
        "drunk",
        "주취·소란",
        "Drunk disturbance",
        ("주취", "주취자", "주취소란", "행패", "소란", "난동", "drunk"),
        "low",
    ),
    Category(
        "sexual",
        "성범죄",
        "Sexual crime",
        ("성범죄", "성폭력", "강제추행", "성추행", "성폭행", "sexual"),
        "high",
    ),
    Category(
        "hidden_camera",
        "불법촬영",
        "Hidden-camera crime",
        ("불법촬영", "몰카", "몰래카메라", "카메라등이용촬영", "hidden camera"),
        "high",
    ),
    Category(
        "fraud",
        "전화금융사기",
        "Phone-scam fraud",
        ("전화금융사기", "보이스피싱", "사기", "fraud", "voice phishing"),
        "medium",
    ),
    Category(
        "missing",
        "실종(치매노인 등)",
        "Missing person",
        ("실종", "치매노인", "치매", "가출", "missing"),
        "high",
    ),
    Category(
        "traffic",
        "교통사고",
        "Traffic accident",
        ("교통사고", "교통", "추돌", "뺑소니", "traffic"),
        "medium",
    ),
    Category("domestic", "가정폭력", "Domestic violence", ("가정폭력", "domestic"), "high"),
    Category("child_abuse", "아동학대", "Child abuse", ("아동학대", "child abuse"), "high"),
    Category("other", "기타", "Other", ("기타", "other"), "low"),
)

SUGGESTION = (
    Category("dark", "어두운 길", "Dark street", ("어두", "가로등", "조명", "깜깜", "dark"), "low"),
    Category("drunk", "주취·소란", "Drunk disturbance", ("주취", "술", "취객", "drunk"), "low"),
    Category(
        "youth",
        "청소년 비행",
        "Youth gatherings",
        ("청소년", "학생", "비행", "흡연", "youth"),
        "low",
    ),
    Category(
        "stranger",
        "낯선 사람·배회",
        "Strangers loitering",
        ("낯선", "배회", "수상", "따라", "stranger"),
        "low",
    ),
    Category("traffic", "교통 위험", "Traffic danger", ("교통", "과속", "차량", "traffic"), "low"),
    Category("other", "기타", "Other", ("기타", "other"), "low"),
)

COMPLAINT = (
    Category("signal", "신호등", "Traffic signal", ("신호등", "신호", "signal"), "low"),
    Category("crosswalk", "횡단보도", "Crosswalk", ("횡단보도", "crosswalk"), "low"),
    Category(
        "speed_bump", "과속방지턱", "Speed bump", ("과속방지턱", "방지턱", "speed bump"), "low"
    ),
    Category("parking", "불법 주정차", "Illegal parking", ("주정차", "주차", "parking"), "low"),
    Category(
        "streetlight",
        "가로등·보안등",
        "Street light",
        ("가로등", "보안등", "조명", "streetlight"),
        "low",
    ),
    Category("cctv", "CCTV 설치", "CCTV", ("cctv", "방범카메라", "씨씨티비"), "low"),
    Category(
        "road_damage",
        "도로 파손",
        "Road damage",
        ("도로파손", "파손", "포트홀", "도로 파손", "road"),
        "low",
    ),
    Category("noise", "소음", "Noise", ("소음", "noise"), "low"),
    Category("other", "기타", "Other", ("기타", "other"), "low"),
)

BY_SOURCE: dict[str, tuple[Category, ...]] = {
    "incident": INCIDENT,
    "suggestion": SUGGESTION,
    "complaint": COMPLAINT,
}


def _norm(text: str) -> str:
    return re.sub(r"[\s·\-_/()]+", "", str(text)).lower()


def categorise(raw: pd.Series, source: str) -> pd.DataFrame:
    """Map raw category (or free-text) values to codes.

    Parameters
    ----------
    raw : Series of str or None, shape (n,)
    source : {'suggestion', 'complaint', 'incident'}

    Returns
    -------
    DataFrame with ``category``, ``category_label`` (Korean) and ``severity``,
    indexed like ``raw``.
    """
    cats = BY_SOURCE[source]
    # Longest synonym first, so that 가정폭력 wins over 폭력.
    pairs = sorted(
        ((_norm(s), c.code) for c in cats for s in (*c.synonyms, c.label_ko, c.code)),
        key=lambda p: -len(p[0]),
    )
    cache: dict[str, str] = {}

    def lookup(value) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return "other"
        key = _norm(value)
        if key not in cache:
            cache[key] = next((code for syn, code in pairs if syn and syn in key), "other")
        return cache[key]

    # Distinct values are few: look each up once, then spread the answers to the rows
    # in Arrow (no Python string per row).
    codes_idx, uniques = pd.factorize(raw.astype("string"), use_na_sentinel=True)
    unique_codes = [lookup(v) for v in uniques] + ["other"]  # the last: NA rows
    labels = {c.code: c.label_ko for c in cats}
    severities = {c.code: c.severity for c in cats}
    rows = pa.array(np.where(codes_idx < 0, len(uniques), codes_idx))

    def spread(values: list[str]) -> pd.Series:
        taken = pa.array(values, type=pa.string()).take(rows)
        return pd.Series(pd.array(taken, dtype="string"), index=raw.index)

    return pd.DataFrame(
        {
            "category": spread(unique_codes),
            "category_label": spread([labels[c] for c in unique_codes]),
            "severity": spread([severities[c] for c in unique_codes]),
        },
        index=raw.index,
    )


def label_in(label_ko: str, lang: str = "ko") -> str:
    """A Korean category label (as in ``category_label``) in ``lang``; unknown labels unchanged."""
    if lang == "ko":
        return label_ko
    return _ENGLISH.get(label_ko, label_ko)


def label(source: str, code: str, lang: str = "ko") -> str:
    """The label of one category code."""
    for c in BY_SOURCE[source]:
        if c.code == code:
            return c.label_ko if lang == "ko" else c.label_en
    return code


_ENGLISH = {c.label_ko: c.label_en for cats in (INCIDENT, SUGGESTION, COMPLAINT) for c in cats}
