"""AFAS Profit's part of ``importer new``: a mapping and a template from a spreadsheet's headers.

:func:`scaffold` reads the headers and some sample values of a CSV or xlsx file, matches every
header to a field of an AFAS UpdateConnector, and writes a first mapping and template that load
and render as they are. Layout, relative to ``out_dir``::

    <name>.yaml                                 the mapping (templates: templates)
    templates/afas/<name>.<Connector>.json.j2   its template

The template is named after the mapping too, so that several files scaffolded into one folder
for the same connector do not share (and overwrite) one template.

Headers are matched on their normalised form (lower case, no accents, no spaces, dashes, dots
or underscores) against :data:`HEADER_FIELDS`, a table of common Dutch and English headers
(with per-connector exceptions in :data:`CONNECTOR_HEADERS`), then against AFAS's own field
codes, and finally by similarity (difflib) to those headers and to the catalog's field
descriptions. Where each field goes inside the connector's nested objects is fixed per connector
in :data:`LAYOUTS` (the name of a sales relation in ``KnOrganisation``, its street in
``KnOrganisation -> KnBasicAddressAdr``, ...). Types, ``max_length`` and date formats come from
the catalog and the sample values.

Everything the scaffold is not sure of is marked ``TODO`` (YAML comments in the mapping,
``{# TODO ... #}`` comments in the template): matches by similarity, guessed formats, values
that are not AFAS codes, environment-specific constants, mandatory fields no header matched,
and the headers that matched nothing.

Its tables (:data:`LAYOUTS`, the headers, constants and notes) are in :mod:`.layouts`, the
matching of headers and the columns declared for them in :mod:`.matching`; this module
writes the mapping and the template.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from importer.errors import InputError, MappingError
from importer.readers import EXCEL_SUFFIXES, read_table
from importer.scaffold import Scaffold
from importer.targets.afas import catalog
from importer.targets.afas.layouts import (
    _ALWAYS,
    _ATTRIBUTES,
    _CONSTANTS,
    _FALLBACKS,
    _LISTS,
    _NOTES,
    KEEP,
    LAYOUTS,
    STEP_NAMES,
    _Const,
)
from importer.targets.afas.matching import (
    _choose_key,
    _Column,
    _declare,
    _match_headers,
    _samples,
    column_name,
)

# --- Writing ------------------------------------------------------------------------------------

_PLAIN = re.compile(r"(?:[^\W\d]|\.\.?/)[\w .\-/()]*")


def _scalar(value: Any) -> str:
    """A YAML scalar for ``value``, plain where that reads back the same."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if (
        _PLAIN.fullmatch(text)
        and not text.endswith(" ")
        and yaml.safe_load(f"k: {text}") == {"k": text}
    ):
        return text
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


_ORDER_OF_KEYS = ("header", "type", "format", "decimal", "thousands", "required", "max_length",
                  "pattern", "allowed", "map")  # fmt: skip


def _ordered(settings: dict[str, Any]) -> dict[str, Any]:
    rank = {key: i for i, key in enumerate(_ORDER_OF_KEYS)}
    return dict(sorted(settings.items(), key=lambda item: rank.get(item[0], len(rank))))


def _flow(settings: dict[str, Any]) -> str:
    parts = []
    for key, value in _ordered(settings).items():
        if isinstance(value, list):
            shown = "[" + ", ".join(_scalar(v) for v in value) + "]"
        elif isinstance(value, dict):
            shown = "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
        else:
            shown = _scalar(value)
        parts.append(f"{key}: {shown}")
    return "{" + ", ".join(parts) + "}"


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _wrap(
    text: str, indent: str, prefix: str = "# ", cont: str | None = None, width: int = 100
) -> list[str]:
    """``text`` as comment lines of at most ``width`` characters."""
    words, lines, line = _comment(text).split(" "), [], ""
    for word in words:
        if line and len(indent) + len(prefix) + len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    if cont is None:
        cont = prefix.replace("TODO", "    ")
    return [f"{indent}{prefix if i == 0 else cont}{part}" for i, part in enumerate(lines)]


def _relative(target: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return target.resolve().as_posix()


@dataclass
class _Plan:
    connector: str
    source: str
    input_path: Path
    sheet: str | None
    dialect: dict[str, str]
    key: str
    key_todo: str | None
    columns: list[_Column]  # declared (matched and key), file order
    unmatched: list[_Column]


def _mapping_text(plan: _Plan, mapping_path: Path, template_name: str) -> tuple[str, dict]:
    """The mapping file's text, and the data it must read back as."""
    connector = plan.connector
    file = _relative(plan.input_path, mapping_path.parent)
    source: dict[str, Any] = {"file": file}
    if plan.sheet:
        source["sheet"] = plan.sheet
    step_name = STEP_NAMES.get(connector, connector)[:31]
    key_name = next(c.name for c in plan.columns if c.header == plan.key)
    data = {
        "version": 1,
        "target": "afas",
        "description": f"{plan.input_path.name} into {connector} (scaffolded; review the TODOs)",
        "templates": "templates",
        "sources": {plan.source: source},
        "steps": [
            {
                "name": step_name,
                "source": plan.source,
                "connector": connector,
                "template": template_name,
                "key": key_name,
                "keep": KEEP.get(connector, []),
                "columns": {c.name: {"header": c.header, **c.settings} for c in plan.columns},
            }
        ],
    }
    out = [
        f"# Scaffolded by `importer new` from {_comment(plan.input_path.name)} for AFAS "
        f"UpdateConnector {connector}.",
        "# Review every TODO before the first run: matches by a similar name, guessed formats",
        "# and environment-specific choices are marked. Paths are relative to this file.",
        "version: 1",
        "target: afas",
        f"description: {_scalar(data['description'])}",
        "templates: templates",
        "",
        "sources:",
        f"  {_scalar(plan.source)}:",
        f"    file: {_scalar(file)}",
    ]
    if plan.sheet:
        out.append(f"    sheet: {_scalar(plan.sheet)}")
    if plan.dialect:
        found = ", ".join(f"{k} {v!r}" for k, v in plan.dialect.items())
        out.append(f"    # detected: {_comment(found)}")
    out += [
        "",
        "steps:",
        f"  - name: {_scalar(step_name)}",
        f"    source: {_scalar(plan.source)}",
        f"    connector: {connector}",
        f"    template: {template_name}",
    ]
    if plan.key_todo:
        out += _wrap(plan.key_todo, "    ", "# TODO ")
    out += [
        f"    key: {_scalar(key_name)}",
        f"    keep: [{', '.join(KEEP.get(connector, []))}]",
        "    columns:",
    ]
    for col in plan.columns:
        for todo in col.todos:
            out += _wrap(f"{col.name}: {todo}", "      ", "# TODO ")
        for hint in col.hints:
            out += _wrap(f"{col.name}: {hint}", "      ")
        target = f"  # -> {col.match.dotted}" if col.match else "  # key only: not sent"
        line = f"      {_scalar(col.name)}: {_flow({'header': col.header, **col.settings})}"
        out.append(line + target)
    if plan.unmatched:
        out += _wrap(
            f"headers not matched to a field of {connector}: "
            + ", ".join(repr(c.header) for c in plan.unmatched)
            + ". To use one, uncomment its line and add it to the template.",
            "    ",
            "# TODO ",
        )
        for col in plan.unmatched:
            line = f"{_scalar(col.name)}: {_flow({'header': col.header, **col.settings})}"
            why = f"  # {_comment('; '.join(col.hints))}" if col.hints else ""
            out.append(f"    #   {_comment(line)}{why}")
    return "\n".join(out) + "\n", data


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
                        "TODO: the bank's country is taken from the IBAN; Profit's country "
                        "codes differ for some countries (B for Belgium, D for Germany). The "
                        "relation's own Iban field (its preferred account) is not set: add "
                        '"Iban" to the relation\'s Fields if Profit should prefer this account'
                    ],
                    f'"CoId": {{{{ row.{iban}[:2] | upper if row.{iban} else none }}}}',
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


# --- Entry point --------------------------------------------------------------------------------


def _check_connector(connector: str) -> None:
    known = catalog.connectors()
    if connector in known and connector in LAYOUTS:
        return
    supported = [c for c in known if c in LAYOUTS]
    folded = {c.lower(): c for c in supported}
    close = folded.get(connector.lower()) or next(
        iter(difflib.get_close_matches(connector, supported, n=1)), None
    )
    hint = f" (did you mean {close!r}?)" if close else ""
    raise MappingError(
        f"unknown connector {connector!r}{hint}; known connectors: {', '.join(supported)}"
    )


def scaffold(
    connector: str,
    input_path: Path,
    *,
    out_dir: Path,
    sheet: str | None = None,
    name: str | None = None,
    overwrite: bool = False,
) -> Scaffold:
    """Write a first mapping and template for importing ``input_path`` into ``connector``.

    Writes ``out_dir/<name>.yaml`` (``name`` defaults to the input's stem) and
    ``out_dir/templates/afas/<name>.<connector>.json.j2``; refuses to replace either unless
    ``overwrite``. Raises MappingError for an unknown connector, a bad name or files that
    exist, InputError for an input that cannot be read.
    """
    _check_connector(connector)
    input_path = Path(input_path)
    out_dir = Path(out_dir)
    if sheet is not None and input_path.suffix.lower() not in EXCEL_SUFFIXES:
        raise InputError(f"{input_path.name}: only an Excel file has sheets (asked for {sheet!r})")
    stem = (name or input_path.stem).removesuffix(".yaml").removesuffix(".yml")
    if not stem or stem in (".", "..") or any(ch in stem for ch in "/\\\0"):
        raise MappingError(f"{name!r} cannot be a mapping name: give a file name without folders")
    table = read_table(input_path, sheet=sheet)
    headers = table.columns
    if not headers:
        raise InputError(f"{table.label}: no column headers found in the first row")
    excel = input_path.suffix.lower() in EXCEL_SUFFIXES

    mapping_path = out_dir / f"{stem}.yaml"
    template_name = f"afas/{stem}.{connector}.json.j2"
    template_path = out_dir / "templates" / template_name
    existing = [p for p in (mapping_path, template_path) if p.exists()]
    if existing and not overwrite:
        raise MappingError(
            f"{' and '.join(str(p) for p in existing)} already exist"
            f"{'s' if len(existing) == 1 else ''}; not overwritten (choose another name or "
            "folder, or allow overwriting)"
        )

    matches, left_out = _match_headers(connector, headers)
    key, key_todo = _choose_key(connector, headers, table.frame)
    names: list[str] = []
    declared: list[_Column] = []
    unmatched: list[_Column] = []
    for header in headers:
        col = _Column(column_name(header, names), header, match=matches.get(header))
        names.append(col.name)
        if col.match and col.match.todo:
            col.todos.append(col.match.todo)
        if header in left_out:
            col.hints.append(left_out[header])
        _declare(col, _samples(table.frame, header), excel)
        if header == key:
            col.settings.pop("required", None)  # the key is always required
        (declared if col.match or header == key else unmatched).append(col)
    plan = _Plan(
        connector=connector,
        source=column_name(input_path.stem),
        input_path=input_path,
        sheet=table.sheet,
        dialect=dict(table.dialect),
        key=key,
        key_todo=key_todo,
        columns=declared,
        unmatched=unmatched,
    )
    mapping_text, data = _mapping_text(plan, mapping_path, template_name)
    if yaml.safe_load(mapping_text) != data:  # a header YAML reads differently
        raise MappingError(f"could not write the headers of {table.label} as YAML")
    template_text = _template_text(plan)
    try:
        template_path.parent.mkdir(parents=True, exist_ok=True)
        template_path.write_text(template_text, encoding="utf-8", newline="\n")
        mapping_path.write_text(mapping_text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise MappingError(f"cannot write the scaffold: {exc.strerror}", file=exc.filename) from exc
    return Scaffold(
        mapping_path=mapping_path,
        template_path=template_path,
        matched={h: matches[h].dotted for h in headers if h in matches},
        unmatched=[c.header for c in unmatched],
        todos=mapping_text.count("# TODO") + template_text.count("{# TODO"),
    )
