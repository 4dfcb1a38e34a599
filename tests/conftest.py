"""Shared fixtures: a real sandbox on loopback, the repository's paths, and a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from importer import targets
from importer.cli import main
from importer.sandbox import AfasSandbox

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


@pytest.fixture
def sandbox() -> Iterator[AfasSandbox]:
    """A fresh AFAS sandbox served over HTTP on 127.0.0.1."""
    with AfasSandbox.start() as box:
        yield box


@pytest.fixture
def afas_env(sandbox: AfasSandbox, monkeypatch: pytest.MonkeyPatch) -> AfasSandbox:
    """The environment pointing the importer at the sandbox, as a user would set it."""
    monkeypatch.setenv("AFAS_BASE_URL", sandbox.base_url)
    monkeypatch.setenv("AFAS_TOKEN", sandbox.token)
    return sandbox


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[AfasSandbox]:
    """A sandbox with the demo debtors, as ``--sandbox`` and ``importer sandbox`` start."""
    with AfasSandbox.start(demo=True) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)
        yield box


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
