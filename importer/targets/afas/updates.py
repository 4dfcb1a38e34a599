"""Updates and deletes of AFAS UpdateConnectors: where a record's keys go, what a PUT sends.

Facts this module relies on (reference ``afas-profit-api.md``, AFAS's PUT and DELETE examples,
seeds 001, 003 and 004):

- A PUT needs only the record's keys and the changed fields; ``""`` clears a field. The keys
  stand where each connector wants them: FbSales ``OrNu`` and PtProject ``PrId`` as plain fields
  (examples "Kop", "PrSt Custom"); KnOrganisation and KnPerson ``BcCo`` with ``MatchOga`` /
  ``MatchPer`` ``"0"`` (find by BcCo: examples "organisation name", "change person details");
  KnSalesRelationOrg/Per ``@DbId`` on the element, and their own organisation or person nested
  with ``MatchOga``/``MatchPer`` ``"0"`` and its BcCo, or ``"9"`` (the relation's own) when the
  BcCo is not known (examples "Organisatie", "IBAN met BIC", "Instellingen debiteur wijzigen").
- DELETE puts the key in the path: ``/connectors/FbSales/FbSales/@OrNu/{OrNu}``; only FbSales
  and PtProject can be deleted (KnOrganisation, KnPerson and the sales relations cannot).
- An address replaces the current one from its ``BeginDate``: a changed address goes whole.
- Order lines in a PUT are added unless an ``@Action`` says otherwise (example "Insert Regels"):
  lines sent again would be added twice, so only lines carrying an ``@Action`` are sent.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote

from importer.errors import NotUpdatable
from importer.messages import Message

CLEAR = ""  # what a PUT sets a field to to empty it

# connector -> the ids an update needs
UPDATE_IDS: dict[str, tuple[str, ...]] = {
    "FbSales": ("OrNu",),
    "PtProject": ("PrId",),
    "KnSalesRelationOrg": ("DbId",),
    "KnSalesRelationPer": ("DbId",),
    "KnOrganisation": ("BcCo",),
    "KnPerson": ("BcCo",),
}
# connector -> the ids a DELETE needs (the connectors missing here cannot be deleted)
DELETE_IDS: dict[str, tuple[str, ...]] = {"FbSales": ("OrNu",), "PtProject": ("PrId",)}

# An organisation or person: found by BcCo with Match code 0.
_MATCH = {"KnOrganisation": "MatchOga", "KnPerson": "MatchPer"}
# A sales relation's own organisation or person (nested in it), found as the relation's own.
_OWN = {"KnSalesRelationOrg": "KnOrganisation", "KnSalesRelationPer": "KnPerson"}
_PARENT_MATCH = "9"

# Fields that say which record an element is or how Profit finds it, per object: an update
# does not compare them (the client places the keys); AutoNum only counts for an insert.
_SETTLED: dict[str, frozenset[str]] = {
    "FbSales": frozenset({"OrNu"}),
    "PtProject": frozenset({"PrId"}),
    "KnSalesRelationOrg": frozenset({"DbId"}),
    "KnSalesRelationPer": frozenset({"DbId"}),
    "KnOrganisation": frozenset({"BcCo", "BcId", "MatchOga", "AutoNum"}),
    "KnPerson": frozenset({"BcCo", "BcId", "MatchPer", "AutoNum"}),
}
# A connector the module does not know: its body names the record itself, so the fields that
# usually do are kept in the body of an update (and not compared).
KEY_FIELDS = frozenset({"MatchOga", "MatchPer", "BcCo", "DbId", "PrId", "OrNu", "@Action"})
_ADDRESSES = frozenset({"KnBasicAddressAdr", "KnBasicAddressPad"})
_LINES = "FbSalesLines"


def update_ids(connector: str) -> tuple[str, ...]:
    """The ids an update of ``connector`` needs; ``()`` for a connector not known here (its
    body names the record itself)."""
    return UPDATE_IDS.get(connector, ())


def delete_ids(connector: str) -> tuple[str, ...]:
    """The ids a DELETE of ``connector`` needs; ``()`` when AFAS cannot delete its records."""
    return DELETE_IDS.get(connector, ())


def _needed(ids: dict[str, str], names: tuple[str, ...], what: str) -> dict[str, str]:
    missing = [name for name in names if str(ids.get(name) or "").strip() == ""]
    if missing:
        raise ValueError(f"{what} needs the id {', '.join(missing)}; given: {sorted(ids)}")
    return {name: str(ids[name]).strip() for name in names}


def _with_first(fields: Any, first: dict[str, str]) -> dict[str, Any]:
    """``fields`` with ``first`` at the front (their values replacing any already there)."""
    rest = fields if isinstance(fields, dict) else {}
    return {**first, **{k: v for k, v in rest.items() if k not in first}}


def nested_deletes(body: Any) -> int:
    """How many nested elements a body deletes (``"@Action": "delete"`` in their Fields)."""
    if isinstance(body, dict):
        own = body.get("Fields")
        here = isinstance(own, dict) and own.get("@Action") == "delete"
        return here + sum(nested_deletes(v) for k, v in body.items() if k != "Fields")
    if isinstance(body, list):
        return sum(nested_deletes(item) for item in body)
    return 0


def place_keys(connector: str, body: Any, ids: dict[str, str]) -> Any:
    """A copy of an update's ``body`` with the record's ids where ``connector`` wants them.

    Raises ValueError naming the id when ``ids`` lacks one the connector needs, and when the
    body is not one element of ``connector``. A connector not known here is sent as it is.
    """
    names = UPDATE_IDS.get(connector)
    if names is None:
        return body
    keys = _needed(ids, names, f"An update of {connector}")
    if not isinstance(body, dict) or not isinstance(body.get(connector), dict):
        raise ValueError(
            f"An update of {connector} is a body {{{connector!r}: {{'Element': ...}}}}"
        )
    element = body[connector].get("Element", {})
    if element in (None, ""):
        element = {}
    if not isinstance(element, dict):
        raise ValueError(f"An update of {connector} names one record: Element is one object")
    element = copy.deepcopy(element)
    if connector in _OWN:
        element = {"@DbId": keys["DbId"], **{k: v for k, v in element.items() if k != "@DbId"}}
        if isinstance(element.get("Fields"), dict) and "DbId" in element["Fields"]:
            element["Fields"]["DbId"] = keys["DbId"]
        own = _OWN[connector]
        match = {_MATCH[own]: "0", "BcCo": str(ids["BcCo"]).strip()} if ids.get("BcCo") else {}
        for node in _nodes(element, own):
            inner = node.get("Element")
            if isinstance(inner, dict):
                fields = match or {_MATCH[own]: _PARENT_MATCH}
                inner["Fields"] = _with_first(inner.get("Fields"), fields)
                if not match:
                    inner["Fields"].pop("BcCo", None)
    elif connector in _MATCH:
        element["Fields"] = _with_first(element.get("Fields"), {_MATCH[connector]: "0", **keys})
    else:
        element["Fields"] = _with_first(element.get("Fields"), keys)
    return {**body, connector: {**body[connector], "Element": element}}


def delete_path(connector: str, ids: dict[str, str]) -> str:
    """``/connectors/{C}/{C}/@{Key}/{value}`` (the value URL-quoted); ValueError when AFAS
    cannot delete ``connector``'s records or ``ids`` lacks the key."""
    names = DELETE_IDS.get(connector)
    if names is None:
        raise ValueError(f"AFAS cannot delete records of {connector}")
    keys = _needed(ids, names, f"A delete of {connector}")
    attributes = ",".join(f"@{name}" for name in keys)
    values = ",".join(quote(value, safe="") for value in keys.values())
    return f"/connectors/{connector}/{connector}/{attributes}/{values}"


# --- What an update sends --------------------------------------------------------------------


def _nodes(element: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The nodes named ``name`` among an element's ``Objects`` (either shape)."""
    return [node for found, node in _entries(element) if found == name and isinstance(node, dict)]


def _entries(element: Any) -> list[tuple[str, Any]]:
    """``Objects`` as (name, node) pairs, whether a list of one-key objects or one object."""
    objects = element.get("Objects") if isinstance(element, dict) else None
    holders = objects if isinstance(objects, list) else [objects] if objects else []
    return [
        (name, node)
        for holder in holders
        if isinstance(holder, dict)
        for name, node in holder.items()
    ]


def _items(node: Any) -> list[Any]:
    inner = node.get("Element") if isinstance(node, dict) else None
    if inner is None:
        return []
    return inner if isinstance(inner, list) else [inner]


def _fields(element: Any) -> dict[str, Any]:
    fields = element.get("Fields") if isinstance(element, dict) else None
    return fields if isinstance(fields, dict) else {}


def changed_fields(old: Any, new: Any) -> Any | None:
    """The body of a PUT: what changed from the body last sent (``old``) to ``new``; None when
    nothing did. With no body sent before (``old`` None) it is ``new``, whose order lines must
    each carry an ``@Action`` (NotUpdatable otherwise: AFAS would add them to the order).

    A field ``new`` leaves out is not emptied: only one ``new`` sets to ``""`` is. The keys are
    not in it (:func:`place_keys` adds them), except for a connector this module does not know,
    whose body names the record itself. A nested object that changed goes whole (an address is
    replaced as a whole, with its BeginDate; a BeginDate alone is no change); a sales relation's
    own organisation or person sends what changed in it. Order lines: only lines carrying an
    ``@Action`` are sent (each once); lines that changed without one raise NotUpdatable, as
    AFAS would add them to the order again. Bodies of another shape (a list of elements) are
    sent as they are.
    """
    if old is None:  # the record's last body is not known: every line needs its action
        if any(not _action(line) for line in _lines_in(new)):
            raise NotUpdatable(Message("afas.lines_changed"))
        return new
    if not isinstance(new, dict) or len(new) != 1 or not isinstance(old, dict):
        return new
    name = next(iter(new))
    node, before = new[name], old.get(name)
    element = node.get("Element") if isinstance(node, dict) else None
    was = before.get("Element") if isinstance(before, dict) else None
    if not isinstance(element, dict) or not isinstance(was, dict):
        return new
    known = name in UPDATE_IDS
    diff = _element_changes(name, element, was, keep_keys=not known)
    return {name: {"Element": diff}} if diff is not None else None


def _element_changes(
    name: str, element: dict[str, Any], was: dict[str, Any], *, keep_keys: bool = False
) -> dict[str, Any] | None:
    settled = _SETTLED.get(name, frozenset()) | {"AutoNum", "@Action"}
    if keep_keys:
        settled |= KEY_FIELDS
    fields, before = _fields(element), _fields(was)
    changed = {k: v for k, v in fields.items() if k not in settled and before.get(k, _GONE) != v}
    objects = _objects_changes(name, element, was)
    if not changed and not objects:
        return None
    out: dict[str, Any] = {
        k: v
        for k, v in element.items()
        if k.startswith("@") and (keep_keys or k[1:] not in settled)
    }
    if keep_keys:
        changed = {**{k: v for k, v in fields.items() if k in KEY_FIELDS}, **changed}
    if changed:
        out["Fields"] = changed
    if objects:
        out["Objects"] = objects
    return out


_GONE = object()


def _objects_changes(name: str, element: dict[str, Any], was: dict[str, Any]) -> list[Any]:
    """The nested objects to send: each paired with the one of the same name and place in the
    body last sent (an object that comes or goes elsewhere in the list moves no other)."""
    before: dict[str, list[Any]] = {}
    for found, node in _entries(was):
        before.setdefault(found, []).append(node)
    seen: dict[str, int] = {}
    out: list[Any] = []
    for found, node in _entries(element):
        index = seen.get(found, 0)
        seen[found] = index + 1
        earlier = before.get(found, [])
        old = earlier[index] if index < len(earlier) else None
        if found == _LINES:
            lines = _lines_changes(node, old)
            if lines is not None:
                out.append({found: lines})
        elif found == _OWN.get(name) and _one_element(node) and _one_element(old):
            assert old is not None  # _one_element says so
            diff = _element_changes(found, node["Element"], old["Element"])
            if diff is not None:
                out.append({found: {"Element": diff}})
        elif _comparable(found, node) != _comparable(found, old):
            out.append({found: node})
    return out


def _one_element(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("Element"), dict)


def _comparable(name: str, node: Any) -> Any:
    """An object as compared: an address without its BeginDate (the date a move applies from
    is no change of the address)."""
    if name not in _ADDRESSES or not _one_element(node):
        return node
    fields = {k: v for k, v in _fields(node["Element"]).items() if k != "BeginDate"}
    return {**node, "Element": {**node["Element"], "Fields": fields}}


def _action(line: Any) -> str:
    value = _fields(line).get("@Action")
    return str(value).strip().lower() if value not in (None, "") else ""


def _without_action(line: Any) -> Any:
    if not isinstance(line, dict) or "@Action" not in _fields(line):
        return line
    return {**line, "Fields": {k: v for k, v in _fields(line).items() if k != "@Action"}}


def _lines_in(body: Any) -> list[Any]:
    """Every order line anywhere in a body."""
    if isinstance(body, list):
        return [line for item in body for line in _lines_in(item)]
    if not isinstance(body, dict):
        return []
    own = _items(body[_LINES]) if isinstance(body.get(_LINES), dict) else []
    return own + [line for k, v in body.items() if k != _LINES for line in _lines_in(v)]


def _lines_changes(node: Any, old: Any) -> dict[str, Any] | None:
    """The order lines a PUT sends: those carrying an ``@Action`` not sent before.

    Every line without an action must be one the order holds already (as last sent, an
    inserted or updated line counting without its action); lines without actions that differ
    from those raise NotUpdatable: sent again, AFAS would add them a second time.
    """
    lines, earlier = _items(node), _items(old)
    if lines == earlier:
        return None
    acted = [line for line in lines if _action(line)]
    held = [_without_action(line) for line in earlier if _action(line) != "delete"]
    unexplained = False
    for line in (line for line in lines if not _action(line)):
        if line in held:
            held.remove(line)
        else:
            unexplained = True
    if unexplained or (held and not acted):
        raise NotUpdatable(Message("afas.lines_changed"))
    fresh = [line for line in acted if line not in earlier]
    return {"Element": fresh} if fresh else None
