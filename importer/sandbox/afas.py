"""An imitation of AFAS Profit's REST API, for demos and tests (served behind ``AfasAuth``).

Imitated:

- UpdateConnectors ``KnSalesRelationOrg``, ``KnSalesRelationPer``, ``KnOrganisation``,
  ``KnPerson``, ``PtProject`` and ``FbSales``: POST inserts (201), PUT updates (200) with only
  the key and the changed fields (``""`` clears a field); DELETE (200) for FbSales and PtProject
  with the keys in the path, ``/connectors/FbSales/FbSales/@OrNu/{OrNu}`` or
  ``/connectors/PtProject/PtProject/PrId/{PrId}`` (one order line:
  ``/connectors/FbSales/FbSalesLines/@OrNu,@GuLi/{OrNu},{GuLi}``); ``POST
  /connectors/FbSales/FbSalesLines`` adds lines to the order named by ``OrNu``. Bodies as AFAS
  takes them: ``Element`` one object or a list (one transaction: all stored or nothing; the reply
  then holds a list), ``Objects`` a list of one-key objects or one object, keys as ``@Key``
  attributes or plain fields. Reply ``{"results": {"<Name>": {key fields as strings}}}``. A
  PtProject POST naming an existing PrId without PrGp updates that project (AFAS's examples add
  phases or change the status that way); with PrGp it is an insert, refused as a duplicate.
- Refusals as HTTP 500 ``{"externalMessage", "errorNumber", "profitLogReference"}``, in Dutch
  with the field's path: whatever the sandbox's statement of Profit's rules
  (:mod:`importer.sandbox.afas_rules`) finds (unknown fields or objects, too long, values outside
  a list, wrong types); mandatory fields missing from whatever is inserted, nested objects added
  by a PUT included (not for an organisation or person a Match code finds: that is an update);
  a DbId, project, order or order line that
  does not exist; a DbId, OrNu or BcCo that already exists; an unknown project group; an FbSales
  insert without lines and without ``SoQu``; ``SoQu`` in an update; an address without ``CoId``;
  an old-style ``BaAc`` that is not 10 positions; a BSN (``SoSe``) failing the 11-test; several
  matches for MatchOga/MatchPer. Bad JSON: 400 ``{"message": "Invalid json"}``. An unknown
  connector: 500 "Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet
  geautoriseerd."
- Matching (``MatchOga``/``MatchPer``, absent = 0): organisations by 0 BcCo, 1 KvK (CcNr),
  2 fiscal number (FiNr), 3 name (Nm); persons by 0 BcCo, 1 BSN (SoSe), 2 LaNm+Is+In+ViGe, 3/4/5/6
  that plus EmAd/MbNr/TeNr/DaBi; 9 is the sales relation's own organisation/person (in a PUT).
  One match turns the insert into an update of it (the reply keeps its BcCo), none inserts,
  several is an error. Text compares trimmed and case-insensitively.
- GetConnectors (:mod:`importer.sandbox.afas_get`); a query string over 2049 characters gives
  404. ``GET /metainfo``, ``/metainfo/update/{Name}`` (from the field listings),
  ``/metainfo/get/{Name}``.
- Sandbox only, not AFAS: ``GET {base}/sandbox/records`` (every record, per kind) and ``POST
  {base}/sandbox/reset`` (forget every record, number and received request).

Not imitated: MatchOga 4/5 (address) and any other value insert a new organisation, likewise
MatchPer outside 0-6 and 9; ``SoQu`` copies no quotation (the order starts without lines); items,
units, prices, stock, warehouses, currencies and every code table but project groups are taken as
sent (project groups: ``ALG`` and ``FLEX``, or ``AfasState(project_groups=...)``); ``BeginDate`` is
demanded only for an address added to a record that has one; nested ``@Action`` is honoured for
order lines and project phases only, other nested objects are always added; in an FbSales PUT a
line without ``GuLi`` updates the one line with the same ``ItCd`` (and ``VaIt``) and is added when
there is none; ``Accept-Language`` is ignored (messages are Dutch); 413 is not imitated (OAuth
and 503 come from the layers in front: :mod:`importer.sandbox.auth`, :mod:`~.faults`).

State: :mod:`importer.sandbox.afas_store` (in memory, or a SQLite file with
``AfasState.open(path)``). Every write reaching the app (POST, PUT, DELETE; also refused ones) is
in ``state.requests``, every read (GetConnector, metainfo) in ``state.reads``, each as
``{"method", "connector", "path", "query", "body"}`` (body None when absent, the raw text when
not JSON). The sandbox's own ``/sandbox/...`` endpoints are not kept.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from importer.sandbox import afas_get, afas_rules
from importer.sandbox.afas_store import PROJECT_GROUPS, AfasState, Record, Tx

__all__ = ["CONNECTORS", "PROJECT_GROUPS", "AfasState", "ProfitError", "create_app"]

ERROR_NUMBER = -2147220469
UNSUPPORTED = "Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd."
MAX_QUERY = 2049
MAX_MESSAGES = 10
CONTROL_FIELDS = frozenset({"MatchOga", "MatchPer", "AutoNum", "@Action"})


class ProfitError(Exception):
    """A functional error: the sandbox answers 500 with this message."""


def error_response(message: str) -> JSONResponse:
    body = {
        "externalMessage": message,
        "errorNumber": ERROR_NUMBER,
        "profitLogReference": uuid.uuid4().hex.upper(),
    }
    return JSONResponse(body, status_code=500)


# --- Bodies -------------------------------------------------------------------------------------


def present(value: Any) -> bool:
    return value is not None and value != ""


def _norm(value: Any) -> str:
    return str(value).strip().lower() if present(value) else ""


def _is_true(value: Any) -> bool:
    return _norm(value) in ("1", "true")


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


def _keys(**values: Any) -> dict[str, str]:
    return {name: str(value) for name, value in values.items() if value is not None}


def key_of(fields: dict[str, Any], name: str, path: str) -> str:
    if not present(fields.get(name)):
        raise ProfitError(f"Het sleutelveld {name} ontbreekt ({path}).")
    return str(fields[name]).strip()


# --- Messages -----------------------------------------------------------------------------------


def refusal(problems: list[afas_rules.Problem]) -> str:
    """One message for a refused body: a line a problem, at most ``MAX_MESSAGES``."""
    lines = [problem.text() for problem in problems[:MAX_MESSAGES]]
    if len(problems) > MAX_MESSAGES:
        lines.append(f"... en nog {len(problems) - MAX_MESSAGES} fouten.")
    return "\n".join(lines)


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
    wanted = tuple(_norm(fields.get(key)) for key in keys)
    return [
        str(record["BcCo"])
        for record in call.tx.scan(rk.kind)
        if tuple(_norm((record.get("fields") or {}).get(key)) for key in keys) == wanted
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
    if _is_true(fields.get("AutoNum")):
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
) -> dict[str, str]:
    """Insert an organisation/person, or update the one its Match code finds."""
    fields = element_fields(element)
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
        if name in ADDRESSES and _moves(held.get(name), child):
            raise ProfitError(
                f"Er is al een adres: geef met BeginDate aan per wanneer het nieuwe adres geldt "
                f"({child_path}.BeginDate)."
            )
        held.setdefault(name, []).append(new_child(call, child, child_path, objects + (name,)))
    return _keys(BcCo=record["BcCo"], BcId=record.get("BcId"))


# An address that replaces one the record has needs the date it applies from (a move).
ADDRESSES = frozenset({"KnBasicAddressAdr", "KnBasicAddressPad"})
ADDRESS_FIELDS = ("CoId", "PbAd", "Ad", "HmNr", "HmAd", "ZpCd", "Rs")


def _moves(current: list[Record] | None, element: Any) -> bool:
    """A different address than the record's current one, without its BeginDate."""
    fields = element_fields(element)
    if not current or present(fields.get("BeginDate")):
        return False
    now = current[-1].get("fields", {})
    return any(_norm(fields.get(f)) != _norm(now.get(f)) for f in ADDRESS_FIELDS if f in fields)


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
        ids = upsert_relation(call, rk, child, child_path, (rk.name,), parent=own)
        if own and ids["BcCo"] != own:
            raise ProfitError(
                f"Verkooprelatie '{db_id}' hoort bij {rk.noun} '{own}', niet bij "
                f"'{ids['BcCo']}' ({child_path})."
            )
        record["BcCo"] = ids["BcCo"]
    relation = call.tx.find(rk.kind, record.get("BcCo")) or {}
    return _keys(DbId=db_id, BcCo=record.get("BcCo"), BcId=relation.get("BcId"))


# --- Projects -----------------------------------------------------------------------------------


def _upsert_stage(call: Call, project: Record, element: Any, path: str) -> None:
    fields = element_fields(element)
    stages = project.setdefault("objects", {}).setdefault("PtProjectStage", [])
    code = _norm(fields.get("PrSt"))
    found = next((s for s in stages if code and _norm(s["fields"].get("PrSt")) == code), None)
    action = _norm(fields.get("@Action"))
    if found is None and action in ("update", "delete"):
        raise ProfitError(f"Projectfase '{fields.get('PrSt')}' bestaat niet ({path}).")
    if action == "delete":
        stages.remove(found)
    elif found is not None:
        merge(found["fields"], fields)
    else:
        stages.append(new_child(call, element, path, ("PtProjectStage",)))


def upsert_project(call: Call, element: Any, path: str, *, must_exist: bool = False) -> dict:
    """Insert a project, or update the one a PUT names.

    A POST naming an existing PrId without a project group (PrGp, mandatory for an insert) updates
    that project, as AFAS's own examples do to add phases or change the status; with PrGp it is
    an insert, refused as a duplicate (so a repeated insert is never taken for an update).
    """
    fields = element_fields(element)
    pr_id = key_of(fields, "PrId", path) if must_exist or present(fields.get("PrId")) else None
    record = call.tx.edit("projects", pr_id)
    if record is not None and not must_exist and present(fields.get("PrGp")):
        raise ProfitError(f"Project '{pr_id}' bestaat al.")
    if record is None:
        if must_exist:
            raise ProfitError(f"Project '{pr_id}' bestaat niet.")
        call.demand((), element, path)
        check_project_group(call, fields.get("PrGp"))
        check_debtor(call, fields.get("DbId"))
        record = {"PrId": pr_id or call.tx.next_id("PrId"), "fields": {}, "objects": {}}
        call.tx.put("projects", record)
    else:
        check_project_group(call, fields.get("PrGp"))
        check_debtor(call, fields.get("DbId"))
    merge(record.setdefault("fields", {}), fields)
    for name, child, child_path in children(element, path):
        if name == "PtProjectStage":
            _upsert_stage(call, record, child, child_path)
        else:
            nested = new_child(call, child, child_path, (name,))
            record.setdefault("objects", {}).setdefault(name, []).append(nested)
    return {"PrId": record["PrId"]}


def delete_project(call: Call, keys: dict[str, str]) -> dict[str, str]:
    pr_id = key_of(keys, "PrId", "pad")
    if call.tx.find("projects", pr_id) is None:
        raise ProfitError(f"Project '{pr_id}' bestaat niet.")
    call.tx.delete("projects", pr_id)
    return {"PrId": pr_id}


# --- Sales orders -------------------------------------------------------------------------------


def _find_line(lines: list[Record], fields: dict[str, Any], path: str) -> Record | None:
    """The order line a PUT means: by GuLi, else the one line with the same ItCd (and VaIt)."""
    if present(fields.get("GuLi")):
        for line in lines:
            if _norm(line.get("GuLi")) == _norm(fields["GuLi"]):
                return line
        raise ProfitError(f"Orderregel met GuLi '{fields['GuLi']}' bestaat niet ({path}.GuLi).")
    if not present(fields.get("ItCd")):
        return None
    same = [
        line
        for line in lines
        if _norm(line["fields"].get("ItCd")) == _norm(fields["ItCd"])
        and (
            not present(fields.get("VaIt"))
            or _norm(line["fields"].get("VaIt")) == _norm(fields["VaIt"])
        )
    ]
    if len(same) > 1:
        raise ProfitError(
            f"Er zijn meerdere orderregels met itemcode '{fields['ItCd']}'; wijs de regel aan "
            f"met GuLi ({path})."
        )
    return same[0] if same else None


def _apply_lines(call: Call, order: Record, element: Any, path: str, *, update: bool) -> None:
    lines = order.setdefault("lines", [])
    for _, child, child_path in children(element, path):  # FbSales only holds FbSalesLines
        fields = element_fields(child)
        action = _norm(fields.get("@Action"))
        line = _find_line(lines, fields, child_path) if update and action != "insert" else None
        if line is None and action in ("update", "delete"):
            raise ProfitError(f"Orderregel niet gevonden ({child_path}).")
        if action == "delete":
            lines.remove(line)
        elif line is not None:
            merge(line["fields"], fields, skip=("GuLi",))
        else:
            new = new_child(call, child, child_path, ("FbSalesLines",))
            guid = fields.get("GuLi") if present(fields.get("GuLi")) else None
            new["GuLi"] = str(guid or "{" + str(uuid.uuid4()).upper() + "}")
            new["fields"].pop("GuLi", None)
            lines.append(new)


def _existing_order(call: Call, fields: dict[str, Any], path: str) -> Record:
    or_nu = key_of(fields, "OrNu", path)
    order = call.tx.edit("salesorders", or_nu)
    if order is None:
        raise ProfitError(f"Verkooporder '{or_nu}' bestaat niet.")
    return order


def insert_order(call: Call, element: Any, path: str) -> dict[str, str]:
    fields = element_fields(element)
    or_nu = str(fields["OrNu"]).strip() if present(fields.get("OrNu")) else None
    if or_nu is not None and call.tx.find("salesorders", or_nu) is not None:
        raise ProfitError(f"Verkooporder '{or_nu}' bestaat al.")
    call.demand((), element, path)
    check_debtor(call, fields.get("DbId"))
    if not children(element, path) and not present(fields.get("SoQu")):
        raise ProfitError(
            "Een verkooporder zonder regels kan alleen worden toegevoegd als het veld SoQu "
            f"(offerte) is gevuld; geef orderregels (FbSalesLines) op ({path})."
        )
    today = datetime.date.today().isoformat()
    order: Record = {
        "OrNu": or_nu or call.tx.next_id("OrNu"),
        "fields": merge({"OrDa": today}, fields),
        "lines": [],
    }
    call.tx.put("salesorders", order)
    _apply_lines(call, order, element, path, update=False)
    return {"OrNu": order["OrNu"]}


def update_order(call: Call, element: Any, path: str) -> dict[str, str]:
    fields = element_fields(element)
    order = _existing_order(call, fields, path)
    if present(fields.get("SoQu")):
        raise ProfitError(
            f"Het veld SoQu (offerte) kan alleen bij het toevoegen van een order ({path}.SoQu)."
        )
    check_debtor(call, fields.get("DbId"))
    merge(order.setdefault("fields", {}), fields)
    _apply_lines(call, order, element, path, update=True)
    return {"OrNu": order["OrNu"]}


def add_order_lines(call: Call, element: Any, path: str) -> dict[str, str]:
    """``POST /connectors/FbSales/FbSalesLines``: new lines on the order named by OrNu."""
    fields = element_fields(element)
    order = _existing_order(call, fields, path)
    if not children(element, path):
        raise ProfitError(f"Geef ten minste één orderregel (FbSalesLines) op ({path}).")
    check_debtor(call, fields.get("DbId"))
    merge(order.setdefault("fields", {}), fields)
    _apply_lines(call, order, element, path, update=False)
    return {"OrNu": order["OrNu"]}


def delete_order(call: Call, keys: dict[str, str]) -> dict[str, str]:
    or_nu = key_of(keys, "OrNu", "pad")
    if call.tx.find("salesorders", or_nu) is None:
        raise ProfitError(f"Verkooporder '{or_nu}' bestaat niet.")
    call.tx.delete("salesorders", or_nu)
    return {"OrNu": or_nu}


def delete_order_line(call: Call, keys: dict[str, str]) -> dict[str, str]:
    order = _existing_order(call, keys, "pad")
    line = _find_line(order.setdefault("lines", []), {"GuLi": key_of(keys, "GuLi", "pad")}, "pad")
    assert line is not None  # a GuLi that matches no line raised
    order["lines"].remove(line)
    return {"OrNu": order["OrNu"], "GuLi": line["GuLi"]}


# --- The registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Connector:
    """One UpdateConnector: what POST, PUT and DELETE do, and its sub-paths."""

    name: str
    description: str
    insert: Handler
    update: Handler
    delete: DeleteHandler | None = None
    sub_inserts: dict[str, Handler] = field(default_factory=dict)  # POST /connectors/{name}/{sub}
    sub_deletes: dict[str, DeleteHandler] = field(default_factory=dict)


CONNECTORS: dict[str, Connector] = {
    c.name: c
    for c in (
        Connector(
            "KnSalesRelationOrg",
            "Verkooprelatie organisatie",
            partial(insert_sales_relation, ORGANISATION),
            partial(update_sales_relation, ORGANISATION),
        ),
        Connector(
            "KnSalesRelationPer",
            "Verkooprelatie persoon",
            partial(insert_sales_relation, PERSON),
            partial(update_sales_relation, PERSON),
        ),
        Connector(
            "KnOrganisation",
            "Organisatie",
            partial(insert_relation, ORGANISATION),
            partial(update_relation, ORGANISATION),
        ),
        Connector(
            "KnPerson",
            "Persoon",
            partial(insert_relation, PERSON),
            partial(update_relation, PERSON),
        ),
        Connector(
            "PtProject",
            "Project",
            upsert_project,
            partial(upsert_project, must_exist=True),
            delete=delete_project,
        ),
        Connector(
            "FbSales",
            "Verkooporder",
            insert_order,
            update_order,
            delete=delete_order,
            sub_inserts={"FbSalesLines": add_order_lines},
            sub_deletes={"FbSalesLines": delete_order_line},
        ),
    )
}


def run_update(state: AfasState, connector: str, body: Any, handler: Handler, status: int):
    """Check a body against Profit's rules, then run every element in one transaction."""
    problems = afas_rules.problems(connector, body)
    if problems:
        return error_response(refusal(problems))
    element = body[connector]["Element"]
    many = isinstance(element, list)
    elements = element if many else [element]
    if not elements:
        return error_response(f"Er is geen Element opgegeven ({connector}).")
    with state.lock:
        call = Call(state, state.transaction(), connector)
        try:
            replies = [
                handler(call, item, f"{connector}[{i}]" if many else connector)
                for i, item in enumerate(elements)
            ]
        except ProfitError as exc:
            return error_response(str(exc))
        state.commit(call.tx)
    return JSONResponse({"results": {connector: replies if many else replies[0]}}, status)


def run_delete(state: AfasState, name: str, handler: DeleteHandler, keys: dict[str, str]):
    with state.lock:
        call = Call(state, state.transaction(), name)
        try:
            reply = handler(call, keys)
        except ProfitError as exc:
            return error_response(str(exc))
        state.commit(call.tx)
    return JSONResponse({"results": {name: reply}}, status_code=200)


# --- The app ------------------------------------------------------------------------------------


def create_app(state: AfasState | None = None) -> Starlette:
    """The sandbox's AFAS app (authentication is a middleware in front of it)."""
    state = state if state is not None else AfasState()

    def log(request: Request, connector: str | None, body: Any) -> None:
        """Keep a request: writes in ``state.requests``, reads (GET) in ``state.reads``."""
        entry = {
            "method": request.method,
            "connector": connector,
            "path": request.url.path,
            "query": request.url.query,
            "body": body,
        }
        with state.lock:
            (state.reads if request.method == "GET" else state.requests).append(entry)

    async def update(request: Request, name: str, sub: str | None) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            log(request, name, raw.decode("utf-8", "replace"))
            return JSONResponse({"message": "Invalid json"}, status_code=400)
        log(request, name, body)
        spec = CONNECTORS.get(name)
        if spec is None:
            return error_response(UNSUPPORTED)
        handler: Handler | None
        if sub is None:
            handler = spec.insert if request.method == "POST" else spec.update
        else:
            handler = spec.sub_inserts.get(sub)
        if handler is None:
            return error_response(f"Het object '{sub}' wordt niet ondersteund door {name}.")
        return run_update(state, name, body, handler, 201 if request.method == "POST" else 200)

    async def connectors(request: Request) -> Response:
        name = request.path_params["connector"]
        if request.method != "GET":
            return await update(request, name, None)
        log(request, name, None)
        if len(request.scope.get("query_string", b"")) > MAX_QUERY:
            return Response(status_code=404)
        try:
            return JSONResponse(afas_get.query(state, name, request.query_params))
        except afas_get.GetError as exc:
            return error_response(str(exc))

    async def sub_connector(request: Request) -> Response:
        params = request.path_params
        return await update(request, params["connector"], params["object"])

    async def delete(request: Request) -> Response:
        params = request.path_params
        name, obj = params["connector"], params["object"]
        log(request, name, None)
        spec = CONNECTORS.get(name)
        if spec is None:
            return error_response(UNSUPPORTED)
        handler = spec.delete if obj == name else spec.sub_deletes.get(obj)
        if handler is None:
            return error_response(
                f"Verwijderen is niet mogelijk met UpdateConnector {name} ({obj})."
            )
        names = [key.strip().lstrip("@") for key in params["keys"].split(",")]
        values = params["values"].split(",")
        if len(names) != len(values):
            return error_response("Het aantal sleutelvelden en sleutelwaarden komt niet overeen.")
        return run_delete(state, name, handler, dict(zip(names, values, strict=True)))

    async def metainfo(request: Request) -> Response:
        log(request, None, None)
        updates = [{"id": c.name, "description": c.description} for c in CONNECTORS.values()]
        return JSONResponse(
            {"updateConnectors": updates, "getConnectors": afas_get.metainfo_list()}
        )

    async def metainfo_of(request: Request) -> Response:
        kind, name = request.path_params["kind"], request.path_params["name"]
        log(request, name, None)
        if kind == "update":
            spec = CONNECTORS.get(name)
            info = afas_rules.metainfo(name, spec.description) if spec else None
            return JSONResponse(info) if info else error_response(UNSUPPORTED)
        if kind != "get":
            return Response(status_code=404)
        info = afas_get.metainfo(name)
        return JSONResponse(info) if info else error_response(afas_get.UNSUPPORTED)

    async def records(request: Request) -> Response:
        return JSONResponse(state.records())

    async def reset(request: Request) -> Response:
        state.reset()
        return JSONResponse({"reset": True})

    base = "/{base:path}"
    app = Starlette(
        routes=[
            Route(f"{base}/connectors/{{connector}}", connectors, methods=["GET", "POST", "PUT"]),
            Route(f"{base}/connectors/{{connector}}/{{object}}", sub_connector, methods=["POST"]),
            Route(
                f"{base}/connectors/{{connector}}/{{object}}/{{keys}}/{{values:path}}",
                delete,
                methods=["DELETE"],
            ),
            Route(f"{base}/metainfo", metainfo, methods=["GET"]),
            Route(f"{base}/metainfo/{{kind}}/{{name}}", metainfo_of, methods=["GET"]),
            Route(f"{base}/sandbox/records", records, methods=["GET"]),
            Route(f"{base}/sandbox/reset", reset, methods=["POST"]),
        ]
    )
    app.state.afas = state
    return app
