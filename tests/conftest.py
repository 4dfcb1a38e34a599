"""Shared fixtures: a real sandbox on loopback, the repository's paths, and a CLI runner.

The sandboxes are started once per session and reset before each test (records, requests,
settings and faults), so a test sees a pristine sandbox without paying for a server's start
and stop. A test that needs a server of its own (other options, a stopped server) starts one.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import yaml

from importer import targets
from importer.cli import main
from importer.journal.store import Journal
from importer.sandbox import AfasSandbox, Faults, RecrasSandbox, afas_store, recras_state
from importer.sandbox.afas_countries import PROFIT_COUNTRIES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FLEX = ROOT / "mappings" / "flex.yaml"


@pytest.fixture(autouse=True)
def _no_real_target(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """Never let a developer's own AFAS settings leak into a test, and keep the journals of
    the shipped mappings out of the repository (each test gets its own journal folder)."""
    settings = {s.name for name in targets.names() for s in targets.spec(name).settings}
    for name in list(os.environ):
        if name in settings or name.startswith("IMPORTER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("IMPORTER_JOURNAL_DIR", str(tmp_path_factory.mktemp("journals")))
    monkeypatch.setenv("IMPORTER_STATE_DIR", str(tmp_path_factory.mktemp("state")))


def reset_afas(box: AfasSandbox) -> AfasSandbox:
    """The AFAS sandbox as ``AfasSandbox.start()`` leaves it: empty, default settings, no faults."""
    box.state.reset()
    box.state.project_groups = afas_store.PROJECT_GROUPS
    box.state.countries = PROFIT_COUNTRIES
    box.state.items = None
    box.faults.use(Faults())
    return box


def reset_recras(box: RecrasSandbox) -> RecrasSandbox:
    """The Recras sandbox as ``RecrasSandbox.start()`` leaves it."""
    with box.state.lock:
        box.state.reset()
        box.state.companies = copy.deepcopy(recras_state.BEDRIJVEN)
        box.state.page_size = recras_state.PAGE_SIZE
        box.state.refuse_writes = False
    box.faults.use(Faults())
    return box


@pytest.fixture(scope="session")
def _afas_once() -> Iterator[AfasSandbox]:
    with AfasSandbox.start() as box:
        yield box


@pytest.fixture(scope="session")
def _recras_once() -> Iterator[RecrasSandbox]:
    with RecrasSandbox.start() as box:
        yield box


@pytest.fixture
def sandbox(_afas_once: AfasSandbox) -> AfasSandbox:
    """An empty AFAS sandbox served over HTTP on 127.0.0.1 (shared, reset for each test)."""
    return reset_afas(_afas_once)


@pytest.fixture
def recras_sandbox(_recras_once: RecrasSandbox) -> RecrasSandbox:
    """An empty Recras sandbox served over HTTP on 127.0.0.1 (shared, reset for each test)."""
    return reset_recras(_recras_once)


@pytest.fixture
def afas_env(sandbox: AfasSandbox, monkeypatch: pytest.MonkeyPatch) -> AfasSandbox:
    """The environment pointing the importer at the sandbox, as a user would set it."""
    monkeypatch.setenv("AFAS_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("AFAS_TOKEN", sandbox.token)
    return sandbox


@pytest.fixture
def recras_env(recras_sandbox: RecrasSandbox, monkeypatch: pytest.MonkeyPatch) -> RecrasSandbox:
    """The environment pointing the importer at the Recras sandbox, as a user would set it."""
    monkeypatch.setenv("RECRAS_BASE_URL", recras_sandbox.base_url)
    monkeypatch.setenv("RECRAS_TOKEN", recras_sandbox.token)
    return recras_sandbox


@pytest.fixture
def demo_env(afas_env: AfasSandbox) -> AfasSandbox:
    """A sandbox with the demo debtors, as ``--sandbox`` and ``importer sandbox`` start."""
    afas_env._add_demo_debtors()
    afas_env.faults.use(Faults())  # the demo debtors were not the test's writes
    return afas_env


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run the importer command in-process, in an empty working folder, like a user would."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str | Path) -> Ran:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


def seed(name: str) -> dict:
    """One of AFAS's example bodies (fixtures/seed), as the Flex sample must render it."""
    return json.loads((FIXTURES / "seed" / f"{name}.json").read_text())


# --- helpers of the end-to-end tests of the Flex sample -------------------------------------------

CUSTOMERS = 25  # rows of samples/flex/klanten.csv


def variant(tmp_path: Path, change: Callable[[dict], None]) -> Path:
    """A copy of the Flex mapping, changed by ``change(data)``, reading the same files."""
    data = yaml.safe_load(FLEX.read_text())
    data["sources"]["klanten"]["file"] = str(ROOT / "samples/flex/klanten.csv")
    data["templates"] = str(ROOT / "templates")
    change(data)
    path = tmp_path / "flex.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def run_in_background(box: AfasSandbox, cwd: Path, *args: str | Path) -> subprocess.Popen:
    """``importer run`` of the Flex mapping in a process of its own, pointed at ``box``."""
    env = {**os.environ, "AFAS_BASE_URL": box.base_url, "AFAS_TOKEN": box.token}
    return subprocess.Popen(
        [sys.executable, "-m", "importer", "run", str(FLEX), *map(str, args)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], object], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def writes(box: AfasSandbox) -> int:
    return len(box.state.requests)


def statuses(path: Path, sheet: str) -> dict[int, str]:
    """Each row's status on a sheet of a result workbook."""
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    column = rows[0].index("status")
    return {r[0]: r[column] for r in rows[1:]}


def commits(journal: Journal) -> list[str]:
    """The journal's COMMITs from now on, as they happen (a list that grows)."""
    seen: list[str] = []
    journal._db.set_trace_callback(lambda sql: seen.append(sql) if sql == "COMMIT" else None)
    return seen


def posted_relations(box: AfasSandbox) -> list[str]:
    """The customer number (``@DbId``) of every sales relation posted to the sandbox."""
    return [
        b["KnSalesRelationOrg"]["Element"]["@DbId"]
        for b in box.state.received("KnSalesRelationOrg")
    ]


def assert_each_record_once(box: AfasSandbox, customers: int = CUSTOMERS) -> None:
    """Every Flex customer is a sales relation once, with one customer agreement."""
    assert len(box.state.debtors) == customers
    posted = posted_relations(box)
    assert sorted(posted) == sorted(set(posted)), "a sales relation was sent twice"
    agreements = [p["fields"]["DbId"] for p in box.state.projects.values()]
    assert sorted(agreements) == sorted(box.state.debtors), "an agreement was created twice"
