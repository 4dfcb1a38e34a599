"""Built-in imitations of the target systems, served on 127.0.0.1 for demos and tests.

An AFAS sandbox is three layers: :class:`FaultInjector` (latency, locked records, maintenance,
dropped connections; off by default), :class:`AfasAuth` (``AfasToken`` and OAuth client
credentials) and the connector app over an :class:`AfasState` (in memory, or a SQLite file).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from importer.sandbox.afas import AfasState, create_app
from importer.sandbox.auth import AfasAuth
from importer.sandbox.faults import FaultInjector, Faults
from importer.sandbox.server import Server

__all__ = ["AfasSandbox", "AfasState", "Faults", "Server", "create_app"]

CLIENT_ID = "importer-sandbox"


@dataclass
class AfasSandbox:
    """A running AFAS sandbox: its base URL, the credentials it accepts, and what it holds."""

    server: Server
    token: str
    client_secret: str
    state: AfasState
    faults: FaultInjector

    client_id: str = CLIENT_ID

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/ProfitRestServices"

    @classmethod
    def start(
        cls,
        *,
        port: int = 0,
        faults: Faults | None = None,
        state_path: Path | None = None,
        token: str | None = None,
        token_ttl: float = 3600.0,
    ) -> AfasSandbox:
        """Serve a sandbox on 127.0.0.1 (a free port unless ``port`` is given)."""
        token = token or secrets.token_hex(32).upper()
        secret = secrets.token_urlsafe(24)
        state = AfasState.open(state_path) if state_path else AfasState()
        auth = AfasAuth(
            create_app(state), token=token, clients={CLIENT_ID: secret}, token_ttl=token_ttl
        )
        injector = FaultInjector(auth, faults or Faults())
        server = Server(injector, port=port).start()
        return cls(server=server, token=token, client_secret=secret, state=state, faults=injector)

    def stop(self) -> None:
        self.server.stop()
        self.state.close()

    def __enter__(self) -> AfasSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
