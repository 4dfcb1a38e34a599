"""The template ``importer new`` writes for AFAS: one connector's nested body as Jinja.

:func:`_build_nodes` places every matched column in the connector's nested objects
(:data:`~importer.targets.afas.layouts.LAYOUTS`), with the constants, fallbacks and notes the
layouts give and a TODO for each mandatory field no header matched; :func:`_template_text`
writes them out as JSON with ``{{ }}`` expressions and ``{# TODO #}`` comments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from importer.targets.afas import catalog
from importer.targets.afas.layouts import (
    _ALWAYS,
    _ATTRIBUTES,
    _CONSTANTS,
    _FALLBACKS,
    _LISTS,
    _NOTES,
    LAYOUTS,
    _Const,
)
from importer.targets.afas.matching import _Column
from importer.targets.afas.scaffold_mapping import _comment, _Plan, _wrap


@dataclass
class _Node:
    path: str
    name: str
    attributes: list[tuple[list[str], str]] = field(default_factory=list)
    fields: list[tuple[list[str], str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


def _jinja_comment(text: str, indent: str) -> list[str]:
    """A Jinja comment (``{# ... #}``), wrapped at 100 characters."""
    lines = _wrap(text.replace("#}", "# }"), indent, "{# ", "   ")
    lines[-1] += " #}"
    return lines


def _expression(col: _Column, const: _Const | None) -> str:
    value = f"row.{col.name}" if const is None else f"row.{col.name} or {json.dumps(const.value)}"
    return "{{ " + value + " }}"


def _build_nodes(plan: _Plan) -> _Node:
    connector = plan.connector
    by_place: dict[tuple[str, str], _Column] = {
        (c.match.path, c.match.code): c for c in plan.columns if c.match
    }
    used_paths = {path for path, _ in by_place} | _ALWAYS.get(connector, {""})
    used_paths.add("")
    nodes: dict[str, _Node] = {}
    for path in LAYOUTS[connector]:  # parents come before their children
        if path not in used_paths:
            continue
        name = path.rsplit(".", 1)[-1] if path else connector
        node = nodes[path] = _Node(path, name)
        if path:
            nodes[path.rpartition(".")[0]].children.append(node)
        specs = catalog.fields(connector, path or None)
        entries: dict[str, tuple[list[str], str]] = {}
        constants = {**_CONSTANTS.get(name, {}), **_FALLBACKS.get(name, {})}
        for code, const in constants.items():
            if code not in specs:
                continue
            col = by_place.get((path, code))
            if col is not None and code in _FALLBACKS.get(name, {}):
                continue  # the column feeds it below
            value = json.dumps(const.value)
            if code == "AutoNum" and (path, "BcCo") in by_place:
                value = "false"  # the number comes from the file
            notes = [f"TODO: {const.todo}"] if const.todo and not col else []
            entries[code] = (notes, f'"{code}": {_expression(col, const) if col else value}')
        for code in specs:
            col = by_place.get((path, code))
            if col is None or code in entries:
                continue
            notes = [f"TODO: {t}" for t in _template_todos(col)]
            text = f'"{code}": {_expression(col, None)}'
            if _ATTRIBUTES.get((connector, path)) == code:
                node.attributes.append((notes, f'"@{code}": {_expression(col, None)}'))
            else:
                entries[code] = (notes, text)
        if name == "KnBankAccount" and (path, "Iban") in by_place:
            iban = by_place[(path, "Iban")].name
            entries = {
                "CoId": (
                    [
                        "TODO: the bank's country is the IBAN's, in Profit's own code (the "
                        "country filter: BE -> B, DE -> D). The relation's own Iban field (its "
                        'preferred account) is not set: add "Iban" to the relation\'s Fields if '
                        "Profit should prefer this account"
                    ],
                    f'"CoId": {{{{ row.{iban}[:2] | country if row.{iban} else none }}}}',
                ),
                **entries,
            }
        given = set(entries) | ({_ATTRIBUTES[(connector, path)]} if node.attributes else set())
        for code, spec in specs.items():
            if spec["mandatory"] and code not in given and _demanded(name, code):
                missing = spec["description"]
                node.notes.append(
                    f"TODO: {name}.{code} ({missing}) is mandatory and no header matched it: "
                    "add a column for it"
                )
        node.fields = list(entries.values())
    return nodes[""]


def _template_todos(col: _Column) -> list[str]:
    return [col.match.todo] if col.match and col.match.todo else []


def _demanded(name: str, code: str) -> bool:
    if (name, code) in catalog.NOT_DEMANDED:
        return False
    waivers = catalog.WAIVED_WHEN.get((name, code), ())
    return not any(waiver.other == "AutoNum" for waiver in waivers)


def _render_node(node: _Node, indent: int, as_list: bool) -> list[str]:
    pad = " " * indent
    out = [f'{pad}"{node.name}": {{']
    inner = pad + "  "
    element_open = f'{inner}"Element": [' if as_list else f'{inner}"Element": {{'
    out.append(element_open)
    body_pad = inner + ("    " if as_list else "  ")
    if as_list:
        out.append(f"{inner}  {{")
    parts: list[list[str]] = []
    for notes, text in node.attributes:
        comments = [line for n in notes for line in _jinja_comment(n, body_pad)]
        parts.append([*comments, body_pad + text])
    field_lines = [line for n in node.notes for line in _jinja_comment(n, body_pad)]
    field_lines.append(f'{body_pad}"Fields": {{')
    for i, (notes, text) in enumerate(node.fields):
        field_lines += [line for n in notes for line in _jinja_comment(n, body_pad + "  ")]
        field_lines.append(f"{body_pad}  {text}" + ("," if i < len(node.fields) - 1 else ""))
    field_lines.append(f"{body_pad}}}")
    parts.append(field_lines)
    if node.children:
        objects = [f'{body_pad}"Objects": [']
        for i, child in enumerate(node.children):
            objects.append(f"{body_pad}  {{")
            objects += _render_node(child, len(body_pad) + 4, child.name in _LISTS)
            objects.append(f"{body_pad}  }}" + ("," if i < len(node.children) - 1 else ""))
        objects.append(f"{body_pad}]")
        parts.append(objects)
    for i, part in enumerate(parts):
        if i < len(parts) - 1:
            part[-1] += ","
        out += part
    if as_list:
        out.append(f"{inner}  }}")
    out.append(f"{inner}]" if as_list else f"{inner}}}")
    out.append(f"{pad}}}")
    return out


def _template_text(plan: _Plan) -> str:
    connector = plan.connector
    head = [
        f"Scaffolded by `importer new` from {plan.input_path.name}: one {connector} per row.",
        "Every {{ }} writes a JSON value; blank cells leave their field out.",
    ]
    todos = list(_NOTES.get(connector, []))
    if plan.unmatched:
        todos.append(
            "TODO: headers not matched to a field (declare them in the mapping to use them): "
            + ", ".join(repr(c.header) for c in plan.unmatched)
        )
    lines = ["{#- " + _comment(head[0]).replace("#}", "# }")]
    for text in head[1:]:
        lines.append("    " + text)
    lines.append("-#}")
    for todo in todos:
        lines += _jinja_comment(todo, "")
    lines.append("{")
    lines += _render_node(_build_nodes(plan), 2, False)
    lines.append("}")
    return "\n".join(lines) + "\n"
