"""지구대·파출소 — the police unit page."""

TEXT = {
    "unit.title": {"ko": "지구대·파출소", "en": "Police unit"},
    "unit.pick": {"ko": "지구대·파출소 선택", "en": "Police unit"},
    "unit.heading": {"ko": "{unit} · {range}", "en": "{unit} · {range}"},
    "unit.townships": {"ko": "관할 읍·면·동: {names}", "en": "Townships: {names}"},
    "unit.vs_previous_28d": {"ko": "이전 28일 대비", "en": "vs previous 28 days"},
    "unit.metric_help": {
        "ko": "이전 기간 {prev}건 · 직전 4주 주평균 {mean}건",
        "en": "previous period {prev} · weekly mean of the 4 weeks before {mean}",
    },
    "unit.open_help": {
        "ko": "기간 말 기준으로 아직 처리되지 않은 민원",
        "en": "Complaints still open at the end of the period",
    },
    "unit.hotspots_help": {
        "ko": "이 관할에 중심이 있는 이번 기간 핫스팟",
        "en": "This period's hotspots centred in this unit's area",
    },
    "unit.rank": {
        "ko": "전체 {n}개 관서 중 건수 {rank}위 (합계 {total}건)",
        "en": "{rank} of {n} units by events ({total} in all)",
    },
    "unit.map": {"ko": "관할 구역 핫스팟", "en": "Hotspots in the unit's area"},
    "unit.table": {"ko": "핫스팟 목록", "en": "Hotspots"},
    "unit.no_hotspots": {
        "ko": "이 기간에는 {unit} 관할에 핫스팟이 없습니다.",
        "en": "No hotspot in {unit}'s area in this period.",
    },
    "unit.patrol": {"ko": "탄력순찰 대상", "en": "Flexible patrol targets"},
    "unit.patrol_help": {
        "ko": "핫스팟마다 권장 순찰 시간대(2시간)와 그 시간대에 많이 발생한 요일입니다. 시간대는 사건 발생 시각과 소리함 카드의 희망 시간으로 정했습니다.",
        "en": "For each hotspot, the recommended two-hour patrol windows and the weekdays that carry them. Windows come from incident times and the hours residents asked for on suggestion cards.",
    },
    "unit.no_targets": {
        "ko": "순찰 대상이 없습니다. 인쇄용 순찰표와 파일은 빈 목록으로 만들어집니다.",
        "en": "No patrol targets. The printable sheet and files will be empty lists.",
    },
    "unit.downloads": {"ko": "내려받기", "en": "Downloads"},
}
