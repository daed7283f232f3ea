"""Shared fixtures: the station, its geography, empty stores, and export-file writers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analytics.station.config import default_station
from analytics.station.geo import load_geography
from analytics.storage import store

# Real Namwon places (approximate landmark points) for hand-checked tests.
MARKET = {"lat": 35.4080, "lon": 127.3842, "emd": "죽항동", "unit": "중앙지구대"}
BAEMSAGOL = {"lat": 35.3833, "lon": 127.5890, "emd": "산내면", "unit": "산내파출소"}
JEONJU = {"lat": 35.8242, "lon": 127.1480}  # another city: outside the station
NOW = pd.Timestamp("2026-11-25 12:00", tz="Asia/Seoul")


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL run, tests of the SQLite file itself are skipped, saying so."""
    from tests import backends

    if not backends.on_postgresql():
        return
    skip = pytest.mark.skip(reason="SQLite's own file or API: not on the PostgreSQL run")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def station():
    """The configured station (Namwon)."""
    return default_station()


@pytest.fixture(scope="session")
def geo(station):
    """Namwon's boundary, townships, police units and landmarks, projected."""
    return load_geography(station)


@pytest.fixture
def more_stations(tmp_path, monkeypatch):
    """Adds station files (Namwon's geography under another id) to a stations folder."""
    import shutil

    from analytics.station.config import station_by_id

    folder = tmp_path / "stations"
    folder.mkdir()
    shutil.copytree(default_station().source_file.parent / "geo", tmp_path / "geo")
    monkeypatch.setenv("HOTSPOT_STATIONS_DIR", str(folder))
    station_by_id.cache_clear()

    def add(station_id: str, name: str, *, province: str = "jeonbuk") -> Path:
        text = default_station().source_file.read_text(encoding="utf-8")
        text = text.replace('id = "namwon"', f'id = "{station_id}"').replace('"geo/', '"../geo/')
        text = text.replace('name = "남원경찰서"', f'name = "{name}"')
        text = text.replace('province = "jeonbuk"', f'province = "{province}"')
        path = folder / f"{station_id}.toml"
        path.write_text(text, encoding="utf-8")
        station_by_id.cache_clear()
        return path

    yield add
    station_by_id.cache_clear()


@pytest.fixture
def store_url(tmp_path):
    """Where a test's store lives: a SQLite file in a temporary folder, or a new database
    when the run is on PostgreSQL (``HOTSPOT_TEST_PG``, see tests/backends.py)."""
    from tests import backends

    return backends.new_database() if backends.on_postgresql() else str(tmp_path / "store.sqlite")


@pytest.fixture
def engine(store_url):
    """An empty store (see ``store_url``)."""
    db = store.open_store(store_url)
    yield db
    db.dispose()


def pytest_sessionfinish(session, exitstatus):
    from tests import backends

    backends.drop_test_databases()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    """Rows (header first) as CSV bytes in ``encoding``."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_bytes(rows, encoding=encoding))
    return path


def write_xlsx(path: Path, rows: list[list], *, sheet: str = "Sheet1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def make_events(rows: list[dict], *, start_id: int = 0) -> pd.DataFrame:
    """A small event frame: each row gives x/y (metres) and optionally source, time, etc.

    Missing fields get plain defaults: an incident inside the station at
    2017-10-10 21:00 KST, category 'violence', with a hex-style event id.
    """
    import hashlib

    from analytics.storage.schema import conform_events

    filled = []
    for i, r in enumerate(rows, start=start_id):
        row = {
            "event_id": "inc_" + hashlib.sha1(str(i).encode()).hexdigest()[:16],
            "source": "incident",
            "occurred_at": pd.Timestamp("2017-10-10 21:00", tz="Asia/Seoul"),
            "category": "violence",
            "category_label": "폭력",
            "severity": "high",
            "inside_station": True,
            "geocode_score": 1.0,
            "geocode_method": "given",
            "batch_id": "test",
        }
        row.update(r)
        filled.append(row)
    frame = pd.DataFrame(filled)
    return conform_events(frame)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path | str:
    """A store holding the full synthetic demo year (built once per test run): a SQLite
    file, or on the PostgreSQL run a database URL."""
    from analytics.demo.store import build_demo_store
    from tests import backends

    folder = tmp_path_factory.mktemp("demo")
    # On the PostgreSQL run the demo year is a database of its own (its URL).
    db = backends.new_database() if backends.on_postgresql() else folder / "demo.sqlite"
    engine = store.open_store(str(db))
    build_demo_store(engine, out_dir=folder / "samples")
    engine.dispose()
    return db


@pytest.fixture
def app_env(demo_db, monkeypatch):
    """Point the app at the demo store (for AppTest runs)."""
    monkeypatch.setenv("HOTSPOT_DB", str(demo_db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return demo_db


def run_page(page: str | None = None, *, timeout: float = 60, **query):
    """Run dashboard.py in AppTest (optionally switched to ``pages/<page>.py``)."""
    from streamlit.testing.v1 import AppTest

    from analytics.station.config import REPO_ROOT

    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}.py").run()
    return at


def markdown_tables(at) -> list[pd.DataFrame]:
    """The Markdown tables an AppTest run rendered, as a browser reads them (escapes undone)."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table")
    tables = []
    for element in at.markdown:
        rows, row, in_table = [], None, False
        for token in parser.parse(element.value):
            if token.type == "table_open":
                rows, in_table = [], True
            elif token.type == "tr_open":
                row = []
            elif token.type == "tr_close":
                rows.append(row)
            elif token.type == "inline" and in_table:
                row.append("".join(c.content for c in token.children or []))
            elif token.type == "table_close":
                in_table = False
                tables.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return tables


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never a downloaded browser).

    One per test run: Playwright's sync API cannot run two at once.
    """
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _require_browser

    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
