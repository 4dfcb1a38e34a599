"""AFAS Profit's part of ``importer fields``: a connector's fields with their labels.

From the target's own ``/metainfo/update/{connector}`` when the environment configures one
(``AFAS_BASE_URL`` with a token): its labels are in ``AFAS_LANGUAGE`` (nl-nl unless set), beside
the shipped ones in the other language; else from the catalog shipped in ``fields/``, whose
labels are those of AFAS's field listings (mostly English), with the Dutch ones of
:mod:`.labels`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from importer.errors import ConfigurationError
from importer.targets import FieldInfo, FieldListing
from importer.targets.afas import catalog
from importer.targets.afas.labels import dutch

Labels = dict[str, dict[str, str]]  # "path:field" -> {language: label}


def _walk(obj: dict[str, Any], path: str = "") -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(path, object name, field, spec) of every field of ``obj`` and its nested objects."""
    for name, spec in obj["fields"].items():
        yield path, obj["name"], name, spec
    for nested in obj["objects"].values():
        yield from _walk(nested, f"{path}.{nested['name']}".lstrip("."))


def _shipped_labels(obj: dict[str, Any]) -> Labels:
    return {
        f"{path}:{name}": {"nl": dutch(owner, name), "en": str(spec.get("description") or "")}
        for path, owner, name, spec in _walk(obj)
    }


def _fields(obj: dict[str, Any], labels: Labels) -> tuple[FieldInfo, ...]:
    found = []
    for path, _owner, name, spec in _walk(obj):
        values = spec["values"] or ()
        kind = spec["format"] if spec.get("format") in ("date", "date-time") else spec["type"]
        found.append(
            FieldInfo(
                name=name,
                path=path,
                labels={k: v for k, v in labels.get(f"{path}:{name}", {}).items() if v},
                type="decimal" if kind == "number" else kind,
                length=spec.get("length"),
                values=tuple((str(v["id"]), str(v.get("description", ""))) for v in values),
                mandatory=bool(spec.get("mandatory")),
            )
        )
    return tuple(found)


def _shipped(connector: str) -> dict[str, Any] | None:
    return catalog.describe(connector)["object"] if connector in catalog.connectors() else None


def listing(connector: str, env: Mapping[str, str]) -> FieldListing:
    """The fields of ``connector``: the target's metainfo when ``env`` configures a target."""
    shipped = _shipped(connector)
    labels = _shipped_labels(shipped) if shipped else {}
    if env.get("AFAS_BASE_URL", "").strip():
        from importer.targets.afas.client import AfasTarget  # only when a target is configured

        target = AfasTarget.from_env(env, concurrency=1)
        try:
            reply = target.metainfo(connector)
        finally:
            target.close()
        if reply is not None:
            obj = catalog.document_from_metainfo(connector, reply)
            language = env.get("AFAS_LANGUAGE", "nl-nl").strip().lower()[:2]
            for path, _owner, name, spec in _walk(obj):
                said = str(spec.get("description") or "")
                labels.setdefault(f"{path}:{name}", {})[language] = said
            return FieldListing(connector, f"the metainfo of {target.host}", _fields(obj, labels))
        if shipped is None:
            raise ConfigurationError(f"{target.host} does not describe connector {connector!r}")
    if shipped is None:
        raise ConfigurationError(
            f"No field catalog for connector {connector!r}; shipped: "
            f"{', '.join(catalog.connectors())} (with AFAS_BASE_URL and a token set, the "
            "environment's own connectors are listed from its metainfo)"
        )
    return FieldListing(connector, "the catalog shipped with importer", _fields(shipped, labels))
