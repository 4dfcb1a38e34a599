"""JSON text with exact decimal numbers.

A :class:`~decimal.Decimal` is written as the digits it holds (``0.12345678901234567890``,
``12.50``), never through a binary float, and JSON read back with :func:`loads` gives
Decimals for numbers with a fraction or exponent, so a body keeps its digits from the cell
to the request and the journal. Dates are written ``YYYY-MM-DD``.

The standard library's C encoder writes every float through ``float.__repr__`` and has no
hook for a raw number, so a Decimal is first written as a marked string
(``"\\u0000D12.50\\u0000"``) and the marks are then taken off the finished text. A marked
string is recognised only where a JSON value starts (after ``:``, ``,``, ``[``, or a space
of the indented form), never inside a string, where a quote is always escaped; and no cell
holds a NUL character (the readers refuse it). Bodies without a Decimal pay one substring
search.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

_MARK = "\x00D"
_END = "\x00"
_MARKED = re.compile(r'"\\u0000D(-?[0-9]+(?:\.[0-9]+)?)\\u0000"')
_VALUE_STARTS = frozenset(":,[ ")
_HINT = '"\\u0000D'


def number_text(value: Decimal) -> str:
    """A Decimal as a JSON number: its digits, in fixed-point notation (``1E+2`` is ``100``)."""
    text = format(value, "f")
    if text.startswith("+"):
        text = text[1:]
    return text


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} as a JSON number")
        return _MARK + number_text(value) + _END
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _unmarked(encode: Any) -> Any:
    def write(value: Any) -> str:
        text: str = encode(value)
        if _HINT not in text:
            return text

        def number(found: re.Match[str]) -> str:
            at = found.start()
            starts = at == 0 or text[at - 1] in _VALUE_STARTS  # not a quote inside a string
            return found.group(1) if starts else found.group(0)

        return _MARKED.sub(number, text)

    return write


# json.dumps with options builds a new JSONEncoder on every call: each form is made once.
dumps = _unmarked(json.JSONEncoder(default=_default, ensure_ascii=False).encode)
"""A value as JSON text (``", "`` and ``": "`` between items), decimals exact."""

compact = _unmarked(
    json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default).encode
)
"""A value as compact JSON text (no spaces, non-ASCII kept as is), decimals exact."""

dumps_ascii = _unmarked(json.JSONEncoder(default=_default).encode)
"""As :func:`dumps` (``json.dumps``'s form), with non-ASCII characters as ``\\u`` escapes."""

_DECODER = json.JSONDecoder(parse_float=Decimal)


def loads(text: str | bytes) -> Any:
    """JSON text as values; a number with a fraction or exponent is a Decimal."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return _DECODER.decode(text)
