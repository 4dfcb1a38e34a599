"""The Errors sheet (``Fouten``): every problem of the run once, at the file and row where its
value stands (:meth:`importer.results.Result.problems`), each linked to its row's sheet.

Columns: the step (``<step> lines`` for a line), the file, the row in that file, the column
and the value as the file has them, the status, the message, and for a line (or a row grouped
into another's record) the file and row of the record it belongs to; the target's log
reference where it has one. So ``contactpersonen.csv | 11 | Geslacht | Mannelijk | ... |
klanten.csv | 7``: row 11 of ``contactpersonen.csv`` holds ``Mannelijk`` under ``Geslacht``,
and the contact belongs to the klant of row 7 of ``klanten.csv``.
"""

from __future__ import annotations

from typing import Any

from importer import i18n
from importer.messages import render
from importer.report.writer import Writer, link_to
from importer.xlsx import column_letter


def add_errors(writer: Writer) -> None:
    """The Errors sheet: every problem of the run once, each linked to its row."""
    header = [
        writer.t("header.step"),
        writer.t("header.file"),
        writer.t("header.row"),
        writer.t("header.column"),
        writer.t("header.value"),
        writer.t("header.status"),
        writer.t("header.message"),
        writer.t("header.parent_file"),
        writer.t("header.parent_row"),
        *([writer.log_reference] if writer.log_reference else []),
    ]
    widths = (20, 28, 8, 20, 24, 12, 90, 24, 10, 34)[: len(header)]
    sheet = writer.book.add_sheet(
        writer.names["#errors"], widths, freeze=(0, 1), page=writer.page()
    )
    writer.header(sheet, header)
    parts = {part.key: part for part in writer.parts}
    positions: dict[str, dict[int, int]] = {}  # a part's rows: their row on its sheet
    for item in writer.result.problems():
        key = f"{item.step}#lines" if item.lines else item.step
        part = parts[key]
        if key not in positions:
            positions[key] = {n: i for i, n in enumerate(sorted(part.outcomes), start=2)}
        target = writer.names[key]
        parent_file, parent_row = item.parent or (None, None)
        sheet.append(
            [
                writer.cell(part.title),
                writer.cell(item.source),
                writer.cell(item.row, "link", link_to(target, positions[key][item.sheet_row])),
                writer.cell(item.column),
                writer.cell(_problem_value(item.value)),
                writer.cell(i18n.status(writer.lang, item.status), f"status:{item.status}"),
                writer.cell(render(item.message, writer.lang) if item.message else None),
                writer.cell(parent_file),
                writer.cell(parent_row),
                *([writer.cell(item.log_reference)] if writer.log_reference else []),
            ]
        )
    sheet.autofilter = f"A1:{column_letter(len(header))}{sheet.rows}"


def _problem_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)
