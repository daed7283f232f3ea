"""Download buttons, file names and sheet names for the exports (unit page, meeting pack)."""

TEXT = {
    "export.xlsx": {"ko": "엑셀 (XLSX)", "en": "Excel (XLSX)"},
    "export.xlsx_help": {
        "ko": "탄력순찰 대상과 핫스팟 목록 두 시트",
        "en": "Two sheets: patrol targets and hotspots",
    },
    "export.csv": {"ko": "순찰 대상 CSV", "en": "Patrol targets CSV"},
    "export.csv_help": {
        "ko": "UTF-8 CSV (엑셀에서 한글이 바로 보입니다)",
        "en": "UTF-8 CSV (Excel shows the Korean as it is)",
    },
    "export.sheet": {"ko": "인쇄용 순찰표 (HTML)", "en": "Printable patrol sheet (HTML)"},
    "export.sheet_help": {
        "ko": "브라우저에서 열어 인쇄하세요 (A4 가로)",
        "en": "Open in a browser and print (A4 landscape)",
    },
    "export.hotspots_csv": {"ko": "핫스팟 목록 CSV", "en": "Hotspots CSV"},
    "export.meeting_pack": {
        "ko": "회의 자료 내려받기 (HTML)",
        "en": "Download the meeting pack (HTML)",
    },
    "export.meeting_pack_help": {
        "ko": "지도·상위 핫스팟·지구대·파출소별 현황을 담은 파일 하나입니다. 인터넷 없이도 열립니다.",
        "en": "One file with the map, the top hotspots and the unit table. It opens without internet.",
    },
    "export.tab_targets": {"ko": "탄력순찰 대상", "en": "Patrol targets"},
    "export.tab_hotspots": {"ko": "핫스팟", "en": "Hotspots"},
    "export.title_patrol": {
        "ko": "{unit} 탄력순찰 대상 · {range}",
        "en": "{unit} flexible patrol targets · {range}",
    },
    "export.file_patrol": {"ko": "탄력순찰_{unit}_{week}", "en": "patrol_{unit}_{week}"},
    "export.file_hotspots": {"ko": "핫스팟_{unit}_{week}", "en": "hotspots_{unit}_{week}"},
    "export.file_pack": {"ko": "확대간부회의_{week}", "en": "staff_meeting_{week}"},
}
