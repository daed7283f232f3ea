"""Every third-party package the code imports is declared in requirements*.txt.

A package that is only installed because another one depends on it (altair through
streamlit, branca through folium) works until that other package drops it or moves
it to a version we do not expect; declaring and pinning it keeps the build
reproducible. The imports are read from the source (ast), so a function-level
import counts as much as a module-level one.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# First-party code: the application, its benchmarks and tools, and the tests.
FIRST_PARTY_DIRS = ("analytics", "ui", "pages", "bench", "tools", "tests")
FIRST_PARTY_FILES = ("dashboard.py",)
REQUIREMENT_FILES = sorted(ROOT.glob("requirements*.txt"))


def first_party_files() -> list[Path]:
    """Every first-party Python file under :data:`ROOT`."""
    files = [ROOT / name for name in FIRST_PARTY_FILES if (ROOT / name).exists()]
    for folder in FIRST_PARTY_DIRS:
        files.extend(sorted((ROOT / folder).rglob("*.py")))
    return files


def first_party_names() -> set[str]:
    """Top-level import names that are this project's own packages and modules."""
    return {Path(name).stem for name in (*FIRST_PARTY_DIRS, *FIRST_PARTY_FILES)}


def imported_top_names(path: Path) -> set[str]:
    """Top-level names of the absolute imports in ``path``, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def third_party_imports() -> dict[str, list[str]]:
    """``{top-level import name: [files importing it]}`` for names outside the
    standard library and this project."""
    own = first_party_names()
    found: dict[str, list[str]] = {}
    for path in first_party_files():
        for name in imported_top_names(path):
            if name in sys.stdlib_module_names or name in own:
                continue
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def canonical(name: str) -> str:
    """A distribution name as PEP 503 compares them (``SQLAlchemy`` = ``sqlalchemy``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions() -> set[str]:
    """Canonical names of the distributions pinned in every ``requirements*.txt``."""
    declared = set()
    for path in REQUIREMENT_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.partition("#")[0].strip()
            if not line or line.startswith("-"):
                continue
            declared.add(canonical(re.split(r"[\s\[<>=!~;@]", line, maxsplit=1)[0]))
    return declared


def test_the_requirement_files_are_found():
    names = {p.name for p in REQUIREMENT_FILES}
    assert {"requirements.txt", "requirements-dev.txt"} <= names


def test_the_scan_sees_the_imports_it_should():
    # A guard for the scan itself: streamlit and pandas are imported at module level,
    # pyarrow and charset_normalizer inside functions of the importers.
    found = third_party_imports()
    assert {"streamlit", "pandas", "pyarrow", "charset_normalizer"} <= set(found)
    assert "analytics" not in found and "os" not in found


def test_every_imported_third_party_package_is_declared():
    by_module = packages_distributions()
    declared = declared_distributions()
    undeclared = {}
    for name, files in sorted(third_party_imports().items()):
        distributions = by_module.get(name)
        if not distributions:
            undeclared[name] = f"not installed (imported by {files[0]})"
        elif not {canonical(d) for d in distributions} & declared:
            undeclared[name] = f"{distributions} not in requirements*.txt (imported by {files[0]})"
    assert undeclared == {}


@pytest.mark.parametrize("path", REQUIREMENT_FILES, ids=lambda p: p.name)
def test_every_requirement_is_pinned(path):
    loose = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if (text := line.partition("#")[0].strip()) and "==" not in text
    ]
    assert loose == []
