"""AFAS Profit's rules for UpdateConnector bodies, as the sandbox states them.

Where the rules come from: the fields of each connector (type, maximum length, allowed values,
the "mandatory" flag, description, nested objects) are AFAS's own field listings (reference
``afas-fields/<Connector>_POST.txt``) in their machine form,
``importer/targets/afas/fields/<Connector>.json``, which ``tools/generate_catalog.py``
generates. That is data, and this module reads it with the sandbox's own code: the sandbox
imports no code of the client (``importer.targets``), so that client and sandbox can disagree
and a test of one against the other can fail. What the listings leave open — which "mandatory"
flags Profit fills itself, how values may be written — is decided below from AFAS's example
bodies (reference ``afas-examples/``, "the examples") and AFAS's connector notes (seeds 000,
003 and 004), each decision with its evidence.

- ``problems(connector, body)``: what Profit refuses in a body, missing fields aside: a malformed
  envelope, unknown objects and fields (custom fields, ``U`` + 32 hex characters, are the
  environment's own and pass), strings too long, values outside a field's list, values of the
  wrong type, ``@Action`` other than insert, update or delete. Paths name list items by index:
  ``FbSales.FbSalesLines[1].VaIt``; ``Problem.text()`` is the Dutch message.
- ``missing(rules, fields)``: the mandatory fields an insert of one element leaves out.
- ``object_rules(connector, objects)``: one object's rules, compiled once and cached.
- ``metainfo(connector, description)``: the ``/metainfo/update/{Name}`` reply.

How values may be written (the reference: "everything may be sent as strings"): ``""`` and
null always pass (``""`` clears a field); an integer is a JSON integer or its digits; a number
also a float or digits with a decimal point (no comma); a boolean true/false, 1/0 or those as
strings; a date ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

# The machine form of AFAS's field listings, inside the installed package.
LISTINGS = ("targets", "afas", "fields")
ACTIONS = ("insert", "update", "delete")
MAX_LISTED = 20  # allowed values a message names

# --- Mandatory flags ----------------------------------------------------------------------------
# The listings flag fields "mandatory" that AFAS's own example inserts leave out, and Profit
# accepts those examples: it fills the field itself. The sandbox demands such a flag only where
# the evidence says Profit does. Keyed by (object, field), wherever the object is nested.
_NEVER_DELIVERED = "Profit's internal number: AFAS's notes (seeds 003, 004) say not to deliver it"
_FIRST_ADDRESS = (
    "AFAS's notes (seeds 003, 004): the first address needs no BeginDate, and 16 of the 20 example "
    "addresses leave it out. The sandbox demands it itself for an address replacing one"
)
FILLED_BY_PROFIT: dict[tuple[str, str], str] = {
    ("KnSalesRelationOrg", "CdDa"): "none of the 7 example inserts sends it, nor seed 000",
    ("KnSalesRelationPer", "CdDa"): "none of the 6 example inserts sends it",
    ("KnOrganisation", "BcId"): _NEVER_DELIVERED,
    ("KnPerson", "BcId"): _NEVER_DELIVERED,
    ("KnPerson", "AddToPortal"): "7 of the 10 example persons leave it out: it is portal access",
    ("KnPerson", "PadAdr"): "the example 'creat person with portal access' inserts without it",
    ("KnBasicAddressAdr", "BeginDate"): _FIRST_ADDRESS,
    ("KnBasicAddressPad", "BeginDate"): _FIRST_ADDRESS,
    ("PtProject", "PtPrpTyEj"): "none of the 23 example inserts sends it, nor seed 000",
}

# Flags that hold unless another field of the same element has one of the given values
# (booleans compared as "1"/"0"): (object, field) -> (other field, values, evidence).
_AUTONUM = ("AutoNum", frozenset({"1"}), "seeds 003, 004: BcCo is mandatory when AutoNum is false")
UNLESS: dict[tuple[str, str], tuple[str, frozenset[str], str]] = {
    ("KnOrganisation", "BcCo"): _AUTONUM,
    ("KnPerson", "BcCo"): _AUTONUM,
    ("FbSalesLines", "BiUn"): ("VaIt", frozenset({"3"}), "a text line has no unit: 'Item Tekst'"),
}

# Nothing is demanded that the listings do not flag: not even a person's last name (LaNm), which
# the listing leaves optional and AFAS's example 'match BcCo' (KnSalesRelationPer) inserts a
# person without.

# Organisations and persons found by MatchOga/MatchPer are updated, not inserted: the sandbox
# asks ``missing`` only about what it really inserts, so no flag is waived for a match code.


# --- The rules, compiled ------------------------------------------------------------------------

_TEXT_NAMES = {"integer": "geheel getal", "number": "getal", "boolean": "ja/nee-waarde"}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of an object, ready to check values against."""

    name: str
    kind: str  # string, integer, number, boolean
    length: int | None
    is_date: bool  # written YYYY-MM-DD
    values: tuple[str, ...]  # allowed values, in the listing's order; () when any
    folded: frozenset[str]  # the allowed values lower-cased (AFAS's examples send InPv "a")
    label: str  # "Currency (CuId)": the listing's description and the field's name

    @property
    def expected(self) -> str:
        """What a value should be, in a Dutch message: "geheel getal", "datum ...", ..."""
        if self.is_date:
            return "datum in de vorm JJJJ-MM-DD"
        return _TEXT_NAMES.get(self.kind, "tekst")

    @property
    def allowed(self) -> str:
        return ", ".join(self.values[:MAX_LISTED])

    def fault(self, value: Any) -> str | None:
        """Why Profit refuses ``value`` here ("too_long", "not_allowed", "wrong_type"), or None."""
        if value.__class__ is str and self.kind == "string":  # most values: checked first
            if not value:
                return None
            if self.folded and value.lower() not in self.folded:
                return "not_allowed"
            if self.length is not None and len(value) > self.length:
                return "too_long"
            return "wrong_type" if self.is_date and not _is_date(value) else None
        if value is None or value == "":
            return None
        if self.kind == "string":
            if isinstance(value, (dict, list)):
                return "wrong_type"
            return self.fault(as_text(value))  # as_text gives a str: this is the branch above
        if self.kind == "integer":
            ok = _is_int(value) or (isinstance(value, str) and _INTEGER.fullmatch(value))
        elif self.kind == "number":
            ok = _is_int(value) or (isinstance(value, float) and math.isfinite(value))
            ok = ok or (isinstance(value, str) and _DECIMAL.fullmatch(value) is not None)
        else:  # the integers 0 and 1 pass as the strings "0" and "1" do
            ok = isinstance(value, bool) or (_is_int(value) and value in (0, 1))
            ok = ok or (isinstance(value, str) and value.lower() in _BOOLEAN_TEXT)
        return None if ok else "wrong_type"


@dataclass(frozen=True, slots=True)
class Demand:
    """A mandatory field of an object, with the condition that waives it, if any."""

    field: Field
    unless: tuple[str, frozenset[str]] | None = None


@dataclass(frozen=True, slots=True)
class ObjectRules:
    """One object of a connector: its fields, nested objects and mandatory fields."""

    name: str
    keys: tuple[str, ...]
    fields: dict[str, Field]
    objects: dict[str, ObjectRules]
    demanded: tuple[Demand, ...]


_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOOLEAN_TEXT = frozenset({"true", "false", "1", "0"})
_CUSTOM_FIELD = re.compile(r"U[0-9A-Fa-f]{32}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def as_text(value: Any) -> str:
    """A value as Profit reads it into a text field: a JSON boolean is "1" or "0".

    AFAS's examples send ``"VaDu": true`` to a text field of 3 characters where others send
    ``"1"``.
    """
    if isinstance(value, bool):
        return "1" if value else "0"
    return value if value.__class__ is str else str(value)


def _canonical(value: Any) -> str:
    """A value for comparing codes: trimmed, lower-case, booleans as "1"/"0"."""
    text = as_text(value).strip().lower()
    return {"true": "1", "false": "0"}.get(text, text)


def _compile_field(name: str, spec: dict[str, Any]) -> Field:
    values = tuple(str(v["id"]) for v in spec["values"] or ())
    description = (spec["description"] or "").strip("'")
    return Field(
        name=name,
        kind=spec["type"],
        length=spec["length"],
        is_date=spec["format"] == "date",  # date-time is not: the examples send "00:08:00"
        values=values,
        folded=frozenset(v.lower() for v in values),
        label=f"{description} ({name})" if description else name,
    )


def _demands(name: str, fields: dict[str, Field], specs: dict[str, Any]) -> tuple[Demand, ...]:
    out = []
    for field_name, field in fields.items():
        if specs[field_name]["mandatory"] and (name, field_name) not in FILLED_BY_PROFIT:
            unless = UNLESS.get((name, field_name))
            out.append(Demand(field, unless[:2] if unless else None))
    return tuple(out)


def _compile_object(spec: dict[str, Any]) -> ObjectRules:
    fields = {name: _compile_field(name, f) for name, f in spec["fields"].items()}
    return ObjectRules(
        name=spec["name"],
        keys=tuple(spec["keys"]),
        fields=fields,
        objects={name: _compile_object(o) for name, o in spec["objects"].items()},
        demanded=_demands(spec["name"], fields, spec["fields"]),
    )


def _listings() -> Any:
    root = resources.files("importer")
    for part in LISTINGS:
        root = root.joinpath(part)
    return root


@cache
def connectors() -> tuple[str, ...]:
    """The connectors a field listing is shipped for, sorted."""
    names = (item.name for item in _listings().iterdir() if item.name.endswith(".json"))
    return tuple(sorted(name.removesuffix(".json") for name in names))


@cache
def _listing(connector: str) -> dict[str, Any]:
    text = _listings().joinpath(f"{connector}.json").read_text(encoding="utf-8")
    return json.loads(text)["object"]


@cache
def object_rules(connector: str, objects: tuple[str, ...] = ()) -> ObjectRules | None:
    """The rules of the connector's root object, or of the object at ``objects`` below it.

    None when no listing is shipped for the connector or it has no such object. Each connector is
    compiled once, on first use.
    """
    if objects:
        parent = object_rules(connector, objects[:-1])
        return parent.objects.get(objects[-1]) if parent is not None else None
    return _compile_object(_listing(connector)) if connector in connectors() else None


# --- Problems in a body -------------------------------------------------------------------------

_TYPE_NAMES = {dict: "object", list: "lijst", str: "tekst", bool: "ja/nee-waarde"}


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return _TYPE_NAMES.get(type(value), "getal" if isinstance(value, int | float) else "waarde")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing in a body Profit refuses: where, what kind, in which object, which value."""

    path: str  # "KnSalesRelationOrg.KnOrganisation.SeNm"
    kind: str  # unknown_field, unknown_object, too_long, not_allowed, wrong_type, action, malformed
    owner: str  # the object the field or object is in
    name: str  # the field or object
    value: Any = None
    field: Field | None = None
    detail: str = ""  # what is malformed

    def text(self) -> str:
        """The problem as a Dutch message ending in the path, as the sandbox answers it."""
        where, kind, value, field = f"({self.path})", self.kind, self.value, self.field
        if kind == "unknown_field":
            return f"Het veld '{self.name}' bestaat niet in {self.owner} {where}."
        if kind == "unknown_object":
            return f"Het object '{self.name}' bestaat niet in {self.owner} {where}."
        if kind == "action":
            label, allowed = "@Action", ", ".join(ACTIONS)
        elif field is None or kind == "malformed":
            return f"Ongeldig bericht {where}: {self.detail}."
        else:
            label, allowed = field.label, field.allowed
        if kind in ("action", "not_allowed"):
            refused = f"de waarde '{value}' is niet toegestaan (toegestaan: {allowed})"
            return f"{label}: {refused} {where}."
        assert field is not None
        if kind == "too_long":
            size = f"{len(as_text(value))} tekens lang, maximaal {field.length} toegestaan"
            return f"{label}: de waarde is {size} {where}."
        return f"{label}: de waarde '{value}' is geen {field.expected} {where}."


def _malformed(path: str, owner: str, value: Any, detail: str) -> Problem:
    return Problem(path, "malformed", owner, owner, value, detail=detail)


def _check_fields(rules: ObjectRules, values: Any, path: str, out: list[Problem]) -> None:
    if values is None or values == "":
        return  # AFAS's own PUT example 'IBAN met BIC' sends "Fields": ""
    if not isinstance(values, dict):
        detail = f"Fields moet een object zijn, geen {_type_name(values)}"
        out.append(_malformed(f"{path}.Fields", rules.name, values, detail))
        return
    fields = rules.fields
    for name, value in values.items():
        field = fields.get(name)
        if field is not None:
            fault = field.fault(value)
            if fault is not None:
                out.append(Problem(f"{path}.{name}", fault, rules.name, name, value, field))
        elif name == "@Action":
            if not (isinstance(value, str) and value.lower() in ACTIONS):
                out.append(Problem(f"{path}.@Action", "action", rules.name, name, value))
        elif not _CUSTOM_FIELD.fullmatch(name):
            out.append(Problem(f"{path}.{name}", "unknown_field", rules.name, name, value))


def _object_entries(
    rules: ObjectRules, objects: Any, path: str, out: list[Problem]
) -> list[tuple[str, Any]]:
    """``Objects`` as (name, node) pairs, whether a list of one-key objects or one object."""
    if objects is None or objects == "":
        return []
    if isinstance(objects, dict):
        return list(objects.items())
    if not isinstance(objects, list):
        detail = f"Objects moet een lijst of een object zijn, geen {_type_name(objects)}"
        out.append(_malformed(f"{path}.Objects", rules.name, objects, detail))
        return []
    entries: list[tuple[str, Any]] = []
    for index, entry in enumerate(objects):
        if isinstance(entry, dict):
            entries += entry.items()
        else:
            detail = f"een Objects-item moet een object zijn, geen {_type_name(entry)}"
            out.append(_malformed(f"{path}.Objects[{index}]", rules.name, entry, detail))
    return entries


def _check_element(rules: ObjectRules, element: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(element, dict):
        detail = f"Element van {rules.name} moet een object zijn, geen {_type_name(element)}"
        out.append(_malformed(path, rules.name, element, detail))
        return
    for key, value in element.items():
        if key == "Fields":
            _check_fields(rules, value, path, out)
        elif key == "Objects":
            for name, node in _object_entries(rules, value, path, out):
                nested = rules.objects.get(name)
                if nested is None:
                    out.append(Problem(f"{path}.{name}", "unknown_object", rules.name, name, node))
                else:
                    _check_node(nested, node, f"{path}.{name}", out)
        elif key.startswith("@"):
            # A key as attribute ("@DbId") is checked as the field; other attributes pass.
            field = rules.fields.get(key[1:])
            fault = field.fault(value) if field is not None else None
            if fault is not None:
                out.append(Problem(f"{path}.{key}", fault, rules.name, key, value, field))
        else:
            expected = "@attributen, Fields, Objects"
            detail = f"onverwachte sleutel '{key}' in Element (verwacht: {expected})"
            out.append(_malformed(f"{path}.{key}", rules.name, value, detail))


def _check_node(rules: ObjectRules, node: Any, path: str, out: list[Problem]) -> None:
    if not isinstance(node, dict) or "Element" not in node:
        out.append(_malformed(path, rules.name, node, f"{rules.name} moet 'Element' bevatten"))
        return
    for key in node:
        if key != "Element":
            detail = f"onverwachte sleutel '{key}' naast 'Element'"
            out.append(_malformed(f"{path}.{key}", rules.name, node[key], detail))
    element = node["Element"]
    if isinstance(element, list):
        for index, item in enumerate(element):
            _check_element(rules, item, f"{path}[{index}]", out)
    else:
        _check_element(rules, element, path, out)


def problems(connector: str, body: Any) -> list[Problem]:
    """Everything in ``body`` the connector refuses, missing mandatory fields aside.

    Raises ``LookupError`` when no listing is shipped for ``connector``.
    """
    rules = object_rules(connector)
    if rules is None:
        raise LookupError(f"no field listing for connector {connector!r}")
    out: list[Problem] = []
    if not isinstance(body, dict) or connector not in body:
        detail = f"verwacht een object met de sleutel '{connector}'"
        return [_malformed(connector, connector, body, detail)]
    for key in body:
        if key != connector:
            detail = f"onverwachte sleutel '{key}' naast '{connector}'"
            out.append(_malformed(key, connector, body[key], detail))
    _check_node(rules, body[connector], connector, out)
    return out


# --- Mandatory fields ---------------------------------------------------------------------------


def missing(rules: ObjectRules, fields: Mapping[str, Any]) -> list[Field]:
    """The mandatory fields an insert of one element leaves out.

    ``fields`` are the element's fields with its ``@Key`` attributes among them. An element whose
    ``@Action`` is update or delete names an existing record and needs only its keys.
    """
    if _canonical(fields.get("@Action", "")) in ("update", "delete"):
        return []
    out = []
    for demand in rules.demanded:
        value = fields.get(demand.field.name)
        if value is not None and value != "":
            continue
        if demand.unless is not None:
            other, waiving = demand.unless
            if _canonical(fields.get(other, "")) in waiving:
                continue
        out.append(demand.field)
    return out


# --- Metainfo -----------------------------------------------------------------------------------

# The listings' types as Profit's metainfo names them. date-time (PtProject's StTm and EnTm,
# which the examples fill with times such as "00:08:00") stays "string": "date" would tell a
# reader to expect YYYY-MM-DD.
_DATA_TYPES = {"string": "string", "integer": "int", "number": "decimal", "boolean": "boolean"}
_FORMAT_TYPES = {"date": "date", "byte": "blob"}


def _meta_object(spec: dict[str, Any]) -> dict[str, Any]:
    fields = [
        {
            "id": name,
            "fieldId": name,
            "primaryKey": name in spec["keys"],
            "dataType": _FORMAT_TYPES.get(f["format"] or "", _DATA_TYPES[f["type"]]),
            "label": f["description"],
            "mandatory": f["mandatory"],  # the listing's flag, as Profit describes the field
            "length": f["length"] or 0,
            "notzero": False,
            "values": [{"id": v["id"], "description": v["description"]} for v in f["values"] or ()],
        }
        for name, f in spec["fields"].items()
    ]
    objects = [_meta_object(nested) for nested in spec["objects"].values()]
    return {"name": spec["name"], "fields": fields, "objects": objects}


def metainfo(connector: str, description: str) -> dict[str, Any] | None:
    """The ``GET /metainfo/update/{connector}`` reply, or None without a listing.

    ``{"name", "description", "fields", "objects": [{"name", "fields", "objects"}]}``; a field
    ``{"id", "fieldId", "primaryKey", "dataType", "label", "mandatory", "length", "notzero",
    "values"}``. The reference names ``id``, AFAS's own replies ``fieldId``: both are given.
    ``length`` 0 is no limit; ``values`` is ``[{"id", "description"}]``, empty when any value
    goes.
    """
    if connector not in connectors():
        return None
    root = _meta_object(_listing(connector))
    return {
        "name": root["name"],
        "description": description,
        "fields": root["fields"],
        "objects": root["objects"],
    }
