"""The mapping model: what to read, how to check it, and which connector each row feeds.

A mapping is plain, frozen data. :mod:`importer.mappingfile` reads it from YAML and checks it
completely. Nothing here reads a spreadsheet or talks to a target.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from importer import targets
from importer.errors import MappingError

# text, integer, decimal, date and boolean; then the Dutch and Belgian checks (importer.checks)
ColumnType = Literal[
    "text", "integer", "decimal", "date", "boolean",
    "iban", "bic", "vat", "kvk", "bsn", "postcode_nl", "postcode", "email", "phone", "country",
    "bank_account_nl",
]  # fmt: skip
COLUMN_TYPES: tuple[str, ...] = get_args(ColumnType)

Locale = Literal["nl", "be", "en"]
PHONE_FORMATS = ("e164", "international", "national")  # e164 (+31201234567) by default
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
    clear_when_empty: bool = Field(
        False,
        description="An empty cell empties the field in an update (nothing else is ever "
        "emptied); an insert leaves it out.",
    )
    empty: Literal["absent", "clear", "empty_text", "null"] | None = Field(
        None,
        description="What an empty cell (or one of spaces only) sends: absent (the default: "
        'the field is left out), clear (as clear_when_empty), empty_text ("") or null.',
    )
    allow_formulas: bool = Field(
        False,
        description="Accept text starting with '=', which Excel would run as a formula "
        "(by default such a row is invalid).",
    )
    min: float | None = None
    max: float | None = None
    format: str | list[str] | None = Field(
        None,
        description="Date format(s) such as %d-%m-%Y, default from the locale; for a phone: "
        "national, international or e164 (the default).",
    )
    country: str | None = Field(
        None,
        description="phone, postcode: the column holding the row's country (else the "
        "locale's country).",
    )
    decimal: Literal[".", ","] | None = Field(None, description="Default from the locale.")
    thousands: Literal[".", ",", " ", "'", ""] | None = Field(
        None, description="Thousands separator; default from the locale, none without one."
    )
    places: int | None = Field(
        None,
        ge=0,
        le=20,
        description="For decimal: exactly this many decimals (12,5 is sent as 12.50); a "
        "value with more is invalid, never rounded. Without it, the digits as typed.",
    )

    @field_validator("format")
    @classmethod
    def _format_known(cls, value: Any, info: Any) -> Any:
        if info.data.get("type") == "phone" and value not in (None, *PHONE_FORMATS):
            raise ValueError(f"a phone's format is one of {', '.join(PHONE_FORMATS)}")
        return value

    @property
    def from_file(self) -> bool:
        return self.value is None and self.expr is None

    @property
    def when_empty(self) -> str:
        """What an empty cell sends: ``absent``, ``clear``, ``empty_text`` or ``null``."""
        return self.empty or ("clear" if self.clear_when_empty else "absent")


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


Action = Literal["insert", "update", "upsert", "delete"]
ACTIONS: tuple[str, ...] = get_args(Action)


class ActionColumn(_Model):
    """A step's action read per row from a column, in the words users write.

    ``values`` adds words (or overrides the built-in ones: insert/nieuw/toevoegen,
    update/wijzig/wijzigen, upsert, delete/verwijder/verwijderen; case and spaces do not
    count); ``default`` is the action of a blank cell (without it, a blank cell is invalid).
    """

    column: str = Field(description="Header of the column holding each row's action.")
    values: dict[str, Action] = Field(default_factory=dict, description="Word: action.")
    default: Action | None = Field(None, description="The action of a blank cell.")


class RowCheck(_Model):
    """A condition every row must meet (a Jinja expression over ``row`` and ``lines``)."""

    expr: str
    message: str


MAX_BATCH = 100  # records per request at most (a target may allow fewer: TargetSpec.max_batch)


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
    action: Action | ActionColumn = Field(
        "insert",
        description="What the step does: insert, update, upsert (update when the record is "
        "found, insert when not) or delete; or, per row, a column's words.",
    )
    ids: dict[str, str] = Field(
        default_factory=dict,
        description="Where a record's ids stand in the sheet, for update, upsert and delete: "
        "id name: column (OrNu: ordernummer).",
    )
    batch: int | None = Field(
        None,
        ge=1,
        le=MAX_BATCH,
        description="Insert up to this many records per request, in one transaction (for "
        "targets that take several); a refused batch is split until the refused rows are found.",
    )

    def actions(self) -> set[str]:
        """The actions the step's rows may ask for."""
        if isinstance(self.action, str):
            return {self.action}
        return set(ACTIONS)

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
    country_codes: dict[str, str] | None = Field(
        None,
        description="The target environment's country codes, by ISO code (NL: NL, BE: B): "
        "added to the target's table, or overriding it, for `type: country` columns.",
    )
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


def json_schema() -> dict[str, Any]:
    """The JSON Schema of mapping files, for editors that complete and check YAML."""
    schema = Mapping.model_json_schema()
    schema["properties"].pop("path", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "importer mapping file"
    return schema
