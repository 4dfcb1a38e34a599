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
  exactly one main contact; an existing person given by ``id`` must exist; ``geslacht`` man,
  vrouw or onbekend; e-mail addresses that look like one; ``extra_fields`` typed (number: a
  whole number, date: ISO 8601, multiplechoice: a list of texts, text and singlechoice: a
  text); ``provinciecode`` ISO 3166-2 (one of the twelve for ``NL-``); ``bedrijf_id`` an
  existing company (default 1) and ``soort_klant`` one of its kinds.
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

State: every write reaching the app (POST, PUT; also refused ones) is in ``state.requests`` and
every read in ``state.reads``, each ``{"method", "path", "query", "body"}`` (body None when
absent, the raw text when not JSON).
"""

from __future__ import annotations

import copy
import hmac
import json
import math
import secrets
import threading
from dataclasses import dataclass, field
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
from importer.sandbox.recras_rules import PERSON_TEXT, read_klant
from importer.sandbox.server import Server

__all__ = ["BearerAuth", "RecrasFaultInjector", "RecrasSandbox", "RecrasState", "create_app"]

API = "/api2"
PAGE_SIZE = 100

# The fields of a contact in a list of klanten, as Recras's example shows them.
SUMMARY = (
    "id",
    "type",
    "displaynaam",
    "naam",
    "adres",
    "postcode",
    "plaats",
    "provinciecode",
    "website",
    "bedrijf_id",
    "soort_klant",
    "afdeling",
    "factuur_adressering",
)
BEDRIJVEN = {
    1: {
        "id": 1,
        "naam": "Sandbox Recreatie B.V.",
        "soorten_klant": ["Particulier", "Familie", "Groep", "Bedrijf", "School", "Vereniging"],
    }
}
ME = {"id": 1, "voornaam": "Sandbox", "achternaam": "Gebruiker", "email": "api@sandbox.test"}


class RecrasError(Exception):
    """A refusal: the HTTP status and the body to answer with."""

    def __init__(self, status: int, body: dict[str, Any]):
        super().__init__(json.dumps(body))
        self.status, self.body = status, body


def refused(problems: list[str]) -> RecrasError:
    return RecrasError(422, {"error": {"message": "; ".join(problems)}})


@dataclass
class RecrasState:
    """What the sandbox holds: contacts of every type (klanten among them), contact persons,
    the companies klanten belong to, and the requests it received."""

    contacts: dict[int, dict[str, Any]] = field(default_factory=dict)
    persons: dict[int, dict[str, Any]] = field(default_factory=dict)
    companies: dict[int, dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(BEDRIJVEN))
    requests: list[dict[str, Any]] = field(default_factory=list)
    reads: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = PAGE_SIZE
    refuse_writes: bool = False  # answer every write 403, as to a key without the permission
    lock: threading.RLock = field(default_factory=threading.RLock)
    next_contact: int = 1
    next_person: int = 1

    # --- views ----------------------------------------------------------------------------------

    @property
    def klanten(self) -> dict[int, dict[str, Any]]:
        """Every klant by id, as ``GET /api2/klanten/{id}`` shows it."""
        with self.lock:
            return {i: self.view(i) for i, c in self.contacts.items() if c["type"] == "klant"}

    def view(self, contact_id: int) -> dict[str, Any]:
        """One contact with its contactpersonen (main contact first) and extra_fields."""
        with self.lock:
            contact = self.contacts[contact_id]
            links = sorted(contact["contactpersonen"], key=lambda link: not link["hoofdcontact"])
            people = [
                {**self._person(link["id"]), "hoofdcontact": link["hoofdcontact"]} for link in links
            ]
            return {
                **self.summary(contact_id),
                "contactpersonen": people,
                "extra_fields": copy.deepcopy(contact.get("extra_fields", [])),
            }

    def summary(self, contact_id: int) -> dict[str, Any]:
        """A contact as a list of klanten shows it (no contactpersonen)."""
        contact = self.contacts[contact_id]
        out = {name: contact.get(name) for name in SUMMARY}
        out["displaynaam"] = contact.get("naam") or self._main_name(contact) or ""
        return out

    def _person(self, person_id: int) -> dict[str, Any]:
        person = self.persons[person_id]
        return {"id": person_id, **{name: person.get(name) for name in PERSON_TEXT}}

    def _main_name(self, contact: dict[str, Any]) -> str:
        for link in contact["contactpersonen"]:
            if link["hoofdcontact"]:
                person = self.persons[link["id"]]
                names = (person.get("voornaam"), person.get("achternaam"))
                return " ".join(n for n in names if n)
        return ""

    def received(self, method: str = "POST", path: str = "/api2/klanten") -> list[Any]:
        """The bodies of the writes received with ``method`` on ``path``."""
        with self.lock:
            return [r["body"] for r in self.requests if (r["method"], r["path"]) == (method, path)]

    def records(self) -> dict[str, Any]:
        with self.lock:
            return {
                "contacten": [self.view(i) for i in sorted(self.contacts)],
                "contactpersonen": [self._person(i) for i in sorted(self.persons)],
            }

    def reset(self) -> None:
        """Forget every contact, person and request (the settings stay)."""
        with self.lock:
            self.contacts.clear()
            self.persons.clear()
            self.requests.clear()
            self.reads.clear()
            self.next_contact = self.next_person = 1

    # --- changes --------------------------------------------------------------------------------

    def add_klant(self, body: Any) -> dict[str, Any]:
        """Create a klant from a POST body (RecrasError when refused); its summary."""
        return self.add_contact(body, kind="klant")

    def add_contact(self, body: Any, *, kind: str = "klant") -> dict[str, Any]:
        """Create a contact of any type (``leverancier``, ... for tests) from a body."""
        with self.lock:
            fields, people, extra = self._checked(body, new=True)
            contact_id = self.next_contact
            self.next_contact += 1
            contact: dict[str, Any] = {name: None for name in SUMMARY if name != "displaynaam"}
            contact.update(fields, id=contact_id, type=kind, extra_fields=extra or [])
            contact["bedrijf_id"] = contact["bedrijf_id"] or 1
            contact["contactpersonen"] = self._link(people or [])
            self.contacts[contact_id] = contact
            return self.summary(contact_id)

    def update_klant(self, klant_id: int, body: Any) -> dict[str, Any]:
        """Change a klant with a PUT body; its full view."""
        with self.lock:
            contact = self.contacts.get(klant_id)
            if contact is None or contact["type"] != "klant":
                raise RecrasError(404, {"error": f"Klant {klant_id} bestaat niet"})
            fields, people, extra = self._checked(body, new=False, company=contact["bedrijf_id"])
            contact.update(fields)
            if people is not None:
                contact["contactpersonen"] = self._link(people or [])
            if extra is not None:
                given = {e["name"] for e in extra}
                kept = [e for e in contact["extra_fields"] if e["name"] not in given]
                contact["extra_fields"] = kept + extra
            return self.view(klant_id)

    def _link(self, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The links of a contact's complete list of contact persons: one with an id is that
        person (the fields given change it), one without is a new person."""
        links = []
        for person in people:
            person = dict(person)
            main = person.pop("hoofdcontact")
            if "id" in person:
                person_id = person.pop("id")
                self.persons[person_id].update(
                    {name: value for name, value in person.items() if name in PERSON_TEXT}
                )
            else:
                person_id = self.next_person
                self.next_person += 1
                self.persons[person_id] = {name: person.get(name) for name in PERSON_TEXT}
            links.append({"id": person_id, "hoofdcontact": main})
        return links

    def add_person(self, **fields: Any) -> int:
        """A contact person not linked to any contact (for tests); its id."""
        with self.lock:
            person_id = self.next_person
            self.next_person += 1
            self.persons[person_id] = {name: fields.get(name) for name in PERSON_TEXT}
            return person_id

    # --- the rules ------------------------------------------------------------------------------

    def _checked(
        self, body: Any, *, new: bool, company: int = 1
    ) -> tuple[dict[str, Any], list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        """(klant fields, contactpersonen or None, extra_fields or None) of a valid body."""
        if not isinstance(body, dict):
            raise RecrasError(400, {"message": "Invalid JSON: an object was expected"})
        klant = read_klant(
            body, new=new, company=company, companies=self.companies, persons=self.persons
        )
        if klant.problems:
            raise refused(klant.problems)
        return klant.fields, klant.people, klant.extra


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
