"""The layout keeps its promises: generic modules name no target system, and no module-level
import cycle exists among the package's modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "importer"
# the packages that are a system's own: its target package, and the sandboxes imitating it
SYSTEM_SPECIFIC = (PACKAGE / "targets", PACKAGE / "sandbox")
SYSTEM_NAMES = re.compile(r"afas|recras|profit", re.IGNORECASE)


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def test_generic_modules_name_no_target_system():
    generic = [
        p for p in PACKAGE.rglob("*.py") if not any(p.is_relative_to(s) for s in SYSTEM_SPECIFIC)
    ]
    named = {
        f"{p.relative_to(ROOT)}:{n}": line.strip()
        for p in generic
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if SYSTEM_NAMES.search(line)
    }
    assert generic and named == {}
    # the registry is the one place in importer/targets/ outside the systems' packages
    registry = (PACKAGE / "targets" / "__init__.py").read_text(encoding="utf-8")
    assert 'BUILT_IN = ("importer.targets.afas", "importer.targets.recras")' in registry


def test_no_import_cycle_among_the_modules():
    found = modules()
    graph: dict[str, set[str]] = {}
    for name, path in found.items():
        deps = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # module level only
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("importer"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    deps.add(full if full in found else str(node.module))
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("importer")}
        graph[name] = {d for d in deps if d in found and d != name}

    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for dep in sorted(graph[module]):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert len(graph) > 30 and cycles == []
