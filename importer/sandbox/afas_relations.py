"""What the sandbox's KnOrganisation, KnPerson and KnSalesRelationOrg/Per connectors do.

Organisations and persons are matched by ``MatchOga``/``MatchPer`` (one match updates it, none
inserts, several is an error); a sales relation holds exactly one of them; nested objects
(addresses, bank accounts, contacts and their persons) are added with the rules AFAS's notes
give for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from importer.sandbox.afas_call import (
    Call,
    ProfitError,
    check_codes,
    children,
    element_fields,
    is_true,
    key_of,
    merge,
    norm,
    present,
    reply_keys,
)
from importer.sandbox.afas_store import Record

# --- Nested objects -----------------------------------------------------------------------------


def _check_address(fields: dict[str, Any], path: str) -> None:
    if not present(fields.get("CoId")):
        raise ProfitError(f"Land (CoId): bij een adres is het land altijd verplicht ({path}.CoId).")


def _check_bank_account(fields: dict[str, Any], path: str) -> None:
    number = fields.get("BaAc")
    if present(number) and len(str(number).strip()) != 10:
        raise ProfitError(
            f"Bankrekening (BaAc): '{number}' heeft {len(str(number).strip())} posities; een "
            "bankrekeningnummer moet 10 posities hebben (vul een nummer van 9 posities aan met "
            f"een voorloopnul) ({path}.BaAc)."
        )


CHILD_RULES: dict[str, Callable[[dict[str, Any], str], None]] = {
    "KnBasicAddressAdr": _check_address,
    "KnBasicAddressPad": _check_address,
    "KnBankAccount": _check_bank_account,
}


def new_child(call: Call, element: Any, path: str, objects: tuple[str, ...]) -> Record:
    """Add a nested object (address, bank account, contact, line, ...) and what it holds."""
    fields = element_fields(element)
    rule = CHILD_RULES.get(objects[-1])
    if rule is not None:
        rule(fields, path)
    check_codes(call, fields, path)
    call.demand(objects, element, path)
    record: Record = {"fields": merge({}, fields)}
    for name, child, child_path in children(element, path):
        if name == PERSON.name:  # a contact's person: matched or added like any person
            ids = upsert_relation(call, PERSON, child, child_path, objects + (name,))
            record["person"] = ids["BcCo"]
        else:
            nested = new_child(call, child, child_path, objects + (name,))
            record.setdefault("objects", {}).setdefault(name, []).append(nested)
    return record


# --- Organisations and persons ------------------------------------------------------------------


@dataclass(frozen=True)
class RelationKind:
    name: str  # the connector / object name
    kind: str  # the state's kind
    match_field: str
    noun: str
    plural: str
    rules: dict[str, tuple[str, ...]]  # match code -> fields that must all be equal


_PERSON_NAME = ("LaNm", "Is", "In", "ViGe")
ORGANISATION = RelationKind(
    "KnOrganisation",
    "organisations",
    "MatchOga",
    "organisatie",
    "organisaties",
    {"0": ("BcCo",), "1": ("CcNr",), "2": ("FiNr",), "3": ("Nm",)},
)
PERSON = RelationKind(
    "KnPerson",
    "persons",
    "MatchPer",
    "persoon",
    "personen",
    {
        "0": ("BcCo",),
        "1": ("SoSe",),
        "2": _PERSON_NAME,
        "3": _PERSON_NAME + ("EmAd",),
        "4": _PERSON_NAME + ("MbNr",),
        "5": _PERSON_NAME + ("TeNr",),
        "6": _PERSON_NAME + ("DaBi",),
    },
)
PARENT_MATCH = "9"  # the sales relation's own organisation or person


def _match_code(rk: RelationKind, fields: dict[str, Any]) -> str:
    return str(fields.get(rk.match_field) or "0").strip()


def find_matches(call: Call, rk: RelationKind, fields: dict, parent: str | None) -> list[str]:
    """Numbers (BcCo) of the records the element's Match code finds."""
    code = _match_code(rk, fields)
    if code == PARENT_MATCH:
        return [parent] if parent and call.tx.find(rk.kind, parent) is not None else []
    keys = rk.rules.get(code)
    if keys is None or not present(fields.get(keys[0])):
        return []
    if keys == ("BcCo",):
        number = str(fields["BcCo"]).strip()
        return [number] if call.tx.find(rk.kind, number) is not None else []
    wanted = tuple(norm(fields.get(key)) for key in keys)
    return [
        str(record["BcCo"])
        for record in call.tx.scan(rk.kind)
        if tuple(norm((record.get("fields") or {}).get(key)) for key in keys) == wanted
    ]


BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def valid_bsn(value: Any) -> bool:
    """The Dutch 11-test of a burgerservicenummer (8 or 9 digits)."""
    digits = str(value).strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) in (8, 9)):
        return False
    total = sum(int(d) * w for d, w in zip(digits.zfill(9), BSN_WEIGHTS, strict=True))
    return total != 0 and total % 11 == 0


def _insert_relation(
    call: Call, rk: RelationKind, element: dict, path: str, objects: tuple[str, ...]
) -> Record:
    fields = element_fields(element)
    call.demand(objects, element, path)  # BcCo among them unless AutoNum is true
    if is_true(fields.get("AutoNum")):
        number = call.tx.next_id("BcCo")
    else:
        number = str(fields["BcCo"]).strip()
        if any(call.tx.find(kind, number) for kind in ("organisations", "persons")):
            raise ProfitError(f"Er bestaat al een organisatie of persoon met nummer '{number}'.")
    record = {"BcCo": number, "BcId": call.tx.next_id("BcId"), "fields": {}, "objects": {}}
    call.tx.put(rk.kind, record)
    return record


def upsert_relation(
    call: Call,
    rk: RelationKind,
    element: Any,
    path: str,
    objects: tuple[str, ...],
    *,
    parent: str | None = None,
    must_exist: bool = False,
    put: bool = False,
) -> dict[str, str]:
    """Insert an organisation/person, or update the one its Match code finds.

    ``put``: the element is part of a PUT, where an address given for a record that has one
    is a move and needs its BeginDate (a POST whose Match code finds the record refuses only
    an address that differs from the current one without it).
    """
    fields = element_fields(element)
    if must_exist and _match_code(rk, fields) == "0" and not present(fields.get("BcCo")):
        raise ProfitError(f"Het sleutelveld BcCo ontbreekt ({path}.BcCo).")
    if rk is PERSON and present(fields.get("SoSe")) and not valid_bsn(fields["SoSe"]):
        raise ProfitError(f"Het burgerservicenummer '{fields['SoSe']}' is ongeldig ({path}.SoSe).")
    matches = find_matches(call, rk, fields, parent)
    code = _match_code(rk, fields)
    if len(matches) > 1:
        raise ProfitError(
            f"Er zijn {len(matches)} {rk.plural} gevonden met {rk.match_field} {code} "
            f"({', '.join(matches)}); de {rk.noun} is niet eenduidig te bepalen ({path})."
        )
    if matches:
        found = call.tx.edit(rk.kind, matches[0])
        assert found is not None  # a match is a record the transaction holds
        record = found
    elif must_exist:
        number = fields.get("BcCo")
        what = f"'{number}' " if present(number) else f"met {rk.match_field} {code} "
        raise ProfitError(f"{rk.noun.capitalize()} {what}bestaat niet.")
    else:
        record = _insert_relation(call, rk, element, path, objects)
    merge(record.setdefault("fields", {}), fields, skip=("BcCo", "BcId"))
    held = record.setdefault("objects", {})
    for name, child, child_path in children(element, path):
        current = held.get(name)
        if name in ADDRESSES and (
            _dateless(current, child) if put or must_exist else _moves(current, child)
        ):
            raise ProfitError(
                f"Er is al een adres: geef met BeginDate aan per wanneer het nieuwe adres geldt "
                f"({child_path}.BeginDate)."
            )
        added = new_child(call, child, child_path, objects + (name,))
        begin = element_fields(child).get("BeginDate")
        if name in ADDRESSES and current and present(begin):
            current[-1]["until"] = str(begin).strip()  # a move: the address until now is history
        held.setdefault(name, []).append(added)
    return reply_keys(BcCo=record["BcCo"], BcId=record.get("BcId"))


# An address that replaces one the record has needs the date it applies from (a move).
ADDRESSES = frozenset({"KnBasicAddressAdr", "KnBasicAddressPad"})
ADDRESS_FIELDS = ("CoId", "PbAd", "Ad", "HmNr", "HmAd", "ZpCd", "Rs")


def _dateless(current: list[Record] | None, element: Any) -> bool:
    """An address for a record that has one, without the date it applies from."""
    return bool(current) and not present(element_fields(element).get("BeginDate"))


def _moves(current: list[Record] | None, element: Any) -> bool:
    """A different address than the record's current one, without its BeginDate."""
    fields = element_fields(element)
    if not current or present(fields.get("BeginDate")):
        return False
    now = current[-1].get("fields", {})
    return any(norm(fields.get(f)) != norm(now.get(f)) for f in ADDRESS_FIELDS if f in fields)


def insert_relation(rk: RelationKind, call: Call, element: Any, path: str) -> dict[str, str]:
    return upsert_relation(call, rk, element, path, ())


def update_relation(rk: RelationKind, call: Call, element: Any, path: str) -> dict[str, str]:
    return upsert_relation(call, rk, element, path, (), must_exist=True)


# --- Sales relations (debtors) ------------------------------------------------------------------


def insert_sales_relation(rk: RelationKind, call: Call, element: Any, path: str) -> dict:
    fields = element_fields(element)
    db_id = str(fields["DbId"]).strip() if present(fields.get("DbId")) else None
    if db_id is not None and call.tx.find("debtors", db_id) is not None:
        raise ProfitError(f"Verkooprelatie '{db_id}' bestaat al.")
    call.demand((), element, path)
    nested = [child for child in children(element, path) if child[0] == rk.name]
    if len(nested) != 1:
        raise ProfitError(
            f"Een verkooprelatie heeft precies één {rk.noun} ({rk.name}) nodig ({path}.{rk.name})."
        )
    _, child, child_path = nested[0]
    ids = upsert_relation(call, rk, child, child_path, (rk.name,))
    db_id = db_id or call.tx.next_id("DbId")
    record = {"DbId": db_id, "BcCo": ids["BcCo"], "relation": rk.name, "fields": merge({}, fields)}
    call.tx.put("debtors", record)
    return {"DbId": db_id, **ids}


def update_sales_relation(rk: RelationKind, call: Call, element: Any, path: str) -> dict:
    fields = element_fields(element)
    db_id = key_of(fields, "DbId", path)
    record = call.tx.edit("debtors", db_id)
    if record is None:
        raise ProfitError(f"Verkooprelatie '{db_id}' bestaat niet.")
    merge(record.setdefault("fields", {}), fields)
    for _, child, child_path in children(element, path):
        own = record.get("BcCo")
        ids = upsert_relation(call, rk, child, child_path, (rk.name,), parent=own, put=True)
        if own and ids["BcCo"] != own:
            raise ProfitError(
                f"Verkooprelatie '{db_id}' hoort bij {rk.noun} '{own}', niet bij "
                f"'{ids['BcCo']}' ({child_path})."
            )
        record["BcCo"] = ids["BcCo"]
    relation = call.tx.find(rk.kind, record.get("BcCo")) or {}
    return reply_keys(DbId=db_id, BcCo=record.get("BcCo"), BcId=relation.get("BcId"))
