"""The brief's action lines: the few hotspots to act on, in the station's words."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.compute.brief import action_lines


def hotspots(rows):
    base = {
        "place": "용남시장 부근",
        "place_en": "near Yongnam Market",
        "police_unit": "중앙지구대",
        "patrol_windows": [(21, 23, 0.4)],
        "top_categories": [("주취·소란", 3), ("절도", 2), ("폭력", 1)],
        "status": "persistent",
        "significant": True,
    }
    return pd.DataFrame([base | r for r in rows])


def test_a_line_says_where_who_when_and_why():
    (line,) = action_lines(hotspots([{"rank": 1}]))
    assert line == "용남시장 부근 (중앙지구대): 21–23시 탄력순찰 — 주취·소란 3, 절도 2 · 지속"
    (en,) = action_lines(
        hotspots([{"rank": 1}]), lang="en", unit_names={"중앙지구대": "Jungang patrol division"}
    )
    assert en.startswith(
        "near Yongnam Market (Jungang patrol division): flexible patrol 21:00–23:00"
    )
    assert not any("가" <= c <= "힣" for c in en.split(" — ")[0])


def test_urgent_first_chance_left_out_and_at_most_five():
    rows = [{"rank": r, "place": f"P{r}"} for r in range(1, 9)]
    rows[5]["status"] = "new"  # rank 6
    rows[6]["status"] = "intensifying"  # rank 7
    rows[0]["significant"] = False  # rank 1 could be chance
    lines = action_lines(hotspots(rows))
    assert [line.split(" ")[0] for line in lines] == ["P6", "P7", "P2", "P3", "P4"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], []),
        ([{"rank": 1, "significant": False}], []),
        (
            [{"rank": 1, "patrol_windows": []}],
            [
                "용남시장 부근 (중앙지구대): 순찰 시간대를 정할 만큼 자료가 없음 — 주취·소란 3, 절도 2 · 지속"
            ],
        ),
    ],
)
def test_edge_cases(rows, expected):
    assert action_lines(hotspots(rows) if rows else pd.DataFrame()) == expected


def test_most_must_be_positive():
    with pytest.raises(ValueError, match="most"):
        action_lines(hotspots([{"rank": 1}]), most=0)
