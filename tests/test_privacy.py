"""Geomasking for viewers: sensitive cases on a 100 m grid, no free text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.privacy import snap, viewer_events
from tests.conftest import make_events

X0, Y0 = 989485.78, 1712481.38


@pytest.mark.parametrize(
    ("value", "expected"),
    [(989485.78, 989450.0), (989400.0, 989450.0), (989499.99, 989450.0), (989500.0, 989550.0)],
)
def test_snap_to_cell_centres(value, expected):
    assert snap(np.array([value]), 100.0)[0] == expected


def test_viewer_events(geo):
    events = make_events(
        [
            {
                "x": X0,
                "y": Y0,
                "category": "sexual",
                "description": "피해자 연락처 [전화번호]",
                "location_text": "공설시장 화장실",
            },
            {
                "x": X0 + 7,
                "y": Y0 + 3,
                "category": "theft",
                "description": "지갑 도난",
                "location_text": "용남시장",
            },
        ]
    )
    seen = viewer_events(events, geo=geo)
    assert seen["description"].isna().all() and seen["location_text"].isna().all()
    assert (seen.loc[0, "x"], seen.loc[0, "y"]) == (989450.0, 1712450.0)
    assert (seen.loc[1, "x"], seen.loc[1, "y"]) == (X0 + 7, Y0 + 3)  # not sensitive: exact
    lon, lat = geo.to_geographic([989450.0], [1712450.0])
    assert seen.loc[0, "lon"] == pytest.approx(lon[0]) and seen.loc[0, "lat"] == pytest.approx(
        lat[0]
    )
    assert events.loc[0, "description"] == "피해자 연락처 [전화번호]"  # the input is untouched


@settings(max_examples=50, deadline=None)
@given(
    dx=st.floats(-5000, 5000, allow_nan=False),
    dy=st.floats(-5000, 5000, allow_nan=False),
    category=st.sampled_from(["sexual", "hidden_camera", "domestic", "child_abuse", "missing"]),
)
def test_sensitive_points_never_keep_their_coordinates(geo, dx, dy, category):
    events = make_events([{"x": X0 + dx, "y": Y0 + dy, "category": category}])
    seen = viewer_events(events, geo=geo)
    x, y = seen.loc[0, "x"], seen.loc[0, "y"]
    assert (x - 50.0) % 100.0 == pytest.approx(0.0, abs=1e-6) and (
        y - 50.0
    ) % 100.0 == pytest.approx(0.0, abs=1e-6)
    assert abs(x - (X0 + dx)) <= 50.0 and abs(y - (Y0 + dy)) <= 50.0


@pytest.mark.parametrize(
    ("email", "expected"),
    [("Kim@Police.example", "analyst"), ("lee@police.example", None), (None, None), ("", None)],
)
def test_oidc_roles_come_only_from_the_station_list(email, expected):
    from ui.auth import oidc_role

    roles = (("kim@police.example", "analyst"),)
    assert oidc_role(email, roles, email_verified=True) == expected


def test_station_auth_method_is_validated(tmp_path):
    from analytics.config import DEFAULT_STATION_FILE, load_station

    text = DEFAULT_STATION_FILE.read_text(encoding="utf-8").replace(
        'method = "password"', 'method = "magic"'
    )
    bad = tmp_path / "station.toml"
    bad.write_text(text, encoding="utf-8")
    (tmp_path / "geo").symlink_to(DEFAULT_STATION_FILE.parent / "geo")
    with pytest.raises(ValueError, match=r"auth\.method"):
        load_station(bad)
