"""Column types: vectorised conversion of text cells to typed values.

Each converter takes a Series of text (missing cells are None/NaN) and returns a Series of
the same index holding the typed value, or None where the text is not a valid value of the
type. :func:`describe` says in plain words what a type expects, for error messages.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandas as pd

from importer.mapping import Column

TRUE_WORDS = frozenset({"ja", "j", "yes", "y", "true", "waar", "1", "x"})
FALSE_WORDS = frozenset({"nee", "n", "no", "false", "onwaar", "0"})
ISO_DATE = "%Y-%m-%d"


def convert(text: pd.Series, column: Column) -> pd.Series:
    """Typed values of a text Series; None where missing or not valid for the type."""
    present = text.notna()
    if not present.any():
        return pd.Series(None, index=text.index, dtype=object)
    converted = _CONVERTERS[column.type](text[present].astype(str), column)
    return converted.reindex(text.index).astype(object).where(lambda s: s.notna(), None)


def describe(column: Column) -> str:
    """What a valid value of this column's type looks like."""
    if column.type == "integer":
        return "a whole number such as 42"
    if column.type == "decimal":
        if column.decimal == ",":
            return "a number with a decimal comma, such as 1234,56"
        return "a number with a decimal point, such as 1234.56"
    if column.type == "date":
        return f"a date written as {human_date_format(column.format or ISO_DATE)}"
    if column.type == "boolean":
        return "yes or no (ja/nee, j/n, yes/no, true/false, waar/onwaar, 1/0, x)"
    return "text"


def human_date_format(fmt: str) -> str:
    """``%d-%m-%Y`` as a user reads it: ``DD-MM-YYYY``."""
    for code, word in (("%d", "DD"), ("%m", "MM"), ("%Y", "YYYY"), ("%y", "YY")):
        fmt = fmt.replace(code, word)
    return fmt


def _text(text: pd.Series, column: Column) -> pd.Series:
    return text


def _integer(text: pd.Series, column: Column) -> pd.Series:
    ok = text.str.fullmatch(r"[+-]?\d+")
    return text[ok].map(int)


def _decimal(text: pd.Series, column: Column) -> pd.Series:
    normal = text.str.replace(",", ".", regex=False) if column.decimal == "," else text
    ok = normal.str.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)") & ~(
        text.str.contains(".", regex=False) if column.decimal == "," else False
    )
    return normal[ok].map(Decimal)


def _date(text: pd.Series, column: Column) -> pd.Series:
    fmt = column.format or ISO_DATE
    parsed = pd.to_datetime(text, format=fmt, errors="coerce")
    if fmt != ISO_DATE:  # real Excel date cells arrive as ISO text
        iso = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        parsed = parsed.where(
            ~iso, pd.to_datetime(text.where(iso), format=ISO_DATE, errors="coerce")
        )
    parsed = parsed.dropna()
    return pd.Series([ts.date() for ts in parsed], index=parsed.index, dtype=object)


def _boolean(text: pd.Series, column: Column) -> pd.Series:
    lower = text.str.lower()
    return lower.map(lambda w: True if w in TRUE_WORDS else (False if w in FALSE_WORDS else None))


_CONVERTERS: dict[str, Callable[[pd.Series, Column], pd.Series]] = {
    "text": _text,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "boolean": _boolean,
}
