"""The app shows one station at a time: the link's ?station= if the user may open it,
else their own; a station's users never see another station's rows."""

from __future__ import annotations

import pytest

from analytics.access import users
from analytics.access.audit import read_audit
from analytics.access.sessions import create_session
from analytics.station.config import station_by_id
from analytics.storage import store
from analytics.storage.importers.core import import_file
from tests.conftest import NOW, run_page, write_csv
from tests.storage.test_import_files import incident_rows

PW = "a long enough password"


@pytest.fixture
def two_stations(tmp_path, monkeypatch, more_stations):
    """A store holding Namwon's 4 incidents and Jinan's 9, set as the app's store."""
    more_stations("jinan", "진안경찰서")
    db = tmp_path / "app.sqlite"
    engine = store.open_store(str(db))
    namwon = write_csv(tmp_path / "namwon.csv", incident_rows(4))
    jinan = write_csv(tmp_path / "jinan.csv", incident_rows(9))
    import_file(namwon, source="incident", db=engine, now=NOW)
    import_file(jinan, source="incident", db=engine, now=NOW, station=station_by_id("jinan"))
    monkeypatch.setenv("HOTSPOT_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return engine


def signed_in(monkeypatch, engine, name: str) -> None:
    """The browser presents ``name``'s session cookie."""
    token = create_session(engine, user_name=name)
    monkeypatch.setattr("ui.auth.session_token", lambda: token)


def history(at):
    return next(df.value for df in at.dataframe if "배치 ID" in df.value.columns)


def imported(at) -> int:
    return int(history(at)["가져옴"].astype(int).sum())


def test_the_local_analyst_picks_any_station_and_links_name_it(two_stations):
    at = run_page()
    assert not at.exception
    assert at.selectbox(key="v_station").options == ["남원경찰서", "진안경찰서"]
    assert at.query_params["station"] == "namwon"  # two stations known: links name it
    assert at.title[0].value.startswith("남원경찰서")
    # (AppTest drops the sidebar after a rerun: the picker's switch is a browser test's.)
    assert imported(run_page("data")) == 4
    assert imported(run_page("data", station="jinan")) == 9


def test_a_link_to_another_station_opens_it(two_stations):
    at = run_page(station="jinan")
    assert not at.exception
    assert at.title[0].value.startswith("진안경찰서")


def test_a_station_user_is_refused_another_station_before_any_data(two_stations, monkeypatch):
    users.add_user(two_stations, "park", PW, role="analyst")  # Namwon's
    signed_in(monkeypatch, two_stations, "park")
    at = run_page(station="jinan")
    assert not at.exception
    assert any("jinan" in e.value and "볼 수 없습니다" in e.value for e in at.error)
    assert not at.metric and not at.dataframe and not at.title  # nothing of either station
    assert not at.get("selectbox") or "v_station" not in [s.key for s in at.selectbox]
    refused = read_audit(two_stations).query("action == 'station.refused'")
    assert refused[["actor", "detail"]].values.tolist() == [["park", "station=jinan"]]
    at.button(key="station_own").click().run()  # back to their own station
    assert not at.exception and not at.error
    assert at.title[0].value.startswith("남원경찰서")


def test_a_station_user_sees_only_their_own_rows(two_stations, monkeypatch):
    users.add_user(two_stations, "seo", PW, role="analyst", station="jinan")
    signed_in(monkeypatch, two_stations, "seo")
    at = run_page()
    assert not at.exception and at.title[0].value.startswith("진안경찰서")
    assert "v_station" not in [s.key for s in at.selectbox]  # one station: no picker
    assert imported(run_page("data")) == 9


def test_a_provincial_user_opens_every_station_of_the_province(two_stations, monkeypatch):
    users.add_user(two_stations, "choi", PW, role="analyst", station="jinan", provincial=True)
    signed_in(monkeypatch, two_stations, "choi")
    at = run_page()
    assert not at.exception
    assert at.query_params["station"] == "jinan"  # home first
    assert at.selectbox(key="v_station").options == ["진안경찰서", "남원경찰서"]
    assert imported(run_page("data")) == 9
    assert imported(run_page("data", station="namwon")) == 4


def test_an_unknown_station_gets_a_clear_message(two_stations):
    at = run_page(station="<b>x</b>")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "링크에 적힌 경찰서를 찾을 수 없습니다. 링크를 다시 확인하세요."
    ]
    assert not at.metric and not at.title
