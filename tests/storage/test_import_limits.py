"""Bad input gets a clear message and nothing is lost: the caps of station.toml [import]."""

from __future__ import annotations

import dataclasses
import io
import struct
import time
import zipfile

import pytest

from analytics.access import audit
from analytics.cli import EXIT_BAD_INPUT, main
from analytics.station.config import MIB, ImportLimits, load_station
from analytics.storage import store
from analytics.storage.importers import core
from analytics.storage.importers.core import prepare_file
from analytics.storage.importers.errors import ImportFileError, ImportLimitError
from analytics.storage.importers.reading import read_table
from tests.conftest import NOW, csv_bytes, write_csv, write_xlsx
from tests.storage.test_import_files import incident_rows

LONG = 200_000  # over the csv module's own field limit (131,072)


def capped(station, **caps):
    return dataclasses.replace(station, import_limits=ImportLimits(**caps))


def long_text_rows(n: int = 4, *, at: int = 1) -> list[list]:
    rows = incident_rows(n)
    rows[at + 1][-1] = "가" * LONG  # 비고 of the data row ``at`` (0-based), file row at + 2
    return rows


def xlsx_with_sheet(tmp_path, sheet_xml: bytes, *, level: int = 9) -> bytes:
    """A real XLSX (openpyxl) whose first sheet is replaced by ``sheet_xml``."""
    good = write_xlsx(tmp_path / "good.xlsx", incident_rows(2)).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            dst.writestr(info.filename, data, zipfile.ZIP_DEFLATED, compresslevel=level)
    return out.getvalue()


def bomb_sheet(n_rows: int) -> bytes:
    """Sheet XML of ``n_rows`` identical rows: megabytes that compress to kilobytes."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
    )
    row = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>'
    return head + row * n_rows + b"</sheetData></worksheet>"


def audit_entries(engine):
    return audit.read_audit(engine, limit=None)


# --- over-long cells -------------------------------------------------------------------


def test_an_over_long_cell_rejects_its_row_and_the_rest_land(engine, tmp_path):
    """The tester's file: a 200,000-character field crashed the importer with _csv.Error."""
    path = write_csv(tmp_path / "long.csv", long_text_rows(4, at=1))
    result = audit.audited_import(engine, "kim", file=path, source="incident", now=NOW)
    assert (result.imported, len(result.rejected)) == (3, 1)
    row = result.rejected[0]
    assert row.row_number == 3 and row.reason_code == "cell_too_long"
    assert row.reason == "'비고' 칸이 200,000자로 한 칸 한도 10,000자를 넘습니다"
    assert (
        row.reason_en == "the '비고' cell has 200,000 characters, over the limit of 10,000 per cell"
    )
    # The stored evidence is cut at the cap; the row is there to export and fix.
    stored = store.read_rejected(engine, result.batch_id)
    assert len(stored.loc[0, "raw"]["비고"]) == 10_000
    entry = audit_entries(engine).iloc[0]
    assert entry["action"] == "import" and "rejected=1" in entry["detail"]


def test_the_cell_cap_comes_from_the_station(station, tmp_path):
    rows = incident_rows(3)
    rows[2][-1] = "x" * 51
    prepared = prepare_file(
        write_csv(tmp_path / "in.csv", rows),
        source="incident",
        station=capped(station, max_cell_chars=50),
        now=NOW,
    )
    assert [r.row_number for r in prepared.rejected] == [3]
    assert "한도 50자" in prepared.rejected[0].reason


def test_an_over_long_xlsx_cell_rejects_its_row(station, tmp_path):
    rows = incident_rows(3)
    rows[3][-1] = "y" * 30_000
    path = write_xlsx(tmp_path / "in.xlsx", rows)
    prepared = prepare_file(path, source="incident", station=station, now=NOW)
    assert [(r.row_number, r.reason_code) for r in prepared.rejected] == [(4, "cell_too_long")]


def test_a_csv_the_csv_module_cannot_read_is_refused_whole_with_its_line(engine, tmp_path):
    """Ragged rows send the file to the csv module, whose field limit it then passes."""
    rows = long_text_rows(4, at=1)
    rows[3] = [*rows[3], "덧붙은 칸"]  # a row longer than those above it: ragged
    path = write_csv(tmp_path / "ragged.csv", rows)
    with pytest.raises(ImportFileError) as caught:
        audit.audited_import(engine, "kim", file=path, source="incident", now=NOW)
    assert caught.value.key == "error.csv_field_too_long"
    assert caught.value.text("ko") == (
        "CSV 3행 근처의 한 칸이 131,072자를 넘어 파일을 해석할 수 없습니다"
    )
    assert "line 3" in caught.value.text("en")
    assert store.is_empty(engine)
    entry = audit_entries(engine).iloc[0]
    assert entry["action"] == "import.fail" and "error.csv_field_too_long line=3" in entry["detail"]


# --- whole-file caps -----------------------------------------------------------------------


def test_too_many_rows_is_refused_and_audited(engine, station, tmp_path, monkeypatch):
    monkeypatch.setattr(core, "default_station", lambda: capped(station, max_rows=3))
    path = write_csv(tmp_path / "big.csv", incident_rows(5))
    with pytest.raises(ImportLimitError) as caught:
        audit.audited_import(engine, "kim", file=path, source="incident", now=NOW)
    assert caught.value.text("ko").startswith("행이 너무 많습니다: 5행 이상 (한도 3행")
    assert store.is_empty(engine)
    entry = audit_entries(engine).iloc[0]
    assert entry["action"] == "import.fail"
    assert "error=error.too_many_rows rows=5 limit=3" in entry["detail"]
    # Blank rows do not count.
    rows = incident_rows(3)
    rows[2:2] = [[""] * 8] * 4
    prepare_file(write_csv(tmp_path / "blank.csv", rows), source="incident", now=NOW)


def test_too_many_xlsx_rows_stop_the_reading_early(tmp_path):
    path = write_xlsx(tmp_path / "big.xlsx", incident_rows(40))
    with pytest.raises(ImportLimitError) as caught:
        read_table(path, source="incident", limits=ImportLimits(max_rows=5))
    # Refused while reading: five rows and the title rows the header may sit under.
    assert caught.value.key == "error.too_many_rows"
    assert caught.value.params["rows"] == 5 + 10 + 1


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "in.csv", incident_rows(50))
    limits = ImportLimits(max_file_bytes=1024)
    from pathlib import Path

    def no_reading(self):
        raise AssertionError("read a file over the cap")

    with monkeypatch.context() as m:
        m.setattr(Path, "read_bytes", no_reading)
        with pytest.raises(ImportLimitError) as caught:
            read_table(path, source="incident", limits=limits)
    size = path.stat().st_size
    assert caught.value.text("ko") == (
        f"파일이 너무 큽니다: {size / 1024:.1f} KB (한도 1.0 KB, station.toml [import] max_file_mb)"
    )
    with pytest.raises(ImportLimitError):  # bytes (an upload) too
        read_table(path.read_bytes(), source="incident", limits=limits)


# --- XLSX zip bombs --------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it(engine, tmp_path, monkeypatch):
    data = xlsx_with_sheet(tmp_path, bomb_sheet(60_000))  # about 3 MB in 10 KB
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.getinfo("xl/worksheets/sheet1.xml")
    assert sheet.file_size > 2 * MIB and sheet.file_size // sheet.compress_size > 100
    assert len(data) < 50_000

    import openpyxl

    def never(*_a, **_k):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    t0 = time.perf_counter()
    with pytest.raises(ImportLimitError) as caught:
        audit.audited_import(engine, "kim", file=data, source="incident", file_name="bomb.xlsx")
    assert time.perf_counter() - t0 < 2
    assert caught.value.key == "error.xlsx_ratio"
    ko = caught.value.text("ko")
    assert "'xl/worksheets/sheet1.xml'" in ko and "한도 100배" in ko and "압축 폭탄" in ko
    assert store.is_empty(engine)
    entry = audit_entries(engine).iloc[0]
    assert (entry["action"], entry["file_name"]) == ("import.fail", "bomb.xlsx")
    assert "error=error.xlsx_ratio" in entry["detail"]


def test_an_xlsx_over_the_unpacked_cap_is_refused(tmp_path):
    data = xlsx_with_sheet(tmp_path, bomb_sheet(60_000))
    with pytest.raises(ImportLimitError) as caught:
        read_table(data, source="incident", limits=ImportLimits(max_xlsx_bytes=MIB))
    assert caught.value.key == "error.xlsx_too_large"
    assert "한도 1.0 MB" in caught.value.text("ko")


def test_a_zip_that_lies_about_its_size_is_not_unpacked_past_it(tmp_path):
    """The directory says 1 KB; zipfile stops there and the CRC check fails."""
    data = bytearray(xlsx_with_sheet(tmp_path, bomb_sheet(60_000)))
    name = b"xl/worksheets/sheet1.xml"
    entry = data.find(b"PK\x01\x02", data.find(name) - 200)
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, 1024)  # uncompressed size in the directory
    with pytest.raises(ImportFileError) as caught:
        read_table(bytes(data), source="incident")
    assert caught.value.key == "error.unreadable"
    assert "XLSX 파일이 손상되었습니다" in caught.value.text("ko")


def test_a_sheet_declaring_16384_columns_is_capped_by_cells(tmp_path):
    sheet = bomb_sheet(200).replace(b"<sheetData>", b'<dimension ref="A1:XFD200"/><sheetData>')
    data = xlsx_with_sheet(tmp_path, sheet)
    with pytest.raises(ImportLimitError) as caught:
        read_table(data, source="incident", limits=ImportLimits(max_cells=100_000))
    assert caught.value.key == "error.too_many_cells"
    assert caught.value.params["limit"] == 100_000


# --- config ----------------------------------------------------------------------------------


def test_import_caps_are_read_from_the_station(station, tmp_path):
    assert station.import_limits == ImportLimits()
    text = station.source_file.read_text(encoding="utf-8")
    assert "[import]" in text
    base = text[: text.index("[import]")].replace('"geo/', f'"{station.source_file.parent}/geo/')
    path = tmp_path / "station.toml"
    path.write_text(base, encoding="utf-8")
    assert load_station(path).import_limits == ImportLimits()  # defaults without the table
    path.write_text(
        base + "[import]\nmax_file_mb = 5\nmax_rows = 10\nmax_cell_chars = 20\n"
        "max_xlsx_uncompressed_mb = 7\nmax_xlsx_ratio = 30\nmax_cells = 1000\n",
        encoding="utf-8",
    )
    assert load_station(path).import_limits == ImportLimits(
        max_file_bytes=5 * MIB,
        max_rows=10,
        max_cell_chars=20,
        max_xlsx_bytes=7 * MIB,
        max_xlsx_ratio=30,
        max_cells=1000,
    )
    path.write_text(base + "[import]\nmax_rows = 0\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[import\] max_rows must be >= 1"):
        load_station(path)


# --- the command line and the data page ------------------------------------------------------


def test_cli_refuses_a_zip_bomb_in_one_line(tmp_path, capsys):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(xlsx_with_sheet(tmp_path, bomb_sheet(60_000)))
    db = str(tmp_path / "cli.sqlite")
    assert main(["import", "--source", "incident", str(path), "--db", db]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith(f"{path}: XLSX 파일 안의 'xl/worksheets/sheet1.xml'이(가)")
    engine = store.open_store(db)
    assert store.is_empty(engine) and audit_entries(engine)["action"].tolist() == ["import.fail"]


def test_cli_imports_an_over_long_cell_file_and_lists_the_row(tmp_path, capsys):
    path = write_csv(tmp_path / "long.csv", long_text_rows(3, at=0))
    db = str(tmp_path / "cli.sqlite")
    assert main(["import", "--source", "incident", str(path), "--db", db, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "imported 2" in out and "rejected 1" in out
    assert "    2: the '비고' cell has 200,000 characters, over the limit of 10,000" in out


def test_cli_refuses_a_ragged_csv_it_cannot_parse(tmp_path, capsys):
    rows = long_text_rows(3, at=1)
    rows[3] = [*rows[3], "extra"]
    path = write_csv(tmp_path / "ragged.csv", rows)
    db = str(tmp_path / "cli.sqlite")
    assert main(["import", "--source", "incident", str(path), "--db", db]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "CSV 3행 근처의 한 칸이" in err


def test_the_data_page_preview_shows_the_refusal_in_korean(tmp_path):
    from ui.data_admin import preview

    bomb = xlsx_with_sheet(tmp_path, bomb_sheet(60_000))
    p = preview(bomb, "bomb.xlsx", "incident", None, "sqlite://", "v1")
    assert "압축 폭탄" in p["error"]["ko"] and "zip bomb" in p["error"]["en"]
    assert p["audit_detail"].startswith("source=incident error=error.xlsx_ratio")
    assert p["audit_detail"].endswith("(preview)")
    long_csv = csv_bytes(long_text_rows(3, at=0))
    p = preview(long_csv, "long.csv", "incident", None, f"sqlite:///{tmp_path}/s.sqlite", "v1")
    assert p["error"] is None and len(p["rejected"]) == 1


def test_a_refused_upload_is_audited_once_per_upload(tmp_path, monkeypatch):
    """The page reruns on every click; the refusal is recorded once."""
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "app.sqlite"
    store.open_store(str(db)).dispose()
    monkeypatch.setenv("TEST_STORE_URL", f"sqlite:///{db}")

    def page():
        import os

        from ui.data_admin import audit_refused_upload

        url = os.environ["TEST_STORE_URL"]
        detail = "source=incident error=error.xlsx_ratio (preview)"
        audit_refused_upload("upload-1", "bomb.xlsx", detail, url)
        audit_refused_upload("upload-1", "bomb.xlsx", detail, url)

    at = AppTest.from_function(page)
    at.run()
    at.run()
    assert not at.exception
    log = audit_entries(store.open_store(str(db)))
    assert log[["action", "file_name"]].values.tolist() == [["import.fail", "bomb.xlsx"]]
