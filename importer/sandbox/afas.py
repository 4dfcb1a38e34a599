"""An imitation of AFAS Profit's REST UpdateConnectors, for demos and tests.

It answers like Profit where that matters to an importer: 201 replies with the new keys
under ``results``, and functional errors as HTTP 500 with ``externalMessage``,
``errorNumber`` and ``profitLogReference``. Everything it holds is in memory
(:class:`AfasState`), and every request it received is kept in ``state.requests`` so tests
can assert on exactly what was sent.

Reference data the sandbox knows (its "environment"): project groups ``ALG`` and ``FLEX``.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PROJECT_GROUPS = frozenset({"ALG", "FLEX"})
ERROR_NUMBER = -2147220469


class ProfitError(Exception):
    """A functional error: the sandbox answers 500 with this message."""


@dataclass
class AfasState:
    """What the sandbox environment holds."""

    debtors: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _counters: dict[str, Iterator[int]] = field(default_factory=dict, repr=False)

    def next_id(self, kind: str, start: int) -> str:
        return str(next(self._counters.setdefault(kind, itertools.count(start))))

    def received(self, connector: str) -> list[Any]:
        """Bodies received for a connector (also those that were refused)."""
        return [r["body"] for r in self.requests if r["connector"] == connector]


def element_fields(element: dict[str, Any]) -> dict[str, Any]:
    """An element's fields, with ``@Key`` attributes counted as fields of the same name."""
    attrs = {k[1:]: v for k, v in element.items() if k.startswith("@")}
    return {**attrs, **(element.get("Fields") or {})}


def child_objects(element: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``Objects`` as (name, element) pairs, whether written as a list or as one object."""
    objects = element.get("Objects") or []
    holders = objects if isinstance(objects, list) else [objects]
    pairs = []
    for holder in holders:
        for name, value in holder.items():
            inner = value.get("Element", value) if isinstance(value, dict) else value
            for item in inner if isinstance(inner, list) else [inner]:
                pairs.append((name, item))
    return pairs


def _insert_sales_relation(state: AfasState, element: dict[str, Any]) -> dict[str, str]:
    fields = element_fields(element)
    if not fields.get("CuId"):
        raise ProfitError("Valuta: veld is verplicht.")
    organisations = [e for name, e in child_objects(element) if name == "KnOrganisation"]
    if len(organisations) != 1:
        raise ProfitError("Verkooprelatie: geef precies één organisatie (KnOrganisation) op.")
    db_id = str(fields.get("DbId") or state.next_id("DbId", 10000))
    if db_id in state.debtors:
        raise ProfitError(f"Verkooprelatie '{db_id}' bestaat al.")
    organisation = _insert_organisation(state, organisations[0])
    state.debtors[db_id] = {"DbId": db_id, "fields": fields, "BcCo": organisation["BcCo"]}
    return {"DbId": db_id, "BcCo": organisation["BcCo"], "BcId": organisation["BcId"]}


def _insert_organisation(state: AfasState, element: dict[str, Any]) -> dict[str, str]:
    fields = element_fields(element)
    if not fields.get("Nm"):
        raise ProfitError("Organisatie: Naam is verplicht.")
    autonum = str(fields.get("AutoNum", "false")).lower() in ("true", "1")
    if autonum:
        bc_co = state.next_id("BcCo", 100000)
    elif fields.get("BcCo"):
        bc_co = str(fields["BcCo"])
    else:
        raise ProfitError("Organisatie: Nummer (BcCo) is verplicht als AutoNum niet aan staat.")
    for name, child in child_objects(element):
        if name.startswith("KnBasicAddress") and not element_fields(child).get("CoId"):
            raise ProfitError("Adres: Land (CoId) is verplicht.")
    record = {
        "BcCo": bc_co,
        "BcId": state.next_id("BcId", 2000),
        "fields": fields,
        "objects": child_objects(element),
    }
    state.organisations[bc_co] = record
    return {"BcCo": bc_co, "BcId": record["BcId"]}


def _insert_project(state: AfasState, element: dict[str, Any]) -> dict[str, str]:
    fields = element_fields(element)
    group = fields.get("PrGp")
    if not group:
        raise ProfitError("Projectgroep: veld is verplicht.")
    if group not in PROJECT_GROUPS:
        raise ProfitError(f"Projectgroep '{group}' bestaat niet.")
    db_id = fields.get("DbId")
    if db_id is not None and str(db_id) not in state.debtors:
        raise ProfitError(f"Verkooprelatie '{db_id}' bestaat niet.")
    pr_id = str(fields.get("PrId") or state.next_id("PrId", 97000))
    if pr_id in state.projects:
        raise ProfitError(f"Project '{pr_id}' bestaat al.")
    state.projects[pr_id] = {"PrId": pr_id, "fields": fields}
    return {"PrId": pr_id}


INSERTS: dict[str, Callable[[AfasState, dict[str, Any]], dict[str, str]]] = {
    "KnSalesRelationOrg": _insert_sales_relation,
    "PtProject": _insert_project,
}


def error_response(message: str) -> JSONResponse:
    return JSONResponse(
        {
            "externalMessage": message,
            "errorNumber": ERROR_NUMBER,
            "profitLogReference": uuid.uuid4().hex.upper(),
        },
        status_code=500,
    )


def create_app(state: AfasState | None = None) -> Starlette:
    """The sandbox's AFAS app (authentication is a middleware in front of it)."""
    state = state if state is not None else AfasState()

    async def update_connector(request: Request) -> Response:
        connector = request.path_params["connector"]
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return JSONResponse({"message": "Invalid json"}, status_code=400)
        with state.lock:
            state.requests.append({"method": request.method, "connector": connector, "body": body})
            insert = INSERTS.get(connector)
            if insert is None:
                return error_response(
                    "Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet "
                    "geautoriseerd."
                )
            try:
                element = body[connector]["Element"]
                ids = insert(state, element)
            except ProfitError as exc:
                return error_response(str(exc))
            except (KeyError, TypeError, AttributeError):
                return error_response(f"Ongeldig bericht voor {connector}: Element ontbreekt.")
        return JSONResponse({"results": {connector: ids}}, status_code=201)

    app = Starlette(
        routes=[
            Route("/{base:path}/connectors/{connector}", update_connector, methods=["POST"]),
        ]
    )
    app.state.afas = state
    return app
