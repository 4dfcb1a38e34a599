"""Several records per request (``batch:``) through the CLI against the sandbox: batches are
all or nothing, refused rows are found and named, dropped answers and a kill are reconciled on
the next run, and every record exists exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import openpyxl
import yaml
from conftest import CUSTOMERS, ROOT, wait_for

from importer.sandbox import AfasSandbox, Faults
from importer.sandbox.afas_countries import PROFIT_COUNTRIES

SAMPLE = ROOT / "samples" / "flex" / "klanten.csv"
ORG, PROJECT = "KnSalesRelationOrg", "PtProject"
FAST = ("--retry-backoff", "0.01", "--max-wait", "0.05")


def flex(
    tmp_path: Path,
    size: int,
    change: dict[int, dict[str, str]] | None = None,
    edit: Callable[[dict], None] = lambda data: None,
) -> Path:
    """The Flex mapping with ``batch: size`` on both steps (and what ``edit`` changes), reading
    a copy of its sample in which the rows of ``change`` (row in file: {header: value}) hold
    other values."""
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    for row, values in (change or {}).items():
        cells = lines[row - 1].split(";")
        for title, value in values.items():
            cells[header.index(title)] = value
        lines[row - 1] = ";".join(cells)
    csv = tmp_path / "klanten.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    data = yaml.safe_load((ROOT / "mappings" / "flex.yaml").read_text())
    data["sources"]["klanten"]["file"] = str(csv)
    data["templates"] = str(ROOT / "templates")
    for step in data["steps"]:
        step["batch"] = size
    edit(data)
    path = tmp_path / "flex.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def sheet(path: Path, name: str) -> dict[int, dict]:
    values = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return {r[0]: dict(zip(values[0], r, strict=True)) for r in values[1:]}


def sizes(box: AfasSandbox, connector: str) -> list[int]:
    """How many records each POST of a connector held."""
    found = []
    for body in box.state.received(connector, "POST"):
        element = body[connector]["Element"]
        found.append(len(element) if isinstance(element, list) else 1)
    return found


def assert_each_record_once(box: AfasSandbox, expected: set[str]) -> None:
    """The sales relations of ``expected`` (customer numbers) exist, each once, each with one
    customer agreement: none was created twice, none is missing."""
    assert set(box.state.debtors) == expected
    agreements = Counter(p["fields"]["DbId"] for p in box.state.projects.values())
    assert agreements == Counter(expected), "an agreement is missing or was created twice"


def assert_mapped_back(path: Path, box: AfasSandbox) -> None:
    """Each created row holds the ids of its own record (the reply's list, in order)."""
    for row in sheet(path, "verkooprelaties").values():
        if row["status"] == "created":
            debtor = box.state.debtors[row["Klantnummer"]]
            assert (row["DbId"], row["BcCo"]) == (debtor["DbId"], debtor["BcCo"])
    for row in sheet(path, "klantovereenkomsten").values():
        if row["status"] == "created":
            project = box.state.projects[row["PrId"]]["fields"]
            assert (project["DbId"], project["Ds"]) == (row["Klantnummer"], row["Omschrijving"])


def test_a_batched_import_sends_few_requests_and_gives_each_row_its_own_ids(
    cli, afas_env, tmp_path
):
    mapping = flex(tmp_path, 10)

    ran = cli("run", mapping)

    assert ran.code == 0, ran.err
    assert ran.out.startswith("Import finished: 25 created, 0 failed")
    assert sorted(sizes(afas_env, ORG)) == [5, 10, 10]
    assert sorted(sizes(afas_env, PROJECT)) == [5, 10, 10]
    assert_each_record_once(
        afas_env,
        {
            r["Klantnummer"]
            for r in sheet(tmp_path / "flex-result.xlsx", "verkooprelaties").values()
        },
    )
    result = tmp_path / "flex-result.xlsx"
    assert_mapped_back(result, afas_env)
    relations = sheet(result, "verkooprelaties")
    assert Counter(r["sent"] for r in relations.values()) == Counter(
        {"insert, in a batch of 10": 20, "insert, in a batch of 5": 5}
    )

    again = cli("run", mapping)  # a rerun sends nothing
    assert again.code == 0
    assert sorted(sizes(afas_env, ORG)) == [5, 10, 10]


def test_refused_rows_are_found_and_named_and_their_neighbours_created(cli, afas_env, tmp_path):
    # two sales relations in a country the environment does not know (one value, two rows:
    # the batch is halved), three agreements in project groups that do not exist (each named
    # by its own value) and two in the same unknown group
    afas_env.state.countries = PROFIT_COUNTRIES - {"B"}
    refused = {
        3: {"Land": "BE"},
        8: {"Land": "BE"},
        4: {"Projectgroep": "XYZ1"},
        12: {"Projectgroep": "XYZ2"},
        20: {"Projectgroep": "XYZ3"},
        6: {"Projectgroep": "ONBEKEND"},
        9: {"Projectgroep": "ONBEKEND"},
    }
    mapping = flex(tmp_path, 25, refused)

    ran = cli("run", mapping, "--concurrency", "8")  # (no thread waits for a batch to fill)

    assert ran.code == 1
    assert ran.out.startswith("Import finished: 18 created, 7 failed")  # (file rows, worst)
    result = tmp_path / "flex-result.xlsx"
    relations, agreements = sheet(result, "verkooprelaties"), sheet(result, "klantovereenkomsten")
    for row in (3, 8):
        assert relations[row]["status"] == "failed"
        assert relations[row]["error"].startswith("Land 'B' bestaat niet (KnSalesRelationOrg")
        assert len(relations[row]["profitLogReference"]) == 32
        assert (agreements[row]["status"], agreements[row]["error"]) == (
            "skipped",
            f"parent row {row} failed",
        )
    for row, group in [(4, "XYZ1"), (12, "XYZ2"), (20, "XYZ3"), (6, "ONBEKEND"), (9, "ONBEKEND")]:
        assert agreements[row]["status"] == "failed"
        assert agreements[row]["error"] == f"Projectgroep '{group}' bestaat niet."
        assert agreements[row]["sent"] == "insert"  # sent alone: its own answer
    failed = {r for r, a in agreements.items() if a["status"] != "created"}
    assert failed == {3, 8, 4, 12, 20, 6, 9}
    assert all(a["status"] == "created" for r, a in agreements.items() if r not in failed)
    numbers = {r["Klantnummer"] for n, r in relations.items() if n not in (3, 8)}
    assert set(afas_env.state.debtors) == numbers
    made = Counter(p["fields"]["DbId"] for p in afas_env.state.projects.values())
    assert made == Counter(
        {agreements[n]["Klantnummer"] for n in agreements}
        - {agreements[n]["Klantnummer"] for n in failed}
    )
    assert_mapped_back(result, afas_env)
    # each refused row was sent alone once, at the end of its splits; the first request
    # held every row of the step
    alone = Counter(
        b[PROJECT]["Element"]["Fields"]["Ds"]
        for b in afas_env.state.received(PROJECT, "POST")
        if isinstance(b[PROJECT]["Element"], dict)
    )
    for row in (4, 12, 20, 6, 9):
        assert alone[agreements[row]["Omschrijving"]] == 1
    assert sizes(afas_env, ORG)[0] == CUSTOMERS and sizes(afas_env, PROJECT)[0] == CUSTOMERS - 2


def test_dropped_answers_and_refusals_end_with_every_record_once_after_a_rerun(
    cli, monkeypatch, tmp_path
):
    # one request at a time, so that the writes are the sales relations' batches in order:
    # the first batch's answer is lost after it was committed, the third never arrives
    with AfasSandbox.start(faults=Faults(script={1: "drop_after", 3: "drop_before"})) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)
        mapping = flex(tmp_path, 5, {5: {"Projectgroep": "XYZ1"}, 19: {"Projectgroep": "XYZ2"}})

        first = cli("run", mapping, "--concurrency", "1", *FAST)

        assert first.code == 1
        result = tmp_path / "flex-result.xlsx"
        relations = sheet(result, "verkooprelaties")
        unknown = [n for n, r in relations.items() if r["status"] == "unknown"]
        assert unknown == [2, 3, 4, 5, 6, 12, 13, 14, 15, 16]  # two batches of 5
        for n in unknown:
            assert relations[n]["sent"] == "insert, in a batch of 5"
            assert relations[n]["error"].startswith(
                "sent in a request of 5 records: no answer from AFAS (RemoteProtocolError)"
            )
        assert len(box.state.debtors) == 20  # (the first batch was committed)
        agreements = sheet(result, "klantovereenkomsten")
        assert {n for n, a in agreements.items() if a["status"] == "skipped"} == set(unknown)

        again = cli("run", mapping, "--concurrency", "1")

        assert again.code == 1  # the refused rows still fail, with their own message
        relations = sheet(result, "verkooprelaties")
        agreements = sheet(result, "klantovereenkomsten")
        assert all(r["status"] == "created" for r in relations.values())
        assert {n for n, a in agreements.items() if a["status"] != "created"} == {5, 19}
        assert agreements[5]["error"] == "Projectgroep 'XYZ1' bestaat niet."
        assert agreements[19]["error"] == "Projectgroep 'XYZ2' bestaat niet."
        numbers = {r["Klantnummer"] for r in relations.values()}
        assert set(box.state.debtors) == numbers
        refused = {agreements[5]["Klantnummer"], agreements[19]["Klantnummer"]}
        made = Counter(p["fields"]["DbId"] for p in box.state.projects.values())
        assert made == Counter(numbers - refused)
        assert_mapped_back(result, box)
        # the committed batch was found, not sent again; the one that never arrived was sent
        # again: each sales relation reached the sandbox once
        posted = Counter(e["@DbId"] for e in box.state.elements(ORG, "POST"))
        assert posted == Counter(numbers)
        assert len(box.faults.applied) == 2


def test_a_gateway_error_after_the_commit_is_unknown_and_never_sent_again_at_once(
    cli, monkeypatch, tmp_path
):
    # the first batch is committed, and a gateway answers 504 (HTML) instead of Profit
    with AfasSandbox.start(faults=Faults(script={1: "gateway_timeout"})) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)
        mapping = flex(tmp_path, 5, edit=lambda data: data.update(steps=data["steps"][:1]))

        first = cli("run", mapping, "--concurrency", "1", *FAST)

        result = tmp_path / "flex-result.xlsx"
        relations = sheet(result, "verkooprelaties")
        unknown = [n for n, r in relations.items() if r["status"] == "unknown"]
        assert unknown == [2, 3, 4, 5, 6]
        assert relations[2]["error"].startswith(
            "sent in a request of 5 records: HTTP 504, not an answer of AFAS itself"
        )
        # not split and sent again: each sales relation reached the sandbox once
        posted = Counter(e["@DbId"] for e in box.state.elements(ORG, "POST"))
        assert set(posted.values()) == {1} and len(posted) == CUSTOMERS
        assert first.code == 1

        again = cli("run", mapping, "--concurrency", "1")  # found by the lookup (match:)

        assert again.code == 0, again.err
        relations = sheet(result, "verkooprelaties")
        assert all(r["status"] in ("created", "existing") for r in relations.values())
        assert Counter(e["@DbId"] for e in box.state.elements(ORG, "POST")) == posted


def test_a_locked_batch_is_tried_again_whole(cli, monkeypatch, tmp_path):
    with AfasSandbox.start(faults=Faults(script={1: "locked", 2: "locked"})) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)

        ran = cli("run", flex(tmp_path, 25), *FAST)

        assert ran.code == 0, ran.err
        # refused twice (before the app: not logged), then taken whole; one of agreements
        assert (box.faults.writes, box.faults.applied["locked"]) == (4, 2)
        assert sizes(box, ORG) == sizes(box, PROJECT) == [25]
        assert_each_record_once(box, set(box.state.debtors))
        assert len(box.state.debtors) == CUSTOMERS


def test_rows_making_the_same_record_never_go_in_one_batch(cli, afas_env, tmp_path):
    def by_name(data: dict) -> None:  # keyed by name: one customer number may come twice
        data["steps"] = data["steps"][:1]
        data["steps"][0]["key"] = "naam"

    # row 10 is row 2's customer again (another name and KvK number): its match filter is row
    # 2's, so it waits for row 2's record and finds it
    again = {"Klantnummer": "49339", "Naam": "Jansen Twee", "KvK-nummer": "12345678"}
    mapping = flex(tmp_path, 25, {10: again}, by_name)

    ran = cli("run", mapping)

    assert ran.code == 0, ran.err
    relations = sheet(tmp_path / "flex-result.xlsx", "verkooprelaties")
    assert relations[10]["status"] == "existing"
    assert relations[10]["DbId"] == relations[2]["DbId"] == "49339"
    posted = Counter(e["@DbId"] for e in afas_env.state.elements(ORG, "POST"))
    assert posted["49339"] == 1 and len(afas_env.state.debtors) == CUSTOMERS - 1
    assert sizes(afas_env, ORG) == [24]


def test_a_row_making_the_record_of_a_row_of_unknown_outcome_is_never_inserted(
    cli, monkeypatch, tmp_path
):
    def by_name(data: dict) -> None:  # keyed by name: one customer number may come twice
        data["steps"] = data["steps"][:1]
        data["steps"][0]["key"] = "naam"

    # row 10 has row 2's match filter, so it waits for row 2's batch, whose answer is lost
    # after Profit committed it: row 2's record may exist, and no lookup of this run sees it
    again = {"Klantnummer": "49339", "Naam": "Jansen Twee", "KvK-nummer": "12345678"}
    mapping = flex(tmp_path, 25, {10: again}, by_name)
    with AfasSandbox.start(faults=Faults(script={1: "drop_after"})) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)

        first = cli("run", mapping, *FAST)

        assert first.code == 1
        result = tmp_path / "flex-result.xlsx"
        relations = sheet(result, "verkooprelaties")
        assert relations[2]["status"] == "unknown"
        assert (relations[10]["status"], relations[10]["error"]) == (
            "skipped",
            "not sent: it would make the record of row 2, whose outcome is unknown; the next "
            "run decides it again once row 2 is reconciled",
        )
        assert box.faults.writes == 1  # row 10 was not inserted

        second = cli("run", mapping)  # row 2 is found, then row 10 finds its record

        assert second.code == 0, second.err
        relations = sheet(result, "verkooprelaties")
        assert relations[10]["status"] == "existing"
        assert relations[10]["DbId"] == relations[2]["DbId"] == "49339"
        posted = Counter(e["@DbId"] for e in box.state.elements(ORG, "POST"))
        assert posted["49339"] == 1 and box.faults.writes == 1


def test_killed_during_batches_then_run_again_creates_everything_exactly_once(tmp_path):
    mapping = flex(tmp_path, 5)
    with AfasSandbox.start(faults=Faults(latency_ms=150)) as box:
        env = {**os.environ, "AFAS_BASE_URL": box.base_url, "AFAS_TOKEN": box.token}
        command = [sys.executable, "-m", "importer", "run", str(mapping), "--concurrency", "2"]
        process = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        wait_for(lambda: len(box.state.debtors) >= 5)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert len(box.state.projects) < CUSTOMERS  # killed mid-run

        again = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

        assert again.returncode == 0, again.stderr
        numbers = {
            r["Klantnummer"]
            for r in sheet(tmp_path / "flex-result.xlsx", "verkooprelaties").values()
        }
        assert_each_record_once(box, numbers)
        assert len(numbers) == CUSTOMERS
