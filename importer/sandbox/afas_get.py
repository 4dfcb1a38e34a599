"""GetConnectors of the AFAS sandbox, over what the sandbox holds.

``Profit_OrgPer`` (organisations and persons), ``Profit_Debtor`` (sales relations),
``Profit_Projects`` and ``Profit_Salesorders``, queried like AFAS: ``skip``, ``take`` (default
100, ``-1`` = everything), ``orderbyfieldids`` (comma list, ``-F`` sorts descending; empty values
first), ``filterfieldids`` / ``filtervalues`` / ``operatortypes`` (comma = AND within a group,
semicolon = OR between groups) or ``filterjson`` (the same as JSON: ``Filter`` entries OR'ed,
the ``Field`` entries of one AND'ed; never both forms at once). Operators: 1 =, 2 >=, 3 <=,
4 >, 5 <, 6 contains, 7 !=, 8 empty, 9 not empty, 10 starts with, 11 does not contain, 12 does
not start with, 13 ends with, 14 does not end with, 15 quick filter (imitated as "contains").
8 and 9 ignore their (possibly empty) value. Text compares case-insensitively, as Profit's
database does; numbers and dates compare as such. Reply ``{"skip": 0, "take": 100, "rows":
[...]}``; empty fields come back as ``null``, dates as ``YYYY-MM-DDT00:00:00Z``.

Not imitated: ``metainfo/get``'s ``controlType``/``decimals`` (always 0). The field lists hold
the field ids AFAS's documentation names (``BcCo, Name, SearchName, ChOfCommNr, MailWork``;
``DebtorId, BcCo, DebtorName, VatNr, ChOfCommNr, Email, IBAN``; ``ProjectId, DebtorId``;
``OrderNumber, DebtorId, CustomerReference``) plus a few of the sandbox's own choosing; a real
environment's GetConnectors are defined per customer and have more.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from importer.sandbox.afas_store import AfasState, Record

STRING, INT, DECIMAL, DATE, BOOLEAN = "string", "int", "decimal", "date", "boolean"
DEFAULT_TAKE = 100
UNSUPPORTED = "Deze GetConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd."
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


# --- Rows from the records ----------------------------------------------------------------------


def _fields(record: Record | None) -> dict[str, Any]:
    return (record or {}).get("fields") or {}


def _last_object(record: Record | None, name: str) -> dict[str, Any]:
    items = ((record or {}).get("objects") or {}).get(name) or []
    return items[-1].get("fields", {}) if items else {}


def _iban(record: Record | None) -> Any:
    items = ((record or {}).get("objects") or {}).get("KnBankAccount") or []
    ibans = [item.get("fields", {}).get("Iban") for item in items]
    return next((iban for iban in ibans if iban), None)


def _person_name(fields: Mapping[str, Any]) -> str:
    parts = (fields.get("FiNm") or fields.get("In"), fields.get("Is"), fields.get("LaNm"))
    return " ".join(str(part) for part in parts if part)


def _relation(state: AfasState, bc_co: Any) -> tuple[Record | None, bool]:
    """The organisation or person with number ``bc_co``, and whether it is a person."""
    if bc_co is None:
        return None, False
    organisation = state.organisations.get(str(bc_co))
    if organisation is not None:
        return organisation, False
    return state.persons.get(str(bc_co)), True


def _relation_name(record: Record | None, is_person: bool) -> Any:
    fields = _fields(record)
    return _person_name(fields) if is_person else fields.get("Nm")


def _org_per_row(record: Record, is_person: bool) -> Row:
    fields, address = _fields(record), _last_object(record, "KnBasicAddressAdr")
    return {
        "BcCo": record.get("BcCo"),
        "Type": "Persoon" if is_person else "Organisatie",
        "Name": _relation_name(record, is_person),
        "SearchName": fields.get("SeNm"),
        "ChOfCommNr": fields.get("CcNr"),
        "FiscalNumber": fields.get("FiNr"),
        "MailWork": fields.get("EmAd"),
        "TelWork": fields.get("TeNr"),
        "MobileWork": fields.get("MbNr"),
        "Street": address.get("Ad"),
        "HouseNumber": address.get("HmNr"),
        "ZipCode": address.get("ZpCd"),
        "Residence": address.get("Rs"),
        "CountryId": address.get("CoId"),
    }


def _org_per_rows(state: AfasState) -> list[Row]:
    rows = [_org_per_row(r, False) for r in state.organisations.values()]
    return rows + [_org_per_row(r, True) for r in state.persons.values()]


def _debtor_rows(state: AfasState) -> list[Row]:
    rows = []
    for debtor in state.debtors.values():
        relation, is_person = _relation(state, debtor.get("BcCo"))
        fields, relation_fields = _fields(debtor), _fields(relation)
        rows.append(
            {
                "DebtorId": debtor.get("DbId"),
                "BcCo": debtor.get("BcCo"),
                "DebtorName": _relation_name(relation, is_person),
                "SearchName": relation_fields.get("SeNm"),
                "VatNr": fields.get("VaId"),
                "ChOfCommNr": relation_fields.get("CcNr"),
                "Email": relation_fields.get("EmAd"),
                "IBAN": _iban(relation) or fields.get("Iban"),
                "CurrencyId": fields.get("CuId"),
                "Blocked": fields.get("Bl", False),
            }
        )
    return rows


def _project_rows(state: AfasState) -> list[Row]:
    rows = []
    for project in state.projects.values():
        fields = _fields(project)
        rows.append(
            {
                "ProjectId": project.get("PrId"),
                "Description": fields.get("Ds"),
                "DebtorId": fields.get("DbId"),
                "ProjectGroup": fields.get("PrGp"),
                "ProjectType": fields.get("PrTy"),
                "Status": fields.get("PrSt"),
                "StartDate": fields.get("DaSt"),
                "HoursPerWeek": fields.get("HrWe"),
            }
        )
    return rows


def _salesorder_rows(state: AfasState) -> list[Row]:
    rows = []
    for order in state.salesorders.values():
        fields = _fields(order)
        debtor = state.debtors.get(str(fields.get("DbId")))
        relation, is_person = _relation(state, (debtor or {}).get("BcCo"))
        rows.append(
            {
                "OrderNumber": order.get("OrNu"),
                "DebtorId": fields.get("DbId"),
                "DebtorName": _relation_name(relation, is_person),
                "CustomerReference": fields.get("RfCs"),
                "OrderDate": fields.get("OrDa"),
                "Warehouse": fields.get("War"),
                "CurrencyId": fields.get("CuId"),
                "ProjectId": fields.get("PrId"),
                "NumberOfLines": len(order.get("lines") or []),
            }
        )
    return rows


def _connector(
    name: str, description: str, rows: Callable[[AfasState], list[Row]], *fields: tuple[str, ...]
) -> GetConnector:
    return GetConnector(name, description, tuple(Field(*spec) for spec in fields), rows)


GET_CONNECTORS: dict[str, GetConnector] = {
    c.id: c
    for c in (
        _connector(
            "Profit_OrgPer",
            "Organisaties en personen",
            _org_per_rows,
            ("BcCo", STRING, "Nummer"),
            ("Type", STRING, "Soort"),
            ("Name", STRING, "Naam"),
            ("SearchName", STRING, "Zoeknaam"),
            ("ChOfCommNr", STRING, "KvK-nummer"),
            ("FiscalNumber", STRING, "Fiscaal nummer"),
            ("MailWork", STRING, "E-mail werk"),
            ("TelWork", STRING, "Telefoonnr. werk"),
            ("MobileWork", STRING, "Mobiel werk"),
            ("Street", STRING, "Straat"),
            ("HouseNumber", STRING, "Huisnummer"),
            ("ZipCode", STRING, "Postcode"),
            ("Residence", STRING, "Woonplaats"),
            ("CountryId", STRING, "Land"),
        ),
        _connector(
            "Profit_Debtor",
            "Debiteuren",
            _debtor_rows,
            ("DebtorId", STRING, "Nummer debiteur"),
            ("BcCo", STRING, "Nummer organisatie/persoon"),
            ("DebtorName", STRING, "Naam debiteur"),
            ("SearchName", STRING, "Zoeknaam"),
            ("VatNr", STRING, "Btw-identificatienummer"),
            ("ChOfCommNr", STRING, "KvK-nummer"),
            ("Email", STRING, "E-mail"),
            ("IBAN", STRING, "IBAN"),
            ("CurrencyId", STRING, "Valuta"),
            ("Blocked", BOOLEAN, "Geblokkeerd"),
        ),
        _connector(
            "Profit_Projects",
            "Projecten",
            _project_rows,
            ("ProjectId", STRING, "Project"),
            ("Description", STRING, "Omschrijving"),
            ("DebtorId", STRING, "Verkooprelatie"),
            ("ProjectGroup", STRING, "Projectgroep"),
            ("ProjectType", STRING, "Type project"),
            ("Status", STRING, "Status"),
            ("StartDate", DATE, "Startdatum"),
            ("HoursPerWeek", DECIMAL, "Uren per week"),
        ),
        _connector(
            "Profit_Salesorders",
            "Verkooporders",
            _salesorder_rows,
            ("OrderNumber", STRING, "Ordernummer"),
            ("DebtorId", STRING, "Verkooprelatie"),
            ("DebtorName", STRING, "Naam verkooprelatie"),
            ("CustomerReference", STRING, "Referentie klant"),
            ("OrderDate", DATE, "Orderdatum"),
            ("Warehouse", STRING, "Magazijn"),
            ("CurrencyId", STRING, "Valuta"),
            ("ProjectId", STRING, "Project"),
            ("NumberOfLines", INT, "Aantal regels"),
        ),
    )
}


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


def _sort_key(field: Field, value: Any) -> tuple:
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
    one Filter AND'ed (either may be one object instead of a list)."""
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
    except (ValueError, KeyError, TypeError, AttributeError):
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


# --- Query --------------------------------------------------------------------------------------


def _integer(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name, "")
    if raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise GetError(f"De waarde '{raw}' van {name} is geen geheel getal.") from None


def _sort(connector: GetConnector, rows: list[Row], order: str) -> list[Row]:
    keys = [key.strip() for key in order.split(",") if key.strip()]
    for key in reversed(keys):
        descending = key.startswith("-")
        field = connector.field(key.lstrip("-"))
        rows.sort(key=lambda row, f=field: _sort_key(f, row.get(f.id)), reverse=descending)  # type: ignore[misc]
    return rows


def query(state: AfasState, name: str, params: Mapping[str, str]) -> dict[str, Any]:
    """Answer ``GET /connectors/{name}``; raises GetError for what AFAS refuses."""
    connector = GET_CONNECTORS.get(name)
    if connector is None:
        raise GetError(UNSUPPORTED)
    skip = max(_integer(params, "skip", 0), 0)
    take = _integer(params, "take", DEFAULT_TAKE)
    groups = parse_filters(connector, params)
    with state.lock:
        raw_rows = connector.rows(state)
    rows = [{f.id: typed(f, raw.get(f.id)) for f in connector.fields} for raw in raw_rows]
    if groups:
        rows = [row for row in rows if any(all(c.holds(row) for c in g) for g in groups)]
    rows = _sort(connector, rows, params.get("orderbyfieldids", ""))
    page = rows[skip:] if take < 0 else rows[skip : skip + take]
    return {"skip": skip, "take": take, "rows": page}


def metainfo_list() -> list[dict[str, str]]:
    return [{"id": c.id, "description": c.description} for c in GET_CONNECTORS.values()]


def metainfo(name: str) -> dict[str, Any] | None:
    """``GET /metainfo/get/{name}``, or None for a GetConnector the sandbox does not have."""
    connector = GET_CONNECTORS.get(name)
    if connector is None:
        return None
    fields = [
        {
            "id": f.id,
            "fieldId": f.id,
            "dataType": f.type,
            "label": f.label,
            "length": 0,
            "controlType": 0,
            "decimals": 0,
            "decimalsFieldId": "",
        }
        for f in connector.fields
    ]
    return {"name": connector.id, "description": connector.description, "fields": fields}
