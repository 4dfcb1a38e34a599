"""One conformance suite, run against every registered target: AFAS, Recras and the plain REST
API that exists only in the tests (tests/rest_target/).

Each case of ``CASES`` brings what is particular to its system: a sample mapping with its
inputs, how to start and reset its sandbox, what the sandbox received, and the words the system
is named with. The tests themselves say only what every target must do: a rerun sends nothing,
a refused key stops the run before any write, a lost answer is unknown and then reconciled by
the lookup, a busy target is waited out, ``--sandbox`` runs, an unreachable host stops.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import FLEX, ROOT, reset_afas, reset_recras
from rest_target import SPEC as REST
from rest_target.sample import MAPPING, TEMPLATE
from rest_target.sandbox import RestSandbox

from importer import targets
from importer.sandbox import Faults

FAST = ("--concurrency", "1", "--retry-backoff", "0.01", "--max-wait", "0.05")

REST_MEMBERS = "Number;Name;City\n1;Anna de Vries;Utrecht\n2;Bram Jansen;Ede\n3;Cor Dekker;Zwolle\n"


def rest_mapping(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "member.json.j2").write_text(TEMPLATE)
    (tmp_path / "members.csv").write_text(REST_MEMBERS)
    path = tmp_path / "members.yaml"
    path.write_text(MAPPING)
    return path


def reset_rest(box: RestSandbox) -> RestSandbox:
    box.reset()
    return box


@dataclass(frozen=True)
class Case:
    """What one target brings to the conformance suite."""

    target: str  # its name in the registry
    mapping: Callable[[Path], Path]  # writes (or names) a sample mapping, given a folder
    reset: Callable[[Any], Any]  # a running sandbox back to as it started, faults off
    posted: Callable[[Any], list[str]]  # the keys of the first step's records the sandbox took
    stored: Callable[[Any], int]  # how many of those records it holds
    writes: Callable[[Any], int]  # the writes its app received (refused ones too)
    records: int  # records of the first step the sample creates
    total_writes: int  # writes a clean run of the sample sends
    rows: int  # rows the summary counts
    files: str  # the files the summary line says it counted, and their rows
    sheet: str  # the first step's sheet in the result workbook
    result: str  # the result workbook's name
    first_rows: int  # rows the summary counts for the first record (its own and its parts')
    second_row: int  # the sheet row of the second write (concurrency 1)
    second_rows: int  # rows the summary counts for that record
    second_key: str  # its key in ``posted``
    missing: str  # what a run without settings says
    refused: str  # what a refused key says
    busy_failed: str  # the error of a row the target kept refusing as busy
    unreachable: str  # how "Cannot reach ..." names the system
    prefix: str = ""  # of its settings: AFAS_BASE_URL, ...
    path: str = ""  # of its API under the host


def afas_posted(box) -> list[str]:
    return [b["KnSalesRelationOrg"]["Element"]["@DbId"] for b in box.state.received(
        "KnSalesRelationOrg")]  # fmt: skip


def recras_posted(box) -> list[str]:
    return [b["naam"] for b in box.state.received("POST", "/api2/klanten")]


CASES = {
    "afas": Case(
        target="afas",
        mapping=lambda _: FLEX,
        reset=reset_afas,
        posted=afas_posted,
        stored=lambda box: len(box.state.debtors),
        writes=lambda box: len(box.state.requests),
        records=25,
        total_writes=50,
        rows=25,
        files="klanten.csv 25",
        sheet="verkooprelaties",
        result="flex-result.xlsx",
        first_rows=1,
        second_row=3,
        second_rows=1,
        second_key="49340",
        missing="AFAS_BASE_URL is not set",
        refused="AFAS refused the credentials (HTTP 401)",
        busy_failed="Het record is vergrendeld door een andere gebruiker. "
        "Probeer het later opnieuw.",
        unreachable="AFAS",
        prefix="AFAS",
        path="/ProfitRestServices",
    ),
    "recras": Case(
        target="recras",
        mapping=lambda _: ROOT / "mappings" / "recras-klanten.yaml",
        reset=reset_recras,
        posted=recras_posted,
        stored=lambda box: len(box.state.klanten),
        writes=lambda box: len(box.state.requests),
        records=15,
        total_writes=15,
        rows=40,  # the summary counts the klanten and their contact persons
        files="klanten.csv 15, contactpersonen.csv 25",
        sheet="klanten",
        result="recras-klanten-result.xlsx",
        first_rows=3,
        second_row=3,
        second_rows=2,
        second_key="Vrijgezellenfeest Zoë",
        missing="RECRAS_BASE_URL is not set",
        refused="Recras refused the API key (HTTP 401)",
        busy_failed="Recras is busy (HTTP 429: Too Many Requests)",
        unreachable="Recras",
        prefix="RECRAS",
    ),
    "rest": Case(
        target="rest",
        mapping=rest_mapping,
        reset=reset_rest,
        posted=lambda box: [body["number"] for method, _, body in box.requests if method == "POST"],
        stored=lambda box: len(box.records.get("members", {})),
        writes=lambda box: len(box.requests),
        records=3,
        total_writes=3,
        rows=3,
        files="members.csv 3",
        sheet="members",
        result="members-result.xlsx",
        first_rows=1,
        second_row=3,
        second_rows=1,
        second_key="2",
        missing="REST_BASE_URL",
        refused="the REST API refused the token",
        busy_failed="the REST API is busy (HTTP 429)",
        unreachable="the REST API",
        prefix="REST",
    ),
}


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


@pytest.fixture(scope="session")
def _rest_once() -> Iterator[RestSandbox]:
    box = RestSandbox.start()
    yield box
    box.stop()


@pytest.fixture
def registry(case: Case) -> Iterator[None]:
    """The case's target in the registry: the tests-only one is registered for the test."""
    if case.target in targets.names():
        yield
        return
    targets.register(REST)
    try:
        yield
    finally:
        targets.unregister(REST.name)


@pytest.fixture
def box(case: Case, registry, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """The case's sandbox (shared for the session, reset), the importer pointed at it."""
    shared = {"afas": "_afas_once", "recras": "_recras_once", "rest": "_rest_once"}
    sandbox = case.reset(request.getfixturevalue(shared[case.target]))
    for name, value in targets.spec(case.target).sandbox_settings(sandbox).items():
        monkeypatch.setenv(name, value)
    return sandbox


@pytest.fixture
def mapping(case: Case, registry, tmp_path: Path) -> Path:
    return case.mapping(tmp_path)


def statuses(case: Case, folder: Path) -> dict[int, str]:
    rows = list(
        openpyxl.load_workbook(folder / case.result)[case.sheet].iter_rows(values_only=True)
    )
    return {r[0]: r[rows[0].index("status")] for r in rows[1:]}


def errors(case: Case, folder: Path) -> dict[int, str]:
    rows = list(
        openpyxl.load_workbook(folder / case.result)[case.sheet].iter_rows(values_only=True)
    )
    return {r[0]: r[rows[0].index("error")] for r in rows[1:]}


def finished(case: Case, created: int, *, failed: int = 0, skipped: int = 0, rest: str = "") -> str:
    return (
        f"Import finished: {created} created, {failed} failed, 0 invalid, {skipped} skipped{rest}"
        f"; source rows: {case.files}\n"
    )


def assert_each_record_once(case: Case, box) -> None:
    posted = case.posted(box)
    assert set(Counter(posted).values()) == {1}, "a record was sent twice"
    assert len(posted) == case.stored(box) == case.records


# --- every target ---------------------------------------------------------------------------------


def test_a_rerun_of_a_completed_import_sends_no_write(case, box, mapping, cli, tmp_path):
    first = cli("run", mapping)
    before = case.writes(box)

    again = cli("run", mapping)

    assert (first.code, first.out) == (0, finished(case, case.rows)), first.err
    assert (again.code, again.out) == (0, finished(case, 0, rest=f", {case.rows} already done"))
    assert case.writes(box) == before == case.total_writes
    assert set(statuses(case, tmp_path).values()) == {"created"}
    assert_each_record_once(case, box)


def test_without_settings_the_run_stops_and_says_how(case, registry, mapping, cli, tmp_path):
    ran = cli("run", mapping)

    assert ran.code == 2
    assert case.missing in ran.err
    assert not (tmp_path / case.result).exists()


def test_a_refused_key_stops_the_run_before_any_write(case, box, mapping, cli, monkeypatch):
    token = [s.name for s in targets.spec(case.target).settings if s.secret][0]
    monkeypatch.setenv(token, "0123456789ABCDEFnot-the-key")

    ran = cli("run", mapping)

    assert ran.code == 2
    assert case.refused in ran.err
    assert "0123456789ABCDEFnot-the-key" not in ran.err + ran.out
    assert case.writes(box) == 0 and case.stored(box) == 0


def test_an_unreachable_host_stops_the_run_before_any_write(case, registry, mapping, cli):
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        host, port = closed.getsockname()
    with pytest.MonkeyPatch.context() as env:
        env.setenv(f"{case.prefix}_BASE_URL", f"http://{host}:{port}{case.path}")
        env.setenv(f"{case.prefix}_TOKEN", "0123456789ABCDEF")
        ran = cli("run", mapping)

    assert ran.code == 2
    assert f"Cannot reach {case.unreachable} at {host}:{port}" in ran.err


@pytest.mark.parametrize(("fault", "stored"), [("drop_before", False), ("drop_after", True)])
def test_no_answer_is_unknown_then_reconciled_by_the_lookup_and_sent_once(
    case, box, mapping, cli, tmp_path, fault, stored
):
    box.faults.use(Faults(script={2: fault}))

    first = cli("run", mapping, *FAST)

    assert (first.code, first.out) == (
        1,
        finished(
            case,
            case.rows - case.second_rows,
            rest=f", {case.second_rows} unknown",
        ),
    ), first.err
    assert statuses(case, tmp_path)[case.second_row] == "unknown"
    assert (case.second_key in case.posted(box)) is stored
    assert case.stored(box) == case.records - (0 if stored else 1)
    assert box.faults.applied == {fault: 1}

    second = cli("run", mapping, *FAST)

    done = f", {case.rows - case.second_rows} already done"
    assert (second.code, second.out) == (0, finished(case, case.second_rows, rest=done))
    assert statuses(case, tmp_path)[case.second_row] == "created"
    assert_each_record_once(case, box)
    # sent again only when it never arrived
    assert box.faults.writes == case.total_writes + (0 if stored else 1)


def test_busy_and_maintenance_answers_are_waited_out_and_each_record_created_once(
    case, box, mapping, cli
):
    box.faults.use(Faults(script={1: "locked", 2: "locked", 4: "unavailable"}, retry_after=0))

    ran = cli("run", mapping, *FAST)

    assert (ran.code, ran.out) == (0, finished(case, case.rows)), ran.err
    assert box.faults.applied == {"locked": 2, "unavailable": 1}
    assert box.faults.writes == case.total_writes + 3
    assert_each_record_once(case, box)


def test_busy_for_longer_than_the_retries_fails_the_row_in_the_systems_words(
    case, box, mapping, cli, tmp_path
):
    box.faults.use(Faults(script={n: "locked" for n in range(1, 5)}))

    ran = cli("run", mapping, *FAST, "--retries", "3")

    assert ran.code == 1
    assert ran.out == finished(case, case.rows - case.first_rows, failed=case.first_rows)
    assert statuses(case, tmp_path)[2] == "failed"
    assert errors(case, tmp_path)[2] == case.busy_failed
    assert case.stored(box) == case.records - 1


def test_the_sandbox_flag_runs_the_sample_against_a_sandbox_of_its_own(
    case, registry, mapping, cli, tmp_path
):
    ran = cli("run", mapping, "--sandbox")

    assert (ran.code, ran.out) == (0, finished(case, case.rows)), ran.err
    assert set(statuses(case, tmp_path).values()) == {"created"}
