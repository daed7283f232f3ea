"""``python -m analytics pack``: the brief's meeting pack from the command line."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from analytics.__main__ import main
from analytics.access.audit import read_audit
from analytics.storage import store

WEEK = "2017-12-29"  # the last complete week of the demo year


def same_but_ids(a: bytes, b: bytes) -> bool:
    ids = re.compile(rb"_[0-9a-f]{32}")
    return ids.sub(b"_", a) == ids.sub(b"_", b)


def ui_pack(demo_db, *, masked: bool, lang: str = "ko") -> bytes:
    """What the brief's download button gives, for an analyst or a viewer."""
    from analytics.presentation.week_pack import week_query
    from ui import data, data_unit

    version = data.versioned(
        store.data_version(store.open_store(str(demo_db))), "namwon", masked=masked
    )
    query = week_query(dt.date.fromisoformat(WEEK))
    return data_unit.meeting_pack_bytes(str(demo_db), version, query, lang)


@pytest.mark.parametrize(
    ("role", "masked", "lang"), [("analyst", False, "ko"), ("viewer", True, "en")]
)
def test_the_pack_is_the_briefs_download(demo_db, tmp_path, capsys, role, masked, lang):
    out = tmp_path / "pack.html"
    argv = [
        "pack",
        "--week",
        WEEK,
        "--for",
        role,
        "--lang",
        lang,
        "--out",
        str(out),
        "--db",
        str(demo_db),
    ]
    assert main(argv) == 0
    assert str(out) in capsys.readouterr().out
    page = out.read_bytes()
    # One builder, one file (folium names each map element with a random id).
    assert same_but_ids(page, ui_pack(demo_db, masked=masked, lang=lang))
    assert ("2017.12.22" if lang == "ko" else "22–28 Dec 2017").encode() in page
    exported = read_audit(store.open_store(str(demo_db)), limit=5)
    assert f"meeting pack {WEEK} role={role}" in exported["detail"].tolist()


def test_the_latest_week_by_default(demo_db, tmp_path):
    out = tmp_path / "pack.html"
    assert main(["pack", "--out", str(out), "--db", str(demo_db)]) == 0
    assert "2017.12.22(금) ~ 12.28(목)" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("week", "says"),
    [
        ("2030-01-04", "자료가 없습니다 (자료 기간: 2017-01-01 ~ 2017-12-31)"),
        ("2017-12-28", "회의일(금요일)이 아닙니다"),
    ],
)
def test_a_week_outside_the_data_is_refused_clearly(demo_db, tmp_path, capsys, week, says):
    out = tmp_path / "pack.html"
    assert main(["pack", "--week", week, "--out", str(out), "--db", str(demo_db)]) == 2
    assert says in capsys.readouterr().err and not out.exists()


def test_an_empty_store_says_so(tmp_path, capsys):
    assert (
        main(["pack", "--out", str(tmp_path / "p.html"), "--db", str(tmp_path / "e.sqlite")]) == 2
    )
    assert "자료가 아직 없습니다" in capsys.readouterr().err
