"""Valid bodies, quickly.

Most bodies are valid. These functions only answer "does the detailed walk
(:mod:`~importer.targets.afas.contract.walk`, :mod:`~importer.targets.afas.contract.mandatory`)
find nothing, missing mandatory fields included?", with exact type tests and no messages; False
means "look closer", not "invalid": anything unusual (a dict subclass, a value of another type)
may answer False. A placeholder for a parent's id (``<DbId of verkooprelaties row 2>``,
:data:`importer.contract.PLACEHOLDER`) passes as what it is: planning disregards what the
detailed walk says of it (it is longer than ``DbId`` allows), so without this every child body
would take the detailed walk.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from importer.contract import is_placeholder
from importer.targets.afas.catalog import _Object
from importer.targets.afas.contract.mandatory import _given, _lacks_object, _waived
from importer.targets.afas.contract.walk import _ACTIONS, _is_custom_field


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
            if check is not None and not check(value) and not is_placeholder(value):
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
            if not check(value) and not is_placeholder(value):
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
