"""Each declared column made ready to check: read from the file (or a constant, or computed
from the row's earlier columns), cleaned (spaces, case), defaulted, mapped and converted to its
type, with the reason for every value that could not be (see :mod:`importer.validation`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from importer import types
from importer.checks import regional
from importer.errors import InputError, MappingError
from importer.mapping import Column, Lines, Step
from importer.messages import Message
from importer.readers import Table
from importer.render import compile_expression


@dataclass
class Prepared:
    text: pd.Series  # after cleaning, default and map: what the checks read
    values: pd.Series  # typed values; None where missing or not valid
    reasons: pd.Series  # why a present value is not valid (map, type); None where fine


NOT_AS_SHOWN = frozenset({"integer", "decimal", "date", "boolean"})  # the cell's value


def text_cells(series: pd.Series) -> pd.Series:
    """Which cells hold text (str). Cells read from a file all do: one look at the whole
    column (in C) says so, instead of a call per cell."""
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return series.notna()
    return series.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)


def check_headers(step: Step | Lines, table: Table, label: str) -> None:
    headers = [step.header_of(n) for n, c in step.columns.items() if c.from_file]
    missing = [h for h in headers if h not in table.columns]
    if not missing:
        return
    raise InputError(
        f"Column {missing[0]!r} not found in {table.label} (step {label}). "
        f"Available columns: {', '.join(table.columns)}"
        + (f". Also missing: {', '.join(map(repr, missing[1:]))}" if missing[1:] else "")
    )


def compute_column(column: Column, prepared: dict[str, Prepared], index: pd.Index) -> pd.Series:
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


def country_text(
    step: Step | Lines, table: Table, prepared: dict[str, Prepared], column: Column
) -> pd.Series | None:
    """The text of the column a phone or postcode column takes its row's country from."""
    if column.country is None:
        return None
    if column.country in prepared:
        return prepared[column.country].text
    if column.country in step.columns and step.columns[column.country].from_file:
        return table.frame[step.header_of(column.country)]
    raise MappingError(f"country: {column.country!r} is not a column of the file")


def prepare_column(
    raw: pd.Series,
    column: Column,
    sheet_map: dict[str, Any] | None,
    context: regional.Context | None = None,
) -> Prepared:
    text = raw.astype(object).where(raw.notna(), None)
    if column.collapse_spaces:
        text = _on_text(text, lambda s: pd.Series([collapsed(v) for v in s], index=s.index))
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
    native = text.notna() & ~text_cells(text)
    convertible = ~native & reasons.isna()
    to_convert = text if convertible.all() else text.where(convertible, None)
    values, type_reasons = types.convert(to_convert, column, context)
    if native.any():
        values = values.where(~native, text)
    if reasons.notna().any():
        type_reasons = reasons.where(reasons.notna(), type_reasons)
    return Prepared(text, values, type_reasons)


_SPACES = re.compile(r"\s+")


def collapsed(text: str) -> str:
    """Every run of white space as one space. Text whose words are one space apart already
    (most) is left as it is, without a regex search (which costs twice as much)."""
    return text if " ".join(text.split()) == text else _SPACES.sub(" ", text)


def _on_text(series: pd.Series, change: Callable[[pd.Series], pd.Series]) -> pd.Series:
    strings = text_cells(series)
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
