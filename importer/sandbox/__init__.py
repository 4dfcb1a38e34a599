"""Built-in imitations of the target systems (AFAS Profit, Recras), on 127.0.0.1.

``start(system, **options)`` starts one by name (``SYSTEMS``: "afas", "recras"). Each sandbox
states its system's rules itself, from the systems' own documentation, and imports nothing of
the importer's clients (``importer.targets``): a test double never shares the code it tests.

An AFAS sandbox is three layers: :class:`FaultInjector` (latency, locked records, maintenance,
dropped connections; off by default), :class:`AfasAuth` (``AfasToken`` and OAuth client
credentials) and the connector app over an :class:`AfasState` (in memory, or a SQLite file).
A Recras sandbox: :mod:`importer.sandbox.recras`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importer.sandbox.afas import AfasState, create_app
from importer.sandbox.afas_store import read_codes
from importer.sandbox.auth import AfasAuth, token_header
from importer.sandbox.faults import FaultInjector, Faults
from importer.sandbox.recras import RecrasSandbox
from importer.sandbox.server import Server

__all__ = [
    "SYSTEMS",
    "AfasSandbox",
    "AfasState",
    "Faults",
    "RecrasSandbox",
    "Server",
    "create_app",
    "start",
]

CLIENT_ID = "importer-sandbox"

# A fresh demo environment: the debtors orders in samples/orders/ are placed for.
DEMO_DEBTORS = [
    ("10001", "Koffiebranderij De Boon", "NL000099998B57", "Kanaalweg", "4", "3526 KL",
     "Utrecht", "NL"),
    ("10002", "Interieurbouw Smit", "NL004495445B01", "Industrieweg", "17", "7301 BR",
     "Apeldoorn", "NL"),
    ("10003", "Houthandel Peeters", "BE0403170701", "Noorderlaan", "139", "2030", "Antwerpen",
     "B"),
]  # fmt: skip


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

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: how the importer names this environment (its journal too)."""
        return f"{self.server.host}:{self.server.port}"

    @classmethod
    def start(
        cls,
        *,
        port: int = 0,
        faults: Faults | None = None,
        state_path: Path | None = None,
        token: str | None = None,
        token_ttl: float = 3600.0,
        demo: bool = False,
        codes: Path | None = None,
    ) -> AfasSandbox:
        """Serve a sandbox on 127.0.0.1 (a free port unless ``port`` is given).

        ``demo`` fills an empty sandbox with a few debtors, as a demo environment has;
        ``codes`` is a YAML file of the environment's code tables (project groups, countries,
        items: :func:`~importer.sandbox.afas_store.read_codes`).
        """
        tables = read_codes(codes) if codes is not None else {}
        token = token or secrets.token_hex(32).upper()
        secret = secrets.token_urlsafe(24)
        state = AfasState.open(state_path) if state_path else AfasState()
        state.use_codes(tables)
        auth = AfasAuth(
            create_app(state), token=token, clients={CLIENT_ID: secret}, token_ttl=token_ttl
        )
        injector = FaultInjector(auth, Faults())
        server = Server(injector, port=port).start()
        box = cls(server=server, token=token, client_secret=secret, state=state, faults=injector)
        if demo and not state.debtors:
            box._add_demo_debtors()
        injector.use(faults or Faults())  # faults from here on: the demo data is already there
        return box

    def _add_demo_debtors(self) -> None:
        """Create the demo debtors through the sandbox's own API, as a user would."""
        import httpx

        headers = {"Authorization": token_header(self.token)}
        with httpx.Client(base_url=self.base_url, headers=headers) as client:
            for db_id, name, vat, street, number, postcode, city, country in DEMO_DEBTORS:
                organisation = {"PadAdr": True, "AutoNum": True, "MatchOga": "6", "Nm": name}
                address = {
                    "CoId": country,
                    "PbAd": False,
                    "Ad": street,
                    "HmNr": number,
                    "ZpCd": postcode,
                    "Rs": city,
                    "ResZip": False,
                }
                body = {
                    "KnSalesRelationOrg": {
                        "Element": {
                            "@DbId": db_id,
                            "Fields": {"VaId": vat, "CuId": "EUR", "InPv": "E"},
                            "Objects": [
                                {
                                    "KnOrganisation": {
                                        "Element": {
                                            "Fields": organisation,
                                            "Objects": [
                                                {
                                                    "KnBasicAddressAdr": {
                                                        "Element": {"Fields": address}
                                                    }
                                                }
                                            ],
                                        }
                                    }
                                }
                            ],
                        }
                    }
                }
                client.post("/connectors/KnSalesRelationOrg", json=body).raise_for_status()
        self.state.requests.clear()  # the demo data is not the user's run

    def stop(self) -> None:
        self.server.stop()
        self.state.close()

    def __enter__(self) -> AfasSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# The systems a sandbox imitates, by the name the importer gives them.
SYSTEMS: dict[str, type[AfasSandbox] | type[RecrasSandbox]] = {
    "afas": AfasSandbox,
    "recras": RecrasSandbox,
}


def start(system: str, **options: Any) -> AfasSandbox | RecrasSandbox:
    """Start the sandbox of ``system`` (a name in ``SYSTEMS``) on 127.0.0.1 and return it.

    ``options`` go to that sandbox's ``start``: ``port``, ``faults`` and ``token`` for both;
    ``state_path``, ``token_ttl`` and ``demo`` for AFAS; ``page_size`` for Recras (another option
    is a TypeError). An unknown system is a ValueError naming the known ones.
    """
    sandbox = SYSTEMS.get(system)
    if sandbox is None:
        known = ", ".join(SYSTEMS)
        raise ValueError(f"no sandbox for system {system!r}; known: {known}")
    return sandbox.start(**options)
