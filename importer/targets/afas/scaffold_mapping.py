"""The mapping ``importer new`` writes for AFAS: the scaffold's plan and the mapping's text.

:func:`_mapping_text` writes the YAML by hand (so that it holds its comments: the TODOs, where
each column goes, the headers that matched nothing) and returns the data it must read back as;
the YAML scalars and comment lines it uses serve the template (:mod:`.scaffold_template`) too.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from importer.targets.afas.layouts import KEEP, STEP_NAMES
from importer.targets.afas.matching import _Column

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
