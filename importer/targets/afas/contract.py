"""Check UpdateConnector bodies against a connector's catalog: what AFAS would refuse, unsent.

Bodies are checked with a plain walk over the dicts, so that checking 100,000 bodies stays
cheap; most bodies are valid, and a quick walk that builds no messages says so first.

Public:

- ``check_body(connector, body)``: what AFAS would reject in a body, without sending it:
  unknown objects and fields, strings that are too long, values outside a field's list, values of
  the wrong type, dates not written ``YYYY-MM-DD``, and what AFAS's notes refuse beyond that
  (``VALUE_RULES``: an old-style bank account number of other than 10 positions, a BSN failing
  the 11-test). AFAS accepts every value as a string, so ``"36"`` is a valid integer and
  ``"12.5"`` a valid number. Empty values (``""``, ``null``) always pass. Choices made where
  AFAS's own examples disagree with a strict reading: allowed values match case-insensitively;
  a JSON boolean in a string field counts as "1"/"0"; an integer field refuses floats
  (``36.0``) and a number field refuses a decimal comma; date-time fields are not checked (an
  example sends ``"00:08:00"``), also when the target's metainfo calls them ``date``; custom
  fields (``U`` + 32 hex characters) are not in the catalog and pass unchecked; ``"@Action"``
  in ``Fields`` must be insert, update or delete. Paths name list items by index:
  ``FbSales.FbSalesLines[1].QuUn``.
- ``missing_mandatory(connector, body, existing=False)``: mandatory fields an insert leaves
  out. The catalog marks some fields mandatory that Profit fills itself; those are listed in
  ``NOT_DEMANDED`` and ``WAIVED_WHEN`` (:mod:`importer.targets.afas.catalog`), each with the
  evidence.
- ``update_problems(connector, root, body)``: what an update body breaks beyond ``check_body``:
  a mandatory field emptied (``""``) in a record the update changes, mandatory fields missing
  from the nested objects it adds (an address, a bank account, an order line without GuLi or
  ``@Action`` update/delete), ``SoQu`` (taken over only by an insert), a line with ``@Action``
  update or delete that names no line (no GuLi, no ItCd).
- ``order_problems(connector, body)``: ``FbSalesLines`` holding an empty ``Element`` list is
  refused (leave the object out instead; an order without lines needs ``SoQu``).
- ``Contract``: one connector's catalog, shipped or read from the target's metainfo; its
  ``violations(body, action)`` are the above for an insert or an update (a delete sends no body).

Body shape: ``{"<Name>": {"Element": {...} | [{...}, ...]}}``; an element holds optional ``@Key``
attributes, ``Fields`` and ``Objects``; ``Objects`` is either a list of one-key objects or one
object holding several keys, each ``{"<Nested>": {"Element": ...}}``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from string import hexdigits
from typing import Any

from importer.contract import Violation
from importer.messages import Message
from importer.targets.afas.catalog import (
    Waiver,
    _compile_object,
    _compiled,
    _Object,
    connectors,
    document_from_metainfo,
)
from importer.targets.afas.values import _as_text, _value_problem

_ACTIONS = ("insert", "update", "delete")


# --- Walking a body -----------------------------------------------------------------------------


def _is_custom_field(name: str) -> bool:
    """Custom fields (vrije velden) are named U + 32 hex characters; the catalog lists none."""
    return len(name) == 33 and name[0] == "U" and all(c in hexdigits for c in name[1:])


def _suggest(
    name: str, options: Iterable[str], by_lower: dict[str, str] | None = None
) -> Message | str:
    """``"; did you mean 'X'?"`` for a close option, else ``""``."""
    if by_lower and name.lower() in by_lower:
        return Message("afas.did_you_mean", name=by_lower[name.lower()])
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return Message("afas.did_you_mean", name=close[0]) if close else ""


def _malformed(path: str, key: str, value: Any, message: Message) -> Violation:
    return Violation(path, key, value, message, "malformed")


def _check_field(obj: _Object, key: str, value: Any, path: str, out: list[Violation]) -> None:
    spec = obj.fields.get(key)
    if spec is None:
        if not _is_custom_field(key):
            hint = _suggest(key, obj.fields, obj.by_lower)
            message = Message("afas.no_field", object=obj.name, field=key, hint=hint)
            out.append(Violation(f"{path}.{key}", key, value, message, "unknown_field"))
        return
    problem = _value_problem(spec, f"{obj.name}.{key}", value)
    if problem:
        kind, message = problem
        out.append(Violation(f"{path}.{key}", key, value, message, kind))


def _check_action(obj: _Object, value: Any, path: str, out: list[Violation]) -> None:
    if isinstance(value, str) and value.lower() in _ACTIONS:
        return
    message = Message(
        "afas.not_allowed", field=f"{obj.name}.@Action", value=value, allowed=", ".join(_ACTIONS)
    )
    out.append(Violation(f"{path}.@Action", "@Action", value, message, "not_allowed"))


def _check_fields(obj: _Object, values: Any, path: str, out: list[Violation]) -> None:
    if values is None or values == "":
        return  # AFAS's own PUT example 'IBAN met BIC' sends "Fields": ""
    if not isinstance(values, dict):
        message = Message(
            "afas.must_be_object", part=f"{obj.name}.Fields", type=type(values).__name__
        )
        out.append(_malformed(f"{path}.Fields", "Fields", values, message))
        return
    for key, value in values.items():
        if key == "@Action":
            _check_action(obj, value, path, out)
        else:
            _check_field(obj, key, value, path, out)


def _check_attribute(obj: _Object, key: str, value: Any, path: str, out: list[Violation]) -> None:
    """``@DbId`` is checked as field DbId when the object has one; other attributes pass."""
    spec = obj.fields.get(key[1:])
    if spec is None:
        return
    problem = _value_problem(spec, f"{obj.name}.{key}", value)
    if problem:
        kind, message = problem
        out.append(Violation(f"{path}.{key}", key, value, message, kind))


def _object_entries(obj: _Object, objects: Any, path: str, out: list[Violation]):
    """Yield ``(name, node)`` from ``Objects`` in either shape; report malformed entries."""
    if objects is None or objects == "":
        return
    if isinstance(objects, dict):
        yield from objects.items()
        return
    if not isinstance(objects, list):
        message = Message(
            "afas.must_be_list_or_object",
            part=f"{obj.name}.Objects",
            type=type(objects).__name__,
        )
        out.append(_malformed(f"{path}.Objects", "Objects", objects, message))
        return
    for index, entry in enumerate(objects):
        if isinstance(entry, dict):
            yield from entry.items()
        else:
            message = Message(
                "afas.must_be_object",
                part=f"{obj.name}.Objects[{index}]",
                type=type(entry).__name__,
            )
            out.append(_malformed(f"{path}.Objects[{index}]", "Objects", entry, message))


def _check_objects(obj: _Object, objects: Any, path: str, out: list[Violation]) -> None:
    for name, node in _object_entries(obj, objects, path, out):
        nested = obj.objects.get(name)
        if nested is None:
            out.append(_unknown_object(obj, name, node, f"{path}.{name}"))
        else:
            _check_node(nested, node, f"{path}.{name}", out)


def _unknown_object(obj: _Object, name: str, node: Any, path: str) -> Violation:
    hint = _suggest(name, obj.objects)
    if not hint:
        hint = Message("afas.it_takes", known=", ".join(obj.objects) or "none")
    message = Message("afas.no_object", object=obj.name, name=name, hint=hint)
    return Violation(path, name, node, message, "unknown_object")


def _check_element(obj: _Object, element: Any, path: str, out: list[Violation]) -> None:
    if not isinstance(element, dict):
        message = Message(
            "afas.must_be_object", part=f"{obj.name}.Element", type=type(element).__name__
        )
        out.append(_malformed(path, "Element", element, message))
        return
    for key, value in element.items():
        if key == "Fields":
            _check_fields(obj, value, path, out)
        elif key == "Objects":
            _check_objects(obj, value, path, out)
        elif key.startswith("@"):
            _check_attribute(obj, key, value, path, out)
        else:
            message = Message("afas.element_key", object=obj.name, key=key)
            out.append(_malformed(f"{path}.{key}", key, value, message))


def _elements(obj: _Object, node: Any, path: str, out: list[Violation]):
    """Yield ``(path, element)`` for the element(s) of ``{"Element": ...}``."""
    if not isinstance(node, dict) or "Element" not in node:
        message = Message("afas.no_element", object=obj.name)
        out.append(_malformed(path, obj.name, node, message))
        return
    for key in node:
        if key != "Element":
            message = Message("afas.next_to_element", object=obj.name, key=key)
            out.append(_malformed(f"{path}.{key}", key, node[key], message))
    element = node["Element"]
    if isinstance(element, list):
        for index, item in enumerate(element):
            yield f"{path}[{index}]", item
    else:
        yield path, element


def _check_node(obj: _Object, node: Any, path: str, out: list[Violation]) -> None:
    for element_path, element in _elements(obj, node, path, out):
        _check_element(obj, element, element_path, out)


def _root_node(connector: str, body: Any, out: list[Violation]) -> Any:
    """The ``{"Element": ...}`` under the connector name; report other top-level keys."""
    if not isinstance(body, dict) or connector not in body:
        message = Message("afas.body_shape", connector=connector)
        out.append(_malformed(connector, connector, body, message))
        return None
    for key in body:
        if key != connector:
            message = Message("afas.body_key", key=key, connector=connector)
            out.append(_malformed(key, key, body[key], message))
    return body[connector]


def check_body(connector: str, body: Any) -> list[Violation]:
    """Everything in ``body`` AFAS's ``connector`` would refuse, except missing mandatory fields.

    Raises ``UnknownConnectorError`` when no catalog is shipped for ``connector``.
    """
    root = _compiled(connector)
    out: list[Violation] = []
    node = _root_node(connector, body, out)
    if node is not None:
        _check_node(root, node, connector, out)
    return out


# --- Mandatory fields ---------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    """Normalise a value for the waiver conditions: booleans to "1"/"0", the rest to text."""
    text = _as_text(value)
    lowered = text.lower()
    if lowered in ("true", "false"):
        return "1" if lowered == "true" else "0"
    return text


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and value == "")


def _given(name: str, element: dict, values: dict) -> bool:
    """Whether the element gives ``name``, as a field or as an ``@`` attribute."""
    return _present(values.get(name)) or _present(element.get(f"@{name}"))


def _waived(waivers: tuple[Waiver, ...], element: dict, values: dict) -> bool:
    for waiver in waivers:
        value = values.get(waiver.other)
        if (
            _present(value)
            and _canonical(value) in waiver.values
            and all(_given(name, element, values) for name in waiver.needs)
        ):
            return True
    return False


def _missing_in_element(obj: _Object, element: dict, path: str, out: list[Violation]) -> None:
    values = element.get("Fields")
    values = values if isinstance(values, dict) else {}
    if _canonical(values.get("@Action", "insert")).lower() in ("update", "delete"):
        return  # an update or delete needs only the keys
    for name, waivers in obj.demanded:
        if _given(name, element, values):
            continue
        if waivers and _waived(waivers, element, values):
            continue
        message = Message("afas.missing", field=f"{obj.name}.{name}")
        out.append(Violation(f"{path}.{name}", name, None, message, "missing"))
    if _lacks_object(obj, element, values):
        assert obj.needs_object is not None
        nested, instead = obj.needs_object
        message = Message("afas.missing_object", object=obj.name, nested=nested, instead=instead)
        out.append(Violation(f"{path}.{nested}", nested, None, message, "missing"))


def _lacks_object(obj: _Object, element: dict, values: dict) -> bool:
    """Whether an insert lacks the nested object it needs (an order its lines; ``SoQu`` stands
    in for them: the lines of that quotation are taken over)."""
    if obj.needs_object is None:
        return False
    nested, instead = obj.needs_object
    if _given(instead, element, values):
        return False
    objects = element.get("Objects")
    entries = objects if isinstance(objects, list) else [objects]
    for entry in entries:
        node = entry.get(nested) if isinstance(entry, dict) else None
        # (an empty list of lines is order_problems' to report)
        if isinstance(node, dict) and node.get("Element") is not None:
            return False
    return True


def _missing_in_node(
    obj: _Object, node: Any, path: str, out: list[Violation], existing: bool = False
) -> None:
    ignored: list[Violation] = []  # shape problems are check_body's to report
    for element_path, element in _elements(obj, node, path, ignored):
        if not isinstance(element, dict):
            continue
        if not existing:
            _missing_in_element(obj, element, element_path, out)
        for name, nested_node in _object_entries(obj, element.get("Objects", {}), path, ignored):
            nested = obj.objects.get(name)
            if nested is not None:
                _missing_in_node(nested, nested_node, f"{element_path}.{name}", out)


def missing_mandatory(connector: str, body: Any, *, existing: bool = False) -> list[Violation]:
    """Mandatory fields an insert leaves out, in every object present in ``body``.

    Only flags a real insert needs are demanded: see ``NOT_DEMANDED`` and ``WAIVED_WHEN``. Nested
    objects are only checked when present; an element whose ``Fields`` hold ``"@Action":
    "update"`` or ``"delete"`` is skipped. Malformed parts are skipped (``check_body`` reports
    them). ``existing=True`` says the root element names a record that already exists (``POST
    /connectors/FbSales/FbSalesLines`` with ``OrNu``; a PtProject POST naming an existing
    ``PrId`` to add phases): the root's own fields are then not demanded, nested ones still are.
    """
    root = _compiled(connector)
    out: list[Violation] = []
    if isinstance(body, dict) and connector in body:
        _missing_in_node(root, body[connector], connector, out, existing)
    return out


# --- Updates and orders -------------------------------------------------------------------------

# A sales relation's own organisation or person: an update of the relation changes it (it is
# found by BcCo or as the relation's own), it is not inserted.
_OWN = {"KnSalesRelationOrg": "KnOrganisation", "KnSalesRelationPer": "KnPerson"}
_LINES = "FbSalesLines"


def _values(element: Any) -> dict[str, Any]:
    values = element.get("Fields") if isinstance(element, dict) else None
    return values if isinstance(values, dict) else {}


def _action_of(element: Any) -> str:
    return _canonical(_values(element).get("@Action", "")).lower()


def _cleared(obj: _Object, element: dict, path: str, out: list[Violation]) -> None:
    """Mandatory fields an update of an existing record empties."""
    for name, value in _values(element).items():
        if value == "" and name in obj.demands:
            message = Message("afas.cannot_clear", field=f"{obj.name}.{name}")
            out.append(Violation(f"{path}.{name}", name, value, message, "cleared"))


def _names_existing(obj: _Object, element: Any) -> bool:
    """A nested element of an update that changes a record the target holds: ``@Action``
    update or delete, or an order line named by its GuLi."""
    if _action_of(element) in ("update", "delete"):
        return True
    return obj.name == _LINES and _present(_values(element).get("GuLi"))


def _update_node(
    obj: _Object, node: Any, path: str, out: list[Violation], *, existing: bool
) -> None:
    ignored: list[Violation] = []  # shape problems are check_body's to report
    for element_path, element in _elements(obj, node, path, ignored):
        if not isinstance(element, dict):
            continue
        if existing or _names_existing(obj, element):
            _cleared(obj, element, element_path, out)
            action = _action_of(element)
            values = _values(element)
            if (
                obj.name == _LINES
                and action in ("update", "delete")
                and not (_present(values.get("GuLi")) or _present(values.get("ItCd")))
            ):
                message = Message("afas.line_unnamed", path=element_path, action=action)
                out.append(Violation(element_path, "GuLi", None, message, "missing"))
        else:  # added by the update: what an insert of it needs
            _missing_in_element(obj, element, element_path, out)
        for name, nested_node in _object_entries(obj, element.get("Objects", {}), path, ignored):
            nested = obj.objects.get(name)
            if nested is not None:
                _update_node(nested, nested_node, f"{element_path}.{name}", out, existing=False)


def update_problems(connector: str, root: _Object, body: Any) -> list[Violation]:
    """What an update body breaks beyond ``check_body`` (see the module's notes).

    The root element is the record the update changes (the client adds its keys), and so is a
    sales relation's own organisation or person nested in it; their mandatory fields are not
    demanded, but may not be emptied. What else the body nests is added by the update.
    """
    out: list[Violation] = []
    if not isinstance(body, dict) or not isinstance(body.get(connector), dict):
        return out
    ignored: list[Violation] = []
    for element_path, element in _elements(root, body[connector], connector, ignored):
        if not isinstance(element, dict):
            continue
        _cleared(root, element, element_path, out)
        if connector == "FbSales" and _present(_values(element).get("SoQu")):
            soqu = _values(element)["SoQu"]
            message = Message("afas.soqu_in_update", field=f"{connector}.SoQu")
            out.append(Violation(f"{element_path}.SoQu", "SoQu", soqu, message, "not_allowed"))
        for name, nested_node in _object_entries(root, element.get("Objects", {}), "", ignored):
            nested = root.objects.get(name)
            if nested is not None:
                own = _OWN.get(connector) == name
                _update_node(nested, nested_node, f"{element_path}.{name}", out, existing=own)
    return out


def order_problems(connector: str, root: _Object, body: Any) -> list[Violation]:
    """An FbSalesLines with no lines (an order without lines and without SoQu is a missing
    object: ``DEMANDED_OBJECTS``)."""
    if connector != "FbSales" or not isinstance(body, dict):
        return []
    out: list[Violation] = []
    ignored: list[Violation] = []  # shape problems are check_body's to report
    for path, element in _elements(root, body.get(connector), connector, ignored):
        if not isinstance(element, dict):
            continue
        entries = _object_entries(root, element.get("Objects"), path, ignored)
        lines = [node for name, node in entries if name == _LINES and isinstance(node, dict)]
        if any(node.get("Element") == [] for node in lines):
            message = Message("afas.no_lines", path=f"{path}.{_LINES}")
            out.append(Violation(f"{path}.{_LINES}", _LINES, [], message, "no_lines"))
    return out


# --- Valid bodies, quickly ---------------------------------------------------------------------
# Most bodies are valid. These functions only answer "does the detailed walk above find nothing,
# missing mandatory fields included?", with exact type tests and no messages; False means "look
# closer", not "invalid": anything unusual (a dict subclass, a value of another type) may
# answer False.


def _clean_node(obj: _Object, node: Any) -> bool:
    if node.__class__ is not dict or len(node) != 1 or "Element" not in node:
        return False
    element = node["Element"]
    if element.__class__ is list:
        return all(_clean_element(obj, item) for item in element)
    return _clean_element(obj, element)


def _clean_element(obj: _Object, element: Any) -> bool:
    if element.__class__ is not dict:
        return False
    values: Any = None
    for key, value in element.items():
        if key == "Fields":
            values = value
        elif key == "Objects":
            if not _clean_objects(obj, value):
                return False
        elif key.startswith("@"):
            check = obj.checks.get(key[1:])
            if check is not None and not check(value):
                return False
        else:
            return False
    if values is None or values == "":
        values = {}
    elif values.__class__ is not dict:
        return False
    checks = obj.checks
    for key, value in values.items():
        check = checks.get(key)
        if check is not None:
            if not check(value):
                return False
        elif key == "@Action":
            if value.__class__ is not str or value.lower() not in _ACTIONS:
                return False
        elif not _is_custom_field(key):
            return False
    action = values.get("@Action")
    if action is not None and action.lower() in ("update", "delete"):
        return True  # an update or delete needs only the keys
    return _demands_met(obj, element, values)


def _demands_met(obj: _Object, element: dict, values: dict) -> bool:
    """Whether ``_missing_in_element`` finds nothing missing in an insert's element."""
    names: Iterable[str] = obj.demands
    if not (None in values.values() or "" in values.values()):
        names = obj.demands.keys() - values.keys()  # the others are there and not empty
    for name in names:
        if _given(name, element, values):
            continue
        if not _waived(obj.demands[name], element, values):
            return False
    return not _lacks_object(obj, element, values)


def _clean_objects(obj: _Object, objects: Any) -> bool:
    if objects is None or objects == "":
        return True
    cls = objects.__class__
    if cls is not list and cls is not dict:
        return False
    for entry in objects if cls is list else (objects,):
        if entry.__class__ is not dict:
            return False
        for name, node in entry.items():
            nested = obj.objects.get(name)
            if nested is None or not _clean_node(nested, node):
                return False
    return True


def _clean_body(connector: str, root: _Object, body: Any) -> bool:
    return (
        body.__class__ is dict
        and len(body) == 1
        and connector in body
        and _clean_node(root, body[connector])
    )


# --- Contracts: one connector's catalog, shipped or read from the target -------------------------


@dataclass(frozen=True)
class Contract:
    """What one connector accepts: checks a body before it is sent."""

    connector: str
    root: _Object
    source: str

    @classmethod
    def shipped(cls, connector: str) -> Contract | None:
        """The catalog shipped in the package, or None if there is none for ``connector``."""
        if connector not in connectors():
            return None
        return cls(connector, _compiled(connector), "shipped catalog")

    @classmethod
    def from_metainfo(cls, connector: str, reply: dict[str, Any]) -> Contract:
        """The contract a target describes in its ``/metainfo/update/{connector}`` reply."""
        document = document_from_metainfo(connector, reply)
        return cls(connector, _compile_object(document), "target's metainfo")

    def violations(self, body: Any, action: str = "insert") -> list[Violation]:
        """Everything the connector would refuse in ``body`` sent as ``action``.

        ``"insert"``: missing mandatory fields included; ``"update"``: a body holding what
        changes (see :func:`update_problems`), its keys still to be added by the client;
        ``"delete"``: nothing (a DELETE sends no body, its keys are in the path).
        """
        if action == "delete":
            return []
        if action not in _ACTIONS:
            raise ValueError(f"action is one of {', '.join(_ACTIONS)}, not {action!r}")
        if action == "update":
            out: list[Violation] = []
            node = _root_node(self.connector, body, out)
            if node is not None:
                _check_node(self.root, node, self.connector, out)
                out += update_problems(self.connector, self.root, body)
            return out
        orders = order_problems(self.connector, self.root, body)
        try:
            if _clean_body(self.connector, self.root, body):
                return orders
        except Exception:  # noqa: BLE001 - whatever the quick walk trips on, the full walk reports
            pass
        out = []
        node = _root_node(self.connector, body, out)
        if node is not None:
            _check_node(self.root, node, self.connector, out)
            _missing_in_node(self.root, node, self.connector, out)
        return out + orders
