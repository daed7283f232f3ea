"""The one message catalogue (analytics.text): complete, consistent, one fallback rule."""

from __future__ import annotations

import string

import pytest

from analytics import text as catalogue_module
from analytics.text import catalogue, language, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_has_korean_and_english():
    entries = catalogue()
    assert len(entries) > 300
    gaps = [k for k, v in entries.items() if set(v) != {"ko", "en"} or not all(v.values())]
    assert gaps == []


def test_korean_and_english_take_the_same_placeholders():
    mismatched = {
        key: (sorted(_fields(v["ko"])), sorted(_fields(v["en"])))
        for key, v in catalogue().items()
        if _fields(v["ko"]) != _fields(v["en"])
    }
    assert mismatched == {}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ko", "ko"), ("en", "en"), ("fr", "ko"), ("", "ko"), (None, "ko"), ("EN", "ko")],
)
def test_one_fallback_rule_unknown_language_reads_korean(lang, expected):
    assert language(lang) == expected
    assert text("brief.title", lang) == catalogue()["brief.title"][expected]


def test_a_missing_key_raises():
    with pytest.raises(KeyError):
        text("no.such.key")


def test_formatting_fills_placeholders():
    assert text("reason.bad_date", "en", value="2017-13-45") == "cannot read the date: '2017-13-45'"


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        ('[a]\nb.ko = "가"\n', "needs a non-empty"),
        ('[a]\nb.ko = "가"\nb.en = ""\n', "needs a non-empty"),
        ('[a]\nb = "x"\n', "is not a ko/en entry"),
    ],
)
def test_loading_refuses_incomplete_entries(tmp_path, monkeypatch, toml, error):
    (tmp_path / "bad.toml").write_text(toml, encoding="utf-8")
    monkeypatch.setattr(catalogue_module, "CATALOGUE_DIR", tmp_path)
    catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match=error):
            catalogue()
    finally:
        monkeypatch.undo()
        catalogue.cache_clear()


def test_loading_refuses_a_key_defined_twice(tmp_path, monkeypatch):
    for name in ("one", "two"):
        (tmp_path / f"{name}.toml").write_text('[a]\nb.ko = "가"\nb.en = "b"\n', encoding="utf-8")
    monkeypatch.setattr(catalogue_module, "CATALOGUE_DIR", tmp_path)
    catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="defined twice"):
            catalogue()
    finally:
        monkeypatch.undo()
        catalogue.cache_clear()
