"""A lookup's filters: a value as lookups compare it (case, spaces and Unicode form do not
count; a postcode ignores its space), and whether a record matches a field."""

from __future__ import annotations

import unicodedata
from typing import Any


def _norm(field: str, value: Any) -> str | None:
    """A value as compared by lookups: case, spaces and Unicode form do not count; a postcode
    ignores its space."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    text = unicodedata.normalize("NFC", text).casefold()
    if field.rsplit(".", 1)[-1].startswith("postcode"):
        return "".join(text.split())
    return " ".join(text.split())


def _matches(record: dict[str, Any], field: str, wanted: str | None) -> bool:
    if "." in field:
        nested, _, sub = field.partition(".")
        items = record.get(nested)
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            return False
        return any(isinstance(i, dict) and _norm(sub, i.get(sub)) == wanted for i in items)
    return _norm(field, record.get(field)) == wanted
