"""The detailed walk over a body: its shape, unknown objects and fields, and each value
(``check_body``); paths name list items by index: ``FbSales.FbSalesLines[1].QuUn``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from string import hexdigits
from typing import Any

from importer.contract import Violation
from importer.messages import Message
from importer.targets.afas.catalog import _compiled, _Object
from importer.targets.afas.values import _value_problem

_ACTIONS = ("insert", "update", "delete")


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
