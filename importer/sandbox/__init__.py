"""Built-in imitations of the target systems, served on 127.0.0.1 for demos and tests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from importer.sandbox.afas import AfasState, create_app
from importer.sandbox.auth import AfasAuth
from importer.sandbox.server import Server

__all__ = ["AfasSandbox", "AfasState", "Server", "create_app"]


@dataclass
class AfasSandbox:
    """A running AFAS sandbox: its base URL, the token it accepts, and what it holds."""

    server: Server
    token: str
    state: AfasState

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/ProfitRestServices"

    @classmethod
    def start(cls, *, port: int = 0) -> AfasSandbox:
        token = secrets.token_hex(32).upper()
        state = AfasState()
        app = AfasAuth(create_app(state), token=token)
        server = Server(app, port=port).start()
        return cls(server=server, token=token, state=state)

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> AfasSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
