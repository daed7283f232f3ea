"""Two stations in one store, served for real: a station's user is refused another
station's link before any of its data reaches the browser; a provincial user switches
stations in the sidebar, and the link follows."""

from __future__ import annotations

import shutil

import pytest

from analytics.station.config import default_station, load_station, station_by_id
from analytics.storage import store
from analytics.storage.importers.core import import_file
from tests.browser.conftest import capture_websocket, screenshot, sign_in, start_streamlit
from tests.conftest import NOW, write_csv
from tests.storage.test_import_files import incident_rows

pytestmark = pytest.mark.browser

NAMWON_USER, PROVINCIAL, PASSWORD = "park", "choi", "correct horse battery"


@pytest.fixture(scope="module")
def two_stations(tmp_path_factory):
    """Namwon's 4 incidents and Jinan's 9 (file names say whose), served; yields the URL."""
    from analytics.access.users import add_user

    folder = tmp_path_factory.mktemp("stations")
    stations = folder / "stations"
    stations.mkdir()
    shutil.copytree(default_station().source_file.parent / "geo", folder / "geo")
    text = default_station().source_file.read_text(encoding="utf-8")
    text = text.replace('id = "namwon"', 'id = "jinan"').replace('"geo/', '"../geo/')
    (stations / "jinan.toml").write_text(text.replace("남원경찰서", "진안경찰서"), "utf-8")
    jinan = load_station(stations / "jinan.toml")
    db = folder / "store.sqlite"
    engine = store.open_store(str(db))
    import_file(
        write_csv(folder / "namwon_calls.csv", incident_rows(4)),
        source="incident",
        db=engine,
        now=NOW,
    )
    import_file(
        write_csv(folder / "jinan_calls.csv", incident_rows(9)),
        source="incident",
        db=engine,
        now=NOW,
        station=jinan,
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOTSPOT_STATIONS_DIR", str(stations))
        station_by_id.cache_clear()
        add_user(engine, NAMWON_USER, PASSWORD, role="analyst")
        add_user(engine, PROVINCIAL, PASSWORD, role="analyst", station="jinan", provincial=True)
    station_by_id.cache_clear()
    engine.dispose()
    proc, url = start_streamlit(db, env={"HOTSPOT_STATIONS_DIR": str(stations)})
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_another_stations_link_is_refused_before_its_data(two_stations, page):
    frames = capture_websocket(page)
    page.goto(f"{two_stations}/data?station=jinan")
    sign_in(page, NAMWON_USER, PASSWORD)
    page.get_by_text("볼 수 없습니다").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    screenshot(page, "station-refused")
    received = b"".join(frames)
    assert b"jinan_calls.csv" not in received and "jinan_calls.csv" not in page.content()
    assert b"namwon_calls.csv" not in received  # nothing of their own either, yet
    page.get_by_role("button", name="내 경찰서 열기").click()
    page.get_by_text("namwon_calls.csv").first.wait_for(state="attached", timeout=60_000)
    assert "jinan_calls.csv" not in page.content()
    assert "/data" in page.url and "station=namwon" in page.url


def test_a_provincial_user_switches_station_and_the_link_follows(two_stations, page):
    page.goto(f"{two_stations}/data")
    sign_in(page, PROVINCIAL, PASSWORD)
    page.get_by_text("jinan_calls.csv").first.wait_for(state="attached", timeout=60_000)
    assert "station=jinan" in page.url  # their own station first, named in the link
    sidebar = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
    sidebar.filter(has_text="경찰서").first.click()
    page.get_by_role("option", name="남원경찰서").click()
    page.get_by_text("namwon_calls.csv").first.wait_for(state="attached", timeout=60_000)
    assert "station=namwon" in page.url and "jinan_calls.csv" not in page.content()
