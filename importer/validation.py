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

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from importer import types
from importer.checks import regional
from importer.checks.countries import CountryCodes
from importer.errors import InputError, MappingError
from importer.mapping import Column, Lines, Step
from importer.messages import Message
from importer.patterns import matcher
from importer.readers import Table
from importer.render import CLEAR, NULL, compile_expression
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
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)  # valid rows, typed
    problems: dict[int, list[Problem]] = field(default_factory=dict)
    values: dict[int, dict[str, Any]] = field(default_factory=dict)  # every row; None if invalid

    @property
    def row_numbers(self) -> list[int]:
        return list(self.table.frame.index)


@dataclass
class _Prepared:
    text: pd.Series  # after cleaning, default and map: what the checks read
    values: pd.Series  # typed values; None where missing or not valid
    reasons: pd.Series  # why a present value is not valid (map, type); None where fine


NOT_AS_SHOWN = frozenset({"integer", "decimal", "date", "boolean"})  # the cell's value


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
    _check_headers(step, table, label)
    columns = {name: types.effective(c, locale) for name, c in step.columns.items()}
    prepared: dict[str, _Prepared] = {}
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
            text = _compute(column, prepared, index)
        country = _country_text(step, table, prepared, column)
        context = regional.context(locale, country_codes, country)
        prepared[name] = _prepare(text, column, (maps or {}).get(name), context)
    data = StepData(step=step, table=table)
    problems = _schema_problems(step, columns, prepared, table.label, unique_key)
    if too_big:  # what the checks said of the blank left in its place does not count
        cells = {(p.row, p.column) for p in too_big}
        kept = [p for p in problems if (p.row, p.column) not in cells]
        problems = _in_order(kept + too_big, step, list(columns))
    for problem in problems:
        data.problems.setdefault(problem.row, []).append(problem)  # type: ignore[arg-type]
    # one dict per row, built from the columns' lists (DataFrame.to_dict("records") boxes
    # every cell through pandas, three times slower)
    names = list(prepared)
    columns_ = [_cells(p.values) for p in prepared.values()]
    numbers = [int(n) for n in index.tolist()]
    rows = zip(*columns_, strict=True)
    data.values = {
        n: dict(zip(names, cells, strict=True)) for n, cells in zip(numbers, rows, strict=True)
    }
    for name, column in step.columns.items():  # what an empty cell sends, if not nothing
        sent = _WHEN_EMPTY.get(column.when_empty)
        if sent is not None:
            for row in data.values.values():
                if row[name] is None:
                    row[name] = sent
    data.rows = {n: row for n, row in data.values.items() if n not in data.problems}
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


def _text_cells(series: pd.Series) -> pd.Series:
    """Which cells hold text (str). Cells read from a file all do: one look at the whole
    column (in C) says so, instead of a call per cell."""
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return series.notna()
    return series.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)


def _check_headers(step: Step | Lines, table: Table, label: str) -> None:
    headers = [step.header_of(n) for n, c in step.columns.items() if c.from_file]
    missing = [h for h in headers if h not in table.columns]
    if not missing:
        return
    raise InputError(
        f"Column {missing[0]!r} not found in {table.label} (step {label}). "
        f"Available columns: {', '.join(table.columns)}"
        + (f". Also missing: {', '.join(map(repr, missing[1:]))}" if missing[1:] else "")
    )


def _compute(column: Column, prepared: dict[str, _Prepared], index: pd.Index) -> pd.Series:
    """An ``expr`` column: the expression evaluated over each row's columns so far."""
    assert column.expr is not None
    function = compile_expression(column.expr)
    frame = pd.DataFrame({name: p.values for name, p in prepared.items()}, index=index)
    results = []
    for row in frame.to_dict("records"):
        try:
            results.append(function(row=row))
        except MappingError:  # the sandbox refused the expression: no fault of the row
            raise
        except Exception:  # a row whose inputs are blank or invalid gives no value
            results.append(None)
    return pd.Series(results, index=index, dtype=object)


def _country_text(
    step: Step | Lines, table: Table, prepared: dict[str, _Prepared], column: Column
) -> pd.Series | None:
    """The text of the column a phone or postcode column takes its row's country from."""
    if column.country is None:
        return None
    if column.country in prepared:
        return prepared[column.country].text
    if column.country in step.columns and step.columns[column.country].from_file:
        return table.frame[step.header_of(column.country)]
    raise MappingError(f"country: {column.country!r} is not a column of the file")


def _prepare(
    raw: pd.Series,
    column: Column,
    sheet_map: dict[str, Any] | None,
    context: regional.Context | None = None,
) -> _Prepared:
    text = raw.astype(object).where(raw.notna(), None)
    if column.collapse_spaces:
        text = _on_text(text, lambda s: pd.Series([_collapsed(v) for v in s], index=s.index))
    if case := column.case:
        text = _on_text(text, lambda s: getattr(s.str, case)())
    if column.default is not None:
        text = text.where(text.notna(), column.default)
    reasons = pd.Series(None, index=text.index, dtype=object)
    value_map = sheet_map if sheet_map is not None else column.map
    if value_map is not None:
        text, reasons = _apply_map(text, column, value_map)
    if column.allowed is not None and column.case_insensitive:
        spelling = {str(a).casefold(): str(a) for a in column.allowed}
        text = text.map(lambda v: spelling.get(str(v).casefold(), v), na_action="ignore")
    # A constant, expression, default or map may give a value in its own type (a number, a
    # date): it is taken as it is. Text is converted to the column's type.
    # (Most columns hold text only and have no map: then nothing is masked or merged, each of
    # which would be another pass over the column.)
    native = text.notna() & ~_text_cells(text)
    convertible = ~native & reasons.isna()
    to_convert = text if convertible.all() else text.where(convertible, None)
    values, type_reasons = types.convert(to_convert, column, context)
    if native.any():
        values = values.where(~native, text)
    if reasons.notna().any():
        type_reasons = reasons.where(reasons.notna(), type_reasons)
    return _Prepared(text, values, type_reasons)


_SPACES = re.compile(r"\s+")


def _collapsed(text: str) -> str:
    """Every run of white space as one space. Text whose words are one space apart already
    (most) is left as it is, without a regex search (which costs twice as much)."""
    return text if " ".join(text.split()) == text else _SPACES.sub(" ", text)


def _on_text(series: pd.Series, change: Callable[[pd.Series], pd.Series]) -> pd.Series:
    strings = _text_cells(series)
    if not strings.any():
        return series
    out = series.copy()
    out[strings] = change(series[strings].astype(str))
    return out


def _apply_map(
    text: pd.Series, column: Column, value_map: dict[str, Any]
) -> tuple[pd.Series, pd.Series]:
    fold: Callable[[Any], str] = (
        (lambda v: str(v).casefold()) if column.case_insensitive else (lambda v: str(v))
    )
    table = {fold(k): v for k, v in value_map.items()}
    keys = text.map(fold, na_action="ignore")
    known = keys.isin(list(table)) & text.notna()
    mapped = keys.map(lambda k: table.get(k), na_action="ignore").astype(object)
    reasons = pd.Series(None, index=text.index, dtype=object)
    unknown = text.notna() & ~known
    if column.unmapped == "keep":
        return mapped.where(known, text), reasons
    listed = ", ".join(map(str, list(value_map)[:10])) + (", ..." if len(value_map) > 10 else "")
    reasons[unknown] = [Message("value.not_in_map", value=v, known=listed) for v in text[unknown]]
    return mapped.where(known, text), reasons  # the old value stays, marked by its reason


_FIXED = {"not_nullable": Message("value.required")}


def _schema_problems(
    step: Step | Lines,
    columns: dict[str, Column],
    prepared: dict[str, _Prepared],
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
    name: str, column: Column, prepared: _Prepared, step: Step | Lines, unique_key: bool
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
    return text.where(_text_cells(text), "").str.startswith("=").astype(bool)


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
