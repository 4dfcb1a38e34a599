"""A third target system that exists only in the tests: a plain JSON REST API.

It proves the seam: everything importer needs of a system is in this package (its client, its
settings, its sandbox, its contract), registered from the test suite with
:func:`importer.targets.register`, and the generic code runs it end to end without a line
changed outside this package.

The API: ``POST /records/{kind}`` with a JSON object creates a record (201 ``{"id": 7, ...}``),
``PUT /records/{kind}/{id}`` changes one (only the fields given; null empties one),
``DELETE /records/{kind}/{id}`` removes one (204), ``GET /records/{kind}?field=value`` lists the
matching ones; ``Authorization: Bearer <token>``; a refusal is 422 ``{"detail": "..."}``, a
record that does not exist 404.
"""

from __future__ import annotations

from typing import Any

from importer.targets import Setting, TargetSpec


def _settings(box: Any) -> dict[str, str]:
    return {"REST_BASE_URL": box.base_url, "REST_TOKEN": box.token}


SPEC = TargetSpec(
    name="rest",
    system="Plain REST",
    client="rest_target.client:RestTarget",
    settings=(
        Setting("REST_BASE_URL", "the API's address, such as http://127.0.0.1:8000"),
        Setting("REST_TOKEN", "a bearer token", True),
    ),
    sandbox="rest_target.sandbox:RestSandbox.start",
    sandbox_settings=_settings,
)
