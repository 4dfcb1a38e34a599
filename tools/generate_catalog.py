"""Generate the shipped AFAS UpdateConnector catalogs from the reference field listings.

Usage::

    python tools/generate_catalog.py [SOURCE_DIR] [OUT_DIR]

SOURCE_DIR defaults to ``../shared/reference/afas-fields`` (relative to the repository root) and
OUT_DIR to ``importer/targets/afas/fields``. Every ``<Connector>_POST.txt`` listing becomes one
``<Connector>.json`` file. A listing is an indented tree (two spaces a level)::

    KnSalesRelationOrg: {object}
      Element: {object}
        Fields: {object} required=['CuId', 'CdDa']
          CuId*: string len=3 -- Currency
          DeCo: string len=20 enum=['0', '1'] -- Delivery conditions | 0 = ...; | 1 = ...;
        Objects: [array]
          KnOrganisation: {object}
            Element: [array]
              ...

A few nested objects are listed by name only (``KnBankAccount: {object}`` without children, under
KnPerson in KnSalesRelationOrg); they are completed from the fullest definition of the same object
elsewhere in the listings, preferring one under a parent of the same name, and marked with
``completed_from``. The listings show no ``@`` key attributes; key fields come from ``KNOWN_KEYS``
(the keys AFAS returns and the ``@`` attributes AFAS's own examples use). A field AFAS's connector
notes document but the listings leave out (``NOTED_FIELDS``: KnPerson's ``EmId``, seed 003) is added
at the end of the fields of every object of that name.

Output layout (keys in a fixed order, fields and objects in listing order, indent=1)::

    {"connector": "KnSalesRelationOrg", "source": "KnSalesRelationOrg_POST.txt",
     "object": {"name": ..., "element": "object" | "array", "keys": [...],
                "fields": {"CuId": {"type": "string", "length": 3, "format": null,
                                    "values": null | [{"id": "A", "description": "..."}],
                                    "mandatory": true, "description": "Currency"}, ...},
                "objects": {"KnOrganisation": {...same shape...}}}}
"""

from __future__ import annotations

import ast
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "reference" / "afas-fields"
DEFAULT_OUT = REPO_ROOT / "importer" / "targets" / "afas" / "fields"

# Key fields per object name. The listings carry no "@" attributes, so these come from
# afas-profit-api.md ("Keys returned": DbId, BcCo, PrId, OrNu) and from the "@DbId" attribute on
# the KnSalesRelationOrg/Per examples. BcId is left out: AFAS says never to deliver it.
KNOWN_KEYS: dict[str, list[str]] = {
    "KnSalesRelationOrg": ["DbId"],
    "KnSalesRelationPer": ["DbId"],
    "KnOrganisation": ["BcCo"],
    "KnPerson": ["BcCo"],
    "PtProject": ["PrId"],
    "FbSales": ["OrNu"],
}

# Fields AFAS's connector notes document that the listings leave out: (object, field) ->
# (catalog entry, evidence). Added to every object of that name, wherever it is nested.
NOTED_FIELDS: dict[tuple[str, str], tuple[dict[str, Any], str]] = {
    ("KnPerson", "EmId"): (
        {
            "type": "string",
            "length": 15,
            "format": None,
            "values": None,
            "mandatory": False,
            "description": "Medewerkercode",
        },
        "seed 003 (KnPerson): 'Medewerkercode. Veld: EmId. De medewerkercode in Profit HRM.'; "
        "15 characters, as EmId (an employee code) is in every listing that has it "
        "(KnSalesRelationOrg, KnSalesRelationPer, PtProject)",
    ),
}

_FIELD = re.compile(
    r"^(?P<name>@?[A-Za-z0-9_]+)(?P<star>\*)?: (?P<type>string|integer|number|boolean)"
    r"(?P<attrs>(?: (?:len=\d+|fmt=[a-z-]+|enum=\[.*?\]))*)(?: -- (?P<desc>.*))?$"
)
_CONTAINER = re.compile(r"^(?P<name>[A-Za-z0-9_]+): (?P<kind>\{object\}|\[array\])(?P<rest>.*)$")
_REQUIRED = re.compile(r"required=(\[.*\])")


@dataclass
class Node:
    """One line of a listing with the lines indented below it."""

    text: str
    lineno: int
    children: list[Node] = field(default_factory=list)


class ListingError(ValueError):
    """A listing line that does not fit the expected format."""


def read_tree(path: Path) -> Node:
    """Parse a listing into a tree of lines by indentation (the ``###`` title is skipped)."""
    root = Node(text="", lineno=0)
    stack: list[tuple[int, Node]] = [(-1, root)]
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("###"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        node = Node(text=raw.strip(), lineno=lineno)
        while stack[-1][0] >= indent:
            stack.pop()
        stack[-1][1].children.append(node)
        stack.append((indent, node))
    return root


def parse_values(enum_text: str, description: str) -> tuple[list[dict[str, str]], str]:
    """Return the allowed values (with descriptions when listed) and the bare description."""
    ids = [str(v) for v in ast.literal_eval(enum_text)]
    parts = description.split(" | ")
    labels: dict[str, str] = {}
    for part in parts[1:]:
        key, sep, label = part.partition(" = ")
        if sep:
            labels[key.strip()] = label.strip().removesuffix(";").strip()
    values = [{"id": v, "description": labels.get(v, "")} for v in ids]
    return values, parts[0].strip() if labels else description


def parse_field(node: Node, required: set[str], path: Path) -> tuple[str, dict[str, Any]]:
    """Parse one field line into its name and catalog entry."""
    match = _FIELD.match(node.text)
    if not match:
        raise ListingError(f"{path.name}:{node.lineno}: not a field line: {node.text!r}")
    attrs = match["attrs"]
    length = re.search(r"len=(\d+)", attrs)
    fmt = re.search(r"fmt=([a-z-]+)", attrs)
    enum = re.search(r"enum=(\[.*?\])", attrs)
    description = match["desc"] or ""
    values = None
    if enum:
        values, description = parse_values(enum.group(1), description)
    name = match["name"]
    entry = {
        "type": match["type"],
        "length": int(length.group(1)) if length else None,
        "format": fmt.group(1) if fmt else None,
        "values": values,
        "mandatory": bool(match["star"]) or name.lstrip("@") in required,
        "description": description,
    }
    return name, entry


def parse_object(node: Node, path: Path) -> dict[str, Any]:
    """Parse ``Name: {object}`` with its Element, Fields and Objects into a catalog object."""
    match = _CONTAINER.match(node.text)
    if not match:
        raise ListingError(f"{path.name}:{node.lineno}: not an object line: {node.text!r}")
    obj: dict[str, Any] = {
        "name": match["name"],
        "element": None,
        "keys": [],
        "fields": {},
        "objects": {},
    }
    for element in node.children:
        elem = _CONTAINER.match(element.text)
        if not elem or elem["name"] != "Element":
            raise ListingError(f"{path.name}:{element.lineno}: expected Element: {element.text!r}")
        obj["element"] = "array" if elem["kind"] == "[array]" else "object"
        for part in element.children:
            parse_part(obj, part, path)
    obj["keys"] = key_fields(obj)
    return obj


def parse_part(obj: dict[str, Any], part: Node, path: Path) -> None:
    """Fill ``obj`` from one ``Fields`` or ``Objects`` line below an Element."""
    head = _CONTAINER.match(part.text)
    if head and head["name"] == "Fields":
        found = _REQUIRED.search(head["rest"])
        required = set(ast.literal_eval(found.group(1))) if found else set()
        for child in part.children:
            name, entry = parse_field(child, required, path)
            obj["fields"][name] = entry
        missing = required - {name.lstrip("@") for name in obj["fields"]}
        if missing:
            raise ListingError(f"{path.name}:{part.lineno}: required but not listed: {missing}")
    elif head and head["name"] == "Objects":
        for child in part.children:
            nested = parse_object(child, path)
            obj["objects"][nested["name"]] = nested
    else:
        raise ListingError(f"{path.name}:{part.lineno}: expected Fields/Objects: {part.text!r}")


def key_fields(obj: dict[str, Any]) -> list[str]:
    """Key fields: ``@`` attributes in the listing, else the documented keys of the object."""
    listed = [name.lstrip("@") for name in obj["fields"] if name.startswith("@")]
    return listed or list(KNOWN_KEYS.get(obj["name"], []))


def is_stub(obj: dict[str, Any]) -> bool:
    """True for an object listed by name only (no Element below it)."""
    return obj["element"] is None


def walk(obj: dict[str, Any], parent: str | None = None):
    """Yield ``(parent name, object)`` for an object and all objects nested in it."""
    yield parent, obj
    for nested in obj["objects"].values():
        yield from walk(nested, obj["name"])


def find_definition(
    name: str, parent: str, source: str, connectors: dict[str, dict[str, Any]]
) -> tuple[str, dict[str, Any]] | None:
    """Best full definition of ``name`` for a stub under ``parent`` in listing ``source``."""
    ranked: list[tuple[int, str, dict[str, Any]]] = []
    for file_name, root in connectors.items():
        for found_parent, obj in walk(root):
            if obj["name"] != name or is_stub(obj):
                continue
            rank = (0 if found_parent == parent else 2) + (0 if file_name == source else 1)
            if found_parent == parent and root["name"] == parent:
                rank = -1  # the parent's own connector listing knows its children best
            ranked.append((rank, f"{file_name}: {found_parent}.{name}", obj))
    if not ranked:
        return None
    ranked.sort(key=lambda item: item[0])
    return ranked[0][1], ranked[0][2]


def complete_stubs(connectors: dict[str, dict[str, Any]]) -> None:
    """Replace name-only objects by a copy of their fullest definition elsewhere."""
    for file_name, root in connectors.items():
        stubs = [(parent, obj) for parent, obj in walk(root) if is_stub(obj)]
        for parent, obj in stubs:
            found = find_definition(obj["name"], parent or "", file_name, connectors)
            if found is None:
                raise ListingError(f"{file_name}: no definition found for {obj['name']}")
            origin, definition = found
            copy = json.loads(json.dumps(definition))
            obj.clear()
            obj.update(copy)
            obj["completed_from"] = origin


def load_listings(source: Path) -> dict[str, dict[str, Any]]:
    """Parse every ``*_POST.txt`` in ``source`` into ``{file name: root object}``."""
    connectors: dict[str, dict[str, Any]] = {}
    for path in sorted(source.glob("*_POST.txt")):
        tree = read_tree(path)
        if len(tree.children) != 1:
            raise ListingError(f"{path.name}: expected exactly one connector at the top")
        connectors[path.name] = parse_object(tree.children[0], path)
    complete_stubs(connectors)
    add_noted_fields(connectors)
    return connectors


def add_noted_fields(connectors: dict[str, dict[str, Any]]) -> None:
    """Add the fields of ``NOTED_FIELDS`` to every object of their name that lacks them."""
    for root in connectors.values():
        for _, obj in walk(root):
            for (name, field_name), (entry, _evidence) in NOTED_FIELDS.items():
                if obj["name"] == name and field_name not in obj["fields"]:
                    obj["fields"][field_name] = dict(entry)


def write_catalogs(connectors: dict[str, dict[str, Any]], out: Path) -> list[Path]:
    """Write one ``<Connector>.json`` per listing; return the written paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, root in connectors.items():
        document = {"connector": root["name"], "source": file_name, "object": root}
        target = out / f"{root['name']}.json"
        text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def count(obj: dict[str, Any]) -> tuple[int, int]:
    """Number of objects and fields in a catalog tree."""
    objects = fields = 0
    for _, nested in walk(obj):
        objects += 1
        fields += len(nested["fields"])
    return objects, fields


def main(argv: list[str]) -> int:
    """Command-line entry point."""
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    out = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    connectors = load_listings(source)
    if not connectors:
        print(f"no *_POST.txt listings in {source}", file=sys.stderr)
        return 1
    for path, root in zip(write_catalogs(connectors, out), connectors.values(), strict=True):
        objects, fields = count(root)
        print(f"{path}: {objects} objects, {fields} fields")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
