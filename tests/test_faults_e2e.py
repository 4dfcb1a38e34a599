"""The runner against a sandbox that fails on demand: every row is reported truthfully."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import openpyxl
import pytest
from conftest import FLEX

from importer.sandbox import AfasSandbox, Faults


def rows(path, sheet):
    ws = openpyxl.load_workbook(path)[sheet]
    values = list(ws.iter_rows(values_only=True))
    return {r[0]: dict(zip(values[0], r, strict=True)) for r in values[1:]}


@pytest.fixture
def faulty(monkeypatch):
    """Start a sandbox with the given faults and point the importer at it."""
    boxes = []

    def start(**options) -> AfasSandbox:
        box = AfasSandbox.start(faults=Faults(**options))
        boxes.append(box)
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)
        return box

    yield start
    for box in boxes:
        box.stop()


FAST = ("--concurrency", "1", "--retry-backoff", "0.01", "--max-wait", "0.05")


def test_a_record_locked_for_longer_than_the_retries_fails(cli, faulty, tmp_path):
    box = faulty(script={n: "locked" for n in range(1, 5)})

    ran = cli("run", FLEX, *FAST, "--retries", "3")

    assert (ran.code, ran.out) == (
        1,
        "Import finished: 24 created, 1 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n",
    )
    relations = rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    agreements = rows(tmp_path / "flex-result.xlsx", "klantovereenkomsten")
    assert relations[2]["status"] == "failed"
    assert relations[2]["error"] == (
        "Het record is vergrendeld door een andere gebruiker. Probeer het later opnieuw."
    )
    assert len(relations[2]["profitLogReference"]) == 32
    assert (agreements[2]["status"], agreements[2]["error"]) == ("skipped", "parent row 2 failed")
    assert "49339" not in box.state.debtors and len(box.state.debtors) == 24


def test_maintenance_is_waited_out_within_bounds(cli, faulty, tmp_path):
    box = faulty(script={3: "unavailable"}, retry_after=120)

    ran = cli("run", FLEX, *FAST)

    assert ran.code == 0
    assert box.faults.applied == {"unavailable": 1} and len(box.state.debtors) == 25


def test_maintenance_longer_than_the_retries_fails_and_says_when_to_try_again(
    cli, faulty, tmp_path
):
    box = faulty(unavailable_rate=1.0, retry_after=120)

    ran = cli("run", FLEX, *FAST, "--retries", "1")

    assert ran.code == 1
    relations = rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    assert relations[4]["status"] == "failed"
    assert relations[4]["error"] == (
        "AFAS is unavailable (HTTP 503: Profit is in onderhoud); try again after 120 s"
    )
    assert box.state.debtors == {} and box.faults.writes == 50


@pytest.mark.parametrize(("fault", "stored"), [("drop_before", False), ("drop_after", True)])
def test_a_dropped_connection_is_unknown_never_created_or_failed(
    cli, faulty, tmp_path, fault, stored
):
    box = faulty(script={2: fault})

    ran = cli("run", FLEX, *FAST)

    assert (ran.code, ran.out) == (
        1,
        "Import finished: 24 created, 0 failed, 0 invalid, 0 skipped, 1 unknown; source rows: klanten.csv 25\n",
    )
    relations = rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    agreements = rows(tmp_path / "flex-result.xlsx", "klantovereenkomsten")
    assert relations[3]["status"] == "unknown" and relations[3]["DbId"] is None
    assert relations[3]["error"].startswith(
        "no answer from AFAS (RemoteProtocolError); the record "
        "may or may not exist: check KnSalesRelationOrg in Profit"
    )
    assert (agreements[3]["status"], agreements[3]["error"]) == ("skipped", "parent row 3 unknown")
    assert ("49340" in box.state.debtors) is stored
    assert box.faults.applied == {fault: 1}


def test_a_gateway_error_after_the_write_is_unknown_and_found_on_the_next_run(
    cli, faulty, tmp_path
):
    box = faulty(script={2: "gateway_timeout"})  # Profit committed; a gateway answered 504

    ran = cli("run", FLEX, *FAST)

    assert ran.code == 1
    relations = rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    assert relations[3]["status"] == "unknown" and "49340" in box.state.debtors
    assert relations[3]["error"].startswith(
        "HTTP 504, not an answer of AFAS itself (<html><body><h1>504 Gateway Time-out"
    )

    again = cli("run", FLEX, *FAST)  # looked up (match:), not sent again

    assert again.code == 0, again.err
    relations = rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    assert relations[3]["status"] == "created" and relations[3]["DbId"] == "49340"
    assert len(box.state.received("KnSalesRelationOrg", "POST")) == 25


def test_latency_slows_but_changes_nothing(cli, faulty, tmp_path):
    box = faulty(latency_ms=20)

    ran = cli("run", FLEX)

    assert (ran.code, ran.out) == (
        0,
        "Import finished: 25 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n",
    )
    assert len(box.state.projects) == 25


def test_oauth_client_credentials_with_tokens_expiring_during_the_run(cli, monkeypatch, tmp_path):
    with AfasSandbox.start(token_ttl=0.3, faults=Faults(latency_ms=15)) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_CLIENT_ID", box.client_id)
        monkeypatch.setenv("AFAS_CLIENT_SECRET", box.client_secret)

        ran = cli("run", FLEX)

        assert (ran.code, ran.out) == (
            0,
            "Import finished: 25 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n",
        )
        assert box.client_secret not in (tmp_path / "flex-result.xlsx").read_bytes().decode(
            "latin-1"
        )


def test_wrong_client_credentials_stop_before_any_write(cli, monkeypatch):
    with AfasSandbox.start() as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_CLIENT_ID", box.client_id)
        monkeypatch.setenv("AFAS_CLIENT_SECRET", "wrong")

        ran = cli("run", FLEX)

        assert ran.code == 2
        assert ran.err == (
            "Error: AFAS refused the OAuth client credentials (HTTP 401: "
            "invalid_client). Check AFAS_CLIENT_ID and AFAS_CLIENT_SECRET.\n"
        )
        assert box.state.requests == []


def test_the_sandbox_command_serves_until_interrupted(tmp_path):
    state = tmp_path / "sandbox.sqlite"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "importer",
            "sandbox",
            "--port",
            "0",
            "--state",
            str(state),
            "--token",
            "T0KEN",
            "--script",
            "1=locked",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("AFAS Profit sandbox at http://127.0.0.1:")
        base_url = process.stdout.readline().strip().removeprefix("export AFAS_BASE_URL=")
        assert process.stdout.readline() == "export AFAS_TOKEN=T0KEN\n"
        env = {**os.environ, "AFAS_BASE_URL": base_url, "AFAS_TOKEN": "T0KEN"}
        done = subprocess.run(
            [sys.executable, "-m", "importer", "run", str(FLEX), "--retries", "0"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (
            done.stdout
            == "Import finished: 24 created, 1 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n"
        )
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert "Stopped. Writes: 49; faults injected: {'locked': 1}" in out
    assert state.exists()
