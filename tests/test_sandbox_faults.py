"""Faults injected by the sandbox, seen over real HTTP: what the client gets, what the app got.

A small recording app stands behind :class:`FaultInjector`, so these tests say exactly which
writes reached the app, whatever the connector app does. One test composes the real stack.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse

from importer.sandbox.afas import create_app
from importer.sandbox.auth import AfasAuth
from importer.sandbox.faults import DroppedConnection, FaultInjector, Faults
from importer.sandbox.server import Server
from importer.targets.afas.client import AfasTarget

BASE = "/ProfitRestServices"
WRITE = f"{BASE}/connectors/KnOrganisation"
LOCKED_BODY = {
    "externalMessage": "Het record is vergrendeld door een andere gebruiker. Probeer het later opnieuw.",
    "errorNumber": -2147024891,
}


class Recorder:
    """The app behind the injector: reads the body, answers 201, remembers what reached it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, bytes]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.calls.append((scope["method"], scope["path"], body))
        await JSONResponse({"stored": len(self.calls)}, status_code=201)(scope, receive, send)


class Slot:
    """The served app: one server for the whole module, a fresh app behind it per test."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Server, Slot]]:
    slot = Slot()
    with Server(slot) as running:
        yield running, slot


@pytest.fixture
def served(server: tuple[Server, Slot]):
    """Serve ``FaultInjector(Recorder(), Faults(...))``; yields a client, the injector, the app."""
    running, slot = server

    @contextmanager
    def serve(**faults: Any) -> Iterator[tuple[httpx.Client, FaultInjector, Recorder]]:
        recorder = Recorder()
        injector = FaultInjector(recorder, Faults(**faults))
        slot.app = injector
        with httpx.Client(base_url=running.url) as client:
            yield client, injector, recorder

    return serve


def outcome(client: httpx.Client, method: str = "POST", path: str = WRITE) -> str:
    """What the client saw of one request, as the name of the fault (or the status)."""
    try:
        response = client.request(method, path, json={"n": 1})
    except httpx.RemoteProtocolError:
        return "dropped"
    return {500: "locked", 503: "unavailable"}.get(response.status_code, str(response.status_code))


def test_locked_is_a_transient_500_with_a_log_reference_and_nothing_stored(served):
    with served(locked_rate=1.0) as (client, injector, recorder):
        first = client.post(WRITE, json={"Nm": "Acme"})
        second = client.put(WRITE, json={"Nm": "Acme"})

    assert (first.status_code, second.status_code) == (500, 500)
    body = first.json()
    assert {k: body[k] for k in LOCKED_BODY} == LOCKED_BODY
    assert set(body) == {*LOCKED_BODY, "profitLogReference"}
    assert re.fullmatch(r"[0-9A-F]{32}", body["profitLogReference"])
    assert body["profitLogReference"] != second.json()["profitLogReference"]
    assert recorder.calls == []
    assert (injector.writes, injector.applied) == (2, Counter(locked=2))


def test_unavailable_is_a_503_with_retry_after_in_body_and_header(served):
    with served(unavailable_rate=1.0, retry_after=120) as (client, injector, recorder):
        response = client.post(WRITE, json={})

    assert response.status_code == 503
    assert response.json() == {
        "error": {"code": "maintenance", "message": "Profit is in onderhoud"},
        "retry_after": 120,
    }
    assert response.headers["retry-after"] == "120"
    assert recorder.calls == []
    assert injector.applied == Counter(unavailable=1)


def test_drop_before_breaks_the_connection_and_the_app_never_sees_the_write(served):
    with served(script={1: "drop_before"}) as (client, injector, recorder):
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            client.post(WRITE, json={"Nm": "x" * 200_000})
        after = client.post(WRITE, json={"Nm": "next"})

    assert not isinstance(caught.value, httpx.ConnectError)
    assert "peer closed connection without sending complete message body" in str(caught.value)
    assert after.status_code == 201  # the client recovers on a new connection
    assert recorder.calls == [("POST", WRITE, b'{"Nm":"next"}')]
    assert (injector.writes, injector.applied) == (2, Counter(drop_before=1))


def test_drop_after_lets_the_app_commit_then_breaks_the_connection(served):
    with (
        served(script={1: "drop_after"}) as (client, injector, recorder),
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.delete(f"{BASE}/connectors/FbSales/FbSales/@OrNu/42")

    assert recorder.calls == [("DELETE", f"{BASE}/connectors/FbSales/FbSales/@OrNu/42", b"")]
    assert injector.applied == Counter(drop_after=1)


@pytest.fixture
def uvicorn_log() -> Iterator[list[logging.LogRecord]]:
    """What uvicorn logs as errors, collected (its own handler writes to stderr)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_drops_leave_no_traceback_in_the_log_but_real_errors_still_show(
    served, server, uvicorn_log
):
    with served(script={1: "drop_before", 2: "drop_after"}) as (client, _, _):
        for _ in range(2):
            with pytest.raises(httpx.RemoteProtocolError):
                client.post(WRITE, json={})
    assert uvicorn_log == []

    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("a real bug")

    running, slot = server
    slot.app = broken
    assert httpx.get(running.url).status_code == 500
    assert [r.exc_info[1].args for r in uvicorn_log if r.exc_info] == [("a real bug",)]
    assert DroppedConnection.__name__ not in "".join(r.getMessage() for r in uvicorn_log)


def test_reads_token_requests_and_sandbox_paths_get_no_faults(served):
    with served(locked_rate=1.0) as (client, injector, recorder):
        seen = [
            outcome(client, "GET", f"{BASE}/connectors/Profit_Debtor?take=10"),
            outcome(client, "POST", f"{BASE}/oauth/token"),
            outcome(client, "POST", "/sandbox/reset"),
            outcome(client, "POST", "/sandbox/connectors/KnOrganisation/clear"),
            outcome(client, "POST", f"{BASE}/connectors/oauth/token"),
            outcome(client, "POST", f"{BASE}/metainfo/update/KnOrganisation"),
            outcome(client, "POST", WRITE),
            outcome(client, "PUT", WRITE),
            outcome(client, "DELETE", f"{BASE}/connectors/PtProject/PtProject/PrId/1"),
        ]

    assert seen == ["201"] * 6 + ["locked"] * 3
    assert len(recorder.calls) == 6
    assert (injector.writes, injector.applied) == (3, Counter(locked=3))


def test_the_script_decides_its_writes_and_the_rates_the_others(served):
    script = {1: "locked", 2: "none", 3: "unavailable", 4: "drop_before", 5: "drop_after"}
    with served(locked_rate=1.0, script=script) as (client, injector, recorder):
        seen = [outcome(client) for _ in range(6)]

    assert seen == ["locked", "201", "unavailable", "dropped", "dropped", "locked"]
    assert len(recorder.calls) == 2  # write 2, and write 5 that was dropped after
    assert injector.writes == 6
    assert injector.applied == Counter(locked=2, unavailable=1, drop_before=1, drop_after=1)


RATES = {"locked_rate": 0.3, "unavailable_rate": 0.3, "drop_before_rate": 0.1}


def test_the_same_seed_gives_the_same_faults_and_another_seed_others(served):
    def run(**faults: Any) -> list[str]:
        with served(**RATES, **faults) as (client, _, _):
            return [outcome(client) for _ in range(30)]

    first, again, other = run(seed=1), run(seed=1), run(seed=2)
    scripted = run(seed=1, script={2: "drop_after"})

    assert first == again
    assert other != first
    assert {"locked", "unavailable", "dropped", "201"} <= set(first)
    # A script changes only the writes it names: the others keep their draws.
    assert scripted[1] == "dropped"
    assert scripted[:1] + scripted[2:] == first[:1] + first[2:]


def test_latency_delays_every_request_without_blocking_the_others(server):
    running, slot = server
    slot.app = FaultInjector(Recorder(), Faults(latency_ms=100))

    async def timed(count: int) -> float:
        async with httpx.AsyncClient(base_url=running.url) as client:
            start = time.perf_counter()
            replies = await asyncio.gather(
                *(client.get(f"{BASE}/connectors/Profit_Debtor") for _ in range(count))
            )
            elapsed = time.perf_counter() - start
        assert [r.status_code for r in replies] == [201] * count
        return elapsed

    one, eight = asyncio.run(timed(1)), asyncio.run(timed(8))

    assert one >= 0.1
    assert 0.1 <= eight < 0.5  # one after the other would take 0.8 s


def test_latency_comes_before_a_fault(served):
    with served(latency_ms=100, script={1: "locked"}) as (client, _, _):
        start = time.perf_counter()
        assert outcome(client) == "locked"
        assert time.perf_counter() - start >= 0.1


def project(pr_id: str) -> dict[str, Any]:
    return {"PtProject": {"Element": {"Fields": {"PrId": pr_id, "PrGp": "ALG", "Ds": "Demo"}}}}


def test_a_drop_after_stores_the_record_while_the_client_does_not_know(server):
    token = "AB12" * 16
    running, slot = server
    slot.app = FaultInjector(AfasAuth(create_app(), token=token), Faults(script={1: "drop_after"}))
    target = AfasTarget(f"{running.url}{BASE}", token, timeout=5)
    try:
        dropped = target.insert("PtProject", project("P-77"))
        again = target.insert("PtProject", project("P-77"))
        other = target.insert("PtProject", project("P-78"))
    finally:
        target.close()

    assert (dropped.ok, dropped.unknown) == (False, True)
    assert "RemoteProtocolError" in str(dropped.error or "")
    # The same insert again is refused as a duplicate (another key is fine): the first was stored.
    assert (again.ok, again.unknown) == (False, False)
    assert "P-77" in str(again.error or "")
    assert (other.ok, other.ids) == (True, {"PrId": "P-78"})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"locked_rate": 1.5},
            "locked_rate must be between 0 and 1 (a fraction of writes), got 1.5",
        ),
        (
            {"drop_after_rate": -0.1},
            "drop_after_rate must be between 0 and 1 (a fraction of writes), got -0.1",
        ),
        (
            {"locked_rate": 0.6, "drop_after_rate": 0.5},
            "The fault rates add up to 1.1 (locked_rate 0.6, drop_after_rate 0.5); together they must be at most 1.",
        ),
        ({"latency_ms": -5}, "latency_ms must be a number of milliseconds of at least 0, got -5"),
        (
            {"retry_after": -1},
            "retry_after must be a whole number of seconds of at least 0, got -1",
        ),
        ({"script": {0: "locked"}}, "Fault script: 0 is not a write number (writes count from 1)."),
        (
            {"script": {3: "lock"}},
            "Fault script: 'lock' for write 3 is not a fault; use one of locked, unavailable, drop_before, drop_after, gateway_timeout, none.",
        ),
    ],
)
def test_faults_are_checked_with_clear_messages(options, message):
    with pytest.raises(ValueError) as caught:
        Faults(**options)
    assert str(caught.value) == message


def test_rates_that_add_up_to_exactly_one_are_fine():
    # In floating point these add up to 1.0000000000000002.
    faults = Faults(
        locked_rate=0.2, unavailable_rate=0.4, drop_before_rate=0.3, drop_after_rate=0.1
    )
    assert [faults.pick(1, draw) for draw in (0.1, 0.5, 0.8, 0.95)] == [
        "locked",
        "unavailable",
        "drop_before",
        "drop_after",
    ]


def test_options_from_the_command_line():
    faults = Faults.from_options(
        latency_ms="50", locked_rate="0.25", retry_after="30", seed="7", script="2=locked, 5=none"
    )

    assert faults == Faults(
        latency_ms=50.0, locked_rate=0.25, retry_after=30, seed=7, script={2: "locked", 5: "none"}
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"script": "2=locked,three=drop_after"},
            "Fault script entry 'three=drop_after' should read N=FAULT, e.g. 3=locked.",
        ),
        (
            {"script": "2:locked"},
            "Fault script entry '2:locked' should read N=FAULT, e.g. 3=locked.",
        ),
        (
            {"script": "2=unknown"},
            "Fault script: 'unknown' for write 2 is not a fault; use one of locked, unavailable, drop_before, drop_after, gateway_timeout, none.",
        ),
        ({"locked_rate": "lots"}, "locked_rate must be a number, got 'lots'"),
        ({"seed": "1.5"}, "seed must be a whole number, got '1.5'"),
        ({"retry_after": 2.5}, "retry_after must be a whole number, got 2.5"),
    ],
)
def test_bad_command_line_options_say_what_is_wrong(options, message):
    with pytest.raises(ValueError) as caught:
        Faults.from_options(**options)
    assert str(caught.value) == message


def test_a_faults_script_cannot_change_behind_its_back():
    script = {1: "locked"}
    faults = Faults(script=script)
    script[2] = "drop_after"
    assert dict(faults.script) == {1: "locked"}
    with pytest.raises(TypeError):
        faults.script[3] = "locked"  # type: ignore[index]
