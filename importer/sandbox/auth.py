"""Authentication in front of the sandbox apps, as AFAS does it.

Two ways in, as in Profit:

- the classic token: ``AfasToken <base64 of <token><version>1</version><data>DATA</data></token>>``
  is accepted when DATA is the sandbox's token;
- OAuth 2 client credentials: a form-encoded ``POST {anything}/oauth/token`` with
  ``grant_type=client_credentials``, ``client_id`` and ``client_secret`` returns an access token,
  then ``Authorization: Bearer <access_token>`` is accepted until it expires.

Anything else gets 401 with an empty body. Secrets are compared in constant time and are never
logged or echoed back.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import math
import re
import secrets
import time
from collections.abc import Callable, Mapping
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_XML = re.compile(r"\s*<token>\s*<version>1</version>\s*<data>(.*)</data>\s*</token>\s*", re.S)
TOKEN_PATH = "/oauth/token"
# A token request is a few short form fields; anything bigger is refused without reading it all.
MAX_FORM_BYTES = 64 * 1024


def token_data(header: str) -> str | None:
    """The ``<data>`` of an ``AfasToken`` Authorization header, or None if malformed."""
    scheme, _, value = header.partition(" ")
    if scheme != "AfasToken" or not value:
        return None
    try:
        xml = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    match = TOKEN_XML.fullmatch(xml)
    return match.group(1) if match else None


def token_header(token: str) -> str:
    """The ``AfasToken`` Authorization header that carries ``token`` as its ``<data>``."""
    xml = f"<token><version>1</version><data>{token}</data></token>"
    return "AfasToken " + base64.b64encode(xml.encode("utf-8")).decode("ascii")


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class AfasAuth:
    """ASGI middleware: only authenticated requests reach the app; it also serves OAuth tokens.

    ``clients`` maps OAuth client ids to their secrets (None: no OAuth client is accepted).
    Access tokens live ``token_ttl`` seconds by ``clock`` (inject one in tests to expire them
    without sleeping).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str,
        clients: Mapping[str, str] | None = None,
        token_ttl: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        if not (token_ttl > 0 and math.isfinite(token_ttl)):
            raise ValueError(f"token_ttl must be a positive number of seconds, got {token_ttl!r}")
        self.app = app
        self.token = token
        self.clients = dict(clients or {})
        self.token_ttl = token_ttl
        self.clock = clock
        self._issued: dict[str, float] = {}  # access token -> moment it expires

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["method"] == "POST" and scope["path"].endswith(TOKEN_PATH):
            await self._token_endpoint(receive, send)
        elif self._allowed(scope):
            await self.app(scope, receive, send)
        else:
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": b""})

    def _allowed(self, scope: Scope) -> bool:
        headers = dict(scope["headers"])
        header = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return self._bearer_valid(value.strip())
        data = token_data(header)
        return data is not None and _same(data, self.token)

    def _bearer_valid(self, access_token: str) -> bool:
        expires = self._issued.get(access_token)
        if expires is None:
            return False
        if self.clock() >= expires:
            del self._issued[access_token]
            return False
        return True

    def _issue(self) -> str:
        now = self.clock()
        # Forget expired tokens so a long demo does not accumulate them.
        self._issued = {t: exp for t, exp in self._issued.items() if exp > now}
        access_token = secrets.token_urlsafe(32)
        self._issued[access_token] = now + self.token_ttl
        return access_token

    def _client_valid(self, client_id: str, client_secret: str) -> bool:
        expected = self.clients.get(client_id)
        return expected is not None and _same(client_secret, expected)

    async def _token_endpoint(self, receive: Receive, send: Send) -> None:
        form = await _read_form(receive)
        if form is None:
            await _json(send, 400, {"error": "invalid_request"})
            return
        grant_type = form.get("grant_type")
        if grant_type is None:
            await _json(send, 400, {"error": "invalid_request"})
        elif grant_type != "client_credentials":
            await _json(send, 400, {"error": "unsupported_grant_type"})
        elif not self._client_valid(form.get("client_id", ""), form.get("client_secret", "")):
            await _json(send, 401, {"error": "invalid_client"})
        else:
            reply = {
                "access_token": self._issue(),
                "token_type": "Bearer",
                "expires_in": int(self.token_ttl),
            }
            await _json(send, 200, reply)


async def _read_form(receive: Receive) -> dict[str, str] | None:
    """The form fields of a request body (first value of each), or None if too big or not text."""
    body = b""
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    fields = parse_qs(text, keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


async def _json(send: Send, status: int, data: dict[str, object]) -> None:
    body = json.dumps(data).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        # RFC 6749 5.1: token responses must not be cached.
        (b"cache-control", b"no-store"),
        (b"pragma", b"no-cache"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
