"""The layout holds: rooms without import circles, one home per idea (tools/layout_report.py)."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parent.parent / "tools" / "layout_report.py"
_spec = importlib.util.spec_from_file_location("layout_report", REPORT)
layout_report = importlib.util.module_from_spec(_spec)
sys.modules["layout_report"] = layout_report  # its dataclasses look their module up
_spec.loader.exec_module(layout_report)


@pytest.fixture(scope="module")
def found():
    """The layout figures of the checkout under test."""
    return layout_report.report()


def test_there_are_no_import_circles(found):
    assert found.circles == []


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert layout_report.import_circles(graph) == [["a", "b", "c"]]
    assert layout_report.import_circles({"a": {"b"}, "b": set()}) == []


def test_only_the_station_file_reader_names_a_time_zone(found):
    assert found.zone_files == ["analytics/station/config.py"]


def test_no_python_file_holds_a_korean_english_text_dict(found):
    assert found.text_dict_files == []


def test_the_text_dict_finder_finds_one():
    tree = ast.parse('LABELS = {"title": {"ko": "제목", "en": "Title"}}')
    dicts = [n for n in ast.walk(tree) if isinstance(n, ast.Dict)]
    assert any(layout_report._is_text_dict(d) for d in dicts)


def test_there_is_exactly_one_hotspot_query(found):
    assert len(found.hotspot_queries) == 1
    assert found.hotspot_queries[0].startswith("analytics/query.py:")


def test_no_first_party_module_is_over_900_lines(found):
    assert found.long == []


def test_rooms_are_packages_that_say_what_they_hold():
    root = layout_report.ROOT / "analytics"
    for room in ("station", "storage", "access", "compute", "presentation", "text", "demo", "cli"):
        init = root / room / "__init__.py"
        assert init.exists(), room
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), room


def test_analytics_never_imports_streamlit():
    graph_files = [
        f
        for f in layout_report.first_party_files()
        if f.relative_to(layout_report.ROOT).parts[0] == "analytics"
    ]
    offenders = []
    for path in graph_files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path))
    assert graph_files and offenders == []
