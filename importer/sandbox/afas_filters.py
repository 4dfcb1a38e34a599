"""How the AFAS sandbox's GetConnectors type and filter their rows.

A row's values are typed as AFAS returns them (null when empty, numbers as numbers, dates with
a ``Z``); a query's filter comes as ``filterfieldids`` / ``filtervalues`` / ``operatortypes``
(comma = AND within a group, semicolon = OR between groups) or as ``filterjson`` (``Filter``
entries OR'ed, the ``Field`` entries of one AND'ed), and becomes groups of conditions a row
holds or not: text compares case-insensitively, as Profit's database does; numbers and dates
compare as such. :mod:`importer.sandbox.afas_get` holds the connectors and answers queries.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from importer.sandbox.afas_store import AfasState

STRING, INT, DECIMAL, DATE, BOOLEAN = "string", "int", "decimal", "date", "boolean"
TEXT_OPERATORS = frozenset({6, 10, 11, 12, 13, 14, 15})
Row = dict[str, Any]


class GetError(Exception):
    """A GetConnector query AFAS would refuse (HTTP 500 with this message)."""


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label: str


@dataclass(frozen=True)
class GetConnector:
    id: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[AfasState], list[Row]]

    def field(self, field_id: str) -> Field:
        for candidate in self.fields:
            if candidate.id == field_id:
                return candidate
        raise GetError(f"Het veld '{field_id}' bestaat niet in GetConnector '{self.id}'.")


# --- Typed values -------------------------------------------------------------------------------


def _number(text: Any) -> float | None:
    try:
        return float(str(text).strip())
    except ValueError:
        return None


def _date(text: Any) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS`` for a date or date-time text, else None."""
    value = str(text).strip().removesuffix("Z")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def typed(field: Field, value: Any) -> Any:
    """A row value as AFAS returns it: null when empty, numbers as numbers, dates with Z."""
    if value is None or value == "":
        return None
    if field.type == STRING:
        return str(value).lower() if isinstance(value, bool) else str(value)
    if field.type == BOOLEAN:
        return str(value).lower() in ("1", "true")
    if field.type == DATE:
        moment = _date(value)
        return moment + "Z" if moment else None
    number = _number(value)
    if number is None:
        return None
    return int(number) if field.type == INT or number.is_integer() else number


def sort_key(field: Field, value: Any) -> tuple:
    if value is None:
        return (0, "")
    return (1, value.lower() if isinstance(value, str) and field.type == STRING else value)


# --- Filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    field: Field
    operator: int
    value: str

    def holds(self, row: Row) -> bool:
        value = row.get(self.field.id)
        if self.operator == 8:
            return value is None
        if self.operator == 9:
            return value is not None
        if self.operator in TEXT_OPERATORS:
            return _text_test(self.operator, _as_text(value).lower(), self.value.lower())
        return _compare(self.field, self.operator, value, self.value)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _text_test(operator: int, text: str, wanted: str) -> bool:
    tests = {
        6: wanted in text,
        10: text.startswith(wanted),
        11: wanted not in text,
        12: not text.startswith(wanted),
        13: text.endswith(wanted),
        14: not text.endswith(wanted),
        15: wanted in text,
    }
    return tests[operator]


def _comparable(field: Field, text: str) -> Any:
    """The filter value in the field's type; GetError when it is not one."""
    if field.type == STRING:
        return text.lower()
    if field.type == BOOLEAN:
        if text.lower() not in ("1", "0", "true", "false"):
            raise GetError(f"Filterwaarde '{text}' is geen ja/nee-waarde voor veld {field.id}.")
        return text.lower() in ("1", "true")
    if field.type == DATE:
        moment = _date(text)
        if moment is None:
            raise GetError(f"Filterwaarde '{text}' is geen datum voor veld {field.id}.")
        return moment
    number = _number(text)
    if number is None:
        raise GetError(f"Filterwaarde '{text}' is geen getal voor veld {field.id}.")
    return number


def _compare(field: Field, operator: int, value: Any, text: str) -> bool:
    wanted = _comparable(field, text)
    if value is None:
        if field.type != STRING:
            return operator == 7
        value = ""
    if field.type == STRING:
        value = value.lower()
    elif field.type == DATE:
        value = value.removesuffix("Z")
    outcomes = {
        1: value == wanted,
        2: value >= wanted,
        3: value <= wanted,
        4: value > wanted,
        5: value < wanted,
        7: value != wanted,
    }
    return outcomes[operator]


def _split(params: Mapping[str, str], name: str) -> list[list[str]]:
    raw = params.get(name)
    return [group.split(",") for group in raw.split(";")] if raw is not None else []


def _condition(connector: GetConnector, field_id: Any, operator: Any, value: Any) -> Condition:
    if not str(operator).strip().isdigit() or not 1 <= int(operator) <= 15:
        raise GetError(f"Operator '{operator}' bestaat niet (1 tot en met 15).")
    return Condition(connector.field(str(field_id).strip()), int(operator), str(value))


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def parse_filterjson(connector: GetConnector, raw: str) -> list[list[Condition]]:
    """``filterjson``: ``{"Filters": {"Filter": [{"@FilterId": ..., "Field": [{"@FieldId":
    F, "@OperatorType": 1, "#text": V}, ...]}, ...]}}``; Filter entries OR'ed, the Fields of
    one Filter AND'ed (either may be one object instead of a list). Anything else, nested too
    deep for the JSON parser included, is Profit's refusal (never a crash of the sandbox)."""
    try:
        data = json.loads(raw)
        filters = _listed(data["Filters"]["Filter"])
        groups = []
        for entry in filters:
            fields = _listed(entry["Field"])
            if not fields:
                raise GetError("Een filter in filterjson heeft geen velden.")
            groups.append(
                [
                    _condition(
                        connector, f["@FieldId"], f.get("@OperatorType", 1), f.get("#text", "")
                    )
                    for f in fields
                ]
            )
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):  # (too deep)
        raise GetError("De waarde van filterjson is geen geldig filter.") from None
    return groups


def parse_filters(connector: GetConnector, params: Mapping[str, str]) -> list[list[Condition]]:
    """The filter as OR-groups of AND-conditions (from ``filterjson`` or the three lists)."""
    if "filterjson" in params:
        if any(name in params for name in ("filterfieldids", "filtervalues", "operatortypes")):
            raise GetError("Gebruik filterjson of filterfieldids, niet allebei.")
        return parse_filterjson(connector, params["filterjson"])
    ids, values, operators = (
        _split(params, name) for name in ("filterfieldids", "filtervalues", "operatortypes")
    )
    if not ids:
        return []
    shapes = [[len(group) for group in groups] for groups in (ids, values, operators)]
    if not shapes[0] == shapes[1] == shapes[2]:
        raise GetError(
            "Het aantal velden in filterfieldids, filtervalues en operatortypes komt niet overeen."
        )
    groups = []
    for id_group, value_group, operator_group in zip(ids, values, operators, strict=True):
        conditions = []
        for field_id, value, operator in zip(id_group, value_group, operator_group, strict=True):
            conditions.append(_condition(connector, field_id, operator, value))
        groups.append(conditions)
    return groups
