"""The plain REST API's sandbox: records in memory, on 127.0.0.1."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from importer.sandbox.faults import FaultInjector, Faults
from importer.sandbox.server import Server


class RestFaultInjector(FaultInjector):
    """Faults on the writes to ``/records/``: busy is 429, maintenance 503, each with a
    ``Retry-After`` header."""

    @staticmethod
    def is_write(scope: Scope) -> bool:
        writes = ("POST", "PUT", "DELETE")
        return scope["method"] in writes and scope["path"].startswith("/records/")

    async def _locked(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {"Retry-After": str(self.faults.retry_after)}
        await JSONResponse({"detail": "busy"}, status_code=429, headers=headers)(
            scope, receive, send
        )

    async def _unavailable(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {"Retry-After": str(self.faults.retry_after)}
        await JSONResponse({"detail": "maintenance"}, status_code=503, headers=headers)(
            scope, receive, send
        )


@dataclass
class RestSandbox:
    server: Server
    token: str
    faults: RestFaultInjector
    records: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)  # method, path, body

    @property
    def base_url(self) -> str:
        return self.server.url

    @property
    def host(self) -> str:
        return f"{self.server.host}:{self.server.port}"

    @classmethod
    def start(
        cls, *, port: int = 0, faults: Faults | None = None, token: str | None = None
    ) -> RestSandbox:
        token = token or secrets.token_hex(16)
        holder: dict[str, RestSandbox] = {}

        async def records(request: Request) -> Response:
            box = holder["box"]
            if request.headers.get("authorization") != f"Bearer {box.token}":
                return JSONResponse({"detail": "unauthorized"}, status_code=401)
            kind = request.path_params["kind"]
            table = box.records.setdefault(kind, {})
            if request.method == "GET":
                wanted = dict(request.query_params)
                rows = [
                    {"id": n, **r}
                    for n, r in table.items()
                    if all(str(r.get(k)) == v for k, v in wanted.items())
                ]
                return JSONResponse(rows)
            if request.method == "DELETE":
                box.requests.append((request.method, request.url.path, None))
                number = int(request.path_params["id"])
                if table.pop(number, None) is None:
                    return JSONResponse({"detail": f"no record {number}"}, status_code=404)
                return Response(status_code=204)
            body = await request.json()
            box.requests.append((request.method, request.url.path, body))
            if request.method == "PUT":
                number = int(request.path_params["id"])
                if number not in table:
                    return JSONResponse({"detail": f"no record {number}"}, status_code=404)
                if "name" in body and (not isinstance(body["name"], str) or not body["name"]):
                    return JSONResponse({"detail": "name is required"}, status_code=422)
                for field_name, value in body.items():  # null empties a field
                    if value is None:
                        table[number].pop(field_name, None)
                    else:
                        table[number][field_name] = value
                return JSONResponse({"id": number, **table[number]})
            if not isinstance(body.get("name"), str) or not body["name"]:
                return JSONResponse({"detail": "name is required"}, status_code=422)
            number = len(table) + 1
            table[number] = body
            return JSONResponse({"id": number, **body}, status_code=201)

        app = Starlette(
            routes=[
                Route("/records/{kind}", records, methods=["GET", "POST"]),
                Route("/records/{kind}/{id}", records, methods=["PUT", "DELETE"]),
            ]
        )
        injector = RestFaultInjector(app, faults or Faults())
        box = cls(server=Server(injector, port=port).start(), token=token, faults=injector)
        holder["box"] = box
        return box

    def reset(self) -> None:
        """Forget every record and request, and inject no faults."""
        self.records.clear()
        self.requests.clear()
        self.faults.use(Faults())

    def stop(self) -> None:
        self.server.stop()
