"""Column headers as exports write them, in Korean and English → the fields they name."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.storage import store
from analytics.storage.importers.core import import_file, prepare_file
from analytics.storage.importers.headers import header_keys, map_headers, resolve_header
from tests.conftest import MARKET, NOW, write_csv
from tests.storage.test_import_files import utmk

# (header, field) that every source reads alike.
COMMON = [
    # Korean, as exports and clerks write them
    ("접수일시", "occurred_at"),
    ("신고 접수 일자", "occurred_at"),
    ("작성 날짜", "occurred_at"),
    ("발생 년월일", "occurred_at"),
    ("등록일", "occurred_at"),
    ("발생 시각", "time"),
    ("발생지 주소", "location_text"),
    ("사건 발생 위치", "location_text"),
    ("도로명 주소", "location_text"),
    ("경도(X)", "lon"),
    ("위도(Y)", "lat"),
    ("X(경도)", "lon"),
    ("Y (위도)", "lat"),
    ("경도 [WGS84]", "lon"),
    ("X좌표", "x"),
    ("좌표(X)", "x"),
    ("X", "x"),
    ("Y", "y"),
    ("ｘ좌표", "x"),  # full-width
    ("사건 종별", "category"),
    ("범죄 유형", "category"),
    ("신고 내용", "description"),
    ("특이사항", "description"),
    ("사건 관리번호", "record_id"),
    ("문서번호", "record_id"),
    # English
    ("Date", "occurred_at"),
    ("DATE", "occurred_at"),
    ("Reported at", "occurred_at"),
    ("Reported_On", "occurred_at"),
    ("Incident date", "occurred_at"),
    ("Date/Time", "occurred_at"),
    ("Date of incident", "occurred_at"),
    ("Created at", "occurred_at"),
    ("Time", "time"),
    ("Address", "location_text"),
    ("Street address", "location_text"),
    ("Location", "location_text"),
    ("Latitude", "lat"),
    ("Longitude", "lon"),
    ("Lat", "lat"),
    ("Lng", "lon"),
    ("X coordinate", "x"),
    ("Y_coord", "y"),
    ("Easting", "x"),
    ("Category", "category"),
    ("Type", "category"),
    ("Offense type", "category"),
    ("Crime", "category"),
    ("Case No.", "record_id"),
    ("Case #", "record_id"),
    ("Incident ID", "record_id"),
    ("Report number", "record_id"),
    ("Description", "description"),
    ("Notes", "description"),
    ("Remarks", "description"),
]
BY_SOURCE = {
    "incident": [
        ("긴급 코드", "priority"),
        ("대응등급", "priority"),
        ("Priority", "priority"),
        ("Urgency", "priority"),
    ],
    "complaint": [
        ("처리 상태", "status"),
        ("Status", "status"),
        ("처리완료 일자", "resolved_at"),
        ("조치 일시", "resolved_at"),
        ("Resolved at", "resolved_at"),
        ("Closed on", "resolved_at"),
        ("Date closed", "resolved_at"),
        ("담당 부서", "agency"),
        ("협조 기관", "agency"),
        ("Department", "agency"),
    ],
    "suggestion": [
        ("시간", "time_slot"),
        ("희망 순찰 시간", "time_slot"),
        ("Time slot", "time_slot"),
        ("소리함 이름", "box_id"),
        ("Box", "box_id"),
    ],
}
TABLE = [
    (source, header, field)
    for source in ("incident", "complaint", "suggestion")
    for header, field in COMMON + BY_SOURCE[source]
]


@pytest.mark.parametrize(
    ("source", "header", "field"), TABLE, ids=[f"{s}:{h}" for s, h, _ in TABLE]
)
def test_header_names_its_field(source, header, field):
    found = resolve_header(header, source)
    assert found is not None and found[0] == field, (header, found)
    # Alone in a file, the header is mapped to its field and nothing is unused.
    mapping, unused = map_headers([header], source=source)
    assert mapping == {field: header} and unused == []


# A field of another source is not taken, and headers about people never match a pattern.
NOT_MAPPED = [
    ("incident", "처리 상태"),
    ("incident", "Resolved at"),
    ("complaint", "긴급 코드"),
    ("suggestion", "Priority"),
    ("incident", "신고자 주소"),
    ("incident", "신고자 전화번호"),
    ("incident", "연락처"),
    ("incident", "생년월일"),
    ("incident", "Caller address"),
    ("incident", "Phone number"),
    ("incident", "E-mail address"),
    ("incident", "Date of birth"),
    ("incident", "Name"),
    ("incident", "수정 일시 (시스템)"),
    ("incident", "Updated at"),
    ("incident", "주소(신고자)"),
    ("incident", "Address (caller)"),
    ("incident", "출력일자"),
    ("incident", "담당 경찰관"),
    ("incident", "Officer"),
]


@pytest.mark.parametrize(("source", "header"), NOT_MAPPED, ids=[f"{s}:{h}" for s, h in NOT_MAPPED])
def test_header_is_left_unused(source, header):
    assert resolve_header(header, source) is None
    assert map_headers([header], source=source) == ({}, [header])


def test_synonym_beats_pattern_and_earlier_synonym_beats_later():
    cols = ["작성 날짜", "신고 접수 일자", "접수일시", "발생일시", "발생지 주소", "발생장소"]
    mapping, unused = map_headers(cols, source="incident")
    assert mapping["occurred_at"] == "발생일시"  # the first synonym
    assert mapping["location_text"] == "발생장소"  # a synonym, not the pattern
    assert unused == ["작성 날짜", "신고 접수 일자", "접수일시", "발생지 주소"]


def test_of_two_pattern_matches_the_first_column_wins():
    mapping, unused = map_headers(["신고 접수 일자", "작성 날짜"], source="incident")
    assert mapping == {"occurred_at": "신고 접수 일자"} and unused == ["작성 날짜"]


def test_bare_x_and_y_are_projected_not_degrees():
    mapping, _ = map_headers(["일시", "X", "Y", "장소"], source="incident")
    assert mapping["x"] == "X" and mapping["y"] == "Y" and "lat" not in mapping


@pytest.mark.parametrize(
    ("header", "keys"),
    [
        ("경도(X)", ("경도x", "경도", "x")),
        ("Case No.", ("caseno",)),
        (" 신고 접수 일자 ", ("신고접수일자",)),
        ("접수일시.1", ("접수일시",)),  # pandas' duplicate suffix
        ("ＤＡＴＥ", ("date",)),
    ],
)
def test_header_keys(header, keys):
    assert header_keys(header) == keys


def test_overrides_win_and_ignore_hides_a_column():
    cols = ["발생일시", "비고", "메모"]
    mapping, unused = map_headers(
        cols, source="incident", overrides={"비고": "ignore", "메모": "category"}
    )
    assert mapping == {"category": "메모", "occurred_at": "발생일시"}
    assert unused == ["비고"]


def english_export(n: int = 3) -> list[list]:
    x, y = utmk(MARKET["lat"], MARKET["lon"])
    rows = [["Case No.", "Reported at", "Type", "Address", "X", "Y", "Notes", "Officer"]]
    for i in range(n):
        rows.append(
            [
                f"E-{i}",
                f"2017-10-{10 + i:02d} 21:35",
                "폭행",
                "공설시장",
                x,
                y,
                "call 010-1234-5678",
                "kim",
            ]
        )
    return rows


def test_an_english_export_is_read_with_its_header_row(tmp_path, engine):
    rows = [["Weekly 112 export, Namwon"], [], *english_export()]
    result = import_file(
        write_csv(tmp_path / "en.csv", rows), source="incident", db=engine, now=NOW
    )
    assert result.header_row == 3 and result.imported == 3 and not result.rejected
    assert result.columns["occurred_at"] == "Reported at" and result.columns["x"] == "X"
    assert result.unused_columns == ["Officer"]
    ev = store.read_events(engine)
    assert set(ev["emd"]) == {MARKET["emd"]}
    assert np.allclose(ev["lat"], MARKET["lat"], atol=1e-5)
    assert not ev["description"].str.contains("1234-5678").any()


def test_a_phone_column_mapped_as_the_record_id_is_masked(tmp_path):
    rows = english_export(2)
    rows[0][0] = "Caller phone"
    rows[1][0], rows[2][0] = "010-1111-2222", "kim@police.kr"
    prepared = prepare_file(
        write_csv(tmp_path / "ids.csv", rows),
        source="incident",
        mapping={"Caller phone": "record_id"},
        now=NOW,
    )
    ids = prepared.events["source_record_id"].tolist()
    assert not any("1111" in i or "police.kr" in i for i in ids), ids


TEXT_FIELDS = [
    ("incident", "record_id"),
    ("incident", "location_text"),
    ("incident", "category"),
    ("incident", "description"),
    ("complaint", "agency"),
    ("suggestion", "box_id"),
]


@pytest.mark.parametrize(("source", "field"), TEXT_FIELDS)
def test_personal_data_is_masked_whatever_field_a_column_is_mapped_to(tmp_path, source, field):
    x, y = utmk(MARKET["lat"], MARKET["lon"])
    rows = [["When", "X", "Y", "Contact"]]
    rows += [
        ["2017-10-10 21:35", x, y, "010-1234-5678"],
        ["2017-10-11 21:35", x, y, "kim@police.kr 900101-1234567"],
    ]
    prepared = prepare_file(
        write_csv(tmp_path / "pii.csv", rows),
        source=source,
        mapping={"When": "occurred_at", "Contact": field},
        now=NOW,
    )
    assert len(prepared.events) == 2 and prepared.columns[field] == "Contact"
    stored = [str(v) for v in prepared.events.to_numpy(dtype=object).ravel()]
    for secret in ("1234-5678", "police.kr", "1234567"):
        assert not any(secret in cell for cell in stored), (field, secret)


def test_a_mapping_that_names_no_column_of_the_file_is_refused_and_stores_nothing(tmp_path, engine):
    from analytics.storage.importers.errors import ImportFileError

    rows = [["작성 시점", "어디"], ["2017-10-10", "공설시장"]]
    with pytest.raises(ImportFileError) as err:
        import_file(
            write_csv(tmp_path / "x.csv", rows),
            source="incident",
            db=engine,
            mapping={"작성일": "occurred_at", "작성 시점": "ignore"},
            now=NOW,
        )
    assert err.value.key == "error.no_date_column" and store.is_empty(engine)
