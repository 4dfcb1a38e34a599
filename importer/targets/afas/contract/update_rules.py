"""What an update body breaks beyond ``check_body`` (``update_problems``), and an order
with an empty list of lines (``order_problems``)."""

from __future__ import annotations

from typing import Any

from importer.contract import Violation
from importer.messages import Message
from importer.targets.afas.catalog import _Object
from importer.targets.afas.contract.mandatory import _canonical, _missing_in_element, _present
from importer.targets.afas.contract.walk import _elements, _object_entries

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
