"""The station's [auth] and [privacy] settings: read, defaulted and validated."""

from __future__ import annotations

import dataclasses

import pytest

from analytics.station.config import default_station, load_station

# --- station config -----------------------------------------------------------------

MINIMAL = """
[station]
name = "x"
[hotspots]
eps_m = 100
min_samples = 5
[geo]
boundary = "b"
townships = "t"
police_units = "p"
landmarks = "l"
"""


def test_auth_and_privacy_settings_are_read():
    st = default_station()
    assert (st.idle_minutes, st.lockout_failures, st.lockout_minutes) == (30, 5, 15)
    assert (st.session_hours, st.address_failures, st.secure_cookie) == (12, 20, False)
    assert st.sensitive_categories == (
        "sexual",
        "hidden_camera",
        "domestic",
        "child_abuse",
        "missing",
    )
    assert st.geomask_m == 100.0 and st.public_min_count == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        st.lockout_failures = 100


def test_auth_and_privacy_defaults_when_the_sections_are_absent(tmp_path):
    path = tmp_path / "station.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    st = load_station(path)
    assert (st.idle_minutes, st.lockout_failures, st.lockout_minutes) == (30, 5, 15)
    assert (st.session_hours, st.address_failures, st.secure_cookie) == (12, 20, False)
    assert st.sensitive_categories == default_station().sensitive_categories
    assert st.geomask_m == 100.0


def test_auth_and_privacy_values_are_taken(tmp_path):
    path = tmp_path / "station.toml"
    path.write_text(
        MINIMAL
        + "[auth]\nidle_minutes = 10\nlockout_failures = 3\nlockout_minutes = 30\n"
        + "session_hours = 8\naddress_failures = 50\nsecure_cookie = true\n"
        + '[privacy]\nsensitive_categories = ["sexual", "sexual", "missing"]\ngeomask_m = 250\n',
        encoding="utf-8",
    )
    st = load_station(path)
    assert (st.idle_minutes, st.lockout_failures, st.lockout_minutes) == (10, 3, 30)
    assert (st.session_hours, st.address_failures, st.secure_cookie) == (8, 50, True)
    assert st.sensitive_categories == ("sexual", "missing") and st.geomask_m == 250.0
    path.write_text(MINIMAL + "[privacy]\npublic_min_count = 5\n", encoding="utf-8")
    assert load_station(path).public_min_count == 5


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ("[auth]\nlockout_failures = 0\n", "lockout_failures must be >= 1"),
        ("[auth]\nidle_minutes = '30'\n", "idle_minutes must be a whole number"),
        ("[auth]\nlockout_minutes = 1.5\n", "lockout_minutes must be a whole number"),
        ("[auth]\nidle_minutes = true\n", "idle_minutes must be a whole number"),
        ("[auth]\nsession_hours = 0\n", "session_hours must be >= 1"),
        ("[auth]\naddress_failures = 2.5\n", "address_failures must be a whole number"),
        ("[auth]\nsecure_cookie = 'yes'\n", "secure_cookie must be true or false"),
        ("[privacy]\nsensitive_categories = ['sexual', 'burglary']\n", "unknown codes"),
        ("[privacy]\nsensitive_categories = 'sexual'\n", "must be a list"),
        ("[privacy]\ngeomask_m = 0\n", "geomask_m must be > 0"),
        ("[privacy]\npublic_min_count = 1\n", "public_min_count must be a whole number >= 2"),
        ("[privacy]\npublic_min_count = 2.5\n", "public_min_count must be a whole number >= 2"),
        ("[privacy]\npublic_min_count = '3'\n", "public_min_count must be a whole number >= 2"),
        ("[privacy]\npublic_min_count = true\n", "public_min_count must be a whole number >= 2"),
    ],
)
def test_auth_and_privacy_settings_are_validated(tmp_path, extra, match):
    path = tmp_path / "station.toml"
    path.write_text(MINIMAL + extra, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        load_station(path)
