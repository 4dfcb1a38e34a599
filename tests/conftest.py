"""Shared fixtures: a real sandbox on loopback, the repository's paths, and a CLI runner.

The sandboxes are started once per session and reset before each test (records, requests,
settings and faults), so a test sees a pristine sandbox without paying for a server's start
and stop. A test that needs a server of its own (other options, a stopped server) starts one.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from importer import targets
from importer.cli import main
from importer.sandbox import AfasSandbox, Faults, RecrasSandbox, afas_store, recras

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
    box.faults.use(Faults())
    return box


def reset_recras(box: RecrasSandbox) -> RecrasSandbox:
    """The Recras sandbox as ``RecrasSandbox.start()`` leaves it."""
    with box.state.lock:
        box.state.reset()
        box.state.companies = copy.deepcopy(recras.BEDRIJVEN)
        box.state.page_size = recras.PAGE_SIZE
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
