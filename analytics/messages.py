"""Messages that analytics produces for people: rejection reasons and import errors.

Korean first, English second. The UI catalogue (``ui/i18n``) includes these keys, so
the CLI and the dashboard say the same thing.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # What a viewer is told about the privacy rule (analytics.access.privacy).
    "privacy.withheld": {
        "ko": "개인정보 보호: 민감 사건(성범죄·가정폭력 등)에만 기대는 핫스팟 {n}곳은 열람자 화면에서 뺐습니다. 분석 담당자 화면에는 있습니다.",
        "en": "Privacy: {n} hotspots that rest on sensitive cases (sexual crime, domestic violence, …) alone are not shown to viewers. Analysts see them.",
    },
    "privacy.raised": {
        "ko": "열람자 화면의 핫스팟은 eps {eps} m, 최소 {min}건 이상으로 계산합니다 (링크의 값이 그보다 작았습니다).",
        "en": "A viewer's hotspots use at least eps {eps} m and {min} events (the link asked for less).",
    },
    "privacy.places": {
        "ko": "민감 사건의 위치는 열람자에게 보내지 않습니다: 건수에만 들어가고, 핫스팟의 모양과 중심은 다른 사건으로 그립니다.",
        "en": "Sensitive cases reach viewers without their places: they are counted, and hotspot shapes and centres are drawn from other events.",
    },
    # Row rejections. {value} is the offending cell, shown masked.
    "reason.missing_date": {
        "ko": "날짜가 비어 있습니다",
        "en": "the date is empty",
    },
    "reason.bad_date": {
        "ko": "날짜를 해석할 수 없습니다: '{value}'",
        "en": "cannot read the date: '{value}'",
    },
    "reason.date_out_of_range": {
        "ko": "날짜가 허용 범위(2000년~오늘)를 벗어났습니다: '{value}'",
        "en": "the date is outside 2000..today: '{value}'",
    },
    "reason.missing_location": {
        "ko": "좌표도 장소명도 없습니다",
        "en": "no coordinates and no place name",
    },
    "reason.bad_coordinates": {
        "ko": "좌표가 숫자가 아닙니다: '{value}'",
        "en": "the coordinates are not numbers: '{value}'",
    },
    "reason.coordinates_not_in_korea": {
        "ko": "좌표가 대한민국 범위를 벗어났습니다: '{value}'",
        "en": "the coordinates are outside Korea: '{value}'",
    },
    "reason.place_not_found": {
        "ko": "장소 '{value}'을(를) 지명 사전에서 찾지 못했습니다 (좌표를 넣거나 지명 사전에 추가하세요)",
        "en": "place '{value}' is not in the gazetteer (add coordinates or extend the gazetteer)",
    },
    "reason.bad_status": {
        "ko": "처리상태 '{value}'을(를) 알 수 없습니다 (접수/처리중/완료)",
        "en": "unknown status '{value}' (expected 접수/처리중/완료)",
    },
    "reason.bad_resolved_at": {
        "ko": "처리완료일을 해석할 수 없습니다: '{value}'",
        "en": "cannot read the resolution date: '{value}'",
    },
    "reason.resolved_before_received": {
        "ko": "처리완료일이 접수일보다 앞섭니다: '{value}'",
        "en": "resolved before it was received: '{value}'",
    },
    "reason.cell_too_long": {
        "ko": "'{column}' 칸이 {length:,}자로 한 칸 한도 {limit:,}자를 넘습니다",
        "en": "the '{column}' cell has {length:,} characters, over the limit of {limit:,} per cell",
    },
    # Whole-file errors: the file is not imported at all.
    "error.unreadable": {
        "ko": "파일을 읽을 수 없습니다: {detail}",
        "en": "cannot read the file: {detail}",
    },
    "error.empty": {
        "ko": "파일에 데이터 행이 없습니다",
        "en": "the file has no data rows",
    },
    "error.no_header": {
        "ko": "머리글 행을 찾지 못했습니다. 첫 10행 안에 '일시', '장소' 같은 열 이름이 있어야 합니다",
        "en": "no header row found: the first 10 rows need column names such as '일시', '장소'",
    },
    "error.no_date_column": {
        "ko": "날짜 열이 없습니다 (예: 발생일시, 접수일시, 일시, date). 있는 열: {columns}",
        "en": "no date column (e.g. 발생일시, 접수일시, date). Columns found: {columns}",
    },
    "error.no_location_columns": {
        "ko": "위치 열이 없습니다: 위도/경도, X좌표/Y좌표 또는 장소/주소 열이 필요합니다. 있는 열: {columns}",
        "en": "no location columns: need lat/lon, X/Y or a place/address column. Columns found: {columns}",
    },
    "error.unknown_source": {
        "ko": "알 수 없는 자료 종류입니다: {value} (suggestion, complaint, incident 중 하나)",
        "en": "unknown source: {value} (one of suggestion, complaint, incident)",
    },
    "error.sheet_not_found": {
        "ko": "시트 '{sheet}'이(가) 없습니다. 있는 시트: {sheets}",
        "en": "no sheet '{sheet}'. Sheets: {sheets}",
    },
    "error.bad_mapping": {
        "ko": "열 대응표를 읽을 수 없습니다: {detail}",
        "en": "cannot read the column mapping file: {detail}",
    },
    # Caps (station.toml [import]): the file is refused whole, the store is unchanged.
    "error.file_too_large": {
        "ko": "파일이 너무 큽니다: {size} (한도 {limit}, station.toml [import] max_file_mb)",
        "en": "the file is too large: {size} (limit {limit}, station.toml [import] max_file_mb)",
    },
    "error.too_many_rows": {
        "ko": "행이 너무 많습니다: {rows:,}행 이상 (한도 {limit:,}행, station.toml [import] max_rows). 파일을 나눠서 가져오세요",
        "en": "too many rows: {rows:,} or more (limit {limit:,}, station.toml [import] max_rows). Split the file",
    },
    "error.xlsx_too_large": {
        "ko": "XLSX 파일의 압축을 풀면 {size}로 한도 {limit}를 넘습니다 (station.toml [import] max_xlsx_uncompressed_mb)",
        "en": "the XLSX file unpacks to {size}, over the limit of {limit} (station.toml [import] max_xlsx_uncompressed_mb)",
    },
    "error.xlsx_ratio": {
        "ko": "XLSX 파일 안의 '{member}'이(가) 압축 크기의 {ratio:,}배로 풀립니다 (한도 {limit:,}배, station.toml [import] max_xlsx_ratio). 압축 폭탄일 수 있어 열지 않았습니다",
        "en": "'{member}' in the XLSX file unpacks to {ratio:,} times its compressed size (limit {limit:,}, station.toml [import] max_xlsx_ratio). It may be a zip bomb and was not opened",
    },
    "error.too_many_cells": {
        "ko": "XLSX 시트의 칸이 너무 많습니다: 빈 칸을 포함해 {cells:,}칸 이상 (한도 {limit:,}칸, station.toml [import] max_cells)",
        "en": "too many cells in the XLSX sheet: {cells:,} or more, empty ones included (limit {limit:,}, station.toml [import] max_cells)",
    },
    "error.csv_field_too_long": {
        "ko": "CSV {line}행 근처의 한 칸이 {limit:,}자를 넘어 파일을 해석할 수 없습니다",
        "en": "a cell near line {line} of the CSV is longer than {limit:,} characters; the file cannot be parsed",
    },
    "error.csv_unparsable": {
        "ko": "CSV {line}행 근처를 해석할 수 없습니다: {detail}",
        "en": "cannot parse the CSV near line {line}: {detail}",
    },
    "error.busy": {
        "ko": "다른 사용자가 가져오기 중입니다. 잠시 후 다시 시도하세요",
        "en": "another import is running; try again in a moment",
    },
}


def message(key: str, lang: str = "ko", /, **params) -> str:
    """The message ``key`` in ``lang`` ('ko' or 'en'), formatted with ``params``."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["ko"]).format(**params)
