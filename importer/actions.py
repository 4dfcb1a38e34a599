"""What a step does with each row: insert, update, upsert or delete, and which record it means.

A step's ``action:`` is fixed (``action: update``) or read per row from a column
(``action: {column: Actie}``) in the words users write: the built-in ones below, in English
and Dutch, and those the mapping adds. An update, upsert or delete names its record by the
ids in the sheet (``ids: {OrNu: ordernummer}``), else by the journal (a record this import
made), else by the step's ``match`` lookup; see :mod:`importer.reconcile`.
"""

from __future__ import annotations

from typing import Any

from importer.mapping import ActionColumn, Step
from importer.messages import Message
from importer.readers import Table

# The words users write for each action (case and surrounding spaces do not count).
WORDS: dict[str, str] = {
    **dict.fromkeys(("insert", "new", "add", "nieuw", "toevoegen", "aanmaken"), "insert"),
    **dict.fromkeys(("update", "change", "wijzig", "wijzigen", "wijziging"), "update"),
    **dict.fromkeys(("upsert",), "upsert"),
    **dict.fromkeys(("delete", "remove", "verwijder", "verwijderen"), "delete"),
}


def words(column: ActionColumn) -> dict[str, str]:
    """Every word the column accepts, with its action."""
    return {**WORDS, **{_norm(word): action for word, action in column.values.items()}}


def row_actions(step: Step, table: Table) -> dict[int, str | Message]:
    """Each row's action, or the message saying why its cell names none."""
    numbers = [int(n) for n in table.frame.index]
    if isinstance(step.action, str):
        return dict.fromkeys(numbers, step.action)
    column = step.action
    known = words(column)
    cells = table.frame[column.column]
    listed = ", ".join(sorted(known))
    out: dict[int, str | Message] = {}
    for n in numbers:
        cell = cells.at[n]
        if cell is None or str(cell).strip() == "":
            out[n] = column.default or Message("action.blank", column=column.column, words=listed)
        else:
            found = known.get(_norm(cell))
            out[n] = found or Message(
                "action.unknown", value=str(cell), column=column.column, words=listed
            )
    return out


def sheet_ids(step: Step, row: dict[str, Any] | None) -> dict[str, str]:
    """The record's ids the row gives in its ``ids:`` columns (blank ones left out)."""
    if not row:
        return {}
    out = {}
    for name, column in step.ids.items():
        value = row.get(column)
        if value is not None and str(value).strip() != "":
            out[name] = str(value).strip()
    return out


def _norm(word: Any) -> str:
    return " ".join(str(word).split()).casefold()
