"""Users belong to a station, provincial users to a province: who may open which station."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.access import users
from analytics.access.audit import read_audit
from analytics.access.identity import AuthError
from analytics.access.scope import StationScope, check_scope, everywhere
from analytics.access.sessions import check_session, create_session
from analytics.station.config import province_stations

PW = "a long enough password"


@pytest.fixture
def province(more_stations):
    """Namwon and Jinan in Jeonbuk, Gwangju's Seobu in another province."""
    more_stations("jinan", "진안경찰서")
    more_stations("seobu", "광주서부경찰서", province="gwangju")


def test_a_province_lists_its_stations_only(province):
    assert province_stations("jeonbuk") == ("jinan", "namwon")
    assert province_stations("gwangju") == ("seobu",)
    assert province_stations("") == ()


@pytest.mark.parametrize(
    "home, provincial, stations",
    [
        ("namwon", False, ("namwon",)),
        ("jinan", False, ("jinan",)),
        ("jinan", True, ("jinan", "namwon")),  # home first
        ("seobu", True, ("seobu",)),
    ],
)
def test_scope_of_a_user(province, home, provincial, stations):
    scope = check_scope(home, provincial=provincial)
    assert scope.stations == stations
    assert all(scope.allows(s) for s in stations)
    assert not scope.allows("nowhere")


def test_a_station_user_never_opens_another_station(province):
    namwon = check_scope("namwon")
    assert namwon.allows("namwon") and not namwon.allows("jinan")
    assert not check_scope("jinan", provincial=True).allows("seobu")


def test_the_local_analyst_opens_every_known_station(province):
    assert everywhere().stations == ("namwon", "jinan", "seobu")


@pytest.mark.parametrize(
    "home, provincial, key",
    [("nowhere", False, "auth.unknown_station"), ("Bad id!", False, "auth.unknown_station")],
)
def test_bad_scopes_are_refused(province, home, provincial, key):
    with pytest.raises(AuthError) as err:
        check_scope(home, provincial=provincial)
    assert err.value.key == key


def test_a_provincial_user_needs_a_province(more_stations):
    more_stations("solo", "외딴경찰서", province="")
    with pytest.raises(AuthError) as err:
        check_scope("solo", provincial=True)
    assert err.value.key == "auth.no_province" and "solo" in err.value.text("en")


def test_users_carry_their_station_and_sessions_report_it(engine, province):
    users.add_user(engine, "kim", PW, role="analyst")  # the configured station's
    users.add_user(engine, "park", PW, role="viewer", station="jinan")
    users.add_user(engine, "choi", PW, role="analyst", station="jinan", provincial=True)
    listed = users.list_users(engine).set_index("name")
    assert listed.loc["kim", "station"] == "namwon" and pd.isna(listed.loc["kim", "province"])
    assert listed.loc["choi", ["station", "province"]].tolist() == ["jinan", "jeonbuk"]
    assert users.user_scope(engine, "park") == StationScope(home="jinan")
    assert users.user_scope(engine, "choi").stations == ("jinan", "namwon")
    assert users.user_scope(engine, "nobody") is None
    token = create_session(engine, user_name="choi")
    session, reason = check_session(engine, token)
    assert reason == "ok" and (session.station, session.province) == ("jinan", "jeonbuk")
    with pytest.raises(AuthError):
        users.add_user(engine, "lee", PW, station="nowhere")
    assert "lee" not in set(users.list_users(engine)["name"])  # nothing half-added


def test_moving_a_user_ends_their_sessions_and_is_audited(engine, province):
    users.add_user(engine, "park", PW, role="analyst", station="jinan")
    token = create_session(engine, user_name="park")
    users.set_scope(engine, "park", station="namwon", provincial=True, actor="admin1")
    assert users.user_scope(engine, "park").stations == ("namwon", "jinan")
    assert check_session(engine, token) == (None, "revoked")
    log = read_audit(engine)
    moved = log[log["action"] == "user.scope"].iloc[0]
    assert moved["actor"] == "admin1"
    assert moved["detail"] == "name=park station=jinan -> station=namwon province=jeonbuk"
    with pytest.raises(AuthError):
        users.set_scope(engine, "nobody", station="namwon")


def test_a_station_reads_only_its_own_audit_entries(engine, province, tmp_path):
    from analytics.access.audit import audit, audited_import
    from analytics.station.config import station_by_id
    from tests.conftest import write_csv
    from tests.storage.test_import_files import incident_rows

    users.add_user(engine, "kim", PW, role="analyst", actor="cli:root")
    users.add_user(engine, "seo", PW, role="analyst", station="jinan", actor="cli:root")
    path = write_csv(tmp_path / "112.csv", incident_rows(3))
    mine = audited_import(engine, "kim", file=path, source="incident")
    theirs = audited_import(
        engine, "seo", file=path, source="incident", station=station_by_id("jinan")
    )
    audit(engine, actor="seo", action="export", file_name="jinan_hotspots.csv")
    namwon = read_audit(engine, station="namwon")
    assert set(namwon["batch_id"].dropna()) == {mine.batch_id}
    assert "seo" not in set(namwon["actor"]) and "jinan_hotspots.csv" not in set(
        namwon["file_name"]
    )
    jinan = read_audit(engine, station="jinan")
    assert set(jinan["batch_id"].dropna()) == {theirs.batch_id} and "kim" not in set(jinan["actor"])
    assert len(read_audit(engine)) == len(namwon) + len(jinan) + 2  # + the two user.add by cli
