"""An imitation of Recras API v2 (klanten and contacten), for demos and tests.

A Recras sandbox is three layers, as the AFAS one: :class:`RecrasFaultInjector` (the fault
modes of :mod:`importer.sandbox.faults`, in Recras's words: 429 for a transient refusal, 503
with ``Retry-After`` for maintenance, dropped connections), :class:`BearerAuth` (the API key as
``Authorization: Bearer <key>``; HTTP Basic, deprecated by Recras, is refused) and the app over
a :class:`RecrasState`. Served on 127.0.0.1 by :class:`importer.sandbox.server.Server`; the
client's base URL is ``http://127.0.0.1:PORT`` and every endpoint is under ``/api2``.

Imitated:

- ``GET /api2/personeel/me``: the key's user (the credential check).
- ``POST /api2/klanten``: 201 with the klant as Recras's example shows it (``id``, ``type``,
  ``displaynaam``, ``naam``, address fields, ``bedrijf_id``, ``soort_klant``, ...).
- ``GET /api2/klanten`` (query ``id>``: the smallest id to include), ``GET /api2/klanten/{id}``
  (with ``contactpersonen``, the main contact first, and ``extra_fields``), ``PUT
  /api2/klanten/{id}`` (the fields given change; ``contactpersonen``, when given, is the complete
  new list: an entry with an ``id`` keeps that person, and the fields it gives change it; one
  without is a new person; a person left out is unlinked, not deleted; ``extra_fields`` replace
  those of the same name). 200 with the klant. A POST links ``{"id": N, "hoofdcontact": b}``
  the same way.
- ``GET /api2/contacten`` (every contact of every type, each with its contactpersonen — how
  the importer finds existing klanten) and ``GET /api2/contacten/{id}``.
- Lists page: ``?page=N`` (from 1), ``X-Page-Size``, ``X-Total-Count`` and ``Link`` (first,
  last, prev, next) headers; 100 a page, or ``page_size`` given to the sandbox.
- The rules of the documentation (:mod:`importer.sandbox.recras_rules`), refused with 422
  ``{"error": {"message": ...}}`` in Dutch, every problem of the body in one message:
  ``contactpersonen`` required (one or more); each says ``hoofdcontact`` as true or false;
  exactly one main contact; an existing person given by ``id`` must exist, once; a person's
  fields (new or existing) known and text; ``geslacht`` man, vrouw or onbekend; e-mail
  addresses that look like one; ``extra_fields`` of ``name``, ``type`` and ``value``, typed
  (number: a whole number, date: ISO 8601, multiplechoice: a list of texts, text and
  singlechoice: a text); ``provinciecode`` ISO 3166-2 (one of the twelve for ``NL-``);
  ``bedrijf_id`` an existing company (default 1) and ``soort_klant`` one of its kinds.
- Other answers in the other shapes clients must read: bad JSON 400 ``{"message": ...}``; an
  unknown id 404 ``{"error": "..."}``; a bad query parameter 406 ``{"error": "..."}``; no or a
  wrong key 401 ``{"error": {"message": ...}}``; with ``state.refuse_writes`` every write 403
  (a key without the permission).
- Sandbox only, not Recras: ``GET /sandbox/records`` (what it holds) and ``POST
  /sandbox/reset``.

Stricter than documented (unverified in Recras, chosen so that template mistakes show): a field
Recras does not know is refused rather than ignored. Not imitated: other endpoints, companies
other than ``BEDRIJVEN`` (company 1 and its kinds of klant), singlechoice options, persistence
across restarts.

State (:mod:`importer.sandbox.recras_state`): every write reaching the app (POST, PUT; also
refused ones) is in ``state.requests`` and every read in ``state.reads``, each ``{"method",
"path", "query", "body"}`` (body None when absent, the raw text when not JSON).
"""

from __future__ import annotations

import hmac
import json
import math
import secrets
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from importer.sandbox.faults import (
    WRITE_METHODS,
    FaultInjector,
    Faults,
    _drain,
)
from importer.sandbox.recras_state import PAGE_SIZE, RecrasError, RecrasState
from importer.sandbox.server import Server

__all__ = ["BearerAuth", "RecrasFaultInjector", "RecrasSandbox", "RecrasState", "create_app"]

API = "/api2"
ME = {"id": 1, "voornaam": "Sandbox", "achternaam": "Gebruiker", "email": "api@sandbox.test"}


# --- the app -------------------------------------------------------------------------------------


def create_app(state: RecrasState | None = None) -> Starlette:
    """The sandbox's Recras app (authentication and faults are middlewares in front of it)."""
    state = state if state is not None else RecrasState()

    def log(request: Request, body: Any) -> None:
        entry = {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "body": body,
        }
        with state.lock:
            (state.reads if request.method == "GET" else state.requests).append(entry)

    async def write_body(request: Request) -> Any:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            log(request, raw.decode("utf-8", "replace"))
            raise RecrasError(400, {"message": "Invalid JSON"}) from None
        log(request, body)
        if state.refuse_writes:
            raise RecrasError(
                403,
                {
                    "error": {
                        "message": "Deze API-sleutel heeft geen rechten om klanten te wijzigen"
                    }
                },
            )
        return body

    async def me(request: Request) -> Response:
        log(request, None)
        return JSONResponse(ME)

    async def klanten(request: Request) -> Response:
        if request.method == "POST":
            body = await write_body(request)
            return JSONResponse(state.add_klant(body), status_code=201)
        log(request, None)
        smallest = _query_int(request, "id>", 1)
        with state.lock:
            ids = [
                i
                for i, c in sorted(state.contacts.items())
                if c["type"] == "klant" and i >= smallest
            ]
            items = [state.summary(i) for i in ids]
        return _page(request, items, state.page_size)

    async def klant(request: Request) -> Response:
        klant_id = _path_id(request, "Klant")
        if request.method == "PUT":
            body = await write_body(request)
            return JSONResponse(state.update_klant(klant_id, body))
        log(request, None)
        with state.lock:
            contact = state.contacts.get(klant_id)
            if contact is None or contact["type"] != "klant":
                raise RecrasError(404, {"error": f"Klant {klant_id} bestaat niet"})
            return JSONResponse(state.view(klant_id))

    async def contacten(request: Request) -> Response:
        log(request, None)
        with state.lock:
            items = [state.view(i) for i in sorted(state.contacts)]
        return _page(request, items, state.page_size)

    async def contact(request: Request) -> Response:
        log(request, None)
        contact_id = _path_id(request, "Contact")
        with state.lock:
            if contact_id not in state.contacts:
                raise RecrasError(404, {"error": f"Contact {contact_id} bestaat niet"})
            return JSONResponse(state.view(contact_id))

    async def records(request: Request) -> Response:
        return JSONResponse(state.records())

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"reset": True})

    async def error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RecrasError)
        return JSONResponse(exc.body, status_code=exc.status)

    app = Starlette(
        routes=[
            Route(f"{API}/personeel/me", me, methods=["GET"]),
            Route(f"{API}/klanten", klanten, methods=["GET", "POST"]),
            Route(f"{API}/klanten/{{id}}", klant, methods=["GET", "PUT"]),
            Route(f"{API}/contacten", contacten, methods=["GET"]),
            Route(f"{API}/contacten/{{id}}", contact, methods=["GET"]),
            Route("/sandbox/records", records, methods=["GET"]),
            Route("/sandbox/reset", reset, methods=["POST"]),
        ],
        exception_handlers={RecrasError: error},
    )
    app.state.recras = state
    return app


def _path_id(request: Request, what: str) -> int:
    text = request.path_params["id"]
    if not text.isascii() or not text.isdigit():
        raise RecrasError(404, {"error": f"{what} {text} bestaat niet"})
    return int(text)


def _query_int(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()):
        raise RecrasError(406, {"error": f"Ongeldige waarde voor parameter '{name}': '{value}'"})
    return int(value)


def _page(request: Request, items: list[dict[str, Any]], size: int) -> Response:
    """One page of a list, with the paging headers and a Link to first/last/prev/next."""
    page = _query_int(request, "page", 1)
    last = max(1, math.ceil(len(items) / size))
    if page < 1:
        raise RecrasError(406, {"error": "Ongeldige waarde voor parameter 'page': '0'"})
    chunk = items[(page - 1) * size : page * size]
    links = {"first": 1, "last": last}
    if page > 1:
        links["prev"] = min(page - 1, last)
    if page < last:
        links["next"] = page + 1
    link = ", ".join(
        f'<{request.url.include_query_params(page=n)}>; rel="{rel}"' for rel, n in links.items()
    )
    headers = {"X-Page-Size": str(size), "X-Total-Count": str(len(items)), "Link": link}
    return JSONResponse(chunk, headers=headers)


# --- authentication and faults -------------------------------------------------------------------


class BearerAuth:
    """ASGI middleware: only ``Authorization: Bearer <token>`` reaches the app (compared in
    constant time); anything else — HTTP Basic included — gets 401."""

    def __init__(self, app: ASGIApp, *, token: str):
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        await _drain(receive)
        body = {"error": {"message": "Niet geautoriseerd: geef een geldige API-sleutel"}}
        await JSONResponse(body, status_code=401)(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, value = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode("utf-8"), self.token.encode("utf-8")
        )


class RecrasFaultInjector(FaultInjector):
    """The faults of :class:`FaultInjector` for Recras: writes are POST, PUT and DELETE under
    ``/api2/``; ``locked`` answers 429 (too many requests, no ``Retry-After``: back off) and
    ``unavailable`` 503 with ``Retry-After``, both without calling the app."""

    @staticmethod
    def is_write(scope: Scope) -> bool:
        return is_write(scope)

    async def _locked(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = {"error": {"message": "Too Many Requests"}}
        await JSONResponse(body, status_code=429)(scope, receive, send)

    async def _unavailable(self, scope: Scope, receive: Receive, send: Send) -> None:
        seconds = self.faults.retry_after
        body = {"message": "Recras is tijdelijk niet beschikbaar wegens onderhoud"}
        headers = {"Retry-After": str(seconds)}
        await JSONResponse(body, status_code=503, headers=headers)(scope, receive, send)


def is_write(scope: Scope) -> bool:
    """Whether a request is a write to the Recras API (the only requests that get faults)."""
    return scope["method"] in WRITE_METHODS and scope["path"].startswith(f"{API}/")


# --- the running sandbox -------------------------------------------------------------------------


@dataclass
class RecrasSandbox:
    """A running Recras sandbox: its base URL, the API key it accepts, and what it holds."""

    server: Server
    token: str
    state: RecrasState
    faults: RecrasFaultInjector

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (RECRAS_BASE_URL); the endpoints are under ``/api2``."""
        return self.server.url

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: how the importer names this environment (its journal too)."""
        return f"{self.server.host}:{self.server.port}"

    @classmethod
    def start(
        cls,
        *,
        port: int = 0,
        faults: Faults | None = None,
        token: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> RecrasSandbox:
        """Serve a sandbox on 127.0.0.1 (a free port unless ``port`` is given)."""
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size!r}")
        token = token or secrets.token_urlsafe(32)
        state = RecrasState(page_size=page_size)
        injector = RecrasFaultInjector(
            BearerAuth(create_app(state), token=token), faults or Faults()
        )
        server = Server(injector, port=port).start()
        return cls(server=server, token=token, state=state, faults=injector)

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> RecrasSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
