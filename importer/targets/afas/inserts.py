"""Whether a POST to Profit surely made new records, or may have matched existing ones.

An organisation or person insert first compares with what Profit holds (``MatchOga`` and
``MatchPer``: by number, KvK number, name...): one found is updated, and the reply names it
as if it had been created. Only "always new" (MatchOga 6, MatchPer 7) surely makes a new one;
a value left out means 0 (by number). A sales relation (KnSalesRelationOrg/Per) is itself
always new (Profit refuses a DbId that exists), but the organisation or person in it is
matched like one posted alone, so the ids that name that one (BcCo, BcId) are new only when
it was inserted "always new". Other connectors insert new records.

The runner asks this before answering a child's lookup by its parent's ids "none" without
asking Profit (:meth:`importer.targets.Target.insert_makes_new`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

ALWAYS_NEW = {"KnOrganisation": ("MatchOga", "6"), "KnPerson": ("MatchPer", "7")}
SALES_RELATIONS = {"KnSalesRelationOrg", "KnSalesRelationPer"}
OWN_IDS = {"DbId"}  # what names a sales relation itself


def makes_new(connector: str, body: Any, ids: Collection[str]) -> bool:
    """True when inserting ``body`` surely made new records for these ids of its reply
    (``{"DbId"}`` of a sales relation, ``{"BcCo"}`` of an organisation); False when it may
    have matched and updated a record Profit held (or the body is not one Profit takes)."""
    if not isinstance(body, dict) or not isinstance(body.get(connector), dict):
        return False
    if connector in SALES_RELATIONS and set(ids) <= OWN_IDS:
        return True
    return all(_always_new(name, fields) for name, fields in _matched(body))


def _always_new(name: str, fields: Any) -> bool:
    field, value = ALWAYS_NEW[name]
    if not isinstance(fields, dict):
        return False
    said = fields.get(field)
    return said is not None and str(said).strip() == value


def _matched(data: Any) -> Iterator[tuple[str, Any]]:
    """(connector, Fields) of every organisation and person element in a body, nested ones
    too."""
    if isinstance(data, list):
        for item in data:
            yield from _matched(item)
    elif isinstance(data, dict):
        for name, value in data.items():
            if name in ALWAYS_NEW and isinstance(value, dict):
                elements = value.get("Element")
                for element in elements if isinstance(elements, list) else [elements]:
                    yield name, element.get("Fields") if isinstance(element, dict) else None
            if isinstance(value, dict | list):
                yield from _matched(value)
