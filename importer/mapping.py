"""The mapping model: what to read, how to check it, and which connector each row feeds.

A mapping is plain, frozen data parsed from YAML. Loading checks it completely (unknown keys,
types, references between steps) and reports each problem with the file, the line and the key
path. Nothing here reads a spreadsheet or talks to a target.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from importer import targets
from importer.errors import MappingError
from importer.patterns import matcher

# text, integer, decimal, date and boolean; then the Dutch and Belgian checks (importer.checks)
ColumnType = Literal[
    "text", "integer", "decimal", "date", "boolean",
    "iban", "bic", "vat", "kvk", "bsn", "postcode_nl", "email", "phone", "country",
    "bank_account_nl",
]  # fmt: skip
COLUMN_TYPES: tuple[str, ...] = get_args(ColumnType)

Locale = Literal["nl", "be", "en"]
LOCALES: dict[str, dict[str, str]] = {
    # delimiter, decimal and thousands separators, and date format of a typical export
    "nl": {"delimiter": ";", "decimal": ",", "thousands": ".", "format": "%d-%m-%Y"},
    "be": {"delimiter": ";", "decimal": ",", "thousands": ".", "format": "%d/%m/%Y"},
    "en": {"delimiter": ",", "decimal": ".", "thousands": ",", "format": "%Y-%m-%d"},
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SheetMap(_Model):
    """A value map read from a source: old values in one column, new values in another."""

    source: str
    old: str = Field(description="Header of the column holding the old values.")
    new: str = Field(description="Header of the column holding the new values.")


class Column(_Model):
    """One declared column: where its value comes from, how it is cleaned, typed and checked.

    A value comes from the file (``header``, by default the column's name), or is a constant
    (``value``), or is computed from the row's other columns (``expr``, a Jinja expression
    such as ``row.voornaam ~ ' ' ~ row.achternaam``). Then, in this order: ``collapse_spaces``
    and ``case``; ``default`` for a blank cell; ``map`` (old value to new value); ``allowed``;
    conversion to ``type``; the checks.
    """

    header: str | None = Field(None, description="Header in the file; defaults to the name.")
    value: Any = Field(None, description="A constant: the same value for every row.")
    expr: str | None = Field(None, description="A Jinja expression over the row's columns.")
    type: ColumnType = "text"
    required: bool = False
    unique: bool = False
    default: Any = Field(None, description="Used when the cell is blank.")
    collapse_spaces: bool = Field(False, description="Runs of spaces become one space.")
    case: Literal["upper", "lower", "title"] | None = None
    map: dict[str, Any] | None = Field(None, description="Old value: new value.")
    map_from: SheetMap | None = Field(None, description="A value map read from a source.")
    unmapped: Literal["error", "keep"] = Field("error", description="A value not in the map.")
    max_length: int | None = Field(None, ge=1)
    allowed: list[Any] | None = Field(None, description="The only values accepted.")
    case_insensitive: bool = Field(False, description="For allowed and map: ignore case.")
    pattern: str | None = Field(
        None, description="Regular expression (RE2 syntax) the whole value matches."
    )
    allow_formulas: bool = Field(
        False,
        description="Accept text starting with '=', which Excel would run as a formula "
        "(by default such a row is invalid).",
    )
    min: float | None = None
    max: float | None = None
    format: str | list[str] | None = Field(
        None, description="Date format(s) such as %d-%m-%Y; default from the locale."
    )
    decimal: Literal[".", ","] | None = Field(None, description="Default from the locale.")
    thousands: Literal[".", ",", " ", "'", ""] | None = Field(
        None, description="Thousands separator; default from the locale, none without one."
    )

    @property
    def from_file(self) -> bool:
        return self.value is None and self.expr is None


class Source(_Model):
    """A spreadsheet file (CSV or xlsx) and, for xlsx, its sheet."""

    file: Path
    sheet: str | None = None
    locale: Locale | None = Field(
        None, description="nl: ';', decimal comma, dd-mm-yyyy; be: dd/mm/yyyy; en: ',' and '.'."
    )
    encoding: str | None = Field(None, description="utf-8, utf-8-sig or cp1252; detected if empty.")
    delimiter: str | None = Field(None, description="';', ',' or tab; detected if empty.")

    @property
    def declared_delimiter(self) -> str | None:
        return self.delimiter or (LOCALES[self.locale]["delimiter"] if self.locale else None)


class Lookup(_Model):
    """A record to find in the target for each row, by a read connector and a filter.

    A row whose lookup finds no record fails, unless the lookup is ``optional``: then the
    template's ``find.NAME`` is empty and the row goes on (to create what was not found).
    Several records found fail the row either way.
    """

    connector: str = Field(description="The target's read connector (endpoint) to look in.")
    filter: dict[str, str] = Field(min_length=1, description="Field: this row's column.")
    ids: dict[str, str] = Field(min_length=1, description="Id name: field of the found record.")
    optional: bool = Field(
        False,
        description="None found: find.NAME is empty and the row goes on (else it fails). "
        "For find: lookups only.",
    )


class Parent(_Model):
    """Links each row of a step to the row of an earlier step with the same key.

    With ``lookup``, a key that matches no row of this run is looked up in the target instead
    (an existing debtor for an order), and the found ids serve as the parent's.
    """

    step: str
    key: str = Field(description="Column of this step holding the parent step's key value.")
    lookup: Lookup | None = None


class Match(_Model):
    """How to look a row's record up in the target before inserting it.

    ``filter`` maps the lookup's fields to this row's columns (``DebtorId: klantnummer``) or
    to the parent's ids (``DebtorId: parent.DbId``); every field must equal. ``ids`` says
    which ids to take from a found record (``DbId: DebtorId``).
    """

    connector: str = Field(description="The target's read connector (endpoint) to look in.")
    filter: dict[str, str] = Field(min_length=1)
    ids: dict[str, str] = Field(default_factory=dict)
    on_found: Literal["link", "skip", "update", "fail"] = "link"

    def parent_ids(self) -> list[str]:
        """The parent ids the filter needs (``parent.DbId`` gives ``DbId``)."""
        return [v.removeprefix("parent.") for v in self.filter.values() if v.startswith("parent.")]


class Lines(_Model):
    """Rows of another source that belong to this step's rows (order lines, contacts)."""

    source: str
    key: str = Field(description="Declared line column holding this step's key value.")
    columns: dict[str, Column]

    def header_of(self, name: str) -> str:
        return self.columns[name].header or name


class RowCheck(_Model):
    """A condition every row must meet (a Jinja expression over ``row`` and ``lines``)."""

    expr: str
    message: str


class Step(_Model):
    """One connector fed by one source: one request per valid row (or group of rows)."""

    name: str = Field(pattern=r"^[^\[\]:*?/\\]{1,31}$")
    source: str
    connector: str
    template: str
    key: str
    columns: dict[str, Column]
    keep: list[str] = Field(default_factory=list)
    parent: Parent | None = None
    when: str | None = Field(
        None, description="A Jinja expression: only rows for which it is true are sent."
    )
    match: Match | None = Field(None, description="Look the record up before inserting it.")
    find: dict[str, Lookup] = Field(
        default_factory=dict, description="Records to find per row; templates read find.NAME."
    )
    lines: Lines | None = Field(None, description="Rows of another source belonging to a row.")
    group_by: str | None = Field(
        None, description="Consecutive rows with the same value of this column form one record."
    )
    checks: list[RowCheck] = Field(default_factory=list)
    on_change: Literal["report", "update"] = Field(
        "report", description="A row whose values changed since it was created: update it?"
    )

    def header_of(self, name: str) -> str:
        return self.columns[name].header or name


def _target_names() -> Any:
    """The registered targets, when the JSON schema is made (its ``enum`` of ``target``)."""
    return targets.names()


class Mapping(_Model):
    """A whole mapping file. ``path`` is where it was loaded from."""

    version: Literal[1] = 1
    target: str = Field(
        targets.DEFAULT,
        description="The system written to: one of the registered targets.",
        json_schema_extra=lambda schema: schema.update(enum=_target_names()),
    )
    description: str | None = None
    language: Literal["en", "nl"] = Field(
        "en", description="Language of the result workbook (en or nl); --lang overrides it."
    )
    templates: Path = Path("../templates")
    sources: dict[str, Source]
    steps: list[Step] = Field(min_length=1)
    path: Path = Field(Path("mapping.yaml"), exclude=True)

    @field_validator("target")
    @classmethod
    def _known_target(cls, value: str) -> str:
        if value not in targets.names():
            raise ValueError(
                f"{value!r} is not a target; expected one of: {', '.join(targets.names())}"
            )
        return value

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def template_folder(self) -> Path:
        return (self.folder / self.templates).resolve()

    def source_path(self, name: str) -> Path:
        return (self.folder / self.sources[name].file).resolve()

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    def with_inputs(self, inputs: dict[str, Path]) -> Mapping:
        """Point sources at other files (``--input``); paths stay as given (cwd-relative)."""
        unknown = set(inputs) - set(self.sources)
        if unknown:
            raise MappingError(
                f"--input names unknown source {sorted(unknown)[0]!r}; "
                f"sources: {', '.join(self.sources)}",
                file=str(self.path),
            )
        sources = {
            name: src.model_copy(update={"file": inputs[name].resolve()}) if name in inputs else src
            for name, src in self.sources.items()
        }
        return self.model_copy(update={"sources": sources})


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


_ONLY_FOR = {
    "min": ("integer", "decimal"),
    "max": ("integer", "decimal"),
    "decimal": ("decimal",),
    "thousands": ("decimal",),
    "format": ("date",),
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


def expressions(mapping: Mapping) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every expression of a mapping (``when``, ``checks``, a column's ``expr``), with its
    key path."""
    for i, step in enumerate(mapping.steps):
        for name, column in step.columns.items():
            if column.expr:
                yield ("steps", i, "columns", name, "expr"), column.expr
        for name, column in (step.lines.columns if step.lines else {}).items():
            if column.expr:
                yield ("steps", i, "lines", "columns", name, "expr"), column.expr
        for j, check in enumerate(step.checks):
            yield ("steps", i, "checks", j, "expr"), check.expr
        if step.when:
            yield ("steps", i, "when"), step.when


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


def json_schema() -> dict[str, Any]:
    """The JSON Schema of mapping files, for editors that complete and check YAML."""
    schema = Mapping.model_json_schema()
    schema["properties"].pop("path", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "importer mapping file"
    return schema


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
