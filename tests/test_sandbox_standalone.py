"""The sandboxes stand alone: no sandbox module imports the importer's clients, and
``importer.sandbox.start`` starts each system's sandbox by name.

A test double never shares the code it tests: if the sandbox imported ``importer.targets``
(the clients, their catalogs and contracts), client and sandbox could not disagree.
"""

from __future__ import annotations

import ast
from pathlib import Path

import httpx
import pytest

import importer.sandbox
from importer.sandbox import SYSTEMS, AfasSandbox, RecrasSandbox, start
from importer.sandbox.auth import token_header

SANDBOX = Path(importer.sandbox.__file__).parent
CLIENTS = "importer.targets"


def imported(source: str, module: str, *, package: bool = False) -> set[str]:
    """Every module the import statements of ``module`` name, relative imports resolved.

    ``from a import b`` counts as ``a`` and ``a.b`` (``b`` may be a module); a call of
    ``importlib.import_module`` or ``__import__`` with a literal name counts too.
    """
    here = module if package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in ("import_module", "__import__") and isinstance(first, ast.Constant):
                names.add(str(first.value))
    return names


def _from_clients(names: set[str]) -> set[str]:
    return {name for name in names if name == CLIENTS or name.startswith(f"{CLIENTS}.")}


def test_the_import_walk_finds_every_way_of_importing_the_clients() -> None:
    sources = {
        "from importer.targets.afas import catalog": "importer.sandbox.afas",
        "import importer.targets.recras.client as recras": "importer.sandbox.recras",
        "from importer import targets": "importer.sandbox.afas",
        "from ..targets.afas.catalog import fields": "importer.sandbox.afas",
        "from .. import targets": "importer.sandbox.afas",
        "import importlib\nimportlib.import_module('importer.targets.afas')": "importer.sandbox",
    }

    for source, module in sources.items():
        assert _from_clients(imported(source, module)), source
    assert imported("from . import afas_rules", "importer.sandbox.afas") == {
        "importer.sandbox",
        "importer.sandbox.afas_rules",
    }
    assert imported("from .afas import create_app", "importer.sandbox", package=True) == {
        "importer.sandbox.afas",
        "importer.sandbox.afas.create_app",
    }


def test_no_sandbox_module_imports_the_clients() -> None:
    paths = sorted(SANDBOX.rglob("*.py"))
    assert {"__init__", "afas", "afas_rules", "recras", "auth"} <= {p.stem for p in paths}

    for path in paths:
        parts = path.relative_to(SANDBOX.parent.parent).with_suffix("").parts
        package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if package else parts)
        found = _from_clients(imported(path.read_text(encoding="utf-8"), module, package=package))
        assert found == set(), f"{path.name} imports {sorted(found)}"


# --- Starting a sandbox by name -----------------------------------------------------------------


def test_start_serves_each_system_by_name() -> None:
    assert list(SYSTEMS.items()) == [("afas", AfasSandbox), ("recras", RecrasSandbox)]

    with start("afas", token="D3M0T0KEN", demo=True) as afas:
        headers = {"Authorization": token_header("D3M0T0KEN")}
        reply = httpx.get(f"{afas.base_url}/metainfo", headers=headers)
        assert isinstance(afas, AfasSandbox)
        assert reply.status_code == 200
        assert sorted(afas.state.debtors) == ["10001", "10002", "10003"]
    with start("recras", token="sleutel", page_size=2) as recras:
        headers = {"Authorization": "Bearer sleutel"}
        reply = httpx.get(f"{recras.base_url}/api2/personeel/me", headers=headers)
        assert isinstance(recras, RecrasSandbox)
        assert reply.status_code == 200
        assert recras.state.page_size == 2


def test_start_refuses_an_unknown_system_naming_the_known_ones() -> None:
    with pytest.raises(ValueError) as refused:
        start("exact")

    assert str(refused.value) == "no sandbox for system 'exact'; known: afas, recras"
    with pytest.raises(TypeError, match="page_size"):
        start("afas", page_size=2)
