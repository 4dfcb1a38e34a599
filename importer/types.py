"""Column types: vectorised conversion of text cells to typed values.

:func:`convert` takes a Series of text (missing cells are None/NaN) and returns the typed
values and, per cell, the reason (a :class:`~importer.messages.Message`) why the text is not
a valid value (None where it is). Basic types are converted here; the Dutch and Belgian types
(IBAN, VAT, KvK, BSN, postcode, ...) come from :mod:`importer.checks`. A column's
locale-dependent settings (decimal and thousands separators, date formats) must be resolved
before (``effective``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pandas as pd

from importer import checks
from importer.checks import regional
from importer.mapping import LOCALES, Column
from importer.messages import Message

TRUE_WORDS = frozenset({"ja", "j", "yes", "y", "true", "waar", "1", "x"})
FALSE_WORDS = frozenset({"nee", "n", "no", "false", "onwaar", "0"})
ISO_DATE = "%Y-%m-%d"


def effective(column: Column, locale: str | None) -> Column:
    """The column with its locale-dependent settings filled from the source's locale."""
    profile = LOCALES.get(locale or "", {})
    updates = {}
    if column.type == "decimal":
        if column.decimal is None:
            updates["decimal"] = profile.get("decimal", ".")
        if column.thousands is None:
            updates["thousands"] = profile.get("thousands", "")
    if column.type == "date" and column.format is None:
        updates["format"] = profile.get("format", ISO_DATE)
    return column.model_copy(update=updates) if updates else column


def convert(
    text: pd.Series, column: Column, context: regional.Context | None = None
) -> tuple[pd.Series, pd.Series]:
    """(typed values, reasons) of a text Series; both None where the cell is missing.

    ``context``: the row's country and the target's country codes, for ``phone``, ``postcode``
    and ``country`` (see :mod:`importer.checks.regional`)."""
    values = pd.Series(None, index=text.index, dtype=object)
    reasons = pd.Series(None, index=text.index, dtype=object)
    present = text.notna()
    if not present.any():
        return values, reasons
    if column.type in checks.CHECKS:
        # phone, postcode (per row's country) and country in a target's own codes: issue 17
        if column.type in regional.REGIONAL or (
            context and context.codes and column.type == "country"
        ):
            fmt = column.format if isinstance(column.format, str) else None
            got, why = regional.apply(
                column.type, text[present], context or regional.Context(), fmt
            )
        else:
            got, why = checks.apply(column.type, text[present])  # apply reads each value as str
        values[present] = got.astype(object)
        bad = why.notna()
        reasons[bad[bad].index] = [
            Message("value.check", value=v, reason=r)
            for v, r in zip(text[bad[bad].index], why[bad], strict=True)
        ]
        return values.where(reasons.isna(), None), reasons
    if column.type == "text":
        values[present] = text[present].astype(str).astype(object)
        return values, reasons
    # Each distinct text is converted once (a column of dates or amounts repeats its values),
    # then every cell takes its value: the converters return the valid ones only.
    codes, distinct = pd.factorize(text[present].astype(str))
    got = _CONVERTERS[column.type](pd.Series(distinct), column)
    converted = np.full(len(distinct), None, dtype=object)
    converted[np.asarray(got.index, dtype=np.intp)] = got.astype(object)
    values[present] = converted[codes]
    failed = present & values.isna()
    reasons[failed] = [not_valid(v, column) for v in text[failed]]
    return values, reasons


def not_valid(value: str, column: Column) -> Message:
    """Why ``value`` is not a value of this column's (basic) type."""
    if column.type == "integer":
        return Message("value.not_integer", value=value)
    if column.type == "decimal":
        if column.places is not None and _exact(pd.Series([value]), column).size:
            return Message("value.too_many_decimals", value=value, places=column.places)
        word = "comma" if column.decimal == "," else "point"
        return Message(f"value.not_decimal_{word}", value=value, example=_decimal_example(column))
    if column.type == "date":
        formats = [column.format] if isinstance(column.format, str) else column.format or [ISO_DATE]
        shown: list[Message | str | tuple[Message | str, ...]] = []
        for fmt in formats:
            shown += [Message("word.or"), date_format(fmt)] if shown else [date_format(fmt)]
        return Message("value.not_date", value=value, formats=tuple(shown))
    return Message("value.not_boolean", value=value)


_DATE_PARTS = re.compile(r"%[dmYy]")
_DATE_WORDS = {"%d": "date.DD", "%m": "date.MM", "%Y": "date.YYYY", "%y": "date.YY"}


def date_format(fmt: str) -> tuple[Message | str, ...]:
    """``%d-%m-%Y`` as a user reads it, in their language: ``DD-MM-YYYY``, ``DD-MM-JJJJ``."""
    parts: list[Message | str] = []
    at = 0
    for found in _DATE_PARTS.finditer(fmt):
        if found.start() > at:
            parts.append(fmt[at : found.start()])
        parts.append(Message(_DATE_WORDS[found.group()]))
        at = found.end()
    if at < len(fmt):
        parts.append(fmt[at:])
    return tuple(parts)


def _decimal_example(column: Column) -> str:
    point = column.decimal or "."
    return f"1{column.thousands}234{point}56" if column.thousands else f"1234{point}56"


def _text(text: pd.Series, column: Column) -> pd.Series:
    return text


def _integer(text: pd.Series, column: Column) -> pd.Series:
    ok = text.str.fullmatch(r"[+-]?[0-9]+")  # ASCII digits: int() would read "١٢" as 12
    return text[ok].map(int)


def _exact(text: pd.Series, column: Column) -> pd.Series:
    """The Decimals of the texts that are numbers as the column writes them: exactly the
    digits typed, trailing zeros too (``12,50`` is 12.50), never through a float."""
    point = re.escape(column.decimal or ".")
    if column.thousands:
        group = re.escape(column.thousands)
        shape = rf"[+-]?(?:[0-9]{{1,3}}(?:{group}[0-9]{{3}})+|[0-9]+)(?:{point}[0-9]+)?"
    else:
        shape = rf"[+-]?[0-9]+(?:{point}[0-9]+)?"
    ok = text.str.fullmatch(shape)
    normal = text[ok]
    if column.thousands:
        normal = normal.str.replace(column.thousands, "", regex=False)
    if column.decimal == ",":
        normal = normal.str.replace(",", ".", regex=False)
    return normal.map(Decimal)


def _decimal(text: pd.Series, column: Column) -> pd.Series:
    numbers = _exact(text, column)
    if column.places is None:
        return numbers
    # ``places``: exactly that many decimals; zeros are added ("12,5" is 12.50), but a value
    # with more decimals is not a value of the column (it is refused, never rounded)
    fits = numbers.map(lambda d: -d.as_tuple().exponent <= column.places)  # type: ignore[operator]
    unit = Decimal(1).scaleb(-column.places)
    return numbers[fits].map(lambda d: d.quantize(unit))


def _date(text: pd.Series, column: Column) -> pd.Series:
    formats = [column.format] if isinstance(column.format, str) else column.format or [ISO_DATE]
    if ISO_DATE not in formats:
        formats = [*formats, ISO_DATE]  # real Excel date cells arrive as ISO text
    dates = pd.Series(None, index=text.index, dtype=object)
    for fmt in formats:
        todo = dates.isna()
        if not todo.any():
            break
        # parsed at the resolution the dates need, so 31-12-9999 ("no end date") fits
        attempt = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        found = attempt.notna()
        if found.any():
            dates[found[found].index] = [ts.date() for ts in attempt[found]]
    return dates.dropna()


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
