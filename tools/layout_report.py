"""Figures of the project's layout: import circles, zone literals, text dicts, long modules.

Run ``python tools/layout_report.py`` to print them; ``tests/test_layout.py`` holds the
project to them. Only the standard library is used, so the report runs before the
environment is built.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analytics", "ui", "pages")
TOP_FILES = ("dashboard.py",)
ZONE_LITERALS = ("Asia/Seoul",)
MAX_LINES = 900


def first_party_files(root: Path = ROOT) -> list[Path]:
    """Every first-party Python file (application code, not tests or tools)."""
    files = [root / name for name in TOP_FILES if (root / name).exists()]
    for package in PACKAGES:
        files.extend(sorted((root / package).rglob("*.py")))
    return [f for f in files if "versions" not in f.parts]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imported_modules(path: Path, name: str, known: set[str]) -> set[str]:
    """First-party modules a file imports at module level or inside functions.

    ``from package import name`` counts as an import of ``package.name`` when that is a
    module, else of ``package``. Imports under ``if TYPE_CHECKING:`` are left out: they
    never run.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    type_checking: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in ast.walk(node):
                type_checking.add(id(child))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_checking:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    resolved = set()
    for target in found:
        # `import a.b.c` also imports a and a.b; a circle through a package's
        # __init__ is real, so keep the longest known prefix.
        parts = target.split(".")
        while parts and ".".join(parts) not in known:
            parts.pop()
        if parts:
            resolved.add(".".join(parts))
    resolved.discard(name)
    return resolved


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    files = first_party_files(root)
    known = {module_name(f, root) for f in files}
    return {module_name(f, root): _imported_modules(f, module_name(f, root), known) for f in files}


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            # A package importing its own submodule (re-export) is not a circle of
            # ideas, but a submodule importing back through its package is.
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(circles)


def files_naming_zone(root: Path = ROOT) -> list[str]:
    hits = []
    for path in first_party_files(root):
        text = path.read_text(encoding="utf-8")
        if any(zone in text for zone in ZONE_LITERALS):
            hits.append(str(path.relative_to(root)))
    return hits


def _is_text_dict(node: ast.Dict) -> bool:
    keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return {"ko", "en"} <= keys


def files_with_text_dicts(root: Path = ROOT) -> list[str]:
    """Files holding a ``{"ko": …, "en": …}`` dict or a dict keyed by language tables."""
    hits = []
    for path in first_party_files(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Dict) and _is_text_dict(n) for n in ast.walk(tree)):
            hits.append(str(path.relative_to(root)))
    return hits


def classes_named(name: str, root: Path = ROOT) -> list[str]:
    hits = []
    for path in first_party_files(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == name:
                hits.append(f"{path.relative_to(root)}:{node.lineno}")
    return hits


def long_modules(root: Path = ROOT, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    out = []
    for path in first_party_files(root):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            out.append((str(path.relative_to(root)), lines))
    return sorted(out, key=lambda item: -item[1])


@dataclass
class LayoutReport:
    modules: int
    circles: list[list[str]] = field(default_factory=list)
    zone_files: list[str] = field(default_factory=list)
    text_dict_files: list[str] = field(default_factory=list)
    hotspot_queries: list[str] = field(default_factory=list)
    long: list[tuple[str, int]] = field(default_factory=list)


def report(root: Path = ROOT) -> LayoutReport:
    return LayoutReport(
        modules=len(first_party_files(root)),
        circles=import_circles(import_graph(root)),
        zone_files=files_naming_zone(root),
        text_dict_files=files_with_text_dicts(root),
        hotspot_queries=classes_named("HotspotQuery", root),
        long=long_modules(root),
    )


def main() -> int:
    found = report()
    print(f"first-party modules:            {found.modules}")
    print(f"import circles:                 {len(found.circles)}")
    for circle in found.circles:
        print("    " + " <-> ".join(circle))
    print(f"files naming the zone:          {len(found.zone_files)}")
    for name in found.zone_files:
        print("    " + name)
    print(f"files with ko/en text dicts:    {len(found.text_dict_files)}")
    for name in found.text_dict_files:
        print("    " + name)
    print(f"HotspotQuery classes:           {len(found.hotspot_queries)}")
    for name in found.hotspot_queries:
        print("    " + name)
    print(f"modules over {MAX_LINES} lines:         {len(found.long)}")
    for name, lines in found.long:
        print(f"    {name}: {lines}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
