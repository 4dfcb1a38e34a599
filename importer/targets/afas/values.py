"""What a catalog field accepts: the field as prepared for checking, and the checks of a value.

AFAS accepts every value as a string, so ``"36"`` is a valid integer and ``"12.5"`` a valid
number; the choices made where AFAS's own examples disagree with a strict reading are listed
with ``check_body`` in :mod:`importer.targets.afas.contract`.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from importer.messages import Message

_TRUE_FALSE = frozenset({"true", "false", "1", "0"})

_STRING, _INTEGER, _NUMBER, _BOOLEAN = "string", "integer", "number", "boolean"


@dataclass(frozen=True, slots=True)
class _Field:
    """A catalog field prepared for checking."""

    name: str
    kind: str
    length: int | None
    is_date: bool
    folded: frozenset[str] | None  # allowed values, lower-cased
    allowed: str
    rule: str | None = None  # a rule of RULES the value must also meet


def _is_integer_text(text: str) -> bool:
    digits = text[1:] if text[:1] in ("+", "-") else text
    return digits.isascii() and digits.isdigit()


def _is_number_text(text: str) -> bool:
    digits = text[1:] if text[:1] in ("+", "-") else text
    whole, _, fraction = digits.partition(".")
    if not (whole or fraction) or not digits.isascii():
        return False
    return (not whole or whole.isdigit()) and (not fraction or fraction.isdigit())


def _is_date_text(text: str) -> bool:
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.isascii():
        return False
    year, month, day = text[:4], text[5:7], text[8:]
    if not (year.isdigit() and month.isdigit() and day.isdigit()):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def _is_bank_account(text: str) -> bool:
    """An old-style bank account number (BaAc): exactly 10 positions."""
    return len(text.strip()) == 10


def _is_bsn(text: str) -> bool:
    """A burgerservicenummer: 8 or 9 digits (8 read with a leading zero) passing the 11-test."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) in (8, 9)):
        return False
    total = sum(int(d) * w for d, w in zip(digits.zfill(9), _BSN_WEIGHTS, strict=True))
    return total != 0 and total % 11 == 0


# Rules some fields' values meet beyond their type, length and list (which field: the catalog's
# VALUE_RULES): the rule's name -> (test of the value as text, message code).
RULES: dict[str, tuple[Callable[[str], bool], str]] = {
    "bank_account": (_is_bank_account, "afas.bank_account"),
    "bsn": (_is_bsn, "afas.bsn"),
}


def _as_text(value: Any) -> str:
    """The text of a scalar sent to a string field; booleans count as "1"/"0".

    AFAS's own examples send ``"VaDu": true`` where other examples send ``"VaDu": "1"`` (a string
    field of length 3), so a boolean is measured and matched as Profit's "1"/"0", not as "true".
    """
    if isinstance(value, bool):
        return "1" if value else "0"
    return value if isinstance(value, str) else str(value)


_Problem = tuple[str, Message]  # (kind, message)


def _string_problem(spec: _Field, label: str, value: Any) -> _Problem | None:
    if isinstance(value, dict | list):
        return "wrong_type", Message("afas.not_string", field=label, type=type(value).__name__)
    text = _as_text(value)
    # Case-insensitive: AFAS's own PUT example 'Instellingen debiteur wijzigen' sends InPv "a".
    if spec.folded is not None and text.lower() not in spec.folded:
        return "not_allowed", Message(
            "afas.not_allowed", field=label, value=value, allowed=spec.allowed
        )
    if spec.length is not None and len(text) > spec.length:
        return "too_long", Message(
            "afas.too_long", field=label, length=len(text), limit=spec.length
        )
    if spec.is_date and not (isinstance(value, str) and _is_date_text(value)):
        return "wrong_type", Message("afas.not_date", field=label, value=value)
    if spec.rule is not None:
        test, code = RULES[spec.rule]
        if not test(text):
            return "invalid", Message(code, field=label, value=value, length=len(text.strip()))
    return None


def _integer_problem(label: str, value: Any) -> _Problem | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    if isinstance(value, str) and _is_integer_text(value):
        return None
    return "wrong_type", Message("afas.not_integer", field=label, value=value)


def _number_problem(label: str, value: Any) -> _Problem | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isfinite(value):
        return None
    if isinstance(value, Decimal) and value.is_finite():  # a body's exact decimal
        return None
    if isinstance(value, str) and _is_number_text(value):
        return None
    return "wrong_type", Message("afas.not_number", field=label, value=value)


def _boolean_problem(label: str, value: Any) -> _Problem | None:
    if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
        return None
    if isinstance(value, str) and value.lower() in _TRUE_FALSE:
        return None
    return "wrong_type", Message("afas.not_boolean", field=label, value=value)


def _value_problem(spec: _Field, label: str, value: Any) -> _Problem | None:
    """Why AFAS would refuse ``value`` for the field, as (kind, message), or None."""
    if value is None or (isinstance(value, str) and value == ""):
        return None  # "" clears a field, null leaves it empty
    if spec.kind == _STRING:
        return _string_problem(spec, label, value)
    if spec.kind == _INTEGER:
        return _integer_problem(label, value)
    if spec.kind == _NUMBER:
        return _number_problem(label, value)
    return _boolean_problem(label, value)


def _quick_check(spec: _Field) -> Callable[[Any], bool]:
    """``value -> bool``, True exactly when ``_value_problem`` finds nothing for the field.

    The values a rendered body holds (a str, a bool, for numbers an int or an
    exact Decimal) are decided
    here without building a message; any other value goes through ``_value_problem`` itself.
    """

    def full(value: Any) -> bool:
        return _value_problem(spec, spec.name, value) is None

    if spec.kind == _STRING:
        folded, length, is_date = spec.folded, spec.length, spec.is_date
        rule = RULES[spec.rule][0] if spec.rule is not None else None

        def check(value: Any) -> bool:
            cls = value.__class__
            if cls is str:
                if not value:
                    return True
                text = value
            elif cls is bool:
                text = "1" if value else "0"
            else:
                return full(value)
            if folded is not None and text.lower() not in folded:
                return False
            if length is not None and len(text) > length:
                return False
            if rule is not None and not rule(text):
                return False
            return not is_date or (cls is str and _is_date_text(text))

    elif spec.kind == _INTEGER:

        def check(value: Any) -> bool:
            cls = value.__class__
            if cls is int:
                return True
            if cls is str:
                return not value or _is_integer_text(value)
            return full(value)

    elif spec.kind == _NUMBER:

        def check(value: Any) -> bool:
            cls = value.__class__
            if cls is int:
                return True
            if cls is float:
                return math.isfinite(value)
            if cls is Decimal:
                return value.is_finite()
            if cls is str:
                return not value or _is_number_text(value)
            return full(value)

    else:

        def check(value: Any) -> bool:
            cls = value.__class__
            if cls is bool:
                return True
            if cls is str:
                return not value or value.lower() in _TRUE_FALSE
            return full(value)

    return check
