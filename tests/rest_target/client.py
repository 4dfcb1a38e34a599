"""The client of the plain REST API (see the package's docstring)."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from importer.audit import AuditTransport
from importer.contract import Violation
from importer.errors import AuthenticationError, ConfigurationError, LookupFailed, TargetUnreachable
from importer.targets import Reply, ReplyKind, http


class RecordContract:
    """A record is a JSON object with a non-empty ``name`` of at most 40 characters."""

    source = "rest_target"

    def __init__(self, connector: str):
        self.connector = connector

    def violations(self, body: Any, action: str = "insert") -> list[Violation]:
        if action == "delete":
            return []
        if not isinstance(body, dict):
            return [Violation(self.connector, "", body, "a record is a JSON object")]
        if action == "update" and "name" not in body:
            return []  # an update holds what changes
        name = body.get("name")
        if not isinstance(name, str) or not name:
            return [Violation("name", "name", name, "name is required")]
        if len(name) > 40:
            return [Violation("name", "name", name, f"name is {len(name)} characters, at most 40")]
        return []


class RestTarget:
    system = "Plain REST"
    default_concurrency = 2
    max_concurrency = 4
    needs_confirmation = False

    def __init__(self, base_url: str, token: str, *, concurrency: int = 2, audit: Any = None):
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc
        self.environment = "sandbox"
        transport: httpx.BaseTransport = httpx.HTTPTransport()
        if audit is not None:
            transport = AuditTransport(transport, audit)
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}"},
            transport=transport,
            timeout=10,
        )

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] = os.environ, *, concurrency: int = 2, audit: Any = None
    ) -> RestTarget:
        if not env.get("REST_BASE_URL") or not env.get("REST_TOKEN"):
            raise ConfigurationError("Set REST_BASE_URL and REST_TOKEN")
        return cls(env["REST_BASE_URL"], env["REST_TOKEN"], concurrency=concurrency, audit=audit)

    @staticmethod
    def shipped_contract(connector: str) -> RecordContract:
        return RecordContract(connector)

    def contract(self, connector: str) -> RecordContract:
        return RecordContract(connector)

    def insert(self, connector: str, body: Any) -> Reply:
        return self._write("POST", f"/records/{connector}", body)

    clear_value: ClassVar[Any] = None  # a field set to null is emptied

    @staticmethod
    def update_ids(connector: str) -> tuple[str, ...]:
        return ("id",)

    @staticmethod
    def delete_ids(connector: str) -> tuple[str, ...]:
        return ("id",)

    @staticmethod
    def nested_deletes(body: Any) -> int:
        return 0  # nothing nested is deleted by a body

    @staticmethod
    def insert_makes_new(connector: str, body: Any, ids: Collection[str]) -> bool:
        return True  # a POST always makes a new record

    def update(self, connector: str, body: Any, ids: dict[str, str]) -> Reply:
        """``PUT /records/{kind}/{id}``; an ``id`` in the body is not sent."""
        record = {k: v for k, v in body.items() if k != "id"}
        return self._write("PUT", f"/records/{connector}/{self._id(ids)}", record)

    def delete(self, connector: str, ids: dict[str, str]) -> Reply:
        """``DELETE /records/{kind}/{id}``."""
        return self._write("DELETE", f"/records/{connector}/{self._id(ids)}", None)

    @staticmethod
    def _id(ids: dict[str, str]) -> str:
        if not str(ids.get("id") or "").strip():
            raise ValueError(f"the REST API needs the id 'id'; given: {sorted(ids)}")
        return str(ids["id"]).strip()

    def _write(self, method: str, path: str, body: Any) -> Reply:
        try:
            response = (
                self._client.request(method, path)
                if body is None
                else self._client.request(method, path, json=body)
            )
        except httpx.ConnectError as exc:
            raise TargetUnreachable(f"Cannot reach the REST API at {self.host}") from exc
        except httpx.TransportError:
            return Reply(ReplyKind.UNKNOWN, error="no answer; the record may exist")
        if response.status_code == 401:
            raise AuthenticationError("the REST API refused the token")
        if response.status_code in (200, 201):
            return Reply(ReplyKind.OK, ids={"id": str(response.json()["id"])})
        if response.status_code == 204:
            return Reply(ReplyKind.OK)
        if response.status_code in (429, 503):
            wait = http.retry_after(response.headers.get("retry-after"))
            said = f"the REST API is busy (HTTP {response.status_code})"
            return Reply(ReplyKind.TRANSIENT, error=said, retry_after=wait)
        return Reply(ReplyKind.REFUSED, error=response.json().get("detail", response.text))

    def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for values in filters:
            try:
                response = self._client.get(f"/records/{connector}", params=values)
            except httpx.ConnectError as exc:
                raise TargetUnreachable(f"Cannot reach the REST API at {self.host}") from exc
            except httpx.TransportError as exc:
                raise LookupFailed(f"{connector} gave no answer") from exc
            if response.status_code == 401:
                raise AuthenticationError("the REST API refused the token")
            found += [{**r, "id": str(r["id"])} for r in response.json()]
        return found

    def changes(self, old: Any, new: Any) -> Any | None:
        """The fields that changed (a field left out is not emptied: only one set to null)."""
        if old is None:
            return new
        changed = {k: v for k, v in new.items() if k != "id" and old.get(k, ...) != v}
        return changed or None

    def close(self) -> None:
        self._client.close()
