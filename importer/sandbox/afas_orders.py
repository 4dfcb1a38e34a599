"""What the sandbox's PtProject and FbSales connectors do.

Projects and their phases (a POST naming an existing project without a project group changes
it, as AFAS's examples do), sales orders and their lines (a PUT finds a line by GuLi, else by
item code).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from importer.sandbox.afas_call import (
    Call,
    ProfitError,
    check_debtor,
    check_project_group,
    children,
    element_fields,
    key_of,
    merge,
    norm,
    present,
)
from importer.sandbox.afas_relations import new_child
from importer.sandbox.afas_store import Record

# --- Projects -----------------------------------------------------------------------------------


def _upsert_stage(call: Call, project: Record, element: Any, path: str) -> None:
    fields = element_fields(element)
    stages = project.setdefault("objects", {}).setdefault("PtProjectStage", [])
    code = norm(fields.get("PrSt"))
    found = next((s for s in stages if code and norm(s["fields"].get("PrSt")) == code), None)
    action = norm(fields.get("@Action"))
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
    """Delete a project that no sales order refers to (by its PrId)."""
    pr_id = key_of(keys, "PrId", "pad")
    if call.tx.find("projects", pr_id) is None:
        raise ProfitError(f"Project '{pr_id}' bestaat niet.")
    orders = [
        str(order["OrNu"])
        for order in call.tx.scan("salesorders")
        if norm((order.get("fields") or {}).get("PrId")) == norm(pr_id)
    ]
    if orders:
        raise ProfitError(
            f"Project '{pr_id}' kan niet worden verwijderd: er zijn nog verkooporders bij dit "
            f"project ({', '.join(orders)})."
        )
    call.tx.delete("projects", pr_id)
    return {"PrId": pr_id}


# --- Sales orders -------------------------------------------------------------------------------


def _find_line(lines: list[Record], fields: dict[str, Any], path: str) -> Record | None:
    """The order line a PUT means: by GuLi, else the one line with the same ItCd (and VaIt)."""
    if present(fields.get("GuLi")):
        for line in lines:
            if norm(line.get("GuLi")) == norm(fields["GuLi"]):
                return line
        raise ProfitError(f"Orderregel met GuLi '{fields['GuLi']}' bestaat niet ({path}.GuLi).")
    if not present(fields.get("ItCd")):
        return None
    same = [
        line
        for line in lines
        if norm(line["fields"].get("ItCd")) == norm(fields["ItCd"])
        and (
            not present(fields.get("VaIt"))
            or norm(line["fields"].get("VaIt")) == norm(fields["VaIt"])
        )
    ]
    if len(same) > 1:
        raise ProfitError(
            f"Er zijn meerdere orderregels met itemcode '{fields['ItCd']}'; wijs de regel aan "
            f"met GuLi ({path})."
        )
    return same[0] if same else None


def _apply_lines(call: Call, order: Record, element: Any, path: str, *, update: bool) -> None:
    """Add, change or remove the order's lines as the element's FbSalesLines say.

    In an insert every line is added. In a PUT a line is added when its ``@Action`` is insert
    or when it has neither an action nor a GuLi (AFAS's example "Insert Regels": lines sent
    again are added again); with ``@Action`` update or delete it names the line by GuLi, or by
    ItCd (and VaIt) when exactly one line has it; with a GuLi and no action it changes that line
    (example "Regel GUID").
    """
    lines = order.setdefault("lines", [])
    for _, child, child_path in children(element, path):  # FbSales only holds FbSalesLines
        fields = element_fields(child)
        action = norm(fields.get("@Action"))
        adds = action == "insert" or (not action and not (update and present(fields.get("GuLi"))))
        line = _find_line(lines, fields, child_path) if update and not adds else None
        if line is None and not adds:
            raise ProfitError(f"Orderregel niet gevonden ({child_path}).")
        if action == "delete":
            lines.remove(line)
        elif line is not None:
            merge(line["fields"], fields, skip=("GuLi",))
        else:
            if present(fields.get("GuLi")) and any(
                norm(held.get("GuLi")) == norm(fields["GuLi"]) for held in lines
            ):
                raise ProfitError(
                    f"Orderregel met GuLi '{fields['GuLi']}' bestaat al ({child_path}.GuLi)."
                )
            new = new_child(call, child, child_path, ("FbSalesLines",))
            guid = fields.get("GuLi") if present(fields.get("GuLi")) else None
            new["GuLi"] = str(guid or "{" + str(uuid.uuid4()).upper() + "}")
            new["fields"].pop("GuLi", None)
            lines.append(new)


def _empty_lines(element: Any) -> bool:
    """Whether the element holds an FbSalesLines whose Element is an empty list."""
    objects = element.get("Objects") if isinstance(element, dict) else None
    holders = objects if isinstance(objects, list) else [objects] if objects else []
    return any(
        isinstance(node, dict) and node.get("Element") == []
        for holder in holders
        if isinstance(holder, dict)
        for name, node in holder.items()
        if name == "FbSalesLines"
    )


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
    if _empty_lines(element):
        raise ProfitError(
            "FbSalesLines bevat geen regels; laat FbSalesLines weg voor een verkooporder die een "
            f"offerte (SoQu) zonder regels overneemt ({path}.FbSalesLines)."
        )
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
