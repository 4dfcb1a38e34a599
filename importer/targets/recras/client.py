"""Recras API v2 (``https://{instance}.recras.nl/api2/``) over REST (httpx).

Facts this module relies on (see the README, "Connecting to Recras"): the API key is sent as
``Authorization: Bearer <key>`` (HTTP Basic is deprecated and never used here); ``GET
/api2/personeel/me`` is a cheap credential check; ``POST /api2/{endpoint}`` answers 201 with
the new record and its ``id``; ``PUT /api2/{endpoint}/{id}`` updates; list endpoints may page
with a ``Link`` header; an error body carries its message in ``error``, ``message`` or
``error.message`` (the shape is not documented, so all three are read); no rate limit is
documented, so 429 and 503 are waited out. Recras has no external id and no upsert: duplicates
are avoided by a lookup (``match:`` on ``contacten``) before each insert.

Conventions of this target:

- a step's ``connector`` is the endpoint's name: ``klanten`` posts to ``/api2/klanten``;
- an update is given the record's ids (``{"id": "17"}``: the id kept when it was created or
  found) and sends the id in the path, ``PUT /api2/klanten/{id}``; an ``"id"`` in the body is
  left out of what is sent; Recras documents no DELETE;
- a PUT's ``contactpersonen`` is the complete list as it should stand (Recras unlinks the
  persons left out and creates those without an id). So that an update does not re-create
  every contact person with a new id, the client first reads the record (``GET
  /api2/klanten/{id}``) and gives each contact person of the body without an ``id`` the id of
  the existing one it matches: the same first and last name (compared as lookups compare:
  case, spaces and Unicode form do not count), or else the same ``email1``. Each existing
  person is given once, to the first that matches; a person named by ``id`` in the body keeps
  it. A PUT without contact persons without an id reads nothing first;
- a lookup reads the whole list endpoint (``contacten`` lists every contact with its
  contactpersonen), page by page through ``Link: <...>; rel="next"``, once: later lookups are
  answered from what was read until the client writes to Recras. It filters it here:
  a record matches a filter when every field equals, compared without regard to case, runs
  of spaces, accents written in another Unicode form, and — for postcodes — the space
  (``1234AB`` = ``1234 ab``). A field ``contactpersonen.email1`` matches when any of the
  record's contact persons has that value. A matching record is returned with the filter's
  own spelling in the matched fields, so the runner can tell which row it belongs to.

Beside this module: :mod:`~importer.targets.recras.addresses` (the base URL and endpoint paths),
:mod:`~importer.targets.recras.replies` (what an answer means),
:mod:`~importer.targets.recras.contacts` (the contact persons' ids an update keeps) and
:mod:`~importer.targets.recras.filters` (how a lookup compares).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Collection, Mapping
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import httpx

from importer import jsontext
from importer.audit import Audit
from importer.errors import AuthenticationError, ConfigurationError, LookupFailed, TargetUnreachable
from importer.messages import Message
from importer.targets import Reply, ReplyKind, header_safe, http
from importer.targets.recras.addresses import HOW_TO_CONFIGURE, _origin, _path, _root, instance_of
from importer.targets.recras.contacts import _new_people, _unread, keep_ids
from importer.targets.recras.contract import CONTRACTS, RecrasContract
from importer.targets.recras.filters import _matches, _norm
from importer.targets.recras.replies import _json, best_message, read_reply

_RECORD_ID = re.compile(r"[1-9]\d{0,17}")
MAX_PAGES = 10_000  # a Link chain longer than this is a loop
READ_TRIES = 4  # a read answered 429 or 503 is tried this often (reads are safe to repeat)
READ_WAIT = 10.0  # the longest wait between two tries of a read (seconds)


class RecrasTarget:
    """Writes records to one Recras instance (or the sandbox).

    ``audit``, when given, is called once per request and reply (see :mod:`importer.audit`);
    it never sees the API key.
    """

    system = "Recras"

    default_concurrency = 1  # no rate limit is documented: one request at a time
    # A Recras instance is one customer's live booking system: a few parallel requests speed a
    # large migration up without starving its booking site; 429/503 are backed off anyway.
    max_concurrency = 4

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 60.0,
        concurrency: int = 1,
        transport: httpx.BaseTransport | None = None,
        audit: Audit | None = None,  # called once per request and reply (importer.audit)
    ):
        root = _root(base_url)
        self.kind, self.instance = instance_of(root)
        token = (token or "").strip()
        if not token:
            raise ConfigurationError(f"RECRAS_TOKEN is empty. {HOW_TO_CONFIGURE}")
        if any(c.isspace() or not c.isprintable() for c in token):
            raise ConfigurationError(
                "RECRAS_TOKEN contains spaces, line breaks or control characters; give the API "
                "key alone, without 'Bearer'."
            )
        parts = urlsplit(root)
        self.base_url = root
        self.host = parts.netloc
        self._origin = _origin(root)
        self._client = http.client(
            f"{root}/api2",
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "Content-Type": "application/json; charset=utf-8",
            },
            timeout=timeout,
            concurrency=concurrency,
            transport=transport,
            audit=audit,
        )
        self._boundary = http.Boundary("Recras", self.host, records_in="Recras")
        self._checked = False
        self._check_lock = threading.Lock()
        # The list endpoints read whole this run, until the run writes to Recras: a step's
        # lookups, its unknown rows' and its later ones read /api2/contacten once.
        self._lists: dict[str, list[dict[str, Any]]] = {}
        self._lists_lock = threading.Lock()

    # --- configuration --------------------------------------------------------------------------

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] = os.environ,
        *,
        concurrency: int = 1,
        audit: Audit | None = None,
    ) -> RecrasTarget:
        """A target configured by RECRAS_BASE_URL and RECRAS_TOKEN."""
        base_url = env.get("RECRAS_BASE_URL", "").strip()
        token = env.get("RECRAS_TOKEN", "").strip()
        if not base_url:
            raise ConfigurationError(f"RECRAS_BASE_URL is not set. {HOW_TO_CONFIGURE}")
        if not token:
            raise ConfigurationError(f"RECRAS_TOKEN is not set. {HOW_TO_CONFIGURE}")
        header_safe("RECRAS_TOKEN", token)
        return cls(base_url, token, concurrency=concurrency, audit=audit)

    @property
    def needs_confirmation(self) -> bool:
        """Every Recras instance but the public demo is a live system: ask before writing."""
        return self.kind == "instance"

    @property
    def environment(self) -> str:
        """How messages name it: ``sandbox``, ``Recras demo``, ``Recras instance acme``."""
        if self.kind == "sandbox":
            return "sandbox"
        if self.kind == "demo":
            return "Recras demo"
        return f"Recras instance {self.instance}"

    # --- the credential check -------------------------------------------------------------------

    def check_credentials(self) -> None:
        """``GET /api2/personeel/me`` once: a refused key or a wrong URL stops the run."""
        with self._check_lock:
            if self._checked:
                return
            with self._boundary.checking():
                response = self._get("/personeel/me")
            status = response.status_code
            if status in (401, 403):
                self._refused(response)
            if status != 200:
                reply = read_reply("personeel/me", response)
                if status in (429, 503) or status >= 500:
                    raise TargetUnreachable(
                        Message("recras.cannot_serve", host=self.host, error=reply.error)
                    )
                raise ConfigurationError(
                    f"{self.base_url}/api2/personeel/me answered HTTP {status} ({reply.error}); "
                    f"is RECRAS_BASE_URL the address of a Recras instance? {HOW_TO_CONFIGURE}"
                )
            self._checked = True

    def _refused(self, response: httpx.Response) -> None:
        status = response.status_code
        if status == 401:
            raise AuthenticationError(Message("recras.key_refused"))
        said = Message("target.said", text=best_message(_json(response), response))
        raise AuthenticationError(Message("recras.forbidden", said=said))

    # --- writing --------------------------------------------------------------------------------

    def insert(self, connector: str, body: Any) -> Reply:
        """``POST /api2/{connector}``; 201 with the record: ``ids`` holds its ``id``."""
        return self._write("POST", connector, _path(connector), body)

    clear_value: ClassVar[Any] = None  # Recras empties a field set to null

    @staticmethod
    def update_ids(connector: str) -> tuple[str, ...]:
        """An update is sent to the record's ``id``."""
        return ("id",)

    @staticmethod
    def delete_ids(connector: str) -> tuple[str, ...]:
        """Recras's API documents no DELETE: nothing can be deleted."""
        return ()

    @staticmethod
    def nested_deletes(body: Any) -> int:
        return 0  # nothing nested is deleted by a body

    @staticmethod
    def insert_makes_new(connector: str, body: Any, ids: Collection[str]) -> bool:
        return True  # a POST always makes a new record

    def update(self, connector: str, body: Any, ids: dict[str, str]) -> Reply:
        """``PUT /api2/{connector}/{ids["id"]}`` (an ``"id"`` in the body is not sent);
        ValueError when ``ids`` holds no id."""
        if str(ids.get("id") or "").strip() == "":
            raise ValueError(f"An update of {connector} needs the id 'id'; given: {sorted(ids)}")
        record_id = str(ids["id"]).strip()
        if not _RECORD_ID.fullmatch(record_id):
            return Reply(ReplyKind.REFUSED, error=Message("recras.not_an_id", id=record_id))
        rest = {k: v for k, v in body.items() if k != "id"} if isinstance(body, dict) else body
        if _new_people(rest):
            kept = self._keep_contact_ids(connector, record_id, rest)
            if isinstance(kept, Reply):
                return kept  # the record could not be read: nothing was sent
            rest = kept
        reply = self._write("PUT", connector, f"{_path(connector)}/{record_id}", rest)
        if reply.ok and "id" not in reply.ids:
            return Reply(ReplyKind.OK, ids={**reply.ids, "id": record_id})
        return reply

    def delete(self, connector: str, ids: dict[str, str]) -> Reply:
        """Recras's API documents no DELETE: always a ValueError."""
        raise ValueError(f"Recras cannot delete records of {connector}")

    def _keep_contact_ids(self, connector: str, record_id: str, body: dict[str, Any]) -> Any:
        """The body with the ids of the record's contact persons given to the body's
        contact persons that match them; a Reply (nothing sent) when the record cannot be
        read: transient when trying again may help, refused when it cannot."""
        self.check_credentials()
        url = f"{_path(connector)}/{record_id}"
        try:
            no_answer = Message("lookup.no_answer_from", system="Recras")
            with self._boundary.reading(no_answer):
                response = self._get(url)
        except LookupFailed as exc:  # no answer: nothing was written, trying again is safe
            why = exc.said or str(exc)
            return Reply(ReplyKind.TRANSIENT, error=_unread(connector, record_id, why))
        status = response.status_code
        if status in (401, 403):
            self._refused(response)
        if status != 200:
            said = Message("target.said", text=best_message(_json(response), response))
            why = Message("reply.http", status=status, said=said)
            return Reply(
                ReplyKind.TRANSIENT if status in (429, 502, 503, 504) else ReplyKind.REFUSED,
                error=_unread(connector, record_id, why),
                retry_after=http.retry_after(response.headers.get("retry-after")),
            )
        data = _json(response)
        existing = data.get("contactpersonen") if isinstance(data, dict) else None
        if not isinstance(existing, list):
            return body
        return {**body, "contactpersonen": keep_ids(body["contactpersonen"], existing)}

    def _write(self, method: str, connector: str, path: str, body: Any) -> Reply:
        self.check_credentials()
        content = jsontext.compact(body).encode("utf-8")
        try:
            answer = self._boundary.write(
                connector, lambda: self._request(method, path, content=content)
            )
        finally:
            with self._lists_lock:
                self._lists.clear()  # what was read may have changed
        if isinstance(answer, Reply):
            return answer  # no answer came
        if answer.status_code in (401, 403):
            self._refused(answer)
        return read_reply(connector, answer)

    # --- reading --------------------------------------------------------------------------------

    def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Records of a list endpoint matching any of ``filters`` (see the module's notes)."""
        self.check_credentials()
        if not filters:
            return []
        wanted = [(f, {k: _norm(k, v) for k, v in f.items()}) for f in filters]
        found: list[dict[str, Any]] = []
        seen: set[tuple[Any, ...]] = set()
        for record in self._listed(connector):
            for original, normalised in wanted:
                if not all(_matches(record, k, v) for k, v in normalised.items()):
                    continue
                key = (id(record), tuple(original.items()))
                if key not in seen:
                    seen.add(key)
                    found.append({**record, **original})
        return found

    def _listed(self, connector: str) -> list[dict[str, Any]]:
        """The whole list endpoint: read once, and again only after this client wrote."""
        with self._lists_lock:
            if connector not in self._lists:
                self._lists[connector] = self.read_all(connector)
            return self._lists[connector]

    def read_all(self, connector: str) -> list[dict[str, Any]]:
        """Every record of a list endpoint, following ``Link: <...>; rel="next"``."""
        try:
            url: str = _path(connector)
        except ConfigurationError as exc:
            raise LookupFailed(*exc.args) from exc
        rows: list[dict[str, Any]] = []
        visited: set[str] = set()
        total: int | None = None
        for _ in range(MAX_PAGES):
            no_answer = Message("lookup.no_answer_from", system="Recras")
            with self._boundary.reading(
                Message("lookup.unreadable", connector=connector, why=no_answer)
            ):
                response = self._get(url)
            if response.status_code in (401, 403):
                self._refused(response)
            visited.add(str(response.url))
            data = _json(response)
            if response.status_code != 200 or not isinstance(data, list):
                reply = read_reply(connector, response)
                why = reply.error if response.status_code != 200 else Message("recras.not_a_list")
                raise LookupFailed(Message("lookup.unreadable", connector=connector, why=why))
            rows.extend(r for r in data if isinstance(r, dict))
            total = _int(response.headers.get("x-total-count"), total)
            following = response.links.get("next", {}).get("url")
            if following is None:
                if total is not None and len(rows) < total:
                    raise LookupFailed(
                        Message(
                            "recras.incomplete", connector=connector, total=total, count=len(rows)
                        )
                    )
                return rows
            following = urljoin(str(response.url), following)
            if _origin(following) != self._origin:
                why = Message("recras.other_host", host=urlsplit(following).netloc)
                raise LookupFailed(Message("lookup.unreadable", connector=connector, why=why))
            if following in visited:
                why = Message("recras.pages_circle")
                raise LookupFailed(Message("lookup.unreadable", connector=connector, why=why))
            url = following
        why = Message("recras.too_many_pages", limit=MAX_PAGES)
        raise LookupFailed(Message("lookup.unreadable", connector=connector, why=why))

    def changes(self, old: Any, new: Any) -> Any | None:
        """The fields that changed (a changed list of contact persons goes whole, as Recras
        replaces it); None when nothing changed. The record's id goes in the path."""
        if not isinstance(old, dict) or not isinstance(new, dict):
            return new
        # a field the new body leaves out is left as it is: only a null in it empties one
        changed = {k: v for k, v in new.items() if k != "id" and old.get(k) != v}
        return changed or None

    def contract(self, connector: str) -> RecrasContract | None:
        """The rules a body must meet (checked before sending); the first call checks the API
        key (``GET /api2/personeel/me``), so a refused key stops the run before any write."""
        _path(connector)  # a connector that is no endpoint name stops the run here
        self.check_credentials()
        return RecrasTarget.shipped_contract(connector)

    @staticmethod
    def shipped_contract(connector: str) -> RecrasContract | None:
        """The rules of ``contract`` for ``connector``, without asking Recras (for ``--dry-run``
        and ``validate``); None for an endpoint it does not describe."""
        return RecrasContract(connector) if connector in CONTRACTS else None

    def close(self) -> None:
        self._client.close()

    # --- the wire -------------------------------------------------------------------------------

    def _get(self, url: str) -> httpx.Response:
        """A read, tried again after 429 or 503 (waiting as asked, at most READ_WAIT s)."""
        return http.retried(lambda: self._request("GET", url), tries=READ_TRIES, max_wait=READ_WAIT)

    def _request(self, method: str, url: str, *, content: bytes | None = None) -> httpx.Response:
        """One request (the audit hook, if any, sees it and its answer: AuditTransport)."""
        return self._client.request(method, url, content=content)


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
