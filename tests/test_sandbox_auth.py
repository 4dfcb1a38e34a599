"""The sandbox's authentication over real HTTP: the classic AfasToken and OAuth client credentials.

A small recording app stands behind :class:`AfasAuth`, so these tests say exactly which
requests got through, whatever the connector app does.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse

from importer.sandbox.auth import AfasAuth
from importer.sandbox.server import Server
from importer.targets.afas.client import token_header

TOKEN = "C0FFEE" * 10
CLIENTS = {"importer": "s3cret-of-the-importer", "other": "another-secret"}
BASE = "/ProfitRestServices"


class Recorder:
    """The app behind authentication: answers 201 and remembers what reached it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls.append((scope["method"], scope["path"]))
        await JSONResponse({"reached": scope["path"]}, status_code=201)(scope, receive, send)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


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
    """Serve ``AfasAuth(Recorder(), ...)`` with the given options; yields a client and the app."""
    running, slot = server

    @contextmanager
    def serve(**options: Any) -> Iterator[tuple[httpx.Client, Recorder]]:
        recorder = Recorder()
        slot.app = AfasAuth(recorder, token=TOKEN, **{"clients": CLIENTS, **options})
        with httpx.Client(base_url=running.url) as client:
            yield client, recorder

    return serve


def ask_token(
    client: httpx.Client, path: str = f"{BASE}/oauth/token", **form: str
) -> httpx.Response:
    fields = {
        "grant_type": "client_credentials",
        "client_id": "importer",
        "client_secret": CLIENTS["importer"],
    }
    return client.post(path, data={**fields, **form})


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


@pytest.mark.parametrize("path", [f"{BASE}/oauth/token", "/oauth/token", "/x/y/oauth/token"])
def test_the_token_endpoint_issues_a_bearer_token_without_authorization(path, served):
    with served(token_ttl=1800.0) as (client, recorder):
        response = ask_token(client, path)

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"access_token", "token_type", "expires_in"}
    assert data["token_type"] == "Bearer"
    assert data["expires_in"] == 1800
    assert isinstance(data["access_token"], str) and len(data["access_token"]) >= 32
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert recorder.calls == []


def test_every_token_is_new(served):
    with served() as (client, _):
        tokens = {ask_token(client).json()["access_token"] for _ in range(3)}
    assert len(tokens) == 3


def test_a_bearer_token_reaches_the_app(served):
    with served() as (client, recorder):
        access_token = ask_token(client).json()["access_token"]
        post = client.post(
            f"{BASE}/connectors/KnOrganisation", json={}, headers=bearer(access_token)
        )
        get = client.get(f"{BASE}/connectors/Profit_Debtor", headers=bearer(access_token))

    assert (post.status_code, get.status_code) == (201, 201)
    assert recorder.calls == [
        ("POST", f"{BASE}/connectors/KnOrganisation"),
        ("GET", f"{BASE}/connectors/Profit_Debtor"),
    ]


def test_a_bearer_token_expires_by_the_clock(served):
    clock = Clock(1000.0)
    url = f"{BASE}/connectors/PtProject"
    with served(token_ttl=60.0, clock=clock) as (client, recorder):
        access_token = ask_token(client).json()["access_token"]
        clock.now = 1059.9
        before = client.post(url, json={}, headers=bearer(access_token))
        clock.now = 1060.0
        at_expiry = client.post(url, json={}, headers=bearer(access_token))
        clock.now = 1000.0  # expired stays expired, even if the clock were set back
        afterwards = client.post(url, json={}, headers=bearer(access_token))
        fresh = ask_token(client).json()["access_token"]
        renewed = client.post(url, json={}, headers=bearer(fresh))

    assert before.status_code == 201
    assert (at_expiry.status_code, at_expiry.content) == (401, b"")
    assert (afterwards.status_code, afterwards.content) == (401, b"")
    assert renewed.status_code == 201
    assert len(recorder.calls) == 2


@pytest.mark.parametrize(
    "form",
    [
        {"client_secret": "wrong-secret"},
        {"client_secret": ""},
        {"client_id": "nobody"},
        {"client_id": "other"},  # a known client with someone else's secret
    ],
    ids=["wrong secret", "empty secret", "unknown client", "other client's secret"],
)
def test_wrong_client_credentials_are_refused_without_echoing_them(form, served):
    with served() as (client, recorder):
        response = ask_token(client, **form)

    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}
    for secret in [*CLIENTS.values(), *form.values()]:
        assert not secret or secret not in response.text
    assert recorder.calls == []


def test_without_configured_clients_no_token_is_issued(served):
    with served(clients=None) as (client, _):
        response = ask_token(client)
    assert (response.status_code, response.json()) == (401, {"error": "invalid_client"})


@pytest.mark.parametrize(
    ("grant_type", "error"),
    [
        ("password", "unsupported_grant_type"),
        ("authorization_code", "unsupported_grant_type"),
        (None, "invalid_request"),
    ],
)
def test_only_client_credentials_are_granted(grant_type, error, served):
    form = {"client_id": "importer", "client_secret": CLIENTS["importer"]}
    if grant_type is not None:
        form["grant_type"] = grant_type
    with served() as (client, _):
        response = client.post(f"{BASE}/oauth/token", data=form)
    assert (response.status_code, response.json()) == (400, {"error": error})


def afas_header(data: str) -> str:
    xml = f"<token><version>1</version><data>{data}</data></token>"
    return "AfasToken " + base64.b64encode(xml.encode()).decode()


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer not-a-token-we-issued",
        f"Bearer {TOKEN}",
        "AfasToken",
        "AfasToken !!!not base64!!!",
        afas_header("WRONG"),
        afas_header(TOKEN + "0"),
        "Basic " + base64.b64encode(f"importer:{CLIENTS['importer']}".encode()).decode(),
        TOKEN,
    ],
)
def test_missing_or_wrong_credentials_get_401_with_an_empty_body(authorization, served):
    headers = {} if authorization is None else {"Authorization": authorization}
    with served() as (client, recorder):
        response = client.post(f"{BASE}/connectors/KnOrganisation", json={}, headers=headers)

    assert response.status_code == 401
    assert response.content == b""
    assert recorder.calls == []


def test_an_issued_token_is_not_accepted_as_afas_token_data(served):
    with served() as (client, recorder):
        access_token = ask_token(client).json()["access_token"]
        response = client.get(
            f"{BASE}/connectors/X", headers={"Authorization": afas_header(access_token)}
        )
    assert (response.status_code, recorder.calls) == (401, [])


@pytest.mark.parametrize(
    "token",
    [TOKEN, f"<token><version>1</version><data>{TOKEN}</data></token>"],
    ids=["data", "xml"],
)
def test_the_classic_afas_token_still_works(token, served):
    with served() as (client, recorder):
        response = client.post(
            f"{BASE}/connectors/PtProject", json={}, headers={"Authorization": token_header(token)}
        )
    assert response.status_code == 201
    assert recorder.calls == [("POST", f"{BASE}/connectors/PtProject")]


@pytest.mark.parametrize("ttl", [0, -1.0, float("nan"), float("inf")])
def test_a_token_lifetime_must_be_positive(ttl):
    with pytest.raises(ValueError, match="token_ttl must be a positive number of seconds"):
        AfasAuth(Recorder(), token=TOKEN, token_ttl=ttl)
