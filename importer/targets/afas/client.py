"""AFAS Profit UpdateConnectors over REST (httpx).

Facts this module relies on: the ``AfasToken`` header is the base64 of the ``<token>`` XML;
success is 200/201 with or without a ``results`` wrapper; every functional error is a 500
whose body carries ``externalMessage`` and ``profitLogReference`` (its transaction rolled
back); 401 means the token is refused. A request that got no answer may still be running in
Profit, so it is reported as unknown, never as failed or created; so is any other 5xx (a 502,
a 504, an HTML 500 from a proxy or IIS in front of Profit), which says nothing about whether
Profit committed. A 4xx (malformed, wrong URL, too large) was not processed: refused.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import threading
import time
from collections.abc import Callable, Generator, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from importer import jsontext
from importer.audit import Audit
from importer.errors import (
    AuthenticationError,
    ConfigurationError,
    LookupFailed,
)
from importer.messages import Message, unavailable
from importer.targets import Reply, ReplyKind, header_safe, http
from importer.targets.afas import batches, inserts, reading, updates
from importer.targets.afas.contract import Contract
from importer.targets.afas.updates import changed_fields

__all__ = ["AfasTarget", "changed_fields", "read_reply", "token_header"]

HOW_TO_CONFIGURE = (
    "Set AFAS_BASE_URL (e.g. https://12345.rest.afas.online/ProfitRestServices) and AFAS_TOKEN "
    "(or AFAS_CLIENT_ID and AFAS_CLIENT_SECRET) in the environment or in a .env file, or try "
    "the built-in sandbox with --sandbox."
)

NODELAY = http.NODELAY  # bench/run.py's bare client takes it from here


def token_header(token: str) -> str:
    """The Authorization header for a token given as its data string or as the whole XML."""
    token = token.strip()
    xml = (
        token
        if token.startswith("<token>")
        else (f"<token><version>1</version><data>{token}</data></token>")
    )
    return "AfasToken " + base64.b64encode(xml.encode("utf-8")).decode("ascii")


# A 500 whose message says a record is locked or busy passes: it may be tried again.
TRANSIENT = re.compile(
    r"vergrendeld|geblokkeerd door een andere gebruiker|in gebruik door een andere gebruiker|"
    r"locked|deadlock|probeer het later opnieuw|try again later",
    re.IGNORECASE,
)


LANGUAGES = ("nl-nl", "en-us", "nl-be", "fr-fr", "de-de")
_HOST = re.compile(r"(\d{5})\.(rest|resttest|restaccept)\.afas\.online", re.I)
_KINDS = {"rest": "production", "resttest": "test", "restaccept": "acceptance"}


def environment_of(base_url: str) -> tuple[str, str | None]:
    """(kind, number) of an AFAS base URL: production, test, acceptance, sandbox or unknown."""
    host = urlsplit(base_url).hostname or ""
    match = _HOST.fullmatch(host)
    if match:
        return _KINDS[match.group(2).lower()], match.group(1)
    if host in ("127.0.0.1", "localhost", "::1"):
        return "sandbox", None
    return "unknown", None


class OAuthClientCredentials(httpx.Auth):
    """Bearer tokens from ``POST {base}/oauth/token``, cached and refreshed before expiry."""

    requires_response_body = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.token_url = token_url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._clock = clock
        self._token: str | None = None
        self._refresh_at = 0.0
        self._lock = threading.Lock()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        fresh = False
        if self._token is None or self._clock() >= self._refresh_at:
            self._store((yield self._token_request()))
            fresh = True
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401 and not fresh:  # refused before any work: safe to retry
            self._store((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request

    def _token_request(self) -> httpx.Request:
        return httpx.Request("POST", self.token_url, data=self._form)

    def _store(self, response: httpx.Response) -> None:
        data = _json(response)
        if (
            response.status_code != 200
            or not isinstance(data, dict)
            or not data.get("access_token")
        ):
            reason = data.get("error") if isinstance(data, dict) else None
            detail = Message("reply.detail", text=Message("target.said", text=str(reason)))
            raise AuthenticationError(
                Message(
                    "afas.oauth_refused",
                    status=response.status_code,
                    detail=detail if reason else "",
                )
            )
        lifetime = float(data.get("expires_in") or 3600)
        with self._lock:
            self._token = str(data["access_token"])
            # Refresh when 90 % of the lifetime has passed (at least 30 s before expiry).
            self._refresh_at = self._clock() + min(lifetime * 0.9, max(lifetime - 30, 0))


class AfasTarget:
    """Writes records to one AFAS Profit environment."""

    system = "AFAS Profit"
    default_concurrency = 4
    max_concurrency = 8  # AFAS advises at most 5 to 8 calls in parallel per environment
    shipped_contract = staticmethod(Contract.shipped)
    update_ids = staticmethod(updates.update_ids)
    delete_ids = staticmethod(updates.delete_ids)
    nested_deletes = staticmethod(updates.nested_deletes)
    insert_makes_new = staticmethod(inserts.makes_new)
    clear_value: ClassVar[Any] = updates.CLEAR

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        integration_id: str | None = None,
        language: str = "nl-nl",
        timeout: float = 120.0,
        concurrency: int = 4,
        transport: httpx.BaseTransport | None = None,
        audit: Audit | None = None,  # called once per request and reply (importer.audit)
    ):
        if "@" in urlsplit(base_url).netloc:  # a secret there would end up in logs
            raise ConfigurationError(
                "AFAS_BASE_URL must not hold a user name or password (https://user:...@host): "
                f"AFAS takes its token in AFAS_TOKEN. {HOW_TO_CONFIGURE}"
            )
        if "?" in base_url or "#" in base_url:  # each request's path would go after it
            raise ConfigurationError(
                "AFAS_BASE_URL must not hold a query (?...) or a fragment (#...): the path of "
                "each request is added to it, so the requests would go to the wrong address. "
                f"{HOW_TO_CONFIGURE}"
            )
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self.kind, self.number = environment_of(self.base_url)
        headers = {
            "Content-Type": "application/json;charset=utf-8",
            "Accept": "application/json",
            "Accept-Language": language,
        }
        if integration_id:
            headers["IntegrationId"] = integration_id
        auth: httpx.Auth | None = None
        if token:
            headers["Authorization"] = token_header(token)
        elif client_id and client_secret:
            auth = OAuthClientCredentials(f"{self.base_url}/oauth/token", client_id, client_secret)
        else:
            raise ConfigurationError(f"No AFAS credentials given. {HOW_TO_CONFIGURE}")
        self._client = http.client(
            self.base_url,
            headers=headers,
            auth=auth,
            timeout=timeout,
            concurrency=concurrency,
            transport=transport,
            audit=audit,
        )
        self._boundary = http.Boundary("AFAS", self.host, records_in="Profit")
        self._contracts: dict[str, Contract | None] = {}
        self._readers = max(1, concurrency)  # lookup requests at a time (before sending)
        self._larger: dict[str, int] = {}  # pages a GetConnector is known to hold more than

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] = os.environ,
        *,
        concurrency: int = 4,
        audit: Audit | None = None,
    ) -> AfasTarget:
        """A target configured by AFAS_BASE_URL and AFAS_TOKEN (or AFAS_CLIENT_ID/SECRET)."""
        base_url = env.get("AFAS_BASE_URL", "").strip()
        token = env.get("AFAS_TOKEN", "").strip()
        client_id = env.get("AFAS_CLIENT_ID", "").strip()
        client_secret = env.get("AFAS_CLIENT_SECRET", "").strip()
        language = env.get("AFAS_LANGUAGE", "nl-nl").strip().lower()
        if not base_url:
            raise ConfigurationError(f"AFAS_BASE_URL is not set. {HOW_TO_CONFIGURE}")
        if not base_url.startswith(("https://", "http://")):
            raise ConfigurationError(f"AFAS_BASE_URL must start with https://. {HOW_TO_CONFIGURE}")
        if not token and not (client_id and client_secret):
            raise ConfigurationError(
                f"AFAS_TOKEN is not set (nor AFAS_CLIENT_ID and AFAS_CLIENT_SECRET). "
                f"{HOW_TO_CONFIGURE}"
            )
        for name in ("AFAS_TOKEN", "AFAS_CLIENT_ID", "AFAS_CLIENT_SECRET", "AFAS_INTEGRATION_ID"):
            header_safe(name, env.get(name, "").strip())
        if language not in LANGUAGES:
            raise ConfigurationError(
                f"AFAS_LANGUAGE is {language!r}; expected one of {', '.join(LANGUAGES)}"
            )
        return cls(
            base_url,
            token or None,
            client_id=client_id or None,
            client_secret=client_secret or None,
            integration_id=env.get("AFAS_INTEGRATION_ID", "").strip() or None,
            language=language,
            concurrency=concurrency,
            audit=audit,
        )

    @property
    def needs_confirmation(self) -> bool:
        return self.kind == "production"

    @property
    def environment(self) -> str:
        """How messages name the environment: ``test environment 12345``, ``sandbox``."""
        if self.kind == "sandbox":
            return "sandbox"
        return (
            f"{self.kind} environment {self.number}" if self.number else f"{self.kind} environment"
        )

    def insert(self, connector: str, body: Any) -> Reply:
        return self._write("POST", connector, body)

    def check_batch(self, connector: str, bodies: list[Any]) -> None:
        batches.merged(connector, bodies)  # ValueError: a body that is not one record's

    def insert_many(self, connector: str, bodies: list[Any]) -> Reply:
        """Several records in one POST, an ``Element`` list: all created (``records``: each
        one's ids, in order) or none (see :mod:`importer.targets.afas.batches`)."""
        body = batches.merged(connector, bodies)
        answer = self._request("POST", connector, body)
        if isinstance(answer, Reply):
            return answer  # no answer
        reply = read_reply(connector, answer)
        data = _json(answer)
        if reply.ok:
            return Reply(ReplyKind.OK, records=batches.records(connector, data))
        if reply.kind is ReplyKind.REFUSED and isinstance(data, dict):
            said = str(data.get("externalMessage") or "")
            found = batches.culprits(said, body[connector]["Element"])
            return dataclasses.replace(reply, culprits=found)
        return reply

    def _write(self, method: str, connector: str, body: Any, path: str | None = None) -> Reply:
        answer = self._request(method, connector, body, path)
        return answer if isinstance(answer, Reply) else read_reply(connector, answer)

    def _request(
        self, method: str, connector: str, body: Any, path: str | None = None
    ) -> Reply | httpx.Response:
        """The target's answer, or the Reply that says none came."""
        content = None if body is None else jsontext.dumps_ascii(body).encode("utf-8")
        url = path or f"/connectors/{connector}"
        return self._boundary.write(
            connector, lambda: self._client.request(method, url, content=content)
        )

    def update(self, connector: str, body: Any, ids: dict[str, str]) -> Reply:
        """``PUT /connectors/{connector}`` with the record's ``ids`` placed where the connector
        wants them (see :mod:`importer.targets.afas.updates`); ValueError naming a missing id."""
        return self._write("PUT", connector, updates.place_keys(connector, body, ids))

    def delete(self, connector: str, ids: dict[str, str]) -> Reply:
        """``DELETE /connectors/{C}/{C}/@{Key}/{value}``; 200 or 201 is done. ValueError when
        AFAS cannot delete the connector's records or ``ids`` lacks the key."""
        return self._write("DELETE", connector, None, updates.delete_path(connector, ids))

    def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Rows of a GetConnector matching any of ``filters``, in few requests: OR'ed in
        groups under AFAS's query length limit (``filterjson`` for values holding ``,`` or
        ``;``), or one sorted, paged read of the whole connector when that is cheaper (see
        :mod:`importer.targets.afas.reading`)."""
        known = self._larger.get(connector, 0)
        reader = reading.Reader(
            lambda params: self._page(connector, params), self._readers, larger_than=known
        )
        rows = reader.lookup(filters)
        self._larger[connector] = reader.larger_than
        return rows

    def _page(self, connector: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """One GET of a GetConnector: its rows; LookupFailed when it cannot be read."""
        with self._boundary.reading(Message("lookup.no_answer", connector=connector)):
            response = self._client.get(f"/connectors/{connector}", params=params)
        if response.status_code in (401, 403):
            read_reply(connector, response)  # raises AuthenticationError
        data = _json(response)
        if response.status_code != 200 or not isinstance(data, dict):
            reply = read_reply(connector, response)
            why = reply.error
            if reply.unknown:  # (a read changes nothing: only what it said matters)
                why = Message("reply.http", status=response.status_code, said=_told(response, data))
            raise LookupFailed(Message("lookup.unreadable", connector=connector, why=why))
        return list(data.get("rows") or [])

    def changes(self, old: Any, new: Any) -> Any | None:
        """What changed, without the keys (``update`` places them); only ``""`` empties a
        field; NotUpdatable for order lines changed without an ``@Action`` (see
        :func:`importer.targets.afas.updates.changed_fields`)."""
        return changed_fields(old, new)

    def contract(self, connector: str) -> Contract | None:
        """The connector's fields from ``/metainfo/update/{connector}`` (once per run).

        Falls back to the catalog shipped in the package when the target does not describe
        the connector; stops the run when the credentials are refused.
        """
        if connector not in self._contracts:
            data = self.metainfo(connector)
            if data is not None:
                self._contracts[connector] = Contract.from_metainfo(connector, data)
            else:
                self._contracts[connector] = Contract.shipped(connector)
        return self._contracts[connector]

    def metainfo(self, connector: str) -> dict[str, Any] | None:
        """The target's ``/metainfo/update/{connector}`` reply (None: it does not describe
        the connector); AuthenticationError when the credentials are refused."""
        with self._boundary.checking():
            response = self._client.get(f"/metainfo/update/{connector}")
        if response.status_code in (401, 403):
            read_reply(connector, response)  # raises AuthenticationError
        data = _json(response)
        if response.status_code == 200 and isinstance(data, dict) and "fields" in data:
            return data
        return None

    def close(self) -> None:
        self._client.close()


def read_reply(connector: str, response: httpx.Response) -> Reply:
    """Turn an HTTP response of an UpdateConnector into a Reply (or stop on 401/403)."""
    status = response.status_code
    if status in (401, 403):
        raise AuthenticationError(Message("afas.refused", status=status))
    data = _json(response)
    if status in (200, 201):
        return Reply(ReplyKind.OK, ids=_ids(connector, data))
    if isinstance(data, dict) and "externalMessage" in data:
        message = str(data["externalMessage"]).strip()
        return Reply(
            ReplyKind.TRANSIENT if TRANSIENT.search(message) else ReplyKind.REFUSED,
            error=Message("target.said", text=message),
            log_reference=data.get("profitLogReference"),
        )
    if status == 503:
        return _unavailable(response, data)
    told = _told(response, data)
    if 400 <= status < 500:  # malformed, wrong URL, too large: nothing was processed
        return Reply(ReplyKind.REFUSED, error=Message("reply.http", status=status, said=told))
    # A 502/504 or a 500 without Profit's message comes from a proxy, a gateway or IIS in
    # front of Profit: it says nothing about whether Profit committed the request.
    why = Message(
        "reply.http_unknown", status=status, said=told, system="AFAS", connector=connector
    )
    return Reply(ReplyKind.UNKNOWN, error=why)


def _told(response: httpx.Response, data: Any) -> Message:
    """What a reply that is not Profit's own says: its ``message``, or its first 300 characters."""
    said = data.get("message") if isinstance(data, dict) else None
    text = said or response.text[:300]
    return Message("target.said", text=text) if text else Message("reply.no_message")


def _unavailable(response: httpx.Response, data: Any) -> Reply:
    """503: Profit is in maintenance; ``retry_after`` from the body or the header."""
    detail = data.get("error") if isinstance(data, dict) else None
    message = detail.get("message") if isinstance(detail, dict) else detail
    wait = data.get("retry_after") if isinstance(data, dict) else None
    seconds = http.retry_after(wait or response.headers.get("retry-after"))
    return Reply(
        ReplyKind.TRANSIENT,
        error=unavailable("AFAS", 503, str(message) if message else None, seconds),
        retry_after=seconds,
    )


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _ids(connector: str, data: Any) -> dict[str, str]:
    """Key fields from ``{"results": {"<Name>": {...}}}`` or ``{"<Name>": {...}}``."""
    if not isinstance(data, dict):
        return {}
    results = data.get("results", data)
    entry = results.get(connector, results) if isinstance(results, dict) else results
    if isinstance(entry, list):
        entry = entry[0] if entry else {}
    if not isinstance(entry, dict):
        return {}
    return {k: str(v) for k, v in entry.items() if v is not None and not isinstance(v, dict | list)}
