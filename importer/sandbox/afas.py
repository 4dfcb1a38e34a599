"""An imitation of AFAS Profit's REST API, for demos and tests (served behind ``AfasAuth``).

Imitated:

- UpdateConnectors ``KnSalesRelationOrg``, ``KnSalesRelationPer``, ``KnOrganisation``,
  ``KnPerson``, ``PtProject`` and ``FbSales``: POST inserts (201), PUT updates (200) with only
  the key and the changed fields (``""`` clears a field); DELETE (200) for FbSales and PtProject
  with the keys in the path, ``/connectors/FbSales/FbSales/@OrNu/{OrNu}`` or
  ``/connectors/PtProject/PtProject/PrId/{PrId}`` (one order line:
  ``/connectors/FbSales/FbSalesLines/@OrNu,@GuLi/{OrNu},{GuLi}``); ``POST
  /connectors/FbSales/FbSalesLines`` adds lines to the order named by ``OrNu``. Bodies as AFAS
  takes them: ``Element`` one object or a list (several records in one call, checked and then
  processed as one transaction: all stored or nothing, a refusal of one refuses the call, and
  the reply then holds a list, in order), ``Objects`` a list of one-key objects or one object,
  keys as ``@Key`` attributes or plain fields. Reply ``{"results": {"<Name>": {key fields as
  strings}}}``. A PtProject POST naming an existing PrId without PrGp updates that project
  (AFAS's examples add phases or change the status that way); with PrGp it is an insert,
  refused as a duplicate.
- Refusals as HTTP 500 ``{"externalMessage", "errorNumber", "profitLogReference"}``, in Dutch
  with the field's path: whatever the sandbox's statement of Profit's rules
  (:mod:`importer.sandbox.afas_rules`) finds (unknown fields or objects, too long, values outside
  a list, wrong types); mandatory fields missing from whatever is inserted, nested objects added
  by a PUT included (not for an organisation or person a Match code finds: that is an update);
  a DbId, project, order or order line that
  does not exist; a PUT without its key (DbId, BcCo with MatchOga/MatchPer 0, PrId, OrNu); a DbId,
  OrNu, BcCo or GuLi that already exists; an unknown project group; an FbSales insert without
  lines and without ``SoQu``, or with an empty list of lines (``"FbSalesLines": {"Element":
  []}``); ``SoQu`` in an update; in a PUT an address for a record that has one without its
  ``BeginDate`` (a move: the new address is current from then, the old one kept as history); a
  DELETE of a record that does not exist, of a project that sales orders still refer to (PrId),
  or of another connector's records; an address without ``CoId``;
  an old-style ``BaAc`` that is not 10 positions; a BSN (``SoSe``) failing the 11-test; several
  matches for MatchOga/MatchPer. Bad JSON: 400 ``{"message": "Invalid json"}``. An unknown
  connector: 500 "Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet
  geautoriseerd."
- Matching (``MatchOga``/``MatchPer``, absent = 0): organisations by 0 BcCo, 1 KvK (CcNr),
  2 fiscal number (FiNr), 3 name (Nm); persons by 0 BcCo, 1 BSN (SoSe), 2 LaNm+Is+In+ViGe, 3/4/5/6
  that plus EmAd/MbNr/TeNr/DaBi; 9 is the sales relation's own organisation/person (in a PUT).
  One match turns the insert into an update of it (the reply keeps its BcCo), none inserts,
  several is an error. Text compares trimmed and case-insensitively.
- GetConnectors (:mod:`importer.sandbox.afas_get`); a query string over 2049 characters gives
  404. ``GET /metainfo``, ``/metainfo/update/{Name}`` (from the field listings),
  ``/metainfo/get/{Name}``.
- Order lines in a PUT: a line with ``@Action`` insert, or with neither an action nor a
  ``GuLi``, is added (with a new ``{GUID}``); ``@Action`` update or delete names the line by
  ``GuLi``, or by ``ItCd`` (and ``VaIt``) when exactly one line has it; a ``GuLi`` without an
  action changes that line. Lines sent again without actions are thus added a second time.
- Sandbox only, not AFAS: ``GET {base}/sandbox/records`` (every record, per kind) and ``POST
  {base}/sandbox/reset`` (forget every record, number and received request).

Not imitated: MatchOga 4/5 (address) and any other value insert a new organisation, likewise
MatchPer outside 0-6 and 9; ``SoQu`` copies no quotation (the order starts without lines); items,
units, prices, stock, warehouses, currencies and every code table but project groups and countries
are taken as sent (project groups: ``ALG``, ``FLEX`` and ``CON``; countries: Profit's own codes,
``afas_countries``, so ``BE`` is refused where Profit wants ``B``), unless the sandbox is told the
environment's tables (``importer sandbox --codes``: project groups, countries, items;
``AfasState.use_codes``); ``BeginDate`` is
demanded only for an address added to a record that has one (in a POST whose Match code finds the
record, only when the address differs from the current one) and any date goes (the new address
is current at once); nested ``@Action`` is honoured for order lines and project phases only,
other nested objects are always added; AFAS's example "Regel Artikel" may mean that Profit
matches a PUT's line without action by its item code, the sandbox adds it (the stricter reading:
a client must say what a line is for); ``Accept-Language`` is ignored (messages are Dutch); a
body over 75 MB gets 413 (OAuth and 503 come from the layers in front:
:mod:`importer.sandbox.auth`, :mod:`~.faults`).

What each connector does: :mod:`importer.sandbox.afas_relations` (organisations, persons, sales
relations) and :mod:`importer.sandbox.afas_orders` (projects, sales orders), both over
:mod:`importer.sandbox.afas_call`.

State: :mod:`importer.sandbox.afas_store` (in memory, or a SQLite file with
``AfasState.open(path)``). Every write reaching the app (POST, PUT, DELETE; also refused ones) is
in ``state.requests``, every read (GetConnector, metainfo) in ``state.reads``, each as
``{"method", "connector", "path", "query", "body"}`` (body None when absent, the raw text when
not JSON); ``state.received(connector, method)``, ``state.elements(connector, method)`` (the records
of a list one by one) and ``state.paths(method)`` read them, and
``state.deleted`` holds each record a DELETE removed. The sandbox's own ``/sandbox/...``
endpoints are not kept.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from importer import jsontext
from importer.sandbox import afas_get, afas_rules
from importer.sandbox.afas_call import Call, DeleteHandler, Handler, ProfitError
from importer.sandbox.afas_orders import (
    add_order_lines,
    delete_order,
    delete_order_line,
    delete_project,
    insert_order,
    update_order,
    upsert_project,
)
from importer.sandbox.afas_relations import (
    ORGANISATION,
    PERSON,
    insert_relation,
    insert_sales_relation,
    update_relation,
    update_sales_relation,
)
from importer.sandbox.afas_store import PROJECT_GROUPS, AfasState

__all__ = ["CONNECTORS", "PROJECT_GROUPS", "AfasState", "ProfitError", "create_app"]

ERROR_NUMBER = -2147220469
UNSUPPORTED = "Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd."
MAX_QUERY = 2049
MAX_BODY = 75 * 1024 * 1024  # one call at most 75 MB: 413 beyond
MAX_MESSAGES = 10


def error_response(message: str) -> JSONResponse:
    body = {
        "externalMessage": message,
        "errorNumber": ERROR_NUMBER,
        "profitLogReference": uuid.uuid4().hex.upper(),
    }
    return JSONResponse(body, status_code=500)


# --- Messages -----------------------------------------------------------------------------------


def refusal(problems: list[afas_rules.Problem]) -> str:
    """One message for a refused body: a line a problem, at most ``MAX_MESSAGES``."""
    lines = [problem.text() for problem in problems[:MAX_MESSAGES]]
    if len(problems) > MAX_MESSAGES:
        lines.append(f"... en nog {len(problems) - MAX_MESSAGES} fouten.")
    return "\n".join(lines)


# --- The registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Connector:
    """One UpdateConnector: what POST, PUT and DELETE do, and its sub-paths."""

    name: str
    description: str
    insert: Handler
    update: Handler
    delete: DeleteHandler | None = None
    sub_inserts: dict[str, Handler] = field(default_factory=dict)  # POST /connectors/{name}/{sub}
    sub_deletes: dict[str, DeleteHandler] = field(default_factory=dict)


CONNECTORS: dict[str, Connector] = {
    c.name: c
    for c in (
        Connector(
            "KnSalesRelationOrg",
            "Verkooprelatie organisatie",
            partial(insert_sales_relation, ORGANISATION),
            partial(update_sales_relation, ORGANISATION),
        ),
        Connector(
            "KnSalesRelationPer",
            "Verkooprelatie persoon",
            partial(insert_sales_relation, PERSON),
            partial(update_sales_relation, PERSON),
        ),
        Connector(
            "KnOrganisation",
            "Organisatie",
            partial(insert_relation, ORGANISATION),
            partial(update_relation, ORGANISATION),
        ),
        Connector(
            "KnPerson",
            "Persoon",
            partial(insert_relation, PERSON),
            partial(update_relation, PERSON),
        ),
        Connector(
            "PtProject",
            "Project",
            upsert_project,
            partial(upsert_project, must_exist=True),
            delete=delete_project,
        ),
        Connector(
            "FbSales",
            "Verkooporder",
            insert_order,
            update_order,
            delete=delete_order,
            sub_inserts={"FbSalesLines": add_order_lines},
            sub_deletes={"FbSalesLines": delete_order_line},
        ),
    )
}


def run_update(state: AfasState, connector: str, body: Any, handler: Handler, status: int):
    """Check a body against Profit's rules, then run every element in one transaction."""
    problems = afas_rules.problems(connector, body)
    if problems:
        return error_response(refusal(problems))
    element = body[connector]["Element"]
    many = isinstance(element, list)
    elements = element if many else [element]
    if not elements:
        return error_response(f"Er is geen Element opgegeven ({connector}).")
    with state.lock:
        call = Call(state, state.transaction(), connector)
        try:
            replies = [
                handler(call, item, f"{connector}[{i}]" if many else connector)
                for i, item in enumerate(elements)
            ]
        except ProfitError as exc:
            return error_response(str(exc))
        state.commit(call.tx)
    return JSONResponse({"results": {connector: replies if many else replies[0]}}, status)


def run_delete(state: AfasState, name: str, handler: DeleteHandler, keys: dict[str, str]):
    with state.lock:
        call = Call(state, state.transaction(), name)
        try:
            reply = handler(call, keys)
        except ProfitError as exc:
            return error_response(str(exc))
        state.commit(call.tx)
    return JSONResponse({"results": {name: reply}}, status_code=200)


# --- The app ------------------------------------------------------------------------------------


def create_app(state: AfasState | None = None) -> Starlette:
    """The sandbox's AFAS app (authentication is a middleware in front of it)."""
    state = state if state is not None else AfasState()

    def log(request: Request, connector: str | None, body: Any, exact: Any = None) -> None:
        """Keep a request: writes in ``state.requests``, reads (GET) in ``state.reads``.
        ``exact`` is the body with its numbers as the digits received (Decimals)."""
        entry = {
            "method": request.method,
            "connector": connector,
            "path": request.url.path,
            "query": request.url.query,
            "body": body,
            "exact": exact,
        }
        with state.lock:
            (state.reads if request.method == "GET" else state.requests).append(entry)

    async def update(request: Request, name: str, sub: str | None) -> Response:
        raw = await request.body()
        if len(raw) > MAX_BODY:  # (not kept in the log: Profit would not read it either)
            return Response(status_code=413)
        try:
            body = json.loads(raw)
        except ValueError:
            log(request, name, raw.decode("utf-8", "replace"))
            return JSONResponse({"message": "Invalid json"}, status_code=400)
        log(request, name, body, jsontext.loads(raw))
        spec = CONNECTORS.get(name)
        if spec is None:
            return error_response(UNSUPPORTED)
        handler: Handler | None
        if sub is None:
            handler = spec.insert if request.method == "POST" else spec.update
        else:
            handler = spec.sub_inserts.get(sub)
        if handler is None:
            return error_response(f"Het object '{sub}' wordt niet ondersteund door {name}.")
        return run_update(state, name, body, handler, 201 if request.method == "POST" else 200)

    async def connectors(request: Request) -> Response:
        name = request.path_params["connector"]
        if request.method != "GET":
            return await update(request, name, None)
        log(request, name, None)
        if len(request.scope.get("query_string", b"")) > MAX_QUERY:
            return Response(status_code=404)
        try:
            return JSONResponse(afas_get.query(state, name, request.query_params))
        except afas_get.GetError as exc:
            return error_response(str(exc))

    async def sub_connector(request: Request) -> Response:
        params = request.path_params
        return await update(request, params["connector"], params["object"])

    async def delete(request: Request) -> Response:
        params = request.path_params
        name, obj = params["connector"], params["object"]
        log(request, name, None)
        spec = CONNECTORS.get(name)
        if spec is None:
            return error_response(UNSUPPORTED)
        handler = spec.delete if obj == name else spec.sub_deletes.get(obj)
        if handler is None:
            return error_response(
                f"Verwijderen is niet mogelijk met UpdateConnector {name} ({obj})."
            )
        names = [key.strip().lstrip("@") for key in params["keys"].split(",")]
        values = params["values"].split(",")
        if len(names) != len(values):
            return error_response("Het aantal sleutelvelden en sleutelwaarden komt niet overeen.")
        return run_delete(state, name, handler, dict(zip(names, values, strict=True)))

    async def metainfo(request: Request) -> Response:
        log(request, None, None)
        updates = [{"id": c.name, "description": c.description} for c in CONNECTORS.values()]
        return JSONResponse(
            {"updateConnectors": updates, "getConnectors": afas_get.metainfo_list()}
        )

    async def metainfo_of(request: Request) -> Response:
        kind, name = request.path_params["kind"], request.path_params["name"]
        log(request, name, None)
        if kind == "update":
            spec = CONNECTORS.get(name)
            info = afas_rules.metainfo(name, spec.description) if spec else None
            return JSONResponse(info) if info else error_response(UNSUPPORTED)
        if kind != "get":
            return Response(status_code=404)
        info = afas_get.metainfo(name)
        return JSONResponse(info) if info else error_response(afas_get.UNSUPPORTED)

    async def records(request: Request) -> Response:
        return JSONResponse(state.records())

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"reset": True})

    base = "/{base:path}"
    app = Starlette(
        routes=[
            Route(f"{base}/connectors/{{connector}}", connectors, methods=["GET", "POST", "PUT"]),
            Route(f"{base}/connectors/{{connector}}/{{object}}", sub_connector, methods=["POST"]),
            Route(
                f"{base}/connectors/{{connector}}/{{object}}/{{keys}}/{{values:path}}",
                delete,
                methods=["DELETE"],
            ),
            Route(f"{base}/metainfo", metainfo, methods=["GET"]),
            Route(f"{base}/metainfo/{{kind}}/{{name}}", metainfo_of, methods=["GET"]),
            Route(f"{base}/sandbox/records", records, methods=["GET"]),
            Route(f"{base}/sandbox/reset", reset, methods=["POST"]),
        ]
    )
    app.state.afas = state
    return app
