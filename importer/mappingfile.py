"""Reading a mapping file: YAML with line numbers, and every check the model cannot make alone.

Loading checks a mapping completely (unknown keys, types, references between steps) and
reports each problem with the file, the line and the key path.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from importer import targets
from importer.errors import MappingError
from importer.mapping import COLUMN_TYPES, Column, Mapping, Source, Step
from importer.patterns import matcher


def _reference_problems(mapping: Mapping) -> list[tuple[tuple[Any, ...], str]]:
    """Checks across the model: names that must refer to something declared elsewhere."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    seen: set[str] = set()
    for i, step in enumerate(mapping.steps):

        def problem(*loc: Any, msg: str, i: int = i) -> None:
            problems.append((("steps", i, *loc), msg))

        if step.name in seen:
            problem("name", msg=f"step name {step.name!r} is used twice")
        if step.source not in mapping.sources:
            problem(
                "source",
                msg=f"{step.source!r} is not a source{_suggest(step.source, mapping.sources)}"
                f" (sources: {', '.join(mapping.sources)})",
            )
        if step.key not in step.columns:
            problem(
                "key",
                msg=f"{step.key!r} is not a declared column{_suggest(step.key, step.columns)}",
            )
        if step.parent:
            if step.parent.step not in seen:
                problem(
                    "parent",
                    "step",
                    msg=f"{step.parent.step!r} is not an earlier step"
                    f"{_suggest(step.parent.step, seen)}",
                )
            if step.parent.key not in step.columns:
                problem(
                    "parent",
                    "key",
                    msg=f"{step.parent.key!r} is not a declared column"
                    f"{_suggest(step.parent.key, step.columns)}",
                )
        for n, (name, column) in enumerate(step.columns.items()):
            for loc, msg in _column_problems(column, mapping):
                problem("columns", name, *loc, msg=msg)
            if column.expr and (
                trouble := _undeclared(column.expr, list(step.columns)[:n], before=True)
            ):
                problem("columns", name, "expr", msg=trouble)
        if step.match:
            for field_name, source in step.match.filter.items():
                if source.startswith("parent."):
                    parent = (
                        mapping.step(step.parent.step)
                        if step.parent and step.parent.step in seen
                        else None
                    )
                    if parent is None or source.removeprefix("parent.") not in parent.keep:
                        kept = ", ".join(parent.keep) if parent else "none: no parent step"
                        problem(
                            "match",
                            "filter",
                            field_name,
                            msg=f"{source!r} is not an id the parent step keeps ({kept})",
                        )
                elif source not in step.columns:
                    problem(
                        "match",
                        "filter",
                        field_name,
                        msg=f"{source!r} is not a declared column{_suggest(source, step.columns)}",
                    )
        if step.lines:
            if step.lines.source not in mapping.sources:
                problem(
                    "lines",
                    "source",
                    msg=f"{step.lines.source!r} is not a source"
                    f"{_suggest(step.lines.source, mapping.sources)}",
                )
            if step.lines.key not in step.lines.columns:
                problem(
                    "lines",
                    "key",
                    msg=f"{step.lines.key!r} is not a declared line column"
                    f"{_suggest(step.lines.key, step.lines.columns)}",
                )
            for n, (name, column) in enumerate(step.lines.columns.items()):
                for loc, msg in _column_problems(column, mapping):
                    problem("lines", "columns", name, *loc, msg=msg)
                earlier = list(step.lines.columns)[:n]
                if column.expr and (trouble := _undeclared(column.expr, earlier, before=True)):
                    problem("lines", "columns", name, "expr", msg=trouble)
        if step.group_by and step.group_by not in step.columns:
            problem(
                "group_by",
                msg=f"{step.group_by!r} is not a declared column"
                f"{_suggest(step.group_by, step.columns)}",
            )
        if step.lines and step.group_by:
            problem(
                "group_by",
                msg="a step takes its lines from another source or groups its own rows, not both",
            )
        for id_name, column_name in step.ids.items():
            if column_name not in step.columns:
                problem(
                    "ids",
                    id_name,
                    msg=f"{column_name!r} is not a declared column"
                    f"{_suggest(column_name, step.columns)}",
                )
        if step.ids and step.actions() == {"insert"}:
            problem("ids", msg="ids are for steps that update or delete (action:)")
        if step.batch is not None:
            for loc, msg in _batch_problems(step, mapping):
                problem(*loc, msg=msg)
        lookups = [(("find", name), lookup) for name, lookup in step.find.items()]
        if step.parent and step.parent.lookup:
            lookups.append((("parent", "lookup"), step.parent.lookup))
            if step.parent.lookup.optional:
                problem(
                    "parent",
                    "lookup",
                    "optional",
                    msg="a parent must be found: optional is for find: lookups only",
                )
        for loc, lookup in lookups:
            for field_name, source in lookup.filter.items():
                if source not in step.columns:
                    problem(
                        *loc,
                        "filter",
                        field_name,
                        msg=f"{source!r} is not a declared column{_suggest(source, step.columns)}",
                    )
        for i_check, check in enumerate(step.checks):
            if trouble := _expression_problem(check.expr) or _undeclared(check.expr, step.columns):
                problem("checks", i_check, "expr", msg=trouble)
        if step.when and (
            trouble := _expression_problem(step.when) or _undeclared(step.when, step.columns)
        ):
            problem("when", msg=trouble)
        seen.add(step.name)
    return problems


def _batch_problems(step: Step, mapping: Mapping) -> list[tuple[tuple[str, ...], str]]:
    """``batch:`` needs a target that takes several records per request, and inserts."""
    assert step.batch is not None
    system = targets.spec(mapping.target)
    if system.max_batch < 2:  # (even batch: 1, which would only mislead a reader)
        return [
            (
                ("batch",),
                f"{system.system} takes one record per request: remove batch: (it is for "
                "targets that take several records in one request)",
            )
        ]
    if step.batch > system.max_batch:
        return [(("batch",), f"{system.system} takes at most {system.max_batch} per request")]
    if "insert" not in step.actions() and "upsert" not in step.actions():
        return [(("batch",), "batch: sends inserts only, and this step inserts nothing")]
    return []


_ONLY_FOR = {
    "min": ("integer", "decimal"),
    "max": ("integer", "decimal"),
    "decimal": ("decimal",),
    "thousands": ("decimal",),
    "format": ("date", "phone"),
}


def _column_problems(column: Column, mapping: Mapping) -> list[tuple[tuple[str, ...], str]]:
    problems: list[tuple[tuple[str, ...], str]] = []
    if column.value is not None and column.expr is not None:
        problems.append((("expr",), "a column has either a constant value or an expr, not both"))
    if not column.from_file and column.header is not None:
        problems.append((("header",), "a column with a value or an expr is not read from the file"))
    for option, types in _ONLY_FOR.items():
        if getattr(column, option) is not None and column.type not in types:
            problems.append(
                ((option,), f"only applies to type {' or '.join(types)}, not {column.type}")
            )
    if column.allow_formulas and column.type != "text":
        problems.append((("allow_formulas",), f"only applies to type text, not {column.type}"))
    if column.map_from and column.map_from.source not in mapping.sources:
        source = column.map_from.source
        problems.append(
            (
                ("map_from", "source"),
                f"{source!r} is not a source{_suggest(source, mapping.sources)}",
            )
        )
    if column.map is not None and column.map_from is not None:
        problems.append((("map_from",), "a column has either a map or a map_from, not both"))
    if column.clear_when_empty and (column.required or column.default is not None):
        problems.append(
            (
                ("clear_when_empty",),
                "an empty cell cannot both empty the field and be required or get a default",
            )
        )
    elif column.when_empty != "absent" and (column.required or column.default is not None):
        problems.append(
            (
                ("empty",),
                f"empty: {column.empty} says what an empty cell sends; a required column has "
                "no empty cells, and one with a default gets the default",
            )
        )
    if column.clear_when_empty and column.empty not in (None, "clear"):
        problems.append(
            (
                ("empty",),
                f"clear_when_empty and empty: {column.empty} disagree; keep one "
                "(empty: clear is clear_when_empty)",
            )
        )
    if column.places is not None and column.type != "decimal":
        problems.append((("places",), "places is for a column of type decimal"))
    if column.pattern:
        try:
            matcher(column.pattern)
        except ValueError as exc:
            problems.append((("pattern",), f"'{column.pattern}': {exc}"))
    if column.expr:
        msg = _expression_problem(column.expr)
        if msg:
            problems.append((("expr",), msg))
    return problems


def _expression_problem(expression: str) -> str | None:
    from importer.render import compile_expression

    try:
        compile_expression(expression)
    except MappingError as exc:
        return str(exc)
    return None


def _undeclared(expression: str, known: Iterable[str], *, before: bool = False) -> str | None:
    """A ``row.X`` that names no column (declared before it, for an ``expr``): a typo that
    would otherwise make the expression false, or blank, for every row."""
    from importer.render import expression_columns

    known = list(known)
    try:
        missing = sorted(expression_columns(expression) - set(known))
    except Exception:  # noqa: BLE001 - a syntax error is reported by _expression_problem
        return None
    if not missing:
        return None
    name = missing[0]
    return (
        f"row.{name} is not a column declared{' before this one' if before else ''}"
        f"{_suggest(name, known)}; the expression would see no value for any row"
    )


def error_at(mapping: Mapping, loc: tuple[Any, ...], message: str) -> MappingError:
    """A MappingError at a key path of a loaded mapping, with its line in the file."""
    try:
        node = yaml.compose(mapping.path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):  # the file changed since it was loaded: no line
        node = None
    return MappingError(
        f"{_loc_text(loc)}: {message}" if loc else message,
        file=str(mapping.path),
        line=_line_of(node, loc) if node is not None and loc else None,
    )


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; raise MappingError naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"cannot read mapping file: {exc.strerror}", file=str(path)) from exc
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise MappingError(f"not valid YAML: {problem}", file=str(path), line=line) from exc
    if not isinstance(data, dict):
        raise MappingError("a mapping file must be a YAML mapping (key: value)", file=str(path))
    _refuse_duplicate_keys(node, path)
    try:
        mapping = Mapping.model_validate({**data, "path": path})
    except ValidationError as exc:
        errors = [(err["loc"], _message(err)) for err in exc.errors()]
    else:
        errors = _reference_problems(mapping)
    if errors:
        raise MappingError(
            _describe(errors, node),
            file=str(path),
            line=_line_of(node, errors[0][0]) if len(errors) == 1 else None,
        )
    return mapping


def _refuse_duplicate_keys(node: yaml.Node | None, path: Path) -> None:
    """A key written twice in one mapping: YAML keeps the last in silence, so refuse it."""
    problems = []  # (line of the last one, message)
    for loc, lines in _duplicate_keys(node, ()):
        times = "twice" if len(lines) == 2 else f"{len(lines)} times"
        listed = ", ".join(map(str, lines[:-1])) + f" and {lines[-1]}"
        where = f"in line {lines[0]}" if len(set(lines)) == 1 else f"lines {listed}"
        message = (
            f"{_loc_text(loc)}: appears {times} ({where}); only the last would count. "
            "Keep one of them"
        )
        problems.append((lines[-1], message))
    problems.sort()
    if len(problems) == 1:
        raise MappingError(problems[0][1], file=str(path), line=problems[0][0])
    if problems:
        listed = "\n".join(f"  line {line}: {message}" for line, message in problems)
        raise MappingError(f"{len(problems)} problems:\n{listed}", file=str(path))


def _duplicate_keys(
    node: yaml.Node | None, loc: tuple[Any, ...], seen: set[int] | None = None
) -> Iterator[tuple[tuple[Any, ...], list[int]]]:
    """Each key path written more than once, with the lines (1-based) it is on."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:  # an alias: its node is looked at once
        return
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicate_keys(item, (*loc, i), seen)
    elif isinstance(node, yaml.MappingNode):
        lines: dict[str, list[int]] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                lines.setdefault(key.value, []).append(key.start_mark.line + 1)
            yield from _duplicate_keys(value, (*loc, key.value), seen)
        for name, where in lines.items():
            if len(where) > 1:
                yield (*loc, name), where


def _message(err: Any) -> str:
    """A pydantic error in the words of a mapping author."""
    loc, msg = err["loc"], err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"unknown key{_suggest(str(loc[-1]), _allowed_keys(loc))}"
    if err["type"] == "literal_error" and loc and loc[-1] == "type":
        return f"{err['input']!r} is not a type{_suggest(str(err['input']), COLUMN_TYPES)}"
    if err["type"] == "literal_error":
        return f"{err['input']!r} is not allowed ({msg.removeprefix('Input should be ')})"
    if err["type"] == "missing":
        return "is required but missing"
    return msg


def _describe(errors: list[tuple[tuple[Any, ...], str]], node: yaml.Node | None) -> str:
    if len(errors) == 1:
        loc, msg = errors[0]
        return f"{_loc_text(loc)}: {msg}" if loc else msg
    lines = [f"{len(errors)} problems:"]
    for loc, msg in errors:
        line = _line_of(node, loc)
        lines.append(f"  line {line}: {_loc_text(loc)}: {msg}" if loc else f"  {msg}")
    return "\n".join(lines)


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Keys allowed at the place of an unknown key (for a did-you-mean suggestion)."""
    model: Any = Mapping
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:  # a dict key such as a column name
            continue
        ann = field.annotation
        model = next(
            (
                a
                for a in (getattr(ann, "__args__", None) or (ann,))
                if isinstance(a, type) and issubclass(a, BaseModel)
            ),
            None,
        )
        if model is None and part in ("columns",):
            model = Column
        if model is None and part in ("sources",):
            model = Source
    return list(model.model_fields) if model else []


def _loc_text(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the YAML node at a pydantic error location."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
