"""Validate one step's sheet with a pandera schema built from the mapping.

Each declared column goes through one pipeline: its text (from the file, a constant, or an
expression over the row) is cleaned (``collapse_spaces``, ``case``), blanks get the
``default``, the value ``map`` is applied, ``allowed`` spellings are normalised, and the text
is converted to the column's type. A pandera schema then checks every column lazily —
required, unique (on the normalised values, so two spellings of one KvK number are caught),
valid for the type, length, allowed values, pattern, bounds, no text that Excel would run as a
formula (unless ``allow_formulas``) — so every problem in every row is reported, not just the
first. A row with a problem is invalid and never sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from importer import types
from importer.checks import regional
from importer.checks.countries import CountryCodes
from importer.cleaning import (
    NOT_AS_SHOWN,
    Prepared,
    check_headers,
    compute_column,
    country_text,
    prepare_column,
    text_cells,
)
from importer.mapping import Column, Lines, Step
from importer.messages import Message
from importer.patterns import matcher
from importer.readers import Table
from importer.render import CLEAR, NULL
from importer.rows import Rows
from importer.templating import MAX_SIZE

MAX_CELL = MAX_SIZE
"""Characters of one cell, at most: a longer one makes its row invalid before anything reads
it (a value that long is no field's, and no template may make one either)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell, row or body, in words a user can act on."""

    source: str
    row: int | None
    column: str | None
    value: Any
    message: Message

    def located(self) -> Message:
        """The message with where it is: ``klanten.csv, row 4, column 'Naam': ...``."""
        return Message(
            "problem.at",
            source=self.source,
            row=Message("where.row", row=self.row) if self.row is not None else "",
            column=Message("where.column", column=self.column) if self.column else "",
            message=self.message,
        )

    def __str__(self) -> str:
        return str(self.located())


@dataclass
class StepData:
    """A step's rows after validation: typed values of valid rows, problems of the others."""

    step: Step | Lines
    table: Table
    rows: Mapping[int, dict[str, Any]] = field(default_factory=dict)  # valid rows, typed
    problems: dict[int, list[Problem]] = field(default_factory=dict)
    # every row; a value is None where invalid (both are Rows: dicts made when asked for)
    values: Mapping[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def row_numbers(self) -> list[int]:
        return list(self.table.frame.index)


def validate_step(
    step: Step | Lines,
    table: Table,
    *,
    locale: str | None = None,
    maps: dict[str, dict[str, Any]] | None = None,
    name: str | None = None,
    unique_key: bool = True,
    country_codes: CountryCodes | None = None,
) -> StepData:
    """Check a step's (or its lines') declared columns; raise InputError if one is missing.

    ``maps`` holds the value maps read from other sheets, by column name. The key column is
    required, and unique unless ``unique_key`` is false (lines, grouped rows). A ``country``
    column is written in ``country_codes`` (the target's), ISO codes without.
    """
    label = name or str(getattr(step, "name", "lines"))
    check_headers(step, table, label)
    columns = {name: types.effective(c, locale) for name, c in step.columns.items()}
    prepared: dict[str, Prepared] = {}
    index = table.frame.index
    too_big: list[Problem] = []
    for name, column in columns.items():
        if column.from_file:
            header = step.header_of(name)
            text = table.frame[header]
            if column.type not in NOT_AS_SHOWN:  # text, codes, keys: as Excel displays them
                text = table.displayed(header)
            big = _oversized(text)
            if big:  # the row is invalid for it; nothing reads the cell (it is blank here)
                too_big += [
                    Problem(table.label, n, header, text.at[n], _too_big(len(text.at[n])))
                    for n in big
                ]
                text = text.where(~text.index.isin(big), None)
        elif column.value is not None:
            text = pd.Series(column.value, index=index, dtype=object)
        else:
            text = compute_column(column, prepared, index)
        country = country_text(step, table, prepared, column)
        context = regional.context(locale, country_codes, country)
        prepared[name] = prepare_column(text, column, (maps or {}).get(name), context)
    data = StepData(step=step, table=table)
    problems = _schema_problems(step, columns, prepared, table.label, unique_key)
    if too_big:  # what the checks said of the blank left in its place does not count
        cells = {(p.row, p.column) for p in too_big}
        kept = [p for p in problems if (p.row, p.column) not in cells]
        problems = _in_order(kept + too_big, step, list(columns))
    for problem in problems:
        data.problems.setdefault(problem.row, []).append(problem)  # type: ignore[arg-type]
    names = list(prepared)
    columns_ = [_cells(p.values) for p in prepared.values()]
    for i, name in enumerate(names):  # what an empty cell sends, if not nothing
        sent = _WHEN_EMPTY.get(step.columns[name].when_empty) if name in step.columns else None
        if sent is not None:
            columns_[i] = [sent if v is None else v for v in columns_[i]]
    numbers = [int(n) for n in index.tolist()]
    data.values = Rows(names, columns_, numbers)
    data.rows = data.values.without(frozenset(data.problems))  # as they are now
    return data


# what an empty cell (or one of spaces only: cells are trimmed) sends; absent: nothing
_WHEN_EMPTY: dict[str, Any] = {"clear": CLEAR, "empty_text": "", "null": NULL}


def _oversized(text: pd.Series) -> list[int]:
    """The rows whose cell holds more than :data:`MAX_CELL` characters (one look at the
    longest cell first: almost always none does)."""
    cells = text.to_numpy(dtype=object)
    if max(map(len, filter(_is_text, cells)), default=0) <= MAX_CELL:
        return []
    return [
        int(n) for n, v in zip(text.index, cells, strict=True) if _is_text(v) and len(v) > MAX_CELL
    ]


def _is_text(value: Any) -> bool:
    return value.__class__ is str


def _too_big(length: int) -> Message:
    return Message("value.too_big", length=length, limit=MAX_CELL)


def _blank(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and value != value)


def _cells(values: pd.Series) -> list[Any]:
    """A column's values as a list, None where blank.

    ``pd.isna`` finds every blank cell (and a few more kinds of missing value) in one pass;
    only the cells it finds are asked ``_blank``, not all of them (a call per cell).
    """
    cells = values.to_numpy(dtype=object, copy=True)
    for i in np.flatnonzero(pd.isna(cells)):
        if _blank(cells[i]):
            cells[i] = None
    return cells.tolist()


_FIXED = {"not_nullable": Message("value.required")}


def _schema_problems(
    step: Step | Lines,
    columns: dict[str, Column],
    prepared: dict[str, Prepared],
    label: str,
    unique_key: bool,
) -> list[Problem]:
    messages: dict[tuple[str, str], Callable[[int, Any], Message]] = {}
    schema_columns = {}
    for name, column in columns.items():
        checks = []
        for key, check, explain in _checks(name, column, prepared[name], step, unique_key):
            messages[(name, key)] = explain
            checks.append(pa.Check(check, error=key, ignore_na=True))
        required = column.required or name == step.key
        schema_columns[name] = pa.Column(None, nullable=not required, checks=checks)
    frame = pd.DataFrame({name: p.text for name, p in prepared.items()})
    try:
        pa.DataFrameSchema(schema_columns).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    order = list(columns)
    problems = []
    for case in cases.itertuples(index=False):
        name, row = case.column, case.index
        if row is None or pd.isna(row):
            continue  # a whole-column failure is reported per row as well
        value = frame.at[row, name]
        explained = messages.get((name, case.check))
        message = _FIXED.get(case.check) or (
            explained(row, value) if explained is not None else Message("text", text=case.check)
        )
        header = step.header_of(name) if columns[name].from_file else name
        problems.append(Problem(label, int(row), header, value, message))
    return _in_order(problems, step, order)


def _in_order(problems: list[Problem], step: Step | Lines, order: list[str]) -> list[Problem]:
    """Problems by row, and within a row in the order of the mapping's columns."""
    return sorted(
        problems,
        key=lambda p: (
            p.row or 0,
            next(
                (i for i, n in enumerate(order) if step.header_of(n) == p.column or n == p.column),
                0,
            ),
        ),
    )


Checks = list[tuple[str, Callable[[pd.Series], Any], Callable[[int, Any], Message]]]


def _checks(
    name: str, column: Column, prepared: Prepared, step: Step | Lines, unique_key: bool
) -> Checks:
    """(key, vectorised check, message for a failing row and value) per declared check."""
    reasons, values = prepared.reasons, prepared.values
    checks: Checks = [
        ("value", lambda s: reasons.reindex(s.index).isna(), lambda row, v: reasons.at[row]),
    ]
    if column.unique or (unique_key and name == step.key):
        checks.append(
            (
                "unique",
                lambda s: _unique(values).reindex(s.index),
                _duplicate_messages(values),
            )
        )
    formulas = _formulas(prepared.text) if column.type == "text" else None
    if formulas is not None and formulas.any() and not column.allow_formulas:
        checks.append(
            (
                "formula",
                lambda s: ~formulas.reindex(s.index),
                lambda row, v: Message("value.formula", value=v[:60], column=name),
            )
        )
    if column.max_length:
        n = column.max_length
        checks.append(
            (
                "max_length",
                lambda s: s.astype(str).str.len() <= n,
                lambda row, v: Message("value.too_long", length=len(str(v)), limit=n),
            )
        )
    if column.allowed is not None:
        allowed = [str(a) for a in column.allowed]
        checks.append(
            (
                "allowed",
                lambda s: s.astype(str).isin(allowed),
                lambda row, v: Message("value.not_allowed", value=v, allowed=", ".join(allowed)),
            )
        )
    if column.pattern:
        pattern = column.pattern
        checks.append(
            (
                "pattern",
                lambda s: _matches(s, pattern),
                lambda row, v: Message("value.pattern", value=v, pattern=pattern),
            )
        )
    for bound, key in ((column.min, "min"), (column.max, "max")):
        if bound is not None:
            checks.append((key, *_bound_check(values, bound, key)))
    return checks


def _bound_check(
    values: pd.Series, bound: float, key: str
) -> tuple[Callable[[pd.Series], pd.Series], Callable[[int, Any], Message]]:
    """The check and message of ``min`` or ``max`` (a function, so each binds its own bound)."""
    code = "value.below_min" if key == "min" else "value.above_max"
    return (
        lambda s: _within(values, bound, key).reindex(s.index),
        lambda row, v: Message(code, value=v, bound=bound),
    )


def _formulas(text: pd.Series) -> pd.Series:
    """Which values Excel would run as a formula: text starting with '=' (cells are trimmed).

    Only '=': a leading '+', '-' or '@' starts a formula too when typed into Excel, but here
    they begin phone numbers (+31 20 ...), negative amounts and handles, which are data.
    """
    return text.where(text_cells(text), "").str.startswith("=").astype(bool)


def _unique(values: pd.Series) -> pd.Series:
    present = values.notna()
    keys = values.map(str, na_action="ignore")
    return ~(keys.duplicated(keep=False) & present)


def _duplicate_messages(values: pd.Series) -> Callable[[int, Any], Message]:
    """The message for a duplicate value. The rows holding each value are found once per
    column, not once per duplicate row (which is quadratic in a file with many)."""
    rows_of: dict[str, list[Any]] = {}

    def message(row: int, value: Any) -> Message:
        if not rows_of:
            keys = values.map(str, na_action="ignore")
            for n, key in keys[keys.duplicated(keep=False) & values.notna()].items():
                rows_of.setdefault(key, []).append(n)
        shown = values.at[row]
        others = ", ".join(str(n) for n in rows_of.get(str(shown), ()) if n != row)
        if str(shown) != str(value):
            return Message("value.duplicate_as", value=value, shown=shown, rows=others)
        return Message("value.duplicate", value=value, rows=others)

    return message


def _matches(series: pd.Series, pattern: str) -> pd.Series:
    """Which values match ``pattern`` as a whole (False where missing); each distinct text is
    matched once."""
    codes, distinct = pd.factorize(series.astype(str))
    match = matcher(pattern)  # RE2: no pattern can hang the run
    # one more False at the end, for the code -1 of a missing value
    found = np.array([match(v) for v in distinct] + [False], dtype=bool)
    return pd.Series(found[codes], index=series.index)


def _within(values: pd.Series, bound: float, key: str) -> pd.Series:
    def ok(v: Any) -> bool:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return True  # the type check reports it
        return float(v) >= bound if key == "min" else float(v) <= bound

    # each distinct value once (equal values are equal numbers); missing ones one by one, as
    # pandas counts more kinds of value missing than ``ok`` does
    codes, distinct = pd.factorize(values)
    within = np.array([ok(v) for v in distinct] + [True], dtype=bool)[codes]  # -1: last
    for i in np.flatnonzero(codes < 0):
        within[i] = ok(values.iat[i])
    return pd.Series(within, index=values.index)
