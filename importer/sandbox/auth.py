"""Authentication in front of the sandbox apps, as AFAS does it.

``AfasToken <base64 of <token><version>1</version><data>DATA</data></token>>`` is accepted
when DATA is the sandbox's token. Anything else gets 401 with an empty body.
"""

from __future__ import annotations

import base64
import binascii
import re

from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_XML = re.compile(r"\s*<token>\s*<version>1</version>\s*<data>(.*)</data>\s*</token>\s*", re.S)


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


class AfasAuth:
    """ASGI middleware: only requests with a valid token reach the app."""

    def __init__(self, app: ASGIApp, *, token: str):
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._allowed(scope):
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 401, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def _allowed(self, scope: Scope) -> bool:
        headers = dict(scope["headers"])
        header = headers.get(b"authorization", b"").decode("latin-1")
        return token_data(header) == self.token
