"""Validate one step's sheet with a pandera schema built from the mapping.

Validation is lazy: every problem in every row is collected, not just the first. A row with
a problem is invalid and never sent; the other rows are converted to their declared types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa

from importer import types
from importer.errors import InputError
from importer.mapping import Column, Step
from importer.readers import Table


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell, row or body, in words a user can act on."""

    source: str
    row: int | None
    column: str | None
    value: Any
    message: str

    def __str__(self) -> str:
        where = [self.source]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


@dataclass
class StepData:
    """A step's rows after validation: typed values of valid rows, problems of the others."""

    step: Step
    table: Table
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    problems: dict[int, list[Problem]] = field(default_factory=dict)

    @property
    def row_numbers(self) -> list[int]:
        return list(self.table.frame.index)


def validate_step(step: Step, table: Table) -> StepData:
    """Check a step's declared columns in a table; raise InputError if a column is missing."""
    headers = {name: step.header_of(name) for name in step.columns}
    missing = [h for h in headers.values() if h not in table.columns]
    if missing:
        raise InputError(
            f"Column {missing[0]!r} not found in {table.label} (step {step.name}). "
            f"Available columns: {', '.join(table.columns)}"
            + (f". Also missing: {', '.join(map(repr, missing[1:]))}" if missing[1:] else "")
        )
    text = table.frame[list(headers.values())].set_axis(list(headers), axis=1)
    data = StepData(step=step, table=table)
    for problem in _schema_problems(step, text, table.label):
        data.problems.setdefault(problem.row, []).append(problem)  # type: ignore[arg-type]
    valid = text.loc[~text.index.isin(list(data.problems))]
    typed = pd.DataFrame(
        {name: types.convert(valid[name], column) for name, column in step.columns.items()},
        index=valid.index,
    )
    data.rows = {int(n): row for n, row in zip(typed.index, typed.to_dict("records"), strict=True)}
    return data


def _schema_problems(step: Step, text: pd.DataFrame, label: str) -> list[Problem]:
    messages: dict[tuple[str, str], Callable[[Any], str]] = {}
    schema_columns = {}
    for name, column in step.columns.items():
        checks = []
        for key, check, explain in _checks(column):
            messages[(name, key)] = explain
            checks.append(pa.Check(check, error=key, ignore_na=True))
        required = column.required or name == step.key
        schema_columns[name] = pa.Column(
            None, nullable=not required, unique=column.unique or name == step.key, checks=checks
        )
    try:
        pa.DataFrameSchema(schema_columns).validate(text, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    problems = []
    for case in cases.itertuples(index=False):
        name, row = case.column, case.index
        if row is None or pd.isna(row):
            continue  # a whole-column failure is reported per row as well
        value = text.at[row, name]
        if case.check == "not_nullable":
            message = "is empty; a value is required"
        elif case.check == "field_uniqueness":
            others = text.index[(text[name] == value) & (text.index != row)]
            message = (
                f"{value!r} appears more than once (also in row "
                f"{', '.join(map(str, others))}); each value must be unique"
            )
        else:
            message = messages[(name, case.check)](value)
        problems.append(Problem(label, int(row), step.header_of(name), value, message))
    return sorted(problems, key=lambda p: (p.row or 0, list(step.columns).index(_name(step, p))))


def _name(step: Step, problem: Problem) -> str:
    return next(n for n in step.columns if step.header_of(n) == problem.column)


def _checks(column: Column) -> list[tuple[str, Callable[[pd.Series], Any], Callable[[Any], str]]]:
    """(key, vectorised check over text, message for a failing value) per declared check."""
    checks: list[tuple[str, Callable[[pd.Series], Any], Callable[[Any], str]]] = []
    if column.type != "text":
        checks.append(
            (
                "type",
                lambda s: types.convert(s, column).notna(),
                lambda v: f"{v!r} is not {types.describe(column)}",
            )
        )
    if column.max_length:
        n = column.max_length
        checks.append(
            (
                "max_length",
                lambda s: s.str.len() <= n,
                lambda v: f"is {len(v)} characters long; at most {n} allowed",
            )
        )
    if column.allowed is not None:
        allowed = column.allowed
        checks.append(
            (
                "allowed",
                lambda s: s.isin(allowed),
                lambda v: f"{v!r} is not one of the allowed values: {', '.join(allowed)}",
            )
        )
    if column.pattern:
        pattern = column.pattern
        checks.append(
            (
                "pattern",
                lambda s: s.str.fullmatch(pattern).fillna(False).astype(bool),
                lambda v: f"{v!r} does not have the expected form ({pattern})",
            )
        )
    for bound, key in ((column.min, "min"), (column.max, "max")):
        if bound is None:
            continue
        checks.append(
            (
                key,
                lambda s, b=bound, k=key: _within(types.convert(s, column), b, k),
                lambda v, b=bound, k=key: (
                    f"{v} is {'below the minimum' if k == 'min' else 'above the maximum'} {b:g}"
                ),
            )
        )
    return checks


def _within(values: pd.Series, bound: float, key: str) -> pd.Series:
    def ok(v: Any) -> bool:
        if v is None:
            return True  # the type check reports it
        return float(v) >= bound if key == "min" else float(v) <= bound

    return values.map(ok).astype(bool)
