"""Column mappings saved by name: per station and source, audited, the latest per name,
and applied by the CLI's ``import --template``."""

from __future__ import annotations

import pytest

from analytics.access.audit import read_audit
from analytics.cli import main
from analytics.storage import store
from analytics.storage.mappings import list_templates, load_template, save_template
from tests.conftest import NOW, write_csv

WEEKLY = {"작성 시점": "occurred_at", "어디": "location_text", "뭐": "category", "비고": "ignore"}


def test_a_saved_template_is_read_back_with_its_audit_entry(engine):
    saved = save_template(
        engine,
        source="incident",
        name="  112 주간   내보내기 ",
        columns=WEEKLY,
        date_order="dmy",
        actor="kim",
        now=NOW,
    )
    assert saved.name == "112 주간 내보내기" and saved.day_first is True
    got = load_template(engine, source="incident", name="112 주간 내보내기")
    assert got == saved and got.columns == WEEKLY and got.created_by == "kim"
    entry = read_audit(engine).iloc[0]
    assert entry["action"] == "mapping.save" and entry["actor"] == "kim"
    assert "template=112 주간 내보내기" in entry["detail"] and "columns=3" in entry["detail"]


def test_the_latest_per_name_and_each_station_and_source_its_own(engine):
    save_template(engine, source="incident", name="주간", columns={"a": "occurred_at"}, actor="k")
    save_template(engine, source="incident", name="주간", columns={"b": "occurred_at"}, actor="k")
    save_template(engine, source="complaint", name="주간", columns={"c": "occurred_at"}, actor="k")
    save_template(
        engine,
        source="incident",
        name="진안",
        columns={"d": "occurred_at"},
        actor="k",
        station="jinan",
    )
    mine = list_templates(engine, source="incident")
    assert [(t.name, t.columns) for t in mine] == [("주간", {"b": "occurred_at"})]
    assert [t.source for t in list_templates(engine)] == ["complaint", "incident"]
    assert [t.name for t in list_templates(engine, source="incident", station="jinan")] == ["진안"]
    assert load_template(engine, source="suggestion", name="주간") is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "needs a name"),
        ({"name": "x" * 81}, "longer than"),
        ({"source": "tweets"}, "source must be"),
        ({"columns": {"a": "when"}}, "unknown fields"),
        ({"columns": {"a": "occurred_at", "b": "occurred_at"}}, "two columns"),
        ({"date_order": "ymd"}, "date_order"),
    ],
)
def test_a_bad_template_is_refused_and_nothing_is_written(engine, kwargs, message):
    args = {"source": "incident", "name": "주간", "columns": WEEKLY, "actor": "kim", **kwargs}
    with pytest.raises(ValueError, match=message):
        save_template(engine, **args)
    assert list_templates(engine) == [] and read_audit(engine).empty


def test_a_name_with_a_phone_number_is_masked(engine):
    saved = save_template(
        engine, source="incident", name="김 010-1234-5678 요청", columns=WEEKLY, actor="kim"
    )
    assert "1234-5678" not in saved.name
    assert "1234-5678" not in list_templates(engine)[0].name


def _weekly_export(tmp_path):
    rows = [
        ["작성 시점", "어디", "뭐", "비고"],
        ["03/04/2017 21:35", "공설시장", "폭행", "전화 010-1234-5678"],
        ["05/06/2017", "공설시장", "절도", ""],
    ]
    return write_csv(tmp_path / "weekly.csv", rows)


def test_the_command_line_imports_with_a_template(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    engine = store.open_store(db)
    save_template(engine, source="incident", name="112 주간", columns=WEEKLY, actor="k")
    path = str(_weekly_export(tmp_path))
    args = ["import", "--source", "incident", path, "--db", db]
    assert main([*args, "--template", "없는 것"]) == 2
    err = capsys.readouterr().err
    assert "열 대응표 '없는 것'이(가) 없습니다" in err and "112 주간" in err
    assert store.is_empty(engine)
    # Without a date order the file cannot tell 03/04 from 04/03: rows rejected, said.
    assert main([*args, "--template", "112 주간"]) == 0
    assert "가져옴 0" in capsys.readouterr().out
    save_template(
        engine, source="incident", name="112 주간", columns=WEEKLY, date_order="dmy", actor="k"
    )
    assert main([*args, "--template", "112 주간"]) == 0
    out = capsys.readouterr().out
    assert "가져옴 2" in out and "일/월/연" in out
    ev = store.read_events(engine).sort_values("occurred_at")
    assert ev["occurred_at"].dt.strftime("%Y-%m-%d").tolist() == ["2017-04-03", "2017-06-05"]
    assert ev["description"].isna().all()  # 비고 ignored, as the template says


def test_a_mapping_file_and_a_date_order_override_the_template(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    engine = store.open_store(db)
    save_template(
        engine, source="incident", name="주간", columns=WEEKLY, date_order="dmy", actor="k"
    )
    mapping = tmp_path / "map.csv"
    mapping.write_text("column,field\n비고,description\n", encoding="utf-8")
    args = ["import", "--source", "incident", str(_weekly_export(tmp_path)), "--db", db]
    assert (
        main([*args, "--template", "주간", "--mapping", str(mapping), "--date-order", "mdy"]) == 0
    )
    ev = store.read_events(engine).sort_values("occurred_at")
    assert ev["occurred_at"].dt.strftime("%Y-%m-%d").tolist() == ["2017-03-04", "2017-05-06"]
    assert "1234-5678" not in " ".join(ev["description"].dropna())  # masked, as always
    assert ev["description"].notna().sum() == 1
