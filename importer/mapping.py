"""The mapping model: what to read, how to check it, and which connector each row feeds.

A mapping is plain, frozen data parsed from YAML. Loading checks it completely (unknown keys,
types, references between steps) and reports each problem with the file, the line and the key
path. Nothing here reads a spreadsheet or talks to a target.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from importer.errors import MappingError

ColumnType = Literal["text", "integer", "decimal", "date", "boolean"]
COLUMN_TYPES: tuple[str, ...] = ColumnType.__args__  # type: ignore[attr-defined]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Model):
    """One declared spreadsheet column: its header, type and checks."""

    header: str | None = Field(None, description="Header in the file; defaults to the name.")
    type: ColumnType = "text"
    required: bool = False
    unique: bool = False
    max_length: int | None = Field(None, ge=1)
    allowed: list[str] | None = Field(None, description="The only values accepted.")
    pattern: str | None = Field(None, description="Regular expression the whole value matches.")
    min: float | None = None
    max: float | None = None
    format: str | None = Field(None, description="Date format such as %d-%m-%Y.")
    decimal: Literal[".", ","] = "."


class Source(_Model):
    """A spreadsheet file (CSV or xlsx) and, for xlsx, its sheet."""

    file: Path
    sheet: str | None = None
    encoding: str | None = Field(None, description="utf-8, utf-8-sig or cp1252; detected if empty.")
    delimiter: str | None = Field(None, description="';', ',' or tab; detected if empty.")


class Parent(_Model):
    """Links each row of a step to the row of an earlier step with the same key."""

    step: str
    key: str = Field(description="Column of this step holding the parent step's key value.")


class Step(_Model):
    """One connector fed by one source: one request per valid row."""

    name: str = Field(pattern=r"^[^\[\]:*?/\\]{1,31}$")
    source: str
    connector: str
    template: str
    key: str
    columns: dict[str, Column]
    keep: list[str] = Field(default_factory=list)
    parent: Parent | None = None

    def header_of(self, name: str) -> str:
        return self.columns[name].header or name


class Mapping(_Model):
    """A whole mapping file. ``path`` is where it was loaded from."""

    version: Literal[1] = 1
    target: Literal["afas"] = "afas"
    description: str | None = None
    templates: Path = Path("../templates")
    sources: dict[str, Source]
    steps: list[Step] = Field(min_length=1)
    path: Path = Field(Path("mapping.yaml"), exclude=True)

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
        seen.add(step.name)
    return problems


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
