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

from collections.abc import Callable, Mapping
from typing import Any

from importer.sandbox.afas_filters import (
    BOOLEAN,
    DATE,
    DECIMAL,
    INT,
    STRING,
    Field,
    GetConnector,
    GetError,
    Row,
    parse_filters,
    sort_key,
    typed,
)
from importer.sandbox.afas_store import AfasState, Record

DEFAULT_TAKE = 100
UNSUPPORTED = "Deze GetConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd."

__all__ = [
    "GET_CONNECTORS",
    "UNSUPPORTED",
    "GetError",
    "metainfo",
    "metainfo_list",
    "parse_filters",
    "query",
]

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
        rows.sort(key=lambda row, f=field: sort_key(f, row.get(f.id)), reverse=descending)  # type: ignore[misc]
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
