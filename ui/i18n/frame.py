"""The shared frame: title, navigation, sidebar controls, banners, footer."""

TEXT = {
    "app.title": {"ko": "{station} 핫스팟 대시보드", "en": "{station} hotspot dashboard"},
    "nav.brief": {"ko": "회의 브리핑", "en": "Meeting brief"},
    "nav.map": {"ko": "핫스팟 지도", "en": "Hotspot map"},
    "nav.suggestions": {"ko": "여기 무서워요 소리함", "en": "Suggestion box"},
    "nav.complaints": {"ko": "민원", "en": "Complaints"},
    "nav.incidents": {"ko": "사건·112", "en": "Incidents & 112"},
    "nav.unit": {"ko": "지구대·파출소", "en": "Police units"},
    "nav.data": {"ko": "데이터 관리", "en": "Data"},
    "frame.synthetic": {
        "ko": "⚠ 합성(가상) 데모 데이터입니다. 실제 신고·사건이 아닙니다.",
        "en": "⚠ Synthetic demo data. These are not real reports or cases.",
    },
    "frame.language": {"ko": "언어", "en": "Language"},
    "frame.week": {"ko": "보고 주간 (회의일)", "en": "Reporting week (meeting day)"},
    "frame.week_help": {
        "ko": "회의일 전날까지 7일을 봅니다",
        "en": "The seven days ending the day before the meeting",
    },
    "frame.week_option": {
        "ko": "{meeting} 회의 · {first}~{last}",
        "en": "{meeting} meeting · {first}–{last}",
    },
    "frame.span": {"ko": "기간", "en": "Span"},
    "span.week": {"ko": "1주", "en": "1 week"},
    "span.28d": {"ko": "28일", "en": "28 days"},
    "frame.period": {"ko": "기간: {range}", "en": "Period: {range}"},
    "frame.share": {"ko": "링크 복사", "en": "Copy link"},
    "frame.share_help": {
        "ko": "이 링크를 열면 같은 화면이 보입니다 (데이터는 링크에 담기지 않습니다)",
        "en": "Opening this link shows the same view (no data is in the link)",
    },
    "frame.present": {"ko": "발표 모드", "en": "Presentation mode"},
    "frame.attribution": {"ko": "{attribution}", "en": "{attribution}"},
    "frame.empty": {
        "ko": "저장소가 비어 있습니다. `make run` 또는 `python -m analytics demo` 로 데모 데이터를 만들거나, 데이터 관리에서 파일을 가져오세요.",
        "en": "The store is empty. Run `make run` or `python -m analytics demo`, or import a file on the Data page.",
    },
    "frame.no_events": {
        "ko": "이 기간에는 자료가 없습니다.",
        "en": "There is no data in this period.",
    },
    "source.suggestion": {"ko": "소리함 카드", "en": "Suggestion cards"},
    "source.complaint": {"ko": "민원", "en": "Complaints"},
    "source.incident": {"ko": "사건·112", "en": "Incidents & 112 calls"},
    "type.convergent": {"ko": "수렴형", "en": "Convergent"},
    "type.fear": {"ko": "불안형", "en": "Fear"},
    "type.hidden": {"ko": "잠재형", "en": "Hidden"},
    "type.convergent.help": {
        "ko": "주민 신고와 사건이 함께 많은 곳",
        "en": "Residents report it and incidents happen there",
    },
    "type.fear.help": {
        "ko": "주민은 불안해하지만 사건은 적은 곳: 조명·CCTV 등 환경 개선(CPTED)",
        "en": "Residents feel unsafe, few incidents: lighting, CCTV (CPTED)",
    },
    "type.hidden.help": {
        "ko": "사건은 있으나 주민 목소리가 없는 곳",
        "en": "Incidents with no citizen voice",
    },
    "status.new": {"ko": "신규", "en": "New"},
    "status.persistent": {"ko": "지속", "en": "Persistent"},
    "status.intensifying": {"ko": "심화", "en": "Intensifying"},
    "status.diminishing": {"ko": "약화", "en": "Diminishing"},
    "status.gone": {"ko": "소멸", "en": "Gone"},
}
