"""Recras: klanten (customers with their contact persons) over its REST API (``/api2``).

``client`` sends and reads (:class:`~importer.targets.recras.client.RecrasTarget`);
``contract`` states the rules a body must follow before it is sent
(:class:`~importer.targets.recras.contract.RecrasContract`).
"""

from __future__ import annotations

from typing import Any

from importer.targets import Setting, TargetSpec


def _sandbox_settings(box: Any) -> dict[str, str]:
    return {"RECRAS_BASE_URL": box.base_url, "RECRAS_TOKEN": box.token}


SPEC = TargetSpec(
    name="recras",
    system="Recras",
    client="importer.targets.recras.client:RecrasTarget",
    settings=(
        Setting("RECRAS_BASE_URL", "https://{instance}.recras.nl (with or without /api2)"),
        Setting("RECRAS_TOKEN", "an API key made in Recras (sent as a bearer token)", True),
    ),
    sandbox="importer.sandbox:RecrasSandbox.start",
    sandbox_settings=_sandbox_settings,
    messages="importer.targets.recras.messages:TABLES",
    fields="importer.targets.recras.listing:listing",
    glossary="importer.targets.recras.glossary:TABLES",
)
