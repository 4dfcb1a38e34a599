"""One UpdateConnector call as the sandbox's handlers see it.

``Call`` holds the state, the request's transaction and the body's connector, and refuses an
insert lacking mandatory fields; the helpers read an element's fields and nested objects the
ways AFAS takes them. A ``ProfitError`` refuses the whole call (500, all or nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from importer.sandbox import afas_rules
from importer.sandbox.afas_store import AfasState, Tx

CONTROL_FIELDS = frozenset({"MatchOga", "MatchPer", "AutoNum", "@Action"})


class ProfitError(Exception):
    """A functional error: the sandbox answers 500 with this message."""


# --- Bodies -------------------------------------------------------------------------------------


def present(value: Any) -> bool:
    return value is not None and value != ""


def norm(value: Any) -> str:
    return str(value).strip().lower() if present(value) else ""


def is_true(value: Any) -> bool:
    return norm(value) in ("1", "true")


def element_fields(element: Any) -> dict[str, Any]:
    """An element's fields, with ``@Key`` attributes counted as fields of the same name."""
    if not isinstance(element, dict):
        return {}
    attrs = {k[1:]: v for k, v in element.items() if k.startswith("@") and k.lower() != "@action"}
    fields = element.get("Fields")
    return {**attrs, **(fields if isinstance(fields, dict) else {})}


def children(element: Any, path: str) -> list[tuple[str, Any, str]]:
    """``Objects`` as (name, element, path), whether a list of one-key objects or one object."""
    objects = element.get("Objects") if isinstance(element, dict) else None
    holders = objects if isinstance(objects, list) else [objects] if objects else []
    found = []
    for holder in holders:
        for name, node in holder.items():
            inner = node.get("Element") if isinstance(node, dict) else None
            if isinstance(inner, list):
                found += [(name, item, f"{path}.{name}[{i}]") for i, item in enumerate(inner)]
            else:
                found.append((name, inner, f"{path}.{name}"))
    return found


def merge(target: dict[str, Any], fields: dict[str, Any], skip: tuple[str, ...] = ()) -> dict:
    """Write ``fields`` into ``target``: ``""``/null clears, control fields are left out."""
    for name, value in fields.items():
        if name in CONTROL_FIELDS or name in skip:
            continue
        if present(value):
            target[name] = value
        else:
            target.pop(name, None)
    return target


def reply_keys(**values: Any) -> dict[str, str]:
    return {name: str(value) for name, value in values.items() if value is not None}


def key_of(fields: dict[str, Any], name: str, path: str) -> str:
    if not present(fields.get(name)):
        raise ProfitError(f"Het sleutelveld {name} ontbreekt ({path}).")
    return str(fields[name]).strip()


# --- One request --------------------------------------------------------------------------------


@dataclass
class Call:
    """What a handler works with: the state, the request's transaction, the body's connector."""

    state: AfasState
    tx: Tx
    connector: str

    def demand(self, objects: tuple[str, ...], element: Any, path: str) -> None:
        """Refuse an insert of ``element`` (at ``objects`` below the root) lacking mandatory fields.

        Only the element's own fields count: what it holds is demanded as it is inserted.
        """
        rules = afas_rules.object_rules(self.connector, objects)
        missing = afas_rules.missing(rules, element_fields(element)) if rules else []
        if missing:
            raise ProfitError(
                "\n".join(f"{f.label}: veld is verplicht ({path}.{f.name})." for f in missing)
            )


Handler = Callable[[Call, Any, str], dict[str, str]]
DeleteHandler = Callable[[Call, dict[str, str]], dict[str, str]]


def check_debtor(call: Call, db_id: Any) -> None:
    if present(db_id) and call.tx.find("debtors", str(db_id).strip()) is None:
        raise ProfitError(f"Verkooprelatie '{db_id}' bestaat niet.")


def check_project_group(call: Call, group: Any) -> None:
    if present(group) and str(group).strip().upper() not in call.state.project_groups:
        raise ProfitError(f"Projectgroep '{group}' bestaat niet.")


# the fields checked against a code table when the sandbox was told it (``--codes``)
CODED = {"CoId": ("countries", "Land"), "ItCd": ("items", "Item")}


def check_codes(call: Call, fields: dict[str, Any], path: str) -> None:
    """A country or item code the environment's tables do not hold is refused."""
    for field, (table, label) in CODED.items():
        known = getattr(call.state, table)
        value = fields.get(field)
        if known is not None and present(value) and str(value).strip().upper() not in known:
            raise ProfitError(f"{label} '{value}' bestaat niet ({path}.{field}).")
