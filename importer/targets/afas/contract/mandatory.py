"""Mandatory fields an insert leaves out (``missing_mandatory``), with the waivers of the
fields Profit fills itself."""

from __future__ import annotations

from typing import Any

from importer.contract import Violation
from importer.messages import Message
from importer.targets.afas.catalog import Waiver, _compiled, _Object
from importer.targets.afas.contract.walk import _elements, _object_entries
from importer.targets.afas.values import _as_text


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
