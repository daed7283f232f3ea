"""핫스팟 지도 — the analysts' hotspot map."""

TEXT = {
    "map.title": {"ko": "핫스팟 지도", "en": "Hotspot map"},
    "map.sources": {"ko": "자료", "en": "Sources"},
    "map.weights": {
        "ko": "자료별 가중치 (최소 건수에 세는 비율)",
        "en": "Weight per source (towards min events)",
    },
    "map.weight": {"ko": "{source} 가중치", "en": "{source} weight"},
    "map.categories": {"ko": "유형", "en": "Categories"},
    "map.categories_all": {"ko": "모든 유형", "en": "All categories"},
    "map.unit": {"ko": "관할", "en": "Police unit"},
    "map.unit_all": {"ko": "전체", "en": "All units"},
    "map.auto": {"ko": "자동 설정 사용", "en": "Use the tuned setting"},
    "map.eps": {"ko": "반경 eps (m)", "en": "Radius eps (m)"},
    "map.min": {"ko": "최소 건수 (min_samples)", "en": "Minimum events (min_samples)"},
    "map.kdist": {
        "ko": "eps 고르기: k-거리 곡선 보기",
        "en": "Choosing eps: show the k-distance curve",
    },
    "map.kdist_caption": {
        "ko": "각 지점에서 {k}번째로 가까운 지점까지의 거리(내림차순). 꺾이는 곳(약 {eps} m)이 eps 후보입니다.",
        "en": "Distance from each point to its {k}th nearest neighbour, sorted. The knee (about {eps} m) suggests eps.",
    },
    "map.kdist_x": {"ko": "지점(정렬)", "en": "Points (sorted)"},
    "map.kdist_y": {"ko": "거리 (m)", "en": "Distance (m)"},
    "map.summary": {
        "ko": "핫스팟 {n}곳 · 자료 {clustered}건 중 {inside}건 포함 · {setting} · 엔진 {engine}",
        "en": "{n} hotspots · {inside} of {clustered} events inside · {setting} · engine {engine}",
    },
    "map.table": {
        "ko": "핫스팟 목록 (행을 고르면 상세)",
        "en": "Hotspots (pick a row for its profile)",
    },
    "map.pick": {"ko": "핫스팟 선택", "en": "Pick a hotspot"},
    "map.none": {"ko": "선택 안 함", "en": "None"},
    "map.profile": {"ko": "핫스팟 상세: {place}", "en": "Hotspot profile: {place}"},
    "map.profile_counts": {
        "ko": "사건 {inc} · 민원 {com} · 소리함 {sug} · 면적 {area} m² · 최초 {first} · 최근 {last}",
        "en": "{inc} incidents · {com} complaints · {sug} cards · {area} m² · first {first} · last {last}",
    },
    "map.heatmap": {"ko": "요일 × 시간대", "en": "Weekday × hour"},
    "map.weekday": {"ko": "요일", "en": "Weekday"},
    "map.hour": {"ko": "시", "en": "Hour"},
    "map.count": {"ko": "건수", "en": "Events"},
    "map.events": {
        "ko": "이 핫스팟의 자료 (개인정보 가림)",
        "en": "Its records (personal data masked)",
    },
    "map.patrol": {
        "ko": "권장 순찰 시간: {windows}",
        "en": "Recommended patrol windows: {windows}",
    },
    "map.type_help": {"ko": "유형: {type} — {help}", "en": "Type: {type} — {help}"},
    "col.when": {"ko": "일시", "en": "When"},
    "col.source": {"ko": "자료", "en": "Source"},
    "col.category": {"ko": "유형", "en": "Category"},
    "col.location": {"ko": "장소(입력)", "en": "Place as given"},
    "col.description": {"ko": "내용", "en": "Text"},
}
