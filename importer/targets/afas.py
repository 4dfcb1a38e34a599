"""AFAS Profit UpdateConnectors over REST (httpx).

Facts this module relies on: the ``AfasToken`` header is the base64 of the ``<token>`` XML;
success is 200/201 with or without a ``results`` wrapper; every functional error is a 500
whose body carries ``externalMessage`` and ``profitLogReference``; 401 means the token is
refused. A request that got no answer may still be running in Profit, so it is reported as
unknown, never as failed or created.
"""

from __future__ import annotations

import base64
import json
import os
import socket
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from importer.errors import AuthenticationError, ConfigurationError, TargetUnreachable
from importer.targets import Reply

HOW_TO_CONFIGURE = (
    "Set AFAS_BASE_URL (e.g. https://12345.rest.afas.online/ProfitRestServices) and AFAS_TOKEN "
    "in the environment or in a .env file, or try the built-in sandbox with --sandbox."
)

NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


def token_header(token: str) -> str:
    """The Authorization header for a token given as its data string or as the whole XML."""
    token = token.strip()
    xml = (
        token
        if token.startswith("<token>")
        else (f"<token><version>1</version><data>{token}</data></token>")
    )
    return "AfasToken " + base64.b64encode(xml.encode("utf-8")).decode("ascii")


class AfasTarget:
    """Writes records to one AFAS Profit environment."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc or self.base_url
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": token_header(token),
                "Content-Type": "application/json;charset=utf-8",
                "Accept": "application/json",
                "Accept-Language": "nl-nl",
            },
            timeout=timeout,
            # Headers and body go out in two writes; without TCP_NODELAY the body waits
            # for the server's delayed ACK (about 40 ms a request).
            transport=transport or httpx.HTTPTransport(socket_options=NODELAY),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> AfasTarget:
        base_url = env.get("AFAS_BASE_URL", "").strip()
        token = env.get("AFAS_TOKEN", "").strip()
        if not base_url:
            raise ConfigurationError(f"AFAS_BASE_URL is not set. {HOW_TO_CONFIGURE}")
        if not base_url.startswith(("https://", "http://")):
            raise ConfigurationError(f"AFAS_BASE_URL must start with https://. {HOW_TO_CONFIGURE}")
        if not token:
            raise ConfigurationError(f"AFAS_TOKEN is not set. {HOW_TO_CONFIGURE}")
        return cls(base_url, token)

    def insert(self, connector: str, body: Any) -> Reply:
        url = f"/connectors/{connector}"
        try:
            response = self._client.post(url, content=json.dumps(body).encode("utf-8"))
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise TargetUnreachable(f"Cannot reach AFAS at {self.host}: {exc}") from exc
        except httpx.TransportError as exc:
            return Reply(
                ok=False,
                unknown=True,
                error=(
                    f"no answer from AFAS ({type(exc).__name__}); the record may or may not "
                    f"exist: check {connector} in Profit before sending it again"
                ),
            )
        return read_reply(connector, response)

    def close(self) -> None:
        self._client.close()


def read_reply(connector: str, response: httpx.Response) -> Reply:
    """Turn an HTTP response of an UpdateConnector into a Reply (or stop on 401/403)."""
    status = response.status_code
    if status in (401, 403):
        raise AuthenticationError(
            f"AFAS refused the credentials (HTTP {status}). Check AFAS_TOKEN and that the "
            "token's user may use this connector."
        )
    data = _json(response)
    if status in (200, 201):
        return Reply(ok=True, ids=_ids(connector, data))
    if isinstance(data, dict) and "externalMessage" in data:
        return Reply(
            ok=False,
            error=str(data["externalMessage"]).strip(),
            log_reference=data.get("profitLogReference"),
        )
    message = data.get("message") if isinstance(data, dict) else None
    return Reply(ok=False, error=f"HTTP {status}: {message or response.text[:300] or 'no message'}")


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
