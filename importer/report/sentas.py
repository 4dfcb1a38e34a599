"""What was sent where it differs from what was read: the ``sent as`` column of a step sheet.

Generic, from each column's own declaration: its text goes through the pipeline validation
runs (``collapse_spaces``, ``case``, ``default``, ``map``, allowed spellings, the type's
normalisation: a postcode ``3526KL`` is sent as ``3526 KL``, a country mapped ``BE`` to ``B``
as ``B``, an empty cell with a ``default`` as the default), and a cell whose value so became
another text is noted ``Land: BE → B``. A change of case or spaces only (``7511 HB`` sent
as ``7511HB``, ``be`` as ``BE``) is not noted: it would stand on nearly every row and hide
the changes that matter. Dates, numbers and yes/no values are shown typed in their own cells
already, so only a map or a default that changed them is noted. What a
template makes of a value (an address split by ``split_address``) is not a column's
declaration: the body shows it, in the Payloads sheet (``--include-payloads``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from importer import types
from importer.cleaning import prepare_column
from importer.report.writer import Part, Writer

TYPED = ("date", "decimal", "integer", "boolean")


def sent_as(writer: Writer, part: Part) -> dict[int, str]:
    """Per source row, the note of its cells sent otherwise than read (none: not listed)."""
    table = writer.result.tables[part.source]
    locale = writer.mapping.sources[part.source].locale
    notes: dict[int, list[str]] = {}
    seen: set[str] = set()
    empty = writer.t("value.empty")
    for owner in part.owners[:1]:  # the sheet's own step (or lines): what it sends
        for name, declared in owner.columns.items():
            if not declared.from_file:
                continue
            header = owner.header_of(name)
            if header in seen or header not in table.frame.columns:
                continue
            seen.add(header)
            if not _may_change(declared):
                continue
            column = types.effective(declared, locale)
            raw = table.frame[header]
            prepared = prepare_column(raw, column, None)
            shown = prepared.text if column.type in TYPED else prepared.values
            for row, was, now in _changed(raw, shown, prepared.reasons):
                notes.setdefault(row, []).append(
                    f"{header}: {empty if was is None else was} → {_shown(now)}"
                )
    return {row: "; ".join(found) for row, found in notes.items()}


def _changed(raw: pd.Series, shown: pd.Series, reasons: pd.Series) -> list[tuple[int, Any, Any]]:
    """The cells whose value is present, valid and not the text the file holds."""
    text = raw.astype(object).where(raw.notna(), None)
    # most cells are sent as read: compared at once, only the others one by one
    candidates = shown.notna() & reasons.isna() & (shown.astype(str) != text.astype(str))
    if not candidates.any():
        return []
    out = []
    for row in text.index[candidates.to_numpy()]:
        was, now = text[row], shown[row]
        if was is None or _plain(str(now)) != _plain(str(was)):
            out.append((int(row), was, now))
    return out


def _may_change(column: Any) -> bool:
    """Whether a column's declaration can send another text than the cell's (most columns,
    plain text, cannot: they are not looked at)."""
    if column.map is not None or column.default is not None:
        return True
    if column.allowed is not None and column.case_insensitive:
        return True
    return column.type not in (*TYPED, "text", None)


def _plain(text: str) -> str:
    return "".join(text.split()).casefold()


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
