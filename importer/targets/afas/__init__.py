"""AFAS Profit: UpdateConnectors and GetConnectors over its REST API.

``client`` sends and reads (:class:`~importer.targets.afas.client.AfasTarget`); ``catalog``
checks bodies against the connectors' fields, shipped in ``fields/`` (generated from AFAS's
field listings by ``tools/generate_catalog.py``); ``scaffold`` is what ``importer new`` knows of
Profit's connectors.
"""

from __future__ import annotations

from typing import Any

from importer.targets import Setting, TargetSpec


def _sandbox_settings(box: Any) -> dict[str, str]:
    return {"AFAS_BASE_URL": box.base_url, "AFAS_TOKEN": box.token}


def _sandbox_notes(box: Any) -> list[str]:
    return [
        f"# or OAuth: export AFAS_CLIENT_ID={box.client_id} AFAS_CLIENT_SECRET={box.client_secret}"
    ]


SPEC = TargetSpec(
    name="afas",
    system="AFAS Profit",
    client="importer.targets.afas.client:AfasTarget",
    settings=(
        Setting(
            "AFAS_BASE_URL",
            "https://12345.rest.afas.online/ProfitRestServices (production), ...resttest... "
            "(test) or ...restaccept... (acceptance)",
        ),
        Setting("AFAS_TOKEN", "the classic token: its data string, or the whole <token> XML", True),
        Setting("AFAS_CLIENT_ID", "OAuth 2 client id, instead of AFAS_TOKEN"),
        Setting("AFAS_CLIENT_SECRET", "OAuth 2 client secret, with AFAS_CLIENT_ID", True),
        Setting("AFAS_INTEGRATION_ID", "optional IntegrationId header (<subscription>_<project>)"),
        Setting("AFAS_LANGUAGE", "language of AFAS's messages: nl-nl (default), en-us, ..."),
    ),
    sandbox="importer.sandbox:AfasSandbox.start",
    sandbox_settings=_sandbox_settings,
    messages="importer.targets.afas.messages:TABLES",
    glossary="importer.targets.afas.glossary:TABLES",
    sandbox_notes=_sandbox_notes,
    sandbox_options=frozenset({"state_path", "demo", "codes"}),
    sandbox_defaults=(("demo", True),),
    log_reference="profitLogReference",
    scaffold="importer.targets.afas.scaffold:scaffold",
    fields="importer.targets.afas.listing:listing",
    country_codes="importer.targets.afas.countries:COUNTRY_CODES",
    max_batch=100,  # an UpdateConnector's Element may be a list: one transaction
)
